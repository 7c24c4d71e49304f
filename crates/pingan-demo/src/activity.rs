//! Patrol-unit tracks and camera detection events of the history.
//!
//! Tracks: every duty shift drives from the unit's base through the key places of its route and
//! round again until the shift ends, at patrol speed along the road network, stopping 5–12
//! minutes at each place; a GPS fix every 30 s while moving and every 60 s while stopped.
//!
//! Detections: every camera with analytics reports objects at a rate set by what it watches (key
//! places see more people, roads more cars), following the daily rhythm. Labels, colours and
//! attributes are drawn from plausible mixes; there are no faces and no identities.

use std::collections::HashMap;

use rand::Rng;

use crate::model::{Camera, Detection, DutyShift, TrackPoint};
use crate::network::Net;
use crate::places::{find, KeyPlaceGen};
use crate::rng::{stream, Cumulative, DemoRng};
use crate::time::{DAY, HOUR, MINUTE, SECOND};
use crate::world::{bearing, offset, to_lonlat, to_xy};

/// Patrol speed as a share of the road's usual speed.
const PATROL_PACE: f64 = 0.7;

/// Paths between node pairs, computed once.
#[derive(Debug, Default)]
pub(crate) struct PathCache(HashMap<(usize, usize), Vec<usize>>);

impl PathCache {
    pub fn get(&mut self, net: &Net, a: usize, b: usize) -> Vec<usize> {
        self.0
            .entry((a, b))
            .or_insert_with(|| net.path(a, b).unwrap_or_else(|| vec![a]))
            .clone()
    }
}

/// Positions of a unit moving along `path` from `t0`, one fix every `step`; returns the arrival
/// time. Fixes at or after `until` are not produced and the walk stops there.
pub(crate) fn drive(
    net: &Net,
    path: &[usize],
    t0: i64,
    until: i64,
    step: i64,
    next_fix: &mut i64,
    out: &mut Vec<(i64, [f64; 2], f64, f64)>,
) -> i64 {
    let mut t = t0;
    for w in path.windows(2) {
        let (a, b) = (w[0], w[1]);
        let Some((_, e)) = net.adj[a].iter().find(|(n, _)| *n == b) else {
            continue;
        };
        let speed = net.edges[*e].class.speed_kmh() * PATROL_PACE / 3.6;
        let len = net.edges[*e].length_m;
        let dt = (len / speed * 1e6) as i64;
        let (pa, pb) = (net.pts[a], net.pts[b]);
        let heading = bearing(pa, pb);
        while *next_fix < t + dt {
            if *next_fix >= until {
                return until;
            }
            let f = (*next_fix - t) as f64 / dt.max(1) as f64;
            let p = [pa[0] + f * (pb[0] - pa[0]), pa[1] + f * (pb[1] - pa[1])];
            out.push((*next_fix, p, heading, speed * 3.6));
            *next_fix += step;
        }
        t += dt;
    }
    t
}

/// Tracks of every shift starting in `[from, to)`.
pub(crate) fn tracks(
    seed: u64,
    net: &Net,
    kps: &[KeyPlaceGen],
    shifts: &[DutyShift],
    from: i64,
    to: i64,
) -> Vec<TrackPoint> {
    let mut rng = stream(seed, "tracks");
    let mut cache = PathCache::default();
    let mut out = Vec::new();
    for s in shifts.iter().filter(|s| s.start >= from && s.start < to) {
        let nodes: Vec<usize> = s
            .route
            .iter()
            .map(|id| kps[find(kps, &id.0)].node)
            .collect();
        let Some(&home) = nodes.first() else { continue };
        let mut fixes = Vec::new();
        let mut cur = home;
        let mut t = s.start;
        let mut next_fix = s.start;
        let mut k = 1;
        while t < s.end && nodes.len() > 1 {
            let next = nodes[k % nodes.len()];
            k += 1;
            if next == cur {
                continue;
            }
            let path = cache.get(net, cur, next);
            t = drive(net, &path, t, s.end, 30 * SECOND, &mut next_fix, &mut fixes);
            cur = next;
            let dwell_end = (t + rng.gen_range(5 * MINUTE..12 * MINUTE)).min(s.end);
            next_fix = next_fix.max(t);
            while next_fix < dwell_end {
                fixes.push((next_fix, net.pts[cur], 0.0, 0.0));
                next_fix += 60 * SECOND;
            }
            t = dwell_end;
        }
        out.extend(fixes.into_iter().map(|(at, p, h, v)| TrackPoint {
            unit: s.unit.clone(),
            at,
            position: to_lonlat(p),
            heading_deg: (h * 10.0).round() / 10.0,
            speed_kmh: v.round(),
        }));
    }
    out
}

const DAY_PROFILE: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.0, 2.2, 2.0, 1.9, 1.9, 1.8, 1.7, 1.7, 1.8, 2.0, 2.2, 2.0,
    1.6, 1.2, 0.8, 0.5, 0.3,
];

/// Person attributes, drawn at random (the stories set theirs explicitly).
pub(crate) fn person_attributes(rng: &mut DemoRng) -> (String, Vec<(String, String)>) {
    const UPPER: [&str; 7] = ["black", "white", "blue", "grey", "red", "green", "yellow"];
    const LOWER: [&str; 4] = ["black", "blue", "grey", "brown"];
    const HAT: [&str; 4] = ["none", "none", "baseball_cap", "helmet"];
    const BAG: [&str; 4] = ["none", "none", "backpack", "handbag"];
    let upper = UPPER[rng.gen_range(0..UPPER.len())].to_owned();
    let attrs = vec![
        (
            "bag".to_owned(),
            BAG[rng.gen_range(0..BAG.len())].to_owned(),
        ),
        (
            "hat".to_owned(),
            HAT[rng.gen_range(0..HAT.len())].to_owned(),
        ),
        (
            "lower_colour".to_owned(),
            LOWER[rng.gen_range(0..LOWER.len())].to_owned(),
        ),
    ];
    (upper, attrs)
}

/// Detection events of every analytics camera over `[from, to)`, `rate_scale` times the full
/// rates (28 a day at key places, 14 on roads).
pub(crate) fn detections(
    seed: u64,
    cameras: &[Camera],
    from: i64,
    to: i64,
    rate_scale: f64,
) -> Vec<Detection> {
    let mut rng = stream(seed, "detections");
    let hours = Cumulative::new(&DAY_PROFILE);
    let place_mix = Cumulative::new(&[55.0, 20.0, 3.0, 14.0, 5.0, 1.0, 2.0]);
    let road_mix = Cumulative::new(&[12.0, 55.0, 12.0, 8.0, 7.0, 3.0, 3.0]);
    const LABELS: [&str; 7] = [
        "person",
        "car",
        "truck",
        "bicycle",
        "motorcycle",
        "bus",
        "tricycle",
    ];
    let mut out = Vec::new();
    let days = (to - from) / DAY;
    for cam in cameras.iter().filter(|c| c.analytics) {
        let xy = to_xy(cam.position);
        let (rate, mix) = if cam.key_place.is_some() {
            (28.0, &place_mix)
        } else {
            (14.0, &road_mix)
        };
        for d in 0..days {
            let n = crate::rng::poisson(&mut rng, rate * rate_scale);
            for _ in 0..n {
                let at =
                    from + d * DAY + hours.draw(&mut rng) as i64 * HOUR + rng.gen_range(0..HOUR);
                let label = LABELS[mix.draw(&mut rng)];
                let (colour, attributes, sub_label) = match label {
                    "person" => {
                        let (c, a) = person_attributes(&mut rng);
                        (Some(c), a, None)
                    }
                    "bicycle" => {
                        let e = rng.gen_bool(0.6);
                        (
                            Some(crate::traffic::colour(&mut rng)),
                            Vec::new(),
                            Some(if e { "e_bike" } else { "bicycle" }.to_owned()),
                        )
                    }
                    _ => (Some(crate::traffic::colour(&mut rng)), Vec::new(), None),
                };
                let dir = cam.heading_deg + rng.gen_range(-cam.fov_deg / 3.0..cam.fov_deg / 3.0);
                let p = offset(xy, dir, cam.range_m * rng.gen_range(0.2..0.85));
                out.push(Detection {
                    id: String::new(),
                    camera: cam.id.clone(),
                    at,
                    label: label.to_owned(),
                    sub_label,
                    score: rng.gen_range(0.55..0.98),
                    colour,
                    attributes,
                    position: to_lonlat(p),
                });
            }
        }
    }
    out
}

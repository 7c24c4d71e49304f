//! The "Skynet" sensors: 5 video platforms, 2,665 cameras, 15 plate-reading checkpoints, and
//! the 12 patrol cars with their duty roster.
//!
//! Cameras are placed where a district would put them: around key places (looking at the place),
//! along roads (looking along the road, denser on arterials and town streets), plus a few fixed
//! ones the stories need (the store front in Zhuanggang, Bantuan Road by West Zhushagou).
//! Checkpoints stand on a vertex of the road they read, one step inside the district at its
//! entries and between junctions on the arterials.

use rand::Rng;

use crate::model::{
    Camera, CameraId, Checkpoint, CheckpointId, DutyShift, KeyPlaceId, Lane, PatrolUnit, Platform,
    PlatformId, RoadClass, TownId, UnitId,
};
use crate::names;
use crate::network::Net;
use crate::places::{find, KeyPlaceGen};
use crate::rng::{stream, DemoRng};
use crate::time::{DAY, HOUR};
use crate::world::{bearing, dist, offset, to_lonlat, town_of_cell, vid, Ground, NI, NJ, TOWNS};

/// Cameras in the report's video network.
pub const CAMERA_COUNT: usize = 2_665;

/// Positions the stories and the camera placement share.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spots {
    /// In front of the Zhuanggang store, where the bicycles were parked.
    pub store_front: [f64; 2],
    /// Beside Bantuan Road near West Zhushagou, where the dumpster stood.
    pub dumpster: [f64; 2],
    /// The Bantuan Road nodes either side of the dumpster (south, north).
    pub dumpster_nodes: (usize, usize),
}

/// Computes the story spots.
pub(crate) fn spots(ground: &Ground, kps: &[KeyPlaceGen]) -> Spots {
    let store = kps[find(kps, "kp-zg-store")].xy;
    let (s, n) = (vid(6, 4), vid(6, 5));
    let (a, b) = (ground.pts[s], ground.pts[n]);
    let on_road = [a[0] + 0.6 * (b[0] - a[0]), a[1] + 0.6 * (b[1] - a[1])];
    // Five metres off the road's east side.
    let side = bearing(a, b) + 90.0;
    Spots {
        store_front: [store[0] - 15.0, store[1] - 20.0],
        dumpster: offset(on_road, side, 5.0),
        dumpster_nodes: (s, n),
    }
}

/// The five platforms.
pub(crate) fn platforms() -> Vec<Platform> {
    let p = |id: &str, name: &str, name_en: &str, vendor: &str, protocol: &str| Platform {
        id: PlatformId(id.to_owned()),
        name: name.to_owned(),
        name_en: name_en.to_owned(),
        vendor: vendor.to_owned(),
        protocol: protocol.to_owned(),
    };
    vec![
        p(
            "vms-1",
            "天网一期视频平台",
            "Skynet phase 1",
            "Hikvision",
            "gb28181",
        ),
        p(
            "vms-2",
            "天网二期视频平台",
            "Skynet phase 2",
            "Dahua",
            "gb28181",
        ),
        p(
            "vms-3",
            "交警视频平台",
            "Traffic police video",
            "Uniview",
            "onvif",
        ),
        p(
            "vms-4",
            "乡镇雪亮工程平台",
            "Township Sharp Eyes",
            "Hikvision",
            "rtsp",
        ),
        p(
            "vms-5",
            "重点单位联网平台",
            "Key units network",
            "Tiandy",
            "onvif",
        ),
    ]
}

fn cameras_for_category(category: &str) -> usize {
    match category {
        "bus_station" => 40,
        "market" | "supply_store" => 24,
        "hospital" => 20,
        "factory" => 18,
        "school" | "square" => 16,
        "logistics" => 12,
        "government" | "bank" => 10,
        "police" | "petrol_station" | "clinic" => 8,
        _ => 6,
    }
}

struct CamDraft {
    xy: [f64; 2],
    heading: f64,
    range: f64,
    name: String,
    platform: &'static str,
    key_place: Option<KeyPlaceId>,
    road: Option<String>,
}

/// Places the cameras: story cameras, key places, then roads until the count is reached.
#[expect(
    clippy::too_many_lines,
    reason = "the generator's steps in their order; each is short and the order is what it means"
)]
pub(crate) fn cameras(
    seed: u64,
    ground: &Ground,
    net: &Net,
    kps: &[KeyPlaceGen],
    spots: &Spots,
) -> Vec<Camera> {
    let mut rng = stream(seed, "cameras");
    let mut drafts: Vec<CamDraft> = Vec::with_capacity(CAMERA_COUNT);
    let store = &kps[find(kps, "kp-zg-store")];
    // Two cameras on the store's facade look down at the parking spot in front of it.
    for (k, (brg, d)) in [(200.0, 28.0), (120.0, 35.0)].iter().enumerate() {
        let xy = offset(spots.store_front, *brg, *d);
        drafts.push(CamDraft {
            xy,
            heading: bearing(xy, spots.store_front),
            range: 60.0,
            name: format!("{}门口{}号", store.place.name, k + 1),
            platform: "vms-5",
            key_place: Some(store.place.id.clone()),
            road: None,
        });
    }
    // Three cameras along Bantuan Road around the dumpster's spot, looking along the road at it.
    let (s, n) = spots.dumpster_nodes;
    let bantuan = net.roads[net.edge_road[edge_between(net, s, n).unwrap_or(0)]]
        .id
        .clone();
    for (k, (from, along)) in [(s, 70.0), (n, 60.0), (s, 110.0)].iter().enumerate() {
        let base = ground.pts[*from];
        let to_spot = bearing(base, spots.dumpster);
        let xy = offset(
            offset(base, to_spot, spots_distance(base, spots.dumpster) - along),
            to_spot + 90.0,
            7.0,
        );
        drafts.push(CamDraft {
            xy,
            heading: bearing(xy, spots.dumpster),
            range: (along + 40.0).min(120.0),
            name: format!("板团路西朱沙沟段{}号", k + 1),
            platform: "vms-4",
            key_place: None,
            road: Some(bantuan.clone()),
        });
    }
    for kp in kps {
        let count = cameras_for_category(&kp.place.category)
            - usize::from(kp.place.id.0 == "kp-zg-store") * 2;
        let subdistrict = kp.place.town.0 == TOWNS[0].id;
        for k in 0..count {
            let d = rng.gen_range(20.0..70.0);
            let xy = offset(kp.xy, rng.gen_range(0.0..360.0), d);
            let platform = if kp.place.category == "school" || kp.place.category == "market" {
                if subdistrict {
                    "vms-1"
                } else {
                    "vms-2"
                }
            } else {
                "vms-5"
            };
            drafts.push(CamDraft {
                xy,
                heading: (bearing(xy, kp.xy) + rng.gen_range(-8.0..8.0)).rem_euclid(360.0),
                range: (d + rng.gen_range(15.0..50.0)).clamp(30.0, 120.0),
                name: format!("{}{}号", kp.place.name, k + 1),
                platform,
                key_place: Some(kp.place.id.clone()),
                road: None,
            });
        }
    }
    // The rest along roads, weighted by class and length, away from the outline.
    let weights: Vec<f64> = net
        .edges
        .iter()
        .map(|e| {
            let interior = [e.a, e.b].iter().all(|v| {
                let (i, j) = (*v as usize % (NI + 1), *v as usize / (NI + 1));
                i > 0 && i < NI && j > 0 && j < NJ
            });
            let w = match e.class {
                RoadClass::Arterial => 6.0,
                RoadClass::Other => 5.0,
                RoadClass::County => 2.5,
                RoadClass::Village => 0.6,
            };
            if interior {
                w * e.length_m
            } else {
                0.0
            }
        })
        .collect();
    let table = crate::rng::Cumulative::new(&weights);
    let mut per_road: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    while drafts.len() < CAMERA_COUNT {
        let e = table.draw(&mut rng);
        let ed = &net.edges[e];
        let (a, b) = (net.pts[ed.a as usize], net.pts[ed.b as usize]);
        let t = rng.gen_range(0.12..0.88);
        let on = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        let along = if rng.gen_bool(0.5) {
            bearing(a, b)
        } else {
            bearing(b, a)
        };
        let side = if rng.gen_bool(0.5) { 90.0 } else { -90.0 };
        let xy = offset(on, along + side, rng.gen_range(6.0..12.0));
        let road = net.edge_road[e];
        let k = per_road.entry(road).or_insert(0);
        *k += 1;
        let town = ground
            .locate(xy)
            .map(|(i, j)| town_of_cell(i, j))
            .unwrap_or(0);
        let platform = match ed.class {
            RoadClass::Arterial if rng.gen_bool(0.6) => "vms-3",
            RoadClass::Village => "vms-4",
            _ if town == 0 => "vms-1",
            _ => "vms-2",
        };
        drafts.push(CamDraft {
            xy,
            heading: (along + rng.gen_range(-12.0..12.0)).rem_euclid(360.0),
            range: rng.gen_range(40.0..120.0),
            name: format!("{}{}号", net.roads[road].name, k),
            platform,
            key_place: None,
            road: Some(net.roads[road].id.clone()),
        });
    }
    drafts
        .into_iter()
        .enumerate()
        .map(|(k, d)| {
            let story = k < 5;
            Camera {
                id: CameraId(format!("cam-{:04}", k + 1)),
                name: d.name,
                platform: PlatformId(d.platform.to_owned()),
                position: to_lonlat(d.xy),
                heading_deg: (d.heading * 10.0).round() / 10.0 % 360.0,
                fov_deg: if story {
                    90.0
                } else {
                    rng.gen_range(50.0..100.0_f64).round()
                },
                range_m: d.range.round(),
                ptz: !story && rng.gen_bool(0.12),
                analytics: story
                    || d.key_place.is_some() && rng.gen_bool(0.35)
                    || rng.gen_bool(0.06),
                key_place: d.key_place,
                road: d.road,
            }
        })
        .collect()
}

fn spots_distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    dist(a, b)
}

/// The edge joining two nodes, if any.
pub(crate) fn edge_between(net: &Net, a: usize, b: usize) -> Option<usize> {
    net.adj
        .get(a)?
        .iter()
        .find(|(n, _)| *n == b)
        .map(|(_, e)| *e)
}

/// A checkpoint while the world is built: its record and the road line it reads.
#[derive(Debug, Clone)]
pub(crate) struct CheckpointGen {
    pub checkpoint: Checkpoint,
    pub line: u16,
}

/// `(name, name_en, vertex, outer vertex for entries)`.
type CpSpec = (
    &'static str,
    &'static str,
    (usize, usize),
    Option<(usize, usize)>,
);

const CHECKPOINTS: [CpSpec; 15] = [
    (
        "临港大道西入口卡口",
        "Linggang Avenue west entry",
        (1, 18),
        Some((0, 18)),
    ),
    (
        "临港大道东入口卡口",
        "Linggang Avenue east entry",
        (39, 18),
        Some((40, 18)),
    ),
    (
        "206国道西入口卡口",
        "National Road 206 west entry",
        (1, 6),
        Some((0, 6)),
    ),
    (
        "206国道东入口卡口",
        "National Road 206 east entry",
        (39, 6),
        Some((40, 6)),
    ),
    (
        "沭河大道南入口卡口",
        "Shuhe Avenue south entry",
        (20, 1),
        Some((20, 0)),
    ),
    (
        "沭河大道北入口卡口",
        "Shuhe Avenue north entry",
        (20, 35),
        Some((20, 36)),
    ),
    (
        "壮岗路南入口卡口",
        "Zhuanggang Road south entry",
        (30, 1),
        Some((30, 0)),
    ),
    (
        "壮岗路北入口卡口",
        "Zhuanggang Road north entry",
        (30, 35),
        Some((30, 36)),
    ),
    (
        "板团路南入口卡口",
        "Bantuan Road south entry",
        (6, 1),
        Some((6, 0)),
    ),
    (
        "坪壮路西入口卡口",
        "Pingzhuang Road west entry",
        (1, 24),
        Some((0, 24)),
    ),
    (
        "沭河大道团朱路口卡口",
        "Shuhe Avenue at Tuanzhu Road",
        (20, 13),
        None,
    ),
    (
        "沭河大道坪壮路口卡口",
        "Shuhe Avenue at Pingzhuang Road",
        (20, 23),
        None,
    ),
    (
        "临港大道人民路口卡口",
        "Linggang Avenue at Renmin Road",
        (15, 18),
        None,
    ),
    (
        "临港大道临朱路口卡口",
        "Linggang Avenue at Linzhu Road",
        (25, 18),
        None,
    ),
    (
        "壮岗路镇驻地南卡口",
        "Zhuanggang Road south of the town seat",
        (30, 27),
        None,
    ),
];

/// Boundary vertices where through traffic enters and leaves (the entries' outer vertices).
pub(crate) fn entry_nodes() -> Vec<usize> {
    CHECKPOINTS
        .iter()
        .filter_map(|c| c.3.map(|(i, j)| vid(i, j)))
        .collect()
}

fn compass(heading: f64) -> &'static str {
    match ((heading + 45.0).rem_euclid(360.0) / 90.0) as u32 {
        0 => "northbound",
        1 => "eastbound",
        2 => "southbound",
        _ => "westbound",
    }
}

/// The 15 checkpoints with their lanes.
pub(crate) fn checkpoints(ground: &Ground, net: &Net) -> Vec<CheckpointGen> {
    CHECKPOINTS
        .iter()
        .enumerate()
        .map(|(k, (name, name_en, (i, j), outer))| {
            let v = vid(*i, *j);
            // The road the checkpoint reads is the numbered road through it (not a village spur).
            let (line, edge, other) = net.adj[v]
                .iter()
                .map(|(n, e)| (net.edges[*e].line, *e, *n))
                .min()
                .unwrap_or((0, 0, v));
            let class = net.edges[edge].class;
            let road = &net.roads[net.edge_road[edge]];
            let here = ground.pts[v];
            let per_direction = if class == RoadClass::Arterial { 2 } else { 1 };
            let (fwd, fwd_code, back_code) = match outer {
                Some((oi, oj)) => (bearing(ground.at(*oi, *oj), here), "inbound", "outbound"),
                None => {
                    let h = bearing(here, net.pts[other]);
                    (h, compass(h), compass(h + 180.0))
                }
            };
            let mut lanes = Vec::new();
            for (code, heading) in [(fwd_code, fwd), (back_code, (fwd + 180.0) % 360.0)] {
                for _ in 0..per_direction {
                    lanes.push(Lane {
                        number: lanes.len() as u8 + 1,
                        direction: code.to_owned(),
                        heading_deg: (heading * 10.0).round() / 10.0,
                    });
                }
            }
            let town = ground
                .locate(here)
                .map(|(ci, cj)| town_of_cell(ci, cj))
                .unwrap_or(0);
            CheckpointGen {
                checkpoint: Checkpoint {
                    id: CheckpointId(format!("kk-{:02}", k + 1)),
                    name: (*name).to_owned(),
                    name_en: (*name_en).to_owned(),
                    position: to_lonlat(here),
                    road_id: road.id.clone(),
                    road_name: road.name.clone(),
                    entry: outer.is_some(),
                    lanes,
                    town: TownId(TOWNS[town].id.to_owned()),
                    node: v as u32,
                },
                line,
            }
        })
        .collect()
}

/// The 12 patrol cars: three of the patrol brigade, one of the subdistrict station, two per town.
pub(crate) fn units(seed: u64) -> Vec<PatrolUnit> {
    let mut rng = stream(seed, "units");
    let bases = [
        ("kp-brigade", "s-lg"),
        ("kp-brigade", "s-lg"),
        ("kp-brigade", "s-lg"),
        ("kp-lg-police", "s-lg"),
        ("kp-zg-police", "t-zg"),
        ("kp-zg-police", "t-zg"),
        ("kp-tl-police", "t-tl"),
        ("kp-tl-police", "t-tl"),
        ("kp-ps-police", "t-ps"),
        ("kp-ps-police", "t-ps"),
        ("kp-zl-police", "t-zl"),
        ("kp-zl-police", "t-zl"),
    ];
    bases
        .iter()
        .enumerate()
        .map(|(k, (base, town))| PatrolUnit {
            id: UnitId(format!("unit-{:02}", k + 1)),
            call_sign: format!("临巡{:02}", k + 1),
            plate: format!("鲁Q{:04}警", rng.gen_range(1000..10000)),
            crew: vec![names::person_name(&mut rng), names::person_name(&mut rng)],
            home_base: KeyPlaceId((*base).to_owned()),
            town: TownId((*town).to_owned()),
        })
        .collect()
}

/// Key places a unit patrols, by its town and shift.
fn patrol_route(kps: &[KeyPlaceGen], unit: &PatrolUnit, night: bool) -> Vec<KeyPlaceId> {
    let ids: Vec<&str> = if unit.town.0 == "s-lg" && night {
        vec![
            "kp-bus-station",
            "kp-lg-market",
            "kp-metals",
            "kp-lg-square",
            "kp-lg-mall",
            "kp-hospital",
        ]
    } else if unit.town.0 == "s-lg" {
        vec![
            "kp-lg-school",
            "kp-lg-primary",
            "kp-bus-station",
            "kp-lg-market",
            "kp-lg-bank",
            "kp-lg-mall",
        ]
    } else {
        let t = &unit.town;
        let mut v: Vec<&str> = kps
            .iter()
            .filter(|k| &k.place.town == t && k.place.category != "police")
            .map(|k| k.place.id.0.as_str())
            .collect();
        if night {
            v.retain(|id| !id.contains("school") && !id.contains("primary"));
        }
        v
    };
    let mut route = vec![unit.home_base.clone()];
    route.extend(ids.into_iter().map(|s| KeyPlaceId(s.to_owned())));
    route
}

/// The duty roster: every day, three cars on the day shift (07:00–15:00) and three on the night
/// shift (17:00–01:00), one of the brigade's cars always among the night ones.
pub(crate) fn roster(
    units: &[PatrolUnit],
    kps: &[KeyPlaceGen],
    first_day: i64,
    days: i64,
) -> Vec<DutyShift> {
    let mut out = Vec::new();
    for d in 0..days {
        let day = first_day + d * DAY;
        let du = usize::try_from(d.rem_euclid(1_000_000)).unwrap_or(0);
        let town = |k: usize| 3 + (3 * du + k) % 9;
        let shifts = [
            ((du + 1) % 3, false),
            (town(0), false),
            (town(1), false),
            (du % 3, true),
            (town(2), true),
            (town(3), true),
        ];
        for (u, night) in shifts {
            let unit = &units[u];
            let (start, end) = if night {
                (day + 17 * HOUR, day + 25 * HOUR)
            } else {
                (day + 7 * HOUR, day + 15 * HOUR)
            };
            out.push(DutyShift {
                unit: unit.id.clone(),
                start,
                end,
                shift: if night { "night" } else { "day" }.to_owned(),
                route: patrol_route(kps, unit, night),
            });
        }
    }
    out
}

/// A random lane of a checkpoint for a heading of travel.
pub(crate) fn lane_for(rng: &mut DemoRng, cp: &Checkpoint, heading: f64) -> (u8, String) {
    let diff = |h: f64| {
        let d = (h - heading).rem_euclid(360.0);
        d.min(360.0 - d)
    };
    let best = cp
        .lanes
        .iter()
        .map(|l| diff(l.heading_deg))
        .fold(f64::INFINITY, f64::min);
    let candidates: Vec<&Lane> = cp
        .lanes
        .iter()
        .filter(|l| diff(l.heading_deg) <= best + 1e-9)
        .collect();
    match candidates.get(rng.gen_range(0..candidates.len().max(1))) {
        Some(l) => (l.number, l.direction.clone()),
        None => (1, String::new()),
    }
}

//! The traffic model behind the plate reads (过车记录).
//!
//! Vehicles drive the fastest road path between their origin and destination; a read is produced
//! wherever that path goes through a checkpoint along the checkpoint's own road. Three
//! populations make the traffic:
//! - **residents**: cars homed in villages and communities (by population), each with a
//!   workplace among the key places; on working days most commute out and back, and many run an
//!   errand (markets weigh more on their market days);
//! - **through traffic**: trips between two of the district's entries, by plates from
//!   neighbouring prefectures and provinces, a share of them trucks;
//! - **goods vehicles**: trucks based at factories, the logistics park and the scrap yard, making
//!   several trips a day to the entries and to one another.
//!
//! Paths come from shortest-path trees rooted at every destination (destinations are few: key
//! places and entries), so a trip costs one walk up a tree. About 2 % of passes are missed and
//! 0.3 % of reads have one OCR-confusable character wrong (flagged `misread`, ground truth only).

use std::collections::HashMap;

use rand::Rng;

use crate::model::{PlateRead, Vehicle};
use crate::names;
use crate::network::{Net, Tree};
use crate::places::KeyPlaceGen;
use crate::rng::{normal, stream, Cumulative, DemoRng};
use crate::sensors::{lane_for, CheckpointGen};
use crate::time::{is_weekend, local_date, DAY, HOUR, MINUTE, SECOND};
use crate::world::bearing;

/// Share of reads with one character misread.
pub const MISREAD_RATE: f64 = 0.003;
/// Share of passes the reader misses.
const MISS_RATE: f64 = 0.02;

/// One checkpoint pass on a path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pass {
    /// Index into the checkpoints.
    pub cp: usize,
    /// Seconds after the start of the trip.
    pub offset_s: f64,
    /// Heading of travel through the checkpoint.
    pub heading: f64,
}

/// Paths and checkpoint passes over the road network.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub net: Net,
    pub cps: Vec<CheckpointGen>,
    cp_at: Vec<usize>,
    trees: Vec<Tree>,
    tree_of: HashMap<usize, usize>,
}

impl Model {
    /// Builds trees rooted at every destination node.
    pub fn new(net: &Net, cps: &[CheckpointGen], destinations: &[usize]) -> Self {
        let mut cp_at = vec![usize::MAX; net.adj.len()];
        for (k, c) in cps.iter().enumerate() {
            cp_at[c.checkpoint.node as usize] = k;
        }
        let mut trees = Vec::new();
        let mut tree_of = HashMap::new();
        for &d in destinations {
            if let std::collections::hash_map::Entry::Vacant(e) = tree_of.entry(d) {
                e.insert(trees.len());
                trees.push(net.tree(d));
            }
        }
        Self {
            net: net.clone(),
            cps: cps.to_vec(),
            cp_at,
            trees,
            tree_of,
        }
    }

    /// The fastest path from `from` to a destination node with cumulative seconds, using the
    /// destination's tree when there is one.
    pub fn route(&self, from: usize, to: usize) -> Option<(Vec<usize>, Vec<f64>)> {
        let owned;
        let tree = match self.tree_of.get(&to) {
            Some(t) => &self.trees[*t],
            None => {
                owned = self.net.tree(to);
                &owned
            }
        };
        let path = tree.path_from(from)?;
        let t0 = tree.time[from];
        let times = path.iter().map(|n| t0 - tree.time[*n]).collect();
        Some((path, times))
    }

    /// The checkpoint passes along a path with cumulative times.
    pub fn passes_along(&self, path: &[usize], times: &[f64]) -> Vec<Pass> {
        let mut out = Vec::new();
        for (k, &node) in path.iter().enumerate() {
            let c = self.cp_at[node];
            if c == usize::MAX {
                continue;
            }
            let line = self.cps[c].line;
            let on_line = |a: usize, b: usize| {
                self.net.adj[a]
                    .iter()
                    .any(|(n, e)| *n == b && self.net.edges[*e].line == line)
            };
            let heading = if k + 1 < path.len() && on_line(node, path[k + 1]) {
                bearing(self.net.pts[node], self.net.pts[path[k + 1]])
            } else if k > 0 && on_line(path[k - 1], node) {
                bearing(self.net.pts[path[k - 1]], self.net.pts[node])
            } else {
                continue;
            };
            out.push(Pass {
                cp: c,
                offset_s: times[k],
                heading,
            });
        }
        out
    }

    /// The passes of a trip from `from` to `to` (empty when unreachable).
    pub fn trip(&self, from: usize, to: usize) -> Trip {
        match self.route(from, to) {
            Some((p, t)) => Trip {
                passes: self.passes_along(&p, &t),
                total_s: t.last().copied().unwrap_or(0.0),
            },
            None => Trip::default(),
        }
    }

    /// Turns passes of a trip departing at `depart` into reads.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per population; a struct would only rename them"
    )]
    pub fn reads(
        &self,
        rng: &mut DemoRng,
        out: &mut Vec<PlateRead>,
        v: &Vehicle,
        depart: i64,
        passes: &[Pass],
        misreads: bool,
        misses: bool,
    ) {
        for p in passes {
            if misses && rng.gen_bool(MISS_RATE) {
                continue;
            }
            let cp = &self.cps[p.cp].checkpoint;
            let (lane, direction) = lane_for(rng, cp, p.heading);
            let wrong = if misreads && rng.gen_bool(MISREAD_RATE) {
                names::misread(rng, &v.plate)
            } else {
                None
            };
            out.push(PlateRead {
                checkpoint: cp.id.clone(),
                lane,
                direction,
                plate: wrong.clone().unwrap_or_else(|| v.plate.clone()),
                at: depart + (p.offset_s * 1e6) as i64 + rng.gen_range(0..2 * SECOND),
                confidence: if wrong.is_some() {
                    rng.gen_range(0.55..0.85)
                } else {
                    rng.gen_range(0.86..0.995)
                },
                vehicle_type: v.vehicle_type.clone(),
                colour: v.colour.clone(),
                misread: wrong.is_some(),
            });
        }
    }
}

/// The checkpoint passes of one trip and its total duration.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Trip {
    pub passes: Vec<Pass>,
    pub total_s: f64,
}

impl Trip {
    /// Total duration in microseconds.
    pub fn duration(&self) -> i64 {
        (self.total_s * 1e6) as i64
    }
}

/// The reverse trip (same path backwards).
pub(crate) fn reverse(trip: &Trip) -> Trip {
    let total = trip.total_s;
    Trip {
        passes: trip
            .passes
            .iter()
            .rev()
            .map(|p| Pass {
                cp: p.cp,
                offset_s: total - p.offset_s,
                heading: (p.heading + 180.0) % 360.0,
            })
            .collect(),
        total_s: total,
    }
}

pub(crate) fn colour(rng: &mut DemoRng) -> String {
    const C: [(&str, f64); 8] = [
        ("white", 30.0),
        ("black", 22.0),
        ("silver", 18.0),
        ("grey", 10.0),
        ("red", 7.0),
        ("blue", 7.0),
        ("brown", 3.0),
        ("green", 3.0),
    ];
    let w: Vec<f64> = C.iter().map(|c| c.1).collect();
    C[crate::rng::weighted(rng, &w)].0.to_owned()
}

fn vehicle_type(rng: &mut DemoRng, mix: &[(&str, f64)]) -> String {
    let w: Vec<f64> = mix.iter().map(|c| c.1).collect();
    mix[crate::rng::weighted(rng, &w)].0.to_owned()
}

/// Per-day volumes at full scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Volumes {
    pub residents: usize,
    pub through_pool: usize,
    pub through_trips_per_day: f64,
    pub goods: usize,
}

/// A resident vehicle with its cached commute.
struct Resident {
    home: usize,
    work: usize,
    commute: Trip,
}

/// Everything needed to make the traffic.
pub(crate) struct Inputs<'a> {
    pub kps: &'a [KeyPlaceGen],
    pub entries: &'a [usize],
    pub home_nodes: &'a [(usize, f64)],
}

/// Generates the vehicles and `days` days of reads ending at `end`.
#[expect(
    clippy::too_many_lines,
    reason = "the generator's steps in their order; each is short and the order is what it means"
)]
pub(crate) fn generate(
    seed: u64,
    model: &Model,
    inp: &Inputs<'_>,
    vol: Volumes,
    end: i64,
    days: i64,
) -> (Vec<Vehicle>, Vec<PlateRead>) {
    let mut rng = stream(seed, "traffic");
    let mut vehicles: Vec<Vehicle> = Vec::new();
    let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut plate = |rng: &mut DemoRng, local: bool| loop {
        let p = if local {
            names::local_plate(rng)
        } else {
            names::visiting_plate(rng)
        };
        if used.insert(p.clone()) {
            break p;
        }
    };
    let homes = Cumulative::new(&inp.home_nodes.iter().map(|h| h.1).collect::<Vec<_>>());
    let work_w: Vec<f64> = inp
        .kps
        .iter()
        .map(|k| match k.place.category.as_str() {
            "factory" => 6.0,
            "logistics" => 4.0,
            "government" | "hospital" => 3.0,
            "school" | "bus_station" | "market" => 2.0,
            _ => 1.0,
        })
        .collect();
    let work = Cumulative::new(&work_w);
    let mut residents = Vec::with_capacity(vol.residents);
    for _ in 0..vol.residents {
        let home = inp.home_nodes[homes.draw(&mut rng)].0;
        let w = inp.kps[work.draw(&mut rng)].node;
        residents.push(Resident {
            home,
            work: w,
            commute: model.trip(home, w),
        });
        vehicles.push(Vehicle {
            plate: plate(&mut rng, true),
            vehicle_type: vehicle_type(
                &mut rng,
                &[("car", 70.0), ("suv", 20.0), ("van", 7.0), ("truck", 3.0)],
            ),
            colour: colour(&mut rng),
            role: "resident".to_owned(),
            home_node: Some(home as u32),
            work_node: Some(w as u32),
        });
    }
    let through_start = vehicles.len();
    for _ in 0..vol.through_pool {
        let local = rng.gen_bool(0.1);
        vehicles.push(Vehicle {
            plate: plate(&mut rng, local),
            vehicle_type: vehicle_type(
                &mut rng,
                &[
                    ("car", 60.0),
                    ("suv", 12.0),
                    ("truck", 22.0),
                    ("bus", 3.0),
                    ("van", 3.0),
                ],
            ),
            colour: colour(&mut rng),
            role: "through".to_owned(),
            home_node: None,
            work_node: None,
        });
    }
    let depots: Vec<usize> = inp
        .kps
        .iter()
        .filter(|k| {
            matches!(
                k.place.category.as_str(),
                "factory" | "logistics" | "scrap_yard"
            )
        })
        .map(|k| k.node)
        .collect();
    let goods_start = vehicles.len();
    for k in 0..vol.goods {
        let depot = depots[k % depots.len().max(1)];
        vehicles.push(Vehicle {
            plate: plate(&mut rng, true),
            vehicle_type: "truck".to_owned(),
            colour: colour(&mut rng),
            role: "goods".to_owned(),
            home_node: Some(depot as u32),
            work_node: Some(depot as u32),
        });
    }

    let entry_w: Vec<f64> = inp
        .entries
        .iter()
        .map(|e| {
            if model.net.adj[*e]
                .iter()
                .any(|(_, ed)| model.net.edges[*ed].class == crate::model::RoadClass::Arterial)
            {
                3.0
            } else {
                1.0
            }
        })
        .collect();
    let entry_table = Cumulative::new(&entry_w);
    let through_hours = Cumulative::new(&[
        0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.0, 1.6, 1.8, 1.6, 1.5, 1.4, 1.3, 1.3, 1.4, 1.5, 1.7, 1.8,
        1.5, 1.1, 0.9, 0.7, 0.5, 0.4,
    ]);
    // Through plates recur: a fifth of the pool makes half the trips (regular travellers).
    let regular = (vol.through_pool / 5).max(1);
    let mut reads = Vec::new();
    let start = end - days * DAY;
    for d in 0..days {
        let day = start + d * DAY;
        let weekend = is_weekend(day + 12 * HOUR);
        let (_, _, dom) = local_date(day);
        let errand_w: Vec<f64> = inp
            .kps
            .iter()
            .map(|k| match k.place.category.as_str() {
                "market" => {
                    if crate::incidents::is_market_day(&k.place.id.0, dom) {
                        8.0
                    } else {
                        1.5
                    }
                }
                "supply_store" | "hospital" | "bus_station" => 3.0,
                "clinic" | "bank" | "government" => 1.5,
                _ => 0.5,
            })
            .collect();
        let errands = Cumulative::new(&errand_w);
        for (r, res) in residents.iter().enumerate() {
            let v = &vehicles[r];
            if rng.gen_bool(if weekend { 0.2 } else { 0.72 }) && !res.commute.passes.is_empty() {
                let leave = day + 7 * HOUR + (normal(&mut rng) * 30.0) as i64 * MINUTE;
                model.reads(
                    &mut rng,
                    &mut reads,
                    v,
                    leave,
                    &res.commute.passes,
                    true,
                    true,
                );
                let back =
                    day + 17 * HOUR + 15 * MINUTE + (normal(&mut rng) * 40.0) as i64 * MINUTE;
                model.reads(
                    &mut rng,
                    &mut reads,
                    v,
                    back,
                    &reverse(&res.commute).passes,
                    true,
                    true,
                );
            }
            if rng.gen_bool(if weekend { 0.55 } else { 0.35 }) {
                let dest = inp.kps[errands.draw(&mut rng)].node;
                if dest == res.work {
                    continue;
                }
                let out = model.trip(res.home, dest);
                if out.passes.is_empty() {
                    continue;
                }
                let leave = day + rng.gen_range(8 * HOUR..20 * HOUR);
                model.reads(&mut rng, &mut reads, v, leave, &out.passes, true, true);
                let back = leave + rng.gen_range(30 * MINUTE..150 * MINUTE) + out.duration();
                model.reads(
                    &mut rng,
                    &mut reads,
                    v,
                    back,
                    &reverse(&out).passes,
                    true,
                    true,
                );
            }
        }
        let trips = crate::rng::poisson(
            &mut rng,
            vol.through_trips_per_day * if weekend { 0.85 } else { 1.0 },
        );
        for _ in 0..trips {
            let a = inp.entries[entry_table.draw(&mut rng)];
            let b = inp.entries[entry_table.draw(&mut rng)];
            if a == b {
                continue;
            }
            let idx = if rng.gen_bool(0.5) {
                rng.gen_range(0..regular)
            } else {
                rng.gen_range(0..vol.through_pool.max(1))
            };
            let v = &vehicles[through_start + idx.min(vol.through_pool.saturating_sub(1))];
            let leave = day + through_hours.draw(&mut rng) as i64 * HOUR + rng.gen_range(0..HOUR);
            let p = model.trip(a, b);
            model.reads(&mut rng, &mut reads, v, leave, &p.passes, true, true);
        }
        for g in 0..vol.goods {
            let v = &vehicles[goods_start + g];
            let depot = v.home_node.map_or(0, |n| n as usize);
            let mut t = day + rng.gen_range(6 * HOUR..9 * HOUR);
            for _ in 0..rng.gen_range(1..4) {
                let dest = if rng.gen_bool(0.6) {
                    inp.entries[entry_table.draw(&mut rng)]
                } else {
                    depots[rng.gen_range(0..depots.len().max(1))]
                };
                if dest == depot {
                    continue;
                }
                let out = model.trip(depot, dest);
                model.reads(&mut rng, &mut reads, v, t, &out.passes, true, true);
                t += out.duration() + rng.gen_range(20 * MINUTE..90 * MINUTE);
                model.reads(
                    &mut rng,
                    &mut reads,
                    v,
                    t,
                    &reverse(&out).passes,
                    true,
                    true,
                );
                t += out.duration();
                t += rng.gen_range(30 * MINUTE..2 * HOUR);
            }
        }
    }
    (vehicles, reads)
}

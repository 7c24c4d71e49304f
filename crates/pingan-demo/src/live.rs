//! The live district: a pure step function from a simulation clock to events.
//!
//! [`LiveSim::step`] produces everything that happens in `[now, now + dt)`: calls arriving (with
//! the history's type mix, hourly rhythm and places), the nearest patrolling unit dispatched and
//! driving along the roads to the call, staying on scene and returning to patrol; vehicles making
//! trips whose checkpoint passes become plate reads when their time comes; detections on the
//! analytics cameras; and, `stolen_car_offset` after the start, the watch-listed stolen car
//! passing its checkpoint. The six units of the first live day's roster patrol throughout.
//!
//! It rebuilds its internal world from the district's seed (milliseconds), so a deserialised
//! [`District`] is enough. It keeps no clock: the caller passes the simulation time and step, so a
//! faster `--speed` is just larger steps. The same seed, start and sequence of steps give the
//! same events.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::activity::person_attributes;
use crate::incidents::{self, Ctx};
use crate::model::{
    CameraId, Detection, GridId, IncidentId, PlateRead, RoadClass, TownId, TrackPoint, UnitId,
    Vehicle,
};
use crate::network::{build_network, Net};
use crate::places::{self, KeyPlaceGen};
use crate::rng::{poisson, stream, Cumulative, DemoRng};
use crate::sensors;
use crate::time::{local_hour, DAY, HOUR, MINUTE};
use crate::traffic::{reverse, Model};
use crate::world::{bearing, build_ground, dist, offset, to_lonlat, to_xy, Ground, TOWNS};
use crate::{District, Scale};

/// A call arriving at the command centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveCall {
    /// Id (`live-000001`).
    pub id: IncidentId,
    /// Type code.
    pub type_code: String,
    /// Priority 1–4.
    pub priority: u8,
    /// Where.
    pub position: (f64, f64),
    /// Town.
    pub town: TownId,
    /// Grid.
    pub grid: GridId,
    /// When.
    pub reported_at: i64,
    /// Description in Chinese.
    pub description: String,
}

/// One event of the live run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A call arrived.
    Call(LiveCall),
    /// A unit was sent to a call.
    Dispatched {
        /// The unit.
        unit: UnitId,
        /// The call.
        incident: IncidentId,
        /// When.
        at: i64,
        /// Estimated travel time in seconds.
        eta_s: f64,
    },
    /// A unit reached a call.
    Arrived {
        /// The unit.
        unit: UnitId,
        /// The call.
        incident: IncidentId,
        /// When.
        at: i64,
    },
    /// A unit finished on scene and the call is closed.
    Cleared {
        /// The unit.
        unit: UnitId,
        /// The call.
        incident: IncidentId,
        /// When.
        at: i64,
    },
    /// A unit's position.
    UnitPosition(TrackPoint),
    /// A checkpoint read.
    PlateRead(PlateRead),
    /// A camera detection.
    Detection(Detection),
}

impl LiveEvent {
    /// When the event happened.
    pub fn at(&self) -> i64 {
        match self {
            LiveEvent::Call(c) => c.reported_at,
            LiveEvent::Dispatched { at, .. }
            | LiveEvent::Arrived { at, .. }
            | LiveEvent::Cleared { at, .. } => *at,
            LiveEvent::UnitPosition(t) => t.at,
            LiveEvent::PlateRead(r) => r.at,
            LiveEvent::Detection(d) => d.at,
        }
    }
}

#[derive(Debug, Clone)]
enum State {
    Patrol,
    EnRoute(IncidentId),
    OnScene(IncidentId, i64),
}

#[derive(Debug, Clone)]
struct Unit {
    id: UnitId,
    targets: Vec<usize>,
    next_target: usize,
    path: Vec<usize>,
    /// Index of the path node the unit last passed.
    seg: usize,
    /// Metres travelled from that node towards the next.
    along: f64,
    state: State,
    /// Published patrol stops still to make: the network node and the planned departure.
    orders: std::collections::VecDeque<(usize, i64)>,
    /// The departure of the stop the unit is driving to.
    heading_for: Option<i64>,
    /// Staying at a stop until then.
    hold_until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
struct Pending(i64, u64, PlateRead);
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: the heap pops the earliest read first.
        other.0.cmp(&self.0).then_with(|| other.1.cmp(&self.1))
    }
}

/// The live simulation of a district.
#[derive(Debug)]
pub struct LiveSim {
    rng: DemoRng,
    ground: Ground,
    kps: Vec<KeyPlaceGen>,
    model: Model,
    road_segments: Vec<([f64; 2], [f64; 2])>,
    road_weights: Cumulative,
    call_signs: [Vec<String>; 5],
    units: Vec<Unit>,
    vehicles: Vec<Vehicle>,
    entries: Vec<usize>,
    dest_nodes: Vec<usize>,
    cameras: Vec<(CameraId, [f64; 2], f64, f64, f64)>,
    pending: BinaryHeap<Pending>,
    seq: u64,
    calls: u64,
    detections: u64,
    volume: f64,
}

impl LiveSim {
    /// Prepares the live run of `district` starting at `start` (UTC µs).
    #[expect(
        clippy::too_many_lines,
        reason = "the generator's steps in their order; each is short and the order is what it means"
    )]
    pub fn new(district: &District, seed: u64, start: i64) -> Self {
        let ground = build_ground(district.config.seed);
        let net: Net = build_network(&ground);
        let kps = places::key_places(&ground, &net);
        let cps = sensors::checkpoints(&ground, &net);
        let entries = sensors::entry_nodes();
        let mut dest_nodes: Vec<usize> = kps.iter().map(|k| k.node).collect();
        dest_nodes.extend(entries.iter().copied());
        let model = Model::new(&net, &cps, &dest_nodes);
        let road_segments = net
            .edges
            .iter()
            .map(|e| (net.pts[e.a as usize], net.pts[e.b as usize]))
            .collect();
        let road_weights = Cumulative::new(
            &net.edges
                .iter()
                .map(|e| {
                    e.length_m
                        * if e.class == RoadClass::Village {
                            0.5
                        } else {
                            2.0
                        }
                })
                .collect::<Vec<_>>(),
        );
        let call_signs = std::array::from_fn(|k| {
            district
                .units
                .iter()
                .filter(|u| u.town.0 == TOWNS[k].id)
                .map(|u| u.call_sign.clone())
                .collect()
        });
        let first_day = start - (start + crate::time::LOCAL_OFFSET).rem_euclid(DAY);
        let mut shifts: Vec<_> = district
            .duty
            .iter()
            .filter(|s| s.start >= first_day && s.start < first_day + DAY)
            .collect();
        if shifts.is_empty() {
            shifts = district.duty.iter().take(6).collect();
        }
        let units = shifts
            .iter()
            .map(|s| {
                let targets: Vec<usize> = s
                    .route
                    .iter()
                    .map(|id| kps[places::find(&kps, &id.0)].node)
                    .collect();
                let home = targets.first().copied().unwrap_or(0);
                Unit {
                    id: s.unit.clone(),
                    targets,
                    next_target: 1,
                    path: vec![home],
                    seg: 0,
                    along: 0.0,
                    state: State::Patrol,
                    orders: std::collections::VecDeque::new(),
                    heading_for: None,
                    hold_until: None,
                }
            })
            .collect();
        let cameras = district
            .cameras
            .iter()
            .filter(|c| c.analytics)
            .map(|c| {
                (
                    c.id.clone(),
                    to_xy(c.position),
                    c.heading_deg,
                    c.fov_deg,
                    c.range_m,
                )
            })
            .collect();
        let mut sim = Self {
            rng: stream(seed, "live"),
            ground,
            kps,
            model,
            road_segments,
            road_weights,
            call_signs,
            units,
            vehicles: district
                .vehicles
                .iter()
                .filter(|v| v.role != "story")
                .cloned()
                .collect(),
            entries,
            dest_nodes,
            cameras,
            pending: BinaryHeap::new(),
            seq: 0,
            calls: 0,
            detections: 0,
            volume: if district.config.scale == Scale::Full {
                1.0
            } else {
                0.05
            },
        };
        sim.schedule_stolen_car(district, start);
        sim
    }

    /// Sets how busy the live world is relative to the full district (1.0) — e.g. the full
    /// district's traffic driven from the small district's world, which has the same roads,
    /// cameras and stories.
    pub fn with_volume(mut self, volume: f64) -> Self {
        self.volume = volume.clamp(0.001, 10.0);
        self
    }

    /// The ids of the units on patrol in the live world.
    pub fn patrol_units(&self) -> Vec<String> {
        self.units.iter().map(|u| u.id.0.clone()).collect()
    }

    /// Gives a unit the stops of a published patrol plan, in order: `(lon, lat)` and the planned
    /// departure (UTC µs). From then on, when it is not answering a call, the unit drives to
    /// each stop along the roads, stays there until its departure and drives on; once the stops
    /// are used up it patrols its round again. Replaces any stops given before.
    pub fn set_orders(&mut self, unit: &str, stops: &[((f64, f64), i64)]) {
        let nodes: Vec<(usize, i64)> = stops
            .iter()
            .map(|&(p, depart)| (self.model.net.nearest_node(to_xy(p)), depart))
            .collect();
        if let Some(u) = self.units.iter_mut().find(|u| u.id.0 == unit) {
            u.orders = nodes.into_iter().collect();
            u.heading_for = None;
            u.hold_until = None;
        }
    }

    fn schedule_stolen_car(&mut self, district: &District, start: i64) {
        let story = &district.stories.stolen_car;
        let Some(car) = district
            .vehicles
            .iter()
            .find(|v| v.plate == story.plate)
            .cloned()
        else {
            return;
        };
        let bus = self.kps[places::find(&self.kps, "kp-bus-station")].node;
        // It enters at the Linggang Avenue west entry and heads for the bus station.
        let trip = self.model.trip(self.entries[0], bus);
        let first = trip.passes.first().map_or(0.0, |p| p.offset_s);
        let depart = start + story.live_offset - (first * 1e6) as i64;
        let mut reads = Vec::new();
        self.model.reads(
            &mut self.rng,
            &mut reads,
            &car,
            depart,
            &trip.passes,
            false,
            false,
        );
        if let Some(r) = reads.first_mut() {
            r.at = start + story.live_offset;
        }
        self.push_reads(reads);
    }

    fn push_reads(&mut self, reads: Vec<PlateRead>) {
        for r in reads {
            self.seq += 1;
            self.pending.push(Pending(r.at, self.seq, r));
        }
    }

    /// Everything that happens in `[now, now + dt)`, in time order.
    pub fn step(&mut self, now: i64, dt: i64) -> Vec<LiveEvent> {
        let mut events = Vec::new();
        if dt <= 0 {
            return events;
        }
        let end = now + dt;
        let hours = dt as f64 / HOUR as f64;
        let hour = local_hour(now) as usize;
        self.calls(now, dt, hours, hour, &mut events);
        self.move_units(now, dt, &mut events);
        self.trips(now, dt, hours, hour);
        while self.pending.peek().is_some_and(|p| p.0 < end) {
            if let Some(Pending(_, _, r)) = self.pending.pop() {
                if r.at >= now {
                    events.push(LiveEvent::PlateRead(r));
                }
            }
        }
        self.detect(now, dt, hours, hour, &mut events);
        events.sort_by_key(LiveEvent::at);
        events
    }

    fn calls(&mut self, now: i64, dt: i64, hours: f64, hour: usize, events: &mut Vec<LiveEvent>) {
        let rate = incidents::live_rate(hour) * hours * self.volume.max(0.25);
        let n = poisson(&mut self.rng, rate);
        for _ in 0..n {
            let at = now + self.rng.gen_range(0..dt);
            let t = incidents::live_type(&mut self.rng, hour);
            let xy = if self.rng.gen_bool(0.4) {
                let k = self.rng.gen_range(0..self.kps.len());
                offset(
                    self.kps[k].xy,
                    self.rng.gen_range(0.0..360.0),
                    self.rng.gen_range(10.0..200.0),
                )
            } else {
                let g = self.rng.gen_range(0..self.ground.grids.len());
                let f = self.ground.grids[g].grid.centre;
                offset(
                    to_xy(f),
                    self.rng.gen_range(0.0..360.0),
                    self.rng.gen_range(0.0..250.0),
                )
            };
            let ctx = Ctx {
                ground: &self.ground,
                kps: &self.kps,
                road_segments: &self.road_segments,
                road_weights: &self.road_weights,
                call_signs: &self.call_signs,
            };
            let Some(d) = incidents::make(&ctx, &mut self.rng, t, at, xy, None) else {
                continue;
            };
            self.calls += 1;
            let id = IncidentId(format!("live-{:06}", self.calls));
            let i = d.incident;
            events.push(LiveEvent::Call(LiveCall {
                id: id.clone(),
                type_code: i.type_code,
                priority: i.priority,
                position: i.position,
                town: i.town,
                grid: i.grid,
                reported_at: at,
                description: i.description,
            }));
            if i.priority <= 3 {
                self.dispatch(id, xy, at, events);
            }
        }
    }

    fn unit_xy(&self, u: &Unit) -> [f64; 2] {
        let net = &self.model.net;
        let a = net.pts[u.path[u.seg]];
        match u.path.get(u.seg + 1) {
            Some(b) => {
                let b = net.pts[*b];
                let len = dist(a, b).max(1e-9);
                let f = (u.along / len).min(1.0);
                [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]
            }
            None => a,
        }
    }

    fn dispatch(
        &mut self,
        incident: IncidentId,
        xy: [f64; 2],
        at: i64,
        events: &mut Vec<LiveEvent>,
    ) {
        let free = self
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| matches!(u.state, State::Patrol))
            .map(|(k, u)| (dist(self.unit_xy(u), xy), k))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, k)) = free else { return };
        let target = self.model.net.nearest_node(xy);
        let from = {
            let u = &self.units[k];
            *u.path.get(u.seg + 1).unwrap_or(&u.path[u.seg])
        };
        let path = self
            .model
            .net
            .path(from, target)
            .unwrap_or_else(|| vec![from]);
        let eta_s: f64 = path
            .windows(2)
            .filter_map(|w| sensors::edge_between(&self.model.net, w[0], w[1]))
            .map(|e| self.model.net.edge_time(e))
            .sum();
        let start_xy = self.unit_xy(&self.units[k]);
        // Metres still to drive to the next node before the new path begins.
        let lead = dist(start_xy, self.model.net.pts[from]);
        let u = &mut self.units[k];
        // The unit finishes the stretch it is on (no jump), then follows the new path.
        if u.path.get(u.seg + 1).is_some() {
            let mut joined = vec![u.path[u.seg]];
            joined.extend(path);
            u.path = joined;
        } else {
            u.path = path;
            u.along = 0.0;
        }
        u.seg = 0;
        u.state = State::EnRoute(incident.clone());
        // A call comes before the plan: the stop it was driving to (or at) is given up.
        u.heading_for = None;
        u.hold_until = None;
        events.push(LiveEvent::Dispatched {
            unit: u.id.clone(),
            incident,
            at,
            eta_s: (eta_s + lead / 13.9).round(),
        });
    }

    #[expect(
        clippy::too_many_lines,
        reason = "the generator's steps in their order; each is short and the order is what it means"
    )]
    fn move_units(&mut self, now: i64, dt: i64, events: &mut Vec<LiveEvent>) {
        let end = now + dt;
        for k in 0..self.units.len() {
            if let State::OnScene(id, until) = self.units[k].state.clone() {
                if until < end {
                    let u = &mut self.units[k];
                    events.push(LiveEvent::Cleared {
                        unit: u.id.clone(),
                        incident: id,
                        at: until.max(now),
                    });
                    u.state = State::Patrol;
                    u.path.truncate(u.seg + 1);
                }
            }
            // A unit on scene stays put for the whole step (its position is still reported).
            let on_scene = matches!(self.units[k].state, State::OnScene(..));
            let mut left = if on_scene { 0.0 } else { dt as f64 / 1e6 };
            let mut t = now;
            let mut heading = 0.0;
            let mut speed = 0.0;
            while left > 1e-6 {
                let (a, b) = {
                    let u = &self.units[k];
                    (u.path[u.seg], u.path.get(u.seg + 1).copied())
                };
                let Some(b) = b else {
                    // End of the path: arrive at a call, or pick the next patrol target.
                    let u = &mut self.units[k];
                    match u.state.clone() {
                        State::EnRoute(id) => {
                            let stay = self.rng.gen_range(15 * MINUTE..40 * MINUTE);
                            events.push(LiveEvent::Arrived {
                                unit: u.id.clone(),
                                incident: id.clone(),
                                at: t,
                            });
                            u.state = State::OnScene(id, t + stay);
                            break;
                        }
                        State::OnScene(..) => break,
                        State::Patrol => {
                            // At a published stop: stay until its departure.
                            if let Some(depart) = u.heading_for.take() {
                                u.hold_until = Some(depart);
                            }
                            if u.hold_until.is_some_and(|d| d > t) {
                                break;
                            }
                            u.hold_until = None;
                            // Stops whose departure has passed are skipped (a call came first).
                            while u.orders.front().is_some_and(|&(_, d)| d <= t) {
                                u.orders.pop_front();
                            }
                            let target = if let Some((node, depart)) = u.orders.pop_front() {
                                u.heading_for = Some(depart);
                                node
                            } else {
                                let target = u.targets[u.next_target % u.targets.len().max(1)];
                                u.next_target += 1;
                                target
                            };
                            let path = self.model.net.path(a, target).unwrap_or_else(|| vec![a]);
                            let u = &mut self.units[k];
                            u.path = path;
                            u.seg = 0;
                            u.along = 0.0;
                            if self.units[k].path.len() < 2 {
                                // Already there: linger until the next step.
                                break;
                            }
                            continue;
                        }
                    }
                };
                let net = &self.model.net;
                let Some(e) = sensors::edge_between(net, a, b) else {
                    break;
                };
                let urgent = matches!(self.units[k].state, State::EnRoute(_));
                let v = net.edges[e].class.speed_kmh() / 3.6 * if urgent { 1.1 } else { 0.7 };
                let len = net.edges[e].length_m;
                heading = bearing(net.pts[a], net.pts[b]);
                speed = v * 3.6;
                let u = &mut self.units[k];
                let need = (len - u.along) / v;
                if need <= left {
                    left -= need;
                    t += (need * 1e6) as i64;
                    u.seg += 1;
                    u.along = 0.0;
                } else {
                    u.along += v * left;
                    left = 0.0;
                }
            }
            if matches!(self.units[k].state, State::OnScene(..)) {
                speed = 0.0;
            }
            let p = self.unit_xy(&self.units[k]);
            events.push(LiveEvent::UnitPosition(TrackPoint {
                unit: self.units[k].id.clone(),
                at: end - 1,
                position: to_lonlat(p),
                heading_deg: (heading * 10.0_f64).round() / 10.0,
                speed_kmh: speed.round(),
            }));
        }
    }

    fn trips(&mut self, now: i64, dt: i64, hours: f64, hour: usize) {
        // About 26,000 trips a day at full scale, with commuting peaks.
        const PROFILE: [f64; 24] = [
            0.2, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 4.0, 3.0, 1.6, 1.4, 1.4, 1.4, 1.3, 1.3, 1.4, 1.8,
            3.6, 3.2, 1.8, 1.2, 0.8, 0.5, 0.3,
        ];
        let total: f64 = PROFILE.iter().sum();
        let rate = 26_000.0 * self.volume * PROFILE[hour] / total * hours;
        let n = poisson(&mut self.rng, rate);
        if self.vehicles.is_empty() || self.dest_nodes.is_empty() {
            return;
        }
        for _ in 0..n {
            let v = self.vehicles[self.rng.gen_range(0..self.vehicles.len())].clone();
            let depart = now + self.rng.gen_range(0..dt);
            let trip = match (v.role.as_str(), v.home_node) {
                ("resident" | "goods", Some(home)) => {
                    let dest = self.dest_nodes[self.rng.gen_range(0..self.dest_nodes.len())];
                    let t = self.model.trip(home as usize, dest);
                    if self.rng.gen_bool(0.5) {
                        t
                    } else {
                        reverse(&t)
                    }
                }
                _ => {
                    let a = self.entries[self.rng.gen_range(0..self.entries.len())];
                    let b = self.entries[self.rng.gen_range(0..self.entries.len())];
                    self.model.trip(a, b)
                }
            };
            let mut reads = Vec::new();
            self.model.reads(
                &mut self.rng,
                &mut reads,
                &v,
                depart,
                &trip.passes,
                true,
                true,
            );
            self.push_reads(reads);
        }
    }

    fn detect(&mut self, now: i64, dt: i64, hours: f64, hour: usize, events: &mut Vec<LiveEvent>) {
        if self.cameras.is_empty() {
            return;
        }
        let day_share = [
            0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.0, 2.2, 2.0, 1.9, 1.9, 1.8, 1.7, 1.7, 1.8, 2.0,
            2.2, 2.0, 1.6, 1.2, 0.8, 0.5, 0.3,
        ][hour]
            / 30.5;
        let per_camera_day = 20.0 * self.volume;
        let n = poisson(
            &mut self.rng,
            per_camera_day * self.cameras.len() as f64 * day_share * hours,
        );
        const LABELS: [&str; 6] = ["person", "car", "truck", "bicycle", "motorcycle", "bus"];
        let mix = Cumulative::new(&[40.0, 35.0, 8.0, 10.0, 5.0, 2.0]);
        for _ in 0..n {
            let (id, xy, heading, fov, range) =
                self.cameras[self.rng.gen_range(0..self.cameras.len())].clone();
            let label = LABELS[mix.draw(&mut self.rng)];
            let (colour, attributes) = if label == "person" {
                person_attributes(&mut self.rng)
            } else {
                (crate::traffic::colour(&mut self.rng), Vec::new())
            };
            self.detections += 1;
            let dir = heading + self.rng.gen_range(-fov / 3.0..fov / 3.0);
            let p = offset(xy, dir, range * self.rng.gen_range(0.2..0.85));
            events.push(LiveEvent::Detection(Detection {
                id: format!("live-det-{:07}", self.detections),
                camera: id,
                at: now + self.rng.gen_range(0..dt),
                label: label.to_owned(),
                sub_label: None,
                score: self.rng.gen_range(0.55..0.98),
                colour: Some(colour),
                attributes,
                position: to_lonlat(p),
            }));
        }
    }
}

//! The shift planner: which hot spots each unit visits, in what order, and when.
//!
//! # What a plan is for
//! Hot-spot patrol dosing (Koper 1995): stops of about 10 to 15 minutes at a hot spot, revisited
//! at random within about two hours, deter for longer than drive-throughs. A plan picks hot
//! spots, randomises the order and times so that they are not predictable from day to day (but
//! reproducibly from a seed, for audit), and meters visits so that no area is over-patrolled.
//!
//! # Objective
//! A spot `i` is *covered* at time `t` when some visit to it has `arrive ≤ t < depart +
//! deterrence_s`. The plan maximises
//! `risk_covered = Σ_i risk_i · |covered_i ∩ window| / |window|  ÷  Σ_i risk_i`
//! over all the given spots, reachable or not. Revisiting a spot about `deterrence_s` after the
//! last visit ended adds the most; visits clumped together add little.
//!
//! # Constraints
//! Each route starts at its unit's start at `start_us`, visits its spots in order with the
//! matrix's travel times, stays `dwell_s` at each, may wait before a visit, and leaves its last
//! visit early enough to reach the unit's end (if it has one) by `end_us` (without an end: leaves
//! by `end_us`). Two units never visit one spot at overlapping times. Each area gets at most
//! `max_visits_per_area` visits and `max_minutes_per_area` planned minutes. Spots that no unit's
//! start can reach are listed in [`Plan::unreachable`]. Times are whole microseconds; travel times
//! are rounded up to the microsecond. `revisit_s` is what [`greedy_baseline`] calls "due".
//!
//! # Method, and why
//! A team-orienteering-with-coverage heuristic, since exact optimisation is out of reach at
//! district scale (6 units × 200 spots) in the time a page can wait.
//! 1. *Randomised greedy insertion.* Every feasible insertion (spot, route, position) is scored
//!    by the covered risk it adds per second it adds to the route (travel and stay), at its best
//!    time within the slack between its neighbours (coverage gained is piecewise linear in the
//!    arrival, so only its breakpoints are tried). One of the best three is taken at random, among
//!    those within 10 % of the best, until nothing fits. Drawing from the seeded ChaCha8 stream is
//!    what makes plans differ from day to day yet be reproducible from the seed.
//! 2. *Iterated local search* for `iterations` steps, each one move at random: remove a visit and
//!    repair the gap with the best insertions (the removed spot may move to another route); remove
//!    two to six consecutive visits and refill the hole; swap the spots of two visits; shift a
//!    visit to its best (or, three times in ten, a random) time in its slack; or move the rest of
//!    a route as early as it can go and fill the slack this opens. Improvements are kept, a
//!    worsening of at most 0.5 % is kept one time in twenty (to leave local optima), and the best
//!    plan seen is the result.
//! 3. *Polish.* Each visit moves to its best time, then any slack left is filled.
//!
//! Moves are evaluated incrementally: only the coverage of the spots touched is recomputed, a
//! move's feasibility is checked on the visits beside it (or, after a removal, on the route
//! touched, as the matrix need not obey the triangle inequality), and a rejected move is undone
//! from a journal. On the demo district (benches/plan.rs) a 6 × 200 plan for an 8 h shift takes
//! about 60 ms in a release build and covers about 8 % more risk than [`greedy_baseline`].
//! Everything is deterministic for a seed: no hash-map order, no clock.

mod check;
mod search;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use pingan_spatial::projection::haversine_m;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use check::{explain, metering, quality, violations, VisitReason};
use search::{search_plan, sequential, Inst, State, Visit};

const US: i64 = 1_000_000;
/// An unreachable leg, in µs: far beyond any window, and safe to add a few of.
const INF: i64 = i64::MAX / 4;
/// [`violations`] allows an edited arrival to be this early (one second).
const SLACK_US: i64 = US;

/// One place a plan may send a unit to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spot {
    /// The caller's key, unique among the spots.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Longitude, WGS 84 degrees.
    pub lon: f64,
    /// Latitude, WGS 84 degrees.
    pub lat: f64,
    /// Radius of the spot in metres (for confirming visits).
    pub radius_m: f64,
    /// Risk weight, 0 or more (e.g. incidents expected at these hours).
    pub risk: f64,
    /// The area the spot is metered in.
    pub area: String,
}

/// One unit on duty for the shift: where it starts and (optionally) must end, `(lon, lat)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crew {
    /// The unit's identifier, unique among the crews.
    pub unit: String,
    /// Where it starts the shift.
    pub start: (f64, f64),
    /// Where it must be by the end of the shift, if anywhere.
    pub end: Option<(f64, f64)>,
}

/// The shift and the dose.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlanRules {
    /// Start of the shift window, UTC microseconds (inclusive).
    pub start_us: i64,
    /// End of the shift window, UTC microseconds (exclusive).
    pub end_us: i64,
    /// Planned stay per visit, seconds (default 720).
    pub dwell_s: u32,
    /// A visited spot is due again this long after a visit ends, seconds (default 7200).
    pub revisit_s: u32,
    /// How long after a visit ends its effect is counted, seconds (default 7200).
    pub deterrence_s: u32,
    /// Visits per area over the shift, at most (default 6).
    pub max_visits_per_area: u32,
    /// Planned minutes per area over the shift, at most (default 90).
    pub max_minutes_per_area: u32,
    /// Seed of the random choices.
    pub seed: u64,
    /// Steps of local search (default 3000).
    pub iterations: u32,
}

impl Default for PlanRules {
    fn default() -> Self {
        Self {
            start_us: 0,
            end_us: 0,
            dwell_s: 720,
            revisit_s: 7200,
            deterrence_s: 7200,
            max_visits_per_area: 6,
            max_minutes_per_area: 90,
            seed: 0,
            iterations: 3000,
        }
    }
}

impl PlanRules {
    /// Checks the rules: a window of more than nothing and at most 24 h, a stay of 60 to
    /// 3600 s, revisit and deterrence of 600 to 86400 s, caps of 1 or more, at most 100000
    /// iterations.
    pub fn check(&self) -> Result<(), PlanError> {
        let span = self.end_us.saturating_sub(self.start_us);
        let day = 600..=86_400;
        let checks = [
            (
                "end_us",
                span > 0 && span <= 86_400 * US,
                "must be after start_us, within 24 h",
            ),
            (
                "dwell_s",
                (60..=3600).contains(&self.dwell_s),
                "must be 60 to 3600",
            ),
            (
                "revisit_s",
                day.contains(&self.revisit_s),
                "must be 600 to 86400",
            ),
            (
                "deterrence_s",
                day.contains(&self.deterrence_s),
                "must be 600 to 86400",
            ),
            (
                "max_visits_per_area",
                self.max_visits_per_area >= 1,
                "must be 1 or more",
            ),
            (
                "max_minutes_per_area",
                self.max_minutes_per_area >= 1,
                "must be 1 or more",
            ),
            (
                "iterations",
                self.iterations <= 100_000,
                "must be 100000 or fewer",
            ),
        ];
        match checks.into_iter().find(|c| !c.1) {
            Some((field, _, message)) => Err(invalid(format!("rules.{field}"), message)),
            None => Ok(()),
        }
    }
}

/// Travel times between the plan's places, seconds; `f64::INFINITY` (or NaN) is unreachable.
/// Node order: spots `0..S`, then each crew's start `S..S+U`, then each crew's end
/// `S+U..S+2U` (for a crew without an end, its end row and column are unused).
#[derive(Debug, Clone)]
pub struct TravelMatrix {
    n: usize,
    secs: Vec<f32>,
}

impl TravelMatrix {
    /// A matrix from `n × n` seconds, row by row (`secs[from * n + to]`); NaN becomes infinity.
    pub fn new(n: usize, secs: Vec<f32>) -> Result<Self, PlanError> {
        if n.checked_mul(n) != Some(secs.len()) {
            let m = format!(
                "{} times given for {n} places; {n} × {n} needed",
                secs.len()
            );
            return Err(invalid("matrix", m));
        }
        if let Some(k) = secs.iter().position(|s| *s < 0.0) {
            return Err(invalid(
                "matrix",
                format!("[{}][{}] is negative", k / n, k % n),
            ));
        }
        Ok(Self::from_fn(n, |a, b| f64::from(secs[a * n + b])))
    }

    /// A matrix from a function of `(from, to)`; NaN becomes infinity.
    pub fn from_fn(n: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let mut secs = Vec::with_capacity(n * n);
        for a in 0..n {
            secs.extend((0..n).map(|b| f(a, b)).map(|v| {
                if v.is_nan() {
                    f32::INFINITY
                } else {
                    v as f32
                }
            }));
        }
        Self { n, secs }
    }

    /// Seconds from `from` to `to`; infinity when unreachable or out of range.
    pub fn get(&self, from: usize, to: usize) -> f64 {
        if from < self.n && to < self.n {
            f64::from(self.secs[from * self.n + to])
        } else {
            f64::INFINITY
        }
    }

    /// The seconds row by row (`[from * n + to]`), as [`TravelMatrix::new`] takes them back.
    /// Unreachable legs are `f32::INFINITY`, which serde_json writes as `null` and will not read
    /// back into an `f32`: store them as something else (or as `Option<f32>`).
    pub fn to_vec(&self) -> Vec<f32> {
        self.secs.clone()
    }

    /// Places in the matrix.
    pub fn len(&self) -> usize {
        self.n
    }

    /// No places.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Straight-line times: the haversine distance × `detour` at `kmh` (for tests, benchmarks,
    /// and where no road network exists). A crew without an end gets an unreachable end node.
    pub fn straight(spots: &[Spot], crews: &[Crew], kmh: f64, detour: f64) -> Self {
        let mut at: Vec<Option<(f64, f64)>> = spots.iter().map(|s| Some((s.lon, s.lat))).collect();
        at.extend(crews.iter().map(|c| Some(c.start)));
        at.extend(crews.iter().map(|c| c.end));
        let mps = kmh / 3.6;
        Self::from_fn(at.len(), |a, b| match (at[a], at[b]) {
            _ if a == b => 0.0,
            (Some(p), Some(q)) if mps > 0.0 => haversine_m(p, q) * detour / mps,
            _ => f64::INFINITY,
        })
    }
}

/// One planned stop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlannedVisit {
    /// Index into the plan's spots.
    pub spot: usize,
    /// Arrival, UTC microseconds.
    pub arrive_us: i64,
    /// Departure, UTC microseconds.
    pub depart_us: i64,
    /// Seconds of travel from the previous stop (or the start).
    pub travel_s: f64,
}

/// One unit's route for the shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// The unit.
    pub unit: String,
    /// Its stops in order.
    pub visits: Vec<PlannedVisit>,
    /// Seconds of travel in all, the leg to the unit's end included.
    pub travel_s: f64,
    /// When the route is over: arrival at the end, else the last departure (UTC µs).
    pub finish_us: i64,
}

/// How much of an area's cap a plan uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaUse {
    /// The area.
    pub area: String,
    /// Visits planned.
    pub visits: u32,
    /// Minutes planned at its spots.
    pub minutes: f64,
    /// The cap on visits.
    pub max_visits: u32,
    /// The cap on minutes.
    pub max_minutes: u32,
}

/// A plan's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Share of risk-weighted time covered, 0 to 1 (see the module documentation).
    pub risk_covered: f64,
    /// Minutes planned at spots, all routes.
    pub minutes_at_spots: f64,
    /// The largest gap in minutes between consecutive visits to one spot (or from the window's
    /// start to the first, or the last to its end), over spots visited; 0 when none is.
    pub largest_gap_min: f64,
    /// Travel time / (travel + stays), all routes.
    pub travel_share: f64,
    /// Visits planned.
    pub visits: usize,
    /// Distinct spots visited.
    pub spots_visited: usize,
}

/// A plan for the shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// One route per crew, in the crews' order.
    pub routes: Vec<Route>,
    /// Its figures.
    pub quality: Quality,
    /// Use of each area's caps, by area name.
    pub metering: Vec<AreaUse>,
    /// Spots no unit's start can reach.
    pub unreachable: Vec<usize>,
    /// How it was made: `insertion+ils`, `greedy` or `random-N`.
    pub method: String,
    /// The seed it was made from.
    pub seed: u64,
}

/// Why no plan can be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// No crews given.
    #[error("no units on duty")]
    NoCrews,
    /// No spots given.
    #[error("no hot spots to visit")]
    NoSpots,
    /// An input is out of range; `field` names it (`rules.dwell_s`, `spots[3].risk`, `matrix`).
    #[error("{field}: {message}")]
    Invalid {
        /// Where.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Every spot is unreachable from every start.
    #[error("no hot spot can be reached from any unit's start")]
    NothingReachable,
}

impl PlanError {
    /// The input at fault: `crews`, `spots`, or the invalid field.
    pub fn field(&self) -> &str {
        match self {
            PlanError::NoCrews => "crews",
            PlanError::NoSpots | PlanError::NothingReachable => "spots",
            PlanError::Invalid { field, .. } => field,
        }
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> PlanError {
    let (field, message) = (field.into(), message.into());
    PlanError::Invalid { field, message }
}

fn to_us(secs: f64) -> i64 {
    let us = (secs * 1e6).ceil();
    if us.is_nan() || us >= INF as f64 {
        INF
    } else {
        (us as i64).max(0)
    }
}

fn validate(
    spots: &[Spot],
    crews: &[Crew],
    rules: &PlanRules,
    m: &TravelMatrix,
) -> Result<(), PlanError> {
    rules.check()?;
    if crews.is_empty() {
        return Err(PlanError::NoCrews);
    }
    if spots.is_empty() {
        return Err(PlanError::NoSpots);
    }
    let point = |p: (f64, f64)| {
        p.0.is_finite() && p.0.abs() <= 180.0 && p.1.is_finite() && p.1.abs() <= 90.0
    };
    let mut keys = BTreeMap::new();
    for (i, s) in spots.iter().enumerate() {
        let bad = |f: &str, m: &str| Err(invalid(format!("spots[{i}].{f}"), m));
        if !point((s.lon, 0.0)) {
            return bad("lon", "must be a longitude in degrees");
        } else if !point((0.0, s.lat)) {
            return bad("lat", "must be a latitude in degrees");
        } else if !(s.radius_m.is_finite() && s.radius_m > 0.0) {
            return bad("radius_m", "must be a positive number of metres");
        } else if !(s.risk.is_finite() && s.risk >= 0.0) {
            return bad("risk", "must be a number, 0 or more");
        } else if let Some(j) = keys.insert(s.key.as_str(), i) {
            return bad("key", &format!("duplicates spots[{j}].key"));
        }
    }
    let mut units = BTreeMap::new();
    for (i, c) in crews.iter().enumerate() {
        let bad = |f: &str, m: &str| Err(invalid(format!("crews[{i}].{f}"), m));
        if c.unit.is_empty() {
            return bad("unit", "must not be empty");
        } else if let Some(j) = units.insert(c.unit.as_str(), i) {
            return bad("unit", &format!("duplicates crews[{j}].unit"));
        } else if !point(c.start) {
            return bad("start", "must be (lon, lat) in degrees");
        } else if !c.end.is_none_or(point) {
            return bad("end", "must be (lon, lat) in degrees");
        }
    }
    let n = spots.len() + 2 * crews.len();
    if m.n != n {
        return Err(invalid(
            "matrix",
            format!("has {} places; {n} needed (spots + 2 × crews)", m.n),
        ));
    }
    match m.secs.iter().position(|s| *s < 0.0) {
        Some(k) => Err(invalid(
            "matrix",
            format!("[{}][{}] is negative", k / n, k % n),
        )),
        None => Ok(()),
    }
}

fn finish(
    spots: &[Spot],
    crews: &[Crew],
    rules: &PlanRules,
    m: &TravelMatrix,
    inst: &Inst,
    routes: &[Vec<Visit>],
    method: String,
) -> Plan {
    let routes: Vec<Route> = (routes.iter().zip(crews).enumerate())
        .map(|(r, (vs, crew))| {
            let (mut at, mut node, mut travel_s) = (rules.start_us, inst.start[r], 0.0);
            let mut visits = Vec::with_capacity(vs.len());
            for v in vs {
                let (arrive_us, leg) = (rules.start_us + v.at, m.get(node, v.spot));
                visits.push(PlannedVisit {
                    spot: v.spot,
                    arrive_us,
                    depart_us: arrive_us + inst.dwell,
                    travel_s: leg,
                });
                (at, node, travel_s) = (arrive_us + inst.dwell, v.spot, travel_s + leg);
            }
            if let Some(e) = inst.end[r].filter(|&e| inst.tt(node, e) < INF) {
                (at, travel_s) = (at + inst.tt(node, e), travel_s + m.get(node, e));
            }
            Route {
                unit: crew.unit.clone(),
                visits,
                travel_s,
                finish_us: at,
            }
        })
        .collect();
    Plan {
        quality: quality(spots, rules, &routes),
        metering: metering(spots, rules, &routes),
        unreachable: inst.unreachable.clone(),
        seed: rules.seed,
        method,
        routes,
    }
}

/// The plan: randomised greedy insertion and iterated local search (see the module
/// documentation); deterministic for `rules.seed`.
pub fn plan(
    spots: &[Spot],
    crews: &[Crew],
    rules: &PlanRules,
    travel: &TravelMatrix,
) -> Result<Plan, PlanError> {
    let inst = Inst::new(spots, crews, rules, travel)?;
    let routes = search_plan(&inst, rules);
    Ok(finish(
        spots,
        crews,
        rules,
        travel,
        &inst,
        &routes,
        "insertion+ils".into(),
    ))
}

/// The baseline: each unit in turn (the one free earliest) drives to the unvisited or due spot
/// with the highest risk per second of travel and stay; no randomness, no local search.
pub fn greedy_baseline(
    spots: &[Spot],
    crews: &[Crew],
    rules: &PlanRules,
    travel: &TravelMatrix,
) -> Result<Plan, PlanError> {
    let inst = Inst::new(spots, crews, rules, travel)?;
    let key = |o: &(usize, i64, i64)| inst.risk[o.0] / (o.2 + inst.dwell) as f64;
    let routes = sequential(&inst, true, |options| {
        (0..options.len()).max_by(|&a, &b| {
            key(&options[a])
                .total_cmp(&key(&options[b]))
                .then(b.cmp(&a))
        })
    });
    Ok(finish(
        spots,
        crews,
        rules,
        travel,
        &inst,
        &routes,
        "greedy".into(),
    ))
}

/// The best (by covered risk) of `tries` random feasible plans: each unit in turn drives to a
/// random spot with risk it can still visit, as soon as it can, until none is left; seeded from
/// `rules.seed`.
pub fn best_random(
    spots: &[Spot],
    crews: &[Crew],
    rules: &PlanRules,
    travel: &TravelMatrix,
    tries: u32,
) -> Result<Plan, PlanError> {
    let inst = Inst::new(spots, crews, rules, travel)?;
    let mut rng = ChaCha8Rng::seed_from_u64(rules.seed);
    let mut best: Option<(f64, Vec<Vec<Visit>>)> = None;
    for _ in 0..tries.max(1) {
        let routes = sequential(&inst, false, |o| {
            (!o.is_empty()).then(|| rng.gen_range(0..o.len()))
        });
        let score = State::new(&inst, &routes).score;
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, routes));
        }
    }
    let routes = best.map(|b| b.1).unwrap_or_default();
    Ok(finish(
        spots,
        crews,
        rules,
        travel,
        &inst,
        &routes,
        format!("random-{}", tries.max(1)),
    ))
}

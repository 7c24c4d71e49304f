//! The planner's engine: the problem in planner units, routes with incremental coverage, the
//! randomised insertion, the local search, and the sequential builders behind the baseline and
//! the random plans. Times are µs from the window's start.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{to_us, validate, Crew, PlanError, PlanRules, Spot, TravelMatrix, INF, US};

/// The randomised insertion draws among the best three candidates whose ratio is at least this
/// share of the best one's: random where the choice costs little, greedy where it would not.
const ALPHA: f64 = 0.9;

/// The validated problem in planner units (µs from the window's start).
#[derive(Debug)]
pub(super) struct Inst {
    pub(super) n: usize,
    pub(super) t: Vec<i64>,
    pub(super) risk: Vec<f64>,
    pub(super) area: Vec<usize>,
    /// Visits per area, both caps folded in (every planned visit lasts `dwell`).
    pub(super) cap: u32,
    pub(super) start: Vec<usize>,
    pub(super) end: Vec<Option<usize>>,
    pub(super) w: i64,
    pub(super) dwell: i64,
    /// Coverage of one visit: dwell + deterrence.
    pub(super) cover: i64,
    pub(super) revisit: i64,
    /// Spots worth planning: reachable, with risk.
    pub(super) live: Vec<usize>,
    pub(super) unreachable: Vec<usize>,
}

impl Inst {
    pub(super) fn new(
        spots: &[Spot],
        crews: &[Crew],
        rules: &PlanRules,
        m: &TravelMatrix,
    ) -> Result<Inst, PlanError> {
        validate(spots, crews, rules, m)?;
        let (s, u, n) = (spots.len(), crews.len(), m.n);
        let t: Vec<i64> = m.secs.iter().map(|v| to_us(f64::from(*v))).collect();
        let names: Vec<&str> = spots
            .iter()
            .map(|s| s.area.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let reach = |j: usize| (s..s + u).any(|k| t[k * n + j] < INF);
        let unreachable: Vec<usize> = (0..s).filter(|&j| !reach(j)).collect();
        if unreachable.len() == s {
            return Err(PlanError::NothingReachable);
        }
        let by_minutes = u64::from(rules.max_minutes_per_area) * 60 / u64::from(rules.dwell_s);
        Ok(Inst {
            area: spots
                .iter()
                .map(|p| names.binary_search(&p.area.as_str()).unwrap_or(0))
                .collect(),
            cap: rules
                .max_visits_per_area
                .min(u32::try_from(by_minutes).unwrap_or(u32::MAX)),
            start: (s..s + u).collect(),
            end: crews
                .iter()
                .enumerate()
                .map(|(k, c)| c.end.map(|_| s + u + k))
                .collect(),
            w: rules.end_us - rules.start_us,
            dwell: i64::from(rules.dwell_s) * US,
            cover: i64::from(rules.dwell_s + rules.deterrence_s) * US,
            revisit: i64::from(rules.revisit_s) * US,
            live: (0..s)
                .filter(|&j| reach(j) && spots[j].risk > 0.0)
                .collect(),
            risk: spots.iter().map(|p| p.risk).collect(),
            unreachable,
            n,
            t,
        })
    }

    pub(super) fn tt(&self, a: usize, b: usize) -> i64 {
        self.t[a * self.n + b]
    }
}

/// Length of the union of intervals sorted by start, clipped to `[lo, hi)`.
pub(super) fn union_len(intervals: impl Iterator<Item = (i64, i64)>, lo: i64, hi: i64) -> i64 {
    let (mut total, mut run) = (0, None::<(i64, i64)>);
    for (a, b) in intervals {
        let (a, b) = (a.max(lo), b.min(hi));
        if a >= b {
            continue;
        }
        run = match run {
            Some((ra, rb)) if a <= rb => Some((ra, rb.max(b))),
            Some((ra, rb)) => {
                total += rb - ra;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    total + run.map_or(0, |(a, b)| b - a)
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Visit {
    pub(super) spot: usize,
    pub(super) at: i64,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    lo: i64,
    hi: i64,
    added: i64,
}

#[derive(Debug, Clone, Copy)]
struct Cand {
    r: usize,
    p: usize,
    spot: usize,
    at: i64,
    ratio: f64,
}

#[derive(Debug)]
enum Op {
    Ins(usize, usize),
    Del(usize, usize, Visit),
}

/// Routes being built, with each spot's visits and coverage kept up to date, and a journal of
/// changes for undoing a rejected move.
#[derive(Debug)]
pub(super) struct State<'a> {
    inst: &'a Inst,
    routes: Vec<Vec<Visit>>,
    by_spot: Vec<Vec<i64>>,
    cov: Vec<i64>,
    used: Vec<u32>,
    pub(super) score: f64,
    log: Vec<Op>,
}

impl<'a> State<'a> {
    pub(super) fn new(inst: &'a Inst, routes: &[Vec<Visit>]) -> Self {
        let areas = inst.area.iter().max().map_or(0, |a| a + 1);
        let mut st = State {
            inst,
            routes: vec![Vec::new(); inst.start.len()],
            by_spot: vec![Vec::new(); inst.risk.len()],
            cov: vec![0; inst.risk.len()],
            used: vec![0; areas],
            score: 0.0,
            log: Vec::new(),
        };
        for (r, route) in routes.iter().enumerate() {
            for (p, v) in route.iter().enumerate() {
                st.insert(r, p, *v);
            }
        }
        st.log.clear();
        st
    }

    fn coverage(&self, j: usize, extra: Option<i64>) -> i64 {
        let v = &self.by_spot[j];
        let k = extra.map_or(v.len(), |x| v.partition_point(|&a| a < x));
        let all = v[..k].iter().chain(extra.as_ref()).chain(&v[k..]);
        union_len(all.map(|&a| (a, a + self.inst.cover)), 0, self.inst.w)
    }

    fn free(&self, j: usize, at: i64) -> bool {
        self.by_spot[j]
            .iter()
            .all(|&a| (at - a).abs() >= self.inst.dwell)
    }

    fn insert(&mut self, r: usize, p: usize, v: Visit) {
        self.routes[r].insert(p, v);
        let list = &mut self.by_spot[v.spot];
        list.insert(list.partition_point(|&a| a < v.at), v.at);
        self.used[self.inst.area[v.spot]] += 1;
        self.recover(v.spot);
        self.log.push(Op::Ins(r, p));
    }

    fn remove(&mut self, r: usize, p: usize) -> Visit {
        let v = self.routes[r].remove(p);
        let list = &mut self.by_spot[v.spot];
        if let Some(k) = list.iter().position(|&a| a == v.at) {
            list.remove(k);
        }
        self.used[self.inst.area[v.spot]] -= 1;
        self.recover(v.spot);
        self.log.push(Op::Del(r, p, v));
        v
    }

    fn recover(&mut self, j: usize) {
        let c = self.coverage(j, None);
        self.score += self.inst.risk[j] * (c - self.cov[j]) as f64;
        self.cov[j] = c;
    }

    fn undo(&mut self, mark: usize) {
        while self.log.len() > mark {
            match self.log.pop() {
                Some(Op::Ins(r, p)) => drop(self.remove(r, p)),
                Some(Op::Del(r, p, v)) => self.insert(r, p, v),
                None => {}
            }
            // The inverse just applied journalled itself; it is not part of the history.
            self.log.pop();
        }
    }

    /// Where spot `j` could go before position `p` of route `r`.
    fn slot(&self, r: usize, p: usize, j: usize) -> Option<Slot> {
        let (inst, route) = (self.inst, &self.routes[r]);
        let (prev, ready) = match p.checked_sub(1).and_then(|q| route.get(q)) {
            Some(v) => (v.spot, v.at + inst.dwell),
            None => (inst.start[r], 0),
        };
        let (next, due) = route
            .get(p)
            .map_or((inst.end[r], inst.w), |v| (Some(v.spot), v.at));
        let (to, back) = (inst.tt(prev, j), next.map_or(0, |x| inst.tt(j, x)));
        let (lo, hi) = (ready + to, due - back - inst.dwell);
        if to >= INF || back >= INF || lo > hi {
            return None;
        }
        let direct = next.map_or(0, |x| inst.tt(prev, x)).min(to + back);
        Some(Slot {
            lo,
            hi,
            added: (to + back + inst.dwell - direct).max(inst.dwell),
        })
    }

    /// The best free arrival for spot `j` in `[lo, hi]` and the coverage it adds (µs, ≥ 0).
    /// Coverage gained is piecewise linear in the arrival, so its best is at a breakpoint.
    fn best_time(&self, j: usize, lo: i64, hi: i64) -> Option<(i64, i64)> {
        let (d, l) = (self.inst.dwell, self.inst.cover);
        let near = self.by_spot[j]
            .iter()
            .flat_map(|&a| [a - d, a + d, a - l, a + l]);
        let mut best: Option<(i64, i64)> = None;
        for x in [lo, hi, 0, self.inst.w - l].into_iter().chain(near) {
            let x = x.max(lo).min(hi);
            if self.free(j, x) {
                let g = self.coverage(j, Some(x)) - self.cov[j];
                if best.is_none_or(|(bx, bg)| g > bg || (g == bg && x < bx)) {
                    best = Some((x, g));
                }
            }
        }
        best
    }

    /// The `k` best insertions by covered risk per added second, over `spots` at the positions
    /// in `scope`.
    fn search(
        &self,
        scope: &[(usize, RangeInclusive<usize>)],
        spots: &[usize],
        k: usize,
    ) -> Vec<Cand> {
        let inst = self.inst;
        let mut top: Vec<Cand> = Vec::with_capacity(k + 1);
        for &j in spots {
            let room = (inst.w - self.cov[j]).min(inst.cover);
            if self.used[inst.area[j]] >= inst.cap || room <= 0 {
                continue;
            }
            for (r, ps) in scope {
                for p in ps.clone() {
                    let Some(s) = self.slot(*r, p, j) else {
                        continue;
                    };
                    let floor = if top.len() == k {
                        top[k - 1].ratio
                    } else {
                        0.0
                    };
                    if inst.risk[j] * room as f64 / s.added as f64 <= floor {
                        continue;
                    }
                    let Some((at, g)) = self.best_time(j, s.lo, s.hi) else {
                        continue;
                    };
                    let ratio = inst.risk[j] * g as f64 / s.added as f64;
                    if ratio > floor {
                        let q = top.partition_point(|c| c.ratio >= ratio);
                        top.insert(
                            q,
                            Cand {
                                r: *r,
                                p,
                                spot: j,
                                at,
                                ratio,
                            },
                        );
                        top.truncate(k);
                    }
                }
            }
        }
        top
    }

    fn everywhere(&self) -> Vec<(usize, RangeInclusive<usize>)> {
        self.routes
            .iter()
            .enumerate()
            .map(|(r, v)| (r, 0..=v.len()))
            .collect()
    }

    fn place(&mut self, c: &Cand) {
        self.insert(
            c.r,
            c.p,
            Visit {
                spot: c.spot,
                at: c.at,
            },
        );
    }

    /// Inserts one of the `k` best candidates (at random with `rng`) until none fits, or `max`.
    fn fill(
        &mut self,
        scope: Option<usize>,
        k: usize,
        max: usize,
        mut rng: Option<&mut ChaCha8Rng>,
    ) {
        for _ in 0..max {
            let mut within = self.everywhere();
            within.retain(|(r, _)| scope.is_none_or(|s| s == *r));
            let mut top = self.search(&within, &self.inst.live, k);
            let floor = top.first().map_or(0.0, |c| c.ratio * ALPHA);
            top.retain(|c| c.ratio >= floor);
            let pick = match rng.as_deref_mut() {
                Some(g) if !top.is_empty() => top.get(g.gen_range(0..top.len())),
                _ => top.first(),
            };
            match pick.copied() {
                Some(c) => self.place(&c),
                None => break,
            }
        }
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> Option<(usize, usize)> {
        let total: usize = self.routes.iter().map(Vec::len).sum();
        let mut k = rng.gen_range(0..total.max(1));
        for (r, route) in self.routes.iter().enumerate() {
            if k < route.len() {
                return Some((r, k));
            }
            k -= route.len();
        }
        None
    }

    /// Removes visit `(r, p)` and repairs: the removed spot anywhere, any spot near the hole.
    /// `false` when the route left behind is infeasible (the matrix need not obey the triangle
    /// inequality, so dropping a stop can break the legs either side of it).
    fn repair(&mut self, mut r: usize, mut p: usize) -> bool {
        let holed = r;
        let gone = self.remove(r, p).spot;
        let elsewhere = self.search(&self.everywhere(), &[gone], 1);
        for round in 0..3 {
            let near = [(r, p.saturating_sub(1)..=(p + 1).min(self.routes[r].len()))];
            let mut best = self.search(&near, &self.inst.live, 1).first().copied();
            if let (0, Some(c)) = (round, elsewhere.first()) {
                best = best.filter(|b| b.ratio >= c.ratio).or(Some(*c));
            }
            let Some(c) = best else { break };
            self.place(&c);
            (r, p) = (c.r, c.p);
        }
        self.route_ok(holed)
    }

    /// Removes up to `k` visits of route `r` from `p` on, and refills the hole with the best
    /// insertions (one of the best `choice` at random); `false` if the route is left infeasible.
    fn ruin(&mut self, r: usize, p: usize, k: usize, choice: usize, rng: &mut ChaCha8Rng) -> bool {
        let k = k.min(self.routes[r].len().saturating_sub(p));
        for _ in 0..k {
            self.remove(r, p);
        }
        for hi in p..p + k + 3 {
            let near = [(r, p.saturating_sub(1)..=(hi + 1).min(self.routes[r].len()))];
            let top = self.search(&near, &self.inst.live, choice);
            let Some(c) = top.get(rng.gen_range(0..top.len().max(1))).copied() else {
                break;
            };
            self.place(&c);
        }
        self.route_ok(r)
    }

    /// Moves the visits of route `r` from `p` on as early as they can go (where that time is
    /// free), then fills the slack this opens in the route.
    fn compress(&mut self, r: usize, p: usize) {
        for q in p..self.routes[r].len() {
            let v = self.remove(r, q);
            let lo = self.slot(r, q, v.spot).map_or(v.at, |s| s.lo.min(v.at));
            let at = if self.free(v.spot, lo) { lo } else { v.at };
            self.insert(r, q, Visit { spot: v.spot, at });
        }
        self.fill(Some(r), 1, 2, None);
    }

    /// Every leg of route `r` fits: each arrival is reachable in time, the end too.
    fn route_ok(&self, r: usize) -> bool {
        let inst = self.inst;
        let (mut node, mut ready) = (inst.start[r], 0);
        for v in &self.routes[r] {
            if v.at < ready + inst.tt(node, v.spot) {
                return false;
            }
            (node, ready) = (v.spot, v.at + inst.dwell);
        }
        ready + inst.end[r].map_or(0, |e| inst.tt(node, e)) <= inst.w
    }

    /// Swaps the spots of two visits, each at its best time in its new slack.
    fn swap(&mut self, a: (usize, usize), b: (usize, usize)) -> bool {
        let (a, b) = if a.0 == b.0 && b.1 < a.1 {
            (b, a)
        } else {
            (a, b)
        };
        if a == b || self.routes[a.0][a.1].spot == self.routes[b.0][b.1].spot {
            return false;
        }
        let vb = self.remove(b.0, b.1);
        let va = self.remove(a.0, a.1);
        [(a, vb.spot), (b, va.spot)].into_iter().all(|((r, p), j)| {
            let t = self
                .slot(r, p, j)
                .and_then(|s| self.best_time(j, s.lo, s.hi));
            t.map(|(at, _)| self.insert(r, p, Visit { spot: j, at }))
                .is_some()
        })
    }

    /// Moves visit `(r, p)` within its slack: to its best time, or with `rng` to a random one.
    fn shift(&mut self, r: usize, p: usize, rng: Option<&mut ChaCha8Rng>) {
        let v = self.remove(r, p);
        let s = self.slot(r, p, v.spot).unwrap_or(Slot {
            lo: v.at,
            hi: v.at,
            added: 0,
        });
        let random = rng
            .map(|g| g.gen_range(s.lo..=s.hi))
            .filter(|&x| self.free(v.spot, x));
        let at = random
            .or(self.best_time(v.spot, s.lo, s.hi).map(|b| b.0))
            .unwrap_or(v.at);
        self.insert(r, p, Visit { spot: v.spot, at });
    }

    /// One local-search move; `false` when it made no change worth keeping.
    fn step(&mut self, rng: &mut ChaCha8Rng) -> bool {
        let Some((r, p)) = self.pick(rng) else {
            self.fill(None, 1, 1, None);
            return true;
        };
        match rng.gen_range(0..10) {
            0 | 1 => return self.repair(r, p),
            2 | 3 => {
                let (k, choice) = (rng.gen_range(2..=6), rng.gen_range(1..=2));
                return self.ruin(r, p, k, choice, rng);
            }
            4 | 5 => return self.pick(rng).is_some_and(|b| self.swap((r, p), b)),
            6..=8 => self.shift(r, p, rng.gen_bool(0.3).then_some(rng)),
            _ => self.compress(r, p),
        }
        true
    }
}

pub(super) fn search_plan(inst: &Inst, rules: &PlanRules) -> Vec<Vec<Visit>> {
    let mut rng = ChaCha8Rng::seed_from_u64(rules.seed);
    let mut st = State::new(inst, &[]);
    st.fill(None, 3, usize::MAX, Some(&mut rng));
    let (mut best, mut best_score) = (st.routes.clone(), st.score);
    for _ in 0..rules.iterations {
        let (before, mark) = (st.score, st.log.len());
        let changed = st.step(&mut rng);
        let delta = st.score - before;
        let ok = changed && (delta >= 0.0 || (delta >= -0.005 * before && rng.gen_bool(0.05)));
        if !ok {
            st.undo(mark);
        }
        st.log.clear();
        if st.score > best_score {
            (best, best_score) = (st.routes.clone(), st.score);
        }
    }
    let mut st = State::new(inst, &best);
    for r in 0..st.routes.len() {
        for p in 0..st.routes[r].len() {
            st.shift(r, p, None);
        }
    }
    st.fill(None, 1, usize::MAX, None);
    st.routes
}

/// Appends visits unit by unit, the unit with the earliest clock first, with `choose` picking
/// among the feasible `(spot, arrival)` pairs; a unit with nothing to choose waits for the next
/// spot to fall due (`wait`) or stops.
pub(super) fn sequential(
    inst: &Inst,
    wait: bool,
    mut choose: impl FnMut(&[(usize, i64, i64)]) -> Option<usize>,
) -> Vec<Vec<Visit>> {
    let mut st = State::new(inst, &[]);
    let mut clock: Vec<Option<i64>> = vec![Some(0); inst.start.len()];
    while let Some((now, r)) = clock
        .iter()
        .enumerate()
        .filter_map(|(r, c)| c.map(|c| (c, r)))
        .min()
    {
        let here = st.routes[r].last().map_or(inst.start[r], |v| v.spot);
        let options: Vec<(usize, i64, i64)> = (inst.live.iter())
            .filter_map(|&j| {
                let (at, back) = (
                    now + inst.tt(here, j),
                    inst.end[r].map_or(0, |e| inst.tt(j, e)),
                );
                let due = !wait
                    || st.by_spot[j]
                        .last()
                        .is_none_or(|&a| a + inst.dwell + inst.revisit <= at);
                let ok = at < INF && back < INF && at + inst.dwell + back <= inst.w;
                (ok && due && st.used[inst.area[j]] < inst.cap && st.free(j, at)).then_some((
                    j,
                    at,
                    at - now,
                ))
            })
            .collect();
        match choose(&options).and_then(|k| options.get(k)) {
            Some(&(j, at, _)) => {
                let p = st.routes[r].len();
                st.insert(r, p, Visit { spot: j, at });
                clock[r] = Some(at + inst.dwell);
            }
            None if wait => {
                let next = (inst.live.iter()).filter_map(|&j| {
                    let last = st.by_spot[j].last()?;
                    Some(last + inst.dwell + inst.revisit - inst.tt(here, j))
                        .filter(|&t| t > now && t < inst.w)
                });
                clock[r] = next.min();
            }
            None => clock[r] = None,
        }
    }
    st.routes
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::Rng;

    fn inst(seed: u64, s: usize, u: usize) -> Inst {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut at = || {
            (
                118.9 + rng.gen_range(0.0..0.05),
                35.0 + rng.gen_range(0.0..0.05),
            )
        };
        let spots: Vec<Spot> = (0..s)
            .map(|k| {
                let (lon, lat) = at();
                let (key, area) = (format!("s{k}"), format!("a{}", k % 3));
                let risk = f64::from(u32::try_from(k % 7).unwrap_or(0));
                Spot {
                    key,
                    name: String::new(),
                    lon,
                    lat,
                    radius_m: 50.0,
                    risk,
                    area,
                }
            })
            .collect();
        let crews: Vec<Crew> = (0..u)
            .map(|k| Crew {
                unit: format!("u{k}"),
                start: at(),
                end: (k % 2 == 0).then(&mut at),
            })
            .collect();
        let rules = PlanRules {
            end_us: 6 * 3600 * US,
            ..PlanRules::default()
        };
        let m = TravelMatrix::straight(&spots, &crews, 30.0, 1.3);
        // Every seventh leg cut: the matrix breaks the triangle inequality.
        let m = TravelMatrix::from_fn(m.len(), |a, b| {
            if a != b && (a * 31 + b) % 7 == 0 {
                f64::INFINITY
            } else {
                m.get(a, b)
            }
        });
        Inst::new(&spots, &crews, &rules, &m).expect("a spot reachable")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// After any moves, kept or undone, the running figures equal a fresh count.
        #[test]
        fn incremental_state_matches_a_fresh_one(
            seed in any::<u64>(),
            s in 2usize..30,
            u in 1usize..4,
            steps in 0usize..150,
        ) {
            let inst = inst(seed, s, u);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut st = State::new(&inst, &[]);
            st.fill(None, 3, usize::MAX, Some(&mut rng));
            for _ in 0..steps {
                let (routes, score, mark) = (st.routes.clone(), st.score, st.log.len());
                let changed = st.step(&mut rng);
                if !changed || rng.gen_bool(0.5) {
                    st.undo(mark);
                    prop_assert_eq!(&st.routes, &routes);
                    prop_assert!((st.score - score).abs() <= 1e-6 * score.max(1.0));
                }
                st.log.clear();
                prop_assert!((0..st.routes.len()).all(|r| st.route_ok(r)));
                let fresh = State::new(&inst, &st.routes);
                prop_assert_eq!(&st.by_spot, &fresh.by_spot);
                prop_assert_eq!(&st.cov, &fresh.cov);
                prop_assert_eq!(&st.used, &fresh.used);
                prop_assert!((st.score - fresh.score).abs() <= 1e-6 * fresh.score.max(1.0));
            }
        }
    }
}

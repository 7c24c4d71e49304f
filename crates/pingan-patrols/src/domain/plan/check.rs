//! Judging routes, planned or edited by a supervisor: their figures ([`quality`]), the use of
//! each area's caps ([`metering`]), every broken constraint ([`violations`]), and why a visit
//! is there ([`explain`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::search::union_len;
use super::{
    to_us, validate, AreaUse, Crew, PlanRules, Quality, Route, Spot, TravelMatrix, INF, SLACK_US,
    US,
};

/// A plan's figures for any routes (planned or edited); visits to unknown spots are ignored.
pub fn quality(spots: &[Spot], rules: &PlanRules, routes: &[Route]) -> Quality {
    let (t0, t1) = (rules.start_us, rules.end_us);
    let deterrence = i64::from(rules.deterrence_s) * US;
    let mut per: Vec<Vec<(i64, i64)>> = vec![Vec::new(); spots.len()];
    let (mut travel, mut stay, mut visits) = (0.0, 0.0, 0);
    for route in routes {
        travel += route.travel_s;
        for v in &route.visits {
            if let Some(p) = per.get_mut(v.spot) {
                p.push((v.arrive_us, v.depart_us.max(v.arrive_us)));
                stay += (v.depart_us - v.arrive_us).max(0) as f64 / 1e6;
                visits += 1;
            }
        }
    }
    let (mut covered, mut gap, mut spots_visited) = (0.0, 0, 0);
    for (spot, p) in spots.iter().zip(&mut per).filter(|(_, p)| !p.is_empty()) {
        p.sort_unstable();
        let during = p.iter().map(|&(a, d)| (a, d.saturating_add(deterrence)));
        covered += spot.risk * union_len(during, t0, t1) as f64;
        let mut last = t0;
        for &(a, d) in p.iter() {
            (gap, last) = (gap.max(a - last), last.max(d));
        }
        (gap, spots_visited) = (gap.max(t1 - last), spots_visited + 1);
    }
    let total: f64 = spots.iter().map(|s| s.risk).sum();
    let w = (t1 - t0) as f64;
    Quality {
        risk_covered: if total > 0.0 && w > 0.0 {
            covered / w / total
        } else {
            0.0
        },
        minutes_at_spots: stay / 60.0,
        largest_gap_min: gap as f64 / 6e7,
        travel_share: if travel + stay > 0.0 {
            travel / (travel + stay)
        } else {
            0.0
        },
        visits,
        spots_visited,
    }
}

/// Each area's use of its caps (every area of the spots, by name); unknown spots are ignored.
pub fn metering(spots: &[Spot], rules: &PlanRules, routes: &[Route]) -> Vec<AreaUse> {
    let mut by: BTreeMap<&str, (u32, f64)> =
        spots.iter().map(|s| (s.area.as_str(), (0, 0.0))).collect();
    for v in routes.iter().flat_map(|r| &r.visits) {
        if let Some(u) = spots.get(v.spot).and_then(|s| by.get_mut(s.area.as_str())) {
            *u = (
                u.0 + 1,
                u.1 + (v.depart_us - v.arrive_us).max(0) as f64 / 6e7,
            );
        }
    }
    (by.into_iter())
        .map(|(area, (visits, minutes))| AreaUse {
            area: area.to_owned(),
            visits,
            minutes,
            max_visits: rules.max_visits_per_area,
            max_minutes: rules.max_minutes_per_area,
        })
        .collect()
}

/// Every problem with (edited) routes, each naming where it is: an unknown unit or spot, a visit
/// that stays no time, starts before the shift, ends after it, starts before the previous one
/// ends, or arrives before it can get there (allowing one second); a last visit that leaves too
/// late to reach the unit's end; two units at one spot at overlapping times; an area over a cap.
/// Invalid inputs give their one error. Empty means feasible.
pub fn violations(
    spots: &[Spot],
    crews: &[Crew],
    rules: &PlanRules,
    travel: &TravelMatrix,
    routes: &[Route],
) -> Vec<String> {
    if let Err(e) = validate(spots, crews, rules, travel) {
        return vec![e.to_string()];
    }
    let (mut out, mut seen, mut stays) = (Vec::new(), BTreeMap::new(), Vec::new());
    for (r, route) in routes.iter().enumerate() {
        let Some(c) = crews.iter().position(|c| c.unit == route.unit) else {
            out.push(format!("routes[{r}].unit: {} is not on duty", route.unit));
            continue;
        };
        if let Some(o) = seen.insert(&route.unit, r) {
            out.push(format!(
                "routes[{r}].unit: {} already has routes[{o}]",
                route.unit
            ));
        }
        check_route(spots, crews, rules, travel, (r, c), route, &mut out);
        let ok = route
            .visits
            .iter()
            .enumerate()
            .filter(|(_, v)| v.spot < spots.len());
        stays.extend(ok.map(|(k, v)| (v.spot, v.arrive_us, v.depart_us, r, k)));
    }
    stays.sort_unstable();
    let mut reach: Option<(usize, i64, usize, usize)> = None;
    for (j, a, d, r, k) in stays {
        match reach {
            Some((rj, rd, rr, rk)) if rj == j && a < rd => {
                if rr != r {
                    out.push(format!("routes[{rr}].visits[{rk}] and routes[{r}].visits[{k}]: both at spots[{j}] at once"));
                }
                if d > rd {
                    reach = Some((j, d, r, k));
                }
            }
            _ => reach = Some((j, d, r, k)),
        }
    }
    for a in metering(spots, rules, routes) {
        if a.visits > a.max_visits {
            out.push(format!(
                "areas[{}]: {} visits, over the cap of {}",
                a.area, a.visits, a.max_visits
            ));
        }
        if a.minutes > f64::from(a.max_minutes) + 1e-9 {
            out.push(format!(
                "areas[{}]: {:.1} minutes, over the cap of {}",
                a.area, a.minutes, a.max_minutes
            ));
        }
    }
    out
}

fn check_route(
    spots: &[Spot],
    crews: &[Crew],
    rules: &PlanRules,
    m: &TravelMatrix,
    (r, c): (usize, usize),
    route: &Route,
    out: &mut Vec<String>,
) {
    let (s, u) = (spots.len(), crews.len());
    let mut prev = Some((s + c, rules.start_us, "the unit's start"));
    for (k, v) in route.visits.iter().enumerate() {
        let here = format!("routes[{r}].visits[{k}]");
        if v.spot >= s {
            out.push(format!("{here}.spot: there is no spots[{}]", v.spot));
            prev = None;
            continue;
        }
        if v.depart_us <= v.arrive_us {
            out.push(format!("{here}: stays no time"));
        }
        if v.arrive_us < rules.start_us {
            out.push(format!("{here}: arrives before the shift starts"));
        }
        if v.depart_us > rules.end_us {
            out.push(format!("{here}: leaves after the shift ends"));
        }
        if let Some((node, ready, from)) = prev {
            let need = to_us(m.get(node, v.spot));
            if v.arrive_us < ready && k > 0 {
                out.push(format!("{here}: arrives before the previous visit ends"));
            } else if need >= INF {
                out.push(format!("{here}: cannot be reached from {from}"));
            } else if v.arrive_us + SLACK_US < ready + need {
                out.push(format!(
                    "{here}: arrives before it can get there from {from} ({} s needed)",
                    need / US
                ));
            }
        }
        prev = Some((v.spot, v.depart_us, "the previous stop"));
    }
    let end = crews[c].end.map(|_| s + u + c);
    if let (Some(e), Some((node, ready, _)), false) = (end, prev, route.visits.is_empty()) {
        if ready.saturating_add(to_us(m.get(node, e))) > rules.end_us + SLACK_US {
            let last = route.visits.len() - 1;
            out.push(format!("routes[{r}].visits[{last}]: leaves too late to reach the unit's end by the end of the shift"));
        }
    }
}

/// Why a visit is in a plan: the numbers, and one English sentence built from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitReason {
    /// The spot visited.
    pub spot: usize,
    /// This is visit `nth` (from 1) of `of` to the spot, in time order over all routes.
    pub nth: u32,
    /// Visits to the spot in the plan.
    pub of: u32,
    /// The spot's risk.
    pub risk: f64,
    /// Its rank by risk among the spots (1 = highest).
    pub risk_rank: u32,
    /// Spots in the plan.
    pub spots: u32,
    /// For a revisit: seconds from the start of the first visit to the spot to this arrival.
    pub since_first_s: Option<i64>,
    /// The sentence, e.g. "revisit 2 of 3: risk 14.0, 2nd of 200 spots; first visit 1 h 40 min
    /// earlier".
    pub text: String,
}

/// Why visit `visit` of route `route` is in the plan; `None` if there is no such visit.
pub fn explain(
    spots: &[Spot],
    routes: &[Route],
    route: usize,
    visit: usize,
) -> Option<VisitReason> {
    let v = routes.get(route)?.visits.get(visit)?;
    let spot = spots.get(v.spot)?;
    let mut times: Vec<i64> = routes
        .iter()
        .flat_map(|r| &r.visits)
        .filter(|w| w.spot == v.spot)
        .map(|w| w.arrive_us)
        .collect();
    times.sort_unstable();
    let nth = times.partition_point(|&t| t < v.arrive_us) + 1;
    let rank = spots.iter().filter(|s| s.risk > spot.risk).count() + 1;
    let since_first_s = (nth > 1).then(|| (v.arrive_us - times[0]) / US);
    let ordinal = match (rank % 10, rank % 100) {
        (1, r) if r != 11 => "st",
        (2, r) if r != 12 => "nd",
        (3, r) if r != 13 => "rd",
        _ => "th",
    };
    let head = if nth == 1 {
        format!("visit 1 of {}", times.len())
    } else {
        format!("revisit {nth} of {}", times.len())
    };
    let mut text = format!(
        "{head}: risk {:.1}, {rank}{ordinal} of {} spots",
        spot.risk,
        spots.len()
    );
    if let Some(s) = since_first_s {
        let (h, m) = (s / 3600, s % 3600 / 60);
        let ago = if h > 0 {
            format!("{h} h {m} min")
        } else {
            format!("{m} min")
        };
        text.push_str(&format!("; first visit {ago} earlier"));
    }
    let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    Some(VisitReason {
        spot: v.spot,
        nth: n(nth),
        of: n(times.len()),
        risk: spot.risk,
        risk_rank: n(rank),
        spots: n(spots.len()),
        since_first_s,
        text,
    })
}

//! Whether the patrols worked, from the district's own records.
//!
//! # The residual-deterrence curve (Koper 1995)
//! For every visit the GPS confirmed (done or partial, so it has a time the unit left), the time
//! from leaving to the next incident within the spot's radius, by how long the unit stayed. A
//! time is *censored* when no incident came before the horizon, the next visit to the spot, or
//! the end of the records: all that is known is that the spot stayed quiet at least that long.
//! Each dwell band gets a Kaplan–Meier survival curve (the share of visits still followed by no
//! incident t minutes after leaving) with a 95 % band from Greenwood's variance on the log–log
//! scale (which stays inside 0…1). Koper found stays of about 10–15 minutes give the longest
//! quiet; here it is the district's own curve, which may say otherwise.
//!
//! # Difference in differences
//! Spots with at least one done visit in the window (treated) against spots that were planned
//! in the window but never visited (control): incidents per spot-day in the same length of time
//! before the window and in the window. The estimate is (treated after − before) − (control
//! after − before). It assumes the two groups would have changed alike without the patrols
//! (parallel trends) and that a visit does not push incidents into the control spots
//! (displacement); the page says so beside the figure. With few spots the estimate is noise:
//! the counts are shown with it.

use serde::Serialize;

/// One confirmed visit, as the curve needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftVisit {
    pub spot: String,
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
    /// When the unit left, UTC µs.
    pub left_us: i64,
    /// Longest stay in seconds.
    pub stay_s: i64,
}

/// One incident, as the effect needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Happening {
    pub lon: f64,
    pub lat: f64,
    pub at_us: i64,
}

/// The dwell bands of the curve, in minutes: `[from, to)`.
pub const BANDS: [(u32, u32); 4] = [(0, 5), (5, 10), (10, 15), (15, 600)];

/// One point of a survival curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SurvivalPoint {
    pub t_min: f64,
    /// Share of visits with no incident yet.
    pub s: f64,
    pub lo: f64,
    pub hi: f64,
}

/// One dwell band's curve.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BandCurve {
    pub from_min: u32,
    pub to_min: u32,
    pub visits: usize,
    /// Visits followed by an incident before the horizon.
    pub events: usize,
    /// Median minutes to the next incident, when the curve falls below one half.
    pub median_min: Option<f64>,
    pub curve: Vec<SurvivalPoint>,
}

/// Minutes from `v` leaving to the next incident within its radius, and whether one came
/// (`false`: censored at `limit_us`).
pub fn time_to_next(
    v: &LeftVisit,
    incidents: &[Happening],
    limit_us: i64,
    distance: &dyn Fn((f64, f64), (f64, f64)) -> f64,
) -> (f64, bool) {
    let next = incidents
        .iter()
        .filter(|i| i.at_us > v.left_us && i.at_us <= limit_us)
        .filter(|i| distance((v.lon, v.lat), (i.lon, i.lat)) <= v.radius_m)
        .map(|i| i.at_us)
        .min();
    match next {
        Some(at) => ((at - v.left_us) as f64 / 60e6, true),
        None => (((limit_us - v.left_us).max(0)) as f64 / 60e6, false),
    }
}

/// Kaplan–Meier over `(time, event)` pairs with Greenwood's 95 % band (log–log).
pub fn kaplan_meier(mut times: Vec<(f64, bool)>) -> Vec<SurvivalPoint> {
    times.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = times.len() as f64;
    let (mut s, mut greenwood) = (1.0_f64, 0.0_f64);
    let mut out = vec![SurvivalPoint {
        t_min: 0.0,
        s: 1.0,
        lo: 1.0,
        hi: 1.0,
    }];
    let mut i = 0;
    while i < times.len() {
        let t = times[i].0;
        let (mut d, mut n_here) = (0.0, 0.0);
        while i < times.len() && times[i].0 == t {
            if times[i].1 {
                d += 1.0;
            }
            n_here += 1.0;
            i += 1;
        }
        if d > 0.0 {
            s *= 1.0 - d / at_risk;
            if at_risk > d {
                greenwood += d / (at_risk * (at_risk - d));
            }
            let (lo, hi) = band(s, greenwood);
            out.push(SurvivalPoint {
                t_min: t,
                s,
                lo,
                hi,
            });
        }
        at_risk -= n_here;
    }
    out
}

/// The log–log 95 % band of a survival estimate.
fn band(s: f64, greenwood: f64) -> (f64, f64) {
    if s <= 0.0 || s >= 1.0 {
        return (s, s);
    }
    let ln = s.ln();
    let se = greenwood.sqrt() / ln.abs();
    let a = (1.96 * se).exp();
    (s.powf(a).clamp(0.0, 1.0), s.powf(1.0 / a).clamp(0.0, 1.0))
}

/// The curves by dwell band. `limit_us` gives each visit's censoring time (the horizon, the
/// next visit to the spot, or the end of the records, whichever is first).
pub fn koper_curves(
    visits: &[LeftVisit],
    incidents: &[Happening],
    limit_us: &dyn Fn(&LeftVisit) -> i64,
    distance: &dyn Fn((f64, f64), (f64, f64)) -> f64,
) -> Vec<BandCurve> {
    BANDS
        .iter()
        .map(|&(from, to)| {
            let times: Vec<(f64, bool)> = visits
                .iter()
                .filter(|v| (i64::from(from) * 60..i64::from(to) * 60).contains(&v.stay_s))
                .map(|v| time_to_next(v, incidents, limit_us(v), distance))
                .collect();
            let events = times.iter().filter(|t| t.1).count();
            let visits = times.len();
            let curve = kaplan_meier(times);
            let median_min = curve.iter().find(|p| p.s <= 0.5).map(|p| p.t_min);
            BandCurve {
                from_min: from,
                to_min: to,
                visits,
                events,
                median_min,
                curve,
            }
        })
        .collect()
}

/// The difference-in-differences figure.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DiffInDiff {
    pub treated_spots: usize,
    pub control_spots: usize,
    /// Incidents per spot-day before and in the window.
    pub treated_before: f64,
    pub treated_after: f64,
    pub control_before: f64,
    pub control_after: f64,
    /// (treated after − before) − (control after − before), incidents per spot-day; negative
    /// means fewer incidents where the patrols went than the comparison predicts.
    pub estimate: Option<f64>,
}

/// A spot for the comparison: where it is and whether it was visited.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedSpot {
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
    pub visited: bool,
}

/// Incidents per spot-day near `spots` in `[from, to)`.
fn rate(
    spots: &[&ComparedSpot],
    incidents: &[Happening],
    (from, to): (i64, i64),
    distance: &dyn Fn((f64, f64), (f64, f64)) -> f64,
) -> f64 {
    if spots.is_empty() || to <= from {
        return 0.0;
    }
    let n = spots
        .iter()
        .map(|s| {
            incidents
                .iter()
                .filter(|i| i.at_us >= from && i.at_us < to)
                .filter(|i| distance((s.lon, s.lat), (i.lon, i.lat)) <= s.radius_m)
                .count()
        })
        .sum::<usize>() as f64;
    n / (spots.len() as f64 * ((to - from) as f64 / 86_400e6))
}

/// Difference in differences over the window `[from, to)` against as long a time before it.
pub fn diff_in_diff(
    spots: &[ComparedSpot],
    incidents: &[Happening],
    (from, to): (i64, i64),
    distance: &dyn Fn((f64, f64), (f64, f64)) -> f64,
) -> DiffInDiff {
    let before = (from - (to - from), from);
    let treated: Vec<&ComparedSpot> = spots.iter().filter(|s| s.visited).collect();
    let control: Vec<&ComparedSpot> = spots.iter().filter(|s| !s.visited).collect();
    let tb = rate(&treated, incidents, before, distance);
    let ta = rate(&treated, incidents, (from, to), distance);
    let cb = rate(&control, incidents, before, distance);
    let ca = rate(&control, incidents, (from, to), distance);
    DiffInDiff {
        treated_spots: treated.len(),
        control_spots: control.len(),
        treated_before: tb,
        treated_after: ta,
        control_before: cb,
        control_after: ca,
        estimate: (!treated.is_empty() && !control.is_empty()).then_some((ta - tb) - (ca - cb)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(a: (f64, f64), b: (f64, f64)) -> f64 {
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
    }

    #[test]
    fn kaplan_meier_matches_a_hand_worked_example() {
        // Times 1, 2 (censored), 3, 4: S(1) = 3/4, S(3) = 3/4 · 1/2, S(4) = 0.
        let km = kaplan_meier(vec![(3.0, true), (1.0, true), (2.0, false), (4.0, true)]);
        let s: Vec<(f64, f64)> = km.iter().map(|p| (p.t_min, p.s)).collect();
        assert_eq!(s, vec![(0.0, 1.0), (1.0, 0.75), (3.0, 0.375), (4.0, 0.0)]);
        for p in &km {
            assert!(p.lo <= p.s && p.s <= p.hi && (0.0..=1.0).contains(&p.lo) && p.hi <= 1.0);
        }
    }

    #[test]
    fn all_censored_stays_at_one() {
        let km = kaplan_meier(vec![(5.0, false), (9.0, false)]);
        assert_eq!(km.len(), 1);
        assert_eq!(km[0].s, 1.0);
    }

    #[test]
    fn the_next_incident_is_the_first_within_the_radius_and_the_limit() {
        let v = LeftVisit {
            spot: "a".into(),
            lon: 0.0,
            lat: 0.0,
            radius_m: 1.0,
            left_us: 0,
            stay_s: 700,
        };
        let inc = [
            Happening {
                lon: 5.0,
                lat: 0.0,
                at_us: 60_000_000,
            },
            Happening {
                lon: 0.5,
                lat: 0.0,
                at_us: 600_000_000,
            },
            Happening {
                lon: 0.0,
                lat: 0.0,
                at_us: -5,
            },
        ];
        assert_eq!(time_to_next(&v, &inc, 10_000_000_000, &flat), (10.0, true));
        assert_eq!(time_to_next(&v, &inc, 120_000_000, &flat), (2.0, false));
        let curves = koper_curves(&[v], &inc, &|_| 10_000_000_000, &flat);
        let band = curves.iter().find(|b| b.from_min == 10).unwrap();
        assert_eq!(
            (band.visits, band.events, band.median_min),
            (1, 1, Some(10.0))
        );
    }

    #[test]
    fn difference_in_differences_on_a_worked_example() {
        let day = 86_400_000_000_i64;
        let spot = |lon: f64, visited| ComparedSpot {
            lon,
            lat: 0.0,
            radius_m: 1.0,
            visited,
        };
        let spots = [spot(0.0, true), spot(10.0, false)];
        // Treated: 4 incidents before, 1 in the window; control: 2 before, 2 in the window.
        let mut inc = Vec::new();
        for k in 0..4 {
            inc.push(Happening {
                lon: 0.0,
                lat: 0.0,
                at_us: -day + k,
            });
        }
        inc.push(Happening {
            lon: 0.0,
            lat: 0.0,
            at_us: 5,
        });
        for k in 0..2 {
            inc.push(Happening {
                lon: 10.0,
                lat: 0.0,
                at_us: -day + k,
            });
            inc.push(Happening {
                lon: 10.0,
                lat: 0.0,
                at_us: 10 + k,
            });
        }
        let d = diff_in_diff(&spots, &inc, (0, day), &flat);
        assert_eq!((d.treated_before, d.treated_after), (4.0, 1.0));
        assert_eq!((d.control_before, d.control_after), (2.0, 2.0));
        assert_eq!(d.estimate, Some(-3.0));
        let none = diff_in_diff(&spots[..1], &inc, (0, day), &flat);
        assert_eq!(none.estimate, None);
    }
}

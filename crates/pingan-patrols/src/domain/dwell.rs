//! A visit confirmed from GPS fixes alone: how long a unit stayed at a hot spot.
//!
//! [`Dwell`] is the running state for one (unit, visit). It is small, `Copy` and serialisable, so
//! the store keeps it as JSON between fixes and calls [`Dwell::step`] once per fix as fixes
//! arrive; [`dwell_of`] does the same over a batch. Both give the same answer for the same fixes.
//!
//! # How a fix counts
//! - **Inside or outside.** A fix is inside when its great-circle distance to the area's centre
//!   ([`haversine_m`]) is at most `radius_m`, plus a margin. The margin is `hysteresis_m` while the
//!   unit is already inside (the previous fix was inside and came at most `max_gap_s` earlier), so
//!   that jitter at the boundary does not toggle the state. Otherwise the margin is the fix's own
//!   `accuracy_m`, capped at `hysteresis_m` (an imprecise fix gets the benefit of the doubt, but
//!   never more than the hysteresis); a fix without a usable accuracy gets no margin. A unit never
//!   within `radius_m + hysteresis_m` of the centre is therefore never inside.
//! - **Time towards a stay.** The time between two consecutive fixes counts only when both are
//!   inside and they are at most `max_gap_s` apart. Time spent outside, or across a longer gap,
//!   never counts: presence is confirmed only by fixes.
//! - **Stays.** A stay opens at an inside fix and collects the time above. An excursion (one or
//!   more fixes outside) is measured from the last inside fix: while a fix outside, or the first
//!   fix back inside, comes less than `grace_s` after it, the stay goes on (the excursion's time
//!   does not count, but it does not split the stay). Such a fix `grace_s` or more after the last
//!   inside fix, or a gap of more than `max_gap_s` between two consecutive fixes, ends the stay
//!   at its last inside fix, and the next inside fix opens a new one. The longest stay and the
//!   total time inside (over all stays) are kept.
//! - **Order.** A fix older than the last one stepped is [`Step::OutOfOrder`] and one at the same
//!   microsecond is [`Step::Duplicate`]; both are ignored. [`dwell_of`] sorts a copy of its fixes
//!   by time (then position and accuracy, so that any permutation gives the same order) first.
//! - **Verdict.** [`Verdict::Done`] when the longest stay reaches `done_s`; [`Verdict::Partial`]
//!   when the unit was inside at all (one inside fix is enough); [`Verdict::Missed`] otherwise.
//!
//! Times are UTC microseconds; durations are kept in microseconds and reported in whole seconds
//! (rounded down).

use pingan_spatial::projection::haversine_m;
use serde::{Deserialize, Serialize};

const US_PER_S: i64 = 1_000_000;

/// The circle a visit must be made in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// Longitude of the centre (WGS 84 degrees).
    pub lon: f64,
    /// Latitude of the centre (WGS 84 degrees).
    pub lat: f64,
    /// Radius in metres.
    pub radius_m: f64,
}

/// How fixes are turned into stays (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DwellRules {
    /// Extra metres a unit already inside may drift beyond the radius and still be inside
    /// (default 25). Negative or non-finite values count as 0.
    pub hysteresis_m: f64,
    /// An excursion shorter than this (seconds since the last inside fix) does not end a stay
    /// (default 60).
    pub grace_s: u32,
    /// Two consecutive fixes further apart than this (seconds) do not confirm presence between
    /// them, and end a stay (default 120).
    pub max_gap_s: u32,
    /// A stay this long (seconds) completes the visit (default 600).
    pub done_s: u32,
}

impl Default for DwellRules {
    fn default() -> Self {
        Self {
            hysteresis_m: 25.0,
            grace_s: 60,
            max_gap_s: 120,
            done_s: 600,
        }
    }
}

/// One GPS fix of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FixPoint {
    /// When, UTC microseconds.
    pub at_us: i64,
    /// Longitude (WGS 84 degrees).
    pub lon: f64,
    /// Latitude (WGS 84 degrees).
    pub lat: f64,
    /// The receiver's stated accuracy in metres, if it gave one.
    pub accuracy_m: Option<f64>,
}

/// How a visit ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A stay reached the required length.
    Done,
    /// The unit was inside, but no stay reached the required length.
    Partial,
    /// The unit was never inside.
    Missed,
}

impl Verdict {
    /// Every verdict, in order.
    pub const ALL: [Verdict; 3] = [Verdict::Done, Verdict::Partial, Verdict::Missed];

    /// The verdict's wire name: `done`, `partial` or `missed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Done => "done",
            Verdict::Partial => "partial",
            Verdict::Missed => "missed",
        }
    }

    /// The verdict with this wire name, if any.
    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What [`Dwell::step`] did with a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// The fix was taken into account.
    Counted,
    /// The fix is older than the last one stepped; ignored.
    OutOfOrder,
    /// The fix has the same time as the last one stepped; ignored.
    Duplicate,
}

/// The running state for one (unit, visit); small, `Copy`, serialisable (the store keeps it as
/// JSON between fixes). Start from [`Dwell::default`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Dwell {
    /// Fixes counted so far.
    fixes: u32,
    /// Time of the last fix counted (meaningful once `fixes > 0`).
    last_at_us: i64,
    /// The last fix counted was inside.
    inside: bool,
    /// A stay is open (the unit is inside, or on an excursion shorter than the grace).
    in_stay: bool,
    /// First inside fix of the open (or last) stay.
    stay_start_us: i64,
    /// Last inside fix.
    last_inside_us: i64,
    /// Time confirmed inside during the open (or last) stay, µs.
    stay_us: i64,
    /// The longest stay so far, µs.
    longest_us: i64,
    /// All time confirmed inside, µs.
    total_us: i64,
    /// The first inside fix ever.
    entered_at_us: Option<i64>,
    /// The end (last inside fix) of the latest stay, once it has ended; `None` while a stay is
    /// open or before any.
    left_at_us: Option<i64>,
}

impl Dwell {
    /// Takes one fix into account (see the module documentation for the rules).
    pub fn step(&mut self, area: &Area, rules: &DwellRules, fix: &FixPoint) -> Step {
        if self.fixes > 0 {
            if fix.at_us < self.last_at_us {
                return Step::OutOfOrder;
            }
            if fix.at_us == self.last_at_us {
                return Step::Duplicate;
            }
        }
        let hysteresis = margin(rules.hysteresis_m);
        let gap_ok = self.fixes > 0
            && fix.at_us.saturating_sub(self.last_at_us) <= i64::from(rules.max_gap_s) * US_PER_S;
        let extra = if self.inside && gap_ok {
            hysteresis
        } else {
            fix.accuracy_m.map_or(0.0, margin).min(hysteresis)
        };
        let distance = haversine_m((area.lon, area.lat), (fix.lon, fix.lat));
        let inside_now = distance <= area.radius_m + extra;
        let grace_us = i64::from(rules.grace_s) * US_PER_S;
        let excursion_over = fix.at_us.saturating_sub(self.last_inside_us) >= grace_us;
        let steady = self.inside && inside_now;
        if self.in_stay && (!gap_ok || (!steady && excursion_over)) {
            self.end_stay();
        }
        if inside_now {
            if !self.in_stay {
                self.open_stay(fix.at_us);
            } else if steady {
                let dt = fix.at_us - self.last_at_us;
                self.stay_us += dt;
                self.total_us += dt;
                self.longest_us = self.longest_us.max(self.stay_us);
            }
            self.last_inside_us = fix.at_us;
        }
        self.inside = inside_now;
        self.last_at_us = fix.at_us;
        self.fixes = self.fixes.saturating_add(1);
        Step::Counted
    }

    fn open_stay(&mut self, at_us: i64) {
        self.in_stay = true;
        self.stay_start_us = at_us;
        self.stay_us = 0;
        self.entered_at_us.get_or_insert(at_us);
        self.left_at_us = None;
    }

    fn end_stay(&mut self) {
        self.in_stay = false;
        self.left_at_us = Some(self.last_inside_us);
    }

    /// The longest stay, whole seconds.
    pub fn longest_stay_s(&self) -> u32 {
        secs(self.longest_us)
    }

    /// All time confirmed inside, whole seconds.
    pub fn total_inside_s(&self) -> u32 {
        secs(self.total_us)
    }

    /// The first inside fix, if any.
    pub fn entered_at_us(&self) -> Option<i64> {
        self.entered_at_us
    }

    /// The end of the latest stay once it has ended (its last inside fix); `None` while the unit
    /// is still in a stay, or was never inside.
    pub fn left_at_us(&self) -> Option<i64> {
        self.left_at_us
    }

    /// Fixes counted so far.
    pub fn fixes(&self) -> u32 {
        self.fixes
    }

    /// Time of the last fix counted, if any.
    pub fn last_at_us(&self) -> Option<i64> {
        (self.fixes > 0).then_some(self.last_at_us)
    }

    /// The last fix counted was inside.
    pub fn inside(&self) -> bool {
        self.inside
    }

    /// Start of the open stay, if one is open.
    pub fn stay_start_us(&self) -> Option<i64> {
        self.in_stay.then_some(self.stay_start_us)
    }

    /// The last inside fix, if any.
    pub fn last_inside_us(&self) -> Option<i64> {
        self.entered_at_us.map(|_| self.last_inside_us)
    }

    /// Done, partial or missed under `rules`.
    pub fn verdict(&self, rules: &DwellRules) -> Verdict {
        if self.longest_us >= i64::from(rules.done_s) * US_PER_S {
            Verdict::Done
        } else if self.total_us > 0 || self.entered_at_us.is_some() {
            Verdict::Partial
        } else {
            Verdict::Missed
        }
    }
}

/// A margin in metres: negative or non-finite values count as 0.
fn margin(m: f64) -> f64 {
    if m.is_finite() && m > 0.0 {
        m
    } else {
        0.0
    }
}

fn secs(us: i64) -> u32 {
    u32::try_from(us.max(0) / US_PER_S).unwrap_or(u32::MAX)
}

/// The dwell over a batch of fixes in any order: sorts a copy by time (ties by position and
/// accuracy, so the order of the input does not matter) and steps through it.
pub fn dwell_of(area: &Area, rules: &DwellRules, fixes: &[FixPoint]) -> Dwell {
    let mut sorted = fixes.to_vec();
    sorted.sort_by(|a, b| {
        a.at_us
            .cmp(&b.at_us)
            .then(a.lon.total_cmp(&b.lon))
            .then(a.lat.total_cmp(&b.lat))
            .then(
                a.accuracy_m
                    .unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&b.accuracy_m.unwrap_or(f64::NEG_INFINITY)),
            )
            .then(a.accuracy_m.is_some().cmp(&b.accuracy_m.is_some()))
    });
    let mut d = Dwell::default();
    for f in &sorted {
        d.step(area, rules, f);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use pingan_spatial::projection::EARTH_RADIUS_M;
    use proptest::prelude::*;

    const AREA: Area = Area {
        lon: 118.9,
        lat: 35.0,
        radius_m: 50.0,
    };

    /// A fix `north_m` metres north of the centre (haversine is exact along a meridian).
    fn at(t_s: i64, north_m: f64) -> FixPoint {
        FixPoint {
            at_us: t_s * US_PER_S,
            lon: AREA.lon,
            lat: AREA.lat + (north_m / EARTH_RADIUS_M).to_degrees(),
            accuracy_m: None,
        }
    }

    fn run(fixes: &[FixPoint]) -> Dwell {
        dwell_of(&AREA, &DwellRules::default(), fixes)
    }

    #[test]
    fn parked_for_fifteen_minutes_is_done() {
        let fixes: Vec<_> = (0..=90).map(|k| at(k * 10, 0.0)).collect();
        let d = run(&fixes);
        assert_eq!(d.longest_stay_s(), 900);
        assert_eq!(d.total_inside_s(), 900);
        assert_eq!(d.verdict(&DwellRules::default()), Verdict::Done);
        assert_eq!(d.entered_at_us(), Some(0));
        assert_eq!(d.left_at_us(), None);
        assert_eq!(d.fixes(), 91);
    }

    #[test]
    fn order_and_duplicates_are_reported() {
        let rules = DwellRules::default();
        let mut d = Dwell::default();
        assert_eq!(d.step(&AREA, &rules, &at(10, 0.0)), Step::Counted);
        assert_eq!(d.step(&AREA, &rules, &at(10, 0.0)), Step::Duplicate);
        assert_eq!(d.step(&AREA, &rules, &at(5, 0.0)), Step::OutOfOrder);
        assert_eq!(d.step(&AREA, &rules, &at(20, 0.0)), Step::Counted);
        assert_eq!(d.fixes(), 2);
        assert_eq!(d.total_inside_s(), 10);
        assert_eq!(d.last_at_us(), Some(20 * US_PER_S));
    }

    #[test]
    fn hysteresis_only_once_inside() {
        // 60 m is outside the 50 m radius, but within radius + hysteresis once inside.
        let d = run(&[at(0, 60.0), at(10, 60.0)]);
        assert_eq!(d.verdict(&DwellRules::default()), Verdict::Missed);
        let d = run(&[at(0, 40.0), at(10, 60.0), at(20, 70.0)]);
        assert_eq!(d.total_inside_s(), 20);
        // 80 m is beyond radius + hysteresis.
        let d = run(&[at(0, 40.0), at(10, 80.0)]);
        assert_eq!(d.total_inside_s(), 0);
        assert_eq!(d.verdict(&DwellRules::default()), Verdict::Partial);
    }

    #[test]
    fn accuracy_widens_the_entry_up_to_the_hysteresis() {
        let mut f = at(0, 60.0);
        f.accuracy_m = Some(15.0);
        assert_eq!(run(&[f]).entered_at_us(), Some(0));
        let mut f = at(0, 80.0);
        f.accuracy_m = Some(500.0);
        assert_eq!(run(&[f]).entered_at_us(), None);
    }

    #[test]
    fn a_short_excursion_keeps_the_stay_a_long_one_ends_it() {
        // In for 300 s, out at 310 and 320 (30 s since the last inside fix), back for 300 s.
        let mut fixes: Vec<_> = (0..=30).map(|k| at(k * 10, 0.0)).collect();
        fixes.extend([at(310, 200.0), at(320, 200.0)]);
        fixes.extend((33..=63).map(|k| at(k * 10, 0.0)));
        let d = run(&fixes);
        assert_eq!(d.total_inside_s(), 600);
        assert_eq!(d.longest_stay_s(), 600);
        assert_eq!(d.verdict(&DwellRules::default()), Verdict::Done);
        // The same, out for 90 s: two stays of 300 s.
        let mut fixes: Vec<_> = (0..=30).map(|k| at(k * 10, 0.0)).collect();
        fixes.extend((31..=38).map(|k| at(k * 10, 200.0)));
        fixes.extend((39..=69).map(|k| at(k * 10, 0.0)));
        let d = run(&fixes);
        assert_eq!(d.total_inside_s(), 600);
        assert_eq!(d.longest_stay_s(), 300);
        assert_eq!(d.verdict(&DwellRules::default()), Verdict::Partial);
        assert_eq!(d.left_at_us(), None);
    }

    #[test]
    fn a_long_gap_ends_the_stay_at_the_fix_before_it() {
        let mut fixes: Vec<_> = (0..=30).map(|k| at(k * 10, 0.0)).collect();
        fixes.extend((0..=10).map(|k| at(600 + k * 10, 0.0)));
        let d = run(&fixes);
        assert_eq!(d.longest_stay_s(), 300);
        assert_eq!(d.total_inside_s(), 400);
        let mut d2 = d;
        d2.step(&AREA, &DwellRules::default(), &at(2000, 500.0));
        assert_eq!(d2.left_at_us(), Some(700 * US_PER_S));
    }

    #[test]
    fn verdict_names_round_trip() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
            let json = serde_json::to_string(&v).map_err(|e| e.to_string());
            assert_eq!(json, Ok(format!("\"{}\"", v.as_str())));
        }
        assert_eq!(Verdict::parse("Done"), None);
    }

    #[test]
    fn the_state_survives_json() {
        let d = run(&[at(0, 0.0), at(10, 0.0), at(20, 300.0)]);
        let back: Result<Dwell, _> =
            serde_json::from_str(&serde_json::to_string(&d).unwrap_or_default());
        assert_eq!(back.ok(), Some(d));
    }

    /// A track: (seconds since the previous fix, metres north of the centre).
    fn track() -> impl Strategy<Value = Vec<FixPoint>> {
        prop::collection::vec((1i64..90, 0.0f64..120.0), 0..120).prop_map(|steps| {
            let mut t = 0;
            steps
                .into_iter()
                .map(|(dt, d)| {
                    t += dt;
                    at(t, d)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn parked_at_the_centre_is_done(start in 0i64..1_000_000, every in 1i64..=10) {
            let n = 900 / every;
            let fixes: Vec<_> = (0..=n).map(|k| at(start + k * every, 0.0)).collect();
            let d = run(&fixes);
            prop_assert_eq!(d.verdict(&DwellRules::default()), Verdict::Done);
            prop_assert!(d.longest_stay_s() >= 890 && d.longest_stay_s() <= 900);
        }

        #[test]
        fn boundary_jitter_does_not_split_the_stay(
            jitter in prop::collection::vec(-12.5f64..12.5, 1..100),
        ) {
            let mut fixes = vec![at(0, 0.0)];
            fixes.extend(jitter.iter().enumerate().map(|(k, j)| at(10 * (k as i64 + 1), 50.0 + j)));
            let d = run(&fixes);
            prop_assert_eq!(d.longest_stay_s() as usize, 10 * jitter.len());
            prop_assert_eq!(d.total_inside_s(), d.longest_stay_s());
            prop_assert_eq!(d.left_at_us(), None);
        }

        #[test]
        fn a_gap_never_lengthens_the_longest_stay(fixes in track(), cut in 1usize..120) {
            // Remove fixes from `cut` on until the ones either side are over max_gap_s apart
            // (or none are left after the cut).
            let max_gap = i64::from(DwellRules::default().max_gap_s) * US_PER_S;
            let cut = cut.min(fixes.len());
            let mut holed = fixes.clone();
            while cut < holed.len() && holed[cut].at_us - holed[cut - 1].at_us <= max_gap {
                holed.remove(cut);
            }
            prop_assert!(run(&holed).longest_stay_s() <= run(&fixes).longest_stay_s());
        }

        #[test]
        fn order_of_the_batch_does_not_matter(
            fixes in track(),
            dups in prop::collection::vec(0usize..120, 0..5),
            seed in any::<u64>(),
        ) {
            let mut shuffled = fixes.clone();
            for d in dups {
                if let Some(f) = fixes.get(d) {
                    shuffled.push(*f);
                }
            }
            let sorted = run(&shuffled);
            // A seeded Fisher–Yates shuffle.
            let mut s = seed | 1;
            for i in (1..shuffled.len()).rev() {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                shuffled.swap(i, (s % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(run(&shuffled), sorted);
            prop_assert_eq!(run(&fixes), sorted);
        }

        #[test]
        fn stepping_equals_the_batch(fixes in track()) {
            let rules = DwellRules::default();
            let mut d = Dwell::default();
            for f in &fixes {
                prop_assert_eq!(d.step(&AREA, &rules, f), Step::Counted);
            }
            prop_assert_eq!(d, run(&fixes));
        }

        #[test]
        fn never_near_is_missed(
            steps in prop::collection::vec((1i64..200, 75.01f64..5000.0), 0..80),
            accuracy in prop::option::of(0.0f64..1000.0),
        ) {
            let mut t = 0;
            let fixes: Vec<_> = steps
                .into_iter()
                .map(|(dt, d)| {
                    t += dt;
                    FixPoint { accuracy_m: accuracy, ..at(t, d) }
                })
                .collect();
            let d = run(&fixes);
            prop_assert_eq!(d.verdict(&DwellRules::default()), Verdict::Missed);
            prop_assert_eq!(d.total_inside_s(), 0);
        }

        #[test]
        fn longest_within_total_within_span(fixes in track()) {
            let d = run(&fixes);
            let span = match (fixes.first(), fixes.last()) {
                (Some(a), Some(b)) => (b.at_us - a.at_us) / US_PER_S,
                _ => 0,
            };
            prop_assert!(d.longest_stay_s() <= d.total_inside_s());
            prop_assert!(i64::from(d.total_inside_s()) <= span);
        }
    }
}

//! Time profiles: hour-of-day × day-of-week tables and a weekly trend with unusual-week flags.
//!
//! Times arrive as UTC microseconds; the district's fixed UTC offset (e.g. +08:00 = 28,800 s)
//! turns them into local wall-clock time. Weeks start on Monday 00:00 local time. No time-zone
//! database is consulted (China has no daylight saving time); a caller in a zone with DST would
//! have to split the window at the transitions.
//!
//! Weekly trend: each full week's count is compared with a baseline. The baseline is seasonal
//! when a year of history exists, namely the mean of the same week and its two neighbours 52
//! weeks earlier scaled by the ratio of the last `trailing_weeks` weeks to the same weeks a year
//! earlier; otherwise it is the mean of the previous `trailing_weeks` weeks. A week is unusual
//! when its Poisson-style score `(count − baseline) / sqrt(max(baseline, 1))` reaches
//! `±threshold`. Weeks cut by the window's edges are reported as partial and never flagged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{invalid, AnalyticsError, Result};
use crate::event::{Event, MICROS_PER_DAY};

/// Largest accepted UTC offset magnitude (±18 h, as in ISO 8601).
const MAX_OFFSET_S: i32 = 18 * 3600;

/// A time window `[from, to)` in UTC microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Inclusive start.
    pub from_micros: i64,
    /// Exclusive end.
    pub to_micros: i64,
}

/// Counts by local hour (0–23) and weekday (0 = Monday … 6 = Sunday).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HourDayTable {
    /// `counts[weekday][hour]`.
    pub counts: [[u32; 24]; 7],
    /// Total events in the table.
    pub total: u32,
}

/// Result of [`hour_day_profile`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeProfile {
    /// All events in the window.
    pub all: HourDayTable,
    /// Per offence type (empty type under "").
    pub by_kind: BTreeMap<String, HourDayTable>,
    /// Per town (empty town under "").
    pub by_town: BTreeMap<String, HourDayTable>,
}

fn check_offset(utc_offset_s: i32) -> Result<()> {
    if utc_offset_s.abs() > MAX_OFFSET_S {
        return Err(invalid("utc_offset_s", utc_offset_s, "within ±18 hours"));
    }
    Ok(())
}

fn in_window(events: &[Event], window: Option<Window>) -> Result<Vec<&Event>> {
    if events.is_empty() {
        return Err(AnalyticsError::EmptyInput);
    }
    if let Some(w) = window {
        if w.to_micros <= w.from_micros {
            return Err(invalid(
                "window",
                format!("[{}, {})", w.from_micros, w.to_micros),
                "from < to",
            ));
        }
    }
    let v: Vec<&Event> = events
        .iter()
        .filter(|e| window.is_none_or(|w| e.t_micros >= w.from_micros && e.t_micros < w.to_micros))
        .collect();
    if v.is_empty() {
        let what = window
            .map(|w| format!("[{}, {})", w.from_micros, w.to_micros))
            .unwrap_or_default();
        return Err(AnalyticsError::EmptyWindow { what });
    }
    Ok(v)
}

/// Local weekday (0 = Monday) and hour of a UTC instant.
pub fn local_weekday_hour(t_micros: i64, utc_offset_s: i32) -> (usize, usize) {
    let local = t_micros + i64::from(utc_offset_s) * 1_000_000;
    let day = local.div_euclid(MICROS_PER_DAY);
    let hour = local.rem_euclid(MICROS_PER_DAY) / 3_600_000_000;
    // 1970-01-01 was a Thursday (weekday 3 when Monday is 0).
    ((day + 3).rem_euclid(7) as usize, hour as usize)
}

/// Hour-of-day × day-of-week tables, overall and by type and town.
///
/// # Errors
/// Empty input, an empty or inverted window, or an offset beyond ±18 h.
pub fn hour_day_profile(
    events: &[Event],
    utc_offset_s: i32,
    window: Option<Window>,
) -> Result<TimeProfile> {
    check_offset(utc_offset_s)?;
    let evs = in_window(events, window)?;
    let mut p = TimeProfile {
        all: HourDayTable::default(),
        by_kind: BTreeMap::new(),
        by_town: BTreeMap::new(),
    };
    for e in evs {
        let (d, h) = local_weekday_hour(e.t_micros, utc_offset_s);
        for t in [
            &mut p.all,
            p.by_kind.entry(e.kind.clone()).or_default(),
            p.by_town.entry(e.town.clone()).or_default(),
        ] {
            t.counts[d][h] += 1;
            t.total += 1;
        }
    }
    Ok(p)
}

/// Parameters of [`weekly_trend`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendParams {
    /// The district's UTC offset in seconds (+08:00 = 28,800).
    pub utc_offset_s: i32,
    /// Optional window; without it, the events' own span.
    pub window: Option<Window>,
    /// Weeks in the trailing baseline (1..=52; 8 is a sensible default).
    pub trailing_weeks: u32,
    /// Score at which a week is flagged (> 0; 3 is a sensible default).
    pub threshold: f64,
}

/// One week of the trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekRow {
    /// Monday 00:00 local time of the week, as UTC microseconds.
    pub week_start_micros: i64,
    /// Events in the week (within the window).
    pub count: u32,
    /// Whether the window cuts this week.
    pub partial: bool,
    /// The baseline, when enough history exists.
    pub baseline: Option<f64>,
    /// Whether the baseline is seasonal (a year back) or trailing.
    pub seasonal: bool,
    /// `(count − baseline) / sqrt(max(baseline, 1))`.
    pub score: Option<f64>,
    /// +1 unusually high, −1 unusually low, 0 otherwise.
    pub flag: i8,
}

const WEEK: i64 = 7 * MICROS_PER_DAY;

/// Weekly counts with a baseline and unusual-week flags (see the module docs).
///
/// # Errors
/// Empty input or window, a bad offset, `trailing_weeks` outside 1..=52, a threshold ≤ 0, or a
/// span of more than 20 years.
pub fn weekly_trend(events: &[Event], params: &TrendParams) -> Result<Vec<WeekRow>> {
    check_offset(params.utc_offset_s)?;
    if !(1..=52).contains(&params.trailing_weeks) {
        return Err(invalid("trailing_weeks", params.trailing_weeks, "1..=52"));
    }
    crate::error::positive("threshold", params.threshold)?;
    let evs = in_window(events, params.window)?;
    let off = i64::from(params.utc_offset_s) * 1_000_000;
    let (lo, hi) = match params.window {
        Some(w) => (w.from_micros, w.to_micros),
        None => {
            let lo = evs.iter().map(|e| e.t_micros).min().unwrap_or(0);
            (lo, evs.iter().map(|e| e.t_micros).max().unwrap_or(lo) + 1)
        }
    };
    // Monday 00:00 local on or before `lo`: local day 4 (1970-01-05) was a Monday.
    let monday =
        |t: i64| (t + off - 4 * MICROS_PER_DAY).div_euclid(WEEK) * WEEK + 4 * MICROS_PER_DAY - off;
    let first = monday(lo);
    let n_weeks = ((hi - 1 - first).div_euclid(WEEK) + 1) as usize;
    if n_weeks > 20 * 53 {
        return Err(invalid(
            "window",
            format!("{n_weeks} weeks"),
            "at most 20 years",
        ));
    }
    let mut counts = vec![0u32; n_weeks];
    for e in &evs {
        counts[((e.t_micros - first).div_euclid(WEEK)) as usize] += 1;
    }
    let k = params.trailing_weeks as usize;
    let mean = |a: usize, b: usize| {
        counts[a..b].iter().map(|&c| f64::from(c)).sum::<f64>() / (b - a) as f64
    };
    let rows = (0..n_weeks)
        .map(|w| {
            let start = first + w as i64 * WEEK;
            let partial = start < lo || start + WEEK > hi;
            // Only full weeks feed the baselines: skip the first if partial.
            let first_full = usize::from(first < lo);
            let (baseline, seasonal) = if w >= 53 + first_full && w >= k + 52 + first_full {
                let same = mean(w - 53, w - 50);
                let recent = mean(w - k, w);
                let year_ago = mean(w - k - 52, w - 52);
                let scale = if year_ago > 0.0 {
                    recent / year_ago
                } else {
                    1.0
                };
                (Some(same * scale), true)
            } else if w >= k + first_full {
                (Some(mean(w - k, w)), false)
            } else {
                (None, false)
            };
            let c = counts[w];
            let score = baseline.map(|b| (f64::from(c) - b) / b.max(1.0).sqrt());
            let flag = match score {
                Some(s) if !partial && s >= params.threshold => 1,
                Some(s) if !partial && s <= -params.threshold => -1,
                _ => 0,
            };
            WeekRow {
                week_start_micros: start,
                count: c,
                partial,
                baseline,
                seasonal,
                score,
                flag,
            }
        })
        .collect();
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFSET: i32 = 8 * 3600;
    /// 2024-01-01 00:00 +08:00 (a Monday) in UTC microseconds.
    const MON: i64 = 1_704_038_400_000_000;

    #[test]
    fn weekday_and_hour_use_the_offset() {
        assert_eq!(local_weekday_hour(MON, OFFSET), (0, 0));
        // 2023-12-31 16:30 UTC is Monday 00:30 in Beijing but Sunday in UTC.
        assert_eq!(local_weekday_hour(MON + 1_800_000_000, 0), (6, 16));
        assert_eq!(local_weekday_hour(MON + 1_800_000_000, OFFSET), (0, 0));
        assert_eq!(
            local_weekday_hour(MON + 6 * MICROS_PER_DAY + 23 * 3_600_000_000, OFFSET),
            (6, 23)
        );
    }

    #[test]
    fn profile_groups_by_kind_and_town() {
        let mut a = Event::at(1, 0.0, 0.0, MON + 3_600_000_000 * 21);
        a.kind = "盗窃".into();
        a.town = "西湖".into();
        let mut b = a.clone();
        b.kind = "诈骗".into();
        let p = hour_day_profile(&[a, b], OFFSET, None).expect("profile");
        assert_eq!(p.all.counts[0][21], 2);
        assert_eq!(p.by_kind["盗窃"].total, 1);
        assert_eq!(p.by_town["西湖"].counts[0][21], 2);
        let w = Window {
            from_micros: 0,
            to_micros: 1,
        };
        assert!(matches!(
            hour_day_profile(&p_events(), OFFSET, Some(w)),
            Err(AnalyticsError::EmptyWindow { .. })
        ));
        assert!(hour_day_profile(&[], OFFSET, None).is_err());
    }

    fn p_events() -> Vec<Event> {
        vec![Event::at(1, 0.0, 0.0, MON)]
    }

    #[test]
    fn a_spike_week_is_flagged_with_a_seasonal_baseline() {
        let mut ev = Vec::new();
        let mut id = 0;
        for w in 0..70i64 {
            let n = if w == 60 { 60 } else { 20 };
            for k in 0..n {
                id += 1;
                ev.push(Event::at(id, 0.0, 0.0, MON + w * WEEK + k * 3_600_000_000));
            }
        }
        let window = Window {
            from_micros: MON,
            to_micros: MON + 70 * WEEK,
        };
        let rows = weekly_trend(
            &ev,
            &TrendParams {
                utc_offset_s: OFFSET,
                window: Some(window),
                trailing_weeks: 8,
                threshold: 3.0,
            },
        )
        .expect("trend");
        assert_eq!(rows.len(), 70);
        assert!(rows.iter().all(|r| !r.partial));
        assert_eq!(rows[60].flag, 1);
        assert!(rows[60].seasonal);
        assert_eq!(rows.iter().filter(|r| r.flag != 0).count(), 1);
        assert!(rows[3].baseline.is_none());
    }
}

//! Time profiles: hour of day × day of week (overall, by type, by town) and the weekly trend
//! with unusual-week flags. Part of [`super::compute`], which re-exports everything here.

use super::compute::{engine_error, DEFAULT_UTC_OFFSET_S};
use super::input::{format_time, Input};
use crate::error::AnalyticsError;
use pingan_crimestat::profile::{self, TrendParams, Window};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Parameters of the hour × weekday profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileQuery {
    /// Seconds east of UTC for local hours and weekdays (+08:00 = 28800).
    pub utc_offset_s: i32,
}

impl Default for ProfileQuery {
    fn default() -> Self {
        Self {
            utc_offset_s: DEFAULT_UTC_OFFSET_S,
        }
    }
}

/// Hour of day × day of week, overall, by type and by town.
pub fn profile(input: &Input, q: &ProfileQuery) -> Result<Value, AnalyticsError> {
    let events = input.lonlat_events();
    let p = profile::hour_day_profile(&events, q.utc_offset_s, None)
        .map_err(|e| engine_error(e, input))?;
    Ok(json!({
        "utc_offset_s": q.utc_offset_s,
        "layout": "counts[weekday][hour], weekday 0 = Monday, hour 0-23 local",
        "n_events": p.all.total,
        "all": p.all, "by_type": p.by_kind, "by_town": p.by_town,
    }))
}

/// Parameters of the weekly trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrendQuery {
    pub utc_offset_s: i32,
    /// Weeks in the trailing baseline (used with less than a year of history).
    pub trailing_weeks: u32,
    /// |score| at or above which a week is flagged.
    pub threshold: f64,
}

impl Default for TrendQuery {
    fn default() -> Self {
        Self {
            utc_offset_s: DEFAULT_UTC_OFFSET_S,
            trailing_weeks: 8,
            threshold: 3.0,
        }
    }
}

/// Weekly counts with a seasonal baseline and unusual-week flags. The filter's window (or the
/// events' own span) bounds the weeks; weeks it cuts are marked partial and never flagged.
pub fn trend(
    input: &Input,
    q: &TrendQuery,
    filter_window: (Option<i64>, Option<i64>),
) -> Result<Value, AnalyticsError> {
    let events = input.lonlat_events();
    let window = match filter_window {
        (None, None) => None,
        (from, to) => {
            let lo = events.iter().map(|e| e.t_micros).min().unwrap_or(0);
            let hi = events.iter().map(|e| e.t_micros).max().unwrap_or(0);
            Some(Window {
                from_micros: from.unwrap_or(lo),
                to_micros: to.unwrap_or(hi.saturating_add(1)),
            })
        }
    };
    let rows = profile::weekly_trend(
        &events,
        &TrendParams {
            utc_offset_s: q.utc_offset_s,
            window,
            trailing_weeks: q.trailing_weeks,
            threshold: q.threshold,
        },
    )
    .map_err(|e| engine_error(e, input))?;
    let unusual = rows.iter().filter(|r| r.flag != 0).count();
    let weeks: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "week_start": format_time(r.week_start_micros, q.utc_offset_s),
                "count": r.count, "partial": r.partial, "baseline": r.baseline, "seasonal": r.seasonal,
                "score": r.score, "flag": r.flag,
                "unusual": match r.flag { 1 => "high", -1 => "low", _ => "" },
            })
        })
        .collect();
    Ok(json!({
        "utc_offset_s": q.utc_offset_s, "trailing_weeks": q.trailing_weeks, "threshold": q.threshold,
        "baseline_rule": "the same week ±1 a year earlier scaled by the recent level (seasonal), else the trailing mean; score = (count − baseline) / sqrt(max(baseline, 1))",
        "unusual_weeks": unusual, "weeks": weeks,
    }))
}

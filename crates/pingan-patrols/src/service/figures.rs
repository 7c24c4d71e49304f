//! The programme's figures per day, week or month (and per town): patrol hours, visits planned,
//! done, partial and missed, minutes at hot spots, and the field logs by kind (a corrected log
//! counts once, as its correction).

use crate::domain::logs::LogKind;
use crate::error::{PatrolsError, PatrolsResult};
use crate::store;
use pingan_core::Timestamp;
use pingan_server::AppState;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// The period figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Period::Day),
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            _ => None,
        }
    }
}

/// One period's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct PatrolFigureRow {
    /// The period's first local day, `YYYY-MM-DD`.
    pub period: String,
    pub patrol_hours: f64,
    pub visits_planned: u32,
    pub visits_done: u32,
    pub visits_partial: u32,
    pub visits_missed: u32,
    pub minutes_at_spots: f64,
    /// Field logs by kind code.
    pub logs: BTreeMap<String, u32>,
}

/// The figures of a window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatrolFigures {
    pub rows: Vec<PatrolFigureRow>,
    pub total: PatrolFigureRow,
}

/// The local day (`YYYY-MM-DD`) a period starts on.
fn period_of(t: Timestamp, offset_s: i64, period: Period) -> String {
    use chrono::{Datelike, Duration, NaiveDate};
    let local = chrono::DateTime::from_timestamp_micros(t.micros() + offset_s * 1_000_000)
        .map_or_else(NaiveDate::default, |d| d.date_naive());
    let first = match period {
        Period::Day => local,
        Period::Week => local - Duration::days(i64::from(local.weekday().num_days_from_monday())),
        Period::Month => local.with_day(1).unwrap_or(local),
    };
    first.format("%Y-%m-%d").to_string()
}

/// The figures of `[from, to)` grouped by `period`, for one town if given.
pub async fn figures(
    state: &AppState,
    from: Timestamp,
    to: Timestamp,
    period: Period,
    town: Option<&str>,
) -> PatrolsResult<PatrolFigures> {
    if from >= to {
        return Err(PatrolsError::invalid("from", "must be before to"));
    }
    let offset = pingan_command::service::command(state)
        .config()
        .utc_offset_s;
    let g = state.geography();
    let town_of = |area: &str, lon: f64, lat: f64| -> Option<String> {
        g.feature(area)
            .and_then(|f| f.parent.clone())
            .or_else(|| g.town_at(lon, lat).map(|f| f.id.clone()))
    };
    let mut rows: BTreeMap<String, PatrolFigureRow> = BTreeMap::new();
    let row = |t: Timestamp| -> String { period_of(t, offset, period) };
    for v in store::visits(&state.store, None, None, from, to).await? {
        if v.arrive_at < from
            || town.is_some_and(|t| town_of(&v.area, v.lon, v.lat).as_deref() != Some(t))
        {
            continue;
        }
        let r = rows.entry(row(v.arrive_at)).or_default();
        r.visits_planned += 1;
        match v.status.as_str() {
            "done" => r.visits_done += 1,
            "partial" => r.visits_partial += 1,
            "missed" => r.visits_missed += 1,
            _ => {}
        }
        r.minutes_at_spots += v.inside_s as f64 / 60.0;
    }
    let logs = store::logs(&state.store, None, from, to, 1_000_000).await?;
    let corrected: BTreeSet<&str> = logs.iter().filter_map(|l| l.corrects.as_deref()).collect();
    for l in logs.iter().filter(|l| !corrected.contains(l.id.as_str())) {
        if town.is_some_and(|t| l.town_id.as_deref() != Some(t)) {
            continue;
        }
        let r = rows.entry(row(l.at)).or_default();
        *r.logs.entry(l.kind.as_str().to_owned()).or_default() += 1;
    }
    if town.is_none() {
        let now = state.now();
        for d in store::duties(&state.store, from, to).await? {
            let start = d.start_at.max(from);
            let end = d.end_at.unwrap_or(now).min(to);
            if end > start {
                let r = rows.entry(row(start)).or_default();
                r.patrol_hours += (end.micros() - start.micros()) as f64 / 3.6e9;
            }
        }
    }
    let mut total = PatrolFigureRow {
        period: "total".into(),
        ..PatrolFigureRow::default()
    };
    let rows: Vec<PatrolFigureRow> = rows
        .into_iter()
        .map(|(period, mut r)| {
            r.period = period;
            total.patrol_hours += r.patrol_hours;
            total.visits_planned += r.visits_planned;
            total.visits_done += r.visits_done;
            total.visits_partial += r.visits_partial;
            total.visits_missed += r.visits_missed;
            total.minutes_at_spots += r.minutes_at_spots;
            for (k, n) in &r.logs {
                *total.logs.entry(k.clone()).or_default() += n;
            }
            r
        })
        .collect();
    Ok(PatrolFigures { rows, total })
}

/// The figures as CSV, one column per log kind.
pub fn csv(f: &PatrolFigures) -> String {
    let mut out = String::from(
        "period,patrol_hours,visits_planned,visits_done,visits_partial,visits_missed,minutes_at_spots",
    );
    for k in LogKind::ALL {
        out.push(',');
        out.push_str(k.as_str());
    }
    out.push('\n');
    for r in f.rows.iter().chain(std::iter::once(&f.total)) {
        out.push_str(&format!(
            "{},{:.2},{},{},{},{},{:.1}",
            r.period,
            r.patrol_hours,
            r.visits_planned,
            r.visits_done,
            r.visits_partial,
            r.visits_missed,
            r.minutes_at_spots
        ));
        for k in LogKind::ALL {
            out.push_str(&format!(
                ",{}",
                r.logs.get(k.as_str()).copied().unwrap_or(0)
            ));
        }
        out.push('\n');
    }
    out
}

//! Visits confirmed from the units' GPS alone. Each time a unit's position arrives (the
//! `unit.position` event on the stream, from HTTP, MQTT or an officer's browser), the visits of
//! that unit whose window holds the fix (planned time ± the slack) are worked out again from the
//! stored track; late and out-of-order uploads are therefore counted too. A sweep once a minute
//! gives visits whose window has passed their final verdict (done, partial or missed).

use crate::domain::dwell::{dwell_of, Area, FixPoint, Verdict};
use crate::domain::records::{VisitDwell, VisitRecord};
use crate::error::PatrolsResult;
use crate::service::patrols;
use crate::store;
use pingan_command::service::units as command_units;
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::Timestamp;
use pingan_server::AppState;
use serde_json::json;

/// The stream event when a visit's status changes (`done`, `partial`, `missed`).
pub const VISIT_UPDATED: &str = "patrol.visit.updated";

/// Most fixes read for one visit's window.
const MAX_FIXES: u32 = 20_000;

fn window(v: &VisitRecord, slack_s: i64) -> (Timestamp, Timestamp) {
    (
        v.arrive_at.plus_seconds(-slack_s),
        v.depart_at.plus_seconds(slack_s),
    )
}

/// Works out one visit's dwell from the unit's stored track and stores it.
async fn update(state: &AppState, v: &VisitRecord, now: Timestamp) -> PatrolsResult<VisitDwell> {
    let config = patrols(state).config();
    let (from, to) = window(v, config.slack_s);
    let final_ = to <= now;
    let to = if final_ { to } else { now.plus_seconds(1) };
    let fixes = if from < to {
        command_units::track(state, &v.unit_id, from, to, MAX_FIXES).await?
    } else {
        Vec::new()
    };
    let points: Vec<FixPoint> = fixes
        .iter()
        .map(|f| FixPoint {
            at_us: f.at.micros(),
            lon: f.lon,
            lat: f.lat,
            accuracy_m: f.accuracy_m,
        })
        .collect();
    let area = Area {
        lon: v.lon,
        lat: v.lat,
        radius_m: v.radius_m,
    };
    let d = dwell_of(&area, &config.dwell, &points);
    let verdict = d.verdict(&config.dwell);
    let status = match verdict {
        Verdict::Missed if !final_ => "planned",
        other => other.as_str(),
    };
    let result = VisitDwell {
        status,
        longest_stay_s: i64::from(d.longest_stay_s()),
        inside_s: i64::from(d.total_inside_s()),
        entered_at: d.entered_at_us().map(Timestamp::from_micros),
        left_at: d.left_at_us().map(Timestamp::from_micros),
        final_,
    };
    let unchanged = result.status == v.status
        && result.longest_stay_s == v.longest_stay_s
        && result.inside_s == v.inside_s
        && result.entered_at == v.entered_at
        && result.left_at == v.left_at
        && result.final_ == v.final_;
    // Every fix of a unit outside its stops would otherwise rewrite the same row.
    if !unchanged {
        store::set_dwell(&state.store, v, &result, now).await?;
    }
    if result.status != v.status || result.final_ != v.final_ {
        state
            .publish(StreamEvent::new(
                Topic::Patrols,
                VISIT_UPDATED,
                now,
                json!({ "plan_id": v.plan_id, "unit_id": v.unit_id, "seq": v.seq,
                        "status": result.status, "final": result.final_ }),
            ))
            .await;
    }
    Ok(result)
}

/// A unit's fix at `at` arrived: its visits around that time are worked out again.
pub async fn on_position(state: &AppState, unit: &str, at: Timestamp) -> PatrolsResult<usize> {
    let slack = patrols(state).config().slack_s;
    let visits = store::visits(
        &state.store,
        Some(unit),
        None,
        at.plus_seconds(-slack),
        at.plus_seconds(slack + 1),
    )
    .await?;
    let now = state.now();
    let mut n = 0;
    for v in visits.iter().filter(|v| !v.final_) {
        let (from, to) = window(v, slack);
        if from <= at && at < to {
            update(state, v, now).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// Gives every visit whose window has passed its final verdict. Returns how many.
pub async fn sweep(state: &AppState) -> PatrolsResult<usize> {
    let slack = patrols(state).config().slack_s;
    let now = state.now();
    let visits = store::visits(
        &state.store,
        None,
        None,
        now.plus_seconds(-14 * 86_400),
        now.plus_seconds(-slack),
    )
    .await?;
    let mut n = 0;
    for v in visits
        .iter()
        .filter(|v| !v.final_ && window(v, slack).1 <= now)
    {
        update(state, v, now).await?;
        n += 1;
    }
    Ok(n)
}

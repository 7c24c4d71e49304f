//! The officer's side: signing on to a unit for the shift, the day's visits in order with the
//! next one and its road ETA, the unit's position from the officer's phone (for a car without
//! GPS), the tactics used on a visit, and the field logs.

use crate::domain::logs::{LogDetail, LogKind};
use crate::domain::records::{Duty, LogRecord, VisitRecord};
use crate::error::{PatrolsError, PatrolsResult};
use crate::store;
use pingan_command::domain::incident::Action;
use pingan_command::domain::records::Incident;
use pingan_command::domain::requests::TransitionRequest;
use pingan_command::domain::unit::UnitView;
use pingan_command::service::incidents as command_incidents;
use pingan_command::service::positions::{record_unit_positions, PositionOutcome};
use pingan_command::service::units as command_units;
use pingan_core::Timestamp;
use pingan_server::auth::UserCaller;
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub const DUTY_START: &str = "patrol.duty.start";
pub const DUTY_END: &str = "patrol.duty.end";
pub const LOG: &str = "patrol.log";
pub const TACTICS: &str = "patrol.visit.tactics";

/// The officer's page shows the unit's stops from this long before now to this long after.
const SHIFT_SPAN_S: i64 = 12 * 3600;

/// Signing on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartDuty {
    pub unit_id: String,
}

/// The officer's day, as the phone page shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyDay {
    /// The open duty, if signed on.
    pub duty: Option<Duty>,
    /// The unit, with its status and last position.
    pub unit: Option<UnitView>,
    /// The unit's visits of the published plans from 12 hours before now to 12 hours after (the
    /// shift, across midnight), in time order.
    pub visits: Vec<VisitRecord>,
    /// The index in `visits` of the next visit not yet done.
    pub next: Option<usize>,
    /// Road ETA to the next visit from the unit's last position, seconds.
    pub next_eta_s: Option<f64>,
    /// The unit's field logs since this duty began.
    pub logs: Vec<LogRecord>,
    /// The incident the unit is dispatched to now, if any.
    pub assignment: Option<Incident>,
    pub tactics: Vec<String>,
}

/// The officer's open duty, or a conflict telling them to sign on.
pub async fn require_duty(state: &AppState, caller: &UserCaller) -> PatrolsResult<Duty> {
    store::open_duty(&state.store, &caller.user.username)
        .await?
        .ok_or_else(|| {
            PatrolsError::conflict(
                "not_on_duty",
                "sign on to a unit first (POST /patrols/duty)",
                serde_json::Value::Null,
            )
        })
}

/// Signs the officer on to a unit.
pub async fn start_duty(
    state: &AppState,
    caller: &UserCaller,
    req: StartDuty,
) -> PatrolsResult<MyDay> {
    let unit = command_units::load_unit(state, &req.unit_id)
        .await
        .map_err(|_| {
            PatrolsError::invalid("unit_id", format!("no unit {} is registered", req.unit_id))
        })?;
    let duty = Duty {
        officer: caller.user.username.clone(),
        unit_id: unit.id.to_string(),
        start_at: state.now(),
        end_at: None,
    };
    let entry = caller
        .record(state, DUTY_START)
        .object("unit", Some(unit.id.as_str()))
        .build();
    store::start_duty(&state.store, &duty, vec![entry]).await?;
    state.count_audit(1);
    my_day(state, caller).await
}

/// Signs the officer off.
pub async fn end_duty(state: &AppState, caller: &UserCaller) -> PatrolsResult<MyDay> {
    let duty = require_duty(state, caller).await?;
    let entry = caller
        .record(state, DUTY_END)
        .object("unit", Some(&duty.unit_id))
        .build();
    store::end_duty(
        &state.store,
        &caller.user.username,
        state.now(),
        vec![entry],
    )
    .await?;
    state.count_audit(1);
    my_day(state, caller).await
}

/// The officer's day: duty, unit, today's visits with the next one and its ETA, today's logs.
pub async fn my_day(state: &AppState, caller: &UserCaller) -> PatrolsResult<MyDay> {
    let tactics = crate::service::patrols(state).config().tactics;
    let Some(duty) = store::open_duty(&state.store, &caller.user.username).await? else {
        return Ok(MyDay {
            duty: None,
            unit: None,
            visits: Vec::new(),
            next: None,
            next_eta_s: None,
            logs: Vec::new(),
            assignment: None,
            tactics,
        });
    };
    let now = state.now();
    // The shift, not the calendar day: a night shift runs past midnight.
    let (from, to) = (
        now.plus_seconds(-SHIFT_SPAN_S),
        now.plus_seconds(SHIFT_SPAN_S),
    );
    let unit = command_units::get(state, &duty.unit_id).await?;
    let visits = store::visits(&state.store, Some(&duty.unit_id), None, from, to).await?;
    let next = visits
        .iter()
        .position(|v| v.status != "done" && !v.final_ && v.depart_at > now);
    let next_eta_s = match (next.and_then(|i| visits.get(i)), unit.unit.last_fix) {
        (Some(v), Some(f)) => {
            let router = pingan_command::service::command(state)
                .router(state)
                .await?;
            router
                .route((f.lon, f.lat), (v.lon, v.lat))
                .map(|r| r.eta_s)
        }
        _ => None,
    };
    let logs = store::logs(&state.store, Some(&duty.unit_id), duty.start_at, to, 1000).await?;
    let assignment = match &unit.unit.incident_id {
        Some(id) => Some(command_incidents::load(state, id.as_str()).await?),
        None => None,
    };
    Ok(MyDay {
        duty: Some(duty),
        unit: Some(unit),
        visits,
        next,
        next_eta_s,
        logs,
        assignment,
        tactics,
    })
}

/// The officer's step on the unit's assignment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentStep {
    /// `en_route`, `on_scene` or `clear`.
    #[schema(value_type = String)]
    pub action: Action,
    /// The incident version the officer saw.
    #[serde(default)]
    pub expected_version: Option<i64>,
}

/// Moves the unit's assignment en route, on scene or cleared, as the officer on it (the
/// operator dispatches, closes, cancels and reopens). In the ledger under the officer's name.
pub async fn step_assignment(
    state: &AppState,
    caller: &UserCaller,
    req: AssignmentStep,
) -> PatrolsResult<MyDay> {
    let duty = require_duty(state, caller).await?;
    if !matches!(
        req.action,
        Action::EnRoute | Action::OnScene | Action::Clear
    ) {
        return Err(PatrolsError::invalid(
            "action",
            "an officer moves an assignment en route, on scene or cleared; the operator does the rest",
        ));
    }
    let unit = command_units::load_unit(state, &duty.unit_id).await?;
    let Some(incident) = unit.incident_id else {
        return Err(PatrolsError::conflict(
            "no_assignment",
            format!("unit {} is not dispatched to any incident", duty.unit_id),
            serde_json::Value::Null,
        ));
    };
    command_incidents::apply_transition(
        state,
        caller,
        incident.as_str(),
        TransitionRequest {
            action: req.action,
            unit_id: None,
            reason: None,
            expected_version: req.expected_version,
            unit_version: None,
        },
    )
    .await?;
    my_day(state, caller).await
}

/// The unit's position from the officer's phone: the same checks as a device's fixes.
pub async fn position(
    state: &AppState,
    caller: &UserCaller,
    payload: &[u8],
) -> PatrolsResult<PositionOutcome> {
    let duty = require_duty(state, caller).await?;
    let unit = command_units::load_unit(state, &duty.unit_id).await?;
    Ok(record_unit_positions(state, unit, payload).await?)
}

/// The tactics used on one of the unit's visits.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTactics {
    pub plan_id: String,
    pub seq: i64,
    pub tactics: Vec<String>,
}

/// Records the tactics used on a visit of the officer's unit.
pub async fn set_tactics(
    state: &AppState,
    caller: &UserCaller,
    req: SetTactics,
) -> PatrolsResult<VisitRecord> {
    let duty = require_duty(state, caller).await?;
    let known = crate::service::patrols(state).config().tactics;
    for (i, t) in req.tactics.iter().enumerate() {
        if !known.contains(t) {
            return Err(PatrolsError::invalid(
                format!("tactics[{i}]"),
                format!("{t:?} is not one of {}", known.join(", ")),
            ));
        }
    }
    let visit = find_visit(state, &duty.unit_id, &req.plan_id, req.seq).await?;
    let entry = caller
        .record(state, TACTICS)
        .object("patrol_plan", Some(&req.plan_id))
        .detail(json!({ "unit": duty.unit_id, "seq": req.seq, "tactics": req.tactics }))
        .build();
    store::set_tactics(&state.store, &visit, &req.tactics, state.now(), vec![entry]).await?;
    state.count_audit(1);
    find_visit(state, &duty.unit_id, &req.plan_id, req.seq).await
}

async fn find_visit(
    state: &AppState,
    unit: &str,
    plan: &str,
    seq: i64,
) -> PatrolsResult<VisitRecord> {
    let all = store::visits(
        &state.store,
        None,
        Some(plan),
        Timestamp::from_micros(i64::MIN / 2),
        Timestamp::from_micros(i64::MAX / 2),
    )
    .await?;
    if !all.is_empty() && !all.iter().any(|v| v.unit_id == unit) {
        return Err(PatrolsError::invalid(
            "plan_id",
            format!("plan {plan} gives your unit {unit} no visits"),
        ));
    }
    all.into_iter()
        .find(|v| v.unit_id == unit && v.seq == seq)
        .ok_or_else(|| PatrolsError::NotFound {
            what: "visit",
            id: format!("{plan}/{unit}/{seq}"),
        })
}

/// A field log as the officer sends it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLog {
    pub kind: LogKind,
    /// When it happened (default now); not in the future, not before the duty began.
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub at: Option<String>,
    /// Where (default the unit's last position).
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub detail: LogDetail,
    /// The visit it belongs to, if any: a visit of the officer's own unit.
    #[serde(default)]
    pub plan_id: Option<String>,
    #[serde(default)]
    pub visit_seq: Option<i64>,
    /// The log this one corrects (the unit's own; it then no longer counts).
    #[serde(default)]
    pub corrects: Option<String>,
}

/// Where a log happened: the given point, or the unit's last position.
fn place(
    lon: Option<f64>,
    lat: Option<f64>,
    last: Option<(f64, f64)>,
) -> PatrolsResult<(f64, f64)> {
    let (lon, lat) = match (lon, lat, last) {
        (Some(lon), Some(lat), _) => (lon, lat),
        (None, None, Some(p)) => p,
        (None, None, None) => {
            return Err(PatrolsError::invalid(
                "lon",
                "the unit has no position: give lon and lat",
            ))
        }
        (None, Some(_), _) => return Err(PatrolsError::invalid("lon", "give lon with lat")),
        (Some(_), None, _) => return Err(PatrolsError::invalid("lat", "give lat with lon")),
    };
    if !(-180.0..=180.0).contains(&lon) {
        return Err(PatrolsError::invalid("lon", "a longitude in degrees"));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(PatrolsError::invalid("lat", "a latitude in degrees"));
    }
    Ok((lon, lat))
}

/// Appends a field log for the officer's unit, placed in its town and grid.
pub async fn add_log(
    state: &AppState,
    caller: &UserCaller,
    req: NewLog,
) -> PatrolsResult<LogRecord> {
    let duty = require_duty(state, caller).await?;
    req.detail.check(req.kind)?;
    let now = state.now();
    let at = Timestamp::parse_field("at", req.at.as_deref())?.unwrap_or(now);
    if at > now.plus_seconds(60) {
        return Err(PatrolsError::invalid("at", "is in the future"));
    }
    if at < duty.start_at.plus_seconds(-12 * 3600) {
        return Err(PatrolsError::invalid(
            "at",
            "is long before this duty began",
        ));
    }
    let unit = command_units::load_unit(state, &duty.unit_id).await?;
    let (lon, lat) = place(req.lon, req.lat, unit.last_fix.map(|f| (f.lon, f.lat)))?;
    match (&req.plan_id, req.visit_seq) {
        (Some(p), Some(seq)) => {
            find_visit(state, &duty.unit_id, p, seq).await?;
        }
        (None, None) => {}
        (Some(_), None) => return Err(PatrolsError::invalid("visit_seq", "give it with plan_id")),
        (None, Some(_)) => return Err(PatrolsError::invalid("plan_id", "give it with visit_seq")),
    }
    if let Some(c) = &req.corrects {
        let old = store::log(&state.store, c).await?;
        match old {
            Some(o) if o.unit_id == duty.unit_id => {}
            Some(_) => {
                return Err(PatrolsError::invalid(
                    "corrects",
                    format!("log {c} is another unit's"),
                ))
            }
            None => return Err(PatrolsError::invalid("corrects", format!("no log {c}"))),
        }
    }
    let g = state.geography();
    let id = format!("PL-{}-{}", now.micros(), duty.unit_id);
    let log = LogRecord {
        id: id.clone(),
        at,
        unit_id: duty.unit_id.clone(),
        officer: caller.user.username.clone(),
        kind: req.kind,
        detail: req.detail,
        lon,
        lat,
        town_id: g.town_at(lon, lat).map(|f| f.id.clone()),
        grid_id: g.grid_at(lon, lat).map(|f| f.id.clone()),
        plan_id: req.plan_id,
        visit_seq: req.visit_seq,
        corrects: req.corrects,
        recorded_at: now,
    };
    let entry = caller
        .record(state, LOG)
        .object("patrol_log", Some(&id))
        .detail(json!({ "kind": log.kind, "unit": log.unit_id, "grid": log.grid_id, "corrects": log.corrects }))
        .build();
    store::add_log(&state.store, &log, vec![entry]).await?;
    state.count_audit(1);
    Ok(log)
}

/// Visits of published plans touching `[from, to)`.
pub async fn visits(
    state: &AppState,
    unit: Option<&str>,
    plan: Option<&str>,
    from: Timestamp,
    to: Timestamp,
) -> PatrolsResult<Vec<VisitRecord>> {
    Ok(store::visits(&state.store, unit, plan, from, to).await?)
}

/// Most logs one listing returns.
pub const MAX_LOGS: u32 = 5000;

/// Field logs in `[from, to)`, oldest first.
pub async fn logs(
    state: &AppState,
    unit: Option<&str>,
    from: Timestamp,
    to: Timestamp,
) -> PatrolsResult<Vec<LogRecord>> {
    Ok(store::logs(&state.store, unit, from, to, MAX_LOGS).await?)
}

//! The watch-list (布控): entries created with a purpose and case, approved by a second person,
//! cancelled (撤控) with a reason; and the alerts they raise, acknowledged (签收) with an outcome.
//! An entry matches only once approved, until cancelled, within its validity window.

use crate::auth::{perm, Authorized};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::reads::alert_json;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pingan_core::access::{Permission, Role};
use pingan_core::audit::Outcome;
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::purpose::StatedPurpose;
use pingan_reads::watch::WatchTarget;
use pingan_store::WatchRecord;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

/// Why a vehicle is watched (a fixed list, so reports can count them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WatchReason {
    StolenVehicle,
    WantedPerson,
    MissingPerson,
    HitAndRun,
    CriminalInvestigation,
    Other,
}

impl WatchReason {
    fn as_str(self) -> &'static str {
        match self {
            WatchReason::StolenVehicle => "stolen_vehicle",
            WatchReason::WantedPerson => "wanted_person",
            WatchReason::MissingPerson => "missing_person",
            WatchReason::HitAndRun => "hit_and_run",
            WatchReason::CriminalInvestigation => "criminal_investigation",
            WatchReason::Other => "other",
        }
    }
}

/// Who receives an entry's alerts: roles (the stream delivers to them) and named users
/// (recorded and shown in the alert).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receivers {
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub users: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWatch {
    #[serde(default)]
    pub purpose: Option<StatedPurpose>,
    /// A whole plate (鲁Q12345) or a pattern with `?` (one character) and `*` (any run).
    pub target: String,
    pub reason: WatchReason,
    /// Start of validity (µs); now when absent.
    #[serde(default)]
    pub valid_from: Option<i64>,
    /// End of validity (µs), at most 90 days after the start.
    pub valid_to: i64,
    #[serde(default)]
    pub receivers: Receivers,
    #[serde(default)]
    pub note: Option<String>,
}

/// Longest validity of one entry; longer watching needs a new entry and a new approval.
pub const MAX_WATCH_DAYS: i64 = 90;

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchDto {
    pub id: i64,
    pub target: String,
    pub reason: String,
    pub case_ref: String,
    pub note: Option<String>,
    pub valid_from: i64,
    pub valid_to: i64,
    #[schema(value_type = Object)]
    pub receivers: Value,
    pub created_by: String,
    pub created_at: i64,
    pub approved_by: Option<String>,
    pub approved_at: Option<i64>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    /// pending | active | expired | cancelled
    pub status: &'static str,
}

fn dto(w: WatchRecord, now: i64) -> WatchDto {
    let status = if w.cancelled_at.is_some() {
        "cancelled"
    } else if w.approved_at.is_none() {
        "pending"
    } else if now >= w.valid_to {
        "expired"
    } else {
        "active"
    };
    WatchDto {
        id: w.id,
        target: w.target,
        reason: w.reason,
        case_ref: w.case_ref,
        note: w.note,
        valid_from: w.valid_from,
        valid_to: w.valid_to,
        receivers: w.receivers,
        created_by: w.created_by,
        created_at: w.created_at,
        approved_by: w.approved_by,
        approved_at: w.approved_at,
        cancelled_by: w.cancelled_by,
        cancelled_at: w.cancelled_at,
        cancel_reason: w.cancel_reason,
        status,
    }
}

/// Every entry, newest first.
#[utoipa::path(get, path = "/watchlist", tag = "watchlist", responses((status = 200, body = Vec<WatchDto>)))]
pub async fn list_watch(
    State(state): State<AppState>,
    _caller: Authorized<perm::HandleAlerts>,
) -> ApiResult<Json<Vec<WatchDto>>> {
    let now = state.now().micros();
    Ok(Json(
        state
            .store
            .watch_entries()
            .await?
            .into_iter()
            .map(|w| dto(w, now))
            .collect(),
    ))
}

/// Creates a pending entry; it matches once another person approves it.
#[utoipa::path(post, path = "/watchlist", tag = "watchlist", request_body = CreateWatch,
    responses((status = 201, body = WatchDto), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn create_watch(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageWatchlist>,
    ApiJson(req): ApiJson<CreateWatch>,
) -> ApiResult<(StatusCode, Json<WatchDto>)> {
    let purpose = caller
        .require_purpose(&state, Permission::ManageWatchlist, req.purpose.as_ref())
        .await?;
    let case_ref = purpose.reference.clone().ok_or_else(|| {
        ApiError::invalid(
            "purpose.reference",
            "a watch-list entry needs a case reference",
        )
    })?;
    let target =
        WatchTarget::parse(&req.target).map_err(|e| ApiError::invalid("target", e.to_string()))?;
    let target_text = match &target {
        WatchTarget::Plate(p) => p.as_str().to_owned(),
        WatchTarget::Pattern(p) => p.as_str().to_owned(),
    };
    let now = state.now().micros();
    let valid_from = req.valid_from.unwrap_or(now);
    if req.valid_to <= valid_from || req.valid_to <= now {
        return Err(ApiError::invalid(
            "valid_to",
            "must be later than valid_from and now",
        ));
    }
    if req.valid_to - valid_from > MAX_WATCH_DAYS * 86_400_000_000 {
        return Err(ApiError::invalid(
            "valid_to",
            format!("at most {MAX_WATCH_DAYS} days of validity"),
        ));
    }
    if let Some(n) = &req.note {
        if n.chars().count() > 500 {
            return Err(ApiError::invalid("note", "at most 500 characters"));
        }
    }
    let roles = if req.receivers.roles.is_empty() {
        vec![Role::Operator, Role::Investigator]
    } else {
        req.receivers.roles.clone()
    };
    if let Some(r) = roles.iter().find(|r| !r.may(Permission::HandleAlerts)) {
        return Err(ApiError::invalid(
            "receivers.roles",
            format!("the {r} role cannot receive alerts"),
        ));
    }
    // A random 46-bit id: numeric because the matcher keys entries by integer.
    let id = crate::auth::new_id("")
        .get(..12)
        .and_then(|h| i64::from_str_radix(h, 16).ok())
        .unwrap_or(now)
        & 0x3FFF_FFFF_FFFF;
    let w = WatchRecord {
        id,
        target: target_text,
        reason: req.reason.as_str().to_owned(),
        case_ref,
        note: req.note.clone(),
        valid_from,
        valid_to: req.valid_to,
        receivers: json!({ "roles": roles, "users": req.receivers.users }),
        created_by: caller.user.username.clone(),
        created_at: now,
        approved_by: None,
        approved_at: None,
        cancelled_by: None,
        cancelled_at: None,
        cancel_reason: None,
    };
    state.store.create_watch(&w).await?;
    state
        .audit(vec![caller.purposed(
            &state,
            "watchlist.create",
            "watch_entry",
            Some(&id.to_string()),
            &purpose,
            json!({ "target": w.target, "reason": w.reason, "valid_from": valid_from, "valid_to": w.valid_to }),
        )])
        .await?;
    let body = dto(w, now);
    announce(&state, "watchlist.created", now, &body).await;
    Ok((StatusCode::CREATED, Json(body)))
}

/// Approves another person's pending entry; it starts matching at once.
#[utoipa::path(post, path = "/watchlist/{id}/approve", tag = "watchlist", params(("id" = i64, Path)),
    responses((status = 200, body = WatchDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn approve_watch(
    State(state): State<AppState>,
    caller: Authorized<perm::ApproveWatchlist>,
    Path(id): Path<i64>,
) -> ApiResult<Json<WatchDto>> {
    let current = state.store.watch_entry(id).await?;
    if current.created_by == caller.user.username {
        return Err(ApiError::Forbidden(
            "the approver must be a different person from the creator".into(),
        ));
    }
    let now = state.now().micros();
    let w = state
        .store
        .approve_watch(id, &caller.user.username, now)
        .await?
        .ok_or_else(|| ApiError::Conflict(format!("watch-list entry {id} is not pending")))?;
    state.plates.apply_watch(&w);
    state
        .audit(vec![caller.entry(
            &state,
            "watchlist.approve",
            "watch_entry",
            Some(&id.to_string()),
            Outcome::Success,
            json!({ "created_by": w.created_by, "case_ref": w.case_ref }),
        )])
        .await?;
    let body = dto(w, now);
    announce(&state, "watchlist.approved", now, &body).await;
    Ok(Json(body))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelWatch {
    pub reason: String,
}

/// Cancels (撤控) an entry; it stops matching at once.
#[utoipa::path(post, path = "/watchlist/{id}/cancel", tag = "watchlist", params(("id" = i64, Path)), request_body = CancelWatch,
    responses((status = 200, body = WatchDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn cancel_watch(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageWatchlist>,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CancelWatch>,
) -> ApiResult<Json<WatchDto>> {
    let n = req.reason.trim().chars().count();
    if n == 0 || n > 500 {
        return Err(ApiError::invalid("reason", "must be 1–500 characters"));
    }
    let now = state.now().micros();
    state.store.watch_entry(id).await?;
    let w = state
        .store
        .cancel_watch(id, &caller.user.username, now, req.reason.trim())
        .await?
        .ok_or_else(|| ApiError::Conflict(format!("watch-list entry {id} is already cancelled")))?;
    state.plates.apply_watch(&w);
    state
        .audit(vec![caller.entry(
            &state,
            "watchlist.cancel",
            "watch_entry",
            Some(&id.to_string()),
            Outcome::Success,
            json!({ "reason": w.cancel_reason, "case_ref": w.case_ref }),
        )])
        .await?;
    let body = dto(w, now);
    announce(&state, "watchlist.cancelled", now, &body).await;
    Ok(Json(body))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertParams {
    /// Only unacknowledged alerts.
    #[serde(default)]
    pub open: bool,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Alerts, newest first.
#[utoipa::path(get, path = "/alerts", tag = "watchlist", params(AlertParams), responses((status = 200, body = Object)))]
pub async fn list_alerts(
    State(state): State<AppState>,
    _caller: Authorized<perm::HandleAlerts>,
    ApiQuery(p): ApiQuery<AlertParams>,
) -> ApiResult<Json<Vec<Value>>> {
    let rows = state.store.alerts(p.open, p.limit.unwrap_or(200)).await?;
    // Each alert with the entry it hit, as the stream shows it (the list is short).
    let entries: std::collections::HashMap<i64, Value> = state
        .store
        .watch_entries()
        .await?
        .into_iter()
        .map(|w| {
            let entry = json!({ "target": w.target, "reason": w.reason, "case_ref": w.case_ref });
            (w.id, entry)
        })
        .collect();
    Ok(Json(
        rows.iter()
            .map(|a| alert_json(a, entries.get(&a.entry_id).cloned()))
            .collect(),
    ))
}

/// What came of an alert.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertOutcome {
    Intercepted,
    NotFound,
    FalseMatch,
    Misread,
    Other,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckAlert {
    pub outcome: AlertOutcome,
    #[serde(default)]
    pub note: Option<String>,
}

/// Acknowledges (签收) an alert with its outcome.
#[utoipa::path(post, path = "/alerts/{id}/ack", tag = "watchlist", params(("id" = String, Path)), request_body = AckAlert,
    responses((status = 200, body = Object), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn ack_alert(
    State(state): State<AppState>,
    caller: Authorized<perm::HandleAlerts>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AckAlert>,
) -> ApiResult<Json<Value>> {
    if req.note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(ApiError::invalid("note", "at most 500 characters"));
    }
    let outcome = serde_json::to_value(req.outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let now = state.now();
    let a = state
        .store
        .ack_alert(
            &id,
            &caller.user.username,
            now.micros(),
            &outcome,
            req.note.as_deref(),
        )
        .await?
        .ok_or_else(|| ApiError::Conflict(format!("alert {id} is already acknowledged")))?;
    state
        .audit(vec![caller.entry(
            &state,
            "alert.ack",
            "alert",
            Some(&id),
            Outcome::Success,
            json!({ "outcome": outcome }),
        )])
        .await?;
    let body = alert_json(&a, None);
    state
        .publish(StreamEvent::new(
            Topic::Alerts,
            "watchlist.ack",
            now,
            body.clone(),
        ))
        .await;
    Ok(Json(body))
}

/// Tells alert handlers (the `alerts` topic) that the watch-list changed, so their lists follow.
async fn announce(state: &AppState, kind: &str, now_us: i64, entry: &WatchDto) {
    let data = serde_json::to_value(entry).unwrap_or_default();
    state
        .publish(StreamEvent::new(
            Topic::Alerts,
            kind,
            pingan_core::Timestamp(now_us),
            data,
        ))
        .await;
}

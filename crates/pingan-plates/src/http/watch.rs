//! The watch-list and its alerts over HTTP.

use super::Result;
use crate::domain::watch::{alert_json, Receivers, WatchDraft, WatchReason, WatchView};
use crate::service::Plates;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pingan_core::purpose::StatedPurpose;
use pingan_server::auth::{perm, Authorized};
use pingan_server::capability::Part;
use pingan_server::error::Problem;
use pingan_server::extract::{ApiJson, ApiQuery};
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWatch {
    #[serde(default)]
    #[schema(value_type = Option<pingan_server::schema::StatedPurpose>)]
    pub purpose: Option<StatedPurpose>,
    /// A whole plate (鲁Q12345) or a pattern with `?` (one character) and `*` (any run).
    pub target: String,
    pub reason: WatchReason,
    /// Start of validity (UTC µs or RFC 3339); now when absent.
    #[serde(default, deserialize_with = "pingan_core::time::de::micros_opt")]
    pub valid_from: Option<i64>,
    /// End of validity (UTC µs or RFC 3339), at most 90 days after the start.
    #[serde(deserialize_with = "pingan_core::time::de::micros")]
    pub valid_to: i64,
    #[serde(default)]
    pub receivers: Receivers,
    #[serde(default)]
    pub note: Option<String>,
}

/// Every entry, newest first.
#[utoipa::path(get, path = "/watchlist", tag = "watchlist", responses((status = 200, body = Vec<WatchView>)))]
pub async fn list_watch(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    _caller: Authorized<perm::HandleAlerts>,
) -> Result<Json<Vec<WatchView>>> {
    Ok(Json(plates.watch_entries(&state).await?))
}

/// Creates a pending entry; it matches once another person approves it.
#[utoipa::path(post, path = "/watchlist", tag = "watchlist", request_body = CreateWatch,
    responses((status = 201, body = WatchView), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn create_watch(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::ManageWatchlist>,
    ApiJson(req): ApiJson<CreateWatch>,
) -> Result<(StatusCode, Json<WatchView>)> {
    let draft = WatchDraft {
        target: req.target,
        reason: req.reason,
        valid_from: req.valid_from,
        valid_to: req.valid_to,
        receivers: req.receivers,
        note: req.note,
    };
    let view = plates
        .create_watch(&state, &caller, req.purpose.as_ref(), &draft)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A watch-list entry's id from the path: a problem naming `id` when it is not a number (not
/// the framework's plain-text refusal).
fn entry_id(text: &str) -> Result<i64> {
    text.parse::<i64>().map_err(|_| {
        pingan_server::error::ApiError::invalid(
            "id",
            format!("{text:?} is not a watch-list entry id (a whole number)"),
        )
    })
}

/// Approves another person's pending entry; it starts matching at once.
#[utoipa::path(post, path = "/watchlist/{id}/approve", tag = "watchlist", params(("id" = i64, Path)),
    responses((status = 200, body = WatchView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approve_watch(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::ApproveWatchlist>,
    Path(id): Path<String>,
) -> Result<Json<WatchView>> {
    let id = entry_id(&id)?;
    Ok(Json(plates.approve_watch(&state, &caller, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelWatch {
    pub reason: String,
}

/// Cancels (撤控) an entry; it stops matching at once.
#[utoipa::path(post, path = "/watchlist/{id}/cancel", tag = "watchlist", params(("id" = i64, Path)), request_body = CancelWatch,
    responses((status = 200, body = WatchView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel_watch(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::ManageWatchlist>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CancelWatch>,
) -> Result<Json<WatchView>> {
    let id = entry_id(&id)?;
    Ok(Json(
        plates
            .cancel_watch(&state, &caller, id, &req.reason)
            .await?,
    ))
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
#[utoipa::path(get, path = "/alerts", tag = "watchlist", params(AlertParams), responses((status = 200, body = Vec<Object>)))]
pub async fn list_alerts(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    _caller: Authorized<perm::HandleAlerts>,
    ApiQuery(p): ApiQuery<AlertParams>,
) -> Result<Json<Vec<Value>>> {
    Ok(Json(
        plates
            .alerts(&state, p.open, p.limit.unwrap_or(200))
            .await?,
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

impl AlertOutcome {
    fn as_str(self) -> &'static str {
        match self {
            AlertOutcome::Intercepted => "intercepted",
            AlertOutcome::NotFound => "not_found",
            AlertOutcome::FalseMatch => "false_match",
            AlertOutcome::Misread => "misread",
            AlertOutcome::Other => "other",
        }
    }
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
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn ack_alert(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::HandleAlerts>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AckAlert>,
) -> Result<Json<Value>> {
    let a = plates
        .ack_alert(
            &state,
            &caller,
            &id,
            req.outcome.as_str(),
            req.note.as_deref(),
        )
        .await?;
    Ok(Json(alert_json(&a, None)))
}

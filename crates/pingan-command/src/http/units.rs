//! Response units over HTTP: the roster, hand-set statuses, GPS positions (HTTP and MQTT end in
//! [`crate::service::positions::record_positions`]), tracks; the use cases are in
//! [`crate::service::units`].
//!
//! # Positions
//! A position report is one fix or `{"fixes": [...]}` (up to 500, for devices that buffer while
//! out of coverage). Each fix is classified against the unit's last known fix
//! ([`crate::domain::unit::classify_fix`]):
//! - *current* (newer): stored in the track; the newest becomes the last known position and is
//!   published on the `units` stream;
//! - *late* (older than the last known fix, an out-of-order upload): stored in the track only;
//!   the live position never jumps back;
//! - *duplicate* (a fix with the same unit and time is already stored): ignored, reported;
//! - *refused*: bad numbers, older than `fix_max_age_s` (stale) or ahead of the server's clock;
//!   a single fix is answered with 400 naming the field, a batch reports each refused fix and
//!   keeps the others (so one bad fix does not make a device retry its whole buffer for ever).
//!
//! A unit is shown as `position_stale` when its last fix is older than `position_stale_after_s`.
//! Positions are telemetry: they go to the stream, not to the audit ledger.
//!
//! # Routing
//! [`crate::CommandState`] keeps a road-network router built from the geography in force. It is
//! rebuilt lazily (off the async workers) the first time it is needed after the geography is
//! replaced: the cache remembers which geography it was built from, so no hook in the import
//! path is needed.

use crate::domain::requests::{CreateUnit, SetStatus};
use crate::domain::unit::{Fix, UnitView};
use crate::service::positions::{record_positions, PositionBatch, PositionOutcome};
use crate::service::units as uc;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pingan_core::access::Permission;
use pingan_server::auth::{perm, Authorized, DeviceCaller, UserCaller};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::{parse_time, ApiJson, ApiQuery};
use pingan_server::AppState;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit))
        .routes(routes!(set_status))
        .routes(routes!(track))
        .routes(routes!(ingest_position))
}

/// All units with their last known positions (the map's unit layer).
#[utoipa::path(get, path = "/units", tag = "units", responses((status = 200, body = Vec<UnitView>)))]
pub async fn list_units(
    State(state): State<AppState>,
    caller: UserCaller,
) -> ApiResult<Json<Vec<UnitView>>> {
    caller.require(&state, Permission::ViewMap).await?;
    Ok(Json(uc::list(&state).await?))
}

/// Registers a unit.
#[utoipa::path(post, path = "/units", tag = "units", request_body = CreateUnit,
    responses((status = 201, body = UnitView), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn create_unit(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    ApiJson(req): ApiJson<CreateUnit>,
) -> ApiResult<(StatusCode, Json<UnitView>)> {
    let unit = uc::create(&state, &caller, req).await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

/// One unit.
#[utoipa::path(get, path = "/units/{id}", tag = "units", params(("id" = String, Path)),
    responses((status = 200, body = UnitView), (status = 404, body = pingan_server::error::Problem)))]
pub async fn get_unit(
    State(state): State<AppState>,
    caller: UserCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<UnitView>> {
    caller.require(&state, Permission::ViewMap).await?;
    Ok(Json(uc::get(&state, &id).await?))
}

/// Sets a unit's status by hand. Statuses that come from incidents (dispatched, en route, on
/// scene) cannot be set here, and a unit assigned to an incident is released only through the
/// incident (clear or cancel): 409 `unit_assigned` with the unit in `current`.
#[utoipa::path(put, path = "/units/{id}/status", tag = "units", params(("id" = String, Path)), request_body = SetStatus,
    responses((status = 200, body = UnitView), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn set_status(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SetStatus>,
) -> ApiResult<Json<UnitView>> {
    Ok(Json(uc::set_status(&state, &caller, &id, req).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrackQuery {
    /// RFC 3339 or UTC microseconds; default one hour before `to`.
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub from: Option<String>,
    /// RFC 3339 or UTC microseconds; default now.
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub to: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A unit's GPS track, oldest first.
#[utoipa::path(get, path = "/units/{id}/track", tag = "units", params(("id" = String, Path), TrackQuery),
    responses((status = 200, body = Vec<Fix>), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem)))]
pub async fn track(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadIncidents>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TrackQuery>,
) -> ApiResult<Json<Vec<Fix>>> {
    let to = parse_time("to", &q.to)?.unwrap_or_else(|| state.now());
    let from = parse_time("from", &q.from)?.unwrap_or_else(|| to.minus_seconds(3600));
    let limit = q.limit.unwrap_or(10_000).min(100_000);
    Ok(Json(uc::track(&state, &id, from, to, limit).await?))
}

/// A unit's GPS reports its position (one fix or a batch).
#[utoipa::path(post, path = "/ingest/position", tag = "ingest", request_body = PositionBatch,
    security(("device_key" = [])),
    responses((status = 200, body = PositionOutcome), (status = 400, body = pingan_server::error::Problem),
        (status = 401, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem)))]
pub async fn ingest_position(
    State(state): State<AppState>,
    caller: DeviceCaller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<PositionOutcome>> {
    let bytes = serde_json::to_vec(&body).map_err(ApiError::internal)?;
    Ok(Json(
        record_positions(&state, &caller.device, &bytes).await?,
    ))
}

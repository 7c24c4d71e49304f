//! Response units: the roster, hand-set statuses, GPS positions (HTTP and MQTT end in
//! [`record_positions`]), tracks, and the dispatch recommendation over the road network.
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
//! [`CommandState`] keeps a road-network [`Router`] built from the geography in force. It is
//! rebuilt lazily (off the async workers) the first time it is needed after the geography is
//! replaced: the cache remembers which geography it was built from, so no hook in the import
//! path is needed.

use crate::domain::names::{Action, Event};
use crate::domain::records::{CommandStore, NewUnit};
use crate::domain::unit::{check_unit_text, Fix, Unit, UnitId, UnitKind, UnitStatus};
use crate::service::CommandConfig;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use pingan_core::account::DeviceKind;
use pingan_core::audit::Outcome;
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::ids::{check_id, DeviceId};
use pingan_core::ports::DeviceStore;
use pingan_core::Timestamp;
use pingan_server::auth::{perm, Authorized, DeviceCaller, UserCaller};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::{parse_time, ApiJson, ApiQuery};
use pingan_server::AppState;
use pingan_spatial::projection::haversine_m;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
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

/// A unit with the freshness of its position.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitView {
    #[serde(flatten)]
    pub unit: Unit,
    /// True when the unit has no position or its last fix is older than the stale limit.
    pub position_stale: bool,
    /// Seconds since the last fix.
    pub last_fix_age_s: Option<i64>,
}

pub fn view(unit: Unit, now: Timestamp, config: &CommandConfig) -> UnitView {
    let age = unit
        .last_fix
        .map(|f| (now.micros() - f.at.micros()).div_euclid(1_000_000));
    UnitView {
        position_stale: age.is_none_or(|a| a > config.position_stale_after_s),
        last_fix_age_s: age,
        unit,
    }
}

/// All units with their last known positions (the map's unit layer).
#[utoipa::path(get, path = "/units", tag = "units", responses((status = 200, body = Vec<UnitView>)))]
pub async fn list_units(
    State(state): State<AppState>,
    caller: UserCaller,
) -> ApiResult<Json<Vec<UnitView>>> {
    caller
        .require(&state, pingan_core::access::Permission::ViewMap)
        .await?;
    let config = crate::service::command(&state).config();
    let now = state.now();
    let units = state.store.units(None).await?;
    Ok(Json(
        units.into_iter().map(|u| view(u, now, &config)).collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUnit {
    pub id: String,
    pub call_sign: String,
    pub kind: UnitKind,
    #[serde(default)]
    pub crew: Vec<String>,
    pub agency: String,
    /// The unit's GPS device (a registered device of kind `unit`).
    #[serde(default)]
    pub device_id: Option<String>,
    /// `available` (default), `on_patrol`, `busy` or `off_duty`.
    #[serde(default)]
    pub status: Option<UnitStatus>,
}

/// Registers a unit.
#[utoipa::path(post, path = "/units", tag = "units", request_body = CreateUnit,
    responses((status = 201, body = UnitView), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn create_unit(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    ApiJson(req): ApiJson<CreateUnit>,
) -> ApiResult<(StatusCode, Json<UnitView>)> {
    check_id("id", &req.id)?;
    check_unit_text(&req.call_sign, &req.crew, &req.agency)?;
    let status = req.status.unwrap_or(UnitStatus::Available);
    if status.is_assignment() {
        return Err(ApiError::invalid(
            "status",
            "dispatched, en_route and on_scene come from incidents; use available, on_patrol, busy or off_duty",
        ));
    }
    let device_id = match &req.device_id {
        Some(d) => {
            check_id("device_id", d)?;
            let id = DeviceId(d.clone());
            let device = state
                .store
                .devices(std::slice::from_ref(&id))
                .await?
                .into_iter()
                .next();
            match device {
                Some(dev) if dev.kind == DeviceKind::Unit => Some(id),
                Some(dev) => {
                    return Err(ApiError::invalid(
                        "device_id",
                        format!("device {d} is a {}, not a unit GPS", dev.kind.as_str()),
                    ))
                }
                None => {
                    return Err(ApiError::invalid(
                        "device_id",
                        format!("no device {d} is registered"),
                    ))
                }
            }
        }
        None => None,
    };
    let now = state.now();
    let call_sign = req.call_sign.trim().to_owned();
    let entry = caller.entry(
        &state,
        &Action::CreateUnit.name(),
        "unit",
        Some(&req.id),
        Outcome::Success,
        serde_json::json!({ "call_sign": call_sign, "kind": req.kind, "device_id": device_id }),
    );
    let unit = state
        .store
        .create_unit(
            &NewUnit {
                id: UnitId(req.id),
                call_sign,
                kind: req.kind,
                crew: req.crew.iter().map(|c| c.trim().to_owned()).collect(),
                agency: req.agency.trim().to_owned(),
                status,
                device_id,
                created_at: now,
            },
            vec![entry],
        )
        .await?;
    state.count_audit(1);
    publish_unit(&state, Event::UnitCreated, &unit).await;
    Ok((
        StatusCode::CREATED,
        Json(view(unit, now, &crate::service::command(&state).config())),
    ))
}

pub(crate) async fn load_unit(state: &AppState, id: &str) -> ApiResult<Unit> {
    let id = UnitId::new(id);
    state
        .store
        .units(Some(std::slice::from_ref(&id)))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::NotFound {
            what: "unit",
            id: id.to_string(),
        })
}

/// One unit.
#[utoipa::path(get, path = "/units/{id}", tag = "units", params(("id" = String, Path)),
    responses((status = 200, body = UnitView), (status = 404, body = pingan_server::error::Problem)))]
pub async fn get_unit(
    State(state): State<AppState>,
    caller: UserCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<UnitView>> {
    caller
        .require(&state, pingan_core::access::Permission::ViewMap)
        .await?;
    let unit = load_unit(&state, &id).await?;
    Ok(Json(view(
        unit,
        state.now(),
        &crate::service::command(&state).config(),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    /// `available`, `on_patrol`, `busy` or `off_duty`.
    pub status: UnitStatus,
    /// The unit version the operator saw; a stale one is answered with 409 and the unit.
    #[serde(default)]
    pub expected_version: Option<i64>,
}

/// A 409 problem carrying the current state of what moved.
pub fn conflict_response(
    code: &'static str,
    detail: String,
    current: serde_json::Value,
) -> Response {
    ApiError::Stale {
        code,
        detail,
        current,
    }
    .into_response()
}

/// Sets a unit's status by hand. Statuses that come from incidents (dispatched, en route, on
/// scene) cannot be set here, and a unit assigned to an incident is released only through the
/// incident (clear or cancel).
#[utoipa::path(put, path = "/units/{id}/status", tag = "units", params(("id" = String, Path)), request_body = SetStatus,
    responses((status = 200, body = UnitView), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = Object)))]
pub async fn set_status(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SetStatus>,
) -> ApiResult<Response> {
    if req.status.is_assignment() {
        return Err(ApiError::invalid(
            "status",
            "dispatched, en_route and on_scene are set through the incident's transitions",
        ));
    }
    let unit = load_unit(&state, &id).await?;
    let config = crate::service::command(&state).config();
    let now = state.now();
    if let Some(inc) = &unit.incident_id {
        return Ok(conflict_response(
            "unit_assigned",
            format!(
                "unit {} is assigned to incident {inc}; clear or cancel it there",
                unit.id
            ),
            serde_json::to_value(view(unit, now, &config)).unwrap_or_default(),
        ));
    }
    let expected = req.expected_version.unwrap_or(unit.version);
    let entry = caller.entry(
        &state,
        &Action::SetUnitStatus.name(),
        "unit",
        Some(unit.id.as_str()),
        Outcome::Success,
        serde_json::json!({ "from": unit.status, "to": req.status }),
    );
    let updated = match state
        .store
        .set_unit_status(&unit.id, expected, req.status, now, vec![entry])
        .await
    {
        Ok(u) => {
            state.count_audit(1);
            u
        }
        Err(pingan_core::StoreError::Conflict { detail, .. }) => {
            let current = load_unit(&state, &id).await?;
            return Ok(conflict_response(
                "conflict",
                format!("unit {id} was changed meanwhile: {detail}"),
                serde_json::to_value(view(current, now, &config)).unwrap_or_default(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    publish_unit(&state, Event::UnitStatus, &updated).await;
    Ok(Json(view(updated, now, &config)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrackQuery {
    /// RFC 3339; default one hour before `to`.
    #[serde(default)]
    pub from: Option<String>,
    /// RFC 3339; default now.
    #[serde(default)]
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
    if from >= to {
        return Err(ApiError::invalid("from", "must be before to"));
    }
    let unit = load_unit(&state, &id).await?;
    Ok(Json(
        state
            .store
            .track(&unit.id, from, to, q.limit.unwrap_or(10_000).min(100_000))
            .await?,
    ))
}

/// One GPS fix as a device sends it.
/// A unit's GPS reports its position (one fix or a batch).
#[utoipa::path(post, path = "/ingest/position", tag = "ingest", request_body = crate::service::positions::PositionBatch,
    security(("device_key" = [])),
    responses((status = 200, body = crate::service::positions::PositionOutcome), (status = 400, body = pingan_server::error::Problem),
        (status = 401, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem)))]
pub async fn ingest_position(
    State(state): State<AppState>,
    caller: DeviceCaller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<crate::service::positions::PositionOutcome>> {
    let bytes = serde_json::to_vec(&body).map_err(ApiError::internal)?;
    Ok(Json(
        crate::service::positions::record_positions(&state, &caller.device, &bytes).await?,
    ))
}

/// Announces a unit's status or position on the `units` stream.
pub(crate) async fn publish_unit(state: &AppState, kind: Event, unit: &Unit) {
    state
        .publish(StreamEvent::new(
            Topic::Units,
            kind.as_str(),
            state.now(),
            serde_json::to_value(unit).unwrap_or_default(),
        ))
        .await;
}

/// One recommended unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recommendation {
    pub unit: UnitView,
    pub eta_s: f64,
    pub distance_m: f64,
    /// True when the ETA is a straight line (the unit is off the road network, or no road
    /// connects it); the road distance is then unknown.
    pub off_network: bool,
    /// Straight-line distance, for reference.
    pub straight_m: f64,
}

/// The dispatchable units (available or on patrol, with a position), ranked by travel time to
/// `(lon, lat)` over the road network, fastest first.
pub async fn recommend(
    state: &AppState,
    lon: f64,
    lat: f64,
    limit: usize,
) -> ApiResult<Vec<Recommendation>> {
    let config = crate::service::command(state).config();
    let now = state.now();
    let units: Vec<Unit> = state
        .store
        .units(None)
        .await?
        .into_iter()
        .filter(|u| u.status.is_dispatchable() && u.incident_id.is_none() && u.last_fix.is_some())
        .collect();
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let router = crate::service::command(state).router(state).await?;
    let keyed: Vec<(usize, f64, f64)> = units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| u.last_fix.map(|f| (i, f.lon, f.lat)))
        .collect();
    let ranked = router.rank_units((lon, lat), &keyed);
    Ok(ranked
        .into_iter()
        .take(limit)
        .filter_map(|r| {
            let u = units.get(r.unit)?.clone();
            let straight = u
                .last_fix
                .map(|f| haversine_m((f.lon, f.lat), (lon, lat)))
                .unwrap_or(0.0);
            Some(Recommendation {
                eta_s: (r.eta_s * 10.0).round() / 10.0,
                distance_m: r.distance_m.round(),
                off_network: r.off_network,
                straight_m: straight.round(),
                unit: view(u, now, &config),
            })
        })
        .collect())
}

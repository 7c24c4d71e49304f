//! Incidents over HTTP: extract, call the use case in [`crate::service::incidents`], answer.
//! Illegal transitions and concurrent changes are 409 problems carrying the current state in
//! `current` (see the use cases).

use crate::domain::incident::{IncidentType, TaxonomyEntry};
use crate::domain::records::{CallerContact, Incident, IncidentFilter, TimelineEntry};
use crate::domain::requests::{CreateIncident, EditIncident, TimelineRequest, TransitionRequest};
use crate::service::incidents::{self as uc, IncidentView};
use crate::service::units::Recommendation;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pingan_core::purpose::{Purpose, StatedPurpose};
use pingan_server::auth::{perm, Authorized, UserCaller};
use pingan_server::error::ApiResult;
use pingan_server::extract::parse_time;
use pingan_server::extract::{ApiJson, ApiQuery};
use pingan_server::AppState;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod figures;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(incident_types))
        .routes(routes!(list_incidents, create_incident))
        .routes(routes!(get_incident, edit_incident))
        .routes(routes!(apply_transition))
        .routes(routes!(add_entry))
        .routes(routes!(contact))
        .routes(routes!(recommendations))
        .routes(routes!(figures::get_figures))
        .routes(routes!(figures::figures_export))
}

/// The incident type taxonomy with Chinese and English labels.
#[utoipa::path(get, path = "/incident-types", tag = "incidents", responses((status = 200, body = Vec<TaxonomyEntry>)))]
pub async fn incident_types(_caller: Authorized<perm::ReadIncidents>) -> Json<Vec<TaxonomyEntry>> {
    Json(IncidentType::taxonomy())
}

/// Records an incident, resolving its location to town, grid and nearest road.
#[utoipa::path(post, path = "/incidents", tag = "incidents", request_body = CreateIncident,
    responses((status = 201, body = IncidentView), (status = 400, body = pingan_server::error::Problem)))]
pub async fn create_incident(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    ApiJson(req): ApiJson<CreateIncident>,
) -> ApiResult<(StatusCode, Json<IncidentView>)> {
    let view = uc::create(&state, &caller, req).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only open incidents (the queue); default true unless `state` is given.
    #[serde(default)]
    pub open: Option<bool>,
    #[serde(default)]
    pub state: Option<String>,
    /// Received at or after (RFC 3339 or UTC microseconds).
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub from: Option<String>,
    /// Received before (RFC 3339 or UTC microseconds).
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub to: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Incidents, newest first: by default the open queue.
#[utoipa::path(get, path = "/incidents", tag = "incidents", params(ListQuery),
    responses((status = 200, body = Vec<Incident>), (status = 400, body = pingan_server::error::Problem)))]
pub async fn list_incidents(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadIncidents>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<Incident>>> {
    let st = q.state.as_deref().map(uc::parse_state).transpose()?;
    let filter = IncidentFilter {
        open_only: q.open.unwrap_or(st.is_none()),
        state: st,
        from: parse_time("from", &q.from)?,
        to: parse_time("to", &q.to)?,
        ids: None,
        limit: q.limit.unwrap_or(200).clamp(1, 1000),
    };
    Ok(Json(uc::list(&state, &filter).await?))
}

/// One incident with its timeline, units, cameras and checkpoints.
#[utoipa::path(get, path = "/incidents/{id}", tag = "incidents", params(("id" = String, Path)),
    responses((status = 200, body = IncidentView), (status = 404, body = pingan_server::error::Problem)))]
pub async fn get_incident(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadIncidents>,
    Path(id): Path<String>,
) -> ApiResult<Json<IncidentView>> {
    Ok(Json(uc::get(&state, &id).await?))
}

/// Changes an incident's type, priority or description.
#[utoipa::path(patch, path = "/incidents/{id}", tag = "incidents", params(("id" = String, Path)), request_body = EditIncident,
    responses((status = 200, body = Incident), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn edit_incident(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EditIncident>,
) -> ApiResult<Json<Incident>> {
    Ok(Json(uc::edit(&state, &caller, &id, req).await?))
}

/// Moves an incident through its lifecycle; dispatching names a unit. Illegal transitions are
/// refused with 409 `illegal_transition`, the current incident, the reason in English
/// (`current.reason`) and its stable code (`current.reason_code`: finished, no_unit,
/// already_en_route, already_on_scene, already_cleared, not_on_scene, already_closed,
/// cancelled_stays, not_cleared, already_finished, still_open); a concurrent change with 409
/// `conflict` and the current state.
#[utoipa::path(post, path = "/incidents/{id}/transitions", tag = "incidents", params(("id" = String, Path)), request_body = TransitionRequest,
    responses((status = 200, body = IncidentView), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn apply_transition(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TransitionRequest>,
) -> ApiResult<Json<IncidentView>> {
    Ok(Json(uc::apply_transition(&state, &caller, &id, req).await?))
}

/// Adds a note, an action or an attachment link to an incident's timeline.
#[utoipa::path(post, path = "/incidents/{id}/timeline", tag = "incidents", params(("id" = String, Path)), request_body = TimelineRequest,
    responses((status = 201, body = Vec<TimelineEntry>), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem)))]
pub async fn add_entry(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TimelineRequest>,
) -> ApiResult<(StatusCode, Json<Vec<TimelineEntry>>)> {
    let timeline = uc::add_entry(&state, &caller, &id, req).await?;
    Ok((StatusCode::CREATED, Json(timeline)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    #[param(value_type = Option<pingan_server::schema::Purpose>)]
    pub purpose: Option<Purpose>,
    pub reference: Option<String>,
    pub detail: Option<String>,
}

/// The caller's contact: personal data. Needs `read_personal_data`, a purpose code and a
/// reference; every read is audited with them.
#[utoipa::path(get, path = "/incidents/{id}/contact", tag = "incidents", params(("id" = String, Path), PurposeQuery),
    responses((status = 200, body = Option<CallerContact>), (status = 403, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem)))]
pub async fn contact(
    State(state): State<AppState>,
    caller: UserCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PurposeQuery>,
) -> ApiResult<Json<Option<CallerContact>>> {
    let stated = q.purpose.map(|purpose| StatedPurpose {
        purpose,
        reference: q.reference,
        detail: q.detail,
    });
    Ok(Json(
        uc::contact(&state, &caller, &id, stated.as_ref()).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecommendQuery {
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Available units ranked by travel time over the road network to the incident, with ETA.
#[utoipa::path(get, path = "/incidents/{id}/recommendations", tag = "incidents", params(("id" = String, Path), RecommendQuery),
    responses((status = 200, body = Vec<Recommendation>), (status = 404, body = pingan_server::error::Problem)))]
pub async fn recommendations(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadIncidents>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RecommendQuery>,
) -> ApiResult<Json<Vec<Recommendation>>> {
    Ok(Json(
        uc::recommendations(&state, &id, q.limit.unwrap_or(10)).await?,
    ))
}

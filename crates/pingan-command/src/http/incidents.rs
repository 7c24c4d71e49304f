//! Incidents: create, list, read (with timeline, units, cameras and checkpoints), edit,
//! lifecycle transitions with dispatch, timeline notes, the caller's contact (personal data),
//! dispatch recommendations and response figures.
//!
//! A transition is decided by the pure rules in `pingan_core::incident` and applied by the
//! store against the versions read ([`crate::domain::records::IncidentChange`]); when another
//! operator got there first the answer is 409 with the current incident and units in `current`.
//! Points outside the district are accepted and flagged (`location.inside_district: false`): a
//! call from just across the boundary still needs a record and a hand-over.

use crate::domain::incident::{
    check_reason, transition, Action, IncidentId, IncidentSource, IncidentType, Priority,
    TaxonomyEntry,
};
use crate::domain::names::{Action as Audit, Event};
use crate::domain::records::{
    CallerContact, CommandStore, Incident, IncidentChange, IncidentFilter, IncidentLocation,
    NewIncident, NewTimelineEntry, TimelineEntry, TimelineKind, UnitChange,
};
use crate::domain::unit::{status_after, Unit, UnitId};
use crate::http::units::{
    conflict_response, load_unit, publish_unit, recommend, view, Recommendation, UnitView,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use pingan_core::access::Permission;
use pingan_core::audit::{NewAuditEntry, Outcome};
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::geography::check_lon_lat;
use pingan_core::purpose::{Purpose, StatedPurpose};
use pingan_core::StoreError;
use pingan_server::auth::{perm, Authorized, UserCaller};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::parse_time;
use pingan_server::extract::{ApiJson, ApiQuery};
use pingan_server::AppState;
use pingan_video::domain::index::{CameraLink, CheckpointNear};
use pingan_video::service::{cameras_seeing, checkpoints_near};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallerIn {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIncident {
    /// A taxonomy code (`robbery`, `theft.bicycle`, …; see `/incident-types`).
    #[serde(rename = "type")]
    pub incident_type: IncidentType,
    pub source: IncidentSource,
    /// 1 (most urgent) to 4.
    pub priority: Priority,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub address: Option<String>,
    /// The caller's contact (personal data; shown only with a purpose).
    #[serde(default)]
    pub caller: Option<CallerIn>,
    /// When the report came in (RFC 3339); now when absent. Not in the future.
    #[serde(default)]
    pub received_at: Option<String>,
}

/// An incident with everything the command centre shows beside it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentView {
    pub incident: Incident,
    pub timeline: Vec<TimelineEntry>,
    pub units: Vec<UnitView>,
    /// Cameras whose view contains the location, nearest first, with live and playback links
    /// for the incident's time (ten minutes before it was received until it ended, or now).
    pub cameras: Vec<CameraLink>,
    /// Checkpoints within the configured radius, nearest first.
    pub checkpoints: Vec<CheckpointNear>,
}

fn check_text(field: &str, v: &str, min: usize, max: usize) -> ApiResult<()> {
    let n = v.trim().chars().count();
    if n < min || n > max {
        return Err(ApiError::invalid(
            field,
            format!("must be {min}–{max} characters"),
        ));
    }
    Ok(())
}

fn check_caller(c: &CallerIn) -> ApiResult<CallerContact> {
    if let Some(n) = &c.name {
        check_text("caller.name", n, 1, 64)?;
    }
    if let Some(p) = &c.phone {
        let ok = (3..=20).contains(&p.chars().count())
            && p.chars()
                .all(|ch| ch.is_ascii_digit() || matches!(ch, '+' | '-' | ' '));
        if !ok {
            return Err(ApiError::invalid(
                "caller.phone",
                "must be 3–20 digits, '+', '-' or spaces",
            ));
        }
    }
    Ok(CallerContact {
        name: c.name.as_ref().map(|s| s.trim().to_owned()),
        phone: c.phone.as_ref().map(|s| s.trim().to_owned()),
    })
}

/// Resolves a point against the geography in force.
pub fn locate(state: &AppState, lon: f64, lat: f64) -> IncidentLocation {
    let g = state.geography();
    let loc = g.locate(lon, lat);
    let max = crate::service::command(state).config().road_snap_max_m;
    let road = loc.nearest_road.filter(|r| r.distance_m <= max);
    IncidentLocation {
        lon,
        lat,
        inside_district: g.contains_point(lon, lat),
        town_id: loc.town.as_ref().map(|t| t.0.clone()),
        town_name: loc.town.map(|t| t.1),
        grid_id: loc.grid.as_ref().map(|t| t.0.clone()),
        grid_name: loc.grid.map(|t| t.1),
        road_id: road.as_ref().map(|r| r.id.clone()),
        road_name: road.as_ref().map(|r| r.name.clone()),
        road_distance_m: road.map(|r| (r.distance_m * 10.0).round() / 10.0),
    }
}

async fn load(state: &AppState, id: &str) -> ApiResult<Incident> {
    state
        .store
        .incident(&IncidentId::new(id))
        .await?
        .ok_or_else(|| ApiError::NotFound {
            what: "incident",
            id: id.to_owned(),
        })
}

async fn full_view(state: &AppState, incident: Incident) -> ApiResult<IncidentView> {
    let timeline = state.store.timeline(&incident.id).await?;
    let config = crate::service::command(state).config();
    let now = state.now();
    let units = state.store.units(Some(&incident.units)).await?;
    let t = &incident.times;
    let from = t.received_at.minus_seconds(600);
    let end = t
        .cancelled_at
        .or(t.closed_at)
        .or(t.cleared_at)
        .filter(|_| !incident.state.is_open());
    let to = end.unwrap_or(now).max(from);
    let (lon, lat) = (incident.location.lon, incident.location.lat);
    Ok(IncidentView {
        cameras: cameras_seeing(state, lon, lat, from, to),
        checkpoints: checkpoints_near(state, lon, lat, config.checkpoint_radius_m),
        units: units.into_iter().map(|u| view(u, now, &config)).collect(),
        timeline,
        incident,
    })
}

async fn announce(state: &AppState, kind: Event, incident: &Incident) {
    state
        .publish(StreamEvent::new(
            Topic::Incidents,
            kind.as_str(),
            state.now(),
            serde_json::to_value(incident).unwrap_or_default(),
        ))
        .await;
}

/// Records an incident, resolving its location to town, grid and nearest road.
#[utoipa::path(post, path = "/incidents", tag = "incidents", request_body = CreateIncident,
    responses((status = 201, body = IncidentView), (status = 400, body = pingan_server::error::Problem)))]
pub async fn create_incident(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    ApiJson(req): ApiJson<CreateIncident>,
) -> ApiResult<(StatusCode, Json<IncidentView>)> {
    check_lon_lat("", req.lon, req.lat)
        .map_err(|e| ApiError::invalid(e.field.trim_start_matches('.'), e.message))?;
    check_text("description", &req.description, 0, 2000)?;
    if let Some(a) = &req.address {
        check_text("address", a, 1, 200)?;
    }
    let contact = req.caller.as_ref().map(check_caller).transpose()?;
    let now = state.now();
    let received_at = parse_time("received_at", &req.received_at)?.unwrap_or(now);
    if received_at > now.plus_seconds(300) {
        return Err(ApiError::invalid("received_at", "is in the future"));
    }
    if received_at < now.minus_seconds(365 * 86_400) {
        return Err(ApiError::invalid("received_at", "is more than a year ago"));
    }
    let location = locate(&state, req.lon, req.lat);
    let id = IncidentId(pingan_server::auth::new_id("INC-"));
    let entry = caller.entry(
        &state,
        &Audit::CreateIncident.name(),
        "incident",
        Some(id.as_str()),
        Outcome::Success,
        serde_json::json!({
            "type": req.incident_type, "priority": req.priority,
            "source": req.source, "inside_district": location.inside_district,
        }),
    );
    let incident = state
        .store
        .create_incident(
            &NewIncident {
                id,
                incident_type: req.incident_type,
                source: req.source,
                priority: req.priority,
                location,
                description: req.description.trim().to_owned(),
                address: req.address.map(|a| a.trim().to_owned()),
                caller: contact.filter(|c| c.name.is_some() || c.phone.is_some()),
                received_at,
                created_by: caller.user.username.clone(),
            },
            vec![entry],
        )
        .await?;
    state.count_audit(1);
    announce(&state, Event::IncidentCreated, &incident).await;
    Ok((
        StatusCode::CREATED,
        Json(full_view(&state, incident).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only open incidents (the queue); default true.
    #[serde(default)]
    pub open: Option<bool>,
    #[serde(default)]
    pub state: Option<String>,
    /// Received at or after (RFC 3339).
    #[serde(default)]
    pub from: Option<String>,
    /// Received before (RFC 3339).
    #[serde(default)]
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
    let st = q
        .state
        .as_deref()
        .map(|s| {
            crate::domain::incident::IncidentState::parse(s).ok_or_else(|| {
                ApiError::invalid("state", format!("{s:?} is not an incident state"))
            })
        })
        .transpose()?;
    let filter = IncidentFilter {
        open_only: q.open.unwrap_or(st.is_none()),
        state: st,
        from: parse_time("from", &q.from)?,
        to: parse_time("to", &q.to)?,
        ids: None,
        limit: q.limit.unwrap_or(200).clamp(1, 1000),
    };
    Ok(Json(state.store.incidents(&filter).await?))
}

/// One incident with its timeline, units, cameras and checkpoints.
#[utoipa::path(get, path = "/incidents/{id}", tag = "incidents", params(("id" = String, Path)),
    responses((status = 200, body = IncidentView), (status = 404, body = pingan_server::error::Problem)))]
pub async fn get_incident(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadIncidents>,
    Path(id): Path<String>,
) -> ApiResult<Json<IncidentView>> {
    let incident = load(&state, &id).await?;
    Ok(Json(full_view(&state, incident).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditIncident {
    #[serde(default, rename = "type")]
    pub incident_type: Option<IncidentType>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub description: Option<String>,
    /// The version the operator saw; a stale one is answered with 409 and the incident.
    #[serde(default)]
    pub expected_version: Option<i64>,
}

/// The 409 for an incident that moved meanwhile, with its current state and units.
async fn moved(state: &AppState, id: &str, detail: String) -> ApiResult<Response> {
    let incident = load(state, id).await?;
    let units = state.store.units(Some(&incident.units)).await?;
    Ok(conflict_response(
        "conflict",
        detail,
        serde_json::json!({ "incident": incident, "units": units }),
    ))
}

/// Applies a change with its ledger entry (one transaction); a version conflict becomes a 409
/// with the current state.
async fn apply(
    state: &AppState,
    change: &IncidentChange,
    extra_unit: Option<&UnitId>,
    entry: NewAuditEntry,
) -> ApiResult<Result<Incident, Response>> {
    match state.store.apply_incident_change(change, vec![entry]).await {
        Ok(i) => {
            state.count_audit(1);
            Ok(Ok(i))
        }
        Err(StoreError::Conflict { what, id, detail }) => {
            let mut resp = moved(
                state,
                change.id.as_str(),
                format!("{what} {id} was changed meanwhile: {detail}"),
            )
            .await?;
            if let Some(u) = extra_unit {
                // The dispatched unit is not (or no longer) on the incident: show it too.
                let unit = load_unit(state, u.as_str()).await?;
                resp = conflict_response(
                    "conflict",
                    format!("{what} {id} was changed meanwhile: {detail}"),
                    serde_json::json!({
                        "incident": load(state, change.id.as_str()).await?,
                        "unit": view(unit, state.now(), &crate::service::command(state).config()),
                    }),
                );
            }
            Ok(Err(resp))
        }
        Err(e) => Err(e.into()),
    }
}

/// Changes an incident's type, priority or description.
#[utoipa::path(patch, path = "/incidents/{id}", tag = "incidents", params(("id" = String, Path)), request_body = EditIncident,
    responses((status = 200, body = Incident), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = Object)))]
pub async fn edit_incident(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EditIncident>,
) -> ApiResult<Response> {
    if let Some(d) = &req.description {
        check_text("description", d, 0, 2000)?;
    }
    let before = load(&state, &id).await?;
    if req.expected_version.is_some_and(|v| v != before.version) {
        return moved(
            &state,
            &id,
            format!("incident {id} is at version {}", before.version),
        )
        .await;
    }
    let now = state.now();
    let mut change = IncidentChange::from_incident(&before, now);
    change.incident_type = req.incident_type.unwrap_or(before.incident_type);
    change.priority = req.priority.unwrap_or(before.priority);
    change.description = req
        .description
        .map(|d| d.trim().to_owned())
        .unwrap_or(before.description.clone());
    let detail = serde_json::json!({
        "type": [before.incident_type, change.incident_type],
        "priority": [before.priority, change.priority],
        "description_changed": before.description != change.description,
    });
    change.timeline.push(NewTimelineEntry {
        incident_id: before.id.clone(),
        at: now,
        actor: caller.user.username.clone(),
        kind: TimelineKind::Edit,
        action: None,
        from_state: None,
        to_state: None,
        unit_id: None,
        text: Some(detail.to_string()),
        link: None,
    });
    let entry = caller.entry(
        &state,
        &Audit::EditIncident.name(),
        "incident",
        Some(&id),
        Outcome::Success,
        detail,
    );
    let incident = match apply(&state, &change, None, entry).await? {
        Ok(i) => i,
        Err(resp) => return Ok(resp),
    };
    announce(&state, Event::IncidentUpdated, &incident).await;
    Ok(Json(incident).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: Action,
    /// The unit to send (dispatch only).
    #[serde(default)]
    pub unit_id: Option<String>,
    /// Required for cancel and reopen.
    #[serde(default)]
    pub reason: Option<String>,
    /// The incident version the operator saw.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// The unit version the operator saw (dispatch only).
    #[serde(default)]
    pub unit_version: Option<i64>,
}

/// Moves an incident through its lifecycle; dispatching names a unit. Illegal transitions are
/// refused with 409 `illegal_transition`, the current incident, the reason in English
/// (`current.reason`) and its stable code (`current.reason_code`: finished, no_unit,
/// already_en_route, already_on_scene, already_cleared, not_on_scene, already_closed,
/// cancelled_stays, not_cleared, already_finished, still_open); a concurrent change with 409
/// `conflict` and the current state.
#[utoipa::path(post, path = "/incidents/{id}/transitions", tag = "incidents", params(("id" = String, Path)), request_body = TransitionRequest,
    responses((status = 200, body = IncidentView), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = Object)))]
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub async fn apply_transition(
    State(state): State<AppState>,
    caller: Authorized<perm::Dispatch>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TransitionRequest>,
) -> ApiResult<Response> {
    check_reason(req.action, req.reason.as_deref())?;
    let dispatch_unit = match (req.action, &req.unit_id) {
        (Action::Dispatch, None) => {
            return Err(ApiError::invalid(
                "unit_id",
                "dispatch needs the unit to send",
            ))
        }
        (Action::Dispatch, Some(u)) => Some(u.clone()),
        (_, Some(_)) => return Err(ApiError::invalid("unit_id", "only dispatch names a unit")),
        (_, None) => None,
    };
    let before = load(&state, &id).await?;
    if req.expected_version.is_some_and(|v| v != before.version) {
        return moved(
            &state,
            &id,
            format!("incident {id} is at version {}", before.version),
        )
        .await;
    }
    let next = match transition(before.state, req.action, !before.units.is_empty()) {
        Ok(s) => s,
        Err(e) => {
            return Ok(conflict_response(
                "illegal_transition",
                e.to_string(),
                serde_json::json!({
                    "incident": before,
                    "reason": e.reason.text(),
                    "reason_code": e.reason.code(),
                }),
            ))
        }
    };
    let now = state.now();
    let config = crate::service::command(&state).config();
    let mut change = IncidentChange::from_incident(&before, now);
    change.state = next;
    change.times.record(req.action, now);
    let assigned: Vec<Unit> = state.store.units(Some(&before.units)).await?;
    let mut sent: Option<Unit> = None;
    if let Some(uid) = &dispatch_unit {
        let unit = load_unit(&state, uid)
            .await
            .map_err(|_| ApiError::invalid("unit_id", format!("no unit {uid}")))?;
        let busy = if unit.incident_id.as_ref() == Some(&before.id) {
            Some(format!("unit {uid} is already assigned to this incident"))
        } else if let Some(other) = &unit.incident_id {
            Some(format!("unit {uid} is assigned to incident {other}"))
        } else if !unit.status.is_dispatchable() {
            Some(format!(
                "unit {uid} is {} and cannot be dispatched",
                unit.status
            ))
        } else if req.unit_version.is_some_and(|v| v != unit.version) {
            Some(format!("unit {uid} is at version {}", unit.version))
        } else {
            None
        };
        if let Some(detail) = busy {
            return Ok(conflict_response(
                "conflict",
                detail,
                serde_json::json!({ "incident": before, "unit": view(unit, now, &config) }),
            ));
        }
        change.units.push(UnitChange {
            unit_id: unit.id.clone(),
            expected_version: unit.version,
            status: crate::domain::unit::UnitStatus::Dispatched,
            incident_id: Some(before.id.clone()),
        });
        sent = Some(unit);
    } else {
        for u in &assigned {
            if let Some(status) = status_after(req.action, u.status) {
                change.units.push(UnitChange {
                    unit_id: u.id.clone(),
                    expected_version: u.version,
                    status,
                    incident_id: (!req.action.releases_units()).then(|| before.id.clone()),
                });
            }
        }
    }
    change.timeline.push(NewTimelineEntry {
        incident_id: before.id.clone(),
        at: now,
        actor: caller.user.username.clone(),
        kind: TimelineKind::Transition,
        action: Some(req.action),
        from_state: Some(before.state),
        to_state: Some(next),
        unit_id: sent.as_ref().map(|u| u.id.clone()),
        text: req.reason.as_ref().map(|r| r.trim().to_owned()),
        link: None,
    });
    let entry = caller.entry(
        &state,
        &Audit::Transition(req.action).name(),
        "incident",
        Some(&id),
        Outcome::Success,
        serde_json::json!({
            "from": before.state, "to": next, "reason": req.reason,
            "units": change.units.iter().map(|u| serde_json::json!({"unit": u.unit_id, "status": u.status})).collect::<Vec<_>>(),
        }),
    );
    let incident = match apply(&state, &change, sent.as_ref().map(|u| &u.id), entry).await? {
        Ok(i) => i,
        Err(resp) => return Ok(resp),
    };
    announce(&state, Event::IncidentTransition, &incident).await;
    let changed: Vec<UnitId> = change.units.iter().map(|u| u.unit_id.clone()).collect();
    for u in state.store.units(Some(&changed)).await? {
        publish_unit(&state, Event::UnitStatus, &u).await;
    }
    Ok(Json(full_view(&state, incident).await?).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineRequest {
    /// `note`, `action` or `attachment`.
    pub kind: TimelineKind,
    #[serde(default)]
    pub text: Option<String>,
    /// For attachments: an `https://`/`http://` URL or a path under `/api/`.
    #[serde(default)]
    pub link: Option<String>,
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
    match req.kind {
        TimelineKind::Note | TimelineKind::Action => {
            check_text("text", req.text.as_deref().unwrap_or(""), 1, 2000)?;
            if req.link.is_some() {
                return Err(ApiError::invalid("link", "only attachments carry a link"));
            }
        }
        TimelineKind::Attachment => {
            let link = req.link.as_deref().unwrap_or("");
            let ok = (link.starts_with("https://")
                || link.starts_with("http://")
                || link.starts_with("/api/"))
                && link.len() <= 500
                && !link.chars().any(char::is_whitespace);
            if !ok {
                return Err(ApiError::invalid(
                    "link",
                    "must be an http(s) URL or a path under /api/, at most 500 characters",
                ));
            }
            if let Some(t) = &req.text {
                check_text("text", t, 0, 2000)?;
            }
        }
        TimelineKind::Transition | TimelineKind::Edit => {
            return Err(ApiError::invalid(
                "kind",
                "use note, action or attachment; transitions have their own route",
            ))
        }
    }
    let incident = load(&state, &id).await?;
    let entry = NewTimelineEntry {
        incident_id: incident.id.clone(),
        at: state.now(),
        actor: caller.user.username.clone(),
        kind: req.kind,
        action: None,
        from_state: None,
        to_state: None,
        unit_id: None,
        text: req.text.map(|t| t.trim().to_owned()),
        link: req.link,
    };
    let audit = caller.entry(
        &state,
        &Audit::Timeline(req.kind).name(),
        "incident",
        Some(&id),
        Outcome::Success,
        serde_json::json!({ "link": entry.link }),
    );
    state
        .store
        .add_timeline(std::slice::from_ref(&entry), vec![audit])
        .await?;
    state.count_audit(1);
    state
        .publish(StreamEvent::new(
            Topic::Incidents,
            Event::IncidentTimeline.as_str(),
            state.now(),
            serde_json::json!({ "incident_id": incident.id, "kind": req.kind, "text": entry.text, "link": entry.link }),
        ))
        .await;
    Ok((
        StatusCode::CREATED,
        Json(state.store.timeline(&incident.id).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
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
        reference: q.reference.clone(),
        detail: q.detail.clone(),
    });
    let purpose = caller
        .require_purpose(&state, Permission::ReadPersonalData, stated.as_ref())
        .await?;
    caller.require(&state, Permission::ReadIncidents).await?;
    let contact = state
        .store
        .incident_contact(&IncidentId::new(id.as_str()))
        .await?;
    state
        .audit(vec![caller.purposed(
            &state,
            &Audit::ReadContact.name(),
            "incident",
            Some(&id),
            &purpose,
            serde_json::json!({ "present": contact.is_some() }),
        )])
        .await?;
    Ok(Json(contact))
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
    let incident = load(&state, &id).await?;
    let limit = q.limit.unwrap_or(10).clamp(1, 100);
    Ok(Json(
        recommend(&state, incident.location.lon, incident.location.lat, limit).await?,
    ))
}

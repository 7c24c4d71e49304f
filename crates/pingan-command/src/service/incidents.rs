//! The incident use cases: record, list, read (with timeline, units, cameras and checkpoints),
//! edit, lifecycle transitions with dispatch, timeline entries, the caller's contact behind a
//! purpose, and the dispatch recommendation. Each writes its ledger entry in the same
//! transaction as its change and announces the change on the `incidents` stream.
//!
//! A transition is decided by the pure rules in [`crate::domain::incident`] and applied by the
//! store against the versions read ([`IncidentChange`]); when another operator got there first
//! the answer is [`CommandError::Conflict`] with the current incident and units. Points outside
//! the district are accepted and flagged (`location.inside_district: false`): a call from just
//! across the boundary still needs a record and a hand-over.

use crate::domain::incident::{transition, IncidentId, IncidentState};
use crate::domain::names::{Action as Audit, Event};
use crate::domain::records::{
    CallerContact, CommandStore, Figures, Incident, IncidentChange, IncidentFilter,
    IncidentLocation, NewIncident, NewTimelineEntry, TimelineEntry, TimelineKind, UnitChange,
};
use crate::domain::requests::{CreateIncident, EditIncident, TimelineRequest, TransitionRequest};
use crate::domain::unit::{status_after, view, Unit, UnitId, UnitStatus, UnitView};
use crate::error::{CommandError, CommandResult};
use crate::service::units::{load_unit, publish_unit, recommend, stale_after, Recommendation};
use pingan_core::access::Permission;
use pingan_core::audit::NewAuditEntry;
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::purpose::StatedPurpose;
use pingan_core::{StoreError, Timestamp};
use pingan_server::auth::UserCaller;
use pingan_server::AppState;
use pingan_video::domain::index::{CameraLink, CheckpointNear};
use pingan_video::service::{cameras_seeing, checkpoints_near};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

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

/// One incident, or `NotFound`.
pub async fn load(state: &AppState, id: &str) -> CommandResult<Incident> {
    state
        .store
        .incident(&IncidentId::new(id))
        .await?
        .ok_or_else(|| CommandError::NotFound {
            what: "incident",
            id: id.to_owned(),
        })
}

/// The incident with its timeline, units, cameras and checkpoints.
pub async fn full_view(state: &AppState, incident: Incident) -> CommandResult<IncidentView> {
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
        units: units
            .into_iter()
            .map(|u| view(u, now, config.position_stale_after_s))
            .collect(),
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
pub async fn create(
    state: &AppState,
    caller: &UserCaller,
    req: CreateIncident,
) -> CommandResult<IncidentView> {
    let now = state.now();
    let (received_at, contact) = req.check(now)?;
    let location = locate(state, req.lon, req.lat);
    let id = IncidentId(pingan_server::auth::new_id("INC-"));
    let entry = caller
        .record(state, &Audit::CreateIncident.name())
        .object("incident", Some(id.as_str()))
        .detail(json!({
            "type": req.incident_type, "priority": req.priority,
            "source": req.source, "inside_district": location.inside_district,
        }))
        .build();
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
                caller: contact,
                received_at,
                created_by: caller.user.username.clone(),
            },
            vec![entry],
        )
        .await?;
    state.count_audit(1);
    announce(state, Event::IncidentCreated, &incident).await;
    full_view(state, incident).await
}

/// Incidents, newest first.
pub async fn list(state: &AppState, filter: &IncidentFilter) -> CommandResult<Vec<Incident>> {
    Ok(state.store.incidents(filter).await?)
}

/// Parses a state filter (`?state=`).
pub fn parse_state(s: &str) -> CommandResult<IncidentState> {
    IncidentState::parse(s)
        .ok_or_else(|| CommandError::invalid("state", format!("{s:?} is not an incident state")))
}

/// One incident with everything beside it.
pub async fn get(state: &AppState, id: &str) -> CommandResult<IncidentView> {
    let incident = load(state, id).await?;
    full_view(state, incident).await
}

/// The conflict for an incident that moved meanwhile, with its current state and units.
async fn moved(state: &AppState, id: &str, detail: String) -> CommandResult<CommandError> {
    let incident = load(state, id).await?;
    let units = state.store.units(Some(&incident.units)).await?;
    Ok(CommandError::conflict(
        "conflict",
        detail,
        json!({ "incident": incident, "units": units }),
    ))
}

/// Applies a change with its ledger entry (one transaction); a version conflict becomes a
/// [`CommandError::Conflict`] with the current state (and the dispatched unit, when one was).
async fn apply(
    state: &AppState,
    change: &IncidentChange,
    extra_unit: Option<&UnitId>,
    entry: NewAuditEntry,
) -> CommandResult<Incident> {
    match state.store.apply_incident_change(change, vec![entry]).await {
        Ok(i) => {
            state.count_audit(1);
            Ok(i)
        }
        Err(StoreError::Conflict { what, id, detail }) => {
            let detail = format!("{what} {id} was changed meanwhile: {detail}");
            let Some(u) = extra_unit else {
                return Err(moved(state, change.id.as_str(), detail).await?);
            };
            // The dispatched unit is not (or no longer) on the incident: show it too.
            let unit = load_unit(state, u.as_str()).await?;
            Err(CommandError::conflict(
                "conflict",
                detail,
                json!({
                    "incident": load(state, change.id.as_str()).await?,
                    "unit": view(unit, state.now(), stale_after(state)),
                }),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Refuses a change made against a version the incident has left.
async fn check_version(
    state: &AppState,
    before: &Incident,
    expected: Option<i64>,
) -> CommandResult<()> {
    if expected.is_some_and(|v| v != before.version) {
        let detail = format!("incident {} is at version {}", before.id, before.version);
        return Err(moved(state, before.id.as_str(), detail).await?);
    }
    Ok(())
}

/// Changes an incident's type, priority or description.
pub async fn edit(
    state: &AppState,
    caller: &UserCaller,
    id: &str,
    req: EditIncident,
) -> CommandResult<Incident> {
    req.check()?;
    let before = load(state, id).await?;
    check_version(state, &before, req.expected_version).await?;
    let now = state.now();
    let mut change = IncidentChange::from_incident(&before, now);
    change.incident_type = req.incident_type.unwrap_or(before.incident_type);
    change.priority = req.priority.unwrap_or(before.priority);
    change.description = req
        .description
        .map(|d| d.trim().to_owned())
        .unwrap_or(before.description.clone());
    let detail = json!({
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
    let entry = caller
        .record(state, &Audit::EditIncident.name())
        .object("incident", Some(id))
        .detail(detail)
        .build();
    let incident = apply(state, &change, None, entry).await?;
    announce(state, Event::IncidentUpdated, &incident).await;
    Ok(incident)
}

/// The unit a dispatch sends, or the conflict that stops it (busy, elsewhere, or moved).
async fn unit_to_send(
    state: &AppState,
    before: &Incident,
    uid: &str,
    expected_version: Option<i64>,
) -> CommandResult<Unit> {
    let unit = load_unit(state, uid)
        .await
        .map_err(|_| CommandError::invalid("unit_id", format!("no unit {uid}")))?;
    let busy = if unit.incident_id.as_ref() == Some(&before.id) {
        Some(format!("unit {uid} is already assigned to this incident"))
    } else if let Some(other) = &unit.incident_id {
        Some(format!("unit {uid} is assigned to incident {other}"))
    } else if !unit.status.is_dispatchable() {
        Some(format!(
            "unit {uid} is {} and cannot be dispatched",
            unit.status
        ))
    } else if expected_version.is_some_and(|v| v != unit.version) {
        Some(format!("unit {uid} is at version {}", unit.version))
    } else {
        None
    };
    match busy {
        Some(detail) => Err(CommandError::conflict(
            "conflict",
            detail,
            json!({ "incident": before, "unit": view(unit, state.now(), stale_after(state)) }),
        )),
        None => Ok(unit),
    }
}

/// Moves an incident through its lifecycle; dispatching names a unit. An illegal transition is
/// a conflict `illegal_transition` with the incident, the reason in English (`reason`) and its
/// stable code (`reason_code`); a concurrent change a conflict `conflict` with the current state.
pub async fn apply_transition(
    state: &AppState,
    caller: &UserCaller,
    id: &str,
    req: TransitionRequest,
) -> CommandResult<IncidentView> {
    let dispatch_unit = req.check()?;
    let before = load(state, id).await?;
    check_version(state, &before, req.expected_version).await?;
    let next = transition(before.state, req.action, !before.units.is_empty()).map_err(|e| {
        CommandError::conflict(
            "illegal_transition",
            e.to_string(),
            json!({ "incident": before, "reason": e.reason.text(), "reason_code": e.reason.code() }),
        )
    })?;
    let now = state.now();
    let mut change = IncidentChange::from_incident(&before, now);
    change.state = next;
    change.times.record(req.action, now);
    let mut sent: Option<Unit> = None;
    if let Some(uid) = dispatch_unit {
        let unit = unit_to_send(state, &before, uid, req.unit_version).await?;
        change.units.push(UnitChange {
            unit_id: unit.id.clone(),
            expected_version: unit.version,
            status: UnitStatus::Dispatched,
            incident_id: Some(before.id.clone()),
        });
        sent = Some(unit);
    } else {
        for u in state.store.units(Some(&before.units)).await? {
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
    let entry = caller
        .record(state, &Audit::Transition(req.action).name())
        .object("incident", Some(id))
        .detail(json!({
            "from": before.state, "to": next, "reason": req.reason,
            "units": change.units.iter().map(|u| json!({"unit": u.unit_id, "status": u.status})).collect::<Vec<_>>(),
        }))
        .build();
    let incident = apply(state, &change, sent.as_ref().map(|u| &u.id), entry).await?;
    announce(state, Event::IncidentTransition, &incident).await;
    let changed: Vec<UnitId> = change.units.iter().map(|u| u.unit_id.clone()).collect();
    for u in state.store.units(Some(&changed)).await? {
        publish_unit(state, Event::UnitStatus, &u).await;
    }
    full_view(state, incident).await
}

/// Adds a note, an action or an attachment link to an incident's timeline; returns the timeline.
pub async fn add_entry(
    state: &AppState,
    caller: &UserCaller,
    id: &str,
    req: TimelineRequest,
) -> CommandResult<Vec<TimelineEntry>> {
    req.check()?;
    let incident = load(state, id).await?;
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
    let audit = caller
        .record(state, &Audit::Timeline(req.kind).name())
        .object("incident", Some(id))
        .detail(json!({ "link": entry.link }))
        .build();
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
            json!({ "incident_id": incident.id, "kind": req.kind, "text": entry.text, "link": entry.link }),
        ))
        .await;
    Ok(state.store.timeline(&incident.id).await?)
}

/// The caller's contact: personal data. Needs `read_personal_data`, a purpose code and a
/// reference; every read is in the ledger with them.
pub async fn contact(
    state: &AppState,
    caller: &UserCaller,
    id: &str,
    stated: Option<&StatedPurpose>,
) -> CommandResult<Option<CallerContact>> {
    let purpose = caller
        .require_purpose(state, Permission::ReadPersonalData, stated)
        .await?;
    caller.require(state, Permission::ReadIncidents).await?;
    let contact = state.store.incident_contact(&IncidentId::new(id)).await?;
    let entry = caller
        .record(state, &Audit::ReadContact.name())
        .object("incident", Some(id))
        .purpose(&purpose)
        .detail(json!({ "present": contact.is_some() }))
        .build();
    state.audit(vec![entry]).await?;
    Ok(contact)
}

/// Available units ranked by travel time over the road network to the incident.
pub async fn recommendations(
    state: &AppState,
    id: &str,
    limit: usize,
) -> CommandResult<Vec<Recommendation>> {
    let incident = load(state, id).await?;
    recommend(
        state,
        incident.location.lon,
        incident.location.lat,
        limit.clamp(1, 100),
    )
    .await
}

/// The most incidents one figures request covers.
const FIGURES_LIMIT: u32 = 100_000;

/// Response times and counts for incidents received in `[from, to)` (defaults: the 30 days
/// before now).
pub async fn figures(
    state: &AppState,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> CommandResult<Figures> {
    let to = to.unwrap_or_else(|| state.now());
    let from = from.unwrap_or_else(|| to.minus_seconds(30 * 86_400));
    if from >= to {
        return Err(CommandError::invalid("from", "must be before to"));
    }
    let incidents = state
        .store
        .incidents(&IncidentFilter {
            from: Some(from),
            to: Some(to),
            limit: FIGURES_LIMIT,
            ..Default::default()
        })
        .await?;
    let offset = crate::service::command(state).config().utc_offset_s;
    Ok(crate::domain::records::figures(&incidents, offset))
}

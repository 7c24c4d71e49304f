//! The unit use cases: the roster, registering a unit, hand-set statuses, tracks, and the
//! dispatch recommendation over the road network. Positions are in [`super::positions`].

use crate::domain::names::{Action, Event};
use crate::domain::records::{CommandStore, NewUnit};
use crate::domain::requests::{CreateUnit, SetStatus};
use crate::domain::unit::{view, Fix, Unit, UnitId, UnitView};
use crate::error::{CommandError, CommandResult};
use pingan_core::account::DeviceKind;
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::ids::DeviceId;
use pingan_core::ports::DeviceStore;
use pingan_core::Timestamp;
use pingan_server::auth::UserCaller;
use pingan_server::AppState;
use pingan_spatial::projection::haversine_m;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// Seconds of silence after which a unit's position is stale.
pub(crate) fn stale_after(state: &AppState) -> i64 {
    crate::service::command(state)
        .config()
        .position_stale_after_s
}

/// All units with their last known positions (the map's unit layer).
pub async fn list(state: &AppState) -> CommandResult<Vec<UnitView>> {
    let now = state.now();
    let stale = stale_after(state);
    Ok(state
        .store
        .units(None)
        .await?
        .into_iter()
        .map(|u| view(u, now, stale))
        .collect())
}

/// One unit, or `NotFound`.
pub async fn load_unit(state: &AppState, id: &str) -> CommandResult<Unit> {
    let id = UnitId::new(id);
    state
        .store
        .units(Some(std::slice::from_ref(&id)))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| CommandError::NotFound {
            what: "unit",
            id: id.to_string(),
        })
}

/// One unit with the freshness of its position.
pub async fn get(state: &AppState, id: &str) -> CommandResult<UnitView> {
    let unit = load_unit(state, id).await?;
    Ok(view(unit, state.now(), stale_after(state)))
}

/// The GPS device a unit is to carry: a registered device of kind `unit`.
async fn unit_device(state: &AppState, d: &str) -> CommandResult<DeviceId> {
    let id = DeviceId(d.to_owned());
    let device = state
        .store
        .devices(std::slice::from_ref(&id))
        .await?
        .into_iter()
        .next();
    match device {
        Some(dev) if dev.kind == DeviceKind::Unit => Ok(id),
        Some(dev) => Err(CommandError::invalid(
            "device_id",
            format!("device {d} is a {}, not a unit GPS", dev.kind.as_str()),
        )),
        None => Err(CommandError::invalid(
            "device_id",
            format!("no device {d} is registered"),
        )),
    }
}

/// Registers a unit.
pub async fn create(
    state: &AppState,
    caller: &UserCaller,
    req: CreateUnit,
) -> CommandResult<UnitView> {
    let status = req.check()?;
    let device_id = match &req.device_id {
        Some(d) => Some(unit_device(state, d).await?),
        None => None,
    };
    let now = state.now();
    let call_sign = req.call_sign.trim().to_owned();
    let entry = caller
        .record(state, &Action::CreateUnit.name())
        .object("unit", Some(&req.id))
        .detail(json!({ "call_sign": call_sign, "kind": req.kind, "device_id": device_id }))
        .build();
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
    publish_unit(state, Event::UnitCreated, &unit).await;
    Ok(view(unit, now, stale_after(state)))
}

/// Sets a unit's status by hand. Statuses that come from incidents (dispatched, en route, on
/// scene) cannot be set here, and a unit assigned to an incident is released only through the
/// incident (clear or cancel): that is a conflict `unit_assigned` with the unit.
pub async fn set_status(
    state: &AppState,
    caller: &UserCaller,
    id: &str,
    req: SetStatus,
) -> CommandResult<UnitView> {
    req.check()?;
    let unit = load_unit(state, id).await?;
    let stale = stale_after(state);
    let now = state.now();
    if let Some(inc) = &unit.incident_id {
        let detail = format!(
            "unit {} is assigned to incident {inc}; clear or cancel it there",
            unit.id
        );
        let current = serde_json::to_value(view(unit, now, stale)).unwrap_or_default();
        return Err(CommandError::conflict("unit_assigned", detail, current));
    }
    let expected = req.expected_version.unwrap_or(unit.version);
    let entry = caller
        .record(state, &Action::SetUnitStatus.name())
        .object("unit", Some(unit.id.as_str()))
        .detail(json!({ "from": unit.status, "to": req.status }))
        .build();
    let updated = match state
        .store
        .set_unit_status(&unit.id, expected, req.status, now, vec![entry])
        .await
    {
        Ok(u) => u,
        Err(pingan_core::StoreError::Conflict { detail, .. }) => {
            let current = load_unit(state, id).await?;
            return Err(CommandError::conflict(
                "conflict",
                format!("unit {id} was changed meanwhile: {detail}"),
                serde_json::to_value(view(current, now, stale)).unwrap_or_default(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    state.count_audit(1);
    publish_unit(state, Event::UnitStatus, &updated).await;
    Ok(view(updated, now, stale))
}

/// A unit's GPS track in `[from, to)`, oldest first.
pub async fn track(
    state: &AppState,
    id: &str,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> CommandResult<Vec<Fix>> {
    if from >= to {
        return Err(CommandError::invalid("from", "must be before to"));
    }
    let unit = load_unit(state, id).await?;
    Ok(state.store.track(&unit.id, from, to, limit).await?)
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
) -> CommandResult<Vec<Recommendation>> {
    let now = state.now();
    let stale = stale_after(state);
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
                unit: view(u, now, stale),
            })
        })
        .collect())
}

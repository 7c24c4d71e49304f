//! The command centre: incidents and their timelines, units, GPS tracks.
//!
//! Changes decided by the domain are applied under optimistic concurrency: each `UPDATE` names
//! the version its decision read (`WHERE id = $n AND version = $m`) and bumps it. When no row
//! matches, the transaction rolls back and the caller gets `Conflict` (or `NotFound`), so two
//! dispatches of the same unit cannot both succeed, on SQLite (one writer at a time) and on
//! PostgreSQL (the second `UPDATE` waits for the first's row lock, then re-checks the version).

mod history;

pub use history::{import_incident_history, HistoricIncident};

use crate::domain::incident::{
    Action, IncidentId, IncidentSource, IncidentState, IncidentType, Priority,
};
use crate::domain::records::{
    CallerContact, CommandStore, FixesRecorded, Incident, IncidentChange, IncidentFilter,
    IncidentLocation, IncidentTimes, NewIncident, NewTimelineEntry, NewUnit, TimelineEntry,
    TimelineKind,
};
use crate::domain::unit::{Fix, Unit, UnitId, UnitKind, UnitStatus};
use async_trait::async_trait;
use pingan_core::audit::NewAuditEntry;
use pingan_core::ids::DeviceId;
use pingan_core::{StoreError, Timestamp};
use pingan_db::{backend, map_err};
use pingan_db::{flag, list_placeholders, values_placeholders, Store, Unaudited};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};
use std::collections::{BTreeMap, HashSet};

const INCIDENT_COLUMNS: &str = "id, incident_type, source, priority, state, lon, lat, inside_district, \
    town_id, town_name, grid_id, grid_name, road_id, road_name, road_distance_m, description, address, \
    caller_name, caller_phone, received_at, dispatched_at, en_route_at, on_scene_at, cleared_at, \
    closed_at, cancelled_at, reopened_at, created_by, version, updated_at";

const UNIT_COLUMNS: &str = "id, call_sign, kind, crew, agency, status, device_id, incident_id, \
    last_fix_at, last_lon, last_lat, last_speed_kmh, last_heading_deg, last_accuracy_m, version, updated_at";

const TIMELINE_COLUMNS: &str =
    "seq, at, actor, kind, action, from_state, to_state, unit_id, body, link";

/// Fixes per INSERT (8 columns each).
const FIX_CHUNK: usize = 200;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn ts(row: &AnyRow, col: &str) -> Result<Option<Timestamp>, StoreError> {
    Ok(row
        .try_get::<Option<i64>, _>(col)
        .map_err(backend("read a command-centre row"))?
        .map(Timestamp))
}

fn get<'r, T: sqlx::Decode<'r, Any> + sqlx::Type<Any>>(
    row: &'r AnyRow,
    col: &str,
) -> Result<T, StoreError> {
    row.try_get(col)
        .map_err(backend("read a command-centre row"))
}

fn incident_from_row(row: &AnyRow) -> Result<Incident, StoreError> {
    let ty: String = get(row, "incident_type")?;
    let source: String = get(row, "source")?;
    let state: String = get(row, "state")?;
    let priority: i64 = get(row, "priority")?;
    let caller_name: Option<String> = get(row, "caller_name")?;
    let caller_phone: Option<String> = get(row, "caller_phone")?;
    Ok(Incident {
        id: IncidentId(get(row, "id")?),
        incident_type: IncidentType::parse(&ty).map_err(|_| corrupt("incident type", &ty))?,
        source: IncidentSource::parse(&source)
            .ok_or_else(|| corrupt("incident source", &source))?,
        priority: Priority::new(priority)
            .map_err(|_| corrupt("priority", &priority.to_string()))?,
        state: IncidentState::parse(&state).ok_or_else(|| corrupt("incident state", &state))?,
        location: IncidentLocation {
            lon: get(row, "lon")?,
            lat: get(row, "lat")?,
            inside_district: flag(row, "inside_district").map_err(backend("read an incident"))?,
            town_id: get(row, "town_id")?,
            town_name: get(row, "town_name")?,
            grid_id: get(row, "grid_id")?,
            grid_name: get(row, "grid_name")?,
            road_id: get(row, "road_id")?,
            road_name: get(row, "road_name")?,
            road_distance_m: get(row, "road_distance_m")?,
        },
        description: get(row, "description")?,
        address: get(row, "address")?,
        times: IncidentTimes {
            received_at: Timestamp(get(row, "received_at")?),
            dispatched_at: ts(row, "dispatched_at")?,
            en_route_at: ts(row, "en_route_at")?,
            on_scene_at: ts(row, "on_scene_at")?,
            cleared_at: ts(row, "cleared_at")?,
            closed_at: ts(row, "closed_at")?,
            cancelled_at: ts(row, "cancelled_at")?,
            reopened_at: ts(row, "reopened_at")?,
        },
        units: Vec::new(),
        has_contact: caller_name.is_some() || caller_phone.is_some(),
        created_by: get(row, "created_by")?,
        version: get(row, "version")?,
        updated_at: Timestamp(get(row, "updated_at")?),
    })
}

fn unit_from_row(row: &AnyRow) -> Result<Unit, StoreError> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let crew: String = get(row, "crew")?;
    let last_fix = match ts(row, "last_fix_at")? {
        Some(at) => Some(Fix {
            at,
            lon: get(row, "last_lon")?,
            lat: get(row, "last_lat")?,
            speed_kmh: get(row, "last_speed_kmh")?,
            heading_deg: get(row, "last_heading_deg")?,
            accuracy_m: get(row, "last_accuracy_m")?,
        }),
        None => None,
    };
    Ok(Unit {
        id: UnitId(get(row, "id")?),
        call_sign: get(row, "call_sign")?,
        kind: UnitKind::parse(&kind).ok_or_else(|| corrupt("unit kind", &kind))?,
        crew: serde_json::from_str(&crew).map_err(|_| corrupt("unit crew", &crew))?,
        agency: get(row, "agency")?,
        status: UnitStatus::parse(&status).ok_or_else(|| corrupt("unit status", &status))?,
        device_id: get::<Option<String>>(row, "device_id")?.map(DeviceId),
        incident_id: get::<Option<String>>(row, "incident_id")?.map(IncidentId),
        last_fix,
        version: get(row, "version")?,
        updated_at: Timestamp(get(row, "updated_at")?),
    })
}

fn timeline_from_row(row: &AnyRow) -> Result<TimelineEntry, StoreError> {
    let kind: String = get(row, "kind")?;
    let action: Option<String> = get(row, "action")?;
    let state = |col: &str| -> Result<Option<IncidentState>, StoreError> {
        get::<Option<String>>(row, col)?
            .map(|s| IncidentState::parse(&s).ok_or_else(|| corrupt("timeline state", &s)))
            .transpose()
    };
    Ok(TimelineEntry {
        seq: get(row, "seq")?,
        at: Timestamp(get(row, "at")?),
        actor: get(row, "actor")?,
        kind: TimelineKind::parse(&kind).ok_or_else(|| corrupt("timeline kind", &kind))?,
        action: action
            .map(|a| {
                Action::ALL
                    .into_iter()
                    .find(|x| x.as_str() == a)
                    .ok_or_else(|| corrupt("timeline action", &a))
            })
            .transpose()?,
        from_state: state("from_state")?,
        to_state: state("to_state")?,
        unit_id: get::<Option<String>>(row, "unit_id")?.map(UnitId),
        text: get(row, "body")?,
        link: get(row, "link")?,
    })
}

async fn insert_timeline(
    tx: &mut sqlx::AnyConnection,
    entries: &[NewTimelineEntry],
) -> Result<(), StoreError> {
    for chunk in entries.chunks(100) {
        let sql = format!(
            "INSERT INTO incident_timeline (incident_id, at, actor, kind, action, from_state, to_state, unit_id, body, link) VALUES {}",
            values_placeholders(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.incident_id.as_str())
                .bind(e.at.micros())
                .bind(e.actor.as_str())
                .bind(e.kind.as_str())
                .bind(e.action.map(|a| a.as_str()))
                .bind(e.from_state.map(|s| s.as_str()))
                .bind(e.to_state.map(|s| s.as_str()))
                .bind(e.unit_id.as_ref().map(|u| u.as_str()))
                .bind(e.text.as_deref())
                .bind(e.link.as_deref());
        }
        q.execute(&mut *tx)
            .await
            .map_err(backend("append to an incident timeline"))?;
    }
    Ok(())
}

/// After an update matched no row: `NotFound`, or `Conflict` with the version now stored.
async fn missed(
    tx: &mut sqlx::AnyConnection,
    table: &'static str,
    what: &'static str,
    id: &str,
    expected: i64,
) -> StoreError {
    let sql = format!("SELECT version FROM {table} WHERE id = $1");
    match sqlx::query_scalar::<_, i64>(&sql)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
    {
        Ok(Some(now)) => StoreError::Conflict {
            what,
            id: id.to_owned(),
            detail: format!("it is at version {now}, the change was based on version {expected}"),
        },
        Ok(None) => StoreError::NotFound {
            what,
            id: id.to_owned(),
        },
        Err(e) => StoreError::backend("check a version", e),
    }
}

/// Fills each incident's assigned units (one query for the page).
async fn with_units(db: &Store, mut incidents: Vec<Incident>) -> Result<Vec<Incident>, StoreError> {
    if incidents.is_empty() {
        return Ok(incidents);
    }
    let sql = format!(
        "SELECT id, incident_id FROM units WHERE incident_id IN ({}) ORDER BY id",
        list_placeholders(1, incidents.len())
    );
    let mut q = sqlx::query(&sql);
    for i in &incidents {
        q = q.bind(i.id.as_str());
    }
    let rows = q
        .fetch_all(db.pool())
        .await
        .map_err(backend("read incident units"))?;
    let mut by_incident: BTreeMap<String, Vec<UnitId>> = BTreeMap::new();
    for r in &rows {
        let inc: String = get(r, "incident_id")?;
        by_incident
            .entry(inc)
            .or_default()
            .push(UnitId(get(r, "id")?));
    }
    for i in &mut incidents {
        i.units = by_incident.remove(i.id.as_str()).unwrap_or_default();
    }
    Ok(incidents)
}

async fn unit_where(db: &Store, clause: &str, value: &str) -> Result<Option<Unit>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {UNIT_COLUMNS} FROM units WHERE {clause} = $1"
    ))
    .bind(value)
    .fetch_optional(db.pool())
    .await
    .map_err(backend("read a unit"))?;
    row.as_ref().map(unit_from_row).transpose()
}

#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
#[async_trait]
impl CommandStore for Store {
    async fn create_incident(
        &self,
        n: &NewIncident,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Incident, StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let l = &n.location;
        let sql = format!(
            "INSERT INTO incidents (id, incident_type, source, priority, state, lon, lat, inside_district, \
             town_id, town_name, grid_id, grid_name, road_id, road_name, road_distance_m, description, address, \
             caller_name, caller_phone, received_at, created_by, version, updated_at) VALUES {}",
            values_placeholders(1, 23)
        );
        sqlx::query(&sql)
            .bind(n.id.as_str())
            .bind(n.incident_type.code())
            .bind(n.source.as_str())
            .bind(i64::from(n.priority.get()))
            .bind(IncidentState::Received.as_str())
            .bind(l.lon)
            .bind(l.lat)
            .bind(i64::from(l.inside_district))
            .bind(l.town_id.as_deref())
            .bind(l.town_name.as_deref())
            .bind(l.grid_id.as_deref())
            .bind(l.grid_name.as_deref())
            .bind(l.road_id.as_deref())
            .bind(l.road_name.as_deref())
            .bind(l.road_distance_m)
            .bind(n.description.as_str())
            .bind(n.address.as_deref())
            .bind(n.caller.as_ref().and_then(|c| c.name.as_deref()))
            .bind(n.caller.as_ref().and_then(|c| c.phone.as_deref()))
            .bind(n.received_at.micros())
            .bind(n.created_by.as_str())
            .bind(1_i64)
            .bind(n.received_at.micros())
            .execute(&mut *tx)
            .await
            .map_err(map_err("record an incident", "incident", n.id.as_str()))?;
        insert_timeline(
            &mut tx,
            &[NewTimelineEntry {
                incident_id: n.id.clone(),
                at: n.received_at,
                actor: n.created_by.clone(),
                kind: TimelineKind::Transition,
                action: None,
                from_state: None,
                to_state: Some(IncidentState::Received),
                unit_id: None,
                text: None,
                link: None,
            }],
        )
        .await?;
        tx.commit(audit, "commit an incident").await?;
        self.incident(&n.id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "incident",
                id: n.id.to_string(),
            })
    }

    async fn incident(&self, id: &IncidentId) -> Result<Option<Incident>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1"
        ))
        .bind(id.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(backend("read an incident"))?;
        let Some(row) = row else { return Ok(None) };
        Ok(with_units(self, vec![incident_from_row(&row)?])
            .await?
            .pop())
    }

    async fn incidents(&self, f: &IncidentFilter) -> Result<Vec<Incident>, StoreError> {
        let mut clauses: Vec<String> = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if f.open_only {
            clauses.push("state NOT IN ('cleared', 'closed', 'cancelled')".into());
        }
        if f.state.is_some() {
            clauses.push(format!("state = {}", next()));
        }
        if f.from.is_some() {
            clauses.push(format!("received_at >= {}", next()));
        }
        if f.to.is_some() {
            clauses.push(format!("received_at < {}", next()));
        }
        if let Some(ids) = &f.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = ids.iter().map(|_| next()).collect();
            clauses.push(format!("id IN ({})", list.join(",")));
        }
        let limit = next();
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents {where_sql} ORDER BY received_at DESC, id LIMIT {limit}"
        );
        let mut q = sqlx::query(&sql);
        if let Some(s) = f.state {
            q = q.bind(s.as_str());
        }
        if let Some(t) = f.from {
            q = q.bind(t.micros());
        }
        if let Some(t) = f.to {
            q = q.bind(t.micros());
        }
        if let Some(ids) = &f.ids {
            for id in ids {
                q = q.bind(id.as_str());
            }
        }
        q = q.bind(i64::from(f.limit.clamp(1, 100_000)));
        let rows = q
            .fetch_all(self.pool())
            .await
            .map_err(backend("list incidents"))?;
        let incidents = rows
            .iter()
            .map(incident_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        with_units(self, incidents).await
    }

    async fn incident_contact(&self, id: &IncidentId) -> Result<Option<CallerContact>, StoreError> {
        let row = sqlx::query("SELECT caller_name, caller_phone FROM incidents WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(backend("read a caller contact"))?
            .ok_or_else(|| StoreError::NotFound {
                what: "incident",
                id: id.to_string(),
            })?;
        let name: Option<String> = get(&row, "caller_name")?;
        let phone: Option<String> = get(&row, "caller_phone")?;
        Ok((name.is_some() || phone.is_some()).then_some(CallerContact { name, phone }))
    }

    async fn apply_incident_change(
        &self,
        c: &IncidentChange,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Incident, StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let t = &c.times;
        let opt = |v: Option<Timestamp>| v.map(Timestamp::micros);
        let done = sqlx::query(
            "UPDATE incidents SET incident_type = $1, priority = $2, description = $3, state = $4, \
             dispatched_at = $5, en_route_at = $6, on_scene_at = $7, cleared_at = $8, closed_at = $9, \
             cancelled_at = $10, reopened_at = $11, updated_at = $12, version = version + 1 \
             WHERE id = $13 AND version = $14",
        )
        .bind(c.incident_type.code())
        .bind(i64::from(c.priority.get()))
        .bind(c.description.as_str())
        .bind(c.state.as_str())
        .bind(opt(t.dispatched_at))
        .bind(opt(t.en_route_at))
        .bind(opt(t.on_scene_at))
        .bind(opt(t.cleared_at))
        .bind(opt(t.closed_at))
        .bind(opt(t.cancelled_at))
        .bind(opt(t.reopened_at))
        .bind(c.updated_at.micros())
        .bind(c.id.as_str())
        .bind(c.expected_version)
        .execute(&mut *tx)
        .await
        .map_err(backend("update an incident"))?;
        if done.rows_affected() == 0 {
            return Err(missed(
                &mut tx,
                "incidents",
                "incident",
                c.id.as_str(),
                c.expected_version,
            )
            .await);
        }
        for u in &c.units {
            let done = sqlx::query(
                "UPDATE units SET status = $1, incident_id = $2, updated_at = $3, version = version + 1 \
                 WHERE id = $4 AND version = $5",
            )
            .bind(u.status.as_str())
            .bind(u.incident_id.as_ref().map(|i| i.as_str()))
            .bind(c.updated_at.micros())
            .bind(u.unit_id.as_str())
            .bind(u.expected_version)
            .execute(&mut *tx)
            .await
            .map_err(backend("update a unit"))?;
            if done.rows_affected() == 0 {
                return Err(missed(
                    &mut tx,
                    "units",
                    "unit",
                    u.unit_id.as_str(),
                    u.expected_version,
                )
                .await);
            }
        }
        insert_timeline(&mut tx, &c.timeline).await?;
        tx.commit(audit, "commit an incident change").await?;
        self.incident(&c.id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "incident",
                id: c.id.to_string(),
            })
    }

    async fn add_timeline(
        &self,
        entries: &[NewTimelineEntry],
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        insert_timeline(&mut tx, entries).await?;
        tx.commit(audit, "commit timeline entries").await?;
        Ok(())
    }

    async fn timeline(&self, id: &IncidentId) -> Result<Vec<TimelineEntry>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {TIMELINE_COLUMNS} FROM incident_timeline WHERE incident_id = $1 ORDER BY seq"
        ))
        .bind(id.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(backend("read an incident timeline"))?;
        rows.iter().map(timeline_from_row).collect()
    }

    async fn create_unit(
        &self,
        u: &NewUnit,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Unit, StoreError> {
        let crew =
            serde_json::to_string(&u.crew).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        sqlx::query(
            "INSERT INTO units (id, call_sign, kind, crew, agency, status, device_id, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
        )
        .bind(u.id.as_str())
        .bind(u.call_sign.as_str())
        .bind(u.kind.as_str())
        .bind(crew)
        .bind(u.agency.as_str())
        .bind(u.status.as_str())
        .bind(u.device_id.as_ref().map(|d| d.as_str()))
        .bind(u.created_at.micros())
        .execute(&mut *tx)
        .await
        .map_err(map_err("register a unit", "unit or unit device", u.id.as_str()))?;
        tx.commit(audit, "commit a new unit").await?;
        unit_where(self, "id", u.id.as_str())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "unit",
                id: u.id.to_string(),
            })
    }

    async fn units(&self, ids: Option<&[UnitId]>) -> Result<Vec<Unit>, StoreError> {
        let rows = match ids {
            Some([]) => return Ok(Vec::new()),
            Some(ids) => {
                let sql = format!(
                    "SELECT {UNIT_COLUMNS} FROM units WHERE id IN ({}) ORDER BY id",
                    list_placeholders(1, ids.len())
                );
                let mut q = sqlx::query(&sql);
                for id in ids {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(self.pool()).await
            }
            None => {
                sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY id"))
                    .fetch_all(self.pool())
                    .await
            }
        }
        .map_err(backend("read units"))?;
        rows.iter().map(unit_from_row).collect()
    }

    async fn unit_by_device(&self, device: &DeviceId) -> Result<Option<Unit>, StoreError> {
        unit_where(self, "device_id", device.as_str()).await
    }

    async fn set_unit_status(
        &self,
        id: &UnitId,
        expected_version: i64,
        status: UnitStatus,
        at: Timestamp,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Unit, StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let done = sqlx::query(
            "UPDATE units SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(status.as_str())
        .bind(at.micros())
        .bind(id.as_str())
        .bind(expected_version)
        .execute(&mut *tx)
        .await
        .map_err(backend("set a unit's status"))?;
        if done.rows_affected() == 0 {
            return Err(missed(&mut tx, "units", "unit", id.as_str(), expected_version).await);
        }
        tx.commit(audit, "commit a unit status").await?;
        unit_where(self, "id", id.as_str())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "unit",
                id: id.to_string(),
            })
    }

    async fn record_fixes(
        &self,
        unit: &UnitId,
        fixes: &[Fix],
        received_at: Timestamp,
    ) -> Result<FixesRecorded, StoreError> {
        if fixes.is_empty() {
            return Ok(FixesRecorded {
                inserted: Vec::new(),
                advanced: None,
            });
        }
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let mut existing: HashSet<i64> = HashSet::new();
        let mut times: Vec<i64> = fixes.iter().map(|f| f.at.micros()).collect();
        times.sort_unstable();
        times.dedup();
        for chunk in times.chunks(500) {
            let sql = format!(
                "SELECT at FROM unit_positions WHERE unit_id = $1 AND at IN ({})",
                list_placeholders(2, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(unit.as_str());
            for t in chunk {
                q = q.bind(*t);
            }
            existing.extend(
                q.fetch_all(&mut *tx)
                    .await
                    .map_err(backend("read a unit's track"))?,
            );
        }
        // A fix already stored, or repeated earlier in this batch, is a duplicate.
        let inserted: Vec<bool> = fixes
            .iter()
            .map(|f| existing.insert(f.at.micros()))
            .collect();
        let fresh: Vec<&Fix> = fixes
            .iter()
            .zip(&inserted)
            .filter_map(|(f, new)| new.then_some(f))
            .collect();
        for chunk in fresh.chunks(FIX_CHUNK) {
            let sql = format!(
                "INSERT INTO unit_positions (unit_id, at, lon, lat, speed_kmh, heading_deg, accuracy_m, received_at) \
                 VALUES {} ON CONFLICT (unit_id, at) DO NOTHING",
                values_placeholders(chunk.len(), 8)
            );
            let mut q = sqlx::query(&sql);
            for f in chunk {
                q = q
                    .bind(unit.as_str())
                    .bind(f.at.micros())
                    .bind(f.lon)
                    .bind(f.lat)
                    .bind(f.speed_kmh)
                    .bind(f.heading_deg)
                    .bind(f.accuracy_m)
                    .bind(received_at.micros());
            }
            q.execute(&mut *tx)
                .await
                .map_err(map_err("store fixes", "unit", unit.as_str()))?;
        }
        let mut advanced = false;
        if let Some(newest) = fresh.iter().max_by_key(|f| f.at) {
            let done = sqlx::query(
                "UPDATE units SET last_fix_at = $1, last_lon = $2, last_lat = $3, last_speed_kmh = $4, \
                 last_heading_deg = $5, last_accuracy_m = $6 \
                 WHERE id = $7 AND (last_fix_at IS NULL OR last_fix_at < $1)",
            )
            .bind(newest.at.micros())
            .bind(newest.lon)
            .bind(newest.lat)
            .bind(newest.speed_kmh)
            .bind(newest.heading_deg)
            .bind(newest.accuracy_m)
            .bind(unit.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend("move a unit's last position"))?;
            advanced = done.rows_affected() > 0;
        }
        tx.commit_unaudited(Unaudited::DeviceData, "commit fixes")
            .await?;
        let advanced = if advanced {
            unit_where(self, "id", unit.as_str()).await?
        } else {
            None
        };
        Ok(FixesRecorded { inserted, advanced })
    }

    async fn track(
        &self,
        unit: &UnitId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<Fix>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, lon, lat, speed_kmh, heading_deg, accuracy_m FROM unit_positions \
             WHERE unit_id = $1 AND at >= $2 AND at < $3 ORDER BY at LIMIT $4",
        )
        .bind(unit.as_str())
        .bind(from.micros())
        .bind(to.micros())
        .bind(i64::from(limit.clamp(1, 100_000)))
        .fetch_all(self.pool())
        .await
        .map_err(backend("read a unit's track"))?;
        rows.iter()
            .map(|r| {
                Ok(Fix {
                    at: Timestamp(get(r, "at")?),
                    lon: get(r, "lon")?,
                    lat: get(r, "lat")?,
                    speed_kmh: get(r, "speed_kmh")?,
                    heading_deg: get(r, "heading_deg")?,
                    accuracy_m: get(r, "accuracy_m")?,
                })
            })
            .collect()
    }

    async fn purge_positions(&self, before: Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let done = sqlx::query("DELETE FROM unit_positions WHERE at < $1")
            .bind(before.micros())
            .execute(&mut *tx)
            .await
            .map_err(backend("purge unit positions"))?;
        tx.commit_unaudited(Unaudited::Expiry, "commit purged positions")
            .await?;
        Ok(done.rows_affected())
    }
}

//! Bulk import of past, closed incidents (a legacy system's history, or the demo's year), in one
//! transaction with batched statements: one row per incident and one timeline row per step.

use crate::domain::incident::{IncidentSource, IncidentState, IncidentType, Priority};
use crate::domain::records::IncidentLocation;
use pingan_core::audit::NewAuditEntry;
use pingan_core::{StoreError, Timestamp};
use pingan_db::backend;
use pingan_db::{values_placeholders, Store};

/// A closed incident with the times of its steps.
#[derive(Debug, Clone)]
pub struct HistoricIncident {
    pub id: String,
    pub incident_type: IncidentType,
    pub source: IncidentSource,
    pub priority: Priority,
    pub location: IncidentLocation,
    pub description: String,
    pub received_at: Timestamp,
    pub dispatched_at: Option<Timestamp>,
    pub on_scene_at: Option<Timestamp>,
    pub closed_at: Timestamp,
    /// The unit that answered it, recorded on the dispatch step of the timeline.
    pub unit_id: Option<String>,
    pub created_by: String,
}

/// One timeline step: incident id, time, from state, to state, entry kind.
type Step<'a> = (
    &'a str,
    Timestamp,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
);

/// Incidents per INSERT (24 columns each).
const CHUNK: usize = 100;

/// Imports closed incidents and their timelines with the import's ledger entry; all or nothing.
/// Returns how many.
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub async fn import_incident_history(
    db: &Store,
    rows: &[HistoricIncident],
    audit: NewAuditEntry,
) -> Result<usize, StoreError> {
    let mut tx = db.begin_write().await.map_err(backend("begin"))?;
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO incidents (id, incident_type, source, priority, state, lon, lat, inside_district, \
             town_id, town_name, grid_id, grid_name, road_id, road_name, road_distance_m, description, \
             received_at, dispatched_at, on_scene_at, cleared_at, closed_at, created_by, version, updated_at) VALUES {}",
            values_placeholders(chunk.len(), 24)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            let l = &r.location;
            q = q
                .bind(r.id.as_str())
                .bind(r.incident_type.code())
                .bind(r.source.as_str())
                .bind(i64::from(r.priority.get()))
                .bind(IncidentState::Closed.as_str())
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
                .bind(r.description.as_str())
                .bind(r.received_at.micros())
                .bind(r.dispatched_at.map(Timestamp::micros))
                .bind(r.on_scene_at.map(Timestamp::micros))
                .bind(r.closed_at.micros())
                .bind(r.closed_at.micros())
                .bind(r.created_by.as_str())
                .bind(1_i64)
                .bind(r.closed_at.micros());
        }
        q.execute(&mut *tx).await.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
                what: "incident",
                id: "(in this import)".into(),
            },
            _ => StoreError::backend("import incidents", e),
        })?;
        // The timeline: every step the incident went through.
        let mut steps: Vec<Step<'_>> = Vec::new();
        for r in chunk {
            steps.push((
                r.id.as_str(),
                r.received_at,
                None,
                Some("received"),
                "transition",
            ));
            let mut from = "received";
            if let Some(at) = r.dispatched_at {
                steps.push((
                    r.id.as_str(),
                    at,
                    Some(from),
                    Some("dispatched"),
                    "transition",
                ));
                from = "dispatched";
            }
            if let Some(at) = r.on_scene_at {
                steps.push((
                    r.id.as_str(),
                    at,
                    Some(from),
                    Some("on_scene"),
                    "transition",
                ));
                from = "on_scene";
            }
            steps.push((
                r.id.as_str(),
                r.closed_at,
                Some(from),
                Some("cleared"),
                "transition",
            ));
            steps.push((
                r.id.as_str(),
                r.closed_at,
                Some("cleared"),
                Some("closed"),
                "transition",
            ));
        }
        let units: std::collections::HashMap<&str, Option<&str>> = chunk
            .iter()
            .map(|r| (r.id.as_str(), r.unit_id.as_deref()))
            .collect();
        let actors: std::collections::HashMap<&str, &str> = chunk
            .iter()
            .map(|r| (r.id.as_str(), r.created_by.as_str()))
            .collect();
        for part in steps.chunks(200) {
            let sql = format!(
                "INSERT INTO incident_timeline (incident_id, at, actor, kind, from_state, to_state, unit_id) VALUES {}",
                values_placeholders(part.len(), 7)
            );
            let mut q = sqlx::query(&sql);
            for (id, at, from, to, kind) in part {
                let unit = if *to == Some("dispatched") {
                    units.get(id).copied().flatten()
                } else {
                    None
                };
                q = q
                    .bind(*id)
                    .bind(at.micros())
                    .bind(actors.get(id).copied().unwrap_or("import"))
                    .bind(*kind)
                    .bind(*from)
                    .bind(*to)
                    .bind(unit);
            }
            q.execute(&mut *tx)
                .await
                .map_err(backend("import incident timelines"))?;
        }
    }
    tx.commit(vec![audit], "commit the incident history")
        .await?;
    Ok(rows.len())
}

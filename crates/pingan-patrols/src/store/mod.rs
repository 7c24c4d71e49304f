//! The patrol programme's SQL: plans (with optimistic concurrency on edits and publishing),
//! their visits, duty, and field logs. Every change a person makes commits with its ledger
//! entries; the dwell a unit's GPS shows is derived data and commits without one.

use crate::domain::logs::{LogDetail, LogKind};
use crate::domain::records::{
    Duty, LogRecord, PlanBody, PlanRecord, PlanState, VisitDwell, VisitRecord,
};
use pingan_core::audit::NewAuditEntry;
use pingan_core::{StoreError, Timestamp};
use pingan_db::{backend, map_err, Store, Unaudited};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

const PLAN_COLUMNS: &str =
    "id, name, state, start_at, end_at, seed, body, created_by, created_at, \
    published_by, published_at, version, updated_at";

const VISIT_COLUMNS: &str = "plan_id, unit_id, seq, spot_key, spot_name, area, lon, lat, radius_m, \
    arrive_at, depart_at, status, longest_stay_s, inside_s, entered_at, left_at, final, suggested, tactics_used";

const LOG_COLUMNS: &str = "id, at, unit_id, officer, kind, detail, lon, lat, town_id, grid_id, \
    plan_id, visit_seq, corrects, recorded_at";

fn get<'r, T: sqlx::Decode<'r, Any> + sqlx::Type<Any>>(
    row: &'r AnyRow,
    col: &str,
) -> Result<T, StoreError> {
    row.try_get(col).map_err(backend("read a patrol row"))
}

fn ts(row: &AnyRow, col: &str) -> Result<Timestamp, StoreError> {
    get::<i64>(row, col).map(Timestamp)
}

fn ts_opt(row: &AnyRow, col: &str) -> Result<Option<Timestamp>, StoreError> {
    Ok(get::<Option<i64>>(row, col)?.map(Timestamp))
}

fn json<T: serde::de::DeserializeOwned>(row: &AnyRow, col: &str) -> Result<T, StoreError> {
    let text: String = get(row, col)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("patrol {col}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn plan_row(row: &AnyRow) -> Result<PlanRecord, StoreError> {
    let state: String = get(row, "state")?;
    Ok(PlanRecord {
        id: get(row, "id")?,
        name: get(row, "name")?,
        state: PlanState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("plan state {state:?}")))?,
        start_at: ts(row, "start_at")?,
        end_at: ts(row, "end_at")?,
        seed: u64::from_ne_bytes(get::<i64>(row, "seed")?.to_ne_bytes()),
        body: json::<PlanBody>(row, "body")?,
        created_by: get(row, "created_by")?,
        created_at: ts(row, "created_at")?,
        published_by: get(row, "published_by")?,
        published_at: ts_opt(row, "published_at")?,
        version: get(row, "version")?,
        updated_at: ts(row, "updated_at")?,
    })
}

fn visit_row(row: &AnyRow) -> Result<VisitRecord, StoreError> {
    Ok(VisitRecord {
        plan_id: get(row, "plan_id")?,
        unit_id: get(row, "unit_id")?,
        seq: get(row, "seq")?,
        spot_key: get(row, "spot_key")?,
        spot_name: get(row, "spot_name")?,
        area: get(row, "area")?,
        lon: get(row, "lon")?,
        lat: get(row, "lat")?,
        radius_m: get(row, "radius_m")?,
        arrive_at: ts(row, "arrive_at")?,
        depart_at: ts(row, "depart_at")?,
        status: get(row, "status")?,
        longest_stay_s: get(row, "longest_stay_s")?,
        inside_s: get(row, "inside_s")?,
        entered_at: ts_opt(row, "entered_at")?,
        left_at: ts_opt(row, "left_at")?,
        final_: get::<i64>(row, "final")? != 0,
        suggested: json(row, "suggested")?,
        tactics_used: json(row, "tactics_used")?,
    })
}

fn log_row(row: &AnyRow) -> Result<LogRecord, StoreError> {
    let kind: String = get(row, "kind")?;
    Ok(LogRecord {
        id: get(row, "id")?,
        at: ts(row, "at")?,
        unit_id: get(row, "unit_id")?,
        officer: get(row, "officer")?,
        kind: LogKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("log kind {kind:?}")))?,
        detail: json::<LogDetail>(row, "detail")?,
        lon: get(row, "lon")?,
        lat: get(row, "lat")?,
        town_id: get(row, "town_id")?,
        grid_id: get(row, "grid_id")?,
        plan_id: get(row, "plan_id")?,
        visit_seq: get(row, "visit_seq")?,
        corrects: get(row, "corrects")?,
        recorded_at: ts(row, "recorded_at")?,
    })
}

/// Stores a new draft plan with its ledger entry.
pub async fn create_plan(
    store: &Store,
    p: &PlanRecord,
    audit: Vec<NewAuditEntry>,
) -> Result<(), StoreError> {
    let body = to_json(&p.body)?;
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    sqlx::query(
        "INSERT INTO patrol_plans (id, name, state, start_at, end_at, seed, body, created_by, \
         created_at, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $9)",
    )
    .bind(p.id.as_str())
    .bind(p.name.as_str())
    .bind(p.state.as_str())
    .bind(p.start_at.micros())
    .bind(p.end_at.micros())
    .bind(i64::from_ne_bytes(p.seed.to_ne_bytes()))
    .bind(body)
    .bind(p.created_by.as_str())
    .bind(p.created_at.micros())
    .execute(&mut *tx)
    .await
    .map_err(map_err("store a patrol plan", "patrol plan", p.id.as_str()))?;
    tx.commit(audit, "commit a patrol plan").await?;
    Ok(())
}

/// One plan.
pub async fn plan(store: &Store, id: &str) -> Result<Option<PlanRecord>, StoreError> {
    let sql = format!("SELECT {PLAN_COLUMNS} FROM patrol_plans WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .map_err(backend("read a patrol plan"))?;
    row.as_ref().map(plan_row).transpose()
}

/// Plans whose shift overlaps `[from, to)`, earliest first.
pub async fn plans(
    store: &Store,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> Result<Vec<PlanRecord>, StoreError> {
    let sql = format!(
        "SELECT {PLAN_COLUMNS} FROM patrol_plans WHERE end_at > $1 AND start_at < $2 \
         ORDER BY start_at, id LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(from.micros())
        .bind(to.micros())
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(backend("list patrol plans"))?;
    rows.iter().map(plan_row).collect()
}

fn conflict(id: &str) -> StoreError {
    StoreError::Conflict {
        what: "patrol plan",
        id: id.to_owned(),
        detail: "it was changed meanwhile".into(),
    }
}

/// Replaces a draft's body (a supervisor's edit), under the version the edit read.
pub async fn update_draft(
    store: &Store,
    id: &str,
    version: i64,
    body: &PlanBody,
    now: Timestamp,
    audit: Vec<NewAuditEntry>,
) -> Result<(), StoreError> {
    let body = to_json(body)?;
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    let done = sqlx::query(
        "UPDATE patrol_plans SET body = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4 AND state = 'draft'",
    )
    .bind(body)
    .bind(now.micros())
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(backend("edit a patrol plan"))?;
    if done.rows_affected() != 1 {
        return Err(conflict(id));
    }
    tx.commit(audit, "commit a patrol plan edit").await?;
    Ok(())
}

/// Publishes a draft: its visits become rows, in the same transaction as the state change and
/// its ledger entry.
pub async fn publish(
    store: &Store,
    plan: &PlanRecord,
    visits: &[VisitRecord],
    by: &str,
    now: Timestamp,
    audit: Vec<NewAuditEntry>,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    let done = sqlx::query(
        "UPDATE patrol_plans SET state = 'published', published_by = $1, published_at = $2, \
         version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4 AND state = 'draft'",
    )
    .bind(by)
    .bind(now.micros())
    .bind(plan.id.as_str())
    .bind(plan.version)
    .execute(&mut *tx)
    .await
    .map_err(backend("publish a patrol plan"))?;
    if done.rows_affected() != 1 {
        return Err(conflict(&plan.id));
    }
    for v in visits {
        sqlx::query(
            "INSERT INTO patrol_visits (plan_id, unit_id, seq, spot_key, spot_name, area, lon, lat, \
             radius_m, arrive_at, depart_at, status, longest_stay_s, inside_s, final, suggested, \
             tactics_used, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'planned', 0, 0, 0, $13, '[]', $12)",
        )
        .bind(v.plan_id.as_str())
        .bind(v.unit_id.as_str())
        .bind(v.seq)
        .bind(v.spot_key.as_str())
        .bind(v.spot_name.as_str())
        .bind(v.area.as_str())
        .bind(v.lon)
        .bind(v.lat)
        .bind(v.radius_m)
        .bind(v.arrive_at.micros())
        .bind(v.depart_at.micros())
        .bind(now.micros())
        .bind(to_json(&v.suggested)?)
        .execute(&mut *tx)
        .await
        .map_err(backend("store a patrol visit"))?;
    }
    tx.commit(audit, "commit a published patrol plan").await?;
    Ok(())
}

/// Cancels a plan (draft or published).
pub async fn cancel(
    store: &Store,
    id: &str,
    version: i64,
    now: Timestamp,
    audit: Vec<NewAuditEntry>,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    let done = sqlx::query(
        "UPDATE patrol_plans SET state = 'cancelled', version = version + 1, updated_at = $1 \
         WHERE id = $2 AND version = $3 AND state <> 'cancelled'",
    )
    .bind(now.micros())
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await
    .map_err(backend("cancel a patrol plan"))?;
    if done.rows_affected() != 1 {
        return Err(conflict(id));
    }
    tx.commit(audit, "commit a cancelled patrol plan").await?;
    Ok(())
}

/// Visits of published plans whose planned time touches `[from, to)`; for one unit if given,
/// for one plan if given; in time order.
pub async fn visits(
    store: &Store,
    unit: Option<&str>,
    plan: Option<&str>,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<VisitRecord>, StoreError> {
    let sql = format!(
        "SELECT {} FROM patrol_visits v JOIN patrol_plans p ON p.id = v.plan_id \
         WHERE p.state <> 'draft' AND v.depart_at > $1 AND v.arrive_at < $2 \
         AND ($3 IS NULL OR v.unit_id = $3) AND ($4 IS NULL OR v.plan_id = $4) \
         ORDER BY v.arrive_at, v.unit_id, v.seq",
        VISIT_COLUMNS
            .split(", ")
            .map(|c| format!("v.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows = sqlx::query(&sql)
        .bind(from.micros())
        .bind(to.micros())
        .bind(unit)
        .bind(plan)
        .fetch_all(store.pool())
        .await
        .map_err(backend("read patrol visits"))?;
    rows.iter().map(visit_row).collect()
}

/// Writes what the GPS showed for one visit (derived from the stored track; no ledger entry).
/// A final verdict is not changed again.
pub async fn set_dwell(
    store: &Store,
    v: &VisitRecord,
    d: &VisitDwell,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    sqlx::query(
        "UPDATE patrol_visits SET status = $1, longest_stay_s = $2, inside_s = $3, entered_at = $4, \
         left_at = $5, final = $6, updated_at = $7 \
         WHERE plan_id = $8 AND unit_id = $9 AND seq = $10 AND final = 0",
    )
    .bind(d.status)
    .bind(d.longest_stay_s)
    .bind(d.inside_s)
    .bind(d.entered_at.map(|t| t.micros()))
    .bind(d.left_at.map(|t| t.micros()))
    .bind(i64::from(d.final_))
    .bind(now.micros())
    .bind(v.plan_id.as_str())
    .bind(v.unit_id.as_str())
    .bind(v.seq)
    .execute(&mut *tx)
    .await
    .map_err(backend("record a visit's dwell"))?;
    tx.commit_unaudited(Unaudited::Derived, "commit a visit's dwell")
        .await
}

/// Records the tactics an officer used on a visit.
pub async fn set_tactics(
    store: &Store,
    v: &VisitRecord,
    tactics: &[String],
    now: Timestamp,
    audit: Vec<NewAuditEntry>,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    sqlx::query(
        "UPDATE patrol_visits SET tactics_used = $1, updated_at = $2 \
         WHERE plan_id = $3 AND unit_id = $4 AND seq = $5",
    )
    .bind(to_json(&tactics)?)
    .bind(now.micros())
    .bind(v.plan_id.as_str())
    .bind(v.unit_id.as_str())
    .bind(v.seq)
    .execute(&mut *tx)
    .await
    .map_err(backend("record a visit's tactics"))?;
    tx.commit(audit, "commit a visit's tactics").await?;
    Ok(())
}

/// The officer's open duty, if any.
pub async fn open_duty(store: &Store, officer: &str) -> Result<Option<Duty>, StoreError> {
    let row = sqlx::query(
        "SELECT officer, unit_id, start_at, end_at FROM patrol_duty \
         WHERE officer = $1 AND end_at IS NULL ORDER BY start_at DESC LIMIT 1",
    )
    .bind(officer)
    .fetch_optional(store.pool())
    .await
    .map_err(backend("read a duty"))?;
    row.map(|r| {
        Ok(Duty {
            officer: get(&r, "officer")?,
            unit_id: get(&r, "unit_id")?,
            start_at: ts(&r, "start_at")?,
            end_at: ts_opt(&r, "end_at")?,
        })
    })
    .transpose()
}

/// Signs an officer on to a unit (ending any open duty of theirs first), with its entry.
pub async fn start_duty(
    store: &Store,
    duty: &Duty,
    audit: Vec<NewAuditEntry>,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    sqlx::query("UPDATE patrol_duty SET end_at = $1 WHERE officer = $2 AND end_at IS NULL")
        .bind(duty.start_at.micros())
        .bind(duty.officer.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend("end a duty"))?;
    sqlx::query("INSERT INTO patrol_duty (officer, unit_id, start_at) VALUES ($1, $2, $3)")
        .bind(duty.officer.as_str())
        .bind(duty.unit_id.as_str())
        .bind(duty.start_at.micros())
        .execute(&mut *tx)
        .await
        .map_err(map_err("start a duty", "duty", duty.officer.as_str()))?;
    tx.commit(audit, "commit a duty").await?;
    Ok(())
}

/// Signs an officer off.
pub async fn end_duty(
    store: &Store,
    officer: &str,
    at: Timestamp,
    audit: Vec<NewAuditEntry>,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    sqlx::query("UPDATE patrol_duty SET end_at = $1 WHERE officer = $2 AND end_at IS NULL")
        .bind(at.micros())
        .bind(officer)
        .execute(&mut *tx)
        .await
        .map_err(backend("end a duty"))?;
    tx.commit(audit, "commit the end of a duty").await?;
    Ok(())
}

/// Inserts one field log in `tx`.
async fn insert_log(tx: &mut pingan_db::WriteTx, log: &LogRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO patrol_logs (id, at, unit_id, officer, kind, detail, lon, lat, town_id, grid_id, \
         plan_id, visit_seq, corrects, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(log.id.as_str())
    .bind(log.at.micros())
    .bind(log.unit_id.as_str())
    .bind(log.officer.as_str())
    .bind(log.kind.as_str())
    .bind(to_json(&log.detail)?)
    .bind(log.lon)
    .bind(log.lat)
    .bind(log.town_id.as_deref())
    .bind(log.grid_id.as_deref())
    .bind(log.plan_id.as_deref())
    .bind(log.visit_seq)
    .bind(log.corrects.as_deref())
    .bind(log.recorded_at.micros())
    .execute(&mut **tx)
    .await
    .map_err(map_err("store a field log", "field log", log.id.as_str()))?;
    Ok(())
}

/// Appends a field log with its ledger entry.
pub async fn add_log(
    store: &Store,
    log: &LogRecord,
    audit: Vec<NewAuditEntry>,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    insert_log(&mut tx, log).await?;
    tx.commit(audit, "commit a field log").await?;
    Ok(())
}

/// One log.
pub async fn log(store: &Store, id: &str) -> Result<Option<LogRecord>, StoreError> {
    let sql = format!("SELECT {LOG_COLUMNS} FROM patrol_logs WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .map_err(backend("read a field log"))?;
    row.as_ref().map(log_row).transpose()
}

/// Logs in `[from, to)`, for one unit if given, oldest first.
pub async fn logs(
    store: &Store,
    unit: Option<&str>,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> Result<Vec<LogRecord>, StoreError> {
    let sql = format!(
        "SELECT {LOG_COLUMNS} FROM patrol_logs WHERE at >= $1 AND at < $2 \
         AND ($3 IS NULL OR unit_id = $3) ORDER BY at, id LIMIT $4"
    );
    let rows = sqlx::query(&sql)
        .bind(from.micros())
        .bind(to.micros())
        .bind(unit)
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(backend("read field logs"))?;
    rows.iter().map(log_row).collect()
}

/// Duties that overlap `[from, to)`.
pub async fn duties(
    store: &Store,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Duty>, StoreError> {
    let rows = sqlx::query(
        "SELECT officer, unit_id, start_at, end_at FROM patrol_duty \
         WHERE start_at < $2 AND (end_at IS NULL OR end_at > $1) ORDER BY start_at, officer",
    )
    .bind(from.micros())
    .bind(to.micros())
    .fetch_all(store.pool())
    .await
    .map_err(backend("read duties"))?;
    rows.iter()
        .map(|r| {
            Ok(Duty {
                officer: get(r, "officer")?,
                unit_id: get(r, "unit_id")?,
                start_at: ts(r, "start_at")?,
                end_at: ts_opt(r, "end_at")?,
            })
        })
        .collect()
}

/// Stores a batch of past field logs (an import: the demo's history) in one transaction with
/// one ledger entry for the batch. Returns how many were stored.
pub async fn import_logs(
    store: &Store,
    logs: &[LogRecord],
    audit: NewAuditEntry,
) -> Result<usize, StoreError> {
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    for log in logs {
        insert_log(&mut tx, log).await?;
    }
    tx.commit(vec![audit], "commit imported field logs").await?;
    Ok(logs.len())
}

/// Stores past duties (an import: the demo's roster) in one transaction with one ledger entry.
pub async fn import_duties(
    store: &Store,
    duties: &[Duty],
    audit: NewAuditEntry,
) -> Result<usize, StoreError> {
    let mut tx = store.begin_write().await.map_err(backend("begin"))?;
    for d in duties {
        sqlx::query(
            "INSERT INTO patrol_duty (officer, unit_id, start_at, end_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(d.officer.as_str())
        .bind(d.unit_id.as_str())
        .bind(d.start_at.micros())
        .bind(d.end_at.map(|t| t.micros()))
        .execute(&mut *tx)
        .await
        .map_err(map_err("import a duty", "duty", d.officer.as_str()))?;
    }
    tx.commit(vec![audit], "commit imported duties").await?;
    Ok(duties.len())
}

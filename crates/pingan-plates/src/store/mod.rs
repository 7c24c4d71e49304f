//! The accountability side of plate reads: checkpoint bindings, the watch-list (布控) with its
//! approval and cancellation (撤控), alerts and their acknowledgement (签收), second-person
//! approvals of queries over old reads, evidence copied into cases, and the counts of the
//! transparency report.
//!
//! This module and `store/reads.rs` hold the only SQL of the capability. Every state change is
//! one conditional `UPDATE … RETURNING` (e.g. approve only a pending entry created by someone
//! else), so two people racing cannot both win; and every change takes its ledger entry and
//! commits it in the same transaction (a crash leaves both or neither). Nothing here knows who
//! may do what beyond the four-eyes condition.

mod reads;

pub use reads::{partition_name, InsertOutcome, PurgeReport, ReadStore, DAY_US, DELETE_BATCH};

use crate::domain::ingest::MAX_SOURCES;
use pingan_core::audit::NewAuditEntry;
use pingan_core::StoreError;
use pingan_db::{backend, list_placeholders, map_err, values_placeholders, Store, WriteTx};
use reads::{civil_month, read_from_row};
use std::collections::HashMap;

pub use crate::domain::records::{
    AlertRecord, CheckpointBinding, EvidenceRecord, QueryApproval, TransparencyCounts, WatchRecord,
};
use pingan_reads::read::ReadId;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A decision on a query approval (see [`PlatesStore::transition_query_approval`]).
#[derive(Debug, Clone, Copy)]
pub struct ApprovalTransition<'a> {
    pub id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub by: &'a str,
    pub at: i64,
    /// The decider must not be the requester.
    pub four_eyes: bool,
}

/// Reads to copy into a case (see [`PlatesStore::copy_evidence`]).
#[derive(Debug, Clone, Copy)]
pub struct EvidenceCopy<'a> {
    pub case_ref: &'a str,
    pub ids: &'a [ReadId],
    pub by: &'a str,
    pub at: i64,
    pub purpose: &'a str,
}

const WATCH_COLUMNS: &str =
    "id, target, reason, case_ref, note, valid_from, valid_to, receivers, created_by, \
     created_at, approved_by, approved_at, cancelled_by, cancelled_at, cancel_reason";
pub(crate) const ALERT_COLUMNS: &str =
    "id, entry_id, read_id, plate, checkpoint, ts, kind, detail, raised_at, acked_by, \
     acked_at, outcome, outcome_note";
const APPROVAL_COLUMNS: &str =
    "id, requested_by, requested_at, query, purpose, reference, status, decided_by, \
     decided_at, used_at";

fn json_col(row: &AnyRow, c: &str, what: &str) -> Result<serde_json::Value, StoreError> {
    let t: String = row.try_get(c).map_err(backend("read plate data"))?;
    serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("{what} {c}: {e}")))
}

fn watch_from_row(row: &AnyRow) -> Result<WatchRecord, StoreError> {
    let e = || backend("read a watch-list entry");
    Ok(WatchRecord {
        id: row.try_get("id").map_err(e())?,
        target: row.try_get("target").map_err(e())?,
        reason: row.try_get("reason").map_err(e())?,
        case_ref: row.try_get("case_ref").map_err(e())?,
        note: row.try_get("note").map_err(e())?,
        valid_from: row.try_get("valid_from").map_err(e())?,
        valid_to: row.try_get("valid_to").map_err(e())?,
        receivers: json_col(row, "receivers", "watch-list entry")?,
        created_by: row.try_get("created_by").map_err(e())?,
        created_at: row.try_get("created_at").map_err(e())?,
        approved_by: row.try_get("approved_by").map_err(e())?,
        approved_at: row.try_get("approved_at").map_err(e())?,
        cancelled_by: row.try_get("cancelled_by").map_err(e())?,
        cancelled_at: row.try_get("cancelled_at").map_err(e())?,
        cancel_reason: row.try_get("cancel_reason").map_err(e())?,
    })
}

fn alert_from_row(row: &AnyRow) -> Result<AlertRecord, StoreError> {
    let e = || backend("read an alert");
    let cp: i64 = row.try_get("checkpoint").map_err(e())?;
    Ok(AlertRecord {
        id: row.try_get("id").map_err(e())?,
        entry_id: row.try_get("entry_id").map_err(e())?,
        read_id: row.try_get("read_id").map_err(e())?,
        plate: row.try_get("plate").map_err(e())?,
        checkpoint: u32::try_from(cp)
            .map_err(|_| StoreError::Corrupt(format!("alert checkpoint {cp}")))?,
        ts: row.try_get("ts").map_err(e())?,
        kind: row.try_get("kind").map_err(e())?,
        detail: json_col(row, "detail", "alert")?,
        raised_at: row.try_get("raised_at").map_err(e())?,
        acked_by: row.try_get("acked_by").map_err(e())?,
        acked_at: row.try_get("acked_at").map_err(e())?,
        outcome: row.try_get("outcome").map_err(e())?,
        outcome_note: row.try_get("outcome_note").map_err(e())?,
    })
}

fn approval_from_row(row: &AnyRow) -> Result<QueryApproval, StoreError> {
    let e = || backend("read a query approval");
    Ok(QueryApproval {
        id: row.try_get("id").map_err(e())?,
        requested_by: row.try_get("requested_by").map_err(e())?,
        requested_at: row.try_get("requested_at").map_err(e())?,
        query: json_col(row, "query", "query approval")?,
        purpose: row.try_get("purpose").map_err(e())?,
        reference: row.try_get("reference").map_err(e())?,
        status: row.try_get("status").map_err(e())?,
        decided_by: row.try_get("decided_by").map_err(e())?,
        decided_at: row.try_get("decided_at").map_err(e())?,
        used_at: row.try_get("used_at").map_err(e())?,
    })
}

fn not_found(what: &'static str, id: impl ToString) -> StoreError {
    StoreError::NotFound {
        what,
        id: id.to_string(),
    }
}

/// The plate-read capability's tables, on the platform's database.
#[derive(Debug, Clone)]
pub struct PlatesStore {
    db: Store,
}

/// Appends the change's ledger entries in its transaction and commits both; returns how many
/// entries were written.
async fn commit_with(
    tx: WriteTx,
    audit: Vec<NewAuditEntry>,
    context: &'static str,
) -> Result<usize, StoreError> {
    Ok(tx.commit(audit, context).await?.len())
}

impl PlatesStore {
    pub fn new(db: Store) -> Self {
        Self { db }
    }

    /// The platform's database handle.
    pub fn db(&self) -> &Store {
        &self.db
    }

    /// Binds checkpoint codes (insert or replace), with the change's ledger entry.
    pub async fn put_checkpoint_bindings(
        &self,
        rows: &[CheckpointBinding],
        audit: NewAuditEntry,
    ) -> Result<usize, StoreError> {
        let mut tx = self.db.begin_write().await.map_err(backend("begin"))?;
        for chunk in rows.chunks(200) {
            let sql = format!(
                "INSERT INTO plate_checkpoints (code, checkpoint_id, device_id) VALUES {} \
                 ON CONFLICT (code) DO UPDATE SET checkpoint_id = excluded.checkpoint_id, device_id = excluded.device_id",
                values_placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for b in chunk {
                q = q
                    .bind(i64::from(b.code))
                    .bind(b.checkpoint_id.as_deref())
                    .bind(b.device_id.as_str());
            }
            q.execute(&mut *tx)
                .await
                .map_err(backend("bind checkpoints"))?;
        }
        // A device reporting its first code gets the next source number (see 0005's notes).
        sqlx::query(
            "INSERT INTO plate_sources (device_id, source) \
             SELECT d.device_id, (SELECT COALESCE(MAX(source), 0) FROM plate_sources) \
                    + ROW_NUMBER() OVER (ORDER BY d.device_id) \
             FROM (SELECT DISTINCT device_id FROM plate_checkpoints \
                   WHERE device_id NOT IN (SELECT device_id FROM plate_sources)) d",
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.message().to_lowercase().contains("check") => {
                StoreError::Conflict {
                    what: "device",
                    id: "(plate read sources)".into(),
                    detail: format!(
                        "at most {MAX_SOURCES} checkpoint devices can report plate reads"
                    ),
                }
            }
            _ => StoreError::backend("number plate read sources", e),
        })?;
        commit_with(tx, vec![audit], "bind checkpoints").await
    }

    /// The source number of every device that reports plate reads (see 0005's notes).
    pub async fn read_sources(&self) -> Result<HashMap<String, u16>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT device_id, source FROM plate_sources")
                .fetch_all(self.db.pool())
                .await
                .map_err(backend("read plate read sources"))?;
        rows.into_iter()
            .map(|(device, source)| {
                u16::try_from(source)
                    .map(|s| (device, s))
                    .map_err(|_| StoreError::Corrupt(format!("plate read source {source}")))
            })
            .collect()
    }

    /// Every binding, with the registry's name and position when registered.
    pub async fn checkpoint_bindings(&self) -> Result<Vec<CheckpointBinding>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.code, c.checkpoint_id, c.device_id, v.name, v.lon, v.lat FROM plate_checkpoints c \
             LEFT JOIN video_checkpoints v ON v.id = c.checkpoint_id ORDER BY c.code",
        )
        .fetch_all(self.db.pool())
        .await
        .map_err(backend("read checkpoint bindings"))?;
        rows.iter()
            .map(|row| {
                let e = || backend("read checkpoint bindings");
                let code: i64 = row.try_get("code").map_err(e())?;
                Ok(CheckpointBinding {
                    code: u32::try_from(code)
                        .map_err(|_| StoreError::Corrupt(format!("checkpoint code {code}")))?,
                    checkpoint_id: row.try_get("checkpoint_id").map_err(e())?,
                    device_id: row.try_get("device_id").map_err(e())?,
                    name: row.try_get("name").map_err(e())?,
                    lon: row.try_get("lon").map_err(e())?,
                    lat: row.try_get("lat").map_err(e())?,
                })
            })
            .collect()
    }

    /// Stores a new entry with its ledger entry.
    pub async fn create_watch(
        &self,
        w: &WatchRecord,
        audit: NewAuditEntry,
    ) -> Result<usize, StoreError> {
        let mut tx = self.db.begin_write().await.map_err(backend("begin"))?;
        sqlx::query(&format!(
            "INSERT INTO plate_watch ({WATCH_COLUMNS}) VALUES ({})",
            list_placeholders(1, 15)
        ))
        .bind(w.id)
        .bind(&w.target)
        .bind(&w.reason)
        .bind(&w.case_ref)
        .bind(w.note.as_deref())
        .bind(w.valid_from)
        .bind(w.valid_to)
        .bind(w.receivers.to_string())
        .bind(&w.created_by)
        .bind(w.created_at)
        .bind(w.approved_by.as_deref())
        .bind(w.approved_at)
        .bind(w.cancelled_by.as_deref())
        .bind(w.cancelled_at)
        .bind(w.cancel_reason.as_deref())
        .execute(&mut *tx)
        .await
        .map_err(map_err(
            "create a watch-list entry",
            "watch-list entry",
            &w.id.to_string(),
        ))?;
        commit_with(tx, vec![audit], "create a watch-list entry").await
    }

    /// Every entry, newest first.
    pub async fn watch_entries(&self) -> Result<Vec<WatchRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {WATCH_COLUMNS} FROM plate_watch ORDER BY created_at DESC, id"
        ))
        .fetch_all(self.db.pool())
        .await
        .map_err(backend("list the watch-list"))?;
        rows.iter().map(watch_from_row).collect()
    }

    pub async fn watch_entry(&self, id: i64) -> Result<WatchRecord, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {WATCH_COLUMNS} FROM plate_watch WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await
        .map_err(backend("read a watch-list entry"))?
        .ok_or_else(|| not_found("watch-list entry", id))?;
        watch_from_row(&row)
    }

    /// Approves a pending entry, with the ledger entry; `None` (and nothing written) when it is
    /// not pending, cancelled, or `by` created it.
    pub async fn approve_watch(
        &self,
        id: i64,
        by: &str,
        at: i64,
        audit: NewAuditEntry,
    ) -> Result<Option<WatchRecord>, StoreError> {
        let mut tx = self.db.begin_write().await.map_err(backend("begin"))?;
        let row = sqlx::query(&format!(
            "UPDATE plate_watch SET approved_by = $1, approved_at = $2 \
             WHERE id = $3 AND approved_by IS NULL AND cancelled_at IS NULL AND created_by <> $1 \
             RETURNING {WATCH_COLUMNS}"
        ))
        .bind(by)
        .bind(at)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("approve a watch-list entry"))?;
        let Some(w) = row.as_ref().map(watch_from_row).transpose()? else {
            return Ok(None);
        };
        commit_with(tx, vec![audit], "approve a watch-list entry").await?;
        Ok(Some(w))
    }

    /// Cancels (撤控) an entry that is not cancelled yet, with the ledger entry; `None` when it
    /// already was.
    pub async fn cancel_watch(
        &self,
        id: i64,
        by: &str,
        at: i64,
        reason: &str,
        audit: NewAuditEntry,
    ) -> Result<Option<WatchRecord>, StoreError> {
        let mut tx = self.db.begin_write().await.map_err(backend("begin"))?;
        let row = sqlx::query(&format!(
            "UPDATE plate_watch SET cancelled_by = $1, cancelled_at = $2, cancel_reason = $3 \
             WHERE id = $4 AND cancelled_at IS NULL RETURNING {WATCH_COLUMNS}"
        ))
        .bind(by)
        .bind(at)
        .bind(reason)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("cancel a watch-list entry"))?;
        let Some(w) = row.as_ref().map(watch_from_row).transpose()? else {
            return Ok(None);
        };
        commit_with(tx, vec![audit], "cancel a watch-list entry").await?;
        Ok(Some(w))
    }

    /// Alerts, newest first; only unacknowledged ones when `open_only`.
    pub async fn alerts(
        &self,
        open_only: bool,
        limit: u32,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        let filter = if open_only {
            "WHERE acked_at IS NULL"
        } else {
            ""
        };
        let rows = sqlx::query(&format!(
            "SELECT {ALERT_COLUMNS} FROM plate_alerts {filter} ORDER BY raised_at DESC, id LIMIT $1"
        ))
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(self.db.pool())
        .await
        .map_err(backend("list alerts"))?;
        rows.iter().map(alert_from_row).collect()
    }

    /// Acknowledges (签收) an alert with its outcome and the ledger entry; `None` when already
    /// acknowledged.
    pub async fn ack_alert(
        &self,
        id: &str,
        by: &str,
        at: i64,
        outcome: &str,
        note: Option<&str>,
        audit: NewAuditEntry,
    ) -> Result<Option<AlertRecord>, StoreError> {
        let mut tx = self.db.begin_write().await.map_err(backend("begin"))?;
        let row = sqlx::query(&format!(
            "UPDATE plate_alerts SET acked_by = $1, acked_at = $2, outcome = $3, outcome_note = $4 \
             WHERE id = $5 AND acked_at IS NULL RETURNING {ALERT_COLUMNS}"
        ))
        .bind(by)
        .bind(at)
        .bind(outcome)
        .bind(note)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("acknowledge an alert"))?;
        match row {
            Some(r) => {
                let a = alert_from_row(&r)?;
                commit_with(tx, vec![audit], "acknowledge an alert").await?;
                Ok(Some(a))
            }
            None => {
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT entry_id FROM plate_alerts WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(backend("acknowledge an alert"))?;
                exists.map(|_| None).ok_or_else(|| not_found("alert", id))
            }
        }
    }

    /// Stores a request for a second person's approval, with its ledger entry.
    pub async fn create_query_approval(
        &self,
        a: &QueryApproval,
        audit: NewAuditEntry,
    ) -> Result<usize, StoreError> {
        let mut tx = self.db.begin_write().await.map_err(backend("begin"))?;
        sqlx::query(&format!(
            "INSERT INTO plate_query_approvals ({APPROVAL_COLUMNS}) VALUES ({})",
            list_placeholders(1, 10)
        ))
        .bind(a.id.as_str())
        .bind(a.requested_by.as_str())
        .bind(a.requested_at)
        .bind(a.query.to_string())
        .bind(a.purpose.as_str())
        .bind(a.reference.as_deref())
        .bind(a.status.as_str())
        .bind(a.decided_by.as_deref())
        .bind(a.decided_at)
        .bind(a.used_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err("request a query approval", "query approval", &a.id))?;
        commit_with(tx, vec![audit], "request a query approval").await
    }

    pub async fn query_approval(&self, id: &str) -> Result<QueryApproval, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {APPROVAL_COLUMNS} FROM plate_query_approvals WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await
        .map_err(backend("read a query approval"))?
        .ok_or_else(|| not_found("query approval", id))?;
        approval_from_row(&row)
    }

    /// Approval requests, newest first, optionally by status and requester.
    pub async fn query_approvals(
        &self,
        status: Option<&str>,
        requested_by: Option<&str>,
        limit: u32,
    ) -> Result<Vec<QueryApproval>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {APPROVAL_COLUMNS} FROM plate_query_approvals \
             WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR requested_by = $2) \
             ORDER BY requested_at DESC, id LIMIT $3"
        ))
        .bind(status)
        .bind(requested_by)
        .bind(i64::from(limit))
        .fetch_all(self.db.pool())
        .await
        .map_err(backend("list query approvals"))?;
        rows.iter().map(approval_from_row).collect()
    }

    /// Moves an approval from `from` to `to` status, recording who and when, with the ledger
    /// entry; `None` (and nothing written) when it was not in `from` (or `by` is the requester
    /// and `four_eyes` is set).
    pub async fn transition_query_approval(
        &self,
        t: ApprovalTransition<'_>,
        audit: NewAuditEntry,
    ) -> Result<Option<QueryApproval>, StoreError> {
        let ApprovalTransition {
            id,
            from,
            to,
            by,
            at,
            four_eyes,
        } = t;
        let mut tx = self.db.begin_write().await.map_err(backend("begin"))?;
        let (set, cond) = if to == "used" {
            ("used_at = $3", "requested_by = $1")
        } else if four_eyes {
            ("decided_by = $1, decided_at = $3", "requested_by <> $1")
        } else {
            ("decided_by = $1, decided_at = $3", "1 = 1")
        };
        let row = sqlx::query(&format!(
            "UPDATE plate_query_approvals SET status = $2, {set} \
             WHERE id = $4 AND status = $5 AND {cond} RETURNING {APPROVAL_COLUMNS}"
        ))
        .bind(by)
        .bind(to)
        .bind(at)
        .bind(id)
        .bind(from)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("decide a query approval"))?;
        let Some(a) = row.as_ref().map(approval_from_row).transpose()? else {
            return Ok(None);
        };
        commit_with(tx, vec![audit], "decide a query approval").await?;
        Ok(Some(a))
    }

    /// Copies stored reads into a case (idempotent per case and read) with the ledger entry
    /// that `audit` builds from the count; returns how many were newly copied. Ids that are not
    /// stored are ignored (the caller compares the counts).
    pub async fn copy_evidence(
        &self,
        copy: EvidenceCopy<'_>,
        audit: impl FnOnce(u64) -> NewAuditEntry + Send,
    ) -> Result<u64, StoreError> {
        let EvidenceCopy {
            case_ref,
            ids,
            by,
            at,
            purpose,
        } = copy;
        let mut copied = 0;
        let mut tx = self.db.begin_write().await.map_err(backend("begin"))?;
        for chunk in ids.chunks(500) {
            let sql = format!(
                "INSERT INTO plate_evidence (case_ref, read_id, ts, plate, raw_plate, checkpoint, lane, direction, \
                 plate_colour, plate_type, confidence, vehicle_colour, vehicle_type, vehicle_brand, image_urls, \
                 device_id, copied_by, copied_at, purpose) \
                 SELECT $1, r.read_id, r.ts, r.plate, r.raw_plate, r.checkpoint, r.lane, r.direction, r.plate_colour, \
                 r.plate_type, r.confidence, r.vehicle_colour, r.vehicle_type, r.vehicle_brand, r.image_urls, \
                 c.device_id, $2, $3, $4 FROM plate_reads r LEFT JOIN plate_checkpoints c ON c.code = r.checkpoint \
                 WHERE r.read_id IN ({}) ON CONFLICT DO NOTHING",
                list_placeholders(5, chunk.len())
            );
            let mut q = sqlx::query(&sql)
                .bind(case_ref)
                .bind(by)
                .bind(at)
                .bind(purpose);
            for id in chunk {
                q = q.bind(id.0);
            }
            copied += q
                .execute(&mut *tx)
                .await
                .map_err(backend("copy reads into a case"))?
                .rows_affected();
        }
        commit_with(tx, vec![audit(copied)], "copy reads into a case").await?;
        Ok(copied)
    }

    /// The reads of a case, in time order.
    pub async fn case_evidence(&self, case_ref: &str) -> Result<Vec<EvidenceRecord>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM plate_evidence WHERE case_ref = $1 ORDER BY ts, read_id")
                .bind(case_ref)
                .fetch_all(self.db.pool())
                .await
                .map_err(backend("read case evidence"))?;
        rows.iter()
            .map(|row| {
                let e = || backend("read case evidence");
                Ok(EvidenceRecord {
                    case_ref: row.try_get("case_ref").map_err(e())?,
                    read: read_from_row(row)?,
                    device_id: row.try_get("device_id").map_err(e())?,
                    copied_by: row.try_get("copied_by").map_err(e())?,
                    copied_at: row.try_get("copied_at").map_err(e())?,
                    purpose: row.try_get("purpose").map_err(e())?,
                })
            })
            .collect()
    }

    /// The transparency report's counts (UTC months). `query_action` is the audit action of a
    /// plate query; refusals are the ledger's `access.denied` entries for `permission`.
    pub async fn transparency_counts(
        &self,
        query_action: &str,
        permission: &str,
        now: i64,
    ) -> Result<TransparencyCounts, StoreError> {
        let mut t = TransparencyCounts::default();
        let rows: Vec<(i64, Option<String>, String)> = sqlx::query_as(
            "SELECT at, purpose, outcome FROM audit_log \
             WHERE action = $1 OR (action = 'access.denied' AND object_id = $2)",
        )
        .bind(query_action)
        .bind(permission)
        .fetch_all(self.db.pool())
        .await
        .map_err(backend("count plate queries"))?;
        for (at, purpose, outcome) in rows {
            if outcome == "success" {
                *t.queries
                    .entry((civil_month(at), purpose.unwrap_or_default()))
                    .or_default() += 1;
            } else {
                *t.refused.entry(civil_month(at)).or_default() += 1;
            }
        }
        let hits: Vec<(i64, String)> = sqlx::query_as("SELECT raised_at, kind FROM plate_alerts")
            .fetch_all(self.db.pool())
            .await
            .map_err(backend("count alerts"))?;
        for (at, kind) in hits {
            *t.hits.entry((civil_month(at), kind)).or_default() += 1;
        }
        for w in self.watch_entries().await? {
            *t.watch_created
                .entry(civil_month(w.created_at))
                .or_default() += 1;
            if let Some(at) = w.approved_at {
                *t.watch_approved.entry(civil_month(at)).or_default() += 1;
            }
            if let Some(at) = w.cancelled_at {
                *t.watch_cancelled.entry(civil_month(at)).or_default() += 1;
            }
            if w.approved_at.is_some()
                && w.cancelled_at.is_none()
                && w.valid_from <= now
                && now < w.valid_to
            {
                t.watch_active += 1;
            }
        }
        Ok(t)
    }
}

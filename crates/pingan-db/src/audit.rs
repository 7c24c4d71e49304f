//! The audit ledger: appends chained under a lock, pages read by filters.

use crate::error::backend;
use crate::{values_placeholders, Backend, Store};
use async_trait::async_trait;
use pingan_core::audit::{AuditEntry, NewAuditEntry, Outcome};
use pingan_core::ports::{AuditFilter, AuditStore};
use pingan_core::{StoreError, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Key of the PostgreSQL advisory lock that serialises appends across processes.
const AUDIT_LOCK_KEY: i64 = 0x7069_6e67_616e; // "pingan"

const COLUMNS: &str = "seq, at, actor, role, action, object_type, object_id, purpose, reference, \
                       request_id, outcome, detail, prev_hash, hash";

/// Entries per INSERT statement (14 columns each keeps well under both backends' bind limits).
const INSERT_CHUNK: usize = 64;

fn entry_from_row(row: &AnyRow) -> Result<AuditEntry, StoreError> {
    let e = backend("read an audit entry");
    let role: Option<String> = row.try_get("role").map_err(e)?;
    let purpose: Option<String> = row
        .try_get("purpose")
        .map_err(backend("read an audit entry"))?;
    let outcome: String = row
        .try_get("outcome")
        .map_err(backend("read an audit entry"))?;
    let detail: String = row
        .try_get("detail")
        .map_err(backend("read an audit entry"))?;
    let get = |c: &str| -> Result<String, StoreError> {
        row.try_get(c).map_err(backend("read an audit entry"))
    };
    let opt = |c: &str| -> Result<Option<String>, StoreError> {
        row.try_get(c).map_err(backend("read an audit entry"))
    };
    // A value that no longer parses is reported as corrupt rather than hidden: the verifier
    // must see exactly what is stored.
    Ok(AuditEntry {
        seq: row.try_get("seq").map_err(backend("read an audit entry"))?,
        at: Timestamp(row.try_get("at").map_err(backend("read an audit entry"))?),
        actor: get("actor")?,
        role: role
            .map(|r| r.parse())
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("audit role: {e}")))?,
        action: get("action")?,
        object_type: get("object_type")?,
        object_id: opt("object_id")?,
        purpose: purpose
            .map(|p| p.parse())
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("audit purpose: {e}")))?,
        reference: opt("reference")?,
        request_id: opt("request_id")?,
        outcome: Outcome::parse(&outcome)
            .ok_or_else(|| StoreError::Corrupt(format!("audit outcome {outcome:?}")))?,
        detail: serde_json::from_str(&detail)
            .map_err(|e| StoreError::Corrupt(format!("audit detail: {e}")))?,
        prev_hash: get("prev_hash")?,
        hash: get("hash")?,
    })
}

/// Chains `entries` after the ledger's head inside `tx` and inserts them. The caller holds the
/// process's ledger lock; on PostgreSQL an advisory transaction lock serialises processes.
pub(crate) async fn chain_into(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend_kind: Backend,
    entries: Vec<NewAuditEntry>,
) -> Result<Vec<AuditEntry>, StoreError> {
    if backend_kind == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK_KEY)
            .execute(&mut **tx)
            .await
            .map_err(backend("lock the audit ledger"))?;
    }
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend("read the audit head"))?;
    let mut chained: Vec<AuditEntry> = Vec::with_capacity(entries.len());
    for e in entries {
        let prev = chained
            .last()
            .map(|p| (p.seq, p.hash.as_str()))
            .or(head.as_ref().map(|(s, h)| (*s, h.as_str())));
        let next = e.chain(prev);
        chained.push(next);
    }
    for chunk in chained.chunks(INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES {}",
            values_placeholders(chunk.len(), 14)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.seq)
                .bind(e.at.micros())
                .bind(e.actor.as_str())
                .bind(e.role.map(|r| r.as_str()))
                .bind(e.action.as_str())
                .bind(e.object_type.as_str())
                .bind(e.object_id.as_deref())
                .bind(e.purpose.map(|p| p.as_str()))
                .bind(e.reference.as_deref())
                .bind(e.request_id.as_deref())
                .bind(e.outcome.as_str())
                .bind(e.detail.to_string())
                .bind(e.prev_hash.as_str())
                .bind(e.hash.as_str());
        }
        q.execute(&mut **tx)
            .await
            .map_err(backend("append to the audit ledger"))?;
    }
    Ok(chained)
}

#[async_trait]
impl AuditStore for Store {
    async fn append_audit(
        &self,
        entries: Vec<NewAuditEntry>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        // The writer lock (SQLite) first, then the ledger lock: the order every write
        // transaction that appends its own entries takes them in (see `WriteTx::append_audit`).
        let tx = self.begin_write().await.map_err(backend("begin"))?;
        tx.commit(entries, "commit audit entries").await
    }

    async fn audit_page(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut clauses: Vec<String> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        // Text parameters are numbered first, integers after them.
        let mut text = |clause: &str, value: &str, clauses: &mut Vec<String>| {
            texts.push(value.to_owned());
            clauses.push(clause.replace('?', &format!("$T{}", texts.len())));
        };
        if let Some(v) = &f.actor {
            text("actor = ?", v, &mut clauses);
        }
        if let Some(v) = &f.action_prefix {
            // Prefix match without LIKE, so that `_` and `%` in input mean themselves.
            text("substr(action, 1, length(?)) = ?", v, &mut clauses);
        }
        if let Some(v) = &f.object_type {
            text("object_type = ?", v, &mut clauses);
        }
        if let Some(v) = &f.object_id {
            text("object_id = ?", v, &mut clauses);
        }
        if let Some(v) = &f.purpose {
            text("purpose = ?", v.as_str(), &mut clauses);
        }
        if let Some(v) = &f.reference {
            text("reference = ?", v, &mut clauses);
        }
        if let Some(v) = &f.outcome {
            text("outcome = ?", v.as_str(), &mut clauses);
        }
        let mut int = |clause: &str, value: i64, clauses: &mut Vec<String>| {
            ints.push(value);
            clauses.push(clause.replace('?', &format!("$I{}", ints.len())));
        };
        if let Some(t) = f.from {
            int("at >= ?", t.micros(), &mut clauses);
        }
        if let Some(t) = f.to {
            int("at < ?", t.micros(), &mut clauses);
        }
        if let Some(s) = f.after_seq {
            int("seq > ?", s, &mut clauses);
        }
        if let Some(s) = f.before_seq {
            int("seq < ?", s, &mut clauses);
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        // Resolve the symbolic numbers into real positions: texts, then ints, then the limit.
        let order = if f.newest_first { "DESC" } else { "ASC" };
        let mut sql =
            format!("SELECT {COLUMNS} FROM audit_log {where_sql} ORDER BY seq {order} LIMIT $L");
        let n_text = texts.len();
        for i in (1..=ints.len()).rev() {
            sql = sql.replace(&format!("$I{i}"), &format!("${}", n_text + i));
        }
        for i in (1..=n_text).rev() {
            sql = sql.replace(&format!("$T{i}"), &format!("${i}"));
        }
        sql = sql.replace("$L", &format!("${}", n_text + ints.len() + 1));
        let mut q = sqlx::query(&sql);
        for t in &texts {
            q = q.bind(t.as_str());
        }
        for i in &ints {
            q = q.bind(*i);
        }
        q = q.bind(i64::from(f.limit.clamp(1, 10_000)));
        let rows = q
            .fetch_all(self.pool())
            .await
            .map_err(backend("read the audit ledger"))?;
        rows.iter().map(entry_from_row).collect()
    }
}

//! The audit ledger, for auditors: filtered pages and an on-line chain check.

use crate::auth::UserCaller;
use crate::error::{ApiError, ApiResult};
use crate::extract::parse_time;
use crate::extract::ApiQuery;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use pingan_core::access::Permission;
use pingan_core::audit::{AuditEntry, ChainVerifier, Outcome};
use pingan_core::ports::{AuditFilter, AuditStore};
use pingan_core::purpose::Purpose;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub actor: Option<String>,
    /// Entries whose action starts with this (`auth.`, `plates.`).
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    #[param(value_type = Option<crate::schema::Purpose>)]
    pub purpose: Option<Purpose>,
    pub reference: Option<String>,
    #[param(value_type = Option<crate::schema::Outcome>)]
    pub outcome: Option<Outcome>,
    /// RFC 3339 lower bound (inclusive).
    pub from: Option<String>,
    /// RFC 3339 upper bound (exclusive).
    pub to: Option<String>,
    /// Keyset paging: entries after this sequence number.
    pub after: Option<i64>,
    /// Keyset paging: entries before this sequence number.
    pub before: Option<i64>,
    /// `oldest` (the default) or `newest` first.
    #[param(inline)]
    pub order: Option<AuditOrder>,
    /// 1–1000, default 100.
    pub limit: Option<u32>,
}

/// The order of a ledger page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditOrder {
    Oldest,
    Newest,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    #[schema(value_type = Vec<crate::schema::AuditEntry>)]
    pub entries: Vec<AuditEntry>,
    /// Oldest first: pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
    /// Newest first: pass as `before` for the next page; absent on the last page.
    pub next_before: Option<i64>,
}

/// Reads the ledger with filters, in sequence order.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::error::Problem)))]
pub async fn list_audit(
    State(state): State<AppState>,
    caller: UserCaller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    caller.require(&state, Permission::ReadAudit).await?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1–1000"));
    }
    let filter = AuditFilter {
        actor: q.actor.clone(),
        action_prefix: q.action.clone(),
        object_type: q.object_type.clone(),
        object_id: q.object_id.clone(),
        purpose: q.purpose,
        reference: q.reference.clone(),
        outcome: q.outcome,
        from: parse_time("from", &q.from)?,
        to: parse_time("to", &q.to)?,
        after_seq: q.after,
        before_seq: q.before,
        newest_first: q.order == Some(AuditOrder::Newest),
        limit,
    };
    let entries = state.store.audit_page(&filter).await?;
    // Reading the ledger is itself recorded, so that auditors are accountable too.
    state
        .audit(vec![caller.entry(
            &state,
            "audit.read",
            "audit_log",
            None,
            Outcome::Success,
            serde_json::json!({ "rows": entries.len() }),
        )])
        .await?;
    let next = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let (next_after, next_before) = if filter.newest_first {
        (None, next)
    } else {
        (next, None)
    };
    Ok(Json(AuditPage {
        entries,
        next_after,
        next_before,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyReport {
    pub ok: bool,
    pub entries_checked: u64,
    pub head_seq: Option<i64>,
    pub head_hash: Option<String>,
    /// The first entry that does not verify, and why.
    pub first_broken_seq: Option<i64>,
    pub problem: Option<String>,
}

/// Verifies the whole hash chain now.
#[utoipa::path(get, path = "/audit/verify", tag = "audit",
    responses((status = 200, body = VerifyReport), (status = 403, body = crate::error::Problem)))]
pub async fn verify_audit(
    State(state): State<AppState>,
    caller: UserCaller,
) -> ApiResult<Json<VerifyReport>> {
    caller.require(&state, Permission::ReadAudit).await?;
    let report = verify_store(&state.store).await?;
    Ok(Json(report))
}

/// Walks the ledger page by page and checks the chain (shared with `pingan audit verify`).
pub async fn verify_store(
    store: &impl AuditStore,
) -> Result<VerifyReport, pingan_core::StoreError> {
    let mut v = ChainVerifier::new();
    let mut after: Option<i64> = None;
    loop {
        let page = store
            .audit_page(&AuditFilter {
                after_seq: after,
                limit: 5_000,
                ..AuditFilter::default()
            })
            .await?;
        for e in &page {
            if let Err(b) = v.push(e) {
                return Ok(VerifyReport {
                    ok: false,
                    entries_checked: v.checked(),
                    head_seq: v.head().map(|h| h.0),
                    head_hash: v.head().map(|h| h.1.to_owned()),
                    first_broken_seq: Some(b.seq),
                    problem: Some(b.to_string()),
                });
            }
        }
        match page.last() {
            Some(last) if page.len() == 5_000 => after = Some(last.seq),
            _ => break,
        }
    }
    Ok(VerifyReport {
        ok: true,
        entries_checked: v.checked(),
        head_seq: v.head().map(|h| h.0),
        head_hash: v.head().map(|h| h.1.to_owned()),
        first_broken_seq: None,
        problem: None,
    })
}

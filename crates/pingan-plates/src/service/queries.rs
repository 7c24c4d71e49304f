//! Investigative queries behind a purpose, second-person approval of old windows, evidence
//! copied into cases, checkpoint bindings, and the transparency report.

use super::Plates;
use crate::domain::names::Action;
use crate::domain::query::{self, PlateQuery};
use crate::domain::records::{
    CheckpointBinding, EvidenceRecord, QueryApproval, TransparencyCounts,
};
use crate::error::{PlatesError, PlatesResult};
use crate::store::{ApprovalTransition, EvidenceCopy};
use pingan_core::access::Permission;
use pingan_core::audit::Outcome;
use pingan_core::purpose::StatedPurpose;
use pingan_reads::read::ReadId;
use pingan_server::auth::{new_id, UserCaller};
use pingan_server::AppState;
use serde_json::{json, Value};

/// Approval requests as listed: an approver sees everyone's, anyone else their own.
pub type ApprovalList = Vec<QueryApproval>;
/// The reads of a case, with provenance.
pub type EvidenceList = Vec<EvidenceRecord>;

/// Statuses an approval request can be in.
const APPROVAL_STATUSES: [&str; 4] = ["pending", "approved", "rejected", "used"];

impl Plates {
    /// Checks the caller's purpose and the query's caps; returns the purpose in force and the
    /// effective row limit.
    async fn checked(
        &self,
        state: &AppState,
        caller: &UserCaller,
        purpose: Option<&StatedPurpose>,
        q: &PlateQuery,
    ) -> PlatesResult<(StatedPurpose, usize)> {
        let purpose = caller
            .require_purpose(state, Permission::QueryPlates, purpose)
            .await?;
        let limit = q.check(&self.config())?;
        Ok((purpose, limit))
    }

    /// Runs a checked query on the index and records it.
    async fn execute(
        &self,
        state: &AppState,
        caller: &UserCaller,
        purpose: &StatedPurpose,
        q: &PlateQuery,
        limit: usize,
        approval: Option<&str>,
    ) -> PlatesResult<Value> {
        self.reads()?;
        let bindings = self.records(state).checkpoint_bindings().await?;
        let (answer, n) = query::run(&self.index(), q, limit, &bindings)?;
        let entry = caller
            .record(state, Action::Query.as_str())
            .object("plate_query", Some(q.name()))
            .purpose(purpose)
            .detail(json!({ "params": q, "results": n, "truncated": answer["truncated"], "approval": approval }))
            .build();
        state.audit(vec![entry]).await?;
        Ok(answer)
    }

    /// Runs one of Q1–Q7. Windows reaching further back than the approval age need a second
    /// person's approval first ([`Plates::request_approval`]); the refusal is in the ledger.
    pub async fn query(
        &self,
        state: &AppState,
        caller: &UserCaller,
        purpose: Option<&StatedPurpose>,
        q: &PlateQuery,
    ) -> PlatesResult<Value> {
        let (purpose, limit) = self.checked(state, caller, purpose, q).await?;
        let config = self.config();
        let oldest_free = state
            .now()
            .micros()
            .saturating_sub(config.approval_age_us());
        if q.earliest() < oldest_free {
            let err = PlatesError::ApprovalRequired {
                days: config.approval_age_days(),
            };
            let entry = caller
                .record(state, "access.denied")
                .object("permission", Some(Permission::QueryPlates.as_str()))
                .purpose(&purpose)
                .outcome(Outcome::Denied)
                .detail(json!({ "reason": err.to_string(), "params": q }))
                .build();
            state.audit(vec![entry]).await?;
            return Err(err);
        }
        self.execute(state, caller, &purpose, q, limit, None).await
    }

    /// Asks a second person to approve one query (any window; needed for old ones).
    pub async fn request_approval(
        &self,
        state: &AppState,
        caller: &UserCaller,
        purpose: Option<&StatedPurpose>,
        q: &PlateQuery,
    ) -> PlatesResult<QueryApproval> {
        let (purpose, _) = self.checked(state, caller, purpose, q).await?;
        let a = QueryApproval {
            id: new_id("qa-"),
            requested_by: caller.user.username.clone(),
            requested_at: state.now().micros(),
            query: serde_json::to_value(q)
                .map_err(|e| PlatesError::internal("encode a query", e))?,
            purpose: purpose.purpose.as_str().to_owned(),
            reference: purpose.reference.clone(),
            status: "pending".into(),
            decided_by: None,
            decided_at: None,
            used_at: None,
        };
        let entry = caller
            .record(state, Action::RequestApproval.as_str())
            .object("plate_query_approval", Some(&a.id))
            .purpose(&purpose)
            .detail(json!({ "params": a.query }))
            .build();
        let n = self.records(state).create_query_approval(&a, entry).await?;
        state.count_audit(n);
        Ok(a)
    }

    /// Approval requests, newest first: an approver (approve_watchlist) sees everyone's, so
    /// that they read the exact query before deciding; anyone else who may query sees their own.
    pub async fn approvals(
        &self,
        state: &AppState,
        caller: &UserCaller,
        status: Option<&str>,
        limit: u32,
    ) -> PlatesResult<ApprovalList> {
        let approver = caller.user.role.may(Permission::ApproveWatchlist);
        if !approver {
            caller.require(state, Permission::QueryPlates).await?;
        }
        if let Some(s) = status {
            if !APPROVAL_STATUSES.contains(&s) {
                return Err(PlatesError::invalid(
                    "status",
                    format!("{s:?} is not pending, approved, rejected or used"),
                ));
            }
        }
        let requester = (!approver).then(|| caller.user.username.clone());
        Ok(self
            .records(state)
            .query_approvals(status, requester.as_deref(), limit.clamp(1, 500))
            .await?)
    }

    /// Approves or rejects another person's pending request.
    pub async fn decide(
        &self,
        state: &AppState,
        caller: &UserCaller,
        id: &str,
        approve: bool,
    ) -> PlatesResult<QueryApproval> {
        let records = self.records(state);
        let current = records.query_approval(id).await?;
        if current.requested_by == caller.user.username {
            return Err(PlatesError::Forbidden(
                "the approver must be a different person from the requester".into(),
            ));
        }
        let action = if approve {
            Action::ApproveQuery
        } else {
            Action::RejectQuery
        };
        let entry = caller
            .record(state, action.as_str())
            .object("plate_query_approval", Some(id))
            .detail(json!({ "requested_by": current.requested_by }))
            .build();
        let t = ApprovalTransition {
            id,
            from: "pending",
            to: if approve { "approved" } else { "rejected" },
            by: &caller.user.username,
            at: state.now().micros(),
            four_eyes: true,
        };
        let a = records
            .transition_query_approval(t, entry)
            .await?
            .ok_or_else(|| {
                PlatesError::Conflict(format!(
                    "query approval {id} is {}, not pending",
                    current.status
                ))
            })?;
        state.count_audit(1);
        Ok(a)
    }

    /// Runs an approved query once (the requester only; exactly the approved parameters). The
    /// approval is marked used in the same transaction as the query's ledger entry.
    pub async fn run_approved(
        &self,
        state: &AppState,
        caller: &UserCaller,
        id: &str,
    ) -> PlatesResult<Value> {
        let records = self.records(state);
        let a = records.query_approval(id).await?;
        if a.requested_by != caller.user.username {
            return Err(PlatesError::Forbidden(
                "only the requester may run an approved query".into(),
            ));
        }
        let q: PlateQuery = serde_json::from_value(a.query.clone())
            .map_err(|e| PlatesError::internal("read an approved query", e))?;
        let purpose = StatedPurpose {
            purpose: a.purpose.parse()?,
            reference: a.reference.clone(),
            detail: None,
        };
        let limit = q.check(&self.config())?;
        self.reads()?;
        let bindings = records.checkpoint_bindings().await?;
        let (answer, n) = query::run(&self.index(), &q, limit, &bindings)?;
        let entry = caller
            .record(state, Action::Query.as_str())
            .object("plate_query", Some(q.name()))
            .purpose(&purpose)
            .detail(json!({ "params": q, "results": n, "truncated": answer["truncated"], "approval": id }))
            .build();
        let t = ApprovalTransition {
            id,
            from: "approved",
            to: "used",
            by: &caller.user.username,
            at: state.now().micros(),
            four_eyes: false,
        };
        records
            .transition_query_approval(t, entry)
            .await?
            .ok_or_else(|| {
                PlatesError::Conflict(format!("query approval {id} is {}, not approved", a.status))
            })?;
        state.count_audit(1);
        Ok(answer)
    }

    /// Copies reads into the case the purpose names, with their provenance; retention never
    /// removes the copies. Returns the case and how many reads were newly copied.
    pub async fn add_evidence(
        &self,
        state: &AppState,
        caller: &UserCaller,
        purpose: Option<&StatedPurpose>,
        read_ids: &[i64],
    ) -> PlatesResult<(String, u64)> {
        let purpose = caller
            .require_purpose(state, Permission::QueryPlates, purpose)
            .await?;
        let case = purpose.reference.clone().ok_or_else(|| {
            PlatesError::invalid("purpose.reference", "evidence needs a case reference")
        })?;
        if read_ids.is_empty() || read_ids.len() > 10_000 {
            return Err(PlatesError::invalid("read_ids", "give 1–10,000 read ids"));
        }
        let ids: Vec<ReadId> = read_ids.iter().map(|i| ReadId(*i)).collect();
        let entry = caller
            .record(state, Action::AddEvidence.as_str())
            .object("case", Some(&case))
            .purpose(&purpose);
        let copy = EvidenceCopy {
            case_ref: &case,
            ids: &ids,
            by: &caller.user.username,
            at: state.now().micros(),
            purpose: purpose.purpose.as_str(),
        };
        let copied = self
            .records(state)
            .copy_evidence(copy, |copied| {
                entry
                    .detail(json!({ "read_ids": read_ids, "copied": copied }))
                    .build()
            })
            .await?;
        state.count_audit(1);
        Ok((case, copied))
    }

    /// The reads copied into a case (the purpose's reference), with provenance; the read is in
    /// the ledger.
    pub async fn evidence(
        &self,
        state: &AppState,
        caller: &UserCaller,
        stated: &StatedPurpose,
    ) -> PlatesResult<(String, EvidenceList)> {
        let purpose = caller
            .require_purpose(state, Permission::QueryPlates, Some(stated))
            .await?;
        let case = purpose.reference.clone().unwrap_or_default();
        let rows = self.records(state).case_evidence(&case).await?;
        let entry = caller
            .record(state, Action::ReadEvidence.as_str())
            .object("case", Some(&case))
            .purpose(&purpose)
            .detail(json!({ "results": rows.len() }))
            .build();
        state.audit(vec![entry]).await?;
        Ok((case, rows))
    }

    /// Binds checkpoint codes (insert or replace) to the registry and their reporting device.
    pub async fn bind_checkpoints(
        &self,
        state: &AppState,
        caller: &UserCaller,
        rows: Vec<CheckpointBinding>,
    ) -> PlatesResult<Vec<CheckpointBinding>> {
        for (i, b) in rows.iter().enumerate() {
            pingan_core::ids::check_id(&format!("[{i}].device_id"), &b.device_id)?;
        }
        let entry = caller
            .record(state, Action::BindCheckpoints.as_str())
            .object("plate_checkpoint", None)
            .detail(json!({ "codes": rows.iter().map(|b| b.code).collect::<Vec<_>>() }))
            .build();
        let n = self
            .records(state)
            .put_checkpoint_bindings(&rows, entry)
            .await?;
        state.count_audit(n);
        self.reload_checkpoints(state).await?;
        self.bindings(state).await
    }

    /// The transparency report's counts: no plates, no people.
    pub async fn transparency(&self, state: &AppState) -> PlatesResult<TransparencyCounts> {
        Ok(self
            .records(state)
            .transparency_counts(
                Action::Query.as_str(),
                Permission::QueryPlates.as_str(),
                state.now().micros(),
            )
            .await?)
    }
}

//! Plate reads over HTTP: device ingest, checkpoint bindings, the investigative queries with
//! purpose, caps and second-person approval of old windows, evidence, and the transparency
//! report. The watch-list and alerts are in `routes::watchlist`.

use super::plate_query::{self, PlateQuery};
use crate::auth::{new_id, perm, Authorized, DeviceCaller, UserCaller};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::reads::{ingest, Format, IngestReport, INGEST_LIMIT_BYTES};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use pingan_core::access::Permission;
use pingan_core::purpose::StatedPurpose;
use pingan_reads::read::ReadId;
use pingan_store::{CheckpointBinding, QueryApproval};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

/// The audit action of a plate query (the transparency report counts them).
pub const QUERY_ACTION: &str = "plates.query";

/// A batch of reads from a checkpoint device: `application/json` (an array of reads) or
/// `text/csv` (with a header). See docs/plate-reads.md for the columns.
#[utoipa::path(post, path = "/ingest/reads", tag = "ingest", security(("device_key" = [])),
    request_body(content = String, description = "JSON array of reads or CSV with a header", content_type = "text/csv"),
    responses((status = 200, body = IngestReport), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 415, body = crate::error::Problem)))]
pub async fn ingest_reads(
    State(state): State<AppState>,
    caller: DeviceCaller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<IngestReport>> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let format = match ct.as_str() {
        "application/json" => Format::Json,
        "text/csv" => Format::Csv,
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                expected: "application/json or text/csv",
            })
        }
    };
    let bytes = axum::body::to_bytes(body, INGEST_LIMIT_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge {
            limit: INGEST_LIMIT_BYTES,
        })?;
    Ok(Json(ingest(&state, &caller.device, format, &bytes).await?))
}

/// Binds a numeric reads checkpoint code to the registry and to its reporting device.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    pub code: u32,
    /// The registry checkpoint id (gives the position).
    #[serde(default)]
    pub checkpoint_id: Option<String>,
    /// The device (kind checkpoint) allowed to report reads for this code.
    pub device_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
}

fn binding_dto(b: CheckpointBinding) -> Binding {
    Binding {
        code: b.code,
        checkpoint_id: b.checkpoint_id,
        device_id: b.device_id,
        name: b.name,
        lon: b.lon,
        lat: b.lat,
    }
}

/// The checkpoint bindings (the name and position come from the registry).
#[utoipa::path(get, path = "/plates/checkpoints", tag = "plates", responses((status = 200, body = Vec<Binding>)))]
pub async fn list_checkpoints(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
) -> ApiResult<Json<Vec<Binding>>> {
    Ok(Json(
        state
            .store
            .checkpoint_bindings()
            .await?
            .into_iter()
            .map(binding_dto)
            .collect(),
    ))
}

/// Binds checkpoint codes (insert or replace); name and position are ignored here.
#[utoipa::path(put, path = "/plates/checkpoints", tag = "plates", request_body = Vec<Binding>,
    responses((status = 200, body = Vec<Binding>), (status = 400, body = crate::error::Problem)))]
pub async fn put_checkpoints(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    ApiJson(rows): ApiJson<Vec<Binding>>,
) -> ApiResult<Json<Vec<Binding>>> {
    for (i, b) in rows.iter().enumerate() {
        pingan_core::ids::check_id(&format!("[{i}].device_id"), &b.device_id)?;
    }
    let stored: Vec<CheckpointBinding> = rows
        .iter()
        .map(|b| CheckpointBinding {
            code: b.code,
            checkpoint_id: b.checkpoint_id.clone(),
            device_id: b.device_id.clone(),
            name: None,
            lon: None,
            lat: None,
        })
        .collect();
    state.store.put_checkpoint_bindings(&stored).await?;
    state
        .audit(vec![caller.entry(
            &state,
            "plates.checkpoints.bind",
            "plate_checkpoint",
            None,
            pingan_core::audit::Outcome::Success,
            json!({ "codes": rows.iter().map(|b| b.code).collect::<Vec<_>>() }),
        )])
        .await?;
    crate::reads::reload_checkpoints(&state).await?;
    list_checkpoints(
        State(state),
        Authorized(caller.0.clone(), std::marker::PhantomData),
    )
    .await
}

/// A query with its purpose.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    #[serde(default)]
    pub purpose: Option<StatedPurpose>,
    /// `{"kind": "trajectory" | "at_checkpoints" | "co_travel" | "multi_scene" | "partial_plate" | "flows" | "first_seen", …}`
    #[schema(value_type = Object)]
    pub query: PlateQuery,
}

async fn checked(
    state: &AppState,
    caller: &UserCaller,
    req: &QueryRequest,
) -> ApiResult<(StatedPurpose, usize)> {
    let purpose = caller
        .require_purpose(state, Permission::QueryPlates, req.purpose.as_ref())
        .await?;
    let limit = req.query.check(&state.plates.config())?;
    Ok((purpose, limit))
}

async fn execute(
    state: &AppState,
    caller: &UserCaller,
    purpose: &StatedPurpose,
    query: &PlateQuery,
    limit: usize,
    approval: Option<&str>,
) -> ApiResult<Value> {
    state.plates.store()?;
    let bindings = state.store.checkpoint_bindings().await?;
    let (answer, n) = {
        let index = state.plates.index();
        plate_query::run(&index, query, limit, &bindings)?
    };
    state
        .audit(vec![caller.purposed(
            state,
            QUERY_ACTION,
            "plate_query",
            Some(query.name()),
            purpose,
            json!({ "params": query, "results": n, "truncated": answer["truncated"], "approval": approval }),
        )])
        .await?;
    Ok(answer)
}

/// Runs one of Q1–Q7. Windows reaching further back than the approval age need a second
/// person's approval first (`POST /plates/approvals`).
#[utoipa::path(post, path = "/plates/query", tag = "plates", request_body = QueryRequest,
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn query(
    State(state): State<AppState>,
    caller: Authorized<perm::QueryPlates>,
    ApiJson(req): ApiJson<QueryRequest>,
) -> ApiResult<Json<Value>> {
    let (purpose, limit) = checked(&state, &caller, &req).await?;
    let oldest_free = state
        .now()
        .micros()
        .saturating_sub(state.plates.config().approval_age_us());
    if req.query.earliest() < oldest_free {
        let reason = format!(
            "the window reaches reads older than {} days: a second person must approve it (POST /api/v1/plates/approvals)",
            state.plates.config().approval_age.as_secs() / 86_400
        );
        let mut entry = caller.purposed(
            &state,
            "access.denied",
            "permission",
            Some(Permission::QueryPlates.as_str()),
            &purpose,
            json!({ "reason": reason, "params": req.query }),
        );
        entry.outcome = pingan_core::audit::Outcome::Denied;
        state.audit(vec![entry]).await?;
        return Err(ApiError::ApprovalRequired(reason));
    }
    Ok(Json(
        execute(&state, &caller, &purpose, &req.query, limit, None).await?,
    ))
}

/// A request to run a query over old reads, as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalDto {
    pub id: String,
    pub requested_by: String,
    pub requested_at: i64,
    #[schema(value_type = Object)]
    pub query: Value,
    pub purpose: String,
    pub reference: Option<String>,
    /// pending | approved | rejected | used
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub used_at: Option<i64>,
}

fn approval_dto(a: QueryApproval) -> ApprovalDto {
    ApprovalDto {
        id: a.id,
        requested_by: a.requested_by,
        requested_at: a.requested_at,
        query: a.query,
        purpose: a.purpose,
        reference: a.reference,
        status: a.status,
        decided_by: a.decided_by,
        decided_at: a.decided_at,
        used_at: a.used_at,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ApprovalParams {
    /// pending | approved | rejected | used (default: all).
    pub status: Option<String>,
    /// At most 500 (default 100).
    pub limit: Option<u32>,
}

/// Query approval requests, newest first: an approver (approve_watchlist) sees everyone's, so
/// that they read the exact query before deciding; anyone else who may query sees their own.
#[utoipa::path(get, path = "/plates/approvals", tag = "plates", params(ApprovalParams),
    responses((status = 200, body = Vec<ApprovalDto>), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn list_approvals(
    State(state): State<AppState>,
    caller: UserCaller,
    ApiQuery(p): ApiQuery<ApprovalParams>,
) -> ApiResult<Json<Vec<ApprovalDto>>> {
    let role = caller.user.role;
    let approver = role.may(Permission::ApproveWatchlist);
    if !approver {
        caller.require(&state, Permission::QueryPlates).await?;
    }
    if let Some(s) = &p.status {
        if !["pending", "approved", "rejected", "used"].contains(&s.as_str()) {
            return Err(ApiError::invalid(
                "status",
                format!("{s:?} is not pending, approved, rejected or used"),
            ));
        }
    }
    let requester = (!approver).then(|| caller.user.username.clone());
    let list = state
        .store
        .query_approvals(
            p.status.as_deref(),
            requester.as_deref(),
            p.limit.unwrap_or(100).clamp(1, 500),
        )
        .await?;
    Ok(Json(list.into_iter().map(approval_dto).collect()))
}

/// Asks a second person to approve one query (any window; needed for old ones).
#[utoipa::path(post, path = "/plates/approvals", tag = "plates", request_body = QueryRequest,
    responses((status = 201, body = ApprovalDto), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn request_approval(
    State(state): State<AppState>,
    caller: Authorized<perm::QueryPlates>,
    ApiJson(req): ApiJson<QueryRequest>,
) -> ApiResult<(StatusCode, Json<ApprovalDto>)> {
    let (purpose, _) = checked(&state, &caller, &req).await?;
    let a = QueryApproval {
        id: new_id("qa-"),
        requested_by: caller.user.username.clone(),
        requested_at: state.now().micros(),
        query: serde_json::to_value(&req.query).map_err(ApiError::internal)?,
        purpose: purpose.purpose.as_str().to_owned(),
        reference: purpose.reference.clone(),
        status: "pending".into(),
        decided_by: None,
        decided_at: None,
        used_at: None,
    };
    state.store.create_query_approval(&a).await?;
    state
        .audit(vec![caller.purposed(
            &state,
            "plates.approval.request",
            "plate_query_approval",
            Some(&a.id),
            &purpose,
            json!({ "params": a.query }),
        )])
        .await?;
    Ok((StatusCode::CREATED, Json(approval_dto(a))))
}

async fn decide(
    state: AppState,
    caller: UserCaller,
    id: String,
    approve: bool,
) -> ApiResult<Json<ApprovalDto>> {
    let to = if approve { "approved" } else { "rejected" };
    let current = state.store.query_approval(&id).await?;
    if current.requested_by == caller.user.username {
        return Err(ApiError::Forbidden(
            "the approver must be a different person from the requester".into(),
        ));
    }
    let a = state
        .store
        .transition_query_approval(
            &id,
            "pending",
            to,
            &caller.user.username,
            state.now().micros(),
            true,
        )
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(format!(
                "query approval {id} is {}, not pending",
                current.status
            ))
        })?;
    state
        .audit(vec![caller.entry(
            &state,
            if approve {
                "plates.approval.approve"
            } else {
                "plates.approval.reject"
            },
            "plate_query_approval",
            Some(&id),
            pingan_core::audit::Outcome::Success,
            json!({ "requested_by": a.requested_by }),
        )])
        .await?;
    Ok(Json(approval_dto(a)))
}

/// Approves another person's query request.
#[utoipa::path(post, path = "/plates/approvals/{id}/approve", tag = "plates", params(("id" = String, Path)),
    responses((status = 200, body = ApprovalDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn approve_query(
    State(state): State<AppState>,
    caller: Authorized<perm::ApproveWatchlist>,
    Path(id): Path<String>,
) -> ApiResult<Json<ApprovalDto>> {
    decide(state, caller.0, id, true).await
}

/// Rejects another person's query request.
#[utoipa::path(post, path = "/plates/approvals/{id}/reject", tag = "plates", params(("id" = String, Path)),
    responses((status = 200, body = ApprovalDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn reject_query(
    State(state): State<AppState>,
    caller: Authorized<perm::ApproveWatchlist>,
    Path(id): Path<String>,
) -> ApiResult<Json<ApprovalDto>> {
    decide(state, caller.0, id, false).await
}

/// Runs an approved query once (the requester only; exactly the approved parameters).
#[utoipa::path(post, path = "/plates/approvals/{id}/run", tag = "plates", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn run_approved(
    State(state): State<AppState>,
    caller: Authorized<perm::QueryPlates>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let a = state.store.query_approval(&id).await?;
    if a.requested_by != caller.user.username {
        return Err(ApiError::Forbidden(
            "only the requester may run an approved query".into(),
        ));
    }
    let query: PlateQuery = serde_json::from_value(a.query.clone()).map_err(ApiError::internal)?;
    let purpose = StatedPurpose {
        purpose: a.purpose.parse()?,
        reference: a.reference.clone(),
        detail: None,
    };
    let limit = query.check(&state.plates.config())?;
    state
        .store
        .transition_query_approval(
            &id,
            "approved",
            "used",
            &caller.user.username,
            state.now().micros(),
            false,
        )
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(format!("query approval {id} is {}, not approved", a.status))
        })?;
    Ok(Json(
        execute(&state, &caller, &purpose, &query, limit, Some(&id)).await?,
    ))
}

/// Reads to copy into a case (the purpose's reference names the case).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    #[serde(default)]
    pub purpose: Option<StatedPurpose>,
    pub read_ids: Vec<i64>,
}

/// Copies reads into a case with their provenance; retention never removes the copies.
#[utoipa::path(post, path = "/plates/evidence", tag = "plates", request_body = EvidenceRequest,
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Authorized<perm::QueryPlates>,
    ApiJson(req): ApiJson<EvidenceRequest>,
) -> ApiResult<Json<Value>> {
    let purpose = caller
        .require_purpose(&state, Permission::QueryPlates, req.purpose.as_ref())
        .await?;
    let case = purpose
        .reference
        .clone()
        .ok_or_else(|| ApiError::invalid("purpose.reference", "evidence needs a case reference"))?;
    if req.read_ids.is_empty() || req.read_ids.len() > 10_000 {
        return Err(ApiError::invalid("read_ids", "give 1–10,000 read ids"));
    }
    let ids: Vec<ReadId> = req.read_ids.iter().map(|i| ReadId(*i)).collect();
    let copied = state
        .store
        .copy_evidence(
            &case,
            &ids,
            &caller.user.username,
            state.now().micros(),
            purpose.purpose.as_str(),
        )
        .await?;
    state
        .audit(vec![caller.purposed(
            &state,
            "plates.evidence.add",
            "case",
            Some(&case),
            &purpose,
            json!({ "read_ids": req.read_ids, "copied": copied }),
        )])
        .await?;
    Ok(Json(
        json!({ "case": case, "requested": req.read_ids.len(), "copied": copied }),
    ))
}

/// The purpose, as query parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeParams {
    pub purpose: String,
    pub reference: String,
}

/// The reads copied into a case (the reference), with provenance.
#[utoipa::path(get, path = "/plates/evidence", tag = "plates", params(PurposeParams),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem)))]
pub async fn list_evidence(
    State(state): State<AppState>,
    caller: Authorized<perm::QueryPlates>,
    ApiQuery(p): ApiQuery<PurposeParams>,
) -> ApiResult<Json<Value>> {
    let stated = StatedPurpose {
        purpose: p.purpose.parse()?,
        reference: Some(p.reference.clone()),
        detail: None,
    };
    let purpose = caller
        .require_purpose(&state, Permission::QueryPlates, Some(&stated))
        .await?;
    let rows = state.store.case_evidence(&p.reference).await?;
    state
        .audit(vec![caller.purposed(
            &state,
            "plates.evidence.read",
            "case",
            Some(&p.reference),
            &purpose,
            json!({ "results": rows.len() }),
        )])
        .await?;
    let rows: Vec<Value> = rows
        .iter()
        .map(|e| {
            json!({
                "read": e.read, "device_id": e.device_id, "copied_by": e.copied_by,
                "copied_at": e.copied_at, "purpose": e.purpose,
            })
        })
        .collect();
    Ok(Json(json!({ "case": p.reference, "reads": rows })))
}

/// The transparency report: counts only, no plates, no people.
#[utoipa::path(get, path = "/plates/transparency", tag = "plates", responses((status = 200, body = Object)))]
pub async fn transparency(
    State(state): State<AppState>,
    _caller: UserCaller,
) -> ApiResult<Json<Value>> {
    let now = state.now().micros();
    let t = state
        .store
        .transparency_counts(QUERY_ACTION, Permission::QueryPlates.as_str(), now)
        .await?;
    let pairs = |m: &std::collections::BTreeMap<(String, String), u64>, key: &str| -> Vec<Value> {
        m.iter()
            .map(|((month, k), n)| json!({ "month": month, key: k, "count": n }))
            .collect()
    };
    let months = |m: &std::collections::BTreeMap<String, u64>| -> Vec<Value> {
        m.iter()
            .map(|(month, n)| json!({ "month": month, "count": n }))
            .collect()
    };
    Ok(Json(json!({
        "queries_by_purpose": pairs(&t.queries, "purpose"),
        "queries_refused": months(&t.refused),
        "hits": pairs(&t.hits, "kind"),
        "watchlist": {
            "created": months(&t.watch_created),
            "approved": months(&t.watch_approved),
            "cancelled": months(&t.watch_cancelled),
            "active_now": t.watch_active,
        },
    })))
}

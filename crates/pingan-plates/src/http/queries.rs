//! Device ingest, checkpoint bindings, the investigative queries with purpose, caps and
//! second-person approval of old windows, evidence, and the transparency report.

use super::Result;
use crate::domain::ingest::{Format, IngestReport};
use crate::domain::query::PlateQuery;
use crate::domain::records::{CheckpointBinding, QueryApproval};
use crate::service::Plates;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use pingan_core::purpose::StatedPurpose;
use pingan_server::auth::{perm, Authorized, DeviceCaller, UserCaller};
use pingan_server::capability::Part;
use pingan_server::error::{ApiError, Problem};
use pingan_server::extract::{ApiJson, ApiQuery};
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

/// Ingest bodies above this are refused with 413 (about 25,000 JSON reads).
pub const INGEST_LIMIT_BYTES: usize = 8 * 1024 * 1024;

/// A batch of reads from a checkpoint device: `application/json` (an array of reads) or
/// `text/csv` (with a header). See docs/plate-reads.md for the columns.
#[utoipa::path(post, path = "/ingest/reads", tag = "ingest", security(("device_key" = [])),
    request_body(content = String, description = "JSON array of reads or CSV with a header", content_type = "text/csv"),
    responses((status = 200, body = IngestReport), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem)))]
pub async fn ingest_reads(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: DeviceCaller,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestReport>> {
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
    Ok(Json(
        plates
            .ingest(&state, &caller.device, format, &bytes)
            .await?,
    ))
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

impl From<CheckpointBinding> for Binding {
    fn from(b: CheckpointBinding) -> Self {
        Binding {
            code: b.code,
            checkpoint_id: b.checkpoint_id,
            device_id: b.device_id,
            name: b.name,
            lon: b.lon,
            lat: b.lat,
        }
    }
}

fn bindings(list: Vec<CheckpointBinding>) -> Json<Vec<Binding>> {
    Json(list.into_iter().map(Binding::from).collect())
}

/// The checkpoint bindings (the name and position come from the registry).
#[utoipa::path(get, path = "/plates/checkpoints", tag = "plates", responses((status = 200, body = Vec<Binding>)))]
pub async fn list_checkpoints(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    _caller: Authorized<perm::ViewMap>,
) -> Result<Json<Vec<Binding>>> {
    Ok(bindings(plates.bindings(&state).await?))
}

/// Binds checkpoint codes (insert or replace); name and position are ignored here.
#[utoipa::path(put, path = "/plates/checkpoints", tag = "plates", request_body = Vec<Binding>,
    responses((status = 200, body = Vec<Binding>), (status = 400, body = Problem)))]
pub async fn put_checkpoints(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::ManageSensors>,
    ApiJson(rows): ApiJson<Vec<Binding>>,
) -> Result<Json<Vec<Binding>>> {
    let rows = rows
        .into_iter()
        .map(|b| CheckpointBinding {
            code: b.code,
            checkpoint_id: b.checkpoint_id,
            device_id: b.device_id,
            name: None,
            lon: None,
            lat: None,
        })
        .collect();
    Ok(bindings(
        plates.bind_checkpoints(&state, &caller, rows).await?,
    ))
}

/// A query with its purpose.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    #[serde(default)]
    #[schema(value_type = Option<pingan_server::schema::StatedPurpose>)]
    pub purpose: Option<StatedPurpose>,
    /// `{"kind": "trajectory" | "at_checkpoints" | "co_travel" | "multi_scene" | "partial_plate" | "flows" | "first_seen", …}`
    #[schema(value_type = Object)]
    pub query: PlateQuery,
}

/// Runs one of Q1–Q7. Windows reaching further back than the approval age need a second
/// person's approval first (`POST /plates/approvals`).
#[utoipa::path(post, path = "/plates/query", tag = "plates", request_body = QueryRequest,
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn query(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::QueryPlates>,
    ApiJson(req): ApiJson<QueryRequest>,
) -> Result<Json<Value>> {
    Ok(Json(
        plates
            .query(&state, &caller, req.purpose.as_ref(), &req.query)
            .await?,
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

impl From<QueryApproval> for ApprovalDto {
    fn from(a: QueryApproval) -> Self {
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
    responses((status = 200, body = Vec<ApprovalDto>), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list_approvals(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: UserCaller,
    ApiQuery(p): ApiQuery<ApprovalParams>,
) -> Result<Json<Vec<ApprovalDto>>> {
    let list = plates
        .approvals(&state, &caller, p.status.as_deref(), p.limit.unwrap_or(100))
        .await?;
    Ok(Json(list.into_iter().map(ApprovalDto::from).collect()))
}

/// Asks a second person to approve one query (any window; needed for old ones).
#[utoipa::path(post, path = "/plates/approvals", tag = "plates", request_body = QueryRequest,
    responses((status = 201, body = ApprovalDto), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn request_approval(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::QueryPlates>,
    ApiJson(req): ApiJson<QueryRequest>,
) -> Result<(StatusCode, Json<ApprovalDto>)> {
    let a = plates
        .request_approval(&state, &caller, req.purpose.as_ref(), &req.query)
        .await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// Approves another person's query request.
#[utoipa::path(post, path = "/plates/approvals/{id}/approve", tag = "plates", params(("id" = String, Path)),
    responses((status = 200, body = ApprovalDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approve_query(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::ApproveWatchlist>,
    Path(id): Path<String>,
) -> Result<Json<ApprovalDto>> {
    Ok(Json(
        plates.decide(&state, &caller, &id, true).await?.into(),
    ))
}

/// Rejects another person's query request.
#[utoipa::path(post, path = "/plates/approvals/{id}/reject", tag = "plates", params(("id" = String, Path)),
    responses((status = 200, body = ApprovalDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reject_query(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::ApproveWatchlist>,
    Path(id): Path<String>,
) -> Result<Json<ApprovalDto>> {
    Ok(Json(
        plates.decide(&state, &caller, &id, false).await?.into(),
    ))
}

/// Runs an approved query once (the requester only; exactly the approved parameters).
#[utoipa::path(post, path = "/plates/approvals/{id}/run", tag = "plates", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn run_approved(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::QueryPlates>,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    Ok(Json(plates.run_approved(&state, &caller, &id).await?))
}

/// Reads to copy into a case (the purpose's reference names the case).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    #[serde(default)]
    #[schema(value_type = Option<pingan_server::schema::StatedPurpose>)]
    pub purpose: Option<StatedPurpose>,
    pub read_ids: Vec<i64>,
}

/// Copies reads into a case with their provenance; retention never removes the copies.
#[utoipa::path(post, path = "/plates/evidence", tag = "plates", request_body = EvidenceRequest,
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::QueryPlates>,
    ApiJson(req): ApiJson<EvidenceRequest>,
) -> Result<Json<Value>> {
    let (case, copied) = plates
        .add_evidence(&state, &caller, req.purpose.as_ref(), &req.read_ids)
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
    responses((status = 200, body = Object), (status = 403, body = Problem)))]
pub async fn list_evidence(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    caller: Authorized<perm::QueryPlates>,
    ApiQuery(p): ApiQuery<PurposeParams>,
) -> Result<Json<Value>> {
    let stated = StatedPurpose {
        purpose: p.purpose.parse()?,
        reference: Some(p.reference.clone()),
        detail: None,
    };
    let (case, rows) = plates.evidence(&state, &caller, &stated).await?;
    let rows: Vec<Value> = rows
        .iter()
        .map(|e| {
            json!({
                "read": e.read, "device_id": e.device_id, "copied_by": e.copied_by,
                "copied_at": e.copied_at, "purpose": e.purpose,
            })
        })
        .collect();
    Ok(Json(json!({ "case": case, "reads": rows })))
}

/// The transparency report: counts only, no plates, no people.
#[utoipa::path(get, path = "/plates/transparency", tag = "plates", responses((status = 200, body = Object)))]
pub async fn transparency(
    State(state): State<AppState>,
    Part(plates): Part<Plates>,
    _caller: UserCaller,
) -> Result<Json<Value>> {
    let t = plates.transparency(&state).await?;
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

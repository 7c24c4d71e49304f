//! Detection events from video recorders: Frigate's `frigate/events` messages and pingan's
//! native JSON, over HTTP (`POST /ingest/video/detections`) and MQTT
//! (`pingan/v1/recorder/{id}/detections`); both paths end in [`ingest_detections`].
//!
//! # Formats
//! - **Frigate**: `{"type": "new"|"update"|"end", "before": {…}, "after": {…}}`. The `after`
//!   state is stored (or `before` when `after` is missing); `after.camera` must be a registered
//!   camera id. Events share Frigate's id across new/update/end and are stored once, as
//!   `{recorder}:{id}`, updated in place; `end` sets `end_time`.
//! - **Native**: `{"events": [{"id", "camera_id", "label", "score", "start", …}]}` or a single
//!   event object (see docs/video-network.md for every field).
//!
//! Each event in a batch is checked on its own: valid events are stored, invalid ones are
//! reported with their index and reason, and nothing else in the batch is lost.
//!
//! # No biometrics
//! pingan stores no face recognition result and no biometric attribute. Events carrying such
//! fields (`face`, `face_id`, `embedding`, `gender`, `age`, `ethnicity`, …), a `sub_label` on a
//! person (Frigate's face recognition puts the recognised name there), or a `face` attribute
//! are rejected with that reason.

use super::spatial::{cameras_in_area, time, AreaInput};
use crate::domain::detections::{check_label, DetectionReport};
use crate::domain::index::{link_of, CameraLink};
use crate::domain::names::Action;
use crate::domain::registry::{CameraId, Detection, DetectionFilter, SensorStore};
use crate::service::detections::ingest_detections;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::Json;
use pingan_core::access::Permission;
use pingan_core::purpose::StatedPurpose;
use pingan_server::auth::{perm, Authorized, DeviceCaller};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::{body_rejection, ApiJson};
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ingest_http))
        .routes(routes!(search))
}

/// A recorder or platform sends detection events (Frigate or native JSON). Valid events are
/// stored; each invalid one is reported by index with its reason.
#[utoipa::path(post, path = "/ingest/video/detections", tag = "ingest", request_body(content = Object, content_type = "application/json"),
    security(("device_key" = [])),
    responses((status = 200, body = DetectionReport), (status = 400, body = pingan_server::error::Problem), (status = 401, body = pingan_server::error::Problem), (status = 403, body = pingan_server::error::Problem)))]
pub async fn ingest_http(
    State(state): State<AppState>,
    caller: DeviceCaller,
    req: Request,
) -> ApiResult<Json<DetectionReport>> {
    let bytes = Bytes::from_request(req, &state)
        .await
        .map_err(|r| body_rejection(r, pingan_server::BODY_LIMIT_BYTES))?;
    Ok(Json(
        ingest_detections(&state, &caller.device, &bytes).await?,
    ))
}

/// A search over detection events.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// The area: cameras positioned in it are searched.
    pub area: AreaInput,
    /// RFC 3339 or UTC microseconds; events overlapping `[from, to)` match.
    #[serde(deserialize_with = "pingan_core::time::de::text")]
    pub from: String,
    #[serde(deserialize_with = "pingan_core::time::de::text")]
    pub to: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
    /// At most 1000 (default 200).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Why: detection snapshots show people and vehicles, so a purpose and reference are
    /// required (a search without one is refused 403 and recorded, as on every purpose-bound
    /// route).
    #[serde(default)]
    #[schema(value_type = Option<pingan_server::schema::StatedPurpose>)]
    pub purpose: Option<StatedPurpose>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DetectionHit {
    #[serde(flatten)]
    pub detection: Detection,
    /// The camera, with links; the playback link covers the event.
    pub camera: CameraLink,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    pub count: usize,
    pub events: Vec<DetectionHit>,
}

/// Detection events by area (polygon or circle), time window, label and colour: "trucks seen
/// by cameras within 500 m of this point between 10:00 and 12:00", newest first.
#[utoipa::path(post, path = "/video/detections/search", tag = "video", request_body = SearchRequest,
    responses((status = 200, body = SearchResult), (status = 400, body = pingan_server::error::Problem), (status = 403, body = pingan_server::error::Problem)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Authorized<perm::QueryPlates>,
    ApiJson(req): ApiJson<SearchRequest>,
) -> ApiResult<Json<SearchResult>> {
    let purpose = caller
        .require_purpose(&state, Permission::QueryPlates, req.purpose.as_ref())
        .await?;
    let from = time("from", &req.from)?;
    let to = time("to", &req.to)?;
    if from > to {
        return Err(ApiError::invalid("from", "must not be after `to`"));
    }
    let label = req
        .label
        .as_deref()
        .map(|l| check_label("label", l))
        .transpose()
        .map_err(|m| ApiError::invalid("label", m))?;
    let colour = req
        .colour
        .as_deref()
        .map(|c| check_label("colour", c))
        .transpose()
        .map_err(|m| ApiError::invalid("colour", m))?;
    let limit = req.limit.unwrap_or(200);
    if limit == 0 || limit > 1000 {
        return Err(ApiError::invalid("limit", "must be 1–1000"));
    }
    let index = crate::http::video(&state).index();
    let hits = cameras_in_area(&index, &req.area, "area.")?;
    let distance: std::collections::HashMap<&str, f64> = hits
        .iter()
        .map(|(i, d)| (index.cameras()[*i].id.as_str(), d.unwrap_or(0.0)))
        .collect();
    let cameras: Vec<CameraId> = hits
        .iter()
        .map(|(i, _)| index.cameras()[*i].id.clone())
        .collect();
    let found = state
        .store
        .detections(&DetectionFilter {
            cameras: Some(cameras),
            from: Some(from),
            to: Some(to),
            label: label.clone(),
            colour: colour.clone(),
            limit,
        })
        .await?;
    let events: Vec<DetectionHit> = found
        .into_iter()
        .filter_map(|d| {
            let cam = index.camera(d.camera_id.as_str())?;
            let end = d.end_at.unwrap_or(d.start_at.plus_seconds(60));
            let camera = link_of(
                cam,
                distance.get(cam.id.as_str()).copied().unwrap_or(0.0),
                d.start_at.minus_seconds(10),
                end.plus_seconds(10),
            );
            Some(DetectionHit {
                detection: d,
                camera,
            })
        })
        .collect();
    state
        .audit(vec![caller.purposed(
            &state,
            &Action::SearchDetections.name(),
            "detections",
            None,
            &purpose,
            serde_json::json!({ "from": from, "to": to, "label": label, "colour": colour, "cameras": distance.len(), "results": events.len() }),
        )])
        .await?;
    Ok(Json(SearchResult {
        count: events.len(),
        events,
    }))
}

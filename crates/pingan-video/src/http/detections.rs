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
use super::{link_of, CameraLink, VideoIndex};
use crate::domain::names::{Action, Event};
use crate::domain::registry::{CameraId, Detection, DetectionFilter, Protocol, SensorStore};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::Json;
use pingan_core::access::Permission;
use pingan_core::account::{Device, DeviceKind};
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::purpose::StatedPurpose;
use pingan_core::Timestamp;
use pingan_server::auth::{perm, Authorized, DeviceCaller};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::{body_rejection, ApiJson};
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ingest_http))
        .routes(routes!(search))
}

/// Field names that carry face recognition or biometric attributes; any of them rejects an event.
const BIOMETRIC_FIELDS: [&str; 14] = [
    "face",
    "faces",
    "face_id",
    "face_name",
    "face_score",
    "face_embedding",
    "face_recognition",
    "embedding",
    "biometric",
    "biometrics",
    "gender",
    "age",
    "ethnicity",
    "race",
];

const REFUSAL: &str = "pingan stores no face recognition and no biometric attributes";

/// One decoded event: its id (when readable) and the detection or the reason it is refused.
type Decoded = (Option<String>, Result<Detection, String>);

/// One rejected event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectedEvent {
    pub index: usize,
    pub id: Option<String>,
    pub reason: String,
}

/// What an ingest did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DetectionReport {
    /// `frigate` or `native`.
    pub format: &'static str,
    pub accepted: usize,
    pub rejected: Vec<RejectedEvent>,
}

fn biometric_field(obj: &serde_json::Map<String, Value>) -> Option<&str> {
    obj.keys()
        .map(String::as_str)
        .find(|k| BIOMETRIC_FIELDS.contains(&k.to_ascii_lowercase().as_str()))
}

fn check_label(field: &str, label: &str) -> Result<String, String> {
    let l = label.trim().to_ascii_lowercase();
    if l.is_empty()
        || l.len() > 32
        || !l
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == ' ' || c.is_ascii_digit())
    {
        return Err(format!(
            "{field}: {label:?} must be 1–32 characters of a–z, 0–9, '_' or space"
        ));
    }
    Ok(l)
}

fn check_link(field: &str, url: Option<&str>) -> Result<Option<String>, String> {
    match url {
        None => Ok(None),
        Some(u) => crate::domain::registry::check_url_template(field, u, false)
            .map(|()| Some(u.to_owned()))
            .map_err(|e| e.to_string()),
    }
}

/// A Frigate time (seconds as a float) as a timestamp.
fn seconds(field: &str, v: &Value) -> Result<Timestamp, String> {
    v.as_f64()
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1.0e11)
        .map(|s| Timestamp((s * 1.0e6).round() as i64))
        .ok_or_else(|| format!("{field}: must be seconds since the epoch"))
}

/// Turns one Frigate message into a detection.
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
fn from_frigate(index: &VideoIndex, recorder: &Device, msg: &Value) -> Result<Detection, String> {
    let kind = msg.get("type").and_then(Value::as_str).unwrap_or("");
    if !matches!(kind, "new" | "update" | "end") {
        return Err(format!("type: {kind:?} is not new, update or end"));
    }
    let state = msg
        .get("after")
        .filter(|v| v.is_object())
        .or_else(|| msg.get("before").filter(|v| v.is_object()))
        .and_then(Value::as_object)
        .ok_or("a Frigate event needs an `after` (or `before`) object")?;
    if let Some(f) = biometric_field(state) {
        return Err(format!("after.{f}: {REFUSAL}"));
    }
    for attrs in ["attributes", "current_attributes"] {
        let has_face = match state.get(attrs) {
            Some(Value::Object(m)) => m.keys().any(|k| k == "face"),
            Some(Value::Array(a)) => a
                .iter()
                .any(|x| x.get("label").and_then(Value::as_str) == Some("face")),
            _ => false,
        };
        if has_face {
            return Err(format!(
                "after.{attrs}: a face attribute is biometric data; {REFUSAL}"
            ));
        }
    }
    let id = state
        .get("id")
        .and_then(Value::as_str)
        .ok_or("after.id: missing")?;
    pingan_core::ids::check_id("after.id", id).map_err(|e| e.to_string())?;
    let camera_name = state
        .get("camera")
        .and_then(Value::as_str)
        .ok_or("after.camera: missing")?;
    let camera = index
        .camera(camera_name)
        .ok_or_else(|| format!("after.camera: camera {camera_name:?} is not registered"))?;
    let label = check_label(
        "after.label",
        state
            .get("label")
            .and_then(Value::as_str)
            .ok_or("after.label: missing")?,
    )?;
    let sub_label = match state.get("sub_label") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        // Frigate 0.14+ sends `[name, score]`.
        Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_owned),
        Some(_) => return Err("after.sub_label: must be a string or [name, score]".into()),
    };
    if label == "person" && sub_label.is_some() {
        return Err(format!(
            "after.sub_label: a sub_label on a person is a face recognition result; {REFUSAL}"
        ));
    }
    let score = state
        .get("top_score")
        .or_else(|| state.get("score"))
        .and_then(Value::as_f64)
        .filter(|s| (0.0..=1.0).contains(s))
        .ok_or("after.top_score: must be a number within 0–1")?;
    let start_at = seconds(
        "after.start_time",
        state.get("start_time").unwrap_or(&Value::Null),
    )?;
    let end_at = match state.get("end_time") {
        None | Some(Value::Null) => None,
        Some(v) => Some(seconds("after.end_time", v)?),
    };
    if end_at.is_some_and(|e| e < start_at) {
        return Err("after.end_time: is before start_time".into());
    }
    let bbox = match state.get("box") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if a.len() == 4 && a.iter().all(Value::is_number) => {
            Some(a.iter().filter_map(Value::as_f64).collect())
        }
        Some(_) => return Err("after.box: must be [x1, y1, x2, y2]".into()),
    };
    let mut zones: Vec<String> = Vec::new();
    for key in ["entered_zones", "current_zones"] {
        if let Some(Value::Array(a)) = state.get(key) {
            for z in a.iter().filter_map(Value::as_str) {
                if !zones.iter().any(|x| x == z) && z.len() <= 64 {
                    zones.push(z.to_owned());
                }
            }
        }
    }
    // Links to Frigate's own API, when the recorder is registered as a Frigate platform.
    let base = index
        .platform(recorder.id.as_str())
        .filter(|p| p.protocol == Protocol::Frigate && p.address.starts_with("http"))
        .map(|p| p.address.trim_end_matches('/').to_owned());
    let flag = |k: &str| state.get(k).and_then(Value::as_bool).unwrap_or(false);
    let snapshot_url = base
        .as_ref()
        .filter(|_| flag("has_snapshot"))
        .map(|b| format!("{b}/api/events/{id}/snapshot.jpg"));
    let clip_url = base
        .as_ref()
        .filter(|_| flag("has_clip"))
        .map(|b| format!("{b}/api/events/{id}/clip.mp4"));
    Ok(Detection {
        id: format!("{}:{id}", recorder.id),
        recorder_id: recorder.id.0.clone(),
        camera_id: camera.id.clone(),
        source: "frigate".into(),
        label,
        sub_label,
        score,
        colour: None,
        zones,
        bbox,
        start_at,
        end_at,
        snapshot_url,
        clip_url,
        lon: camera.lon,
        lat: camera.lat,
    })
}

/// pingan's native detection event.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NativeEvent {
    /// Unique per recorder; a repeated id updates the event.
    pub id: String,
    pub camera_id: String,
    /// `person`, `car`, `truck`, `bus`, `bicycle`, `motorcycle`, …
    pub label: String,
    #[serde(default)]
    pub sub_label: Option<String>,
    /// 0–1.
    pub score: f64,
    /// Vehicle colour, when known (`red`, `white`, …).
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub zones: Vec<String>,
    /// `[x1, y1, x2, y2]` in pixels.
    #[serde(default, rename = "box")]
    pub bbox: Option<[f64; 4]>,
    /// RFC 3339.
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub snapshot_url: Option<String>,
    #[serde(default)]
    pub clip_url: Option<String>,
}

fn from_native(index: &VideoIndex, recorder: &Device, v: &Value) -> Result<Detection, String> {
    if let Some(obj) = v.as_object() {
        if let Some(f) = biometric_field(obj) {
            return Err(format!("{f}: {REFUSAL}"));
        }
    }
    let e: NativeEvent = serde_path_to_error::deserialize(v.clone()).map_err(|err| {
        let path = err.path().to_string();
        format!("{path}: {}", err.into_inner())
    })?;
    pingan_core::ids::check_id("id", &e.id).map_err(|e| e.to_string())?;
    let camera = index
        .camera(&e.camera_id)
        .ok_or_else(|| format!("camera_id: camera {:?} is not registered", e.camera_id))?;
    let label = check_label("label", &e.label)?;
    if label == "person" && e.sub_label.is_some() {
        return Err(format!(
            "sub_label: a sub_label on a person would identify them; {REFUSAL}"
        ));
    }
    if let Some(s) = &e.sub_label {
        if s.chars().count() > 64 {
            return Err("sub_label: at most 64 characters".into());
        }
    }
    if !(0.0..=1.0).contains(&e.score) {
        return Err(format!("score: {} is outside 0–1", e.score));
    }
    let colour = match &e.colour {
        Some(c) => Some(check_label("colour", c)?),
        None => None,
    };
    let start_at = Timestamp::parse_rfc3339(&e.start).ok_or("start: not an RFC 3339 time")?;
    let end_at = match &e.end {
        Some(t) => Some(Timestamp::parse_rfc3339(t).ok_or("end: not an RFC 3339 time")?),
        None => None,
    };
    if end_at.is_some_and(|t| t < start_at) {
        return Err("end: is before start".into());
    }
    if e.zones.len() > 16 || e.zones.iter().any(|z| z.is_empty() || z.len() > 64) {
        return Err("zones: at most 16 zones of 1–64 characters".into());
    }
    Ok(Detection {
        id: format!("{}:{}", recorder.id, e.id),
        recorder_id: recorder.id.0.clone(),
        camera_id: camera.id.clone(),
        source: "native".into(),
        label,
        sub_label: e.sub_label,
        score: e.score,
        colour,
        zones: e.zones,
        bbox: e.bbox.map(|b| b.to_vec()),
        start_at,
        end_at,
        snapshot_url: check_link("snapshot_url", e.snapshot_url.as_deref())?,
        clip_url: check_link("clip_url", e.clip_url.as_deref())?,
        lon: camera.lon,
        lat: camera.lat,
    })
}

/// Decodes a payload (Frigate or native), stores the valid events and announces them.
/// `Err` only when the payload as a whole is unreadable or the store fails.
pub async fn ingest_detections(
    state: &AppState,
    device: &Device,
    payload: &[u8],
) -> ApiResult<DetectionReport> {
    let doc: Value = serde_json::from_slice(payload).map_err(|e| ApiError::MalformedJson {
        detail: e.to_string(),
    })?;
    let index = crate::http::video(state).index();
    let (format, results): (&'static str, Vec<Decoded>) = if doc.get("type").is_some()
        && (doc.get("after").is_some() || doc.get("before").is_some())
    {
        let id = doc
            .pointer("/after/id")
            .or_else(|| doc.pointer("/before/id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        ("frigate", vec![(id, from_frigate(&index, device, &doc))])
    } else if let Some(events) = doc.get("events") {
        let Some(events) = events.as_array() else {
            return Err(ApiError::invalid("events", "must be an array"));
        };
        if events.len() > 5_000 {
            return Err(ApiError::invalid(
                "events",
                "at most 5000 events per message",
            ));
        }
        let results = events
            .iter()
            .map(|e| {
                let id = e.get("id").and_then(Value::as_str).map(str::to_owned);
                (id, from_native(&index, device, e))
            })
            .collect();
        ("native", results)
    } else if doc.get("label").is_some() && doc.get("camera_id").is_some() {
        let id = doc.get("id").and_then(Value::as_str).map(str::to_owned);
        ("native", vec![(id, from_native(&index, device, &doc))])
    } else {
        return Err(ApiError::invalid(
                "body",
                "neither a Frigate event ({type, before, after}) nor pingan's native format ({events: [...]} or one event)",
            ));
    };
    if !matches!(device.kind, DeviceKind::Recorder | DeviceKind::Platform) {
        return Err(ApiError::Forbidden(format!(
            "device {} is a {}; only recorders and platforms send detections",
            device.id,
            device.kind.as_str()
        )));
    }
    let mut stored = Vec::new();
    let mut rejected = Vec::new();
    for (i, (id, r)) in results.into_iter().enumerate() {
        match r {
            Ok(d) => stored.push(d),
            Err(reason) => rejected.push(RejectedEvent {
                index: i,
                id,
                reason,
            }),
        }
    }
    state.store.put_detections(&stored).await?;
    for d in &stored {
        state
            .publish(StreamEvent::new(
                Topic::Detections,
                Event::Detection.name(),
                state.now(),
                serde_json::json!({ "id": d.id, "camera_id": d.camera_id, "label": d.label, "colour": d.colour, "start_at": d.start_at, "end_at": d.end_at }),
            ))
            .await;
    }
    Ok(DetectionReport {
        format,
        accepted: stored.len(),
        rejected,
    })
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
    /// RFC 3339; events overlapping `from..to` match.
    pub from: String,
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

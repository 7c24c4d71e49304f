//! Detection events from recorders and platforms (Frigate's MQTT events or pingan's native
//! JSON) decoded into the registry's [`Detection`]s, and the rule that no face recognition and
//! no biometric attribute is ever stored: an event carrying one is refused. Pure.

use crate::domain::index::VideoIndex;
use crate::domain::registry::{Detection, Protocol};
use pingan_core::account::Device;
use pingan_core::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

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
pub(crate) type Decoded = (Option<String>, Result<Detection, String>);

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

pub(crate) fn check_label(field: &str, label: &str) -> Result<String, String> {
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
pub(crate) fn from_frigate(
    index: &VideoIndex,
    recorder: &Device,
    msg: &Value,
) -> Result<Detection, String> {
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

pub(crate) fn from_native(
    index: &VideoIndex,
    recorder: &Device,
    v: &Value,
) -> Result<Detection, String> {
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

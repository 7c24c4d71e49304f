//! Detections from recorders and platforms: decoded (see `domain::detections`), the valid ones
//! stored and announced, each refused one reported by position and reason.

use crate::domain::detections::{
    from_frigate, from_native, Decoded, DetectionReport, RejectedEvent,
};
use crate::domain::names::Event;
use crate::domain::registry::SensorStore;
use crate::error::{VideoError, VideoResult};
use pingan_core::account::{Device, DeviceKind};
use pingan_core::event::{StreamEvent, Topic};
use pingan_server::AppState;
use serde_json::Value;

/// Decodes a payload (Frigate or native), stores the valid events and announces them.
/// `Err` only when the payload as a whole is unreadable or the store fails.
pub async fn ingest_detections(
    state: &AppState,
    device: &Device,
    payload: &[u8],
) -> VideoResult<DetectionReport> {
    let doc: Value = serde_json::from_slice(payload).map_err(|e| VideoError::MalformedJson {
        detail: e.to_string(),
    })?;
    let index = super::video(state).index();
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
            return Err(VideoError::invalid("events", "must be an array"));
        };
        if events.len() > 5_000 {
            return Err(VideoError::invalid(
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
        return Err(VideoError::invalid(
                "body",
                "neither a Frigate event ({type, before, after}) nor pingan's native format ({events: [...]} or one event)",
            ));
    };
    if !matches!(device.kind, DeviceKind::Recorder | DeviceKind::Platform) {
        return Err(VideoError::Forbidden(format!(
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

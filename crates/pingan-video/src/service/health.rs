//! Device health: heartbeats recorded with the devices a platform vouches for, devices coming
//! online and going offline announced on the stream.

use crate::domain::names::Event;
use crate::domain::registry::{Beat, HealthState, HealthSubject, SensorStore};
use crate::error::{VideoError, VideoResult};
use pingan_core::account::{Device, DeviceKind};
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::Timestamp;
use pingan_server::AppState;

fn subject_of(kind: DeviceKind) -> Option<HealthSubject> {
    match kind {
        DeviceKind::Camera => Some(HealthSubject::Camera),
        DeviceKind::Checkpoint => Some(HealthSubject::Checkpoint),
        DeviceKind::Platform => Some(HealthSubject::Platform),
        DeviceKind::Recorder => Some(HealthSubject::Recorder),
        DeviceKind::Unit => None,
    }
}

/// Records a heartbeat of `device` (and of the cameras a platform vouches for) in the health
/// tables and announces devices coming online. Called from `ingest::record_heartbeat`, so HTTP
/// and MQTT heartbeats mean the same.
pub async fn on_device_heartbeat(
    state: &AppState,
    device: &Device,
    at: Timestamp,
    cameras: Option<&[String]>,
) -> VideoResult<()> {
    let Some(subject) = subject_of(device.kind) else {
        return Ok(());
    };
    let mut beats = vec![Beat {
        subject,
        id: device.id.0.clone(),
        at,
    }];
    if let Some(ids) = cameras {
        if device.kind != DeviceKind::Platform {
            return Err(VideoError::invalid(
                "cameras",
                "only a platform may report its cameras",
            ));
        }
        let index = super::video(state).index();
        let mut ignored = 0usize;
        for id in ids {
            match index.camera(id) {
                Some(c)
                    if c.platform_id.as_ref().map(|p| p.as_str()) == Some(device.id.as_str()) =>
                {
                    beats.push(Beat {
                        subject: HealthSubject::Camera,
                        id: id.clone(),
                        at,
                    })
                }
                _ => ignored += 1,
            }
        }
        if ignored > 0 {
            tracing::warn!(platform = %device.id, ignored, "heartbeat named cameras not registered on this platform");
        }
    }
    let max_gap = super::video(state).health_settings().max_gap_s();
    let online = state.store.record_beats(&beats, max_gap).await?;
    for h in online {
        state
            .publish(StreamEvent::new(
                Topic::Devices,
                Event::DeviceOnline.name(),
                state.now(),
                serde_json::json!({ "subject": h.subject, "id": h.id, "at": h.last_seen_at }),
            ))
            .await;
    }
    Ok(())
}

/// Marks offline every device silent for longer than the configured number of beats, as of
/// `now`, and announces each. Returns them.
pub async fn sweep_offline(state: &AppState, now: Timestamp) -> VideoResult<Vec<HealthState>> {
    let settings = super::video(state).health_settings();
    let gone = state
        .store
        .mark_offline(now.minus_seconds(settings.max_gap_s()), now)
        .await?;
    for h in &gone {
        state
            .publish(StreamEvent::new(
                Topic::Devices,
                Event::DeviceOffline.name(),
                now,
                serde_json::json!({ "subject": h.subject, "id": h.id, "last_seen_at": h.last_seen_at }),
            ))
            .await;
    }
    Ok(gone)
}

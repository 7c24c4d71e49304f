//! Device health: heartbeats recorded with the devices a platform vouches for, devices coming
//! online and going offline announced on the stream, the health report and uptime per device
//! and platform per UTC day.

use crate::domain::names::Event;
use crate::domain::registry::{Beat, HealthState, HealthSubject, SensorStore, UptimeDay};
use crate::error::{VideoError, VideoResult};
use pingan_core::account::{Device, DeviceKind};
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::Timestamp;
use pingan_server::AppState;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

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

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthReport {
    pub online: usize,
    pub offline: usize,
    /// Seconds between expected heartbeats, and beats missed before "offline".
    pub interval_s: i64,
    pub missed_beats: u32,
    pub devices: Vec<HealthState>,
}

/// Current health of every device that has sent a heartbeat, with the liveness settings.
pub async fn health_report(state: &AppState) -> VideoResult<HealthReport> {
    let devices = state.store.health().await?;
    let online = devices.iter().filter(|d| d.online).count();
    let s = crate::service::video(state).health_settings();
    Ok(HealthReport {
        online,
        offline: devices.len() - online,
        interval_s: s.interval_s,
        missed_beats: s.missed_beats,
        devices,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UptimeRow {
    #[serde(flatten)]
    pub day: UptimeDay,
    /// `online_s` / 86,400.
    pub share: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformUptime {
    pub platform_id: String,
    pub day: String,
    /// The platform's own uptime share, when it sends heartbeats.
    pub own_share: Option<f64>,
    /// Mean uptime share of the platform's registered cameras (0 for a camera never heard from).
    pub cameras_share: Option<f64>,
    pub cameras: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UptimeReport {
    pub devices: Vec<UptimeRow>,
    pub platforms: Vec<PlatformUptime>,
}

/// Uptime per device and per platform for the UTC days `from..=to` (`YYYY-MM-DD`).
pub async fn uptime_report(state: &AppState, from: &str, to: &str) -> VideoResult<UptimeReport> {
    let rows = state.store.uptime(from, to).await?;
    let share = |s: i64| ((s as f64 / 86_400.0).min(1.0) * 10_000.0).round() / 10_000.0;
    let index = crate::service::video(state).index();
    let mut days: Vec<String> = rows.iter().map(|r| r.day.clone()).collect();
    days.sort();
    days.dedup();
    let by_key: BTreeMap<(HealthSubject, &str, &str), i64> = rows
        .iter()
        .map(|r| ((r.subject, r.id.as_str(), r.day.as_str()), r.online_s))
        .collect();
    let mut platforms = Vec::new();
    for p in index.platforms() {
        let cams: Vec<&str> = index
            .cameras()
            .iter()
            .filter(|c| c.platform_id.as_ref() == Some(&p.id))
            .map(|c| c.id.as_str())
            .collect();
        for d in &days {
            let own = by_key
                .get(&(HealthSubject::Platform, p.id.as_str(), d.as_str()))
                .map(|s| share(*s));
            let cameras_share = (!cams.is_empty()).then(|| {
                let total: f64 = cams
                    .iter()
                    .map(|c| {
                        share(
                            by_key
                                .get(&(HealthSubject::Camera, *c, d.as_str()))
                                .copied()
                                .unwrap_or(0),
                        )
                    })
                    .sum();
                (total / cams.len() as f64 * 10_000.0).round() / 10_000.0
            });
            platforms.push(PlatformUptime {
                platform_id: p.id.0.clone(),
                day: d.clone(),
                own_share: own,
                cameras_share,
                cameras: cams.len(),
            });
        }
    }
    let devices = rows
        .into_iter()
        .map(|d| UptimeRow {
            share: share(d.online_s),
            day: d,
        })
        .collect();
    Ok(UptimeReport { devices, platforms })
}

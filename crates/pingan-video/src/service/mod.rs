//! The video network's use cases: the camera index in force, device health from heartbeats
//! and the offline sweep, and detections from recorders. They return [`VideoError`]; the HTTP
//! edge, the MQTT handler and the tasks call them, never each other's handlers.

pub mod detections;
pub mod health;
pub mod registry;

use crate::domain::index::{CameraLink, CheckpointNear, VideoIndex};
use crate::domain::registry::{CameraFilter, SensorStore};
use crate::error::{VideoError, VideoResult};
use pingan_core::Timestamp;
use pingan_server::AppState;
use std::sync::{Arc, RwLock};

/// Liveness settings: a device is offline after `missed_beats` expected heartbeats are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthSettings {
    /// Seconds between a device's expected heartbeats.
    pub interval_s: i64,
    /// Missed heartbeats after which a device counts as offline.
    pub missed_beats: u32,
}

impl Default for HealthSettings {
    fn default() -> Self {
        Self {
            interval_s: 60,
            missed_beats: 3,
        }
    }
}

impl HealthSettings {
    /// The longest silence that still counts as online, seconds.
    pub fn max_gap_s(self) -> i64 {
        self.interval_s
            .saturating_mul(i64::from(self.missed_beats.max(1)))
    }
}

/// The video network's in-memory state, installed in the app's parts (see [`video`]).
#[derive(Debug, Default)]
pub struct VideoState {
    index: RwLock<Arc<VideoIndex>>,
    health: RwLock<HealthSettings>,
}

impl VideoState {
    /// The index in force.
    pub fn index(&self) -> Arc<VideoIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_index(&self, index: VideoIndex) {
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(index);
    }

    pub fn health_settings(&self) -> HealthSettings {
        *self.health.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the liveness settings (the binary calls this from its configuration).
    pub fn set_health_settings(&self, settings: HealthSettings) {
        *self.health.write().unwrap_or_else(|p| p.into_inner()) = settings;
    }
}

/// The video network's state as installed in the app (a default one when it is not).
pub fn video(state: &AppState) -> Arc<VideoState> {
    state.parts.get::<VideoState>().unwrap_or_default()
}

/// Builds the index from the store; call at start (before serving) and after imports.
pub async fn load_video(state: &AppState) -> VideoResult<()> {
    let cameras = state.store.cameras(&CameraFilter::default()).await?;
    let checkpoints = state.store.checkpoints().await?;
    let platforms = state.store.platforms().await?;
    let index =
        tokio::task::spawn_blocking(move || VideoIndex::build(cameras, checkpoints, platforms))
            .await
            .map_err(|e| VideoError::internal("build the camera index", e))?;
    video(state).set_index(index);
    Ok(())
}

/// Rebuilds the index after a change.
pub(crate) async fn reload_video(state: &AppState) -> VideoResult<()> {
    load_video(state).await
}

/// The active cameras whose view contains the point, nearest first, with their live link and
/// their playback link filled for `from..to` (what other capabilities ask of this one).
pub fn cameras_seeing(
    state: &AppState,
    lon: f64,
    lat: f64,
    from: Timestamp,
    to: Timestamp,
) -> Vec<CameraLink> {
    crate::domain::index::cameras_seeing(&video(state).index(), lon, lat, from, to)
}

/// The checkpoints within `radius_m` of the point, nearest first.
pub fn checkpoints_near(
    state: &AppState,
    lon: f64,
    lat: f64,
    radius_m: f64,
) -> Vec<CheckpointNear> {
    crate::domain::index::checkpoints_near(&video(state).index(), lon, lat, radius_m)
}

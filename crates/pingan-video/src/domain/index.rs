//! The camera index: an immutable snapshot of the registry with a spatial index over the
//! active cameras' views, swapped whole after every change, so that "which cameras see P" costs
//! microseconds and never touches the database; and the links and nearby checkpoints it
//! answers with. Pure.

use crate::domain::registry::{Camera, CameraStatus, Checkpoint, Platform};
use pingan_core::Timestamp;
use pingan_spatial::cameras::{Camera as ViewCamera, CameraIndex};
use pingan_spatial::projection::haversine_m;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// An immutable snapshot of the registry with a spatial index over active cameras.
#[derive(Debug)]
pub struct VideoIndex {
    pub(crate) cameras: Vec<Camera>,
    by_id: HashMap<String, usize>,
    /// Views of active cameras; the key is the position in `cameras`.
    pub(crate) views: CameraIndex<usize>,
    pub(crate) checkpoints: Vec<Checkpoint>,
    pub(crate) platforms: Vec<Platform>,
}

impl Default for VideoIndex {
    fn default() -> Self {
        Self::build(Vec::new(), Vec::new(), Vec::new())
    }
}

impl VideoIndex {
    pub fn build(
        cameras: Vec<Camera>,
        checkpoints: Vec<Checkpoint>,
        platforms: Vec<Platform>,
    ) -> Self {
        let by_id = cameras
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.0.clone(), i))
            .collect();
        let views: Vec<ViewCamera<usize>> = cameras
            .iter()
            .enumerate()
            .filter(|(_, c)| c.status == CameraStatus::Active)
            .map(|(i, c)| view_of(i, c))
            .collect();
        // Stored cameras were validated on the way in; a camera that fails here (a rule
        // tightened later) is left out of the geometry rather than failing the whole index.
        let (views, skipped) = CameraIndex::build_lenient(views);
        if !skipped.is_empty() {
            tracing::warn!(
                skipped = skipped.len(),
                "cameras left out of the view index"
            );
        }
        Self {
            cameras,
            by_id,
            views,
            checkpoints,
            platforms,
        }
    }

    pub fn cameras(&self) -> &[Camera] {
        &self.cameras
    }

    pub fn camera(&self, id: &str) -> Option<&Camera> {
        self.by_id.get(id).map(|&i| &self.cameras[i])
    }

    pub fn checkpoints(&self) -> &[Checkpoint] {
        &self.checkpoints
    }

    pub fn platforms(&self) -> &[Platform] {
        &self.platforms
    }

    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id.as_str() == id)
    }

    /// The spatial index over active cameras (keys are positions in [`VideoIndex::cameras`]).
    pub fn views(&self) -> &CameraIndex<usize> {
        &self.views
    }
}

/// The geometry of a registry camera.
pub fn view_of<K>(key: K, c: &Camera) -> ViewCamera<K> {
    ViewCamera {
        key,
        lon: c.lon,
        lat: c.lat,
        heading_deg: c.heading_deg,
        fov_deg: c.fov_deg,
        range_m: c.range_m,
        ptz: c.ptz,
    }
}

/// A camera that sees a point, with its stream links.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CameraLink {
    pub camera_id: String,
    pub name: String,
    pub distance_m: f64,
    pub live_url: Option<String>,
    /// The playback template filled for the requested window.
    pub playback_url: Option<String>,
}

/// A checkpoint near a point.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckpointNear {
    pub checkpoint_id: String,
    pub name: String,
    pub distance_m: f64,
    pub road_id: Option<String>,
}

fn round_m(m: f64) -> f64 {
    (m * 10.0).round() / 10.0
}

/// The active cameras whose view contains the point, nearest first, with their live link and
/// their playback link filled for `from..to`.
pub fn cameras_seeing(
    index: &VideoIndex,
    lon: f64,
    lat: f64,
    from: Timestamp,
    to: Timestamp,
) -> Vec<CameraLink> {
    index
        .views
        .visible_from(lon, lat)
        .into_iter()
        .map(|(i, d)| link_of(&index.cameras[i], d, from, to))
        .collect()
}

pub fn link_of(c: &Camera, distance_m: f64, from: Timestamp, to: Timestamp) -> CameraLink {
    CameraLink {
        camera_id: c.id.0.clone(),
        name: c.name.clone(),
        distance_m: round_m(distance_m),
        live_url: c.live_link(),
        playback_url: c.playback_link(from, to),
    }
}

/// The checkpoints within `radius_m` of the point, nearest first.
pub fn checkpoints_near(
    index: &VideoIndex,
    lon: f64,
    lat: f64,
    radius_m: f64,
) -> Vec<CheckpointNear> {
    let mut out: Vec<CheckpointNear> = index
        .checkpoints
        .iter()
        .filter_map(|c| {
            let d = haversine_m((lon, lat), (c.lon, c.lat));
            (d <= radius_m).then(|| CheckpointNear {
                checkpoint_id: c.id.0.clone(),
                name: c.name.clone(),
                distance_m: round_m(d),
                road_id: c.road_id.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.distance_m
            .total_cmp(&b.distance_m)
            .then(a.checkpoint_id.cmp(&b.checkpoint_id))
    });
    out
}

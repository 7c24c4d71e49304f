//! The video network: the registry of platforms, cameras and checkpoints (CRUD, import and
//! export), the geometry over it ("which cameras see P", views, coverage), device health, and
//! detection events from recorders.
//!
//! # Design
//! The store holds the registry; the server keeps an immutable in-memory [`VideoIndex`] built
//! from it (a `CameraIndex` over the *active* cameras' views, plus lookups by id), swapped whole
//! after every change, so that "which cameras see P" costs microseconds and never touches the
//! database. `load_video` builds it at start; every registry write (`crate::service::registry`)
//! rebuilds it after its commit.
//!
//! Credentials of platforms are held only as a reference name and never returned: the API shows
//! `has_credentials` instead.
//!
//! # What it does not do
//! It records no video and proxies no stream: it hands out links built from each camera's
//! templates. It does no face recognition and stores no biometric attribute (see
//! [`detections`]).

pub mod detections;
pub mod health;
pub mod ogc;
pub mod registry;
pub mod spatial;
pub mod transfer;

pub(crate) use crate::service::video;
pub(crate) use registry::parse_bbox;

use crate::domain::index::VideoIndex;
use crate::error::VideoError;

impl From<VideoError> for ApiError {
    fn from(e: VideoError) -> Self {
        match e {
            VideoError::Invalid(v) => ApiError::Invalid(v),
            VideoError::MalformedJson { detail } => ApiError::MalformedJson { detail },
            VideoError::Forbidden(reason) => ApiError::Forbidden(reason),
            VideoError::Access(a) => ApiError::from(a),
            VideoError::Store(s) => ApiError::from(s),
            e @ VideoError::Internal { .. } => ApiError::internal(e),
        }
    }
}

use crate::domain::registry::{
    Camera, CameraId, CameraStatus, Checkpoint, CheckpointId, Platform, PlatformId, Protocol,
};
use pingan_server::error::ApiError;
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---------------------------------------------------------------------------------------------
// Registry DTOs.

/// A platform as the API shows it: the credential reference is never returned.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlatformOut {
    pub id: String,
    pub name: String,
    pub vendor: Option<String>,
    pub protocol: Protocol,
    pub address: String,
    /// Whether a credential reference is set (the reference itself is never returned).
    pub has_credentials: bool,
}

impl From<&Platform> for PlatformOut {
    fn from(p: &Platform) -> Self {
        Self {
            id: p.id.0.clone(),
            name: p.name.clone(),
            vendor: p.vendor.clone(),
            protocol: p.protocol,
            address: p.address.clone(),
            has_credentials: p.credential_ref.is_some(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformInput {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub vendor: Option<String>,
    pub protocol: Protocol,
    pub address: String,
    /// The name of a secret held elsewhere (vault key, environment variable). Never the secret.
    #[serde(default)]
    pub credential_ref: Option<String>,
}

impl PlatformInput {
    pub(crate) fn into_platform(self) -> Platform {
        Platform {
            id: PlatformId(self.id),
            name: self.name.trim().to_owned(),
            vendor: self.vendor,
            protocol: self.protocol,
            address: self.address,
            credential_ref: self.credential_ref,
        }
    }
}

/// A camera as clients send it (JSON body, CSV row, GeoJSON properties plus the point).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CameraInput {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub platform_id: Option<String>,
    /// GB/T 28181 channel id, 20 digits.
    #[serde(default)]
    pub channel_id: Option<String>,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub height_m: Option<f64>,
    /// Degrees clockwise from north, 0–360 (ignored for PTZ).
    #[serde(default)]
    pub heading_deg: f64,
    /// Degrees, strictly between 0 and 360 for fixed cameras.
    #[serde(default)]
    pub fov_deg: f64,
    pub range_m: f64,
    #[serde(default)]
    pub ptz: bool,
    #[serde(default)]
    pub live_url: Option<String>,
    /// Template with `{start}`/`{end}` (RFC 3339 UTC) or `{start_unix}`/`{end_unix}`.
    #[serde(default)]
    pub playback_url: Option<String>,
    #[serde(default = "active")]
    pub status: CameraStatus,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub installed_on: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
}

fn active() -> CameraStatus {
    CameraStatus::Active
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl CameraInput {
    pub fn into_camera(self) -> Camera {
        Camera {
            id: CameraId(self.id.trim().to_owned()),
            name: self.name.trim().to_owned(),
            platform_id: non_empty(self.platform_id).map(PlatformId),
            channel_id: non_empty(self.channel_id),
            lon: self.lon,
            lat: self.lat,
            height_m: self.height_m,
            heading_deg: self.heading_deg,
            fov_deg: self.fov_deg,
            range_m: self.range_m,
            ptz: self.ptz,
            live_url: non_empty(self.live_url),
            playback_url: non_empty(self.playback_url),
            status: self.status,
            installed_on: non_empty(self.installed_on),
            owner: non_empty(self.owner),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckpointInput {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub lanes: u32,
    #[serde(default)]
    pub directions: Vec<String>,
    #[serde(default)]
    pub road_id: Option<String>,
}

impl CheckpointInput {
    pub fn into_checkpoint(self) -> Checkpoint {
        Checkpoint {
            id: CheckpointId(self.id.trim().to_owned()),
            name: self.name.trim().to_owned(),
            lon: self.lon,
            lat: self.lat,
            lanes: self.lanes,
            directions: self.directions,
            road_id: non_empty(self.road_id),
        }
    }
}

/// Every route of the video network with the access rule it enforces.
pub const ROUTES: &[pingan_server::capability::RouteSpec] = {
    use pingan_core::access::Permission as P;
    use pingan_server::capability::{route as r, Access::*};
    &[
        r("GET", "/api/v1/video/platforms", Permission(P::ViewMap)),
        r(
            "POST",
            "/api/v1/video/platforms",
            Permission(P::ManageSensors),
        ),
        r(
            "GET",
            "/api/v1/video/platforms/noplatform",
            Permission(P::ViewMap),
        ),
        r(
            "PUT",
            "/api/v1/video/platforms/noplatform",
            Permission(P::ManageSensors),
        ),
        r(
            "DELETE",
            "/api/v1/video/platforms/noplatform",
            Permission(P::ManageSensors),
        ),
        r("GET", "/api/v1/video/cameras", Permission(P::ViewMap)),
        r(
            "POST",
            "/api/v1/video/cameras",
            Permission(P::ManageSensors),
        ),
        r(
            "GET",
            "/api/v1/video/cameras/nocamera",
            Permission(P::ViewMap),
        ),
        r(
            "PUT",
            "/api/v1/video/cameras/nocamera",
            Permission(P::ManageSensors),
        ),
        r(
            "DELETE",
            "/api/v1/video/cameras/nocamera",
            Permission(P::ManageSensors),
        ),
        r(
            "POST",
            "/api/v1/video/cameras/import",
            Permission(P::ManageSensors),
        ),
        r(
            "GET",
            "/api/v1/video/cameras/export?format=csv",
            Permission(P::ViewMap),
        ),
        r(
            "POST",
            "/api/v1/video/cameras/within",
            Permission(P::ViewMap),
        ),
        r("GET", "/api/v1/video/checkpoints", Permission(P::ViewMap)),
        r(
            "POST",
            "/api/v1/video/checkpoints",
            Permission(P::ManageSensors),
        ),
        r(
            "GET",
            "/api/v1/video/checkpoints/nocheckpoint",
            Permission(P::ViewMap),
        ),
        r(
            "PUT",
            "/api/v1/video/checkpoints/nocheckpoint",
            Permission(P::ManageSensors),
        ),
        r(
            "DELETE",
            "/api/v1/video/checkpoints/nocheckpoint",
            Permission(P::ManageSensors),
        ),
        r(
            "POST",
            "/api/v1/video/checkpoints/import",
            Permission(P::ManageSensors),
        ),
        r(
            "GET",
            "/api/v1/video/checkpoints/export",
            Permission(P::ViewMap),
        ),
        r(
            "GET",
            "/api/v1/video/seeing?lon=118.9&lat=35.0",
            Permission(P::ViewMap),
        ),
        r("GET", "/api/v1/video/views", Permission(P::ViewMap)),
        r("GET", "/api/v1/video/coverage", Permission(P::ViewMap)),
        r("GET", "/api/v1/video/health", Permission(P::ViewMap)),
        r("GET", "/api/v1/video/uptime", Permission(P::ViewMap)),
        r(
            "POST",
            "/api/v1/video/detections/search",
            Permission(P::QueryPlates),
        ),
        r("POST", "/api/v1/ingest/video/detections", Device),
        r("GET", "/api/v1/ogc", Permission(P::ViewMap)),
        r("GET", "/api/v1/ogc/conformance", Permission(P::ViewMap)),
        r("GET", "/api/v1/ogc/collections", Permission(P::ViewMap)),
        r(
            "GET",
            "/api/v1/ogc/collections/cameras",
            Permission(P::ViewMap),
        ),
        r(
            "GET",
            "/api/v1/ogc/collections/cameras/items",
            Permission(P::ViewMap),
        ),
        r(
            "GET",
            "/api/v1/ogc/collections/cameras/items/nocamera",
            Permission(P::ViewMap),
        ),
    ]
};

/// The routes with their OpenAPI description (the registry, imports and exports, spatial
/// questions, health, detections, and OGC API – Features).
pub fn router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(registry::list_platforms, registry::create_platform))
        .routes(routes!(
            registry::get_platform,
            registry::put_platform,
            registry::delete_platform
        ))
        .routes(routes!(registry::list_cameras, registry::create_camera))
        .routes(routes!(
            registry::get_camera,
            registry::put_camera,
            registry::delete_camera
        ))
        .routes(routes!(
            registry::list_checkpoints,
            registry::create_checkpoint
        ))
        .routes(routes!(
            registry::get_checkpoint,
            registry::put_checkpoint,
            registry::delete_checkpoint
        ))
        .merge(transfer::router())
        .merge(spatial::router())
        .merge(health::router())
        .merge(detections::router())
        .merge(ogc::router())
}

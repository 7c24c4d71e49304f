//! The video network (视频网络), one capability: the district's camera platforms (GB/T 28181,
//! ONVIF, RTSP, Frigate), their cameras with view sectors and the road checkpoints, kept as a
//! registry with imports and exports; which cameras see a spot, coverage and suggested sites;
//! device health from heartbeats with online/offline events and daily uptime; detections the
//! platforms report (objects, colours, attributes), searchable behind a purpose; and the
//! registry as OGC API – Features for GIS tools.
//!
//! # Shape
//! - `domain/`: the registry's types and checks and the store's port, the camera index, the
//!   detection decoder with the no-biometrics rule, the typed names; pure.
//! - `store/`: the only SQL of the capability.
//! - `service/`: the use cases the HTTP edge, MQTT and the tasks share (the index in force,
//!   health from heartbeats, detections), returning `VideoError`.
//! - `http/`: the endpoints, OGC API – Features and the route table; the registry's CRUD,
//!   imports, exports and geometry queries.
//! - `tasks.rs`: the offline sweep.
//!
//! # What it does not do
//! No face recognition and no biometric attribute is ever stored: the decoder drops them. It
//! does not record or proxy video.

pub mod domain;
pub mod error;
pub mod http;
pub mod service;
pub mod store;
pub mod tasks;

pub use service::{HealthSettings, VideoState};

use async_trait::async_trait;
use pingan_core::account::Device;
use pingan_core::Timestamp;
use pingan_ingest::{HandlerError, Stream};
use pingan_server::capability::{Capability, LoadError, PartsBuilder, RouteSpec, Shutdown, Task};
use pingan_server::error::ApiError;
use pingan_server::AppState;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// The capability as the platform sees it.
#[derive(Debug, Clone, Default)]
pub struct VideoCapability {
    state: Arc<VideoState>,
}

impl VideoCapability {
    pub fn new(health: HealthSettings) -> Self {
        let state = VideoState::default();
        state.set_health_settings(health);
        Self {
            state: Arc::new(state),
        }
    }
}

#[async_trait]
impl Capability for VideoCapability {
    fn name(&self) -> &'static str {
        "video"
    }

    fn install(&self, parts: &mut PartsBuilder) {
        parts.insert(self.state.clone());
    }

    fn routes(&self) -> OpenApiRouter<AppState> {
        http::router()
    }

    fn route_table(&self) -> &'static [RouteSpec] {
        http::ROUTES
    }

    async fn load(&self, state: &AppState) -> Result<(), LoadError> {
        service::load_video(state).await?;
        Ok(())
    }

    fn tasks(&self, state: &AppState, shutdown: Shutdown) -> Vec<(&'static str, Task)> {
        vec![(
            "video.health_sweep",
            Box::pin(tasks::run_health_sweep(state.clone(), shutdown)),
        )]
    }

    fn streams(&self) -> &'static [Stream] {
        &[Stream::Detections]
    }

    async fn on_device_message(
        &self,
        state: &AppState,
        device: &Device,
        _stream: Stream,
        payload: &[u8],
    ) -> Result<(), HandlerError> {
        let report = service::detections::ingest_detections(state, device, payload)
            .await
            .map_err(|e| {
                if e.is_transient() {
                    HandlerError::transient(e)
                } else {
                    HandlerError::rejected(e.to_string())
                }
            })?;
        if report.rejected.is_empty() {
            return Ok(());
        }
        // The valid events are stored; the rejection names the others.
        let reasons: Vec<String> = report
            .rejected
            .iter()
            .map(|r| format!("#{} {}", r.index, r.reason))
            .collect();
        Err(HandlerError::rejected(format!(
            "{} detection event(s) rejected: {}",
            report.rejected.len(),
            reasons.join("; ")
        )))
    }

    async fn on_heartbeat(
        &self,
        state: &AppState,
        device: &Device,
        at: Timestamp,
        cameras: Option<&[String]>,
    ) -> Result<(), ApiError> {
        service::health::on_device_heartbeat(state, device, at, cameras)
            .await
            .map_err(ApiError::from)
    }
}

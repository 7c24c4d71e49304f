//! Plate reads (卡口过车), one capability: checkpoint devices report reads over HTTP or MQTT;
//! investigators run the seven investigative queries (trajectory, reads at checkpoints,
//! co-travel, multi-scene, partial plate, flows, first seen) behind a stated purpose, with a
//! second person's approval for windows older than the approval age; the watch-list (布控) raises
//! alerts the moment a listed vehicle passes; reads copied into a case survive retention; and
//! a transparency report counts it all without naming anyone.
//!
//! # Shape
//! - `domain/`: the pure rules (query caps and execution on the in-memory index, the ingest
//!   policy, watch-list checks and matching, the records), unit-tested, no I/O.
//! - `store/`: the only SQL of the capability; every change takes its ledger entry and commits
//!   it in the same transaction.
//! - `service/`: the use cases, returning [`PlatesError`]; access checks, audit and publishing
//!   happen here. HTTP, MQTT and the command line call these and nothing below them.
//! - `http/`: extract → service → typed response, and the capability's route table.
//! - `tasks.rs`: retention. `config.rs`: the settings.
//!
//! # What it does not do
//! It stores no images (reads carry the camera platform's image URLs), recognises no faces and
//! builds no profiles: a plate is looked up only for a purpose with a case or incident on
//! record, and each look-up is in the ledger.

pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod service;
pub mod store;
pub mod tasks;

pub use config::PlateConfig;
pub use error::{PlatesError, PlatesResult};
pub use service::Plates;

use async_trait::async_trait;
use domain::ingest::Format;
use pingan_core::account::Device;
use pingan_ingest::{HandlerError, Stream};
use pingan_server::capability::{Capability, LoadError, PartsBuilder, RouteSpec, Shutdown, Task};
use pingan_server::AppState;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// The capability as the platform sees it.
#[derive(Debug, Clone)]
pub struct PlatesCapability {
    plates: Arc<Plates>,
}

impl PlatesCapability {
    pub fn new(config: PlateConfig) -> Self {
        Self {
            plates: Arc::new(Plates::new(config)),
        }
    }

    /// The service, for the command line and tests.
    pub fn service(&self) -> Arc<Plates> {
        self.plates.clone()
    }
}

impl Default for PlatesCapability {
    fn default() -> Self {
        Self::new(PlateConfig::default())
    }
}

#[async_trait]
impl Capability for PlatesCapability {
    fn name(&self) -> &'static str {
        "plates"
    }

    fn install(&self, parts: &mut PartsBuilder) {
        parts.insert(self.plates.clone());
    }

    fn routes(&self) -> OpenApiRouter<AppState> {
        http::router()
    }

    fn route_table(&self) -> &'static [RouteSpec] {
        http::ROUTES
    }

    async fn load(&self, state: &AppState) -> Result<(), LoadError> {
        let report = self.plates.load(state).await?;
        tracing::info!(
            reads = report.reads,
            refused = report.refused,
            "plate reads loaded"
        );
        Ok(())
    }

    fn tasks(&self, state: &AppState, shutdown: Shutdown) -> Vec<(&'static str, Task)> {
        vec![(
            "plates.retention",
            Box::pin(tasks::retention(
                self.plates.clone(),
                state.clone(),
                shutdown,
            )),
        )]
    }

    fn streams(&self) -> &'static [Stream] {
        &[Stream::Reads]
    }

    async fn on_device_message(
        &self,
        state: &AppState,
        device: &Device,
        _stream: Stream,
        payload: &[u8],
    ) -> Result<(), HandlerError> {
        let report = self
            .plates
            .ingest(state, device, Format::Json, payload)
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
        // The valid reads are stored; the rejection names the others by row.
        Err(HandlerError::rejected(format!(
            "{} read(s) rejected: {}",
            report.rejected.len(),
            report
                .rejected
                .iter()
                .map(|r| format!("row {} {}: {}", r.row, r.field, r.reason))
                .collect::<Vec<_>>()
                .join("; ")
        )))
    }

    fn meta(&self, _state: &AppState) -> Vec<(&'static str, serde_json::Value)> {
        vec![(
            "plate_approval_age_days",
            self.plates.config().approval_age_days().into(),
        )]
    }
}

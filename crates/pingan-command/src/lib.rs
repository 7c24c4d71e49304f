//! The command centre (指挥中心), one capability: calls become incidents with a type from the
//! district's taxonomy, a priority and a located address; operators move them through their
//! lifecycle (dispatch, en route, on scene, cleared, closed) under optimistic concurrency, with
//! the units' statuses following; units report GPS positions over HTTP or MQTT; the
//! recommendation ranks free units by road ETA; figures count response times by type, town and
//! hour. The caller's contact is read only behind a purpose, and the read is in the ledger.
//!
//! # Shape
//! - `domain/`: the incident taxonomy and lifecycle state machine with its refusal codes, units
//!   and GPS-fix rules, the records and figures, and the store's port (`CommandStore`); pure.
//! - `store/`: the only SQL of the capability (the port on the platform's database, and the
//!   bulk import of closed incidents).
//! - `service/`: the use cases (incidents, units, positions) returning [`error::CommandError`],
//!   which write their ledger entry in the change's transaction and publish on the stream; and
//!   the capability's in-memory state (settings, the road-network router cache).
//! - `http/`: extract → use case → answer, for incidents and units, and the route table; the one
//!   place `CommandError` becomes an `ApiError`.
//! - `tasks.rs`: the purge of old track points.

pub mod domain;
pub mod error;
pub mod http;
pub mod service;
pub mod store;
pub mod tasks;

pub use service::{CommandConfig, CommandState};

use async_trait::async_trait;
use domain::incident::IncidentId;
use domain::records::CommandStore;
use pingan_core::account::Device;
use pingan_core::purpose::StatedPurpose;
use pingan_core::StoreError;
use pingan_ingest::{HandlerError, Stream};
use pingan_server::capability::{Capability, PartsBuilder, RouteSpec, Shutdown, Task};
use pingan_server::AppState;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// The capability as the platform sees it.
#[derive(Debug, Clone, Default)]
pub struct CommandCapability {
    state: Arc<CommandState>,
}

impl CommandCapability {
    pub fn new(config: CommandConfig) -> Self {
        let state = CommandState::default();
        state.configure(config);
        Self {
            state: Arc::new(state),
        }
    }
}

#[async_trait]
impl Capability for CommandCapability {
    fn name(&self) -> &'static str {
        "command"
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

    fn tasks(&self, state: &AppState, shutdown: Shutdown) -> Vec<(&'static str, Task)> {
        vec![(
            "command.purge_positions",
            Box::pin(tasks::purge_positions(state.clone(), shutdown)),
        )]
    }

    fn streams(&self) -> &'static [Stream] {
        &[Stream::Position]
    }

    async fn on_device_message(
        &self,
        state: &AppState,
        device: &Device,
        _stream: Stream,
        payload: &[u8],
    ) -> Result<(), HandlerError> {
        service::positions::mqtt_position(state, device, payload).await
    }

    fn meta(&self, _state: &AppState) -> Vec<(&'static str, serde_json::Value)> {
        vec![(
            "position_stale_after_s",
            self.state.config().position_stale_after_s.into(),
        )]
    }

    /// A reference shaped like an incident (and every `incident_response` reference) must name
    /// an incident on record.
    async fn refuse_reference(
        &self,
        state: &AppState,
        p: &StatedPurpose,
    ) -> Result<Option<String>, StoreError> {
        let Some(r) = p.incident_reference() else {
            return Ok(None);
        };
        Ok(state
            .store
            .incident(&IncidentId::new(r))
            .await?
            .is_none()
            .then(|| format!("no incident {r} on record (purpose {})", p.purpose)))
    }
}

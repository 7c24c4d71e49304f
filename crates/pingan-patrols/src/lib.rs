//! The patrol programme (警灯闪烁, flashing lights), one capability: shift plans that send the
//! units on duty to the district's hot spots at its hot hours (short stops, revisited at random
//! within about two hours, metered so no area is over-patrolled; Koper 1995), routed over the
//! road network and explained; visits confirmed from the units' GPS alone; the officers' field
//! logs (stops, services, mediations, found property, hazards, cases solved); and the figures.
//!
//! # Shape
//! - `domain/`: the planner and its quality, the dwell rule, field logs, the spot selection
//!   (Gi* hot cells, key places), the records; pure.
//! - `store/`: the only SQL of the capability.
//! - `service/`: the use cases (plans, the field side, dwell, figures) returning
//!   [`error::PatrolsError`]; each change writes its ledger entry in its own transaction.
//! - `http/`: extract → use case → answer, and the route table; the one place `PatrolsError`
//!   becomes an `ApiError`.
//! - `tasks.rs`: following the positions on the stream, and the sweep of passed visits.
//!
//! It uses the command centre (units, positions, tracks, the road router, the incident
//! history) through that capability's services.

pub mod domain;
pub mod error;
pub mod http;
pub mod service;
pub mod store;
pub mod tasks;

pub use service::{PatrolsConfig, PatrolsState};

use pingan_server::capability::{Capability, PartsBuilder, RouteSpec, Shutdown, Task};
use pingan_server::AppState;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// The capability as the platform sees it.
#[derive(Debug, Clone, Default)]
pub struct PatrolsCapability {
    state: Arc<PatrolsState>,
}

impl PatrolsCapability {
    pub fn new(config: PatrolsConfig) -> Self {
        let state = PatrolsState::default();
        state.configure(config);
        Self {
            state: Arc::new(state),
        }
    }
}

#[async_trait::async_trait]
impl Capability for PatrolsCapability {
    fn name(&self) -> &'static str {
        "patrols"
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
        vec![
            (
                "patrols.follow_positions",
                Box::pin(tasks::follow_positions(state.clone(), shutdown.clone())),
            ),
            (
                "patrols.sweep_visits",
                Box::pin(tasks::sweep_visits(state.clone(), shutdown)),
            ),
        ]
    }
}

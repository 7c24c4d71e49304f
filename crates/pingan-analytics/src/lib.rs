//! Analytics (态势分析), one capability: the crime-analytics engine (`pingan-crimestat`) over
//! HTTP and the command line: kernel density (GeoJSON and PNG), Getis-Ord Gi*, the Knox
//! near-repeat test, time profiles and weekly trends, the prediction accuracy index and
//! serial-case linkage, on events posted with the request or on the store's incidents.
//!
//! # Shape
//! - `domain/`: the request checked into the engine's input, each method's parameters and run,
//!   GeoJSON cells and the PNG density image; pure, and what `pingan analyze` calls.
//! - `service/`: the analysis use case (incidents read and audited, the cache, the run on the
//!   blocking pool with a bounded number at once).
//! - `http/`: the endpoints, their route table and the mapping of [`AnalyticsError`].
//!
//! # What it does not do
//! Answers are aggregates: cells, tables, weeks, and case ids with scores. It reads no caller's
//! contact and profiles nobody.

pub mod domain;
pub mod error;
pub mod http;
pub mod service;

pub use error::AnalyticsError;

use pingan_server::capability::{Capability, RouteSpec};
use pingan_server::AppState;
use utoipa_axum::router::OpenApiRouter;

/// The capability as the platform sees it (it keeps no state of its own beyond the cache).
#[derive(Debug, Clone, Default)]
pub struct AnalyticsCapability;

impl Capability for AnalyticsCapability {
    fn name(&self) -> &'static str {
        "analytics"
    }

    fn routes(&self) -> OpenApiRouter<AppState> {
        http::router()
    }

    fn route_table(&self) -> &'static [RouteSpec] {
        http::ROUTES
    }
}

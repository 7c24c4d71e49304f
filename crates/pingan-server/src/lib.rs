//! pingan's platform server: the HTTP front that names no capability of its own.
//!
//! The [`capability::Capability`] trait and the assembly of routes, route tables, tasks and
//! device messages from the binary's list of capabilities; authentication and the access guard;
//! the audit helper; the live event stream; problem responses; health and metrics; the OpenAPI
//! base; and the embedded web UI. Every capability lives in a crate of its own.
//!
//! # Layering
//! Handlers extract (caller, path, body), check the permission, call the store or an engine,
//! write the audit entry, and map the result to a DTO — nothing more. Status codes are chosen
//! in one place, [`error::ApiError`]. This crate never writes SQL (it calls the store's ports)
//! and never touches MQTT framing (`pingan-ingest` hands it decoded device messages).

pub mod auth;
pub mod capability;
pub mod error;
pub mod extract;
pub mod geography;
pub mod hub;
pub mod ingest;
pub mod limiter;
pub mod metrics;
pub mod openapi;
pub mod refusals;
pub mod routes;
pub mod schema;
mod stream;
mod web;

use crate::capability::{Capability, Parts, PartsBuilder, RouteSpec};
use crate::error::ApiError;
use crate::hub::EventHub;
use crate::limiter::LoginLimiter;
use crate::metrics::Metrics;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::Router;
use pingan_core::audit::{AuditEntry, NewAuditEntry};
use pingan_core::event::StreamEvent;
use pingan_core::ports::AuditStore;
use pingan_core::{StoreError, Timestamp};
use pingan_db::Store;
use pingan_spatial::geography::Geography;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

/// Request bodies above this are refused with 413 (geography imports have their own limit).
pub const BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;
/// The limit for geography imports.
pub const GEOGRAPHY_LIMIT_BYTES: usize = 64 * 1024 * 1024;

/// The server's validated settings (the binary builds them from its configuration).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// How long a sign-in lasts.
    pub session_ttl: Duration,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    /// Failed sign-ins allowed per account and per address within `login_window`.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// The district's time zone for display (IANA name).
    pub time_zone: String,
    /// Serve the web UI from this folder instead of the embedded copy (UI development).
    pub web_dir: Option<std::path::PathBuf>,
    /// The guided tour `pingan demo` provides (`GET /demo/tour`); None outside the demo.
    pub demo_tour: Option<serde_json::Value>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            session_ttl: Duration::from_secs(12 * 3600),
            cookie_secure: false,
            login_max_failures: 5,
            login_window: Duration::from_secs(15 * 60),
            time_zone: "Asia/Shanghai".into(),
            web_dir: None,
            demo_tour: None,
        }
    }
}

/// Shared state of every handler; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub hub: EventHub,
    pub geography: Arc<RwLock<Arc<Geography>>>,
    pub limiter: Arc<LoginLimiter>,
    /// Repeated refusals, counted instead of written one row each.
    pub refusals: Arc<refusals::Refusals>,
    pub metrics: Arc<Metrics>,
    /// Other parts' metrics (the MQTT runtime's counters), rendered with ours.
    pub metric_sources: Arc<RwLock<Vec<Arc<dyn MetricSource>>>>,
    /// The capabilities' shared state, one value per type (see [`AppState::part`]).
    pub parts: Parts,
    /// The binary's list of capabilities, in their declared order.
    pub capabilities: Arc<[Arc<dyn Capability>]>,
}

impl AppState {
    pub fn new(
        store: Store,
        config: ServerConfig,
        hub: EventHub,
        geography: Geography,
        capabilities: Vec<Arc<dyn Capability>>,
    ) -> Self {
        let mut parts = PartsBuilder::default();
        for c in &capabilities {
            c.install(&mut parts);
        }
        Self {
            limiter: Arc::new(LoginLimiter::new(
                config.login_max_failures,
                config.login_window,
            )),
            refusals: Arc::new(refusals::Refusals::new(REFUSAL_WINDOW)),
            store,
            config: Arc::new(config),
            hub,
            geography: Arc::new(RwLock::new(Arc::new(geography))),
            metrics: Arc::new(Metrics::default()),
            metric_sources: Arc::new(RwLock::new(Vec::new())),
            parts: parts.build(),
            capabilities: capabilities.into(),
        }
    }

    /// A capability's shared state; unavailable when that capability is not installed.
    pub fn part<T: Send + Sync + 'static>(&self) -> Result<Arc<T>, ApiError> {
        self.parts.get::<T>().ok_or_else(|| {
            ApiError::Unavailable(format!(
                "{} is not part of this server",
                std::any::type_name::<T>()
            ))
        })
    }

    /// Every route the server serves with its access rule: the platform's, then each
    /// capability's.
    pub fn route_table(&self) -> Vec<RouteSpec> {
        let mut all = routes::ROUTES.to_vec();
        for c in self.capabilities.iter() {
            all.extend_from_slice(c.route_table());
        }
        all
    }

    /// The current time. The one place the server reads the clock.
    pub fn now(&self) -> Timestamp {
        Timestamp::from_datetime(chrono::Utc::now())
    }

    /// The geography in force (swapped whole on import).
    pub fn geography(&self) -> Arc<Geography> {
        self.geography
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_geography(&self, g: Geography) {
        *self.geography.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(g);
    }

    /// Writes audit entries; an access whose audit entry cannot be written fails.
    pub async fn audit(&self, entries: Vec<NewAuditEntry>) -> Result<Vec<AuditEntry>, StoreError> {
        let n = entries.len() as u64;
        let stored = self.store.append_audit(entries).await?;
        self.metrics.audit_entries.fetch_add(n, Ordering::Relaxed);
        Ok(stored)
    }

    /// Writes a refusal from `source` (a client address) the flood-bounded way: the first of a
    /// window in full, the rest counted into one entry (see [`refusals`]).
    pub async fn audit_refusal(
        &self,
        source: &str,
        entry: NewAuditEntry,
    ) -> Result<(), StoreError> {
        let entries = self.refusals.note(source, entry);
        if !entries.is_empty() {
            self.audit(entries).await?;
        }
        Ok(())
    }

    /// Writes the counted entries of refusal windows that have passed (all when `all`, at
    /// shutdown).
    pub async fn flush_refusals(&self, all: bool) -> Result<(), StoreError> {
        let entries = self.refusals.flush(self.now(), all);
        if !entries.is_empty() {
            self.audit(entries).await?;
        }
        Ok(())
    }

    /// Counts ledger entries that a store wrote in the same transaction as their change.
    pub fn count_audit(&self, n: usize) {
        self.metrics
            .audit_entries
            .fetch_add(n as u64, Ordering::Relaxed);
    }

    pub async fn publish(&self, event: StreamEvent) {
        self.metrics.stream_events.fetch_add(1, Ordering::Relaxed);
        self.hub.publish(event).await;
    }
}

/// A part of the process that has metrics of its own: `(name, help, kind, value)` rows.
pub trait MetricSource: Send + Sync + std::fmt::Debug {
    fn metrics(&self) -> Vec<(&'static str, &'static str, &'static str, u64)>;
}

/// How long repeated refusals from one source are counted into one ledger entry.
pub const REFUSAL_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// Request ids: a per-process random prefix and a counter, short and unique enough to find a
/// request in the logs.
#[derive(Clone, Debug)]
struct RequestIds {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n:x}", self.prefix)
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

/// The whole application: API under `/api/v1`, health and metrics at the root, the web UI at `/`.
pub fn router(state: AppState) -> Router {
    let mut api = routes::api_router();
    for c in state.capabilities.iter() {
        api = api.merge(c.routes());
    }
    let (api, mut openapi) = api.split_for_parts();
    openapi::complete(&mut openapi);
    let openapi = Arc::new(openapi);
    let header = HeaderName::from_static("x-request-id");
    let ids = RequestIds {
        prefix: auth::new_id("").chars().take(6).collect::<String>().into(),
        next: Arc::new(AtomicU64::new(1)),
    };
    let metrics = state.metrics.clone();
    Router::new()
        .nest("/api/v1", api.merge(openapi::router(openapi)))
        .merge(routes::health::router())
        .merge(web::router())
        .fallback(web::fallback)
        .with_state(state)
        .layer(axum::middleware::from_fn(move |req, next: axum::middleware::Next| {
            let metrics = metrics.clone();
            async move {
                let resp = next.run(req).await;
                metrics.count_status(resp.status().as_u16());
                resp
            }
        }))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(header, ids))
        .layer(axum::middleware::from_fn(auth::take_client_request_id))
}

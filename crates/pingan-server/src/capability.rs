//! The platform's side of a capability: what a capability crate gives the server (routes with
//! their access rules, its in-memory state, start-up loading, background tasks, device
//! messages, facts for `/meta`), and the type map that holds each capability's state.
//!
//! The platform names no capability. The binary holds the one list of capabilities and hands
//! it to [`crate::AppState::new`]; the router, the route table, the MQTT handler and the
//! background tasks are assembled from that list. A capability reaches its own state with
//! [`crate::AppState::part`] (or the [`Part`] extractor) and another capability only through
//! that capability's service, downward in the declared order (see ARCHITECTURE.md).

use crate::error::ApiError;
use crate::AppState;
use async_trait::async_trait;
use axum::extract::FromRequestParts;
use axum::http::request::Parts as RequestParts;
use pingan_core::access::Permission;
use pingan_core::account::Device;
use pingan_core::purpose::StatedPurpose;
use pingan_core::StoreError;
use pingan_ingest::{HandlerError, Stream};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person.
    SignedIn,
    /// A signed-in person whose role holds the permission.
    Permission(Permission),
    /// A device, with its own key.
    Device,
}

/// One route: method, a concrete example path (ids filled in), and its access rule.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// A [`RouteSpec`] in one line, for route tables.
pub const fn route(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
    }
}

/// A background job: it runs until the shutdown signal turns true.
pub type Task = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The shutdown signal every background task takes (true once the process stops).
pub type Shutdown = tokio::sync::watch::Receiver<bool>;

/// A failure while a capability loads its state at start.
pub type LoadError = Box<dyn std::error::Error + Send + Sync>;

/// One capability as the platform sees it. Every method but [`Capability::name`] and
/// [`Capability::routes`] has a default that does nothing.
#[async_trait]
pub trait Capability: Send + Sync + Debug + 'static {
    /// The capability's one noun: crate, module, web folder, doc, audit prefix, stream topic.
    fn name(&self) -> &'static str;

    /// Puts the capability's shared state into the app's parts (called once, before anything
    /// else, when the app state is built).
    fn install(&self, _parts: &mut PartsBuilder) {}

    /// Its routes under `/api/v1`, with their OpenAPI description.
    fn routes(&self) -> OpenApiRouter<AppState>;

    /// Every route it serves with the access rule it enforces (the route × role test walks
    /// the table of every capability and fails on a route served but not listed).
    fn route_table(&self) -> &'static [RouteSpec];

    /// Loads its in-memory state from the store (called once at start, before serving).
    async fn load(&self, _state: &AppState) -> Result<(), LoadError> {
        Ok(())
    }

    /// Its background jobs; the binary spawns them.
    fn tasks(&self, _state: &AppState, _shutdown: Shutdown) -> Vec<(&'static str, Task)> {
        Vec::new()
    }

    /// The device streams it handles (MQTT); each stream has at most one capability.
    fn streams(&self) -> &'static [Stream] {
        &[]
    }

    /// Handles one device message of a stream listed in [`Capability::streams`]. The device
    /// is registered, enabled and of the topic's kind.
    async fn on_device_message(
        &self,
        _state: &AppState,
        _device: &Device,
        stream: Stream,
        _payload: &[u8],
    ) -> Result<(), HandlerError> {
        Err(HandlerError::rejected(format!(
            "{} does not handle {stream:?} messages",
            self.name()
        )))
    }

    /// Facts the page needs at sign-in (`GET /meta`), by key.
    fn meta(&self, _state: &AppState) -> Vec<(&'static str, serde_json::Value)> {
        Vec::new()
    }

    /// Called for every heartbeat of a device (HTTP or MQTT) after the device was touched;
    /// `cameras` are those a video platform vouches for.
    async fn on_heartbeat(
        &self,
        _state: &AppState,
        _device: &Device,
        _at: pingan_core::Timestamp,
        _cameras: Option<&[String]>,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// Checks a stated purpose's reference against this capability's records (an incident, a
    /// case): `Some(reason)` refuses it (the reference is of this capability's kind and names
    /// nothing on record), `None` lets it pass as far as this capability is concerned.
    async fn refuse_reference(
        &self,
        _state: &AppState,
        _purpose: &StatedPurpose,
    ) -> Result<Option<String>, StoreError> {
        Ok(None)
    }
}

/// The capabilities' shared state, one value per type, fixed once the app state is built.
#[derive(Clone, Default)]
pub struct Parts {
    map: Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parts")
            .field("count", &self.map.len())
            .finish()
    }
}

impl Parts {
    /// The part of type `T`, if a capability installed one.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.map
            .get(&TypeId::of::<T>())
            .cloned()
            .and_then(|a| a.downcast::<T>().ok())
    }
}

/// Collects the parts while the app state is built.
#[derive(Default)]
pub struct PartsBuilder {
    map: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl Debug for PartsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartsBuilder")
            .field("count", &self.map.len())
            .finish()
    }
}

impl PartsBuilder {
    /// Installs `value` as the part of its type (a second one of the same type replaces it).
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: Arc<T>) {
        self.map.insert(TypeId::of::<T>(), value);
    }

    pub fn build(self) -> Parts {
        Parts {
            map: Arc::new(self.map),
        }
    }
}

/// A capability's state as an extractor: `Part(plates): Part<Plates>`.
#[derive(Debug, Clone)]
pub struct Part<T>(pub Arc<T>);

impl<T: Send + Sync + 'static> FromRequestParts<AppState> for Part<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        _parts: &mut RequestParts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        state.part::<T>().map(Part)
    }
}

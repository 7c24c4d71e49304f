//! A test app: the server's state and router on a fresh database (a real SQLite file or a
//! database of the shared temporary PostgreSQL) with the capabilities a test binary installs,
//! signed-in clients per role, request helpers, the server on a port and its WebSocket stream.
//!
//! Each test binary has a `support` module with `app(db)` (and `app_with_config`) that calls
//! [`TestApp::with`] with its capabilities; [`both!`](crate::both) runs a body on both backends
//! through it.

use crate::services::{service_or_skip, TempPostgres};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use futures::StreamExt;
use http_body_util::BodyExt;
use pingan_core::access::Role;
use pingan_core::ids::UserId;
use pingan_core::ports::{AccountStore, NewUser};
use pingan_db::{DatabaseUrl, Store};
use pingan_server::capability::Capability;
use pingan_server::hub::EventHub;
use pingan_server::{AppState, ServerConfig};
use pingan_spatial::geography::Geography;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("backend", &self.state.store.backend())
            .finish_non_exhaustive()
    }
}

/// Runs an async test body on both backends: `both!(name, |app| async move { … })`. The test
/// binary's `support::app(db)` builds the app (with that binary's capabilities).
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let app = $crate::support_app!(Sqlite).expect("sqlite app");
                ($body)(app).await;
            }
            #[tokio::test]
            async fn postgres() {
                let Some(app) = $crate::support_app!(Postgres) else {
                    return;
                };
                ($body)(app).await;
            }
        }
    };
}

/// The calling test binary's app on a backend (used by [`both!`](crate::both)).
#[doc(hidden)]
#[macro_export]
#[allow(
    clippy::crate_in_macro_def,
    reason = "the app comes from the calling test binary's own `support` module"
)]
macro_rules! support_app {
    ($db:ident) => {
        crate::support::app($crate::app::Db::$db).await
    };
}

impl TestApp {
    /// A fresh app with `capabilities` installed and loaded; `None` only when PostgreSQL is
    /// missing and the run allows skipping.
    pub async fn with(
        db: Db,
        config: ServerConfig,
        capabilities: Vec<Arc<dyn Capability>>,
    ) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match db {
            Db::Sqlite => DatabaseUrl::sqlite_file(&dir.path().join("pingan.db")),
            Db::Postgres => {
                let pg = service_or_skip(TempPostgres::shared())?;
                let url = pg.fresh_database().expect("database");
                DatabaseUrl::parse(&url).expect("url")
            }
        };
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let (_tx, rx) = tokio::sync::watch::channel(false);
        // The sender is leaked so the hub's listener lives as long as the test.
        std::mem::forget(_tx);
        let hub = EventHub::for_store(&store, rx).await.expect("hub");
        let state = AppState::new(
            store,
            config,
            hub,
            Geography::build(Vec::new()),
            capabilities,
        );
        for c in state.capabilities.iter() {
            c.load(&state).await.expect("load a capability");
        }
        let router = pingan_server::router(state.clone());
        Some(Self {
            state,
            router,
            _dir: dir,
        })
    }

    /// Creates an account directly in the store (with the test password).
    pub async fn create_user(&self, username: &str, role: Role) {
        let hash = pingan_server::auth::hash_password(PASSWORD.into())
            .await
            .expect("hash");
        let entry =
            pingan_core::audit::AuditBuilder::new(self.state.now(), "testkit", None, "user.create")
                .object("user", Some(username))
                .build();
        self.state
            .store
            .create_user(
                &NewUser {
                    id: UserId(format!("u-{username}")),
                    username: username.into(),
                    display_name: username.into(),
                    role,
                    agency: (role == Role::AgencyDesk).then(|| "traffic_police".into()),
                    password_hash: hash,
                    created_at: self.state.now(),
                },
                vec![entry],
            )
            .await
            .expect("create user");
    }

    /// Signs in as a new account of `role` and returns its bearer token.
    pub async fn token(&self, role: Role) -> String {
        let username = format!("{}-{}", role.as_str().replace('_', "-"), rand_suffix());
        self.create_user(&username, role).await;
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"username": username, "password": PASSWORD, "mode": "bearer"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Sends a JSON request (bearer auth when `token` is given) and returns status and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        self.send(req).await
    }

    /// Sends a raw request.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = self.router.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    /// Sends a raw request and returns the whole response (headers too).
    pub async fn send_raw(&self, req: Request<Body>) -> axum::response::Response {
        self.router.clone().oneshot(req).await.expect("response")
    }
}

pub fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{}", N.fetch_add(1, Ordering::Relaxed))
}

/// Serves the app on a free port of 127.0.0.1 (for WebSocket and real-socket tests).
pub async fn serve(app: &TestApp) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// Opens the event stream as the bearer of `token`.
pub async fn connect(
    addr: std::net::SocketAddr,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut req = format!("ws://{addr}/api/v1/stream")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws
}

/// The next text message of the stream as JSON (at most 10 s away).
pub async fn next_json(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> serde_json::Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("an event within 10 s")
            .expect("open stream")
            .expect("message");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// A small district: one town of two grids and one road through it.
pub fn sample_geojson() -> serde_json::Value {
    serde_json::json!({
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"kind": "district", "id": "d1", "name": "示范区", "name_en": "Demo District"},
             "geometry": {"type": "Polygon", "coordinates": [[[118.80,34.90],[119.00,34.90],[119.00,35.10],[118.80,35.10],[118.80,34.90]]]}},
            {"type": "Feature", "properties": {"kind": "town", "id": "t-zg", "name": "壮岗镇", "name_en": "Zhuanggang", "parent": "d1"},
             "geometry": {"type": "Polygon", "coordinates": [[[118.80,34.90],[119.00,34.90],[119.00,35.10],[118.80,35.10],[118.80,34.90]]]}},
            {"type": "Feature", "properties": {"kind": "grid", "id": "g-001", "name": "网格一", "parent": "t-zg"},
             "geometry": {"type": "Polygon", "coordinates": [[[118.80,34.90],[118.90,34.90],[118.90,35.10],[118.80,35.10],[118.80,34.90]]]}},
            {"type": "Feature", "properties": {"kind": "grid", "id": "g-002", "name": "网格二", "parent": "t-zg"},
             "geometry": {"type": "Polygon", "coordinates": [[[118.90,34.90],[119.00,34.90],[119.00,35.10],[118.90,35.10],[118.90,34.90]]]}},
            {"type": "Feature", "properties": {"kind": "road", "id": "r-bt", "name": "板团路", "name_en": "Bantuan Road", "road_class": "county"},
             "geometry": {"type": "LineString", "coordinates": [[118.80,35.00],[119.00,35.00]]}}
        ]
    })
}

//! A server state on a fresh database, signed-in clients per role, and request helpers.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use pingan_core::access::Role;
use pingan_core::ids::UserId;
use pingan_core::ports::{AccountStore, NewUser};
use pingan_server::hub::EventHub;
use pingan_server::{AppState, ServerConfig};
use pingan_spatial::geography::Geography;
use pingan_store::{DatabaseUrl, Store};
use pingan_testkit::services::{service_or_skip, TempPostgres};
use serde_json::Value;
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

/// Runs an async test body on both backends: `both!(name, |app| async move { … })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let app = $crate::support::TestApp::new($crate::support::Db::Sqlite)
                    .await
                    .expect("sqlite app");
                ($body)(app).await;
            }
            #[tokio::test]
            async fn postgres() {
                let Some(app) = $crate::support::TestApp::new($crate::support::Db::Postgres).await
                else {
                    return;
                };
                ($body)(app).await;
            }
        }
    };
}

impl TestApp {
    /// A fresh app; `None` only when PostgreSQL is missing and the run allows skipping.
    pub async fn new(db: Db) -> Option<Self> {
        Self::with_config(db, ServerConfig::default()).await
    }

    pub async fn with_config(db: Db, config: ServerConfig) -> Option<Self> {
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
        let state = AppState::new(store, config, hub, Geography::build(Vec::new()));
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
        self.state
            .store
            .create_user(&NewUser {
                id: UserId(format!("u-{username}")),
                username: username.into(),
                display_name: username.into(),
                role,
                agency: (role == Role::AgencyDesk).then(|| "traffic_police".into()),
                password_hash: hash,
                created_at: self.state.now(),
            })
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

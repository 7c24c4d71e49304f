//! This binary's test app: the testkit's, with analytics installed.

use pingan_analytics::AnalyticsCapability;
use pingan_server::capability::Capability;
use pingan_server::ServerConfig;
pub use pingan_testkit::app::*;
use std::sync::Arc;

/// A fresh app; `None` only when PostgreSQL is missing and the run allows skipping.
pub async fn app(db: Db) -> Option<TestApp> {
    let caps: Vec<Arc<dyn Capability>> = vec![Arc::new(AnalyticsCapability)];
    TestApp::with(db, ServerConfig::default(), caps).await
}

/// POSTs `body` to `/api/v1/analytics/{path}` with a bearer token.
pub async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> (axum::http::StatusCode, serde_json::Value) {
    app.call(
        axum::http::Method::POST,
        &format!("/api/v1/analytics/{path}"),
        Some(token),
        Some(body),
    )
    .await
}

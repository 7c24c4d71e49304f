//! This binary's test app: the testkit's, with the video network installed.

use pingan_server::capability::Capability;
use pingan_server::ServerConfig;
pub use pingan_testkit::app::*;
use pingan_video::VideoCapability;
use std::sync::Arc;

/// A fresh app; `None` only when PostgreSQL is missing and the run allows skipping.
pub async fn app(db: Db) -> Option<TestApp> {
    let caps: Vec<Arc<dyn Capability>> = vec![Arc::new(VideoCapability::default())];
    TestApp::with(db, ServerConfig::default(), caps).await
}

//! The server's test app: the testkit's, with the capabilities the binary serves installed (the
//! route × role test walks every route).

use pingan_server::capability::Capability;
use pingan_server::ServerConfig;
pub use pingan_testkit::app::*;
use std::sync::Arc;

/// The capabilities these tests install.
pub fn capabilities() -> Vec<Arc<dyn Capability>> {
    vec![
        Arc::new(pingan_analytics::AnalyticsCapability),
        Arc::new(pingan_command::CommandCapability::default()),
        Arc::new(pingan_plates::PlatesCapability::default()),
        Arc::new(pingan_video::VideoCapability::default()),
    ]
}

/// A fresh app; `None` only when PostgreSQL is missing and the run allows skipping.
pub async fn app(db: Db) -> Option<TestApp> {
    app_with_config(db, ServerConfig::default()).await
}

pub async fn app_with_config(db: Db, config: ServerConfig) -> Option<TestApp> {
    TestApp::with(db, config, capabilities()).await
}

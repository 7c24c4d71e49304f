//! This binary's test app: the testkit's, with the command centre and the video network it
//! calls (the cameras that see an incident, the checkpoints near it) installed.

use pingan_command::CommandCapability;
use pingan_server::capability::Capability;
use pingan_server::ServerConfig;
pub use pingan_testkit::app::*;
use std::sync::Arc;

/// A fresh app; `None` only when PostgreSQL is missing and the run allows skipping.
pub async fn app(db: Db) -> Option<TestApp> {
    app_with_config(db, ServerConfig::default()).await
}

pub async fn app_with_config(db: Db, config: ServerConfig) -> Option<TestApp> {
    let caps: Vec<Arc<dyn Capability>> = vec![
        Arc::new(CommandCapability::default()),
        Arc::new(pingan_video::VideoCapability::default()),
    ];
    TestApp::with(db, config, caps).await
}

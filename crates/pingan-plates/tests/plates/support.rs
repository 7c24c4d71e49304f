//! This binary's test app: the testkit's, with plate reads installed.

use pingan_plates::{Plates, PlatesCapability};
use pingan_server::capability::Capability;
use pingan_server::ServerConfig;
pub use pingan_testkit::app::*;
use std::sync::Arc;

/// A fresh app; `None` only when PostgreSQL is missing and the run allows skipping.
pub async fn app(db: Db) -> Option<TestApp> {
    let caps: Vec<Arc<dyn Capability>> = vec![Arc::new(PlatesCapability::default())];
    TestApp::with(db, ServerConfig::default(), caps).await
}

/// The plate-read service of an app.
pub fn plates(app: &TestApp) -> Arc<Plates> {
    app.state.part::<Plates>().expect("plates installed")
}

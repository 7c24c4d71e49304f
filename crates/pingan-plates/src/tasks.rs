//! Background jobs of plate reads: retention, hourly by default. Each takes the platform's
//! shutdown signal and ends when it turns.

use crate::service::Plates;
use pingan_server::capability::Shutdown;
use pingan_server::AppState;
use std::sync::Arc;

/// Removes reads older than the retention period from the store, then from the index, every
/// `retention_every` (the first pass at start).
pub async fn retention(plates: Arc<Plates>, state: AppState, mut shutdown: Shutdown) {
    let every = plates.config().retention_every;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = tick.tick() => {
                if let Err(e) = plates.run_retention(&state).await {
                    tracing::error!(error = %e, "plate-read retention failed");
                }
            }
        }
    }
}

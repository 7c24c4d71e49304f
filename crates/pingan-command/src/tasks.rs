//! Background jobs of the command centre: old track points are purged hourly. Each takes the
//! platform's shutdown signal and ends when it turns.

use pingan_server::capability::Shutdown;
use pingan_server::AppState;
use std::time::Duration;

/// Removes track points older than `position_retention_s`, hourly (the first pass at start).
pub async fn purge_positions(state: AppState, mut shutdown: Shutdown) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = tick.tick() => {
                match crate::service::positions::purge_positions(&state).await {
                    Ok(n) if n > 0 => tracing::info!(positions = n, "old unit positions removed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not purge old unit positions"),
                }
            }
        }
    }
}

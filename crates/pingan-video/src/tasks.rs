//! The video network's background job: the offline sweep, once per heartbeat interval, until
//! shutdown.

use pingan_server::AppState;

/// Runs [`crate::service::health::sweep_offline`] once per heartbeat interval until `shutdown` turns true. The capability
/// lists it among its tasks.
pub async fn run_health_sweep(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        let every = crate::service::video(&state)
            .health_settings()
            .interval_s
            .max(1);
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(every.unsigned_abs())) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = crate::service::health::sweep_offline(&state, state.now()).await {
            tracing::warn!(error = %e, "health sweep failed; retrying next interval");
        }
    }
}

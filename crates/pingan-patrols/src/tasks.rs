//! The patrol programme's background jobs: following the units' positions on the stream to
//! confirm visits as fixes arrive, and the sweep that gives passed visits their final verdict.

use crate::service::dwell;
use pingan_core::Timestamp;
use pingan_server::capability::Shutdown;
use pingan_server::AppState;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How often passed visits are given their verdict.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// The unit and fix time of a `unit.position` event, if it is one.
fn position_of(event: &pingan_core::event::StreamEvent) -> Option<(String, Timestamp)> {
    if event.kind != "unit.position" {
        return None;
    }
    let id = event.data.get("id")?.as_str()?.to_owned();
    let at = event.data.get("last_fix")?.get("at")?.as_i64()?;
    Some((id, Timestamp::from_micros(at)))
}

/// Follows `unit.position` on the stream: the unit's visits around the fix are worked out
/// again. When the stream lags (events dropped), the sweep still gives every visit its verdict
/// from the stored track.
pub async fn follow_positions(state: AppState, mut shutdown: Shutdown) {
    let mut events = state.hub.subscribe();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            got = events.recv() => match got {
                Ok(event) => {
                    if let Some((unit, at)) = position_of(&event) {
                        if let Err(e) = dwell::on_position(&state, &unit, at).await {
                            tracing::warn!(error = %e, unit, "could not update the unit's visits");
                        }
                    }
                }
                Err(RecvError::Lagged(n)) => tracing::warn!(n, "patrol visits lagged behind the stream"),
                Err(RecvError::Closed) => return,
            }
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// Gives visits whose window has passed their final verdict, once a minute.
pub async fn sweep_visits(state: AppState, mut shutdown: Shutdown) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tick.tick() => {
                if let Err(e) = dwell::sweep(&state).await {
                    tracing::warn!(error = %e, "could not give passed visits their verdict");
                }
            }
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

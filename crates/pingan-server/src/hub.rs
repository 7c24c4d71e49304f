//! The event hub behind `/api/v1/stream`.
//!
//! Publishers call [`EventHub::publish`]. On SQLite (one process) the event goes straight to a
//! broadcast channel. On PostgreSQL it goes out through NOTIFY and comes back through LISTEN to
//! every pingan process on the database, this one included, so all of them deliver the same
//! events in the same order; the local channel is fed only by the listener.

use pingan_core::event::StreamEvent;
use pingan_db::Store;
use std::sync::Arc;
use tokio::sync::broadcast;

/// The PostgreSQL channel events travel on.
pub const CHANNEL: &str = "pingan_events";

/// Events kept for slow subscribers before they are told they lagged.
const CAPACITY: usize = 4096;

#[derive(Debug, Clone)]
pub struct EventHub {
    tx: broadcast::Sender<Arc<StreamEvent>>,
    store: Option<Store>,
}

impl EventHub {
    /// A hub delivering within this process only.
    pub fn local() -> Self {
        let (tx, _) = broadcast::channel(CAPACITY);
        Self { tx, store: None }
    }

    /// A hub sharing events through the database when the backend allows it. Spawns the
    /// listener task on PostgreSQL; it reconnects on its own and stops with `shutdown`.
    pub async fn for_store(
        store: &Store,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Result<Self, pingan_db::ConnectError> {
        if !store.shares_events() {
            return Ok(Self::local());
        }
        let (tx, _) = broadcast::channel(CAPACITY);
        let mut listener = store.listen(CHANNEL).await?;
        let forward = tx.clone();
        let mut shutdown = shutdown;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = shutdown.changed() => break,
                    msg = listener.recv() => match msg {
                        Ok(payload) => match serde_json::from_str::<StreamEvent>(&payload) {
                            Ok(event) => {
                                let _ = forward.send(Arc::new(event));
                            }
                            Err(e) => tracing::warn!(error = %e, "ignoring a malformed event from the database"),
                        },
                        Err(e) => {
                            tracing::warn!(error = %e, "event listener lost its connection; retrying");
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        }
                    }
                }
            }
        });
        Ok(Self {
            tx,
            store: Some(store.clone()),
        })
    }

    /// Publishes an event to every subscriber allowed to see it. Failures are logged, never
    /// returned: the stream is a notification channel, and the state it announces is already
    /// committed and readable through the API.
    pub async fn publish(&self, event: StreamEvent) {
        match &self.store {
            Some(store) => match serde_json::to_string(&event) {
                Ok(payload) => {
                    if let Err(e) = store.notify(CHANNEL, &payload).await {
                        tracing::warn!(error = %e, kind = %event.kind, "could not publish an event");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not encode an event"),
            },
            None => {
                let _ = self.tx.send(Arc::new(event));
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StreamEvent>> {
        self.tx.subscribe()
    }
}

//! Cross-process events on PostgreSQL: NOTIFY to publish, LISTEN to receive.
//!
//! Every pingan process on one database listens on one channel; an event published by any of
//! them reaches all (including the publisher, which therefore delivers only what it hears, so
//! that every process sees one copy in one order). SQLite deployments are single-process and do
//! not use this.

use crate::error::{backend, ConnectError};
use crate::{Backend, Store};
use pingan_core::StoreError;
use sqlx::postgres::PgListener;

/// NOTIFY payloads must stay under 8,000 bytes; larger events are refused with a clear error.
pub const MAX_NOTIFY_BYTES: usize = 7_900;

/// A LISTEN connection on the events channel.
#[derive(Debug)]
pub struct PgEventListener {
    listener: PgListener,
}

impl PgEventListener {
    /// The next payload; reconnects on its own after a lost connection (events sent while
    /// disconnected are lost, which the stream's clients tolerate by re-reading state).
    pub async fn recv(&mut self) -> Result<String, StoreError> {
        let n = self
            .listener
            .recv()
            .await
            .map_err(backend("receive an event"))?;
        Ok(n.payload().to_owned())
    }
}

impl Store {
    /// Whether events must travel through the database (more than one process may serve).
    pub fn shares_events(&self) -> bool {
        self.backend() == Backend::Postgres
    }

    /// Publishes a payload to every listener on `channel` (PostgreSQL only).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), StoreError> {
        if payload.len() > MAX_NOTIFY_BYTES {
            return Err(StoreError::Corrupt(format!(
                "event of {} bytes exceeds the {MAX_NOTIFY_BYTES}-byte NOTIFY limit",
                payload.len()
            )));
        }
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(self.pool())
            .await
            .map_err(backend("publish an event"))?;
        Ok(())
    }

    /// Opens a LISTEN connection on `channel` (PostgreSQL only).
    pub async fn listen(&self, channel: &str) -> Result<PgEventListener, ConnectError> {
        let mut listener = PgListener::connect(self.url().as_str())
            .await
            .map_err(ConnectError::Listen)?;
        listener
            .listen(channel)
            .await
            .map_err(ConnectError::Listen)?;
        Ok(PgEventListener { listener })
    }
}

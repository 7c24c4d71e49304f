//! A small QoS 1 publisher for the demo, device simulators and tests.
//!
//! It is not what field devices run; it exists so that pingan's own tools can play a device
//! against a real broker. [`Publisher::flush`] waits until the broker acknowledged everything
//! published so far, which makes tests deterministic without sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, Packet, QoS};
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::{CancellationToken, DropGuard};
use tracing::debug;

use crate::config::MqttConfig;
use crate::runtime::IngestError;
use crate::topic::Topic;

/// Why a publish did not complete.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The value could not be serialised to JSON.
    #[error("could not encode the payload for `{topic}` as JSON")]
    Encode {
        topic: String,
        #[source]
        source: serde_json::Error,
    },
    /// The publisher's connection task has stopped.
    #[error("the publisher is closed")]
    Closed,
    /// The broker did not acknowledge everything in time; `last_error` says why, if known.
    #[error("{unacked} message(s) not acknowledged by the broker within {timeout:?} (last connection error: {last_error})")]
    NotAcknowledged {
        unacked: u64,
        timeout: Duration,
        last_error: String,
    },
}

/// A connected QoS 1 publisher. Dropping it stops its connection task.
#[derive(Debug)]
pub struct Publisher {
    client: AsyncClient,
    published: AtomicU64,
    acked: watch::Receiver<u64>,
    last_error: Arc<Mutex<Option<String>>>,
    _stop: DropGuard,
}

impl Publisher {
    /// Starts a connection to the broker described by `config` (its subscriptions and queue
    /// settings are ignored). Connecting happens in the background and retries on failure.
    pub fn connect(config: &MqttConfig) -> Result<Publisher, IngestError> {
        let mut options = crate::runtime::mqtt_options(config)?;
        // A publisher has no messages to keep at the broker.
        options.set_clean_session(true).set_manual_acks(false);
        let (client, mut eventloop) = AsyncClient::new(options, 1024);
        let (acked_tx, acked) = watch::channel(0u64);
        let last_error = Arc::new(Mutex::new(None));
        let stop = CancellationToken::new();
        let task_stop = stop.clone();
        let task_error = Arc::clone(&last_error);
        let (min, max) = (config.reconnect_min, config.reconnect_max);
        tokio::spawn(async move {
            let mut backoff = min;
            loop {
                let event = tokio::select! {
                    _ = task_stop.cancelled() => break,
                    event = eventloop.poll() => event,
                };
                match event {
                    Ok(Event::Incoming(Packet::PubAck(_))) => {
                        acked_tx.send_modify(|n| *n += 1);
                    }
                    Ok(Event::Incoming(Packet::ConnAck(_))) => backoff = min,
                    Ok(_) => {}
                    Err(e) => {
                        debug!(error = %e, "publisher connection error");
                        if let Ok(mut slot) = task_error.lock() {
                            *slot = Some(e.to_string());
                        }
                        tokio::select! {
                            _ = task_stop.cancelled() => break,
                            _ = tokio::time::sleep(backoff) => {}
                        }
                        backoff = (backoff * 2).min(max);
                    }
                }
            }
        });
        Ok(Publisher {
            client,
            published: AtomicU64::new(0),
            acked,
            last_error,
            _stop: stop.drop_guard(),
        })
    }

    /// Publishes `value` as JSON on a device topic with QoS 1.
    pub async fn publish_json<T: Serialize + ?Sized>(
        &self,
        topic: &Topic,
        value: &T,
    ) -> Result<(), PublishError> {
        let topic = topic.to_string();
        let payload = serde_json::to_vec(value).map_err(|source| PublishError::Encode {
            topic: topic.clone(),
            source,
        })?;
        self.publish_raw(&topic, payload).await
    }

    /// Publishes raw bytes on any topic with QoS 1 (tests use it for malformed topics).
    pub async fn publish_raw(&self, topic: &str, payload: Vec<u8>) -> Result<(), PublishError> {
        self.client
            .publish(topic, QoS::AtLeastOnce, false, payload)
            .await
            .map_err(|_| PublishError::Closed)?;
        self.published.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// Waits until the broker acknowledged every message published so far.
    pub async fn flush(&self, timeout: Duration) -> Result<(), PublishError> {
        let target = self.published.load(Ordering::SeqCst);
        let mut acked = self.acked.clone();
        let outcome = tokio::time::timeout(timeout, async {
            acked.wait_for(|n| *n >= target).await.map(|_| ())
        })
        .await;
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(PublishError::Closed),
            Err(_) => Err(PublishError::NotAcknowledged {
                unacked: target.saturating_sub(*self.acked.borrow()),
                timeout,
                last_error: self
                    .last_error
                    .lock()
                    .ok()
                    .and_then(|e| e.clone())
                    .unwrap_or_else(|| "none".to_owned()),
            }),
        }
    }
}

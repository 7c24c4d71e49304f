//! The subscriber: one event-loop task, a bounded queue, and a few handler workers.
//!
//! ```text
//! broker ──► event loop ──(bounded queue)──► workers ──► MessageHandler
//!                ▲                                 │
//!                └────────── PUBACK after handle ──┘
//! ```
//!
//! The event loop owns the connection: it reconnects with exponential backoff, re-subscribes
//! after every CONNACK, and pushes each PUBLISH into the queue. When the queue is full it stops
//! reading from the socket, so the broker (which also caps unacknowledged messages per client)
//! holds the rest: nothing is dropped and memory stays bounded. Workers acknowledge a message only
//! after the handler returned, so a crash between receipt and handling leaves the message with the
//! broker, which redelivers it to the next session with the same client id.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use rumqttc::{AsyncClient, ConnectionError, Event, EventLoop, MqttOptions, Packet, Publish, QoS};
use tokio::sync::{mpsc, Mutex};
use tokio::task::{JoinError, JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn, Instrument};

use crate::config::{valid_filter, MqttConfig};
use crate::metrics::IngestMetrics;
use crate::topic::{Topic, TopicError};

/// How many times a handler is called for one message when it keeps reporting
/// [`HandlerError::Transient`].
pub const MAX_ATTEMPTS: u32 = 3;

/// How long a shutdown waits for running handler calls before it gives up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// One message from a device, with its topic already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceMessage {
    /// Who sent it and on which stream.
    pub topic: Topic,
    /// The payload as published (JSON by convention; the handler decodes it).
    pub payload: Bytes,
    /// The broker's DUP flag: the broker delivered this message before without an acknowledgement.
    /// Handlers are idempotent anyway; the flag is for logs.
    pub redelivered: bool,
}

/// How a handler failed; the variant decides what the runtime does with the message.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The message can never succeed (bad payload, unknown or disabled device, kind mismatch).
    /// It is acknowledged and counted as failed at once.
    #[error("message rejected: {reason}")]
    Rejected { reason: String },
    /// A passing failure (database busy, connection lost). The call is repeated up to
    /// [`MAX_ATTEMPTS`] times with a short backoff; then the message is acknowledged and counted
    /// as failed.
    #[error("transient failure: {source}")]
    Transient {
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl HandlerError {
    /// A permanent rejection with a reason for the log.
    pub fn rejected(reason: impl Into<String>) -> HandlerError {
        HandlerError::Rejected {
            reason: reason.into(),
        }
    }

    /// A transient failure wrapping its cause.
    pub fn transient(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> HandlerError {
        HandlerError::Transient {
            source: source.into(),
        }
    }
}

/// Processes device messages. Implementations must be idempotent: the broker delivers at least
/// once, so the same message may arrive again after a reconnect or a crash.
#[async_trait]
pub trait MessageHandler: Send + Sync {
    /// Handles one message. Returning (with `Ok` or an error) lets the runtime acknowledge it.
    async fn handle(&self, msg: DeviceMessage) -> Result<(), HandlerError>;
}

/// Why the runtime could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The configuration cannot be used; `field` names the offending setting.
    #[error("invalid MQTT configuration `{field}`: {reason}")]
    InvalidConfig { field: &'static str, reason: String },
}

/// A running subscriber. Dropping it does not stop it: cancel the token given to
/// [`IngestRuntime::spawn`] and await [`IngestRuntime::join`].
#[derive(Debug)]
pub struct IngestRuntime {
    metrics: Arc<IngestMetrics>,
    task: JoinHandle<()>,
}

impl IngestRuntime {
    /// Connects to the broker in the background and feeds `handler` until `shutdown` is cancelled.
    ///
    /// On shutdown the runtime stops taking messages, lets running handler calls finish (up to
    /// ten seconds) and acknowledges them, then disconnects. Messages still queued are not
    /// acknowledged, so the broker keeps them for the next start.
    pub fn spawn(
        config: MqttConfig,
        handler: Arc<dyn MessageHandler>,
        shutdown: CancellationToken,
    ) -> Result<IngestRuntime, IngestError> {
        let options = mqtt_options(&config)?;
        let metrics = Arc::new(IngestMetrics::default());
        let span = tracing::info_span!("mqtt_ingest", client_id = %config.client_id, broker = %format_args!("{}:{}", config.host, config.port));
        let task = tokio::spawn(
            run(config, options, handler, shutdown, Arc::clone(&metrics)).instrument(span),
        );
        Ok(IngestRuntime { metrics, task })
    }

    /// The live counters, for `/metrics`.
    pub fn metrics(&self) -> &Arc<IngestMetrics> {
        &self.metrics
    }

    /// Waits until the runtime has stopped after its shutdown token was cancelled.
    pub async fn join(self) -> Result<(), JoinError> {
        self.task.await
    }

    /// Stops the runtime at once, as a crash would: nothing more is acknowledged.
    pub fn abort(&self) {
        self.task.abort();
    }
}

/// Validates the configuration into rumqttc options, so that rumqttc's own assertions never fire.
pub(crate) fn mqtt_options(config: &MqttConfig) -> Result<MqttOptions, IngestError> {
    let invalid = |field, reason: &str| IngestError::InvalidConfig {
        field,
        reason: reason.to_owned(),
    };
    if config.client_id.is_empty() {
        return Err(invalid("client_id", "must not be empty"));
    }
    if config.keep_alive < Duration::from_secs(1) {
        return Err(invalid("keep_alive", "must be at least one second"));
    }
    if config.queue_capacity == 0 || config.workers == 0 {
        return Err(invalid("queue/workers", "must be at least 1"));
    }
    if let Some(bad) = config.subscriptions.iter().find(|f| !valid_filter(f)) {
        return Err(invalid("sub", &format!("`{bad}` is not a topic filter")));
    }
    if config.reconnect_min.is_zero() || config.reconnect_max < config.reconnect_min {
        return Err(invalid(
            "reconnect",
            "need 0 < reconnect_min <= reconnect_max",
        ));
    }
    let mut options = MqttOptions::new(config.client_id.clone(), config.host.clone(), config.port);
    options
        .set_keep_alive(config.keep_alive)
        .set_clean_session(config.clean_session)
        .set_manual_acks(true)
        .set_max_packet_size(config.max_packet_size, config.max_packet_size);
    if let Some(c) = &config.credentials {
        options.set_credentials(c.username.clone(), c.password.clone());
    }
    Ok(options)
}

/// Capacity of rumqttc's request channel. It carries PUBACKs from the workers back to the event
/// loop; their number is bounded by the messages the broker lets be unacknowledged at once, so a
/// generous margin above queue and workers means a worker never waits on it for long.
fn request_capacity(config: &MqttConfig) -> usize {
    config.queue_capacity + config.workers + config.subscriptions.len() + 1024
}

#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
async fn run(
    config: MqttConfig,
    options: MqttOptions,
    handler: Arc<dyn MessageHandler>,
    shutdown: CancellationToken,
    metrics: Arc<IngestMetrics>,
) {
    let (client, mut eventloop) = AsyncClient::new(options, request_capacity(&config));
    let (queue_tx, queue_rx) = mpsc::channel::<Publish>(config.queue_capacity);
    let queue_rx = Arc::new(Mutex::new(queue_rx));
    // Workers stop on their own token so that the event loop can keep flushing their
    // acknowledgements while they finish.
    let stop_workers = shutdown.child_token();
    let mut workers = JoinSet::new();
    for _ in 0..config.workers {
        workers.spawn(
            worker(
                Arc::clone(&queue_rx),
                Arc::clone(&handler),
                client.clone(),
                Arc::clone(&metrics),
                stop_workers.clone(),
            )
            .in_current_span(),
        );
    }

    let mut backoff = config.reconnect_min;
    let mut connected_once = false;
    loop {
        let event = tokio::select! {
            _ = shutdown.cancelled() => break,
            event = eventloop.poll() => event,
        };
        match event {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                backoff = config.reconnect_min;
                metrics.connected.store(true, Ordering::Relaxed);
                if connected_once {
                    IngestMetrics::bump(&metrics.reconnects);
                    info!(
                        session_present = ack.session_present,
                        "reconnected to the MQTT broker"
                    );
                } else {
                    info!(
                        session_present = ack.session_present,
                        "connected to the MQTT broker"
                    );
                }
                connected_once = true;
                // Subscribing again is harmless when the broker kept the session, and required
                // when it did not (a restarted broker without persistence).
                let filters = config
                    .subscriptions
                    .iter()
                    .map(|f| rumqttc::SubscribeFilter::new(f.clone(), QoS::AtLeastOnce));
                if let Err(e) = client.try_subscribe_many(filters) {
                    error!(error = %e, "could not queue the subscription request");
                }
            }
            Ok(Event::Incoming(Packet::SubAck(ack))) => {
                let refused = ack
                    .return_codes
                    .iter()
                    .any(|c| matches!(c, rumqttc::SubscribeReasonCode::Failure));
                if refused {
                    error!(codes = ?ack.return_codes, "the broker refused a subscription; check its ACL for pingan's user");
                } else {
                    metrics.subscribed.store(true, Ordering::Relaxed);
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                IngestMetrics::bump(&metrics.received);
                // Waiting here is the back-pressure: while the queue is full nothing more is read
                // from the socket, so unacknowledged messages stay with the broker.
                tokio::select! {
                    sent = queue_tx.send(publish) => if sent.is_err() { break },
                    _ = shutdown.cancelled() => break,
                }
            }
            Ok(_) => {}
            Err(e) => {
                metrics.connected.store(false, Ordering::Relaxed);
                metrics.subscribed.store(false, Ordering::Relaxed);
                log_connection_error(&e, backoff);
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(config.reconnect_max);
            }
        }
    }

    metrics.subscribed.store(false, Ordering::Relaxed);
    drain_and_disconnect(&client, &mut eventloop, workers, &stop_workers).await;
    metrics.connected.store(false, Ordering::Relaxed);
    info!("MQTT ingest stopped");
}

fn log_connection_error(e: &ConnectionError, backoff: Duration) {
    match e {
        ConnectionError::ConnectionRefused(code) => {
            error!(code = ?code, retry_in = ?backoff, "the MQTT broker refused the connection");
        }
        other => warn!(error = %other, retry_in = ?backoff, "MQTT connection lost"),
    }
}

/// Lets running handler calls finish while the event loop keeps sending their PUBACKs, then
/// disconnects cleanly.
async fn drain_and_disconnect(
    client: &AsyncClient,
    eventloop: &mut EventLoop,
    mut workers: JoinSet<()>,
    stop_workers: &CancellationToken,
) {
    stop_workers.cancel();
    let drain = async {
        loop {
            tokio::select! {
                joined = workers.join_next() => if joined.is_none() { break },
                // New PUBLISH packets are left unacknowledged: the broker redelivers them later.
                event = eventloop.poll() => if event.is_err() { break },
            }
        }
    };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        warn!("handler calls still running at shutdown were abandoned; the broker will redeliver");
    }
    workers.abort_all();
    if client.try_disconnect().is_ok() {
        let flush = async {
            loop {
                match eventloop.poll().await {
                    Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), flush).await;
    }
}

async fn worker(
    queue: Arc<Mutex<mpsc::Receiver<Publish>>>,
    handler: Arc<dyn MessageHandler>,
    client: AsyncClient,
    metrics: Arc<IngestMetrics>,
    stop: CancellationToken,
) {
    loop {
        let next = tokio::select! {
            biased;
            _ = stop.cancelled() => return,
            next = async { queue.lock().await.recv().await } => next,
        };
        let Some(publish) = next else { return };
        process(&publish, handler.as_ref(), &metrics).await;
        // The acknowledgement goes out only now, after the handler returned.
        if let Err(e) = client.ack(&publish).await {
            debug!(error = %e, "could not queue PUBACK; the runtime is stopping");
            return;
        }
    }
}

async fn process(publish: &Publish, handler: &dyn MessageHandler, metrics: &IngestMetrics) {
    let topic = match Topic::parse(&publish.topic) {
        Ok(topic) => topic,
        Err(e) => {
            reject_topic(&publish.topic, &e, metrics);
            return;
        }
    };
    let message = DeviceMessage {
        topic,
        payload: publish.payload.clone(),
        redelivered: publish.dup,
    };
    let mut delay = Duration::from_millis(100);
    for attempt in 1..=MAX_ATTEMPTS {
        match handler.handle(message.clone()).await {
            Ok(()) => {
                IngestMetrics::bump(&metrics.handled);
                return;
            }
            Err(HandlerError::Transient { source }) if attempt < MAX_ATTEMPTS => {
                IngestMetrics::bump(&metrics.retries);
                warn!(topic = %publish.topic, attempt, error = %source, "handler failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 4;
            }
            Err(e) => {
                IngestMetrics::bump(&metrics.failed);
                warn!(topic = %publish.topic, attempt, error = %e, "message failed; acknowledged so that it does not loop");
                return;
            }
        }
    }
}

fn reject_topic(topic: &str, e: &TopicError, metrics: &IngestMetrics) {
    IngestMetrics::bump(&metrics.failed);
    warn!(topic = %topic.chars().take(96).collect::<String>(), error = %e, "message on a topic outside the layout; acknowledged and dropped");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_configs_are_refused_before_rumqttc_asserts() {
        let mut config = MqttConfig::new("127.0.0.1", 1883);
        assert!(mqtt_options(&config).is_ok());
        config.client_id.clear();
        assert!(matches!(
            mqtt_options(&config),
            Err(IngestError::InvalidConfig {
                field: "client_id",
                ..
            })
        ));
        let mut config = MqttConfig::new("127.0.0.1", 1883);
        config.keep_alive = Duration::from_millis(500);
        assert!(mqtt_options(&config).is_err());
        let mut config = MqttConfig::new("127.0.0.1", 1883);
        config.subscriptions = vec!["a/#/b".into()];
        assert!(mqtt_options(&config).is_err());
    }

    struct Flaky {
        failures_left: std::sync::atomic::AtomicU32,
        calls: std::sync::atomic::AtomicU32,
    }

    #[async_trait]
    impl MessageHandler for Flaky {
        async fn handle(&self, _msg: DeviceMessage) -> Result<(), HandlerError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self
                .failures_left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return Err(HandlerError::transient("database busy"));
            }
            Ok(())
        }
    }

    fn publish(topic: &str) -> Publish {
        Publish::new(topic, QoS::AtLeastOnce, b"{}".to_vec())
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_retried_then_given_up() {
        let metrics = IngestMetrics::default();
        let flaky = Flaky {
            failures_left: 2.into(),
            calls: 0.into(),
        };
        process(&publish("pingan/v1/unit/u1/position"), &flaky, &metrics).await;
        assert_eq!(flaky.calls.load(Ordering::SeqCst), 3);
        assert_eq!(metrics.snapshot().handled, 1);
        assert_eq!(metrics.snapshot().retries, 2);

        let hopeless = Flaky {
            failures_left: 100.into(),
            calls: 0.into(),
        };
        process(&publish("pingan/v1/unit/u1/position"), &hopeless, &metrics).await;
        assert_eq!(hopeless.calls.load(Ordering::SeqCst), MAX_ATTEMPTS);
        assert_eq!(metrics.snapshot().failed, 1);
    }

    #[tokio::test]
    async fn bad_topics_never_reach_the_handler() {
        let metrics = IngestMetrics::default();
        let handler = Flaky {
            failures_left: 0.into(),
            calls: 0.into(),
        };
        process(&publish("pingan/v1/drone/d1/position"), &handler, &metrics).await;
        assert_eq!(handler.calls.load(Ordering::SeqCst), 0);
        assert_eq!(metrics.snapshot().failed, 1);
    }
}

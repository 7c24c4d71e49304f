//! The ingest runtime against a real Mosquitto started by the test kit.
//!
//! Each test starts its own broker on a free loopback port, so the tests run in parallel. When
//! Mosquitto is missing they skip, unless `PINGAN_TEST_REQUIRE_SERVICES=1` or `CI=true`.
#![expect(
    clippy::unwrap_used,
    reason = "helpers outside #[test] functions fail the test on unexpected errors too"
)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use pingan_core::account::DeviceKind;
use pingan_core::ids::DeviceId;
use pingan_ingest::{
    CancellationToken, DeviceMessage, HandlerError, IngestCounters, IngestRuntime, MessageHandler,
    MqttConfig, PublishError, Publisher, Stream, Topic,
};
use pingan_testkit::services::{service_or_skip, MosquittoAuth, TempMosquitto};
use serde_json::json;
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(20);

/// Records every message it sees, keyed by the payload's `id` so that a redelivery changes
/// nothing, as a real handler must.
struct Recorder {
    seen: Mutex<Vec<DeviceMessage>>,
    stored: Mutex<BTreeSet<u64>>,
    calls: watch::Sender<usize>,
    delay: Duration,
    /// When set, the handler never returns: it plays a process that dies mid-message.
    hang: bool,
    running: AtomicUsize,
    max_running: AtomicUsize,
}

impl Recorder {
    fn new() -> Arc<Recorder> {
        Recorder::with(Duration::ZERO, false)
    }

    fn with(delay: Duration, hang: bool) -> Arc<Recorder> {
        Arc::new(Recorder {
            seen: Mutex::new(Vec::new()),
            stored: Mutex::new(BTreeSet::new()),
            calls: watch::channel(0).0,
            delay,
            hang,
            running: AtomicUsize::new(0),
            max_running: AtomicUsize::new(0),
        })
    }

    async fn wait_calls(&self, n: usize) {
        let mut rx = self.calls.subscribe();
        tokio::time::timeout(WAIT, rx.wait_for(|c| *c >= n))
            .await
            .unwrap_or_else(|_| panic!("handler not called {n} times in time"))
            .expect("recorder alive");
    }

    fn stored(&self) -> Vec<u64> {
        self.stored.lock().unwrap().iter().copied().collect()
    }
}

#[async_trait]
impl MessageHandler for Recorder {
    async fn handle(&self, msg: DeviceMessage) -> Result<(), HandlerError> {
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(running, Ordering::SeqCst);
        self.seen.lock().unwrap().push(msg.clone());
        if self.hang {
            self.calls.send_modify(|c| *c += 1);
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(self.delay).await;
        let outcome = self.store(&msg);
        self.running.fetch_sub(1, Ordering::SeqCst);
        // Counted last, so that a test woken by the count sees the stored result.
        self.calls.send_modify(|c| *c += 1);
        outcome
    }
}

impl Recorder {
    fn store(&self, msg: &DeviceMessage) -> Result<(), HandlerError> {
        let value: serde_json::Value = serde_json::from_slice(&msg.payload)
            .map_err(|e| HandlerError::rejected(format!("bad JSON: {e}")))?;
        let id = value["id"]
            .as_u64()
            .ok_or_else(|| HandlerError::rejected("no id"))?;
        self.stored.lock().unwrap().insert(id);
        Ok(())
    }
}

fn topic(kind: DeviceKind, id: &str, stream: Stream) -> Topic {
    Topic::new(kind, DeviceId::new(id), stream).unwrap()
}

fn config(url: &str, client_id: &str) -> MqttConfig {
    let mut config = MqttConfig::from_url(url).unwrap();
    config.client_id = client_id.to_owned();
    config.reconnect_min = Duration::from_millis(50);
    config.reconnect_max = Duration::from_millis(500);
    config
}

/// Polls the runtime's counters until `ready` holds.
async fn wait_counters(
    runtime: &IngestRuntime,
    what: &str,
    ready: impl Fn(&IngestCounters) -> bool,
) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let counters = runtime.metrics().snapshot();
        if ready(&counters) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}; counters: {counters:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn subscribed(runtime: &IngestRuntime) {
    wait_counters(runtime, "subscription", |c| c.subscribed).await;
}

#[tokio::test]
async fn messages_reach_the_handler_and_shutdown_is_clean() {
    let Some(broker) = service_or_skip(TempMosquitto::start()) else {
        return;
    };
    let recorder = Recorder::new();
    let shutdown = CancellationToken::new();
    let runtime = IngestRuntime::spawn(
        config(&broker.url(), "pingan-basic"),
        recorder.clone(),
        shutdown.clone(),
    )
    .unwrap();
    subscribed(&runtime).await;

    let publisher = Publisher::connect(&config(&broker.url(), "device-sim")).unwrap();
    let read = topic(DeviceKind::Checkpoint, "cp-01", Stream::Reads);
    let fix = topic(DeviceKind::Unit, "unit-7", Stream::Position);
    publisher
        .publish_json(&read, &json!({"id": 1, "plate": "粤B12345"}))
        .await
        .unwrap();
    publisher
        .publish_json(&fix, &json!({"id": 2, "lat": 22.5, "lon": 114.0}))
        .await
        .unwrap();
    // Off the documented layout: acknowledged, counted as failed, never handed over.
    publisher
        .publish_raw("pingan/v1/drone/d-1/reads", b"{}".to_vec())
        .await
        .unwrap();
    // Inside the layout but not JSON: the handler rejects it.
    publisher
        .publish_raw(&read.to_string(), b"not json".to_vec())
        .await
        .unwrap();
    publisher.flush(WAIT).await.unwrap();

    wait_counters(&runtime, "all four messages", |c| {
        c.handled == 2 && c.failed == 2
    })
    .await;
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].topic, read);
    assert_eq!(seen[1].topic, fix);
    assert!(!seen[0].redelivered);
    assert_eq!(recorder.stored(), vec![1, 2]);
    let counters = runtime.metrics().snapshot();
    assert_eq!(counters.received, 4);
    assert_eq!(counters.reconnects, 0);

    shutdown.cancel();
    tokio::time::timeout(WAIT, runtime_join(runtime))
        .await
        .expect("runtime stops");
}

async fn runtime_join(runtime: IngestRuntime) {
    let metrics = Arc::clone(runtime.metrics());
    runtime.join().await.unwrap();
    assert!(!metrics.snapshot().connected);
}

#[tokio::test]
async fn an_unacknowledged_message_is_redelivered_after_a_crash() {
    let Some(broker) = service_or_skip(TempMosquitto::start()) else {
        return;
    };
    // The first pingan process takes the message and dies inside the handler, before the ack.
    let doomed = Recorder::with(Duration::ZERO, true);
    let first = IngestRuntime::spawn(
        config(&broker.url(), "pingan-crash"),
        doomed.clone(),
        CancellationToken::new(),
    )
    .unwrap();
    subscribed(&first).await;
    let publisher = Publisher::connect(&config(&broker.url(), "device-sim")).unwrap();
    let heartbeat = topic(DeviceKind::Camera, "cam-3", Stream::Heartbeat);
    publisher
        .publish_json(&heartbeat, &json!({"id": 42}))
        .await
        .unwrap();
    publisher.flush(WAIT).await.unwrap();
    doomed.wait_calls(1).await;
    first.abort();

    // The next process with the same client id gets it again from the broker's session.
    let recorder = Recorder::new();
    let second = IngestRuntime::spawn(
        config(&broker.url(), "pingan-crash"),
        recorder.clone(),
        CancellationToken::new(),
    )
    .unwrap();
    recorder.wait_calls(1).await;
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen[0].topic, heartbeat);
    assert!(
        seen[0].redelivered,
        "the broker marks the redelivery with DUP"
    );
    assert_eq!(recorder.stored(), vec![42]);
    wait_counters(&second, "the ack", |c| c.handled == 1).await;
    second.abort();
}

#[tokio::test]
async fn the_runtime_reconnects_after_the_broker_restarts() {
    let Some(mut broker) = service_or_skip(TempMosquitto::start()) else {
        return;
    };
    let recorder = Recorder::new();
    let shutdown = CancellationToken::new();
    let runtime = IngestRuntime::spawn(
        config(&broker.url(), "pingan-restart"),
        recorder.clone(),
        shutdown.clone(),
    )
    .unwrap();
    subscribed(&runtime).await;
    let publisher = Publisher::connect(&config(&broker.url(), "device-sim")).unwrap();
    let fix = topic(DeviceKind::Unit, "unit-1", Stream::Position);
    publisher
        .publish_json(&fix, &json!({"id": 1}))
        .await
        .unwrap();
    publisher.flush(WAIT).await.unwrap();
    recorder.wait_calls(1).await;

    // Same port, no persistence: the broker comes back with no sessions at all, so the runtime
    // must reconnect and subscribe again by itself.
    broker.stop();
    broker.restart().unwrap();
    wait_counters(&runtime, "a reconnect", |c| c.reconnects >= 1).await;
    subscribed(&runtime).await;

    publisher
        .publish_json(&fix, &json!({"id": 2}))
        .await
        .unwrap();
    publisher.flush(WAIT).await.unwrap();
    recorder.wait_calls(2).await;
    assert_eq!(recorder.stored(), vec![1, 2]);
    assert!(runtime.metrics().snapshot().connected);

    let mut text = String::new();
    runtime.metrics().render_prometheus(&mut text);
    assert!(
        text.contains("\npingan_mqtt_reconnects_total 1\n"),
        "{text}"
    );
    shutdown.cancel();
    runtime.join().await.unwrap();
}

#[tokio::test]
async fn a_slow_handler_behind_a_small_queue_loses_nothing() {
    let Some(broker) = service_or_skip(TempMosquitto::start()) else {
        return;
    };
    let recorder = Recorder::with(Duration::from_millis(5), false);
    let mut slow = config(&broker.url(), "pingan-slow");
    slow.queue_capacity = 2;
    slow.workers = 1;
    let runtime = IngestRuntime::spawn(slow, recorder.clone(), CancellationToken::new()).unwrap();
    subscribed(&runtime).await;

    let publisher = Publisher::connect(&config(&broker.url(), "device-sim")).unwrap();
    let reads = topic(DeviceKind::Checkpoint, "cp-9", Stream::Reads);
    const N: u64 = 200;
    for id in 0..N {
        publisher
            .publish_json(&reads, &json!({"id": id}))
            .await
            .unwrap();
    }
    publisher.flush(WAIT).await.unwrap();

    wait_counters(&runtime, "every message", |c| c.handled == N).await;
    assert_eq!(recorder.stored(), (0..N).collect::<Vec<_>>());
    assert_eq!(
        runtime.metrics().snapshot().received,
        N,
        "no redeliveries were needed"
    );
    assert_eq!(
        recorder.max_running.load(Ordering::SeqCst),
        1,
        "one worker means one call at a time"
    );
    runtime.abort();
}

#[tokio::test]
async fn the_broker_acl_keeps_a_device_to_its_own_topics() {
    let auth = MosquittoAuth::pingan("pingan", "service-secret")
        .device("cp-01", "key-one")
        .device("cp-02", "key-two");
    let Some(broker) = service_or_skip(TempMosquitto::start_with_auth(&auth)) else {
        return;
    };
    let recorder = Recorder::new();
    let runtime = IngestRuntime::spawn(
        config(&broker.url_for("pingan", "service-secret"), "pingan-acl"),
        recorder.clone(),
        CancellationToken::new(),
    )
    .unwrap();
    subscribed(&runtime).await;

    // cp-01 first tries to speak for cp-02, then for itself. The broker acknowledges both
    // (MQTT 3.1.1 has no way to say no) but forwards only the second; the connection keeps
    // order, so once the second arrived the first would have too.
    let device = Publisher::connect(&config(&broker.url_for("cp-01", "key-one"), "cp-01")).unwrap();
    let theirs = topic(DeviceKind::Checkpoint, "cp-02", Stream::Reads);
    let mine = topic(DeviceKind::Checkpoint, "cp-01", Stream::Reads);
    device
        .publish_json(&theirs, &json!({"id": 666}))
        .await
        .unwrap();
    device.publish_json(&mine, &json!({"id": 1})).await.unwrap();
    device.flush(WAIT).await.unwrap();
    recorder.wait_calls(1).await;
    assert_eq!(recorder.stored(), vec![1]);
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].topic, mine);

    // A wrong key never gets a connection.
    let impostor = Publisher::connect(&config(&broker.url_for("cp-02", "guess"), "cp-02")).unwrap();
    impostor
        .publish_json(&mine, &json!({"id": 7}))
        .await
        .unwrap();
    let err = impostor.flush(Duration::from_secs(1)).await.unwrap_err();
    assert!(
        matches!(&err, PublishError::NotAcknowledged { last_error, .. } if last_error.contains("return code")),
        "{err}"
    );
    // The runtime's counters agree: two deliveries were never made.
    assert_eq!(runtime.metrics().snapshot().received, 1);
    runtime.abort();
}

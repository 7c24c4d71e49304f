//! Counters of the ingest runtime, read by the server's `/metrics`.
//!
//! The runtime only increments atomics; rendering into the Prometheus text format is a separate,
//! allocation-only step so that the server decides where and when metrics are exposed.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Live counters of one [`crate::IngestRuntime`]. Counters only grow; `connected` is a gauge.
#[derive(Debug, Default)]
pub struct IngestMetrics {
    pub(crate) received: AtomicU64,
    pub(crate) handled: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) reconnects: AtomicU64,
    pub(crate) connected: AtomicBool,
    pub(crate) subscribed: AtomicBool,
}

/// A consistent-enough copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IngestCounters {
    /// PUBLISH packets received from the broker, redeliveries included.
    pub received: u64,
    /// Messages the handler accepted (then acknowledged).
    pub handled: u64,
    /// Messages given up on: bad topic, rejected, or still failing after the retries. They are
    /// acknowledged too, so that a poison message never loops.
    pub failed: u64,
    /// Handler calls repeated after a transient error.
    pub retries: u64,
    /// Successful connections after the first one.
    pub reconnects: u64,
    /// Whether the broker connection is up right now.
    pub connected: bool,
    /// Whether the broker granted the subscriptions on the current connection (readiness).
    pub subscribed: bool,
}

impl IngestMetrics {
    /// Copies the counters.
    pub fn snapshot(&self) -> IngestCounters {
        IngestCounters {
            received: self.received.load(Ordering::Relaxed),
            handled: self.handled.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            reconnects: self.reconnects.load(Ordering::Relaxed),
            connected: self.connected.load(Ordering::Relaxed),
            subscribed: self.subscribed.load(Ordering::Relaxed),
        }
    }

    /// Appends the counters in the Prometheus text exposition format.
    pub fn render_prometheus(&self, out: &mut String) {
        let c = self.snapshot();
        let rows: [(&str, &str, &str, u64); 7] = [
            (
                "pingan_mqtt_messages_received_total",
                "counter",
                "MQTT messages received from the broker, redeliveries included.",
                c.received,
            ),
            (
                "pingan_mqtt_messages_handled_total",
                "counter",
                "MQTT messages handled and acknowledged.",
                c.handled,
            ),
            (
                "pingan_mqtt_messages_failed_total",
                "counter",
                "MQTT messages given up on and acknowledged.",
                c.failed,
            ),
            (
                "pingan_mqtt_handler_retries_total",
                "counter",
                "Handler calls repeated after a transient error.",
                c.retries,
            ),
            (
                "pingan_mqtt_reconnects_total",
                "counter",
                "Successful reconnections to the broker.",
                c.reconnects,
            ),
            (
                "pingan_mqtt_connected",
                "gauge",
                "1 while connected to the broker.",
                u64::from(c.connected),
            ),
            (
                "pingan_mqtt_subscribed",
                "gauge",
                "1 once the broker granted the subscriptions on the current connection.",
                u64::from(c.subscribed),
            ),
        ];
        for (name, kind, help, value) in rows {
            // Writing into a String cannot fail.
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_counter() {
        let metrics = IngestMetrics::default();
        IngestMetrics::bump(&metrics.received);
        IngestMetrics::bump(&metrics.received);
        metrics.connected.store(true, Ordering::Relaxed);
        let mut out = String::new();
        metrics.render_prometheus(&mut out);
        assert!(out.contains("\npingan_mqtt_messages_received_total 2\n"));
        assert!(out.contains("\npingan_mqtt_connected 1\n"));
        assert_eq!(out.lines().filter(|l| l.starts_with("# TYPE")).count(), 7);
    }
}

//! Process metrics in the Prometheus text format.
//!
//! A handful of counters and gauges kept as atomics; written out by hand because the format is
//! a few lines and a metrics framework would cost more build time than it saves.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    pub http_2xx: AtomicU64,
    pub http_4xx: AtomicU64,
    pub http_5xx: AtomicU64,
    pub http_other: AtomicU64,
    pub logins_ok: AtomicU64,
    pub logins_failed: AtomicU64,
    pub audit_entries: AtomicU64,
    pub stream_clients: AtomicU64,
    pub stream_events: AtomicU64,
}

impl Metrics {
    pub fn count_status(&self, status: u16) {
        let c = match status {
            200..=299 => &self.http_2xx,
            400..=499 => &self.http_4xx,
            500..=599 => &self.http_5xx,
            _ => &self.http_other,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Renders every metric, plus `extra` lines (name, help, kind, value) from other parts.
    pub fn render(&self, extra: &[(&str, &str, &str, u64)]) -> String {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP pingan_http_responses_total HTTP responses by status class."
        );
        let _ = writeln!(out, "# TYPE pingan_http_responses_total counter");
        for (class, v) in [
            ("2xx", get(&self.http_2xx)),
            ("4xx", get(&self.http_4xx)),
            ("5xx", get(&self.http_5xx)),
            ("other", get(&self.http_other)),
        ] {
            let _ = writeln!(out, "pingan_http_responses_total{{class=\"{class}\"}} {v}");
        }
        let mut one = |name: &str, help: &str, kind: &str, v: u64| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {v}");
        };
        one(
            "pingan_logins_total",
            "Successful sign-ins.",
            "counter",
            get(&self.logins_ok),
        );
        one(
            "pingan_login_failures_total",
            "Failed sign-ins.",
            "counter",
            get(&self.logins_failed),
        );
        one(
            "pingan_audit_entries_total",
            "Audit entries written by this process.",
            "counter",
            get(&self.audit_entries),
        );
        one(
            "pingan_stream_clients",
            "Open WebSocket stream connections.",
            "gauge",
            get(&self.stream_clients),
        );
        one(
            "pingan_stream_events_total",
            "Events delivered to the stream hub.",
            "counter",
            get(&self.stream_events),
        );
        for (name, help, kind, v) in extra {
            one(name, help, kind, *v);
        }
        out
    }
}

//! Test-only support for pingan's test suites.
//!
//! Tests use the real thing: a real SQLite file, a temporary PostgreSQL cluster started from the
//! machine's own binaries, a real Mosquitto broker. Nothing here is compiled into the binary.

// Test helpers panic on purpose: a panic with its message is the failure report.
#[allow(clippy::unwrap_used)]
pub mod app;
pub mod services;
mod tidy;

/// The fields a problem document names, in order (`errors[].field`).
pub fn problem_fields(problem: &serde_json::Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A ledger entry for a change a test makes directly in a store (`{action}` by `test`).
pub fn entry(action: &str) -> pingan_core::audit::NewAuditEntry {
    pingan_core::audit::AuditBuilder::new(pingan_core::Timestamp(0), "test", None, action).build()
}

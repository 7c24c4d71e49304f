//! Test-only support for pingan's test suites.
//!
//! Tests use the real thing: a real SQLite file, a temporary PostgreSQL cluster started from the
//! machine's own binaries, a real Mosquitto broker. Nothing here is compiled into the binary.

// Test helpers panic on purpose: a panic with its message is the failure report.
#[allow(clippy::unwrap_used)]
pub mod app;
pub mod services;
mod tidy;

/// A ledger entry for a change a test makes directly in a store (`{action}` by `test`).
pub fn entry(action: &str) -> pingan_core::audit::NewAuditEntry {
    pingan_core::audit::AuditBuilder::new(pingan_core::Timestamp(0), "test", None, action).build()
}

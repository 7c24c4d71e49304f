//! The server's integration tests: one binary, the router driven in-process with `oneshot`
//! against a real SQLite file and a real temporary PostgreSQL.
//!
//! Add new areas as modules here rather than new test binaries (each binary costs a link).

// Test helpers panic on purpose: a panic with its message is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

mod access;
mod accounts;
mod audit;
mod bad_input;
mod geography;
mod stream;

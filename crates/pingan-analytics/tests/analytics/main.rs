//! The analytics capability's integration tests: one binary, the router driven in-process with
//! `oneshot` against a real SQLite file and a real temporary PostgreSQL.

// Test helpers panic on purpose: a panic with its message is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

mod analytics;
mod planar;

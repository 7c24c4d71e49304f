//! The patrol programme's integration tests: one binary, the router driven in-process against a
//! real SQLite file and a real temporary PostgreSQL, with the command centre installed (units,
//! positions, the road router, the incident history).

// Test helpers panic on purpose: a panic with its message is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

mod field;
mod plans;

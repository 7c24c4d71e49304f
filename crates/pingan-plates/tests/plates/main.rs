//! The plate-read capability's integration tests: one binary, the router driven in-process with
//! `oneshot` (and over a real socket for the stream) against a real SQLite file and a real
//! temporary PostgreSQL.

// Test helpers panic on purpose: a panic with its message is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

mod identity;
mod reads;
mod watchlist;

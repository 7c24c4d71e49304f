//! Pure rules and types of plate reads: the query shapes and their caps (Q1–Q7) and their
//! execution on the in-memory index, the ingest policy for a decoded batch, watch-list entries
//! and their matching, and the records the store keeps. No I/O, no clock (times are passed in),
//! no SQL, no HTTP, no async runtime.

pub mod ingest;
pub mod names;
pub mod query;
pub mod records;
pub mod watch;

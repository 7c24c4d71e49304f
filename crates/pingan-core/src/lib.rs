//! The domain core of pingan.
//!
//! This crate holds what pingan *means*: identifiers, timestamps, roles and what each may do,
//! purpose codes, the hash-chained audit ledger's maths, accounts and devices, the events that
//! flow on the live stream, and the storage *ports* (traits in domain terms) that the storage
//! backends implement.
//!
//! # What it deliberately does not do
//! - No I/O: it opens no file or socket, reads no clock and no environment, spawns nothing.
//!   Time and randomness are passed in by the caller.
//! - No SQL and no HTTP: `pingan-db` knows SQL, `pingan-server` knows status codes.
//! - No password hashing: argon2 needs randomness and is CPU-heavy; it lives at the server's edge.
//!
//! Pure algorithms that grow large have crates of their own (`pingan-spatial`, `pingan-reads`,
//! `pingan-crimestat`) that depend on nothing of ours.

pub mod access;
pub mod account;
pub mod audit;
pub mod cell;
pub mod error;
pub mod event;
pub mod geography;
pub mod ids;
pub mod ports;
pub mod purpose;
pub mod time;

pub use error::{StoreError, ValidationError};
pub use time::Timestamp;

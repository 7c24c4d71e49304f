//! Test-only support for pingan's test suites.
//!
//! Tests use the real thing: a real SQLite file, a temporary PostgreSQL cluster started from the
//! machine's own binaries, a real Mosquitto broker. Nothing here is compiled into the binary.

pub mod services;

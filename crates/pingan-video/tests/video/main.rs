//! The video network's integration tests: one binary, the router driven in-process with
//! `oneshot` (GDAL reads the OGC API over a real socket) against a real SQLite file and a real
//! temporary PostgreSQL.

// Test helpers panic on purpose: a panic with its message is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

mod ogc;
mod sensors;
mod video_detections;

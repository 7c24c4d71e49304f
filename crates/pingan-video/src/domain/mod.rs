//! Pure types and rules of the video network: platforms, cameras, checkpoints and their checks,
//! health subjects and beats, detections, and the store's port. No
//! I/O.

pub mod detections;
pub mod index;
pub mod names;
pub mod registry;

//! The patrol programme's pure rules: the shift planner, the dwell of a unit at a hot spot from
//! its GPS fixes, the field logs, and the records the store keeps. No I/O, no clock.

pub mod dwell;
pub mod effect;
pub mod logs;
pub mod plan;
pub mod records;
pub mod spots;
pub mod tactics;

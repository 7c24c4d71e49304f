//! The plate-read capability's settings (`plate_retention_days`, `plate_approval_age_days` and
//! the other `plate_…` keys of `pingan.toml`), with the documented defaults. The binary reads the
//! file; this module only holds the validated values.

use std::time::Duration;

/// Settings of the plate-read capability, with the documented defaults.
#[derive(Debug, Clone)]
pub struct PlateConfig {
    /// Reads older than this are removed by retention and refused at ingest (default 30 days).
    pub retention: Duration,
    /// Queries whose window starts earlier than `now - approval_age` need a second person's
    /// approval (default 7 days).
    pub approval_age: Duration,
    /// Longest window of one query (default 31 days).
    pub max_window: Duration,
    /// Longest window of one scene in Q4 (default 2 days).
    pub max_scene_window: Duration,
    /// Largest co-travel Δt (default 10 minutes).
    pub max_delta: Duration,
    /// Largest Q4 radius (default 5 km).
    pub max_radius_m: f64,
    /// Default and largest number of result rows (defaults 1,000 and 10,000).
    pub default_limit: usize,
    pub max_limit: usize,
    /// Largest ingest batch (default 20,000 rows).
    pub max_batch_rows: usize,
    /// Clock skew allowed for reads from the future (default 5 minutes).
    pub max_future: Duration,
    /// How often retention runs (default hourly).
    pub retention_every: Duration,
}

impl Default for PlateConfig {
    fn default() -> Self {
        const DAY: u64 = 86_400;
        Self {
            retention: Duration::from_secs(30 * DAY),
            approval_age: Duration::from_secs(7 * DAY),
            max_window: Duration::from_secs(31 * DAY),
            max_scene_window: Duration::from_secs(2 * DAY),
            max_delta: Duration::from_secs(600),
            max_radius_m: 5_000.0,
            default_limit: 1_000,
            max_limit: 10_000,
            max_batch_rows: 20_000,
            max_future: Duration::from_secs(300),
            retention_every: Duration::from_secs(3_600),
        }
    }
}

/// A duration in microseconds, saturating.
pub(crate) fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

impl PlateConfig {
    pub fn retention_us(&self) -> i64 {
        micros(self.retention)
    }
    pub fn approval_age_us(&self) -> i64 {
        micros(self.approval_age)
    }
    pub fn max_window_us(&self) -> i64 {
        micros(self.max_window)
    }
    pub fn max_scene_window_us(&self) -> i64 {
        micros(self.max_scene_window)
    }
    pub fn max_delta_us(&self) -> i64 {
        micros(self.max_delta)
    }
    pub fn max_future_us(&self) -> i64 {
        micros(self.max_future)
    }
    /// Whole days of the approval age (what the page shows).
    pub fn approval_age_days(&self) -> u64 {
        self.approval_age.as_secs() / 86_400
    }
}

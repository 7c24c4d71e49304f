//! Time as integer microseconds since the Unix epoch, always UTC.
//!
//! Both storage backends keep times as `BIGINT` microseconds: portable, ordered, exact, and free
//! of time-zone ambiguity. Conversion to a local zone happens only at the edges (UI, reports).

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A UTC instant with microsecond resolution.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const MICROS_PER_SECOND: i64 = 1_000_000;

    pub fn from_micros(us: i64) -> Self {
        Self(us)
    }

    pub fn from_millis(ms: i64) -> Self {
        Self(ms.saturating_mul(1_000))
    }

    pub fn from_seconds(s: i64) -> Self {
        Self(s.saturating_mul(Self::MICROS_PER_SECOND))
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    pub fn millis(self) -> i64 {
        self.0.div_euclid(1_000)
    }

    pub fn plus_seconds(self, s: i64) -> Self {
        Self(
            self.0
                .saturating_add(s.saturating_mul(Self::MICROS_PER_SECOND)),
        )
    }

    pub fn minus_seconds(self, s: i64) -> Self {
        self.plus_seconds(-s)
    }

    /// The instant as a chrono value, or `None` when it is outside chrono's range.
    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        Utc.timestamp_micros(self.0).single()
    }

    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        Self(dt.timestamp_micros())
    }

    /// Parses RFC 3339 text (`2026-05-08T10:00:00+08:00`, `…Z`).
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|dt| Self::from_datetime(dt.with_timezone(&Utc)))
    }

    /// RFC 3339 in UTC with millisecond precision, the form every API response uses.
    pub fn to_rfc3339(self) -> String {
        match self.to_datetime() {
            Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            None => format!("@{}us", self.0),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip_keeps_the_instant() {
        let t = Timestamp::parse_rfc3339("2015-05-08T10:30:00+08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2015-05-08T02:30:00.000Z");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Some(t));
    }

    #[test]
    fn millis_round_down_for_negative_times() {
        assert_eq!(Timestamp(-1).millis(), -1);
        assert_eq!(Timestamp(1_999).millis(), 1);
    }
}

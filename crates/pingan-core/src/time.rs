//! Time as integer microseconds since the Unix epoch, always UTC.
//!
//! Both storage backends keep times as `BIGINT` microseconds: portable, ordered, exact, and free
//! of time-zone ambiguity. Conversion to a local zone happens only at the edges (UI, reports).

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A UTC instant with microsecond resolution.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
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

    /// A time as the API accepts it (docs/api.md, "Times"): RFC 3339 with an offset
    /// (`2026-05-08T10:00:00+08:00`, `…Z`) or integer UTC microseconds (`1778205600000000`).
    pub fn parse_api(text: &str) -> Option<Self> {
        let t = text.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return t.parse::<i64>().ok().map(Self);
        }
        Self::parse_rfc3339(t)
    }

    /// An optional time from a field of a request, refused with the field's name when it does
    /// not parse ([`Timestamp::parse_api`]). The one time parser of every capability.
    pub fn parse_field(
        field: &str,
        v: Option<&str>,
    ) -> Result<Option<Self>, crate::ValidationError> {
        v.map(|s| {
            Self::parse_api(s).ok_or_else(|| {
                crate::ValidationError::new(
                    field,
                    format!(
                        "{s:?} is neither an RFC 3339 time with an offset nor UTC microseconds"
                    ),
                )
            })
        })
        .transpose()
    }

    /// RFC 3339 in UTC with millisecond precision.
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

/// Serde helpers so that every time field of a request takes both forms of
/// [`Timestamp::parse_api`]: a JSON number of UTC microseconds or a string (RFC 3339, or
/// digits).
pub mod de {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Micros(i64),
        Text(String),
    }

    fn micros_of<E: serde::de::Error>(v: Either) -> Result<i64, E> {
        match v {
            Either::Micros(n) => Ok(n),
            Either::Text(s) => Timestamp::parse_api(&s).map(|t| t.0).ok_or_else(|| {
                E::custom(format!(
                    "{s:?} is neither an RFC 3339 time with an offset nor UTC microseconds"
                ))
            }),
        }
    }

    /// An `i64` of UTC microseconds, given as either form.
    pub fn micros<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        micros_of(Either::deserialize(d)?)
    }

    /// An optional `i64` of UTC microseconds, given as either form (use with `default`).
    pub fn micros_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Option::<Either>::deserialize(d)?.map(micros_of).transpose()
    }

    /// A time kept as text for a later check, given as either form (a number becomes digits).
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(match Either::deserialize(d)? {
            Either::Micros(n) => n.to_string(),
            Either::Text(s) => s,
        })
    }

    /// [`text`], optional (use with `default`).
    pub fn text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<Either>::deserialize(d)?.map(|v| match v {
            Either::Micros(n) => n.to_string(),
            Either::Text(s) => s,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_takes_rfc3339_and_microseconds_alike() {
        let a = Timestamp::parse_api("2026-05-08T10:00:00+08:00").unwrap();
        assert_eq!(Timestamp::parse_api(&a.0.to_string()), Some(a));
        assert_eq!(
            Timestamp::parse_api(" 1778205600000000 "),
            Some(Timestamp(1_778_205_600_000_000))
        );
        assert_eq!(Timestamp::parse_api("-5"), Some(Timestamp(-5)));
        for bad in ["", "-", "yesterday", "2026-05-08 10:00", "12.5"] {
            assert_eq!(Timestamp::parse_api(bad), None, "{bad:?}");
        }
        #[derive(serde::Deserialize)]
        struct Q {
            #[serde(deserialize_with = "de::micros")]
            from: i64,
            #[serde(default, deserialize_with = "de::text_opt")]
            to: Option<String>,
        }
        let q: Q =
            serde_json::from_str(r#"{"from": "2026-05-08T10:00:00+08:00", "to": 7}"#).unwrap();
        assert_eq!(q.from, a.0);
        assert_eq!(q.to.as_deref(), Some("7"));
        let q: Q = serde_json::from_str(r#"{"from": 12}"#).unwrap();
        assert_eq!((q.from, q.to), (12, None));
        assert!(serde_json::from_str::<Q>(r#"{"from": "noon"}"#).is_err());
    }

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

//! The plate read (过车记录) and its small value types.
//!
//! A [`Read`] is what a checkpoint camera reports for one passing vehicle. Its [`ReadId`] is the
//! idempotency key: a device that re-sends a read sends the same id. Times are UTC microseconds
//! since the Unix epoch (`i64`), the unit of the anchors' `ts` column.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::plate::{Plate, PlateColour, PlateType};

/// Identifier of a read, unique across devices (the idempotency key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReadId(pub i64);

/// Identifier of a checkpoint (卡口) in the sensor registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CheckpointId(pub u32);

impl fmt::Display for ReadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for CheckpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Direction of travel through the checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// Not reported.
    Unknown,
    /// `EB`.
    Eastbound,
    /// `WB`.
    Westbound,
    /// `NB`.
    Northbound,
    /// `SB`.
    Southbound,
    /// `IN`: entering the district (boundary checkpoints).
    Inbound,
    /// `OUT`: leaving the district.
    Outbound,
}

impl Direction {
    /// All directions in code order (code = index).
    pub const ALL: [Self; 7] = [
        Self::Unknown,
        Self::Eastbound,
        Self::Westbound,
        Self::Northbound,
        Self::Southbound,
        Self::Inbound,
        Self::Outbound,
    ];

    /// Parses `EB`/`WB`/`NB`/`SB`/`IN`/`OUT` (any case) and the empty string (unknown).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "" => Self::Unknown,
            "EB" => Self::Eastbound,
            "WB" => Self::Westbound,
            "NB" => Self::Northbound,
            "SB" => Self::Southbound,
            "IN" => Self::Inbound,
            "OUT" => Self::Outbound,
            _ => return None,
        })
    }

    /// The short code used in files and in the anchors' `direction` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "",
            Self::Eastbound => "EB",
            Self::Westbound => "WB",
            Self::Northbound => "NB",
            Self::Southbound => "SB",
            Self::Inbound => "IN",
            Self::Outbound => "OUT",
        }
    }

    /// Compact code (index in [`Direction::ALL`]).
    pub fn code(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Eastbound => 1,
            Self::Westbound => 2,
            Self::Northbound => 3,
            Self::Southbound => 4,
            Self::Inbound => 5,
            Self::Outbound => 6,
        }
    }

    /// Inverse of [`Direction::code`]; unknown codes map to [`Direction::Unknown`].
    pub fn from_code(code: u8) -> Self {
        Self::ALL
            .get(usize::from(code))
            .copied()
            .unwrap_or(Self::Unknown)
    }
}

/// Recognition confidence in 0–1, kept to 1/10,000 (so it fits two bytes in the index).
/// Serialised as the probability (`0.965`), not the stored integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Confidence(u16);

/// A probability outside 0–1 (or not a number).
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("confidence {0} is outside 0-1")]
pub struct ConfidenceError(pub f64);

impl TryFrom<f64> for Confidence {
    type Error = ConfidenceError;
    fn try_from(x: f64) -> Result<Self, Self::Error> {
        Self::from_f64(x).ok_or(ConfidenceError(x))
    }
}

impl From<Confidence> for f64 {
    fn from(c: Confidence) -> Self {
        c.as_f64()
    }
}

impl Confidence {
    /// Scale of the stored integer.
    pub const SCALE: u16 = 10_000;

    /// From a probability; `None` when not finite or outside 0–1.
    pub fn from_f64(x: f64) -> Option<Self> {
        if !x.is_finite() || !(0.0..=1.0).contains(&x) {
            return None;
        }
        // The range check above bounds the product to 0..=10_000, so the cast is lossless.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "bounded to 0..=10_000 by the range check"
        )]
        let v = (x * f64::from(Self::SCALE)).round() as u16;
        Some(Self(v))
    }

    /// From the stored integer (ten-thousandths); `None` above 10,000.
    pub fn from_raw(raw: u16) -> Option<Self> {
        (raw <= Self::SCALE).then_some(Self(raw))
    }

    /// From a value that came out of [`Confidence::raw`] (clamped, so never invalid).
    pub(crate) fn from_stored(raw: u16) -> Self {
        Self(raw.min(Self::SCALE))
    }

    /// The stored integer.
    pub fn raw(self) -> u16 {
        self.0
    }

    /// As a probability. Division is correctly rounded, so `0.965` comes back as the same `f64`
    /// that parsing "0.965" gives.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / f64::from(Self::SCALE)
    }
}

/// One plate read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Read {
    /// Idempotency key.
    pub id: ReadId,
    /// Normalised, validated plate.
    pub plate: Plate,
    /// The text as the camera recognised it, before normalisation.
    pub raw_plate: String,
    /// Plate background colour, when reported.
    pub plate_colour: Option<PlateColour>,
    /// Plate type code, when reported.
    pub plate_type: Option<PlateType>,
    /// Where.
    pub checkpoint: CheckpointId,
    /// Lane number (0 = not reported).
    pub lane: u8,
    /// Direction of travel.
    pub direction: Direction,
    /// When: UTC microseconds since the Unix epoch.
    pub ts_us: i64,
    /// Recognition confidence.
    pub confidence: Confidence,
    /// Vehicle colour as the device names it (e.g. 白).
    pub vehicle_colour: Option<String>,
    /// Vehicle type code (e.g. GA 24.4 `K33`).
    pub vehicle_type: Option<String>,
    /// Vehicle brand.
    pub vehicle_brand: Option<String>,
    /// Image references (URLs, never bytes).
    pub image_urls: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_round_trips_exact_decimals() {
        for s in ["0.965", "0.5", "0.999", "1", "0", "0.0001"] {
            let x: f64 = s.parse().expect("number");
            let c = Confidence::from_f64(x).expect("in range");
            assert_eq!(c.as_f64(), x, "{s}");
        }
        assert_eq!(Confidence::from_f64(1.01), None);
        assert_eq!(Confidence::from_f64(f64::NAN), None);
        assert_eq!(Confidence::from_raw(10_001), None);
    }

    #[test]
    fn confidence_serialises_as_probability() {
        let c = Confidence::from_f64(0.965).expect("in range");
        assert_eq!(serde_json::to_string(&c).expect("json"), "0.965");
        assert_eq!(
            serde_json::from_str::<Confidence>("0.965").expect("json"),
            c
        );
        assert!(serde_json::from_str::<Confidence>("1.5").is_err());
    }

    #[test]
    fn direction_codes_round_trip() {
        for d in Direction::ALL {
            assert_eq!(Direction::from_code(d.code()), d);
            assert_eq!(Direction::parse(d.as_str()), Some(d));
        }
        assert_eq!(Direction::parse("up"), None);
    }
}

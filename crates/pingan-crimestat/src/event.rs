//! The input record every method consumes.

use serde::{Deserialize, Serialize};

use crate::error::{AnalyticsError, Result};

/// Identifier of an incident or case, as the store knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventId(pub u64);

/// One incident as the engine sees it.
///
/// `x`/`y` are metres in a local projection for the metric methods (KDE, square-grid Gi*,
/// Knox, PAI, linkage), or longitude/latitude degrees for [`crate::gistar::gistar_h3`] and
/// [`crate::projection::LocalProjection::project_events`]. The engine never guesses which:
/// each entry point says what it expects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The incident's id (returned in results that name events).
    pub id: EventId,
    /// Easting in metres, or longitude in degrees.
    pub x: f64,
    /// Northing in metres, or latitude in degrees.
    pub y: f64,
    /// When it happened, UTC microseconds since the Unix epoch.
    pub t_micros: i64,
    /// Offence type (for example "盗窃自行车"); empty when unknown.
    pub kind: String,
    /// Town or sub-district; empty when unknown.
    pub town: String,
    /// Free modus-operandi text (Chinese or mixed); empty when none.
    pub text: String,
}

impl Event {
    /// A bare event at `(x, y)` and time `t_micros` with empty type, town and text.
    pub fn at(id: u64, x: f64, y: f64, t_micros: i64) -> Self {
        Self {
            id: EventId(id),
            x,
            y,
            t_micros,
            kind: String::new(),
            town: String::new(),
            text: String::new(),
        }
    }
}

/// Microseconds in one day.
pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Rejects an empty slice and events with non-finite coordinates.
pub(crate) fn check_events(events: &[Event]) -> Result<()> {
    if events.is_empty() {
        return Err(AnalyticsError::EmptyInput);
    }
    for (index, e) in events.iter().enumerate() {
        if !e.x.is_finite() || !e.y.is_finite() {
            return Err(AnalyticsError::NonFiniteCoordinate { index, id: e.id.0 });
        }
    }
    Ok(())
}

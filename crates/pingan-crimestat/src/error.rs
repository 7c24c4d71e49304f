//! The one error type of the analytics engine.

use thiserror::Error;

/// Why an analytics entry point refused its input.
///
/// Every variant names the offending parameter or event so that the API layer can turn it into a
/// precise message without guessing.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AnalyticsError {
    /// A numeric parameter is outside its allowed range (for example a bandwidth ≤ 0).
    #[error("parameter `{name}` = {value} is invalid: must be {expected}")]
    InvalidParameter {
        /// The parameter's name as it appears in the params struct.
        name: &'static str,
        /// The rejected value, rendered as text.
        value: String,
        /// What the parameter must satisfy.
        expected: &'static str,
    },
    /// The input slice holds no events (or no cells) at all.
    #[error("no events in the input")]
    EmptyInput,
    /// The input is not empty but the requested window or study area holds no events.
    #[error("no events in the window {what}")]
    EmptyWindow {
        /// A description of the window (times in UTC microseconds or the grid extent).
        what: String,
    },
    /// More permutations than the engine allows in one call.
    #[error("{requested} permutations requested, at most {max} allowed")]
    TooManyPermutations {
        /// What the caller asked for.
        requested: u32,
        /// The limit.
        max: u32,
    },
    /// The grid (or hexagon set) would exceed the cell limit.
    #[error("{cells} cells requested, at most {max} allowed")]
    GridTooLarge {
        /// How many cells the parameters imply.
        cells: u64,
        /// The limit.
        max: u64,
    },
    /// An event has a NaN or infinite coordinate.
    #[error("event #{index} (id {id}) has a non-finite coordinate")]
    NonFiniteCoordinate {
        /// Position of the event in the input slice.
        index: usize,
        /// The event's id.
        id: u64,
    },
    /// An event lies outside the valid longitude/latitude range for a geographic method.
    #[error("event #{index} (id {id}) is not a valid longitude/latitude: {reason}")]
    InvalidLonLat {
        /// Position of the event in the input slice.
        index: usize,
        /// The event's id.
        id: u64,
        /// What H3 or the projection said.
        reason: String,
    },
    /// The requested case is not among the events.
    #[error("case {id} is not among the events")]
    UnknownCase {
        /// The id asked for.
        id: u64,
    },
}

/// Shorthand used by every module.
pub type Result<T> = std::result::Result<T, AnalyticsError>;

/// Builds an [`AnalyticsError::InvalidParameter`].
pub(crate) fn invalid(
    name: &'static str,
    value: impl ToString,
    expected: &'static str,
) -> AnalyticsError {
    AnalyticsError::InvalidParameter {
        name,
        value: value.to_string(),
        expected,
    }
}

/// Checks that `value` is finite and strictly positive.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(invalid(name, value, "a finite number > 0"))
    }
}

/// Most permutations one call accepts; 99,999 keeps the worst case (Knox at 50k events) bounded.
pub const MAX_PERMUTATIONS: u32 = 99_999;

/// Checks a permutation count against [`MAX_PERMUTATIONS`].
pub(crate) fn check_permutations(requested: u32) -> Result<()> {
    if requested > MAX_PERMUTATIONS {
        Err(AnalyticsError::TooManyPermutations {
            requested,
            max: MAX_PERMUTATIONS,
        })
    } else {
        Ok(())
    }
}

//! Why an incident transition is refused: [`Refusal`], a stable code clients translate, with
//! the English words the API also sends.
use serde::Serialize;
use std::fmt;

/// Why a transition is refused: a stable code (`code()`, what clients translate) and the
/// words an operator understands (`text()`, the English the API also sends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Closed or cancelled: reopen it first.
    Finished,
    /// No unit is assigned yet.
    NoUnit,
    AlreadyEnRoute,
    AlreadyOnScene,
    AlreadyCleared,
    /// Clearing before any unit reached the scene.
    NotOnScene,
    AlreadyClosed,
    /// Closing a cancelled incident.
    CancelledStays,
    /// Closing before it was cleared.
    NotCleared,
    /// Cancelling a closed or cancelled incident.
    AlreadyFinished,
    /// Reopening an open incident.
    StillOpen,
}

impl Refusal {
    pub const ALL: [Refusal; 11] = [
        Self::Finished,
        Self::NoUnit,
        Self::AlreadyEnRoute,
        Self::AlreadyOnScene,
        Self::AlreadyCleared,
        Self::NotOnScene,
        Self::AlreadyClosed,
        Self::CancelledStays,
        Self::NotCleared,
        Self::AlreadyFinished,
        Self::StillOpen,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Finished => "finished",
            Self::NoUnit => "no_unit",
            Self::AlreadyEnRoute => "already_en_route",
            Self::AlreadyOnScene => "already_on_scene",
            Self::AlreadyCleared => "already_cleared",
            Self::NotOnScene => "not_on_scene",
            Self::AlreadyClosed => "already_closed",
            Self::CancelledStays => "cancelled_stays",
            Self::NotCleared => "not_cleared",
            Self::AlreadyFinished => "already_finished",
            Self::StillOpen => "still_open",
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Self::Finished => "it is finished; reopen it first",
            Self::NoUnit => "no unit is assigned; dispatch one first",
            Self::AlreadyEnRoute => "the units are already en route",
            Self::AlreadyOnScene => "the units are already on scene",
            Self::AlreadyCleared => "it is already cleared",
            Self::NotOnScene => "no unit has reached the scene; cancel it instead",
            Self::AlreadyClosed => "it is already closed",
            Self::CancelledStays => "a cancelled incident stays cancelled",
            Self::NotCleared => "it must be cleared before it is closed",
            Self::AlreadyFinished => "it is already finished",
            Self::StillOpen => "it is still open",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_codes_are_distinct_and_serialize_as_their_code() {
        let mut codes = std::collections::HashSet::new();
        let mut texts = std::collections::HashSet::new();
        for r in Refusal::ALL {
            assert!(codes.insert(r.code()), "{r:?}'s code twice");
            assert!(texts.insert(r.text()), "{r:?}'s text twice");
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
        }
    }
}

//! The command centre's names in the ledger and on the stream, typed so that a handler cannot
//! misspell one. The strings are those ledgers already hold.

use crate::domain::incident;
use crate::domain::records::TimelineKind;

/// An audit action of the command centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CreateIncident,
    EditIncident,
    /// A lifecycle step (`incident.dispatch`, `incident.close`, …).
    Transition(incident::Action),
    /// A timeline entry by kind (`incident.note`, …).
    Timeline(TimelineKind),
    /// The caller's contact was read (behind a purpose).
    ReadContact,
    CreateUnit,
    SetUnitStatus,
}

impl Action {
    pub fn name(self) -> String {
        match self {
            Action::CreateIncident => "incident.create".to_owned(),
            Action::EditIncident => "incident.edit".to_owned(),
            Action::Transition(a) => format!("incident.{}", a.as_str()),
            Action::Timeline(k) => format!("incident.{}", k.as_str()),
            Action::ReadContact => "incident.contact.read".to_owned(),
            Action::CreateUnit => "unit.create".to_owned(),
            Action::SetUnitStatus => "unit.status".to_owned(),
        }
    }
}

/// A stream event kind of the command centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    IncidentCreated,
    IncidentUpdated,
    IncidentTransition,
    IncidentTimeline,
    UnitCreated,
    UnitStatus,
    UnitPosition,
}

impl Event {
    pub const fn as_str(self) -> &'static str {
        match self {
            Event::IncidentCreated => "incident.created",
            Event::IncidentUpdated => "incident.updated",
            Event::IncidentTransition => "incident.transition",
            Event::IncidentTimeline => "incident.timeline",
            Event::UnitCreated => "unit.created",
            Event::UnitStatus => "unit.status",
            Event::UnitPosition => "unit.position",
        }
    }
}

//! Purpose codes: the fixed list of reasons for which personal or plate data may be read.
//!
//! A purpose is always one of these codes. Free text may add detail to an audit entry but is
//! never accepted *as* the purpose, so that transparency reports can count accesses by purpose.

use crate::access::Permission;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Responding to a live incident (needs an incident reference).
    IncidentResponse,
    /// Investigating a registered criminal case (needs a case reference).
    CriminalInvestigation,
    /// Searching for a missing person (needs a case or incident reference).
    MissingPerson,
    /// Enforcing traffic law on a recorded violation.
    TrafficEnforcement,
    /// An emergency threatening life or property.
    Emergency,
    /// Auditing the use of the system.
    Audit,
    /// Administering the system (no access to the contents of personal data).
    Administration,
}

impl Purpose {
    pub const ALL: [Purpose; 7] = [
        Purpose::IncidentResponse,
        Purpose::CriminalInvestigation,
        Purpose::MissingPerson,
        Purpose::TrafficEnforcement,
        Purpose::Emergency,
        Purpose::Audit,
        Purpose::Administration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::IncidentResponse => "incident_response",
            Purpose::CriminalInvestigation => "criminal_investigation",
            Purpose::MissingPerson => "missing_person",
            Purpose::TrafficEnforcement => "traffic_enforcement",
            Purpose::Emergency => "emergency",
            Purpose::Audit => "audit",
            Purpose::Administration => "administration",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Purpose::IncidentResponse => "警情处置",
            Purpose::CriminalInvestigation => "刑事侦查",
            Purpose::MissingPerson => "寻找失踪人员",
            Purpose::TrafficEnforcement => "交通执法",
            Purpose::Emergency => "紧急情况",
            Purpose::Audit => "审计",
            Purpose::Administration => "系统管理",
        }
    }

    /// Whether accesses under this purpose must name a case or incident.
    pub fn needs_reference(self) -> bool {
        !matches!(self, Purpose::Audit | Purpose::Administration)
    }

    /// What an access under this purpose may open: **the one table**. Personal and plate data
    /// (plate queries and evidence, detection searches, the watch-list, callers' contacts) open
    /// only to a purpose that names a case or incident; `audit` opens the ledger and
    /// `administration` the installation's own records, nothing else, whatever reference they
    /// carry. Every purpose-bound route asks this through `require_purpose`.
    pub fn opens(self, permission: Permission) -> bool {
        use Permission as P;
        match self {
            Purpose::IncidentResponse
            | Purpose::CriminalInvestigation
            | Purpose::MissingPerson
            | Purpose::TrafficEnforcement
            | Purpose::Emergency => matches!(
                permission,
                P::QueryPlates | P::ReadPersonalData | P::ManageWatchlist
            ),
            Purpose::Audit => matches!(permission, P::ReadAudit),
            Purpose::Administration => matches!(
                permission,
                P::ManageUsers | P::ManageDevices | P::ImportGeography | P::ManageSensors
            ),
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Purpose {
    type Err = crate::ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Purpose::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                crate::ValidationError::new(
                    "purpose",
                    format!(
                        "{s:?} is not a purpose code; use one of {}",
                        Purpose::ALL.map(Purpose::as_str).join(", ")
                    ),
                )
            })
    }
}

/// A stated purpose with its reference, as every access to personal or plate data must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedPurpose {
    pub purpose: Purpose,
    /// A case number or incident id (`CASE-2015-0042`, `INC-…`).
    pub reference: Option<String>,
    /// Optional free-text detail, recorded in the audit entry.
    pub detail: Option<String>,
}

impl StatedPurpose {
    /// The reference that must name an incident on record: always for `incident_response`, and
    /// for any purpose whose reference is shaped like an incident id (`INC-…`, any case). Case
    /// numbers are checked for form only until pingan keeps a case registry.
    pub fn incident_reference(&self) -> Option<&str> {
        let r = self.reference.as_deref()?;
        let incident_shaped = r.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("INC-"));
        (self.purpose == Purpose::IncidentResponse || incident_shaped).then_some(r)
    }

    /// Checks that the purpose's reference requirement is met and the reference is well formed.
    pub fn validate(&self) -> Result<(), crate::ValidationError> {
        match (&self.reference, self.purpose.needs_reference()) {
            (None, true) => Err(crate::ValidationError::new(
                "reference",
                format!(
                    "purpose {} needs a case or incident reference",
                    self.purpose
                ),
            )),
            (Some(r), _) => crate::ids::check_id("reference", r),
            (None, false) => Ok(()),
        }
        .and_then(|()| match &self.detail {
            Some(d) if d.chars().count() > 500 => Err(crate::ValidationError::new(
                "detail",
                "at most 500 characters",
            )),
            _ => Ok(()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_is_not_a_purpose() {
        assert!("because I wanted to".parse::<Purpose>().is_err());
        assert_eq!(
            "criminal_investigation".parse::<Purpose>().unwrap(),
            Purpose::CriminalInvestigation
        );
    }

    #[test]
    fn incident_references_are_the_ones_to_look_up() {
        let stated = |purpose, reference: &str| StatedPurpose {
            purpose,
            reference: Some(reference.into()),
            detail: None,
        };
        assert_eq!(
            stated(Purpose::IncidentResponse, "INC-1").incident_reference(),
            Some("INC-1")
        );
        // An incident response names an incident, whatever the reference looks like.
        assert_eq!(
            stated(Purpose::IncidentResponse, "CASE-1").incident_reference(),
            Some("CASE-1")
        );
        assert_eq!(
            stated(Purpose::MissingPerson, "INC-9").incident_reference(),
            Some("INC-9")
        );
        assert_eq!(
            stated(Purpose::CriminalInvestigation, "inc-story-bike-1").incident_reference(),
            Some("inc-story-bike-1")
        );
        assert_eq!(
            stated(Purpose::CriminalInvestigation, "IN").incident_reference(),
            None
        );
        assert_eq!(
            stated(Purpose::CriminalInvestigation, "CASE-2015-0042").incident_reference(),
            None
        );
        let none = StatedPurpose {
            purpose: Purpose::IncidentResponse,
            reference: None,
            detail: None,
        };
        assert_eq!(none.incident_reference(), None);
    }

    #[test]
    fn investigation_needs_a_reference() {
        let p = StatedPurpose {
            purpose: Purpose::CriminalInvestigation,
            reference: None,
            detail: None,
        };
        assert_eq!(p.validate().unwrap_err().field, "reference");
        let p = StatedPurpose {
            reference: Some("CASE-2015-0042".into()),
            ..p
        };
        assert!(p.validate().is_ok());
    }
}

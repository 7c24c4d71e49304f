//! Field logs: what a patrol did beside its visits, each placed in its grid and counted in the
//! programme's figures. A log is a fact once written: it is never changed or deleted; a mistake
//! is put right by a new log that names the one it corrects (`corrects`), and the figures count
//! the correction in place of the original.
//!
//! # What a log does not hold
//! No one's identity. A person stopped is counted with an outcome and a reason code; who they
//! were belongs to an incident or a case (its reference is kept here), where personal data is
//! read behind a purpose and audited. A mediated dispute counts its parties and names none.

use pingan_core::ValidationError;
use serde::{Deserialize, Serialize};

/// The kinds of field log, one button each on the officer's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// A stop and check of a person, a vehicle or goods.
    StopCheck,
    /// A service to the public.
    Service,
    /// A dispute mediated on the spot.
    Mediation,
    /// Property found and taken in.
    FoundProperty,
    /// A hazard seen and reported (a grid event once that capability exists).
    Hazard,
    /// A case solved on patrol (an arrest, recovered goods), under its incident or case.
    CaseSolved,
}

impl LogKind {
    pub const ALL: [LogKind; 6] = [
        LogKind::StopCheck,
        LogKind::Service,
        LogKind::Mediation,
        LogKind::FoundProperty,
        LogKind::Hazard,
        LogKind::CaseSolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::StopCheck => "stop_check",
            LogKind::Service => "service",
            LogKind::Mediation => "mediation",
            LogKind::FoundProperty => "found_property",
            LogKind::Hazard => "hazard",
            LogKind::CaseSolved => "case_solved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Outcomes of a stop and check.
pub const STOP_OUTCOMES: &[&str] = &[
    "no_action",
    "advised",
    "warned",
    "item_seized",
    "detained",
    "referred",
];
/// Why a stop was made.
pub const STOP_REASONS: &[&str] = &[
    "suspicious_behaviour",
    "suspicious_goods",
    "matches_description",
    "watchlist_alert",
    "traffic",
    "other",
];
/// Services to the public.
pub const SERVICES: &[&str] = &[
    "directions",
    "elderly_help",
    "lost_child",
    "vehicle_breakdown",
    "medical_help",
    "escort",
    "other",
];
/// What a mediated dispute was about.
pub const DISPUTES: &[&str] = &[
    "neighbours",
    "traffic",
    "commercial",
    "family",
    "labour",
    "other",
];
/// How a mediation ended.
pub const MEDIATION_OUTCOMES: &[&str] = &["resolved", "referred", "unresolved"];
/// Hazards.
pub const HAZARDS: &[&str] = &[
    "road_damage",
    "fallen_tree",
    "flooding",
    "fire_risk",
    "electrical",
    "other",
];

/// Most parties one mediation counts.
pub const MAX_PARTIES: u32 = 50;
/// Longest free text (a note, a found item) in characters.
pub const MAX_TEXT: usize = 500;

/// What a log says beyond its kind: the fields its kind takes, all others absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogDetail {
    /// stop_check, mediation: the outcome code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// stop_check: the reason code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// service: the service code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// mediation: how many parties (counted, never named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parties: Option<u32>,
    /// mediation: what the dispute was about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispute: Option<String>,
    /// found_property: what was found (no owner's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// hazard: the hazard code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hazard: Option<String>,
    /// case_solved (required), stop_check (when detained or referred): the incident or case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Free text (at most 500 characters); no one's name or number belongs here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn code(field: &str, value: Option<&String>, allowed: &[&str]) -> Result<(), ValidationError> {
    match value {
        None => Err(ValidationError::new(
            field,
            format!("required: one of {}", allowed.join(", ")),
        )),
        Some(v) if allowed.contains(&v.as_str()) => Ok(()),
        Some(v) => Err(ValidationError::new(
            field,
            format!("{v:?} is not one of {}", allowed.join(", ")),
        )),
    }
}

fn text(field: &str, value: Option<&String>, required: bool) -> Result<(), ValidationError> {
    match value.map(|v| v.trim()) {
        None | Some("") if required => Err(ValidationError::new(field, "required")),
        Some(v) if v.chars().count() > MAX_TEXT => Err(ValidationError::new(
            field,
            format!("at most {MAX_TEXT} characters"),
        )),
        _ => Ok(()),
    }
}

impl LogDetail {
    /// The fields present, by name (for refusing those a kind does not take).
    fn present(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let pairs: [(&'static str, bool); 8] = [
            ("outcome", self.outcome.is_some()),
            ("reason", self.reason.is_some()),
            ("service", self.service.is_some()),
            ("parties", self.parties.is_some()),
            ("dispute", self.dispute.is_some()),
            ("item", self.item.is_some()),
            ("hazard", self.hazard.is_some()),
            ("reference", self.reference.is_some()),
        ];
        for (name, here) in pairs {
            if here {
                out.push(name);
            }
        }
        out
    }

    /// Checks the detail against its kind; fields are named `detail.<name>`.
    pub fn check(&self, kind: LogKind) -> Result<(), ValidationError> {
        let f = |n: &str| format!("detail.{n}");
        let takes: &[&str] = match kind {
            LogKind::StopCheck => &["outcome", "reason", "reference"],
            LogKind::Service => &["service"],
            LogKind::Mediation => &["parties", "dispute", "outcome"],
            LogKind::FoundProperty => &["item"],
            LogKind::Hazard => &["hazard"],
            LogKind::CaseSolved => &["reference"],
        };
        if let Some(extra) = self.present().into_iter().find(|n| !takes.contains(n)) {
            return Err(ValidationError::new(
                f(extra),
                format!("a {} log does not take {extra}", kind.as_str()),
            ));
        }
        text(&f("note"), self.note.as_ref(), false)?;
        match kind {
            LogKind::StopCheck => {
                code(&f("outcome"), self.outcome.as_ref(), STOP_OUTCOMES)?;
                code(&f("reason"), self.reason.as_ref(), STOP_REASONS)?;
                let serious = matches!(self.outcome.as_deref(), Some("detained" | "referred"));
                if serious {
                    text(&f("reference"), self.reference.as_ref(), true)?;
                }
                text(&f("reference"), self.reference.as_ref(), false)
            }
            LogKind::Service => code(&f("service"), self.service.as_ref(), SERVICES),
            LogKind::Mediation => {
                match self.parties {
                    Some(n) if (2..=MAX_PARTIES).contains(&n) => {}
                    Some(n) => {
                        return Err(ValidationError::new(
                            f("parties"),
                            format!("{n}: a dispute has 2 to {MAX_PARTIES} parties"),
                        ))
                    }
                    None => return Err(ValidationError::new(f("parties"), "required")),
                }
                code(&f("dispute"), self.dispute.as_ref(), DISPUTES)?;
                code(&f("outcome"), self.outcome.as_ref(), MEDIATION_OUTCOMES)
            }
            LogKind::FoundProperty => text(&f("item"), self.item.as_ref(), true),
            LogKind::Hazard => code(&f("hazard"), self.hazard.as_ref(), HAZARDS),
            LogKind::CaseSolved => text(&f("reference"), self.reference.as_ref(), true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d() -> LogDetail {
        LogDetail::default()
    }

    #[test]
    fn each_kind_takes_its_own_fields() {
        let stop = LogDetail {
            outcome: Some("advised".into()),
            reason: Some("suspicious_goods".into()),
            ..d()
        };
        assert!(stop.check(LogKind::StopCheck).is_ok());
        let service = LogDetail {
            service: Some("lost_child".into()),
            ..d()
        };
        assert!(service.check(LogKind::Service).is_ok());
        let mediation = LogDetail {
            parties: Some(2),
            dispute: Some("neighbours".into()),
            outcome: Some("resolved".into()),
            ..d()
        };
        assert!(mediation.check(LogKind::Mediation).is_ok());
        let found = LogDetail {
            item: Some("黑色钱包".into()),
            ..d()
        };
        assert!(found.check(LogKind::FoundProperty).is_ok());
        let hazard = LogDetail {
            hazard: Some("flooding".into()),
            ..d()
        };
        assert!(hazard.check(LogKind::Hazard).is_ok());
        let solved = LogDetail {
            reference: Some("INC-1".into()),
            ..d()
        };
        assert!(solved.check(LogKind::CaseSolved).is_ok());
    }

    #[test]
    fn refusals_name_the_field() {
        let field = |detail: LogDetail, kind| detail.check(kind).unwrap_err().field;
        assert_eq!(field(d(), LogKind::Service), "detail.service");
        assert_eq!(
            field(
                LogDetail {
                    service: Some("karaoke".into()),
                    ..d()
                },
                LogKind::Service
            ),
            "detail.service"
        );
        assert_eq!(
            field(
                LogDetail {
                    service: Some("directions".into()),
                    parties: Some(2),
                    ..d()
                },
                LogKind::Service
            ),
            "detail.parties"
        );
        assert_eq!(
            field(
                LogDetail {
                    parties: Some(1),
                    ..d()
                },
                LogKind::Mediation
            ),
            "detail.parties"
        );
        let detained = LogDetail {
            outcome: Some("detained".into()),
            reason: Some("matches_description".into()),
            ..d()
        };
        assert_eq!(field(detained, LogKind::StopCheck), "detail.reference");
        assert_eq!(field(d(), LogKind::CaseSolved), "detail.reference");
        let long = LogDetail {
            item: Some("x".repeat(MAX_TEXT + 1)),
            ..d()
        };
        assert_eq!(field(long, LogKind::FoundProperty), "detail.item");
    }

    #[test]
    fn kinds_round_trip() {
        for k in LogKind::ALL {
            assert_eq!(LogKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
        }
    }
}

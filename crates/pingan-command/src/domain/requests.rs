//! What operators ask of the command centre (the bodies of its requests) and the pure checks
//! each must pass before a use case touches the store. Every refusal names its field.

use crate::domain::incident::{Action, IncidentSource, IncidentType, Priority};
use crate::domain::records::{CallerContact, TimelineKind};
use crate::domain::unit::{check_unit_text, UnitKind, UnitStatus};
use pingan_core::geography::check_lon_lat;
use pingan_core::ids::check_id;
use pingan_core::time::Timestamp;
use pingan_core::ValidationError;
use serde::Deserialize;
use utoipa::ToSchema;

/// Refuses a text whose trimmed length is outside `min..=max` characters.
pub fn check_text(field: &str, v: &str, min: usize, max: usize) -> Result<(), ValidationError> {
    let n = v.trim().chars().count();
    if n < min || n > max {
        return Err(ValidationError::new(
            field,
            format!("must be {min}–{max} characters"),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallerIn {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

impl CallerIn {
    /// The contact as stored (trimmed), or the field that is wrong.
    pub fn check(&self) -> Result<CallerContact, ValidationError> {
        if let Some(n) = &self.name {
            check_text("caller.name", n, 1, 64)?;
        }
        if let Some(p) = &self.phone {
            let ok = (3..=20).contains(&p.chars().count())
                && p.chars()
                    .all(|ch| ch.is_ascii_digit() || matches!(ch, '+' | '-' | ' '));
            if !ok {
                return Err(ValidationError::new(
                    "caller.phone",
                    "must be 3–20 digits, '+', '-' or spaces",
                ));
            }
        }
        Ok(CallerContact {
            name: self.name.as_ref().map(|s| s.trim().to_owned()),
            phone: self.phone.as_ref().map(|s| s.trim().to_owned()),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIncident {
    /// A taxonomy code (`robbery`, `theft.bicycle`, …; see `/incident-types`).
    #[serde(rename = "type")]
    pub incident_type: IncidentType,
    pub source: IncidentSource,
    /// 1 (most urgent) to 4.
    pub priority: Priority,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub address: Option<String>,
    /// The caller's contact (personal data; shown only with a purpose).
    #[serde(default)]
    pub caller: Option<CallerIn>,
    /// When the report came in (RFC 3339 or UTC microseconds); now when absent. Not in the
    /// future.
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub received_at: Option<String>,
}

impl CreateIncident {
    /// Checks the report against the clock: returns when it was received and the caller's
    /// contact (none when both parts are empty).
    pub fn check(
        &self,
        now: Timestamp,
    ) -> Result<(Timestamp, Option<CallerContact>), ValidationError> {
        check_lon_lat("", self.lon, self.lat)
            .map_err(|e| ValidationError::new(e.field.trim_start_matches('.'), e.message))?;
        check_text("description", &self.description, 0, 2000)?;
        if let Some(a) = &self.address {
            check_text("address", a, 1, 200)?;
        }
        let contact = self.caller.as_ref().map(CallerIn::check).transpose()?;
        let received_at =
            Timestamp::parse_field("received_at", self.received_at.as_deref())?.unwrap_or(now);
        if received_at > now.plus_seconds(300) {
            return Err(ValidationError::new("received_at", "is in the future"));
        }
        if received_at < now.minus_seconds(365 * 86_400) {
            return Err(ValidationError::new(
                "received_at",
                "is more than a year ago",
            ));
        }
        Ok((
            received_at,
            contact.filter(|c| c.name.is_some() || c.phone.is_some()),
        ))
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditIncident {
    #[serde(default, rename = "type")]
    pub incident_type: Option<IncidentType>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub description: Option<String>,
    /// The version the operator saw; a stale one is answered with 409 and the incident.
    #[serde(default)]
    pub expected_version: Option<i64>,
}

impl EditIncident {
    pub fn check(&self) -> Result<(), ValidationError> {
        match &self.description {
            Some(d) => check_text("description", d, 0, 2000),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: Action,
    /// The unit to send (dispatch only).
    #[serde(default)]
    pub unit_id: Option<String>,
    /// Required for cancel and reopen.
    #[serde(default)]
    pub reason: Option<String>,
    /// The incident version the operator saw.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// The unit version the operator saw (dispatch only).
    #[serde(default)]
    pub unit_version: Option<i64>,
}

impl TransitionRequest {
    /// Checks the reason and returns the unit to send: dispatch names one, nothing else does.
    pub fn check(&self) -> Result<Option<&str>, ValidationError> {
        crate::domain::incident::check_reason(self.action, self.reason.as_deref())?;
        match (self.action, &self.unit_id) {
            (Action::Dispatch, None) => Err(ValidationError::new(
                "unit_id",
                "dispatch needs the unit to send",
            )),
            (Action::Dispatch, Some(u)) => Ok(Some(u)),
            (_, Some(_)) => Err(ValidationError::new(
                "unit_id",
                "only dispatch names a unit",
            )),
            (_, None) => Ok(None),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineRequest {
    /// `note`, `action` or `attachment`.
    pub kind: TimelineKind,
    #[serde(default)]
    pub text: Option<String>,
    /// For attachments: an `https://`/`http://` URL or a path under `/api/`.
    #[serde(default)]
    pub link: Option<String>,
}

impl TimelineRequest {
    pub fn check(&self) -> Result<(), ValidationError> {
        match self.kind {
            TimelineKind::Note | TimelineKind::Action => {
                check_text("text", self.text.as_deref().unwrap_or(""), 1, 2000)?;
                if self.link.is_some() {
                    return Err(ValidationError::new(
                        "link",
                        "only attachments carry a link",
                    ));
                }
            }
            TimelineKind::Attachment => {
                let link = self.link.as_deref().unwrap_or("");
                let ok = (link.starts_with("https://")
                    || link.starts_with("http://")
                    || link.starts_with("/api/"))
                    && link.len() <= 500
                    && !link.chars().any(char::is_whitespace);
                if !ok {
                    return Err(ValidationError::new(
                        "link",
                        "must be an http(s) URL or a path under /api/, at most 500 characters",
                    ));
                }
                if let Some(t) = &self.text {
                    check_text("text", t, 0, 2000)?;
                }
            }
            TimelineKind::Transition | TimelineKind::Edit => {
                return Err(ValidationError::new(
                    "kind",
                    "use note, action or attachment; transitions have their own route",
                ))
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUnit {
    pub id: String,
    pub call_sign: String,
    pub kind: UnitKind,
    #[serde(default)]
    pub crew: Vec<String>,
    pub agency: String,
    /// The unit's GPS device (a registered device of kind `unit`).
    #[serde(default)]
    pub device_id: Option<String>,
    /// `available` (default), `on_patrol`, `busy` or `off_duty`.
    #[serde(default)]
    pub status: Option<UnitStatus>,
}

impl CreateUnit {
    /// Checks the fields; returns the status the unit starts in.
    pub fn check(&self) -> Result<UnitStatus, ValidationError> {
        check_id("id", &self.id)?;
        check_unit_text(&self.call_sign, &self.crew, &self.agency)?;
        if let Some(d) = &self.device_id {
            check_id("device_id", d)?;
        }
        let status = self.status.unwrap_or(UnitStatus::Available);
        if status.is_assignment() {
            return Err(ValidationError::new(
                "status",
                "dispatched, en_route and on_scene come from incidents; use available, on_patrol, busy or off_duty",
            ));
        }
        Ok(status)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    /// `available`, `on_patrol`, `busy` or `off_duty`.
    pub status: UnitStatus,
    /// The unit version the operator saw; a stale one is answered with 409 and the unit.
    #[serde(default)]
    pub expected_version: Option<i64>,
}

impl SetStatus {
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.status.is_assignment() {
            return Err(ValidationError::new(
                "status",
                "dispatched, en_route and on_scene are set through the incident's transitions",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> CreateIncident {
        serde_json::from_value(serde_json::json!({
            "type": "theft.bicycle", "source": "phone_110", "priority": 3,
            "lon": 116.4, "lat": 39.9,
        }))
        .expect("a valid report")
    }

    #[test]
    fn a_report_is_checked_against_the_clock() {
        let now = Timestamp::from_seconds(1_800_000_000);
        let mut r = report();
        assert_eq!(r.check(now).expect("valid").0, now);
        r.received_at = Some(now.plus_seconds(301).micros().to_string());
        assert_eq!(r.check(now).unwrap_err().field, "received_at");
        r.received_at = Some("yesterday".into());
        assert_eq!(r.check(now).unwrap_err().field, "received_at");
        r.received_at = None;
        r.lat = 91.0;
        assert_eq!(r.check(now).unwrap_err().field, "lat");
    }

    #[test]
    fn an_empty_caller_is_not_stored_and_a_bad_phone_is_named() {
        let now = Timestamp::from_seconds(1_800_000_000);
        let mut r = report();
        r.caller = Some(CallerIn {
            name: None,
            phone: None,
        });
        assert_eq!(r.check(now).expect("valid").1, None);
        r.caller = Some(CallerIn {
            name: None,
            phone: Some("call me".into()),
        });
        assert_eq!(r.check(now).unwrap_err().field, "caller.phone");
    }

    #[test]
    fn only_dispatch_names_a_unit() {
        let t = |action, unit: Option<&str>| TransitionRequest {
            action,
            unit_id: unit.map(str::to_owned),
            reason: None,
            expected_version: None,
            unit_version: None,
        };
        assert_eq!(
            t(Action::Dispatch, Some("u1")).check().expect("valid"),
            Some("u1")
        );
        assert_eq!(
            t(Action::Dispatch, None).check().unwrap_err().field,
            "unit_id"
        );
        assert_eq!(
            t(Action::EnRoute, Some("u1")).check().unwrap_err().field,
            "unit_id"
        );
    }

    #[test]
    fn timeline_links_belong_to_attachments() {
        let r = |kind, text: Option<&str>, link: Option<&str>| TimelineRequest {
            kind,
            text: text.map(str::to_owned),
            link: link.map(str::to_owned),
        };
        assert!(r(TimelineKind::Note, Some("seen"), None).check().is_ok());
        assert_eq!(
            r(TimelineKind::Note, Some("seen"), Some("https://x"))
                .check()
                .unwrap_err()
                .field,
            "link"
        );
        assert_eq!(
            r(TimelineKind::Attachment, None, Some("file:///etc/passwd"))
                .check()
                .unwrap_err()
                .field,
            "link"
        );
        assert!(r(TimelineKind::Attachment, None, Some("/api/v1/x"))
            .check()
            .is_ok());
        assert_eq!(
            r(TimelineKind::Edit, Some("x"), None)
                .check()
                .unwrap_err()
                .field,
            "kind"
        );
    }
}

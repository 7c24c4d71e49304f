//! Response units (cars, motorbikes, officers on foot), their status, and their GPS fixes.
//!
//! A unit's status moves with the incidents it is assigned to ([`status_after`]); operators set
//! the other statuses (available, on patrol, busy, off duty) by hand. GPS fixes are classified
//! against the unit's last known fix by [`classify_fix`], a pure rule the HTTP and MQTT paths
//! share.
//!
//! # What it does not do
//! It keeps no tracks and reads no clock: the store keeps tracks, the server passes `now`.

use crate::domain::incident::{Action, IncidentId};
use pingan_core::ids::DeviceId;
use pingan_core::time::Timestamp;
use pingan_core::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

pingan_core::text_id!(
    /// A response unit (its call sign's stable id, e.g. `car-12`).
    #[derive(utoipa::ToSchema)]
    UnitId
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Car,
    Motorbike,
    Foot,
}

impl UnitKind {
    pub const ALL: [UnitKind; 3] = [UnitKind::Car, UnitKind::Motorbike, UnitKind::Foot];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Car => "car",
            UnitKind::Motorbike => "motorbike",
            UnitKind::Foot => "foot",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    Available,
    OnPatrol,
    Dispatched,
    EnRoute,
    OnScene,
    Busy,
    OffDuty,
}

impl UnitStatus {
    pub const ALL: [UnitStatus; 7] = [
        UnitStatus::Available,
        UnitStatus::OnPatrol,
        UnitStatus::Dispatched,
        UnitStatus::EnRoute,
        UnitStatus::OnScene,
        UnitStatus::Busy,
        UnitStatus::OffDuty,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitStatus::Available => "available",
            UnitStatus::OnPatrol => "on_patrol",
            UnitStatus::Dispatched => "dispatched",
            UnitStatus::EnRoute => "en_route",
            UnitStatus::OnScene => "on_scene",
            UnitStatus::Busy => "busy",
            UnitStatus::OffDuty => "off_duty",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the unit may be sent to an incident: free, or patrolling (a patrol is
    /// interrupted for an incident).
    pub fn is_dispatchable(self) -> bool {
        matches!(self, UnitStatus::Available | UnitStatus::OnPatrol)
    }

    /// Whether the status comes from an incident assignment (and so may not be set by hand).
    pub fn is_assignment(self) -> bool {
        matches!(
            self,
            UnitStatus::Dispatched | UnitStatus::EnRoute | UnitStatus::OnScene
        )
    }
}

impl fmt::Display for UnitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an incident action changes an assigned unit's status, or `None` when it does not.
///
/// Units only move forward: a unit already on scene stays on scene when the incident is marked
/// en route (a second unit is then the one travelling).
pub fn status_after(action: Action, current: UnitStatus) -> Option<UnitStatus> {
    match action {
        Action::Dispatch => Some(UnitStatus::Dispatched),
        Action::EnRoute if current == UnitStatus::Dispatched => Some(UnitStatus::EnRoute),
        Action::OnScene if matches!(current, UnitStatus::Dispatched | UnitStatus::EnRoute) => {
            Some(UnitStatus::OnScene)
        }
        Action::Clear | Action::Cancel => Some(UnitStatus::Available),
        _ => None,
    }
}

/// A unit as the API shows it, with its last known position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: UnitId,
    pub call_sign: String,
    pub kind: UnitKind,
    pub crew: Vec<String>,
    pub agency: String,
    pub status: UnitStatus,
    /// The GPS device that reports this unit's position.
    #[schema(value_type = Option<pingan_server::schema::DeviceId>)]
    pub device_id: Option<DeviceId>,
    /// The incident the unit is assigned to.
    pub incident_id: Option<IncidentId>,
    pub last_fix: Option<Fix>,
    /// Bumped by every change; a dispatch names the version it saw.
    pub version: i64,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub updated_at: Timestamp,
}

/// One GPS fix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fix {
    /// When the device took the fix.
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub at: Timestamp,
    pub lon: f64,
    pub lat: f64,
    pub speed_kmh: Option<f64>,
    pub heading_deg: Option<f64>,
    pub accuracy_m: Option<f64>,
}

impl Fix {
    /// Checks the fix's numbers (not its time; see [`classify_fix`]).
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        pingan_core::geography::check_lon_lat(field, self.lon, self.lat)?;
        let check = |name: &str, v: Option<f64>, max: f64| match v {
            Some(x) if !x.is_finite() || !(0.0..=max).contains(&x) => Err(ValidationError::new(
                format!("{field}.{name}"),
                format!("{x} is outside 0…{max}"),
            )),
            _ => Ok(()),
        };
        check("speed_kmh", self.speed_kmh, 400.0)?;
        check("heading_deg", self.heading_deg, 360.0)?;
        check("accuracy_m", self.accuracy_m, 10_000.0)
    }
}

/// What to do with an incoming fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FixClass {
    /// Newer than the last known fix: store it, make it the last known position, publish it.
    Current,
    /// Older than the last known fix (a buffered upload arriving late): store it in the track
    /// only; the live position does not jump back.
    Late,
    /// Same time as the last known fix: already recorded, ignored.
    Duplicate,
}

/// Limits on the times of incoming fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixLimits {
    /// Fixes older than this (seconds before now) are refused: they would fall out of the
    /// track's retention at once, and a device sending them has a broken clock or queue.
    pub max_age_s: i64,
    /// Fixes further in the future than this (seconds) are refused (device clock ahead).
    pub max_ahead_s: i64,
}

impl Default for FixLimits {
    fn default() -> Self {
        Self {
            max_age_s: 24 * 3600,
            max_ahead_s: 300,
        }
    }
}

/// Classifies a fix against the unit's last known fix time, or refuses it as stale or from
/// the future. `last` is `None` for a unit never heard from.
///
/// A late fix with the same time as an *older* stored fix is a duplicate too; only the store can
/// tell (its primary key is unit and time), so the store reports those as duplicates.
pub fn classify_fix(
    at: Timestamp,
    last: Option<Timestamp>,
    now: Timestamp,
    limits: FixLimits,
) -> Result<FixClass, ValidationError> {
    if at < now.minus_seconds(limits.max_age_s) {
        return Err(ValidationError::new(
            "at",
            format!(
                "fix at {at} is stale: older than {} s before now",
                limits.max_age_s
            ),
        ));
    }
    if at > now.plus_seconds(limits.max_ahead_s) {
        return Err(ValidationError::new(
            "at",
            format!(
                "fix at {at} is more than {} s in the future (device clock ahead?)",
                limits.max_ahead_s
            ),
        ));
    }
    Ok(match last {
        Some(l) if at == l => FixClass::Duplicate,
        Some(l) if at < l => FixClass::Late,
        _ => FixClass::Current,
    })
}

/// A unit with the freshness of its position.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitView {
    #[serde(flatten)]
    pub unit: Unit,
    /// True when the unit has no position or its last fix is older than the stale limit.
    pub position_stale: bool,
    /// Seconds since the last fix.
    pub last_fix_age_s: Option<i64>,
}

/// How a unit looks at `now`: its position is stale after `stale_after_s` seconds of silence.
pub fn view(unit: Unit, now: Timestamp, stale_after_s: i64) -> UnitView {
    let age = unit
        .last_fix
        .map(|f| (now.micros() - f.at.micros()).div_euclid(1_000_000));
    UnitView {
        position_stale: age.is_none_or(|a| a > stale_after_s),
        last_fix_age_s: age,
        unit,
    }
}

/// Checks a call sign, crew names and agency from input.
pub fn check_unit_text(
    call_sign: &str,
    crew: &[String],
    agency: &str,
) -> Result<(), ValidationError> {
    let len_ok = |s: &str, max: usize| !s.trim().is_empty() && s.chars().count() <= max;
    if !len_ok(call_sign, 32) {
        return Err(ValidationError::new("call_sign", "must be 1–32 characters"));
    }
    if crew.len() > 8 {
        return Err(ValidationError::new("crew", "at most 8 people"));
    }
    if let Some(i) = crew.iter().position(|c| !len_ok(c, 64)) {
        return Err(ValidationError::new(
            format!("crew[{i}]"),
            "must be 1–64 characters",
        ));
    }
    if !len_ok(agency, 64) {
        return Err(ValidationError::new("agency", "must be 1–64 characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_actions_move_units_forward_only() {
        assert_eq!(
            status_after(Action::Dispatch, UnitStatus::Available),
            Some(UnitStatus::Dispatched)
        );
        assert_eq!(
            status_after(Action::EnRoute, UnitStatus::Dispatched),
            Some(UnitStatus::EnRoute)
        );
        assert_eq!(status_after(Action::EnRoute, UnitStatus::OnScene), None);
        assert_eq!(
            status_after(Action::OnScene, UnitStatus::Dispatched),
            Some(UnitStatus::OnScene)
        );
        assert_eq!(
            status_after(Action::Cancel, UnitStatus::EnRoute),
            Some(UnitStatus::Available)
        );
        assert_eq!(status_after(Action::Close, UnitStatus::Available), None);
        assert!(UnitStatus::OnPatrol.is_dispatchable());
        assert!(!UnitStatus::Busy.is_dispatchable());
        assert!(!UnitStatus::OffDuty.is_dispatchable());
    }

    #[test]
    fn fixes_are_classified_against_the_last_one() {
        let now = Timestamp::from_seconds(1_000_000);
        let l = FixLimits::default();
        let last = Some(now.minus_seconds(10));
        assert_eq!(classify_fix(now, last, now, l).unwrap(), FixClass::Current);
        assert_eq!(classify_fix(now, None, now, l).unwrap(), FixClass::Current);
        assert_eq!(
            classify_fix(now.minus_seconds(10), last, now, l).unwrap(),
            FixClass::Duplicate
        );
        assert_eq!(
            classify_fix(now.minus_seconds(60), last, now, l).unwrap(),
            FixClass::Late
        );
        let e = classify_fix(now.minus_seconds(2 * 86_400), last, now, l).unwrap_err();
        assert!(e.message.contains("stale"), "{e}");
        assert!(classify_fix(now.plus_seconds(3600), last, now, l).is_err());
    }

    #[test]
    fn fix_numbers_are_checked() {
        let f = Fix {
            at: Timestamp(0),
            lon: 118.9,
            lat: 35.0,
            speed_kmh: Some(60.0),
            heading_deg: Some(90.0),
            accuracy_m: None,
        };
        assert!(f.validate("fix").is_ok());
        let bad = Fix {
            heading_deg: Some(400.0),
            ..f
        };
        assert_eq!(bad.validate("fix").unwrap_err().field, "fix.heading_deg");
        let bad = Fix { lat: f64::NAN, ..f };
        assert_eq!(bad.validate("fix").unwrap_err().field, "fix.lat");
    }

    #[test]
    fn unit_text_is_checked() {
        assert!(check_unit_text("巡逻一组", &["张伟".into()], "城关派出所").is_ok());
        assert!(check_unit_text("", &[], "x").is_err());
        assert_eq!(
            check_unit_text("c", &["".into()], "x").unwrap_err().field,
            "crew[0]"
        );
    }
}

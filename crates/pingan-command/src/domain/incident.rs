//! Incidents: the type taxonomy, where a report came from, its priority, and the lifecycle.
//!
//! # The lifecycle
//! ```text
//!             dispatch            en_route          on_scene          clear           close
//!  received ───────────▶ dispatched ───────▶ en route ───────▶ on scene ──────▶ cleared ──────▶ closed
//!     │  ▲                   │  └──────────── on_scene ─────────▶▲                 │              │
//!     │  └─ (dispatch) ── reopened ◀──────────── reopen (reason) ─┼─────────────────┴──────────────┤
//!     │                      │                                    │                                │
//!     └──── cancel (reason) ─┴──────────── from any open state ───┴──▶ cancelled ── reopen ────────┘
//! ```
//! [`transition`] is the whole rule: a pure function from a state and an [`Action`] to the next
//! state, or an [`IllegalTransition`] that says why not. Dispatching a further unit to an incident
//! that is already dispatched, en route or on scene is allowed and leaves the state unchanged.
//!
//! # What it does not do
//! It does not know units' statuses (see [`crate::domain::unit`]) or storage; the server loads the
//! incident, asks this module, and hands the result to the store, which applies it atomically
//! against the version it read (optimistic concurrency).

use pingan_core::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

mod refusal;
pub use refusal::Refusal;

pingan_core::text_id!(
    /// An incident (`INC-…`).
    #[derive(utoipa::ToSchema)]
    IncidentId
);

/// The sub-types of theft (盗窃).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TheftKind {
    Bicycle,
    EbikeMotorcycle,
    Vehicle,
    FromVehicle,
    Burglary,
    Pickpocketing,
    Other,
}

/// An incident's type: a leaf of the taxonomy. Theft always names its sub-type
/// (`theft.other` when unknown), so that counts by sub-type add up to the theft total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IncidentType {
    Robbery,
    Snatching,
    Theft(TheftKind),
    Fraud,
    Assault,
    Dispute,
    PublicOrder,
    TrafficAccident,
    Fire,
    FloodWeather,
    MissingPerson,
    Assistance,
    Other,
}

/// One row of the taxonomy: `(code, parent code, zh label, en label)`.
struct TypeRow {
    ty: IncidentType,
    code: &'static str,
    zh: &'static str,
    en: &'static str,
}

const fn row(ty: IncidentType, code: &'static str, zh: &'static str, en: &'static str) -> TypeRow {
    TypeRow { ty, code, zh, en }
}

use IncidentType as T;
use TheftKind as K;

/// THE taxonomy table, in display order. Every leaf type appears exactly once (a test checks).
const TYPES: &[TypeRow] = &[
    row(T::Robbery, "robbery", "抢劫", "Robbery"),
    row(T::Snatching, "snatching", "抢夺", "Snatching"),
    row(
        T::Theft(K::Bicycle),
        "theft.bicycle",
        "盗窃自行车",
        "Bicycle theft",
    ),
    row(
        T::Theft(K::EbikeMotorcycle),
        "theft.ebike_motorcycle",
        "盗窃电动车、摩托车",
        "E-bike or motorcycle theft",
    ),
    row(
        T::Theft(K::Vehicle),
        "theft.vehicle",
        "盗窃机动车",
        "Vehicle theft",
    ),
    row(
        T::Theft(K::FromVehicle),
        "theft.from_vehicle",
        "盗窃车内财物",
        "Theft from a vehicle",
    ),
    row(
        T::Theft(K::Burglary),
        "theft.burglary",
        "入室盗窃",
        "Burglary",
    ),
    row(
        T::Theft(K::Pickpocketing),
        "theft.pickpocketing",
        "扒窃",
        "Pickpocketing",
    ),
    row(T::Theft(K::Other), "theft.other", "其他盗窃", "Other theft"),
    row(T::Fraud, "fraud", "诈骗", "Fraud"),
    row(T::Assault, "assault", "殴打他人", "Assault"),
    row(T::Dispute, "dispute", "纠纷", "Dispute"),
    row(
        T::PublicOrder,
        "public_order",
        "扰乱公共秩序",
        "Public order",
    ),
    row(
        T::TrafficAccident,
        "traffic_accident",
        "交通事故",
        "Traffic accident",
    ),
    row(T::Fire, "fire", "火灾", "Fire"),
    row(
        T::FloodWeather,
        "flood_weather",
        "水灾、气象灾害",
        "Flood or weather",
    ),
    row(
        T::MissingPerson,
        "missing_person",
        "人员走失",
        "Missing person",
    ),
    row(T::Assistance, "assistance", "群众求助", "Assistance"),
    row(T::Other, "other", "其他", "Other"),
];

/// A taxonomy entry as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TaxonomyEntry {
    pub code: &'static str,
    /// The parent category's code (`theft` for its sub-types), `None` for top-level types.
    pub parent: Option<&'static str>,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    /// Whether incidents may carry this code (categories with sub-types may not).
    pub assignable: bool,
}

impl IncidentType {
    fn row(self) -> &'static TypeRow {
        // Every variant is in TYPES (tested), so the fallback is never taken; it keeps the
        // function total without a panic.
        TYPES
            .iter()
            .find(|r| r.ty == self)
            .unwrap_or(&TYPES[TYPES.len() - 1])
    }

    pub fn code(self) -> &'static str {
        self.row().code
    }

    pub fn label_zh(self) -> &'static str {
        self.row().zh
    }

    pub fn label_en(self) -> &'static str {
        self.row().en
    }

    /// The top-level category's code: `theft` for every theft, else the type's own code.
    pub fn category(self) -> &'static str {
        match self {
            IncidentType::Theft(_) => "theft",
            other => other.code(),
        }
    }

    /// Every assignable type, in display order.
    pub fn all() -> impl Iterator<Item = IncidentType> {
        TYPES.iter().map(|r| r.ty)
    }

    /// Parses a type code; the error lists what is accepted.
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        if let Some(r) = TYPES.iter().find(|r| r.code == code) {
            return Ok(r.ty);
        }
        let message = if code == "theft" {
            "theft needs a sub-type: theft.bicycle, theft.ebike_motorcycle, theft.vehicle, \
             theft.from_vehicle, theft.burglary, theft.pickpocketing or theft.other"
                .to_owned()
        } else {
            format!(
                "unknown incident type {code:?}; see GET /api/v1/incident-types for the codes ({})",
                TYPES.iter().map(|r| r.code).collect::<Vec<_>>().join(", ")
            )
        };
        Err(ValidationError::new("type", message))
    }

    /// The taxonomy as a flat list with parents, for the API and the documentation.
    pub fn taxonomy() -> Vec<TaxonomyEntry> {
        let mut out = Vec::with_capacity(TYPES.len() + 1);
        for r in TYPES {
            if r.ty == IncidentType::Theft(TheftKind::Bicycle) {
                out.push(TaxonomyEntry {
                    code: "theft",
                    parent: None,
                    label_zh: "盗窃",
                    label_en: "Theft",
                    assignable: false,
                });
            }
            out.push(TaxonomyEntry {
                code: r.code,
                parent: matches!(r.ty, IncidentType::Theft(_)).then_some("theft"),
                label_zh: r.zh,
                label_en: r.en,
                assignable: true,
            });
        }
        out
    }

    /// The taxonomy as a Markdown table (for docs/command-centre.md; a test keeps it in step).
    pub fn taxonomy_markdown() -> String {
        let mut s = String::from("| code | parent | 中文 | English |\n|---|---|---|---|\n");
        for e in Self::taxonomy() {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                e.code,
                e.parent.unwrap_or(""),
                e.label_zh,
                e.label_en
            ));
        }
        s
    }
}

impl fmt::Display for IncidentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for IncidentType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for IncidentType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        IncidentType::parse(&code).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl utoipa::PartialSchema for IncidentType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(TYPES.iter().map(|r| r.code)))
            .into()
    }
}

impl utoipa::ToSchema for IncidentType {}

/// Where a report came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentSource {
    /// A 110 phone call.
    #[serde(rename = "phone_110")]
    Phone110,
    /// Someone walked into a station.
    WalkIn,
    /// An officer saw it.
    OfficerOnView,
    /// A watch-list hit on a plate read.
    WatchlistHit,
    /// A camera's detection event.
    CameraDetection,
    /// A grid worker's report, escalated.
    GridReport,
}

impl IncidentSource {
    pub const ALL: [IncidentSource; 6] = [
        IncidentSource::Phone110,
        IncidentSource::WalkIn,
        IncidentSource::OfficerOnView,
        IncidentSource::WatchlistHit,
        IncidentSource::CameraDetection,
        IncidentSource::GridReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentSource::Phone110 => "phone_110",
            IncidentSource::WalkIn => "walk_in",
            IncidentSource::OfficerOnView => "officer_on_view",
            IncidentSource::WatchlistHit => "watchlist_hit",
            IncidentSource::CameraDetection => "camera_detection",
            IncidentSource::GridReport => "grid_report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Priority 1 (most urgent: life at risk, crime in progress) to 4 (no urgency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Priority(u8);

impl Priority {
    pub const MOST_URGENT: Priority = Priority(1);
    pub const LEAST_URGENT: Priority = Priority(4);

    pub fn new(p: i64) -> Result<Self, ValidationError> {
        match u8::try_from(p) {
            Ok(v @ 1..=4) => Ok(Priority(v)),
            _ => Err(ValidationError::new(
                "priority",
                format!("priority {p} is out of range; use 1 (most urgent) to 4"),
            )),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        Priority::new(v).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// Where an incident is in its lifecycle.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    Received,
    Dispatched,
    EnRoute,
    OnScene,
    Cleared,
    Closed,
    Cancelled,
    Reopened,
}

impl IncidentState {
    pub const ALL: [IncidentState; 8] = [
        IncidentState::Received,
        IncidentState::Dispatched,
        IncidentState::EnRoute,
        IncidentState::OnScene,
        IncidentState::Cleared,
        IncidentState::Closed,
        IncidentState::Cancelled,
        IncidentState::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentState::Received => "received",
            IncidentState::Dispatched => "dispatched",
            IncidentState::EnRoute => "en_route",
            IncidentState::OnScene => "on_scene",
            IncidentState::Cleared => "cleared",
            IncidentState::Closed => "closed",
            IncidentState::Cancelled => "cancelled",
            IncidentState::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the incident still needs attention (it is in the operators' queue).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            IncidentState::Cleared | IncidentState::Closed | IncidentState::Cancelled
        )
    }

    /// Whether units may be sent to it.
    fn accepts_units(self) -> bool {
        matches!(
            self,
            IncidentState::Received
                | IncidentState::Reopened
                | IncidentState::Dispatched
                | IncidentState::EnRoute
                | IncidentState::OnScene
        )
    }
}

impl fmt::Display for IncidentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an operator (or a unit) does to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Send a unit (names the unit).
    Dispatch,
    /// The assigned units are on their way.
    EnRoute,
    /// The assigned units have arrived.
    OnScene,
    /// Work on scene is finished; the units are released.
    Clear,
    /// The record is complete.
    Close,
    /// Called off (needs a reason); the units are released.
    Cancel,
    /// Taken up again after clearing, closing or cancelling (needs a reason).
    Reopen,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::Dispatch,
        Action::EnRoute,
        Action::OnScene,
        Action::Clear,
        Action::Close,
        Action::Cancel,
        Action::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Dispatch => "dispatch",
            Action::EnRoute => "en_route",
            Action::OnScene => "on_scene",
            Action::Clear => "clear",
            Action::Close => "close",
            Action::Cancel => "cancel",
            Action::Reopen => "reopen",
        }
    }

    /// Whether the action must carry a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Cancel | Action::Reopen)
    }

    /// Whether the action releases the incident's units.
    pub fn releases_units(self) -> bool {
        matches!(self, Action::Clear | Action::Cancel)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused transition: from which state, which action, and why ([`Refusal`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, utoipa::ToSchema)]
#[error("cannot {action} an incident that is {from}: {reason}")]
pub struct IllegalTransition {
    pub from: IncidentState,
    pub action: Action,
    pub reason: Refusal,
}

/// Checks a reason for cancel/reopen: present, 1–500 characters.
pub fn check_reason(action: Action, reason: Option<&str>) -> Result<(), ValidationError> {
    match reason.map(str::trim) {
        Some(r) if !r.is_empty() && r.chars().count() <= 500 => Ok(()),
        Some(r) if !r.is_empty() => Err(ValidationError::new("reason", "at most 500 characters")),
        _ if action.needs_reason() => Err(ValidationError::new(
            "reason",
            format!("{action} needs a reason"),
        )),
        _ => Ok(()),
    }
}

/// THE lifecycle rule: the state after `action`, or why the action is refused.
///
/// `has_units` says whether units are assigned now; `en_route` and `on_scene` need one.
pub fn transition(
    from: IncidentState,
    action: Action,
    has_units: bool,
) -> Result<IncidentState, IllegalTransition> {
    use IncidentState as S;
    use Refusal as R;
    let refuse = |reason: Refusal| IllegalTransition {
        from,
        action,
        reason,
    };
    match action {
        Action::Dispatch if from.accepts_units() => Ok(match from {
            S::Received | S::Reopened => S::Dispatched,
            other => other,
        }),
        Action::Dispatch => Err(refuse(R::Finished)),
        Action::EnRoute | Action::OnScene if !has_units && from.accepts_units() => {
            Err(refuse(R::NoUnit))
        }
        Action::EnRoute => match from {
            S::Dispatched => Ok(S::EnRoute),
            S::EnRoute => Err(refuse(R::AlreadyEnRoute)),
            S::OnScene => Err(refuse(R::AlreadyOnScene)),
            S::Received | S::Reopened => Err(refuse(R::NoUnit)),
            _ => Err(refuse(R::Finished)),
        },
        Action::OnScene => match from {
            S::Dispatched | S::EnRoute => Ok(S::OnScene),
            S::OnScene => Err(refuse(R::AlreadyOnScene)),
            S::Received | S::Reopened => Err(refuse(R::NoUnit)),
            _ => Err(refuse(R::Finished)),
        },
        Action::Clear => match from {
            S::OnScene => Ok(S::Cleared),
            S::Cleared => Err(refuse(R::AlreadyCleared)),
            S::Closed | S::Cancelled => Err(refuse(R::Finished)),
            _ => Err(refuse(R::NotOnScene)),
        },
        Action::Close => match from {
            S::Cleared => Ok(S::Closed),
            S::Closed => Err(refuse(R::AlreadyClosed)),
            S::Cancelled => Err(refuse(R::CancelledStays)),
            _ => Err(refuse(R::NotCleared)),
        },
        Action::Cancel if from.is_open() => Ok(S::Cancelled),
        Action::Cancel => Err(refuse(R::AlreadyFinished)),
        Action::Reopen if from.is_open() => Err(refuse(R::StillOpen)),
        Action::Reopen => Ok(S::Reopened),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use IncidentState as S;

    #[test]
    fn every_type_round_trips_and_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for t in IncidentType::all() {
            assert!(seen.insert(t.code()), "{t:?} listed twice");
            assert_eq!(IncidentType::parse(t.code()).unwrap(), t);
            assert_eq!(serde_json::to_value(t).unwrap(), t.code());
        }
        for k in [
            K::Bicycle,
            K::EbikeMotorcycle,
            K::Vehicle,
            K::FromVehicle,
            K::Burglary,
            K::Pickpocketing,
            K::Other,
        ] {
            assert!(seen.contains(T::Theft(k).code()));
            assert_eq!(T::Theft(k).category(), "theft");
        }
        assert_eq!(seen.len(), 19);
        assert_eq!(T::Robbery.label_zh(), "抢劫");
        assert_eq!(T::Snatching.label_zh(), "抢夺");
    }

    #[test]
    fn unknown_types_and_bare_theft_are_refused_with_help() {
        let e = IncidentType::parse("volcano").unwrap_err();
        assert_eq!(e.field, "type");
        assert!(e.message.contains("robbery"), "{e}");
        let e = IncidentType::parse("theft").unwrap_err();
        assert!(e.message.contains("theft.other"), "{e}");
        assert!(serde_json::from_str::<IncidentType>("\"theft.bicycle\"").is_ok());
        assert!(serde_json::from_str::<IncidentType>("\"theft.boat\"").is_err());
    }

    #[test]
    fn source_names_match_serde() {
        for v in IncidentSource::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in IncidentState::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in Action::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
    }

    #[test]
    fn priorities_are_one_to_four() {
        assert!(Priority::new(0).is_err());
        assert!(Priority::new(5).is_err());
        assert!(Priority::new(-1).is_err());
        assert_eq!(Priority::new(1).unwrap(), Priority::MOST_URGENT);
        assert!(serde_json::from_str::<Priority>("7").is_err());
        assert!(serde_json::from_str::<Priority>("2.5").is_err());
    }

    #[test]
    fn the_happy_path_runs_to_closed() {
        let mut s = S::Received;
        for (a, units) in [
            (Action::Dispatch, false),
            (Action::EnRoute, true),
            (Action::OnScene, true),
            (Action::Clear, true),
            (Action::Close, false),
        ] {
            s = transition(s, a, units).unwrap();
        }
        assert_eq!(s, S::Closed);
        assert_eq!(transition(s, Action::Reopen, false).unwrap(), S::Reopened);
    }

    #[test]
    fn illegal_transitions_say_why() {
        let e = transition(S::Received, Action::Clear, false).unwrap_err();
        assert_eq!(e.reason, Refusal::NotOnScene);
        assert!(e.reason.text().contains("cancel"), "{e}");
        let e = transition(S::Closed, Action::Dispatch, false).unwrap_err();
        assert_eq!(e.reason, Refusal::Finished);
        assert!(e.reason.text().contains("reopen"), "{e}");
        let e = transition(S::Received, Action::Reopen, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot reopen an incident that is received: it is still open"
        );
        assert!(transition(S::Dispatched, Action::EnRoute, false).is_err());
        assert!(transition(S::Cancelled, Action::Close, false).is_err());
    }

    #[test]
    fn every_refusal_the_rule_gives_is_listed() {
        for from in IncidentState::ALL {
            for action in Action::ALL {
                for units in [false, true] {
                    if let Err(e) = transition(from, action, units) {
                        assert!(Refusal::ALL.contains(&e.reason));
                    }
                }
            }
        }
    }

    #[test]
    fn reasons_are_required_for_cancel_and_reopen() {
        assert!(check_reason(Action::Cancel, None).is_err());
        assert!(check_reason(Action::Reopen, Some("  ")).is_err());
        assert!(check_reason(Action::Cancel, Some("caller withdrew")).is_ok());
        assert!(check_reason(Action::Dispatch, None).is_ok());
        assert!(check_reason(Action::Dispatch, Some(&"x".repeat(501))).is_err());
    }

    #[test]
    fn the_taxonomy_table_has_the_theft_category() {
        let md = IncidentType::taxonomy_markdown();
        assert!(md.contains("| `theft` |  | 盗窃 | Theft |"), "{md}");
        assert!(
            md.contains("| `theft.burglary` | theft | 入室盗窃 | Burglary |"),
            "{md}"
        );
    }

    fn action() -> impl Strategy<Value = Action> {
        prop::sample::select(Action::ALL.to_vec())
    }

    proptest! {
        /// Over any sequence of actions: finished incidents take no units; a refused action
        /// leaves the state as it was (the caller keeps it); only reopen leaves a finished
        /// state; cancelled/closed are reached only by cancel/close; and the time a state
        /// first appears respects the lifecycle order.
        #[test]
        fn random_sequences_keep_the_invariants(actions in prop::collection::vec(action(), 0..40)) {
            let mut s = S::Received;
            let mut units = false;
            for a in actions {
                let before = s;
                match transition(s, a, units) {
                    Ok(next) => {
                        if matches!(before, S::Closed | S::Cancelled) {
                            prop_assert_eq!(a, Action::Reopen);
                        }
                        if before == S::Cleared {
                            prop_assert!(matches!(a, Action::Close | Action::Reopen));
                        }
                        if next == S::Cancelled { prop_assert_eq!(a, Action::Cancel); }
                        if next == S::Closed { prop_assert_eq!(before, S::Cleared); }
                        if next == S::OnScene && before != S::OnScene { prop_assert!(units); }
                        if a == Action::Dispatch { units = true; }
                        if a.releases_units() || a == Action::Reopen { units = false; }
                        s = next;
                    }
                    Err(e) => {
                        prop_assert_eq!(e.from, before);
                        prop_assert!(Refusal::ALL.contains(&e.reason));
                    }
                }
                prop_assert!(s.is_open() || !units, "a finished incident holds no units");
            }
        }

        /// Every (state, action) pair answers without panicking, and a legal one never
        /// moves an open incident back to `received`.
        #[test]
        fn never_back_to_received(si in 0usize..8, a in action(), units in any::<bool>()) {
            let from = S::ALL[si];
            if let Ok(next) = transition(from, a, units) {
                prop_assert_ne!(next, S::Received);
            }
        }
    }
}

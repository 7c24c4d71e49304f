//! What the store keeps: plans, their visits with what the GPS confirmed, duty, field logs.

use crate::domain::dwell::Verdict;
use crate::domain::logs::{LogDetail, LogKind};
use crate::domain::plan::{Crew, Plan, PlanRules, Spot};
use pingan_core::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a plan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    /// Drawn up; a supervisor may edit it; no one is sent anywhere yet.
    Draft,
    /// Published: its visits are the units' orders and are confirmed from GPS.
    Published,
    /// Withdrawn before or during its shift; its visits stay on record as they were.
    Cancelled,
}

impl PlanState {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanState::Draft => "draft",
            PlanState::Published => "published",
            PlanState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [PlanState::Draft, PlanState::Published, PlanState::Cancelled]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// How a plan's hot spots were chosen, in numbers (shown with the plan).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Selection {
    /// Days of incident history read.
    pub history_days: u32,
    /// Incidents in that history at the shift's hours.
    pub incidents: usize,
    /// Side of a Gi* cell in metres.
    pub cell_m: f64,
    /// Significant hot cells kept.
    pub hot_cells: usize,
    pub key_places: usize,
    pub added: usize,
    /// Spots left out because no road reaches them, by name.
    pub left_out: Vec<String>,
}

/// Why a spot is in the plan, one per spot (same order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SpotWhy {
    /// `hot_cell`, `key_place` or `added`.
    pub source: String,
    /// Incidents at the shift's hours within the spot, in the history read.
    pub incidents: usize,
    /// The Gi* z-score of a hot cell.
    pub z: Option<f64>,
    /// Its confidence class (1–3 for 90/95/99 %).
    pub class: Option<i8>,
    /// The commonest incident types there, most first.
    pub top_types: Vec<(String, usize)>,
}

/// The stored body of a plan: what went in and what the planner answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanBody {
    pub rules: PlanRules,
    pub spots: Vec<Spot>,
    pub why: Vec<SpotWhy>,
    pub crews: Vec<Crew>,
    pub plan: Plan,
    pub selection: Selection,
    /// Travel seconds between the plan's places, row-major (spots, starts, ends); kept with
    /// -1 for "no road" (JSON has no infinity).
    #[serde(with = "unreachable_as_negative")]
    pub travel: Vec<f32>,
}

/// Infinite travel times as -1 in JSON, and back.
mod unreachable_as_negative {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[f32], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| if x.is_finite() { *x } else { -1.0 }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        let v = Vec::<f32>::deserialize(d)?;
        Ok(v.into_iter()
            .map(|x| if x < 0.0 { f32::INFINITY } else { x })
            .collect())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanRecord {
    pub id: String,
    pub name: String,
    pub state: PlanState,
    pub start_at: Timestamp,
    pub end_at: Timestamp,
    pub seed: u64,
    pub body: PlanBody,
    pub created_by: String,
    pub created_at: Timestamp,
    pub published_by: Option<String>,
    pub published_at: Option<Timestamp>,
    pub version: i64,
    pub updated_at: Timestamp,
}

/// One visit of a published plan, with what the unit's GPS showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitRecord {
    pub plan_id: String,
    pub unit_id: String,
    /// Its place in the unit's order, from 0.
    pub seq: i64,
    pub spot_key: String,
    pub spot_name: String,
    pub area: String,
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub arrive_at: Timestamp,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub depart_at: Timestamp,
    /// `planned` until the unit's GPS shows it there, then `partial` or `done`; `missed` once
    /// its window has passed with no time inside.
    pub status: String,
    pub longest_stay_s: i64,
    pub inside_s: i64,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub entered_at: Option<Timestamp>,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub left_at: Option<Timestamp>,
    /// True once its window has passed and the verdict can no longer change.
    #[serde(rename = "final")]
    pub final_: bool,
    /// The tactics suggested for this stop (from why it is in the plan, and the hour).
    pub suggested: Vec<String>,
    /// The tactics the officer recorded as used.
    pub tactics_used: Vec<String>,
}

impl VisitRecord {
    /// The visit's status as a verdict, `None` while planned.
    pub fn verdict(&self) -> Option<Verdict> {
        Verdict::parse(&self.status)
    }
}

/// What the GPS showed for one visit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisitDwell {
    pub status: &'static str,
    pub longest_stay_s: i64,
    pub inside_s: i64,
    pub entered_at: Option<Timestamp>,
    pub left_at: Option<Timestamp>,
    pub final_: bool,
}

/// An officer's duty with a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Duty {
    pub officer: String,
    pub unit_id: String,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub start_at: Timestamp,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub end_at: Option<Timestamp>,
}

/// A field log as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LogRecord {
    pub id: String,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub at: Timestamp,
    pub unit_id: String,
    pub officer: String,
    pub kind: LogKind,
    pub detail: LogDetail,
    pub lon: f64,
    pub lat: f64,
    pub town_id: Option<String>,
    pub grid_id: Option<String>,
    pub plan_id: Option<String>,
    pub visit_seq: Option<i64>,
    /// The log this one corrects (which then no longer counts).
    pub corrects: Option<String>,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub recorded_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_with_unreachable_places_round_trips() {
        let body = PlanBody {
            rules: PlanRules::default(),
            spots: Vec::new(),
            why: Vec::new(),
            crews: Vec::new(),
            plan: crate::domain::plan::Plan {
                routes: Vec::new(),
                quality: crate::domain::plan::quality(&[], &PlanRules::default(), &[]),
                metering: Vec::new(),
                unreachable: vec![1],
                method: "m".into(),
                seed: 1,
            },
            selection: Selection::default(),
            travel: vec![0.0, f32::INFINITY, 12.5, f32::NAN],
        };
        let text = serde_json::to_string(&body).unwrap();
        let back: PlanBody = serde_json::from_str(&text).unwrap();
        assert_eq!(back.travel[0], 0.0);
        assert!(back.travel[1].is_infinite() && back.travel[3].is_infinite());
        assert_eq!(back.travel[2], 12.5);
    }
}

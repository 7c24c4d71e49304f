//! The command centre's records and storage port, and its figures.
//!
//! An incident change is decided here and in [`crate::domain::incident`] (pure), then applied by the
//! store in one transaction that checks the versions the decision was based on
//! ([`IncidentChange`]): two operators dispatching the same unit at once both decide "yes", and
//! the store lets exactly one of them through (the other gets `StoreError::Conflict`).
//!
//! Response figures ([`figures`]) are computed from a page of incidents: minutes from received
//! to first dispatch and to first arrival, by priority, town and local hour of day.

use crate::domain::incident::{
    Action, IncidentId, IncidentSource, IncidentState, IncidentType, Priority,
};
use crate::domain::unit::{Fix, Unit, UnitId, UnitKind, UnitStatus};
use async_trait::async_trait;
use pingan_core::audit::NewAuditEntry;
use pingan_core::ids::DeviceId;
use pingan_core::time::Timestamp;
use pingan_core::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where an incident is, resolved against the geography when it was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentLocation {
    pub lon: f64,
    pub lat: f64,
    /// False when the point lies outside the district (accepted, flagged; see the notes).
    pub inside_district: bool,
    pub town_id: Option<String>,
    pub town_name: Option<String>,
    pub grid_id: Option<String>,
    pub grid_name: Option<String>,
    pub road_id: Option<String>,
    pub road_name: Option<String>,
    pub road_distance_m: Option<f64>,
}

/// The time of each lifecycle step. Dispatch and arrival keep the *first* time (response
/// figures measure the first response); the others keep the latest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentTimes {
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub received_at: Timestamp,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub dispatched_at: Option<Timestamp>,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub en_route_at: Option<Timestamp>,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub on_scene_at: Option<Timestamp>,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub cleared_at: Option<Timestamp>,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub closed_at: Option<Timestamp>,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub cancelled_at: Option<Timestamp>,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub reopened_at: Option<Timestamp>,
}

impl IncidentTimes {
    /// Records that `action` happened at `at`.
    pub fn record(&mut self, action: Action, at: Timestamp) {
        let first = |slot: &mut Option<Timestamp>| {
            slot.get_or_insert(at);
        };
        match action {
            Action::Dispatch => first(&mut self.dispatched_at),
            Action::EnRoute => first(&mut self.en_route_at),
            Action::OnScene => first(&mut self.on_scene_at),
            Action::Clear => self.cleared_at = Some(at),
            Action::Close => self.closed_at = Some(at),
            Action::Cancel => self.cancelled_at = Some(at),
            Action::Reopen => self.reopened_at = Some(at),
        }
    }
}

/// An incident as stored and shown (without the caller's contact, which is personal data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Incident {
    pub id: IncidentId,
    #[serde(rename = "type")]
    pub incident_type: IncidentType,
    pub source: IncidentSource,
    pub priority: Priority,
    pub state: IncidentState,
    pub location: IncidentLocation,
    pub description: String,
    pub address: Option<String>,
    pub times: IncidentTimes,
    /// Units assigned now.
    pub units: Vec<UnitId>,
    /// Whether a caller contact is on record (reading it needs a purpose).
    pub has_contact: bool,
    pub created_by: String,
    pub version: i64,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub updated_at: Timestamp,
}

/// A caller's contact: personal data, read only with a purpose and audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallerContact {
    pub name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewIncident {
    pub id: IncidentId,
    pub incident_type: IncidentType,
    pub source: IncidentSource,
    pub priority: Priority,
    pub location: IncidentLocation,
    pub description: String,
    pub address: Option<String>,
    pub caller: Option<CallerContact>,
    pub received_at: Timestamp,
    pub created_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// A lifecycle step (and the unit it concerned, for dispatch).
    Transition,
    /// Free text by an operator.
    Note,
    /// Something done that is not a lifecycle step (a call back, a road closure).
    Action,
    /// A link to a photo, a video clip, a document.
    Attachment,
    /// A change of type, priority or description.
    Edit,
}

impl TimelineKind {
    pub const ALL: [TimelineKind; 5] = [
        TimelineKind::Transition,
        TimelineKind::Note,
        TimelineKind::Action,
        TimelineKind::Attachment,
        TimelineKind::Edit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Transition => "transition",
            TimelineKind::Note => "note",
            TimelineKind::Action => "action",
            TimelineKind::Attachment => "attachment",
            TimelineKind::Edit => "edit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One line of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    /// Order of entry (increasing, not contiguous).
    pub seq: i64,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub at: Timestamp,
    pub actor: String,
    pub kind: TimelineKind,
    pub action: Option<Action>,
    pub from_state: Option<IncidentState>,
    pub to_state: Option<IncidentState>,
    pub unit_id: Option<UnitId>,
    pub text: Option<String>,
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTimelineEntry {
    pub incident_id: IncidentId,
    pub at: Timestamp,
    pub actor: String,
    pub kind: TimelineKind,
    pub action: Option<Action>,
    pub from_state: Option<IncidentState>,
    pub to_state: Option<IncidentState>,
    pub unit_id: Option<UnitId>,
    pub text: Option<String>,
    pub link: Option<String>,
}

/// A unit's new status (and assignment), applied only if the unit is still at `expected_version`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitChange {
    pub unit_id: UnitId,
    pub expected_version: i64,
    pub status: UnitStatus,
    pub incident_id: Option<IncidentId>,
}

/// A decided change to an incident, applied atomically: the incident must still be at
/// `expected_version`, and every unit at its own; otherwise nothing changes and the store
/// answers `Conflict` naming what moved.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentChange {
    pub id: IncidentId,
    pub expected_version: i64,
    pub incident_type: IncidentType,
    pub priority: Priority,
    pub description: String,
    pub state: IncidentState,
    pub times: IncidentTimes,
    pub updated_at: Timestamp,
    pub units: Vec<UnitChange>,
    pub timeline: Vec<NewTimelineEntry>,
}

impl IncidentChange {
    /// A change that starts from `incident` as it is (the caller then edits fields).
    pub fn from_incident(incident: &Incident, at: Timestamp) -> Self {
        Self {
            id: incident.id.clone(),
            expected_version: incident.version,
            incident_type: incident.incident_type,
            priority: incident.priority,
            description: incident.description.clone(),
            state: incident.state,
            times: incident.times,
            updated_at: at,
            units: Vec::new(),
            timeline: Vec::new(),
        }
    }
}

/// Which incidents to list. Newest received first.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Only open incidents (the queue).
    pub open_only: bool,
    pub state: Option<IncidentState>,
    /// Received at or after.
    pub from: Option<Timestamp>,
    /// Received before.
    pub to: Option<Timestamp>,
    pub ids: Option<Vec<IncidentId>>,
    pub limit: u32,
}

#[derive(Debug, Clone)]
pub struct NewUnit {
    pub id: UnitId,
    pub call_sign: String,
    pub kind: UnitKind,
    pub crew: Vec<String>,
    pub agency: String,
    pub status: UnitStatus,
    pub device_id: Option<DeviceId>,
    pub created_at: Timestamp,
}

/// What the store did with a batch of fixes.
#[derive(Debug, Clone, PartialEq)]
pub struct FixesRecorded {
    /// Per input fix: whether it was new to the track (false: a duplicate already stored).
    pub inserted: Vec<bool>,
    /// The unit after the batch, when its last known position moved forward.
    pub advanced: Option<Unit>,
}

/// Storage of the command centre. Every change takes its ledger entries (`audit`) and commits
/// them in its own transaction.
#[async_trait]
pub trait CommandStore: Send + Sync {
    /// Records a new incident with its first timeline entry; `Duplicate` on a taken id.
    async fn create_incident(
        &self,
        new: &NewIncident,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Incident, StoreError>;
    async fn incident(&self, id: &IncidentId) -> Result<Option<Incident>, StoreError>;
    async fn incidents(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, StoreError>;
    /// The caller's contact; `NotFound` when the incident does not exist.
    async fn incident_contact(&self, id: &IncidentId) -> Result<Option<CallerContact>, StoreError>;
    /// Applies a decided change (see [`IncidentChange`]) and returns the incident after it.
    async fn apply_incident_change(
        &self,
        change: &IncidentChange,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Incident, StoreError>;
    /// Appends notes, actions and attachment links (no state change).
    async fn add_timeline(
        &self,
        entries: &[NewTimelineEntry],
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;
    async fn timeline(&self, id: &IncidentId) -> Result<Vec<TimelineEntry>, StoreError>;

    async fn create_unit(
        &self,
        unit: &NewUnit,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Unit, StoreError>;
    /// Units by id (all units when `ids` is `None`), ordered by id.
    async fn units(&self, ids: Option<&[UnitId]>) -> Result<Vec<Unit>, StoreError>;
    /// The unit whose GPS is this device.
    async fn unit_by_device(&self, device: &DeviceId) -> Result<Option<Unit>, StoreError>;
    /// Sets a status by hand, if the unit is still at `expected_version` (`Conflict` if not).
    async fn set_unit_status(
        &self,
        id: &UnitId,
        expected_version: i64,
        status: UnitStatus,
        at: Timestamp,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Unit, StoreError>;
    /// Stores fixes in the unit's track (duplicates by unit and time are skipped) and moves the
    /// last known position forward to the newest of them, never back.
    async fn record_fixes(
        &self,
        unit: &UnitId,
        fixes: &[Fix],
        received_at: Timestamp,
    ) -> Result<FixesRecorded, StoreError>;
    /// A unit's track between two times, oldest first.
    async fn track(
        &self,
        unit: &UnitId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<Fix>, StoreError>;
    /// Deletes track points taken before `before` (retention); returns how many.
    async fn purge_positions(&self, before: Timestamp) -> Result<u64, StoreError>;
}

/// Response-time statistics of one group (seconds).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ResponseRow {
    /// `priority`, `town` or `hour`.
    pub group: &'static str,
    pub key: String,
    pub label: String,
    pub incidents: u64,
    pub dispatched: u64,
    pub dispatch_median_s: Option<f64>,
    pub dispatch_mean_s: Option<f64>,
    pub dispatch_p90_s: Option<f64>,
    pub arrived: u64,
    pub on_scene_median_s: Option<f64>,
    pub on_scene_mean_s: Option<f64>,
    pub on_scene_p90_s: Option<f64>,
}

/// Incidents of one type in one town.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CountRow {
    #[serde(rename = "type")]
    pub incident_type: String,
    pub category: String,
    pub label_zh: String,
    /// Empty for incidents outside every town.
    pub town_id: String,
    pub town_name: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub incidents: u64,
    pub response: Vec<ResponseRow>,
    pub counts: Vec<CountRow>,
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn stats(mut v: Vec<f64>) -> (u64, Option<f64>, Option<f64>, Option<f64>) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mean = (n > 0).then(|| v.iter().sum::<f64>() / n as f64);
    (n as u64, percentile(&v, 0.5), mean, percentile(&v, 0.9))
}

/// Response figures and counts over `incidents`. Cancelled incidents count in the type/town
/// counts but not in response times after their cancellation. Hours are local: `utc_offset_s`
/// east of UTC (China: +8 h, no daylight saving).
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub fn figures(incidents: &[Incident], utc_offset_s: i64) -> Figures {
    type Group = (&'static str, String, String);
    // (group, dispatch seconds, arrival seconds, incidents)
    type Acc = (Group, Vec<f64>, Vec<f64>, u64);
    let mut groups: BTreeMap<(u8, String), Acc> = BTreeMap::new();
    let mut counts: BTreeMap<(String, String), (CountRow, u64)> = BTreeMap::new();
    for inc in incidents {
        let t = &inc.times;
        let dispatch = t
            .dispatched_at
            .map(|d| (d.micros() - t.received_at.micros()) as f64 / 1e6);
        let arrive = t
            .on_scene_at
            .map(|d| (d.micros() - t.received_at.micros()) as f64 / 1e6);
        let local_s = t.received_at.micros().div_euclid(1_000_000) + utc_offset_s;
        let hour = local_s.rem_euclid(86_400) / 3600;
        let town_id = inc.location.town_id.clone().unwrap_or_default();
        let town_name = inc.location.town_name.clone().unwrap_or_default();
        let keys: [(u8, Group); 3] = [
            (
                0,
                (
                    "priority",
                    inc.priority.get().to_string(),
                    format!("P{}", inc.priority.get()),
                ),
            ),
            (1, ("town", town_id.clone(), town_name.clone())),
            (2, ("hour", format!("{hour:02}"), format!("{hour:02}:00"))),
        ];
        for (order, g) in keys {
            let e = groups
                .entry((order, g.1.clone()))
                .or_insert_with(|| (g, Vec::new(), Vec::new(), 0));
            e.3 += 1;
            if let Some(d) = dispatch {
                e.1.push(d);
            }
            if let Some(a) = arrive {
                e.2.push(a);
            }
        }
        let ty = inc.incident_type;
        let c = counts
            .entry((ty.code().to_owned(), town_id.clone()))
            .or_insert_with(|| {
                (
                    CountRow {
                        incident_type: ty.code().to_owned(),
                        category: ty.category().to_owned(),
                        label_zh: ty.label_zh().to_owned(),
                        town_id,
                        town_name,
                        count: 0,
                    },
                    0,
                )
            });
        c.1 += 1;
    }
    let response = groups
        .into_values()
        .map(|((group, key, label), d, a, n)| {
            let (dn, dmed, dmean, dp90) = stats(d);
            let (an, amed, amean, ap90) = stats(a);
            ResponseRow {
                group,
                key,
                label,
                incidents: n,
                dispatched: dn,
                dispatch_median_s: dmed,
                dispatch_mean_s: dmean,
                dispatch_p90_s: dp90,
                arrived: an,
                on_scene_median_s: amed,
                on_scene_mean_s: amean,
                on_scene_p90_s: ap90,
            }
        })
        .collect();
    Figures {
        incidents: incidents.len() as u64,
        response,
        counts: counts
            .into_values()
            .map(|(mut row, n)| {
                row.count = n;
                row
            })
            .collect(),
    }
}

/// The figures as CSV (one file, a `section` column telling response rows from count rows).
pub fn figures_csv(f: &Figures) -> String {
    fn cell(s: &str) -> String {
        let s = pingan_core::cell::neutralise(s);
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.into_owned()
        }
    }
    fn num(v: Option<f64>) -> String {
        v.map(|x| format!("{x:.1}")).unwrap_or_default()
    }
    let mut out = String::from(
        "section,group,key,label,incidents,dispatched,dispatch_median_s,dispatch_mean_s,dispatch_p90_s,\
         arrived,on_scene_median_s,on_scene_mean_s,on_scene_p90_s,type,category,town_id,town_name,count\n",
    );
    for r in &f.response {
        out.push_str(&format!(
            "response,{},{},{},{},{},{},{},{},{},{},{},{},,,,,\n",
            r.group,
            cell(&r.key),
            cell(&r.label),
            r.incidents,
            r.dispatched,
            num(r.dispatch_median_s),
            num(r.dispatch_mean_s),
            num(r.dispatch_p90_s),
            r.arrived,
            num(r.on_scene_median_s),
            num(r.on_scene_mean_s),
            num(r.on_scene_p90_s),
        ));
    }
    for c in &f.counts {
        out.push_str(&format!(
            "count,,,{},,,,,,,,,,{},{},{},{},{}\n",
            cell(&c.label_zh),
            c.incident_type,
            c.category,
            cell(&c.town_id),
            cell(&c.town_name),
            c.count
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::TheftKind;

    fn incident(
        p: i64,
        town: &str,
        received: i64,
        dispatch: Option<i64>,
        arrive: Option<i64>,
    ) -> Incident {
        Incident {
            id: IncidentId::new(format!("INC-{received}")),
            incident_type: IncidentType::Theft(TheftKind::Bicycle),
            source: IncidentSource::Phone110,
            priority: Priority::new(p).unwrap(),
            state: IncidentState::Received,
            location: IncidentLocation {
                lon: 118.9,
                lat: 35.0,
                inside_district: true,
                town_id: Some(town.into()),
                town_name: Some(format!("{town}镇")),
                grid_id: None,
                grid_name: None,
                road_id: None,
                road_name: None,
                road_distance_m: None,
            },
            description: String::new(),
            address: None,
            times: IncidentTimes {
                received_at: Timestamp::from_seconds(received),
                dispatched_at: dispatch.map(|d| Timestamp::from_seconds(received + d)),
                on_scene_at: arrive.map(|d| Timestamp::from_seconds(received + d)),
                ..Default::default()
            },
            units: vec![],
            has_contact: false,
            created_by: "op".into(),
            version: 1,
            updated_at: Timestamp(0),
        }
    }

    #[test]
    fn figures_group_by_priority_town_and_local_hour() {
        // 02:00 UTC is 10:00 in China.
        let two_utc = 2 * 3600;
        let incs = vec![
            incident(1, "t1", two_utc, Some(60), Some(600)),
            incident(1, "t1", two_utc + 10, Some(120), None),
            incident(2, "t2", two_utc + 20, None, None),
        ];
        let f = figures(&incs, 8 * 3600);
        assert_eq!(f.incidents, 3);
        let p1 = f
            .response
            .iter()
            .find(|r| r.group == "priority" && r.key == "1")
            .unwrap();
        assert_eq!(p1.incidents, 2);
        assert_eq!(p1.dispatched, 2);
        assert_eq!(p1.dispatch_median_s, Some(60.0));
        assert_eq!(p1.dispatch_mean_s, Some(90.0));
        assert_eq!(p1.dispatch_p90_s, Some(120.0));
        assert_eq!(p1.on_scene_median_s, Some(600.0));
        let h = f.response.iter().find(|r| r.group == "hour").unwrap();
        assert_eq!(h.key, "10");
        assert_eq!(h.incidents, 3);
        assert_eq!(f.counts.len(), 2);
        assert_eq!(f.counts[0].count, 2);
        let csv = figures_csv(&f);
        assert_eq!(csv.lines().count(), 1 + f.response.len() + f.counts.len());
        let cols = csv.lines().next().unwrap().split(',').count();
        assert!(csv.lines().all(|l| l.split(',').count() == cols), "{csv}");
    }

    #[test]
    fn the_figures_csv_carries_no_formula() {
        let incs = vec![incident(1, "=cmd|' /C calc'!A0", 0, Some(60), None)];
        let csv = figures_csv(&figures(&incs, 0));
        assert!(!csv.contains(",=cmd"), "{csv}");
        assert!(csv.contains("'=cmd|' /C calc'!A0"), "{csv}");
    }

    #[test]
    fn times_keep_the_first_dispatch() {
        let mut t = IncidentTimes::default();
        t.record(Action::Dispatch, Timestamp(5));
        t.record(Action::Dispatch, Timestamp(9));
        t.record(Action::Clear, Timestamp(10));
        t.record(Action::Clear, Timestamp(12));
        assert_eq!(t.dispatched_at, Some(Timestamp(5)));
        assert_eq!(t.cleared_at, Some(Timestamp(12)));
    }
}

//! The watch-list (布控) as rules: why an entry exists, who receives its alerts, how long it may
//! run, its status at an instant, the compiled matcher in force, and what a batch of reads
//! raises against it. The service stores and announces; nothing here does I/O.

use crate::domain::records::{AlertRecord, WatchRecord};
use crate::error::PlatesError;
use pingan_core::access::{Permission, Role};
use pingan_reads::index::Window;
use pingan_reads::read::Read;
use pingan_reads::watch::{HitKind, WatchEntry, WatchEntryId, WatchList, WatchTarget};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Longest validity of one entry; longer watching needs a new entry and a new approval.
pub const MAX_WATCH_DAYS: i64 = 90;

const DAY_US: i64 = 86_400_000_000;

/// Why a vehicle is watched (a fixed list, so reports can count them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WatchReason {
    StolenVehicle,
    WantedPerson,
    MissingPerson,
    HitAndRun,
    CriminalInvestigation,
    Other,
}

impl WatchReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchReason::StolenVehicle => "stolen_vehicle",
            WatchReason::WantedPerson => "wanted_person",
            WatchReason::MissingPerson => "missing_person",
            WatchReason::HitAndRun => "hit_and_run",
            WatchReason::CriminalInvestigation => "criminal_investigation",
            WatchReason::Other => "other",
        }
    }
}

/// Who receives an entry's alerts: roles (the stream delivers to them) and named users
/// (recorded and shown in the alert).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receivers {
    #[serde(default)]
    #[schema(value_type = Vec<pingan_server::schema::Role>)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub users: Vec<String>,
}

/// A new entry as asked for, before its checks.
#[derive(Debug, Clone)]
pub struct WatchDraft {
    pub target: String,
    pub reason: WatchReason,
    pub valid_from: Option<i64>,
    pub valid_to: i64,
    pub receivers: Receivers,
    pub note: Option<String>,
}

/// A draft that passed its checks: the normalised target, the window, the receiving roles.
#[derive(Debug, Clone)]
pub struct CheckedWatch {
    pub target: String,
    pub valid_from: i64,
    pub roles: Vec<Role>,
}

impl WatchDraft {
    /// Checks the draft at `now`: a plate or pattern, a window that ends in the future and is at
    /// most [`MAX_WATCH_DAYS`] long, a short note, receivers that may handle alerts.
    pub fn check(&self, now: i64) -> Result<CheckedWatch, PlatesError> {
        let target = WatchTarget::parse(&self.target)
            .map_err(|e| PlatesError::invalid("target", e.to_string()))?;
        let target = match &target {
            WatchTarget::Plate(p) => p.as_str().to_owned(),
            WatchTarget::Pattern(p) => p.as_str().to_owned(),
        };
        let valid_from = self.valid_from.unwrap_or(now);
        if self.valid_to <= valid_from || self.valid_to <= now {
            return Err(PlatesError::invalid(
                "valid_to",
                "must be later than valid_from and now",
            ));
        }
        if self.valid_to - valid_from > MAX_WATCH_DAYS * DAY_US {
            return Err(PlatesError::invalid(
                "valid_to",
                format!("at most {MAX_WATCH_DAYS} days of validity"),
            ));
        }
        if self.note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            return Err(PlatesError::invalid("note", "at most 500 characters"));
        }
        let roles = if self.receivers.roles.is_empty() {
            vec![Role::Operator, Role::Investigator]
        } else {
            self.receivers.roles.clone()
        };
        if let Some(r) = roles.iter().find(|r| !r.may(Permission::HandleAlerts)) {
            return Err(PlatesError::invalid(
                "receivers.roles",
                format!("the {r} role cannot receive alerts"),
            ));
        }
        Ok(CheckedWatch {
            target,
            valid_from,
            roles,
        })
    }
}

/// An entry as the API and the stream show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WatchView {
    pub id: i64,
    pub target: String,
    pub reason: String,
    pub case_ref: String,
    pub note: Option<String>,
    pub valid_from: i64,
    pub valid_to: i64,
    pub receivers: Receivers,
    pub created_by: String,
    pub created_at: i64,
    pub approved_by: Option<String>,
    pub approved_at: Option<i64>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    /// pending | active | expired | cancelled
    pub status: &'static str,
}

impl WatchView {
    /// The entry at `now`.
    pub fn of(w: WatchRecord, now: i64) -> Self {
        let status = status(&w, now);
        let meta = WatchMeta::of(&w);
        WatchView {
            id: w.id,
            target: w.target,
            reason: w.reason,
            case_ref: w.case_ref,
            note: w.note,
            valid_from: w.valid_from,
            valid_to: w.valid_to,
            receivers: Receivers {
                roles: meta.roles,
                users: meta.users,
            },
            created_by: w.created_by,
            created_at: w.created_at,
            approved_by: w.approved_by,
            approved_at: w.approved_at,
            cancelled_by: w.cancelled_by,
            cancelled_at: w.cancelled_at,
            cancel_reason: w.cancel_reason,
            status,
        }
    }
}

/// An entry's status at `now`: `pending`, `active`, `expired` or `cancelled`.
pub fn status(w: &WatchRecord, now: i64) -> &'static str {
    if w.cancelled_at.is_some() {
        "cancelled"
    } else if w.approved_at.is_none() {
        "pending"
    } else if now >= w.valid_to {
        "expired"
    } else {
        "active"
    }
}

/// What a watch-list entry needs at alert time beyond the matcher's view of it.
#[derive(Debug, Clone)]
pub struct WatchMeta {
    pub target: String,
    pub reason: String,
    pub case_ref: String,
    pub roles: Vec<Role>,
    pub users: Vec<String>,
}

impl WatchMeta {
    pub fn of(w: &WatchRecord) -> Self {
        let list = |key: &str| -> Vec<String> {
            w.receivers[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        WatchMeta {
            target: w.target.clone(),
            reason: w.reason.clone(),
            case_ref: w.case_ref.clone(),
            roles: list("roles")
                .iter()
                .filter_map(|r| r.parse().ok())
                .collect(),
            users: list("users"),
        }
    }
}

/// The active watch-list: the compiled matcher and each entry's metadata.
#[derive(Debug, Default)]
pub struct WatchState {
    pub list: WatchList,
    pub meta: HashMap<i64, WatchMeta>,
}

/// The matcher's view of a stored entry, when it is in force (approved, not cancelled, a
/// target that still parses).
fn in_force(w: &WatchRecord) -> Option<WatchEntry> {
    if w.approved_at.is_none() || w.cancelled_at.is_some() {
        return None;
    }
    let target = WatchTarget::parse(&w.target).ok()?;
    Some(WatchEntry {
        id: WatchEntryId(w.id.unsigned_abs()),
        target,
        valid: Window::new(w.valid_from, w.valid_to),
    })
}

impl WatchState {
    /// The watch-list in force among `entries`.
    pub fn from_records(entries: &[WatchRecord]) -> Self {
        let mut list = Vec::new();
        let mut meta = HashMap::new();
        for w in entries {
            if let Some(e) = in_force(w) {
                list.push(e);
                meta.insert(w.id, WatchMeta::of(w));
            }
        }
        WatchState {
            list: WatchList::new(list),
            meta,
        }
    }

    /// Puts an approved, uncancelled entry in force, or takes it out.
    pub fn apply(&mut self, w: &WatchRecord) {
        match in_force(w) {
            Some(e) => {
                self.list.upsert(e);
                self.meta.insert(w.id, WatchMeta::of(w));
            }
            None => {
                self.list.remove(WatchEntryId(w.id.unsigned_abs()));
                self.meta.remove(&w.id);
            }
        }
    }

    /// The alerts that `reads` would raise at `now` (not yet stored), and for each alert id
    /// the roles that receive it and the entry it hit.
    pub fn matches(&self, reads: &[Read], now: i64) -> (Vec<AlertRecord>, AlertReceivers) {
        let mut alerts = Vec::new();
        let mut receivers = AlertReceivers::new();
        if self.list.is_empty() {
            return (alerts, receivers);
        }
        for r in reads {
            for hit in self.list.matches(r, r.ts_us) {
                let entry_id = i64::try_from(hit.entry_id.0).unwrap_or(i64::MAX);
                let Some(meta) = self.meta.get(&entry_id) else {
                    continue;
                };
                let (kind, detail) = match hit.kind {
                    HitKind::Exact => ("exact", serde_json::json!({})),
                    HitKind::Approximate {
                        position,
                        read_char,
                        listed_char,
                    } => (
                        "approximate",
                        serde_json::json!({ "position": position, "read_char": read_char, "listed_char": listed_char }),
                    ),
                };
                let id = format!("al-{}-{}", entry_id, r.id.0);
                receivers.insert(
                    id.clone(),
                    (
                        meta.roles.clone(),
                        serde_json::json!({
                            "target": meta.target, "reason": meta.reason, "case_ref": meta.case_ref,
                            "users": meta.users,
                        }),
                    ),
                );
                alerts.push(AlertRecord {
                    id,
                    entry_id,
                    read_id: r.id.0,
                    plate: r.plate.as_str().to_owned(),
                    checkpoint: r.checkpoint.0,
                    ts: r.ts_us,
                    kind: kind.into(),
                    detail,
                    raised_at: now,
                    acked_by: None,
                    acked_at: None,
                    outcome: None,
                    outcome_note: None,
                });
            }
        }
        (alerts, receivers)
    }
}

/// Who receives each alert (by alert id): the roles, and the entry it hit (for the stream).
pub type AlertReceivers = HashMap<String, (Vec<Role>, serde_json::Value)>;

/// An alert as the API and the stream show it.
pub fn alert_json(a: &AlertRecord, entry: Option<serde_json::Value>) -> serde_json::Value {
    let mut v = serde_json::json!({
        "id": a.id, "entry_id": a.entry_id, "read_id": a.read_id, "plate": a.plate,
        "checkpoint": a.checkpoint, "ts": a.ts, "kind": a.kind, "detail": a.detail,
        "raised_at": a.raised_at, "acked_by": a.acked_by, "acked_at": a.acked_at,
        "outcome": a.outcome, "outcome_note": a.outcome_note,
    });
    if let Some(e) = entry {
        v["entry"] = e;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(valid_to: i64) -> WatchDraft {
        WatchDraft {
            target: "鲁Q12345".into(),
            reason: WatchReason::StolenVehicle,
            valid_from: None,
            valid_to,
            receivers: Receivers::default(),
            note: None,
        }
    }

    #[test]
    fn a_draft_needs_a_future_window_of_at_most_ninety_days() {
        let now = 1_000 * DAY_US;
        assert!(draft(now - 1).check(now).is_err());
        assert!(draft(now + (MAX_WATCH_DAYS + 1) * DAY_US)
            .check(now)
            .is_err());
        let ok = draft(now + DAY_US).check(now).expect("valid");
        assert_eq!(ok.valid_from, now);
        assert_eq!(ok.roles, vec![Role::Operator, Role::Investigator]);
    }

    #[test]
    fn receivers_must_be_able_to_handle_alerts() {
        let now = 1_000 * DAY_US;
        let mut d = draft(now + DAY_US);
        d.receivers.roles = vec![Role::Auditor];
        match d.check(now) {
            Err(PlatesError::Invalid(v)) => assert_eq!(v[0].field, "receivers.roles"),
            other => panic!("{other:?}"),
        }
    }
}

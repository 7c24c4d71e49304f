//! The records of the capability as the service and the store exchange them (no SQL, no
//! wire format).

use pingan_reads::read::Read;
use std::collections::BTreeMap;

/// A numeric reads checkpoint code bound to the registry and to the device reporting it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointBinding {
    pub code: u32,
    /// The registry's checkpoint (`video_checkpoints.id`), when registered.
    pub checkpoint_id: Option<String>,
    pub device_id: String,
    /// From the registry, when the checkpoint is registered there.
    pub name: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

/// A watch-list entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchRecord {
    pub id: i64,
    /// A whole plate or a pattern with `?`/`*`.
    pub target: String,
    pub reason: String,
    pub case_ref: String,
    pub note: Option<String>,
    pub valid_from: i64,
    pub valid_to: i64,
    /// `{"roles": [...], "users": [...]}`.
    pub receivers: serde_json::Value,
    pub created_by: String,
    pub created_at: i64,
    pub approved_by: Option<String>,
    pub approved_at: Option<i64>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
}

/// A watch-list hit as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRecord {
    pub id: String,
    pub entry_id: i64,
    pub read_id: i64,
    pub plate: String,
    pub checkpoint: u32,
    pub ts: i64,
    /// `exact` or `approximate`.
    pub kind: String,
    pub detail: serde_json::Value,
    pub raised_at: i64,
    pub acked_by: Option<String>,
    pub acked_at: Option<i64>,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
}

/// A request to run one query over old reads, and its decision.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryApproval {
    pub id: String,
    pub requested_by: String,
    pub requested_at: i64,
    /// The exact query that may run, as JSON.
    pub query: serde_json::Value,
    pub purpose: String,
    pub reference: Option<String>,
    /// `pending`, `approved`, `rejected` or `used`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub used_at: Option<i64>,
}

/// A read copied into a case, with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRecord {
    pub case_ref: String,
    pub read: Read,
    /// The device bound to the read's checkpoint when it was copied.
    pub device_id: Option<String>,
    pub copied_by: String,
    pub copied_at: i64,
    pub purpose: String,
}

/// Counts for the transparency report, by UTC month (`YYYY-MM`); no personal data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransparencyCounts {
    /// (month, purpose) → successful plate queries.
    pub queries: BTreeMap<(String, String), u64>,
    /// month → refused plate queries.
    pub refused: BTreeMap<String, u64>,
    /// (month, kind) → watch-list hits.
    pub hits: BTreeMap<(String, String), u64>,
    /// month → watch-list entries created / approved / cancelled.
    pub watch_created: BTreeMap<String, u64>,
    pub watch_approved: BTreeMap<String, u64>,
    pub watch_cancelled: BTreeMap<String, u64>,
    /// Entries approved, not cancelled, whose window contains `now`.
    pub watch_active: u64,
}

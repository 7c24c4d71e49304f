//! Plate reads in the server: the in-memory engine (read index, watch-list, checkpoint
//! bindings), the one ingest function that HTTP and MQTT both end in, watch-list matching and
//! alerts, the start-up load and the retention task.
//!
//! # Ingest policy (documented in docs/plate-reads.md)
//! A batch is decoded row by row. Rows that fail (bad plate, unknown checkpoint, a checkpoint of
//! another device, a time too far in the future or older than the retention period…) are
//! reported by 1-based row number, field and reason; **the valid rows of the same batch are
//! stored** (one transaction) and acknowledged, so that one bad read never holds back a
//! checkpoint's good ones, and a device re-sends only what it fixed (re-sending good rows is
//! harmless: read ids are idempotent). A batch whose every row is invalid is refused as a whole
//! (400, each row named). Problems with the batch itself (not CSV/JSON, unknown column, more than
//! [`PlateConfig::max_batch_rows`] rows, larger than [`INGEST_LIMIT_BYTES`]) refuse it whole.
//!
//! Order of effects: decode → watch-list match → one commit of the reads and the alerts they
//! raised (alerts only for reads that were new) → index insert → alerts published. Nothing is
//! announced that is not durable, and nothing durable waits for a second commit.

use crate::error::ApiError;
use crate::AppState;
use pingan_core::access::Role;
use pingan_core::account::{Device, DeviceKind};
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::ports::DeviceStore;
use pingan_core::Timestamp;
use pingan_reads::decode::{decode_csv, decode_json, DecodeError, DecodeOptions, RowError};
use pingan_reads::index::{IndexBuilder, ReadIndex, Window};
use pingan_reads::read::Read;
use pingan_reads::watch::{HitKind, WatchEntry, WatchEntryId, WatchList, WatchTarget};
use pingan_store::{AlertRecord, ReadStore, WatchRecord};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::OnceCell;
use utoipa::ToSchema;

/// Ingest bodies above this are refused with 413 (about 25,000 JSON reads).
pub const INGEST_LIMIT_BYTES: usize = 8 * 1024 * 1024;
/// Rows read per page when the index is rebuilt at start.
pub const LOAD_PAGE_ROWS: usize = 50_000;

/// Settings of the plate-read capability, with the documented defaults.
#[derive(Debug, Clone)]
pub struct PlateConfig {
    /// Reads older than this are removed by retention and refused at ingest (default 30 days).
    pub retention: Duration,
    /// Queries whose window starts earlier than `now - approval_age` need a second person's
    /// approval (default 7 days).
    pub approval_age: Duration,
    /// Longest window of one query (default 31 days).
    pub max_window: Duration,
    /// Longest window of one scene in Q4 (default 2 days).
    pub max_scene_window: Duration,
    /// Largest co-travel Δt (default 10 minutes).
    pub max_delta: Duration,
    /// Largest Q4 radius (default 5 km).
    pub max_radius_m: f64,
    /// Default and largest number of result rows (defaults 1,000 and 10,000).
    pub default_limit: usize,
    pub max_limit: usize,
    /// Largest ingest batch (default 20,000 rows).
    pub max_batch_rows: usize,
    /// Clock skew allowed for reads from the future (default 5 minutes).
    pub max_future: Duration,
    /// How often retention runs (default hourly).
    pub retention_every: Duration,
}

impl Default for PlateConfig {
    fn default() -> Self {
        const DAY: u64 = 86_400;
        Self {
            retention: Duration::from_secs(30 * DAY),
            approval_age: Duration::from_secs(7 * DAY),
            max_window: Duration::from_secs(31 * DAY),
            max_scene_window: Duration::from_secs(2 * DAY),
            max_delta: Duration::from_secs(600),
            max_radius_m: 5_000.0,
            default_limit: 1_000,
            max_limit: 10_000,
            max_batch_rows: 20_000,
            max_future: Duration::from_secs(300),
            retention_every: Duration::from_secs(3_600),
        }
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

impl PlateConfig {
    pub fn retention_us(&self) -> i64 {
        micros(self.retention)
    }
    pub fn approval_age_us(&self) -> i64 {
        micros(self.approval_age)
    }
    pub fn max_window_us(&self) -> i64 {
        micros(self.max_window)
    }
    pub fn max_scene_window_us(&self) -> i64 {
        micros(self.max_scene_window)
    }
    pub fn max_delta_us(&self) -> i64 {
        micros(self.max_delta)
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

/// The active watch-list: the compiled matcher and each entry's metadata.
#[derive(Debug, Default)]
pub struct WatchState {
    pub list: WatchList,
    pub meta: HashMap<i64, WatchMeta>,
}

/// The in-memory side of plate reads; the store stays the source of truth.
#[derive(Debug)]
pub struct PlateEngine {
    pub config: RwLock<PlateConfig>,
    pub index: RwLock<ReadIndex>,
    pub watch: RwLock<WatchState>,
    /// Checkpoint code → the device that may report it.
    pub checkpoints: RwLock<HashMap<u32, String>>,
    store: OnceCell<ReadStore>,
}

impl Default for PlateEngine {
    fn default() -> Self {
        Self::new(PlateConfig::default())
    }
}

impl PlateEngine {
    /// An empty engine; [`load`] fills it from the store.
    pub fn new(config: PlateConfig) -> Self {
        Self {
            config: RwLock::new(config),
            index: RwLock::new(ReadIndex::new()),
            watch: RwLock::new(WatchState::default()),
            checkpoints: RwLock::new(HashMap::new()),
            store: OnceCell::new(),
        }
    }

    pub fn config(&self) -> PlateConfig {
        self.config
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the settings (the binary calls this before [`load`]).
    pub fn configure(&self, config: PlateConfig) {
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = config;
    }

    /// The reads store, once [`load`] ran.
    pub fn store(&self) -> Result<&ReadStore, ApiError> {
        self.store
            .get()
            .ok_or_else(|| ApiError::Unavailable("plate reads are not loaded yet".into()))
    }

    pub fn index(&self) -> std::sync::RwLockReadGuard<'_, ReadIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts an approved, uncancelled entry in force (or takes it out when cancelled).
    pub fn apply_watch(&self, w: &WatchRecord) {
        let mut state = self.watch.write().unwrap_or_else(|p| p.into_inner());
        let id = WatchEntryId(w.id.unsigned_abs());
        let active = w.approved_at.is_some() && w.cancelled_at.is_none();
        let target = WatchTarget::parse(&w.target).ok();
        match (active, target) {
            (true, Some(target)) => {
                state.list.upsert(WatchEntry {
                    id,
                    target,
                    valid: Window::new(w.valid_from, w.valid_to),
                });
                state.meta.insert(w.id, watch_meta(w));
            }
            _ => {
                state.list.remove(id);
                state.meta.remove(&w.id);
            }
        }
    }
}

fn watch_meta(w: &WatchRecord) -> WatchMeta {
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

/// Loads the retained reads, the watch-list and the checkpoint bindings into the engine.
/// The binary calls it once at start, before serving: `pingan_server::reads::load(&state).await?`.
pub async fn load(state: &AppState) -> Result<LoadReport, ApiError> {
    let engine = &state.plates;
    let reads = match engine.store.get() {
        Some(s) => s.clone(),
        None => {
            let s = ReadStore::open(&state.store).await?;
            // A concurrent load may have won; either handle is equivalent.
            let _ = engine.store.set(s.clone());
            s
        }
    };
    let now = state.now().micros();
    let config = engine.config();
    let since = now.saturating_sub(config.retention_us());
    reads
        .prepare_days(now.saturating_sub(86_400_000_000), 3)
        .await?;
    let mut builder = IndexBuilder::new();
    let mut refused = 0u64;
    let loaded = reads
        .for_each_page(since, LOAD_PAGE_ROWS, |page| {
            for r in &page {
                if builder.push(r).is_err() {
                    refused += 1;
                }
            }
            Ok(())
        })
        .await?;
    let (index, duplicates) = tokio::task::spawn_blocking(move || builder.finish())
        .await
        .map_err(ApiError::internal)?;
    *engine.index.write().unwrap_or_else(|p| p.into_inner()) = index;
    reload_watch(state).await?;
    reload_checkpoints(state).await?;
    if refused > 0 {
        tracing::warn!(refused, "stored reads the index refused at load");
    }
    Ok(LoadReport {
        reads: loaded,
        refused,
        duplicates: duplicates as u64,
    })
}

/// What [`load`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadReport {
    pub reads: u64,
    pub refused: u64,
    pub duplicates: u64,
}

/// Rebuilds the active watch-list from the store.
pub async fn reload_watch(state: &AppState) -> Result<(), ApiError> {
    let entries = state.store.watch_entries().await?;
    let mut list = Vec::new();
    let mut meta = HashMap::new();
    for w in entries
        .iter()
        .filter(|w| w.approved_at.is_some() && w.cancelled_at.is_none())
    {
        if let Ok(target) = WatchTarget::parse(&w.target) {
            list.push(WatchEntry {
                id: WatchEntryId(w.id.unsigned_abs()),
                target,
                valid: Window::new(w.valid_from, w.valid_to),
            });
            meta.insert(w.id, watch_meta(w));
        }
    }
    *state
        .plates
        .watch
        .write()
        .unwrap_or_else(|p| p.into_inner()) = WatchState {
        list: WatchList::new(list),
        meta,
    };
    Ok(())
}

/// Rebuilds the checkpoint → device map from the store.
pub async fn reload_checkpoints(state: &AppState) -> Result<(), ApiError> {
    let map = state
        .store
        .checkpoint_bindings()
        .await?
        .into_iter()
        .map(|b| (b.code, b.device_id))
        .collect();
    *state
        .plates
        .checkpoints
        .write()
        .unwrap_or_else(|p| p.into_inner()) = map;
    Ok(())
}

/// The body format of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// One refused row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectedRow {
    /// 1-based data row (CSV header excluded; JSON array element).
    pub row: usize,
    pub field: String,
    pub reason: String,
}

impl From<RowError> for RejectedRow {
    fn from(e: RowError) -> Self {
        Self {
            row: e.row,
            field: e.field,
            reason: e.reason,
        }
    }
}

/// The answer to a batch: what was stored (durably), what was already there, what was refused.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IngestReport {
    pub received: usize,
    /// Newly stored reads (committed before this answer was sent).
    pub accepted: usize,
    /// Read ids already stored (idempotent re-sends); they count as acknowledged.
    pub duplicates: Vec<i64>,
    pub rejected: Vec<RejectedRow>,
    /// Watch-list alerts raised by this batch.
    pub alerts: usize,
}

fn decode_error(e: DecodeError) -> ApiError {
    match e {
        DecodeError::TooManyRows { max } => {
            ApiError::invalid("body", format!("a batch holds at most {max} reads"))
        }
        other => ApiError::invalid("body", other.to_string()),
    }
}

/// THE ingest path: HTTP batches, MQTT messages and the importer all end here.
pub async fn ingest(
    state: &AppState,
    device: &Device,
    format: Format,
    body: &[u8],
) -> Result<IngestReport, ApiError> {
    if device.kind != DeviceKind::Checkpoint {
        return Err(ApiError::Forbidden(format!(
            "device {} is a {}; only checkpoints report plate reads",
            device.id,
            device.kind.as_str()
        )));
    }
    let engine = &state.plates;
    let store = engine.store()?.clone();
    let config = engine.config();
    let now = state.now();
    let opts = DecodeOptions {
        now_us: now.micros(),
        max_future_us: micros(config.max_future),
        max_past_us: config.retention_us(),
        max_rows: config.max_batch_rows,
    };
    let rows = match format {
        Format::Json => decode_json(body, &opts),
        Format::Csv => decode_csv(body, &opts),
    }
    .map_err(decode_error)?;
    let received = rows.len();
    let mut rejected = Vec::new();
    let mut valid = Vec::with_capacity(rows.len());
    {
        let bindings = engine.checkpoints.read().unwrap_or_else(|p| p.into_inner());
        for (i, row) in rows.into_iter().enumerate() {
            match row {
                Err(e) => rejected.push(RejectedRow::from(e)),
                Ok(read) => match bindings.get(&read.checkpoint.0) {
                    None => rejected.push(RejectedRow {
                        row: i + 1,
                        field: "checkpoint_id".into(),
                        reason: format!("unknown checkpoint {}", read.checkpoint),
                    }),
                    Some(owner) if owner != device.id.as_str() => rejected.push(RejectedRow {
                        row: i + 1,
                        field: "checkpoint_id".into(),
                        reason: format!(
                            "checkpoint {} is reported by another device",
                            read.checkpoint
                        ),
                    }),
                    Some(_) => valid.push(read),
                },
            }
        }
    }
    if valid.is_empty() && !rejected.is_empty() {
        return Err(ApiError::Invalid(
            rejected
                .iter()
                .map(|r| {
                    pingan_core::ValidationError::new(
                        format!("rows[{}].{}", r.row, r.field),
                        r.reason.clone(),
                    )
                })
                .collect(),
        ));
    }
    // Matching is pure and quick, so it runs before the commit: the alerts are stored in the
    // batch's own transaction and announced as soon as it is durable.
    let (candidates, receivers) = match_watch(state, &valid, now);
    let (outcome, stored_alerts) = store.insert_with_alerts(valid, candidates).await?;
    let alerts = after_commit(state, &outcome.new, stored_alerts, receivers, now).await;
    state
        .store
        .touch_devices(std::slice::from_ref(&device.id), now)
        .await?;
    Ok(IngestReport {
        received,
        accepted: outcome.new.len(),
        duplicates: outcome.duplicates.iter().map(|id| id.0).collect(),
        rejected,
        alerts,
    })
}

/// Who receives an alert, and the watch-list entry it came from (for the stream).
type Receivers = HashMap<String, (Vec<Role>, serde_json::Value)>;

/// Matches reads against the watch-list in force: the alerts they would raise, not yet stored.
fn match_watch(state: &AppState, reads: &[Read], now: Timestamp) -> (Vec<AlertRecord>, Receivers) {
    let mut alerts = Vec::new();
    let mut receivers = Receivers::new();
    let watch = state.plates.watch.read().unwrap_or_else(|p| p.into_inner());
    if watch.list.is_empty() {
        return (alerts, receivers);
    }
    for r in reads {
        for hit in watch.list.matches(r, r.ts_us) {
            let entry_id = i64::try_from(hit.entry_id.0).unwrap_or(i64::MAX);
            let Some(meta) = watch.meta.get(&entry_id) else {
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
                raised_at: now.micros(),
                acked_by: None,
                acked_at: None,
                outcome: None,
                outcome_note: None,
            });
        }
    }
    (alerts, receivers)
}

/// After a batch committed: its new reads go into the index, and the alerts stored with them
/// are announced on the stream. Returns how many alerts were raised.
async fn after_commit(
    state: &AppState,
    new: &[Read],
    alerts: Vec<AlertRecord>,
    mut receivers: Receivers,
    now: Timestamp,
) -> usize {
    // The index first (microseconds for a batch).
    if !new.is_empty() {
        let mut index = state
            .plates
            .index
            .write()
            .unwrap_or_else(|p| p.into_inner());
        for r in new {
            if let Err(e) = index.insert(r) {
                // The read is durable; the index is rebuilt from the store at the next start.
                tracing::error!(read_id = r.id.0, error = %e, "the read index refused a stored read");
            }
        }
    }
    // Then the alerts, so that whoever acts on one finds its read in the index.
    for a in &alerts {
        let (roles, entry) = receivers.remove(&a.id).unwrap_or_default();
        let mut event = StreamEvent::new(
            Topic::Alerts,
            "watchlist.hit",
            now,
            alert_json(a, Some(entry)),
        );
        event.roles = roles;
        state.publish(event).await;
    }
    alerts.len()
}

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

/// One retention pass: store first (the source of truth), then the index.
pub async fn run_retention(state: &AppState) -> Result<pingan_store::PurgeReport, ApiError> {
    let now = state.now().micros();
    let cutoff = now.saturating_sub(state.plates.config().retention_us());
    let store = state.plates.store()?.clone();
    // Partitions for today and the next two days exist before reads for them arrive.
    store.prepare_days(now, 3).await?;
    let report = store.purge_before(cutoff).await?;
    let removed = {
        let mut index = state
            .plates
            .index
            .write()
            .unwrap_or_else(|p| p.into_inner());
        index.remove_before(cutoff)
    };
    state
        .publish(StreamEvent::new(
            Topic::System,
            "plates.retention",
            state.now(),
            serde_json::json!({ "cutoff": cutoff, "rows": report.rows, "partitions": report.partitions.len(), "index_removed": removed }),
        ))
        .await;
    Ok(report)
}

/// The retention schedule; the binary spawns it: `tokio::spawn(pingan_server::reads::retention_task(state.clone()))`.
pub async fn retention_task(state: AppState) {
    let every = state.plates.config().retention_every;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = run_retention(&state).await {
            tracing::error!(error = %e, "plate-read retention failed");
        }
    }
}

/// Shared pointer type used by [`crate::AppState`].
pub type SharedPlates = Arc<PlateEngine>;

/// What an offline import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected_total: u64,
    /// The first [`IMPORT_KEEP_REJECTED`] refused rows (row numbers count data rows of the file).
    pub rejected: Vec<RejectedRow>,
}

/// Refused rows kept in an [`ImportReport`] (the total is always counted).
pub const IMPORT_KEEP_REJECTED: usize = 1_000;

/// Imports a reads CSV file (header first; one read per line) into the store, in batches of
/// `batch_rows`, with the same decoder and checks as device ingest except the device match
/// (any bound checkpoint is accepted). `progress` gets the bytes consumed so far. A running
/// server sees the imported reads at its next start (its index is rebuilt from the store).
/// Fields with embedded line breaks are not supported (no reads format has them).
pub async fn import_csv(
    store: &pingan_store::Store,
    mut input: impl std::io::BufRead,
    now: Timestamp,
    config: &PlateConfig,
    mut progress: impl FnMut(u64),
) -> Result<ImportReport, ApiError> {
    let reads = ReadStore::open(store).await?;
    let bound: std::collections::HashSet<u32> = store
        .checkpoint_bindings()
        .await?
        .into_iter()
        .map(|b| b.code)
        .collect();
    let opts = DecodeOptions {
        now_us: now.micros(),
        max_future_us: micros(config.max_future),
        max_past_us: config.retention_us(),
        max_rows: config.max_batch_rows,
    };
    let mut header = String::new();
    let mut consumed = input.read_line(&mut header).map_err(ApiError::internal)? as u64;
    let mut report = ImportReport::default();
    let mut done = false;
    while !done {
        let mut chunk = header.clone();
        let mut lines = 0usize;
        while lines < config.max_batch_rows {
            let before = chunk.len();
            let n = input.read_line(&mut chunk).map_err(ApiError::internal)?;
            if n == 0 {
                done = true;
                break;
            }
            consumed += n as u64;
            if chunk[before..].trim().is_empty() {
                chunk.truncate(before);
                continue;
            }
            lines += 1;
        }
        if lines == 0 {
            break;
        }
        let offset = report.rows as usize;
        let rows = decode_csv(chunk.as_bytes(), &opts).map_err(decode_error)?;
        report.rows += rows.len() as u64;
        let mut valid = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            let refused = match row {
                Ok(r) if bound.contains(&r.checkpoint.0) => {
                    valid.push(r);
                    None
                }
                Ok(r) => Some(RejectedRow {
                    row: offset + i + 1,
                    field: "checkpoint_id".into(),
                    reason: format!("unknown checkpoint {}", r.checkpoint),
                }),
                Err(e) => Some(RejectedRow {
                    row: offset + e.row,
                    field: e.field,
                    reason: e.reason,
                }),
            };
            if let Some(r) = refused {
                report.rejected_total += 1;
                if report.rejected.len() < IMPORT_KEEP_REJECTED {
                    report.rejected.push(r);
                }
            }
        }
        let outcome = reads.insert(valid).await?;
        report.stored += outcome.new.len() as u64;
        report.duplicates += outcome.duplicates.len() as u64;
        progress(consumed);
    }
    Ok(report)
}

//! The plate-read use cases: `(platform, caller, input) -> Result<_, PlatesError>`. Each checks
//! what the caller may do, calls the pure rules in `domain/`, writes through the store (a change
//! and its ledger entry in one transaction), updates the in-memory state after the commit, and
//! announces on the stream. HTTP, the MQTT handler and the command line all call these.
//!
//! Order of effects for a batch of reads: decode → admit → watch-list match → one commit of the
//! reads and the alerts they raised (alerts only for reads that were new) → index insert →
//! alerts published. Nothing is announced that is not durable, and nothing durable waits for a
//! second commit.

mod queries;
mod watch;

pub use queries::{ApprovalList, EvidenceList};

use crate::config::{micros, PlateConfig};
use crate::domain::ingest::{
    admit, decode_error, device_read_id, refuse_all, Format, ImportReport, IngestReport,
    RejectedRow, IMPORT_KEEP_REJECTED,
};
use crate::domain::names::Event;
use crate::domain::records::{AlertRecord, CheckpointBinding};
use crate::domain::watch::{alert_json, AlertReceivers, WatchState};
use crate::error::{PlatesError, PlatesResult};
use crate::store::{PlatesStore, PurgeReport, ReadStore};
use pingan_core::account::{Device, DeviceKind};
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::ports::DeviceStore;
use pingan_core::Timestamp;
use pingan_reads::decode::{decode_csv, decode_json, DecodeOptions};
use pingan_reads::index::{IndexBuilder, ReadIndex};
use pingan_reads::read::Read;
use pingan_server::AppState;
use std::collections::HashMap;
use std::sync::{RwLock, RwLockReadGuard};
use tokio::sync::OnceCell;

/// Rows read per page when the index is rebuilt at start.
pub const LOAD_PAGE_ROWS: usize = 50_000;

/// The plate-read capability's state and use cases; the store stays the source of truth for
/// every piece of it (the read index, the watch-list in force, the checkpoint bindings).
#[derive(Debug)]
pub struct Plates {
    config: RwLock<PlateConfig>,
    index: RwLock<ReadIndex>,
    watch: RwLock<WatchState>,
    /// Checkpoint code → the device that may report it.
    checkpoints: RwLock<HashMap<u32, String>>,
    /// Device → its source number, which scopes its read ids.
    sources: RwLock<HashMap<String, u16>>,
    reads: OnceCell<ReadStore>,
}

impl Default for Plates {
    fn default() -> Self {
        Self::new(PlateConfig::default())
    }
}

/// What [`Plates::load`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadReport {
    pub reads: u64,
    pub refused: u64,
    pub duplicates: u64,
}

/// A poisoned lock still holds consistent data here (every writer replaces whole values).
fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

impl Plates {
    /// An empty capability; [`Plates::load`] fills it from the store.
    pub fn new(config: PlateConfig) -> Self {
        Self {
            config: RwLock::new(config),
            index: RwLock::new(ReadIndex::new()),
            watch: RwLock::new(WatchState::default()),
            checkpoints: RwLock::new(HashMap::new()),
            sources: RwLock::new(HashMap::new()),
            reads: OnceCell::new(),
        }
    }

    pub fn config(&self) -> PlateConfig {
        read(&self.config).clone()
    }

    /// Replaces the settings (tests shorten retention this way).
    pub fn configure(&self, config: PlateConfig) {
        *write(&self.config) = config;
    }

    /// The in-memory read index (Q1–Q7 run on it).
    pub fn index(&self) -> RwLockReadGuard<'_, ReadIndex> {
        read(&self.index)
    }

    /// The store of the capability's records, on the platform's database.
    pub fn records(&self, state: &AppState) -> PlatesStore {
        PlatesStore::new(state.store.clone())
    }

    /// The reads table's fast paths, once [`Plates::load`] ran.
    fn reads(&self) -> PlatesResult<&ReadStore> {
        self.reads.get().ok_or(PlatesError::NotLoaded)
    }

    /// Loads the retained reads, the watch-list and the checkpoint bindings. Called once at
    /// start, before serving.
    pub async fn load(&self, state: &AppState) -> PlatesResult<LoadReport> {
        let reads = self
            .reads
            .get_or_try_init(|| ReadStore::open(&state.store))
            .await?
            .clone();
        let now = state.now().micros();
        let since = now.saturating_sub(self.config().retention_us());
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
            .map_err(|e| PlatesError::internal("build the read index", e))?;
        *write(&self.index) = index;
        self.reload_watch(state).await?;
        self.reload_checkpoints(state).await?;
        if refused > 0 {
            tracing::warn!(refused, "stored reads the index refused at load");
        }
        Ok(LoadReport {
            reads: loaded,
            refused,
            duplicates: duplicates as u64,
        })
    }

    /// Rebuilds the active watch-list from the store.
    pub async fn reload_watch(&self, state: &AppState) -> PlatesResult<()> {
        let entries = self.records(state).watch_entries().await?;
        *write(&self.watch) = WatchState::from_records(&entries);
        Ok(())
    }

    /// The stored id of the read `device` numbers `id` (`None` for a device with no source or an
    /// id out of range).
    pub fn stored_read_id(&self, device: &str, id: i64) -> Option<pingan_reads::read::ReadId> {
        let source = read(&self.sources).get(device).copied()?;
        crate::domain::ingest::stored_id(source, id)
    }

    /// Rebuilds the checkpoint → device map and the devices' source numbers from the store.
    pub async fn reload_checkpoints(&self, state: &AppState) -> PlatesResult<()> {
        let sources = self.records(state).read_sources().await?;
        *write(&self.sources) = sources;
        let map = self
            .records(state)
            .checkpoint_bindings()
            .await?
            .into_iter()
            .map(|b| (b.code, b.device_id))
            .collect();
        *write(&self.checkpoints) = map;
        Ok(())
    }

    fn decode_options(&self, now: Timestamp) -> DecodeOptions {
        let config = self.config();
        DecodeOptions {
            now_us: now.micros(),
            max_future_us: micros(config.max_future),
            max_past_us: config.retention_us(),
            max_past_setting: "plate_retention_days",
            max_rows: config.max_batch_rows,
        }
    }

    /// THE ingest path: HTTP batches and MQTT messages both end here.
    pub async fn ingest(
        &self,
        state: &AppState,
        device: &Device,
        format: Format,
        body: &[u8],
    ) -> PlatesResult<IngestReport> {
        if device.kind != DeviceKind::Checkpoint {
            return Err(PlatesError::Forbidden(format!(
                "device {} is a {}; only checkpoints report plate reads",
                device.id,
                device.kind.as_str()
            )));
        }
        let store = self.reads()?.clone();
        let now = state.now();
        let opts = self.decode_options(now);
        let rows = match format {
            Format::Json => decode_json(body, &opts),
            Format::Csv => decode_csv(body, &opts),
        }
        .map_err(decode_error)?;
        let received = rows.len();
        let source = read(&self.sources).get(device.id.as_str()).copied();
        let (valid, rejected) = admit(rows, &read(&self.checkpoints), device.id.as_str(), source);
        if valid.is_empty() && !rejected.is_empty() {
            return Err(refuse_all(&rejected));
        }
        // Matching is pure and quick, so it runs before the commit: the alerts are stored in
        // the batch's own transaction and announced as soon as it is durable.
        let (candidates, receivers) = read(&self.watch).matches(&valid, now.micros());
        let (outcome, stored_alerts) = store.insert_with_alerts(valid, candidates).await?;
        let alerts = self
            .after_commit(state, &outcome.new, stored_alerts, receivers, now)
            .await;
        state
            .store
            .touch_devices(std::slice::from_ref(&device.id), now)
            .await?;
        Ok(IngestReport {
            received,
            accepted: outcome.new.len(),
            duplicates: outcome
                .duplicates
                .iter()
                .map(|id| device_read_id(*id))
                .collect(),
            rejected,
            alerts,
        })
    }

    /// After a batch committed: its new reads go into the index, and the alerts stored with
    /// them are announced on the stream. Returns how many alerts were raised.
    async fn after_commit(
        &self,
        state: &AppState,
        new: &[Read],
        alerts: Vec<AlertRecord>,
        mut receivers: AlertReceivers,
        now: Timestamp,
    ) -> usize {
        // The index first (microseconds for a batch).
        if !new.is_empty() {
            let mut index = write(&self.index);
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
                Event::Hit.as_str(),
                now,
                alert_json(a, Some(entry)),
            );
            event.roles = roles;
            state.publish(event).await;
        }
        alerts.len()
    }

    /// One retention pass: store first (the source of truth), then the index.
    pub async fn run_retention(&self, state: &AppState) -> PlatesResult<PurgeReport> {
        let now = state.now().micros();
        let cutoff = now.saturating_sub(self.config().retention_us());
        let store = self.reads()?.clone();
        // Partitions for today and the next two days exist before reads for them arrive.
        store.prepare_days(now, 3).await?;
        let report = store.purge_before(cutoff).await?;
        let removed = write(&self.index).remove_before(cutoff);
        state
            .publish(StreamEvent::new(
                Topic::System,
                Event::Retention.as_str(),
                state.now(),
                serde_json::json!({ "cutoff": cutoff, "rows": report.rows, "partitions": report.partitions.len(), "index_removed": removed }),
            ))
            .await;
        Ok(report)
    }

    /// The checkpoint bindings as stored (with the registry's names and positions).
    pub async fn bindings(&self, state: &AppState) -> PlatesResult<Vec<CheckpointBinding>> {
        Ok(self.records(state).checkpoint_bindings().await?)
    }
}

/// Imports a reads CSV file (header first; one read per line) into the store, in batches of
/// `max_batch_rows`, with the same decoder and checks as device ingest except the device match
/// (any bound checkpoint is accepted). `progress` gets the bytes consumed so far. A running
/// server sees the imported reads at its next start (its index is rebuilt from the store).
/// Fields with embedded line breaks are not supported (no reads format has them).
pub async fn import_csv(
    store: &pingan_db::Store,
    mut input: impl std::io::BufRead,
    now: Timestamp,
    config: &PlateConfig,
    mut progress: impl FnMut(u64),
) -> PlatesResult<ImportReport> {
    let reads = ReadStore::open(store).await?;
    let bound: std::collections::HashSet<u32> = PlatesStore::new(store.clone())
        .checkpoint_bindings()
        .await?
        .into_iter()
        .map(|b| b.code)
        .collect();
    let opts = DecodeOptions {
        now_us: now.micros(),
        max_future_us: micros(config.max_future),
        max_past_us: config.retention_us(),
        max_past_setting: "plate_retention_days",
        max_rows: config.max_batch_rows,
    };
    let io = |e| PlatesError::internal("read the import file", e);
    let mut header = String::new();
    let mut consumed = input.read_line(&mut header).map_err(io)? as u64;
    let mut report = ImportReport::default();
    let mut done = false;
    while !done {
        let mut chunk = header.clone();
        let mut lines = 0usize;
        while lines < config.max_batch_rows {
            let before = chunk.len();
            let n = input.read_line(&mut chunk).map_err(io)?;
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
            let refused = match imported(row, &bound, offset + i + 1, offset) {
                Ok(r) => {
                    valid.push(r);
                    None
                }
                Err(r) => Some(r),
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

/// One decoded row of an offline import: the read to store, or why it is refused. A file's ids
/// are kept as they are (no device sent them), below the range of device-numbered ids (see
/// `domain::ingest::stored_id`).
fn imported(
    row: Result<pingan_reads::read::Read, pingan_reads::decode::RowError>,
    bound: &std::collections::HashSet<u32>,
    row_number: usize,
    offset: usize,
) -> Result<pingan_reads::read::Read, RejectedRow> {
    match row {
        Ok(r) if r.id.0 >> crate::domain::ingest::DEVICE_ID_BITS != 0 => Err(RejectedRow {
            row: row_number,
            field: "read_id".into(),
            reason: format!(
                "an imported read's id must be between 0 and 2^{} − 1",
                crate::domain::ingest::DEVICE_ID_BITS
            ),
        }),
        Ok(r) if bound.contains(&r.checkpoint.0) => Ok(r),
        Ok(r) => Err(RejectedRow {
            row: row_number,
            field: "checkpoint".into(),
            reason: format!("unknown checkpoint {}", r.checkpoint),
        }),
        Err(e) => Err(RejectedRow {
            row: offset + e.row,
            field: e.field,
            reason: e.reason,
        }),
    }
}

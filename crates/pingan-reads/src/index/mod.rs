//! The in-memory read index over the retained window (layout: see the crate docs).
//!
//! Build it in bulk with [`IndexBuilder`] (rows are sorted by `(ts, read_id)` once, so every
//! posting list comes out sorted and exactly sized), then keep it current with
//! [`ReadIndex::insert`] and [`ReadIndex::remove_before`]. Queries live in the `query_*`
//! submodules and take `&self`, so many can run at once behind a read lock.

mod query_lookup;
mod query_scan;
mod store;

use std::collections::BTreeMap;

use rayon::slice::ParallelSliceMut;

use crate::plate::{PlateColour, PlateType};
use crate::read::{CheckpointId, Confidence, Direction, Read, ReadId};
use store::{AttrDict, AttrsRef, Columns, FxMap, PlateDict, RowVals, TimeList};

pub use query_lookup::{CoTravelParams, CoTraveller, Occasion, Scene, SceneHit};
pub use query_scan::{Bucket, FirstSeen, Flow, PartialPlateParams, PlateCount};

/// One hour in microseconds.
pub const HOUR_US: i64 = 3_600_000_000;
/// One day in microseconds.
pub const DAY_US: i64 = 24 * HOUR_US;

/// Why the index refused something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    /// The index addresses rows with `u32`.
    #[error("the index is full ({max} reads)")]
    Full {
        /// The maximum number of reads.
        max: u64,
    },
    /// More than 65,535 checkpoints.
    #[error("too many checkpoints: cannot add {0}")]
    TooManyCheckpoints(CheckpointId),
    /// More than 65,536 distinct combinations of vehicle colour, type, brand, plate colour and type.
    #[error("too many distinct vehicle/plate attribute combinations (read {0})")]
    TooManyAttributes(ReadId),
    /// A query parameter is out of range.
    #[error("invalid query parameter {param}: {reason}")]
    InvalidParam {
        /// Which parameter.
        param: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// A half-open time window `[start_us, end_us)` in UTC microseconds. An inclusive end `e`
/// (SQL `ts <= e`) is the window `[start, e + 1)`, since times are integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// First included microsecond.
    pub start_us: i64,
    /// First excluded microsecond.
    pub end_us: i64,
}

impl Window {
    /// `[start_us, end_us)`.
    pub fn new(start_us: i64, end_us: i64) -> Self {
        Self { start_us, end_us }
    }

    /// `[start_us, end_us]`, both included.
    pub fn inclusive(start_us: i64, end_us: i64) -> Self {
        Self {
            start_us,
            end_us: end_us.saturating_add(1),
        }
    }

    /// Everything.
    pub fn all() -> Self {
        Self {
            start_us: i64::MIN,
            end_us: i64::MAX,
        }
    }

    /// Whether `ts` falls inside.
    pub fn contains(&self, ts: i64) -> bool {
        self.start_us <= ts && ts < self.end_us
    }
}

/// A result list cut at the caller's limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Capped<T> {
    /// The first `limit` rows in result order.
    pub rows: Vec<T>,
    /// Whether rows were left out.
    pub truncated: bool,
}

impl<T> Capped<T> {
    fn cut(mut rows: Vec<T>, limit: usize) -> Self {
        let truncated = rows.len() > limit;
        rows.truncate(limit);
        Self { rows, truncated }
    }
}

/// A read as the index returns it: every column of the anchors' `reads` table, plus the plate
/// colour, plate type and brand. Raw text and image URLs stay in the store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadRow<'a> {
    /// Idempotency key.
    pub read_id: ReadId,
    /// Normalised plate.
    pub plate: &'a str,
    /// Checkpoint.
    pub checkpoint: CheckpointId,
    /// Lane (0 = not reported).
    pub lane: u8,
    /// Direction.
    pub direction: Direction,
    /// UTC microseconds.
    pub ts_us: i64,
    /// Vehicle colour.
    pub vehicle_colour: Option<&'a str>,
    /// Vehicle type code.
    pub vehicle_type: Option<&'a str>,
    /// Vehicle brand.
    pub vehicle_brand: Option<&'a str>,
    /// Plate colour.
    pub plate_colour: Option<PlateColour>,
    /// Plate type.
    pub plate_type: Option<PlateType>,
    /// Confidence.
    pub confidence: Confidence,
}

/// What [`ReadIndex::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// The read is now indexed.
    New,
    /// A read with the same id, plate and time is already indexed (a re-sent read).
    Duplicate,
}

/// Memory use by part, in bytes (capacities, not lengths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryBreakdown {
    /// Row columns.
    pub columns: usize,
    /// Per-plate posting lists and first-seen times.
    pub plate_postings: usize,
    /// Per-checkpoint time-sorted lists and hourly counters.
    pub checkpoint_postings: usize,
    /// Plate, checkpoint and attribute dictionaries.
    pub dictionaries: usize,
}

impl MemoryBreakdown {
    /// Sum of the parts.
    pub fn total(&self) -> usize {
        self.columns + self.plate_postings + self.checkpoint_postings + self.dictionaries
    }
}

/// The index. See the crate documentation for its layout and memory budget.
#[derive(Debug, Default)]
pub struct ReadIndex {
    cols: Columns,
    plates: PlateDict,
    /// Rows of each plate sorted by `(ts, read_id)`.
    by_plate: Vec<Vec<u32>>,
    /// `ts` of each plate's first retained read.
    first_ts: Vec<i64>,
    cp_ids: Vec<CheckpointId>,
    cp_slot: FxMap<u32, u16>,
    by_cp: Vec<TimeList>,
    /// Per checkpoint slot: reads per SQL hour bucket (`ts - ts % HOUR_US`).
    hourly: Vec<BTreeMap<i64, u32>>,
    attrs: AttrDict,
}

/// The SQL hour bucket `ts - (ts % 3600000000)` (truncating remainder, as SQLite computes it).
pub(crate) fn sql_hour(ts: i64) -> i64 {
    ts - ts % HOUR_US
}

impl ReadIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of indexed reads.
    pub fn len(&self) -> usize {
        self.cols.len()
    }

    /// Whether no read is indexed.
    pub fn is_empty(&self) -> bool {
        self.cols.len() == 0
    }

    /// Number of distinct plates with at least one retained read.
    pub fn plate_count(&self) -> usize {
        self.by_plate.iter().filter(|p| !p.is_empty()).count()
    }

    /// Checkpoints seen so far, in first-seen order.
    pub fn checkpoints(&self) -> &[CheckpointId] {
        &self.cp_ids
    }

    /// Heap bytes of the whole index (every vector at its capacity, hash tables at theirs).
    pub fn memory_bytes(&self) -> usize {
        self.memory_breakdown().total()
    }

    /// Heap bytes by part.
    pub fn memory_breakdown(&self) -> MemoryBreakdown {
        let vec_hdr = std::mem::size_of::<Vec<u32>>();
        MemoryBreakdown {
            columns: self.cols.bytes(),
            plate_postings: self.by_plate.capacity() * vec_hdr
                + self
                    .by_plate
                    .iter()
                    .map(|p| p.capacity() * 4)
                    .sum::<usize>()
                + self.first_ts.capacity() * 8,
            checkpoint_postings: self.by_cp.iter().map(TimeList::bytes).sum::<usize>()
                + self.by_cp.capacity() * std::mem::size_of::<TimeList>()
                + self
                    .hourly
                    .iter()
                    .map(|h| h.len() * (8 + 4 + 8))
                    .sum::<usize>(),
            dictionaries: self.plates.bytes()
                + self.attrs.bytes()
                + self.cp_ids.capacity() * 4
                + store::map_bytes(&self.cp_slot),
        }
    }

    fn slot(&mut self, cp: CheckpointId) -> Result<u16, IndexError> {
        if let Some(&s) = self.cp_slot.get(&cp.0) {
            return Ok(s);
        }
        let s = u16::try_from(self.cp_ids.len()).map_err(|_| IndexError::TooManyCheckpoints(cp))?;
        self.cp_ids.push(cp);
        self.cp_slot.insert(cp.0, s);
        self.by_cp.push(TimeList::default());
        self.hourly.push(BTreeMap::new());
        Ok(s)
    }

    /// Interns everything a read refers to. The steps that can fail come first, and a new
    /// plate gets its posting list in the same step, so an error leaves no half-added plate.
    fn compact_values(&mut self, r: &Read) -> Result<RowVals, IndexError> {
        let attr = self
            .attrs
            .intern(AttrsRef {
                vehicle_colour: r.vehicle_colour.as_deref(),
                vehicle_type: r.vehicle_type.as_deref(),
                vehicle_brand: r.vehicle_brand.as_deref(),
                plate_colour: r.plate_colour,
                plate_type: r.plate_type,
            })
            .ok_or(IndexError::TooManyAttributes(r.id))?;
        let checkpoint = self.slot(r.checkpoint)?;
        let (plate, new_plate) = self
            .plates
            .intern(r.plate.as_str())
            .ok_or(IndexError::Full {
                max: u64::from(u32::MAX),
            })?;
        if new_plate {
            self.by_plate.push(Vec::new());
            self.first_ts.push(i64::MAX);
        }
        Ok(RowVals {
            ts: r.ts_us,
            read_id: r.id.0,
            plate,
            checkpoint,
            confidence: r.confidence.raw(),
            attr,
            lane: r.lane,
            direction: r.direction.code(),
        })
    }

    fn next_row(&self) -> Result<u32, IndexError> {
        u32::try_from(self.cols.len())
            .ok()
            .filter(|&r| r < u32::MAX)
            .ok_or(IndexError::Full {
                max: u64::from(u32::MAX),
            })
    }

    /// Adds one read (live ingest). Late reads go to their time position in every list.
    /// A read whose id, plate and time equal an indexed read's is reported as a duplicate and
    /// not added; the store, which holds the idempotency key, is the authority for re-sent reads
    /// whose plate or time changed.
    pub fn insert(&mut self, read: &Read) -> Result<Inserted, IndexError> {
        let row = self.next_row()?;
        let v = self.compact_values(read)?;
        let key = (v.ts, v.read_id);
        let cols = &self.cols;
        let postings = &self.by_plate[v.plate as usize];
        // Reads mostly arrive in time order: compare with the last one before searching.
        let pos = match postings.last() {
            Some(&last) if cols.key(last) < key => postings.len(),
            _ => postings.partition_point(|&r| cols.key(r) < key),
        };
        if postings.get(pos).is_some_and(|&r| cols.key(r) == key) {
            return Ok(Inserted::Duplicate);
        }
        self.cols.push(v);
        let list = &mut self.by_plate[v.plate as usize];
        if list.len() == list.capacity() {
            // Grow by a quarter rather than doubling: 215k lists that just doubled would cost
            // about two bytes per read of slack, a twentieth of the budget.
            list.reserve_exact((list.capacity() / 4).max(4));
        }
        list.insert(pos, row);
        let first = &mut self.first_ts[v.plate as usize];
        *first = (*first).min(v.ts);
        self.by_cp[usize::from(v.checkpoint)].insert(row, &self.cols);
        *self.hourly[usize::from(v.checkpoint)]
            .entry(sql_hour(v.ts))
            .or_insert(0) += 1;
        Ok(Inserted::New)
    }

    /// Removes every read with `ts < cutoff_us` (retention) and returns how many went.
    /// Rows, plates and lists are compacted in one linear pass; plates left without reads are
    /// forgotten.
    pub fn remove_before(&mut self, cutoff_us: i64) -> usize {
        let n = self.cols.len();
        let mut remap = vec![u32::MAX; n];
        let mut cols = Columns::default();
        let mut removed = 0usize;
        for (row, slot) in (0u32..).zip(remap.iter_mut()) {
            let v = self.cols.get(row);
            if v.ts < cutoff_us {
                removed += 1;
                let cp = usize::from(v.checkpoint);
                let h = sql_hour(v.ts);
                if let Some(c) = self.hourly[cp].get_mut(&h) {
                    *c -= 1;
                    if *c == 0 {
                        self.hourly[cp].remove(&h);
                    }
                }
            } else {
                // Survivors keep their relative order, so every sorted list stays sorted.
                *slot = u32::try_from(cols.len()).unwrap_or(u32::MAX);
                cols.push(v);
            }
        }
        if removed == 0 {
            return 0;
        }
        let mut plates = PlateDict::default();
        let mut by_plate = Vec::new();
        let mut first_ts = Vec::new();
        let mut plate_remap = vec![u32::MAX; self.by_plate.len()];
        for (old, list) in self.by_plate.iter().enumerate() {
            let kept: Vec<u32> = list
                .iter()
                .filter_map(|&r| Some(remap[r as usize]).filter(|&x| x != u32::MAX))
                .collect();
            if kept.is_empty() {
                continue;
            }
            let name = self.plates.name(u32::try_from(old).unwrap_or(u32::MAX));
            if let Some((id, _)) = plates.intern(name) {
                plate_remap[old] = id;
                first_ts.push(cols.ts(kept[0]));
                by_plate.push(kept);
            }
        }
        for row in 0..u32::try_from(cols.len()).unwrap_or(0) {
            let p = cols.plate(row);
            cols.set_plate(row, plate_remap[p as usize]);
        }
        for list in &mut self.by_cp {
            let mut fresh = TimeList::default();
            for r in list.iter() {
                let x = remap[r as usize];
                if x != u32::MAX {
                    fresh.push_sorted(x);
                }
            }
            *list = fresh;
        }
        self.cols = cols;
        self.plates = plates;
        self.by_plate = by_plate;
        self.first_ts = first_ts;
        removed
    }

    /// Materialises one row.
    fn row(&self, row: u32) -> ReadRow<'_> {
        let v = self.cols.get(row);
        let a = self.attrs.get(v.attr);
        ReadRow {
            read_id: ReadId(v.read_id),
            plate: self.plates.name(v.plate),
            checkpoint: self.cp_ids[usize::from(v.checkpoint)],
            lane: v.lane,
            direction: Direction::from_code(v.direction),
            ts_us: v.ts,
            vehicle_colour: a.and_then(|a| a.vehicle_colour.as_deref()),
            vehicle_type: a.and_then(|a| a.vehicle_type.as_deref()),
            vehicle_brand: a.and_then(|a| a.vehicle_brand.as_deref()),
            plate_colour: a.and_then(|a| a.plate_colour),
            plate_type: a.and_then(|a| a.plate_type),
            confidence: Confidence::from_stored(v.confidence),
        }
    }
}

/// Bulk construction: collect reads in any order, then [`IndexBuilder::finish`].
#[derive(Debug, Default)]
pub struct IndexBuilder {
    index: ReadIndex,
    duplicates: usize,
}

impl IndexBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a read (any order).
    pub fn push(&mut self, read: &Read) -> Result<(), IndexError> {
        self.index.next_row()?;
        let v = self.index.compact_values(read)?;
        self.index.cols.push(v);
        Ok(())
    }

    /// Reads pushed so far.
    pub fn len(&self) -> usize {
        self.index.cols.len()
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.index.cols.len() == 0
    }

    /// Sorts the rows by `(ts, read_id)`, drops exact duplicates (same id and time), and builds
    /// every list at its exact size. Returns the index and the number of duplicates dropped.
    pub fn finish(self) -> (ReadIndex, usize) {
        let mut idx = self.index;
        let mut duplicates = self.duplicates;
        let n = idx.cols.len();
        let mut order: Vec<(i64, i64, u32)> = (0..u32::try_from(n).unwrap_or(u32::MAX))
            .map(|r| {
                let (ts, id) = idx.cols.key(r);
                (ts, id, r)
            })
            .collect();
        if !order.is_sorted() {
            order.par_sort_unstable();
        }
        let mut cols = Columns::default();
        let mut last: Option<(i64, i64)> = None;
        for &(ts, id, r) in &order {
            if last == Some((ts, id)) {
                duplicates += 1;
                continue;
            }
            last = Some((ts, id));
            cols.push(idx.cols.get(r));
        }
        drop(order);
        let rows = u32::try_from(cols.len()).unwrap_or(u32::MAX);
        let mut counts = vec![0u32; idx.by_plate.len()];
        for r in 0..rows {
            counts[cols.plate(r) as usize] += 1;
        }
        idx.by_plate = counts
            .iter()
            .map(|&c| Vec::with_capacity(c as usize))
            .collect();
        idx.first_ts = vec![i64::MAX; counts.len()];
        idx.by_cp = (0..idx.cp_ids.len()).map(|_| TimeList::default()).collect();
        idx.hourly = vec![BTreeMap::new(); idx.cp_ids.len()];
        for r in 0..rows {
            let v = cols.get(r);
            let p = v.plate as usize;
            if idx.by_plate[p].is_empty() {
                idx.first_ts[p] = v.ts;
            }
            idx.by_plate[p].push(r);
            let cp = usize::from(v.checkpoint);
            idx.by_cp[cp].push_sorted(r);
            *idx.hourly[cp].entry(sql_hour(v.ts)).or_insert(0) += 1;
        }
        idx.cols = cols;
        (idx, duplicates)
    }
}

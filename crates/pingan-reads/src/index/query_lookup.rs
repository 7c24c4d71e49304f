//! Index-shaped queries: Q1 trajectory, Q2 checkpoint reads, Q3 co-travel, Q4 multi-scene.
//!
//! Each returns exactly the rows, in exactly the order, of the anchors' SQL (`anchors.py`,
//! `QUERIES`); the doc of each method quotes the SQL it is equal to.

use super::store::FxMap;
use super::{Capped, IndexError, ReadIndex, ReadRow, Window};
use crate::read::{CheckpointId, ReadId};

/// The most (target pass, nearby read) pairs one co-travel query may examine (12 bytes each, so
/// about 240 MB at most). Real co-travel questions touch thousands; the harness's touches 1,552.
pub const MAX_CO_TRAVEL_TOUCHES: usize = 20_000_000;

/// The best companion read of an occasion so far: (target index, |Δt|, `(ts, read_id)`).
type Best = (u32, i64, (i64, i64));

/// Parameters of Q3 (co-travel, 伴随).
#[derive(Debug, Clone, Copy)]
pub struct CoTravelParams<'a> {
    /// The target plate.
    pub plate: &'a str,
    /// Window of the target's reads.
    pub window: Window,
    /// Half-width Δt of the companion window around each target read (inclusive both ends).
    pub delta_us: i64,
    /// Minimum number of distinct target reads a companion must be near.
    pub min_occasions: u32,
    /// Result cap (plates).
    pub limit: usize,
}

/// One target pass shared with a companion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occasion {
    /// The target's read.
    pub target_read: ReadId,
    /// Where.
    pub checkpoint: CheckpointId,
    /// The target's time.
    pub target_ts_us: i64,
    /// The companion's read closest in time (earliest on ties).
    pub companion_read: ReadId,
    /// The companion's time.
    pub companion_ts_us: i64,
}

/// A plate that travelled with the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoTraveller<'a> {
    /// The companion plate.
    pub plate: &'a str,
    /// Distinct target reads it was near (the SQL's `occasions`).
    pub occasions: u32,
    /// Those passes, in the target's time order.
    pub passes: Vec<Occasion>,
}

/// One scene of Q4: checkpoints and a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scene {
    /// Checkpoints of the scene (the caller resolves "within R metres of a point" to these).
    pub checkpoints: Vec<CheckpointId>,
    /// Time window.
    pub window: Window,
}

/// A plate present at scenes of Q4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SceneHit<'a> {
    /// The plate.
    pub plate: &'a str,
    /// Bit `i` set when the plate was seen at scene `i`.
    pub scenes: u8,
}

impl<'a> SceneHit<'a> {
    /// Number of scenes the plate was seen at.
    pub fn scene_count(&self) -> u32 {
        self.scenes.count_ones()
    }
}

impl ReadIndex {
    fn plate_rows(&self, plate: &str, w: Window) -> &[u32] {
        let Some(id) = self.plates.get(plate) else {
            return &[];
        };
        let list = &self.by_plate[id as usize];
        let lo = list.partition_point(|&r| self.cols.ts(r) < w.start_us);
        let hi = list.partition_point(|&r| self.cols.ts(r) < w.end_us);
        list.get(lo..hi).unwrap_or_default()
    }

    /// Q1, trajectory. Equal to
    /// `SELECT * FROM reads WHERE plate = :plate AND ts >= :t0 AND ts < :t1 ORDER BY ts, read_id`.
    pub fn trajectory(&self, plate: &str, window: Window, limit: usize) -> Capped<ReadRow<'_>> {
        let rows = self.plate_rows(plate, window);
        Capped {
            rows: rows.iter().take(limit).map(|&r| self.row(r)).collect(),
            truncated: rows.len() > limit,
        }
    }

    /// Q2, reads at checkpoints. Equal to `SELECT * FROM reads WHERE checkpoint_id IN (…)
    /// AND ts >= :t0 AND ts < :t1 ORDER BY ts, read_id`. Unknown checkpoints match nothing.
    pub fn at_checkpoints(
        &self,
        checkpoints: &[CheckpointId],
        window: Window,
        limit: usize,
    ) -> Capped<ReadRow<'_>> {
        let slots = self.slots_of(checkpoints);
        let cols = &self.cols;
        let rows: Vec<u32> = match slots.as_slice() {
            [] => Vec::new(),
            [one] => self.by_cp[*one]
                .range(window.start_us, window.end_us, cols)
                .take(limit.saturating_add(1))
                .collect(),
            many => {
                let mut all: Vec<u32> = many
                    .iter()
                    .flat_map(|&s| self.by_cp[s].range(window.start_us, window.end_us, cols))
                    .collect();
                all.sort_unstable_by_key(|&r| cols.key(r));
                all
            }
        };
        let truncated = rows.len() > limit;
        Capped {
            rows: rows.iter().take(limit).map(|&r| self.row(r)).collect(),
            truncated,
        }
    }

    /// Distinct slots of known checkpoints.
    pub(crate) fn slots_of(&self, checkpoints: &[CheckpointId]) -> Vec<usize> {
        let mut slots: Vec<usize> = checkpoints
            .iter()
            .filter_map(|c| self.cp_slot.get(&c.0).map(|&s| usize::from(s)))
            .collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }

    /// Q3, co-travel. Equal to the anchors' SQL: for each read `t` of the target in the window,
    /// the reads `r` at the same checkpoint with `t.ts - Δ <= r.ts <= t.ts + Δ` and another
    /// plate; per plate the number of distinct `t`; plates with at least `min_occasions`,
    /// ordered by occasions descending, then plate.
    /// See [`MAX_CO_TRAVEL_TOUCHES`].
    #[expect(
        clippy::too_many_lines,
        reason = "one procedure whose steps read in order; split when it next grows"
    )]
    pub fn co_travel(&self, p: &CoTravelParams<'_>) -> Result<Capped<CoTraveller<'_>>, IndexError> {
        if p.delta_us < 0 {
            return Err(IndexError::InvalidParam {
                param: "delta_us",
                reason: "must not be negative".into(),
            });
        }
        let Some(target) = self.plates.get(p.plate) else {
            return Ok(Capped::cut(Vec::new(), p.limit));
        };
        let targets = self.plate_rows(p.plate, p.window);
        let cols = &self.cols;
        let near = |t: u32| {
            let ts = cols.ts(t);
            let slot = usize::from(cols.get(t).checkpoint);
            let lo = ts.saturating_sub(p.delta_us);
            let hi = ts.saturating_add(p.delta_us).saturating_add(1);
            self.by_cp[slot]
                .range(lo, hi, cols)
                .filter(move |&r| cols.plate(r) != target)
        };
        // Pass 1: per plate, the number of distinct target reads it was near; every touched
        // read is remembered so that pass 2 need not walk the lists again.
        let mut counts: FxMap<u32, (u32, u32)> = FxMap::default();
        let mut touches: Vec<(u32, u32, u32)> = Vec::new();
        for (i, &t) in (0u32..).zip(targets) {
            // A target that sits at one busy checkpoint for hours would make every read there
            // a candidate many times over; refuse such a query instead of exhausting memory.
            if touches.len() > MAX_CO_TRAVEL_TOUCHES {
                return Err(IndexError::InvalidParam {
                    param: "window",
                    reason: format!(
                        "the query would compare more than {MAX_CO_TRAVEL_TOUCHES} reads; narrow the window or Δt"
                    ),
                });
            }
            for r in near(t) {
                let plate = cols.plate(r);
                touches.push((i, plate, r));
                let e = counts.entry(plate).or_insert((0, u32::MAX));
                if e.1 != i {
                    e.0 += 1;
                    e.1 = i;
                }
            }
        }
        let mut ranked: Vec<(u32, u32)> = counts
            .into_iter()
            .filter(|&(_, (c, _))| c >= p.min_occasions)
            .map(|(plate, (c, _))| (plate, c))
            .collect();
        ranked.sort_unstable_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| self.plates.name(a.0).cmp(self.plates.name(b.0)))
        });
        let truncated = ranked.len() > p.limit;
        ranked.truncate(p.limit);
        // Pass 2, only for the plates kept: the closest companion read of each occasion
        // (earliest `(ts, read_id)` on ties). Touches come in target order, so each plate's
        // current best is flushed when its target changes.
        let mut slot_of: FxMap<u32, usize> = FxMap::default();
        for (k, &(plate, _)) in ranked.iter().enumerate() {
            slot_of.insert(plate, k);
        }
        let mut passes: Vec<Vec<Occasion>> = vec![Vec::new(); ranked.len()];
        // Per kept plate: (target index, distance, companion key) of the best read so far.
        let mut current: Vec<Option<Best>> = vec![None; ranked.len()];
        let occasion = |i: u32, (ts, id): (i64, i64)| {
            let tv = cols.get(targets[i as usize]);
            Occasion {
                target_read: ReadId(tv.read_id),
                checkpoint: self.cp_ids[usize::from(tv.checkpoint)],
                target_ts_us: tv.ts,
                companion_read: ReadId(id),
                companion_ts_us: ts,
            }
        };
        for &(i, plate, r) in &touches {
            let Some(&k) = slot_of.get(&plate) else {
                continue;
            };
            let key = cols.key(r);
            let d = (key.0 - cols.ts(targets[i as usize])).abs();
            match current[k] {
                Some((ci, cd, ckey)) if ci == i => {
                    if (d, key) < (cd, ckey) {
                        current[k] = Some((i, d, key));
                    }
                }
                prev => {
                    if let Some((ci, _, ckey)) = prev {
                        passes[k].push(occasion(ci, ckey));
                    }
                    current[k] = Some((i, d, key));
                }
            }
        }
        for (k, c) in current.into_iter().enumerate() {
            if let Some((ci, _, ckey)) = c {
                passes[k].push(occasion(ci, ckey));
            }
        }
        let rows = ranked
            .into_iter()
            .zip(passes)
            .map(|((plate, occasions), passes)| CoTraveller {
                plate: self.plates.name(plate),
                occasions,
                passes,
            })
            .collect();
        Ok(Capped { rows, truncated })
    }

    /// Q4, multi-scene intersection (碰撞). With `min_scenes = None`, equal to the anchors'
    /// `SELECT plate … INTERSECT SELECT plate … ORDER BY plate` over the scenes (each scene's
    /// window as given; pass [`Window::inclusive`] for `ts <= t1`). With `Some(m)`, the plates
    /// seen at `m` or more of the scenes, also ordered by plate.
    pub fn multi_scene(
        &self,
        scenes: &[Scene],
        min_scenes: Option<usize>,
        limit: usize,
    ) -> Result<Capped<SceneHit<'_>>, IndexError> {
        let n = scenes.len();
        if !(2..=5).contains(&n) {
            return Err(IndexError::InvalidParam {
                param: "scenes",
                reason: format!("{n} scenes; between 2 and 5 are allowed"),
            });
        }
        let need = min_scenes.unwrap_or(n);
        if !(1..=n).contains(&need) {
            return Err(IndexError::InvalidParam {
                param: "min_scenes",
                reason: format!("{need} is not between 1 and {n}"),
            });
        }
        let words = self.by_plate.len().div_ceil(64);
        let cols = &self.cols;
        let sets: Vec<Vec<u64>> = scenes
            .iter()
            .map(|s| {
                let mut bits = vec![0u64; words];
                for slot in self.slots_of(&s.checkpoints) {
                    for r in self.by_cp[slot].range(s.window.start_us, s.window.end_us, cols) {
                        let p = cols.plate(r) as usize;
                        bits[p >> 6] |= 1 << (p & 63);
                    }
                }
                bits
            })
            .collect();
        let mut hits: Vec<SceneHit<'_>> = Vec::new();
        for w in 0..words {
            let any = sets.iter().fold(0u64, |a, s| a | s[w]);
            let mut rest = any;
            while rest != 0 {
                let b = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                let mask = sets
                    .iter()
                    .enumerate()
                    .fold(0u8, |m, (i, s)| m | (u8::from(s[w] >> b & 1 == 1) << i));
                if mask.count_ones() as usize >= need {
                    let plate = u32::try_from(w * 64 + b).unwrap_or(u32::MAX);
                    hits.push(SceneHit {
                        plate: self.plates.name(plate),
                        scenes: mask,
                    });
                }
            }
        }
        hits.sort_unstable_by(|a, b| a.plate.cmp(b.plate));
        Ok(Capped::cut(hits, limit))
    }
}

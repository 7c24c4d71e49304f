//! Scan-shaped queries: Q5 partial plate, Q6 flows, Q7 first seen.
//!
//! None of them scans reads: Q5 scans the plate dictionary (about 2 % of the reads' count) and
//! counts each matching plate's reads with two binary searches, Q6 reads the hourly counters
//! kept per checkpoint (only a window edge that cuts an hour in two is counted from the
//! checkpoint list), Q7 scans the per-plate first-seen times.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{sql_hour, Capped, IndexError, ReadIndex, Window, DAY_US, HOUR_US};
use crate::pattern::PlatePattern;
use crate::plate::{PlateColour, PlateType};
use crate::read::CheckpointId;

/// Parameters of Q5 (partial plate).
#[derive(Debug, Clone, Copy)]
pub struct PartialPlateParams<'a> {
    /// The witness pattern (`?`, `*`).
    pub pattern: &'a PlatePattern,
    /// Window of the counted reads.
    pub window: Window,
    /// Also match OCR-confusable characters at literal positions.
    pub expand_confusables: bool,
    /// Only reads with this plate colour.
    pub plate_colour: Option<PlateColour>,
    /// Only reads with this plate type.
    pub plate_type: Option<PlateType>,
    /// Result cap (plates).
    pub limit: usize,
}

/// A plate and how many of its reads matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlateCount<'a> {
    /// The plate.
    pub plate: &'a str,
    /// Reads counted.
    pub reads: u32,
}

/// Bucket width of Q6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// `ts - ts % 3600000000`, as the anchors' SQL.
    Hour,
    /// Days starting at local midnight, for the given UTC offset.
    Day {
        /// Local offset from UTC, a whole number of hours (China: `8 * HOUR_US`).
        utc_offset_us: i64,
    },
}

/// One row of Q6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    /// The checkpoint.
    pub checkpoint: CheckpointId,
    /// Start of the bucket, UTC microseconds.
    pub bucket_start_us: i64,
    /// Reads in the bucket (and the window).
    pub reads: u64,
}

/// One row of Q7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstSeen<'a> {
    /// The plate.
    pub plate: &'a str,
    /// Its first retained read.
    pub first_ts_us: i64,
    /// All its retained reads.
    pub reads: u32,
}

/// Plates per task in dictionary scans. The signature test costs about a nanosecond per plate,
/// so below [`PARALLEL_PLATES`] plates a second core costs more to wake than it saves.
const SCAN_CHUNK: usize = 65_536;
const PARALLEL_PLATES: usize = 1 << 20;

/// The times `t` with `sql_hour(t) == h`, as a half-open interval (SQLite's `%` truncates, so
/// negative buckets are shifted by one and bucket 0 spans two hours).
fn hour_interval(h: i64) -> (i64, i64) {
    match h.signum() {
        1 => (h, h.saturating_add(HOUR_US)),
        0 => (1 - HOUR_US, HOUR_US),
        _ => (h.saturating_sub(HOUR_US - 1), h.saturating_add(1)),
    }
}

impl ReadIndex {
    /// Q5, partial plate. Without expansion or filters, equal to `SELECT plate, COUNT(*) AS n
    /// FROM reads WHERE plate LIKE :pattern AND ts >= :t0 AND ts < :t1 GROUP BY plate ORDER BY
    /// n DESC, plate` (with `_` → `?`, `%` → `*`; plates are upper case, so LIKE's ASCII case
    /// folding changes nothing). Filters restrict the counted reads; plates with no counted read
    /// are left out.
    pub fn partial_plate(&self, p: &PartialPlateParams<'_>) -> Capped<PlateCount<'_>> {
        let filtered = p.plate_colour.is_some() || p.plate_type.is_some();
        let allowed: Vec<bool> = if filtered {
            (0..=u16::MAX)
                .map_while(|id| self.attrs.get(id))
                .map(|a| {
                    p.plate_colour.is_none_or(|c| a.plate_colour == Some(c))
                        && p.plate_type.is_none_or(|t| a.plate_type == Some(t))
                })
                .collect()
        } else {
            Vec::new()
        };
        let n = self.by_plate.len();
        let cols = &self.cols;
        let filter = p.pattern.signature_filter(p.expand_confusables);
        let (heads, bodies) = self.plates.signatures();
        let scan = |lo: usize| -> Vec<(u32, u32)> {
            let hi = (lo + SCAN_CHUNK).min(n);
            let mut out = Vec::new();
            for ((id, &head), &body) in (lo..hi).zip(&heads[lo..hi]).zip(&bodies[lo..hi]) {
                if !filter.may_match(head, body) {
                    continue;
                }
                let list = &self.by_plate[id];
                let pid = u32::try_from(id).unwrap_or(u32::MAX);
                if list.is_empty()
                    || !p
                        .pattern
                        .matches(self.plates.name(pid), p.expand_confusables)
                {
                    continue;
                }
                let a = list.partition_point(|&r| cols.ts(r) < p.window.start_us);
                let b = list.partition_point(|&r| cols.ts(r) < p.window.end_us);
                let rows = list.get(a..b).unwrap_or_default();
                let count = if filtered {
                    rows.iter()
                        .filter(|&&r| allowed.get(usize::from(cols.attr(r))) == Some(&true))
                        .count()
                } else {
                    rows.len()
                };
                if count > 0 {
                    out.push((pid, u32::try_from(count).unwrap_or(u32::MAX)));
                }
            }
            out
        };
        let starts: Vec<usize> = (0..n).step_by(SCAN_CHUNK).collect();
        let mut hits: Vec<(u32, u32)> = if n >= PARALLEL_PLATES {
            starts.into_par_iter().flat_map_iter(scan).collect()
        } else {
            starts.into_iter().flat_map(scan).collect()
        };
        hits.sort_unstable_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| self.plates.name(a.0).cmp(self.plates.name(b.0)))
        });
        let rows: Vec<PlateCount<'_>> = hits
            .into_iter()
            .map(|(id, reads)| PlateCount {
                plate: self.plates.name(id),
                reads,
            })
            .collect();
        Capped::cut(rows, p.limit)
    }

    /// Q6, flows: reads per checkpoint per bucket inside `window`, ordered by checkpoint id then
    /// bucket, empty buckets left out. With [`Bucket::Hour`] and [`Window::all`], equal to
    /// `SELECT checkpoint_id, ts - (ts % 3600000000), COUNT(*) FROM reads GROUP BY 1, 2 ORDER BY 1, 2`.
    pub fn flows(
        &self,
        bucket: Bucket,
        window: Window,
        limit: usize,
    ) -> Result<Capped<Flow>, IndexError> {
        if let Bucket::Day { utc_offset_us } = bucket {
            if utc_offset_us % HOUR_US != 0 || utc_offset_us.abs() >= DAY_US {
                return Err(IndexError::InvalidParam {
                    param: "utc_offset_us",
                    reason: format!("{utc_offset_us} is not a whole number of hours under a day"),
                });
            }
        }
        let mut order: Vec<usize> = (0..self.cp_ids.len()).collect();
        order.sort_unstable_by_key(|&s| self.cp_ids[s]);
        let first = sql_hour(window.start_us).saturating_sub(HOUR_US);
        let mut out = Vec::new();
        for slot in order {
            let mut per_bucket: BTreeMap<i64, u64> = BTreeMap::new();
            for (&h, &c) in self.hourly[slot].range(first..) {
                let (lo, hi) = hour_interval(h);
                if lo >= window.end_us {
                    break;
                }
                let c = if window.start_us <= lo && hi <= window.end_us {
                    u64::from(c)
                } else {
                    let (a, b) = (lo.max(window.start_us), hi.min(window.end_us));
                    self.by_cp[slot].count(a, b, &self.cols) as u64
                };
                if c == 0 {
                    continue;
                }
                let key = match bucket {
                    Bucket::Hour => {
                        // Hour keys come sorted from the counters: no regrouping needed.
                        out.push(Flow {
                            checkpoint: self.cp_ids[slot],
                            bucket_start_us: h,
                            reads: c,
                        });
                        continue;
                    }
                    Bucket::Day { utc_offset_us } => {
                        let x = h + utc_offset_us;
                        x - x.rem_euclid(DAY_US) - utc_offset_us
                    }
                };
                *per_bucket.entry(key).or_insert(0) += c;
            }
            out.extend(per_bucket.into_iter().map(|(b, reads)| Flow {
                checkpoint: self.cp_ids[slot],
                bucket_start_us: b,
                reads,
            }));
            if out.len() > limit {
                break;
            }
        }
        Ok(Capped::cut(out, limit))
    }

    /// Q7, first seen: plates whose first retained read falls in `window`, with all their
    /// retained reads counted, ordered by first read then plate. With `[t0, ∞)`, equal to the
    /// anchors' `SELECT plate, MIN(ts), COUNT(*) FROM reads GROUP BY plate HAVING MIN(ts) >= :t0
    /// ORDER BY first_ts, plate` (and to its NOT EXISTS form).
    pub fn first_seen(&self, window: Window, limit: usize) -> Capped<FirstSeen<'_>> {
        let mut hits: Vec<(i64, u32)> = self
            .first_ts
            .iter()
            .zip(0u32..)
            .filter(|&(&t, id)| window.contains(t) && !self.by_plate[id as usize].is_empty())
            .map(|(&t, id)| (t, id))
            .collect();
        hits.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| self.plates.name(a.1).cmp(self.plates.name(b.1)))
        });
        let rows = hits
            .into_iter()
            .map(|(t, id)| FirstSeen {
                plate: self.plates.name(id),
                first_ts_us: t,
                reads: u32::try_from(self.by_plate[id as usize].len()).unwrap_or(u32::MAX),
            })
            .collect();
        Capped::cut(rows, limit)
    }
}

//! The near-repeat Knox test, in the Near Repeat Calculator's terms.
//!
//! Every unordered pair of events is counted once, in one cell of a table whose rows are
//! distance bands and whose columns are time-gap bands.
//!
//! **Band boundaries.** With spatial bandwidth `s` and `B_s` bands, band `k` (1-based) holds
//! pairs at distance `(k−1)s < d ≤ ks`; band 1 is closed at 0 (`0 ≤ d ≤ s`) unless the "same
//! location" row is on, in which case pairs with `d ≤ same_location_m` (0 by default: identical
//! coordinates) go to that row and band 1 is `same_location_m < d ≤ s`. The last row holds every
//! pair with `d > B_s·s`. Time gaps work the same way with bandwidth `τ` days: band `k` holds
//! `(k−1)τ < Δt ≤ kτ`, band 1 is `0 ≤ Δt ≤ τ`, the last column `Δt > B_t·τ`. Upper ends are
//! inclusive, matching `pointpats.spacetime.Knox` (distance ≤ δ and gap ≤ τ).
//!
//! Times are compared at one-second resolution (microseconds are floored to whole seconds
//! relative to the earliest event); distances in metres as `f64`, Euclidean or Manhattan.
//!
//! **Inference.** The times are permuted over the events (Monte Carlo, seeded ChaCha8, one
//! stream per permutation); each cell reports its observed count, the mean permuted count
//! ("expected", as the NRC reports it), the ratio of the two, and the pseudo p-value
//! `(1 + #{permuted ≥ observed}) / (permutations + 1)`. The analytical expectation
//! `row total × column total / all pairs` is reported too.
//!
//! **Speed.** Only pairs closer than `B_s·s` ever change cell under a permutation of times: the
//! totals per time band over all pairs do not depend on which event carries which time, so the
//! far row is obtained by subtraction. Close pairs are found once on a bucket grid; each worker
//! then takes 16 permutations at a time, lays the 16 permuted times of each event side by side,
//! and streams the close-pair list once per block, comparing 16 lanes per pair.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{check_permutations, invalid, positive, Result};
use crate::event::{check_events, Event};
use kernel::{count_block, Block, Thresholds, LANES};

/// How distance is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistanceMetric {
    /// Straight-line distance.
    #[default]
    Euclidean,
    /// `|dx| + |dy|` (street-grid distance).
    Manhattan,
}

/// Parameters of [`knox`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KnoxParams {
    /// Spatial bandwidth `s` in metres (> 0).
    pub spatial_bandwidth_m: f64,
    /// Number of spatial bands `B_s` (1..=50).
    pub spatial_bands: u32,
    /// Temporal bandwidth `τ` in days (> 0).
    pub temporal_bandwidth_days: f64,
    /// Number of temporal bands `B_t` (1..=50).
    pub temporal_bands: u32,
    /// Distance metric.
    pub metric: DistanceMetric,
    /// Whether to give pairs at the same location their own row.
    pub same_location: bool,
    /// Distance up to which two events count as "same location" (metres, ≥ 0, below `s`).
    pub same_location_m: f64,
    /// Monte Carlo permutations (0..=[`crate::MAX_PERMUTATIONS`]).
    pub permutations: u32,
    /// Seed of the permutation RNG.
    pub seed: u64,
    /// Significance level for the risk zone.
    pub alpha: f64,
    /// Smallest observed/expected ratio for a cell to join the risk zone.
    pub min_ratio: f64,
}

impl Default for KnoxParams {
    fn default() -> Self {
        Self {
            spatial_bandwidth_m: 200.0,
            spatial_bands: 5,
            temporal_bandwidth_days: 7.0,
            temporal_bands: 4,
            metric: DistanceMetric::Euclidean,
            same_location: true,
            same_location_m: 0.0,
            permutations: 999,
            seed: 0,
            alpha: 0.05,
            min_ratio: 1.2,
        }
    }
}

/// A band's bounds: `lo < value ≤ hi` (or `0 ≤ value ≤ hi` for the first), `hi = None` for the last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// A label such as "201 to 400 m" or "same location".
    pub label: String,
    /// Lower bound (exclusive, except for the first band which includes it).
    pub lo: f64,
    /// Upper bound (inclusive), `None` for "beyond".
    pub hi: Option<f64>,
}

/// One cell of the Knox table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KnoxCell {
    /// Pairs observed in the cell.
    pub observed: u64,
    /// Mean count over the permutations (`None` without permutations).
    pub expected: Option<f64>,
    /// `row total × column total / all pairs`.
    pub expected_analytic: f64,
    /// Observed over expected (the Monte Carlo one when available); `None` when expected is 0.
    pub ratio: Option<f64>,
    /// `(1 + #{permuted ≥ observed}) / (permutations + 1)`; `None` without permutations.
    pub p_sim: Option<f64>,
}

/// The near-repeat risk zone implied by the table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RiskZone {
    /// Upper distance bound of the farthest band in the zone, metres.
    pub distance_m: f64,
    /// Upper time bound of the longest band in the zone, days.
    pub days: f64,
}

/// Result of [`knox`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnoxResult {
    /// Row bands (distance), including "same location" if asked and the final "beyond".
    pub spatial_bands: Vec<Band>,
    /// Column bands (time gap), including the final "beyond".
    pub temporal_bands: Vec<Band>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<KnoxCell>>,
    /// Number of events.
    pub n_events: usize,
    /// `n (n − 1) / 2`.
    pub total_pairs: u64,
    /// Pairs closer than the largest spatial band (the ones permutations act on).
    pub close_pairs: u64,
    /// Cells with `p_sim ≤ alpha` and ratio ≥ `min_ratio` connected to the closest/shortest
    /// corner; `None` when there are none (or no permutations).
    pub risk_zone: Option<RiskZone>,
    /// The parameters used.
    pub params: KnoxParams,
}

fn validate(events: &[Event], p: &KnoxParams) -> Result<()> {
    check_events(events)?;
    if events.len() < 2 {
        return Err(invalid("events", events.len(), "at least 2 events"));
    }
    if events.len() > u32::MAX as usize / 2 {
        return Err(invalid("events", events.len(), "fewer than 2^31 events"));
    }
    positive("spatial_bandwidth_m", p.spatial_bandwidth_m)?;
    positive("temporal_bandwidth_days", p.temporal_bandwidth_days)?;
    if !(1..=50).contains(&p.spatial_bands) {
        return Err(invalid("spatial_bands", p.spatial_bands, "1..=50"));
    }
    if !(1..=50).contains(&p.temporal_bands) {
        return Err(invalid("temporal_bands", p.temporal_bands, "1..=50"));
    }
    if !(p.same_location_m >= 0.0 && p.same_location_m < p.spatial_bandwidth_m) {
        return Err(invalid(
            "same_location_m",
            p.same_location_m,
            ">= 0 and below the spatial bandwidth",
        ));
    }
    if !(p.alpha > 0.0 && p.alpha < 1.0) {
        return Err(invalid("alpha", p.alpha, "in (0, 1)"));
    }
    if !p.min_ratio.is_finite() {
        return Err(invalid("min_ratio", p.min_ratio, "finite"));
    }
    if p.temporal_bandwidth_days * f64::from(p.temporal_bands) * 86_400.0 > f64::from(i32::MAX / 2)
    {
        return Err(invalid(
            "temporal_bandwidth_days",
            p.temporal_bandwidth_days,
            "with its bands below 12,000 days",
        ));
    }
    check_permutations(p.permutations)
}

/// Close pairs grouped by spatial row, in compressed form over the first event of each pair.
struct ClosePairs {
    /// Per near row: (offsets over events, partner indices).
    rows: Vec<(Vec<u32>, Vec<u32>)>,
}

/// Buckets per side of the search radius: neighbours are looked up in a
/// `(2·SUB + 1)²` block of buckets of side `r / SUB`, which holds ~1.6 times the circle's area.
const SUB: i64 = 4;

/// The bucket grid used to find close pairs; events are sorted by bucket, row-major.
struct Buckets {
    x0: f64,
    y0: f64,
    side: f64,
    nbx: i64,
    nby: i64,
}

impl Buckets {
    fn new(xs: impl Iterator<Item = (f64, f64)> + Clone, r: f64) -> Self {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in xs {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        // Keep the dense bucket table below ~4 M entries by coarsening the buckets if needed.
        let mut side = r / SUB as f64;
        while ((x1 - x0) / side + 1.0) * ((y1 - y0) / side + 1.0) > 4.0e6 {
            side *= 2.0;
        }
        let nbx = ((x1 - x0) / side).floor() as i64 + 1;
        let nby = ((y1 - y0) / side).floor() as i64 + 1;
        Self {
            x0,
            y0,
            side,
            nbx,
            nby,
        }
    }

    fn of(&self, x: f64, y: f64) -> (i64, i64) {
        let bx = (((x - self.x0) / self.side).floor() as i64).clamp(0, self.nbx - 1);
        let by = (((y - self.y0) / self.side).floor() as i64).clamp(0, self.nby - 1);
        (by, bx)
    }
}

fn close_pairs(
    xs: &[f64],
    ys: &[f64],
    b: &Buckets,
    p: &KnoxParams,
    near_rows: usize,
) -> ClosePairs {
    let n = xs.len();
    let r = p.spatial_bandwidth_m * f64::from(p.spatial_bands);
    // start[k] = first event of bucket k (row-major); events are already sorted by bucket.
    let nb = (b.nbx * b.nby) as usize;
    let mut start = vec![0u32; nb + 1];
    for i in 0..n {
        let (by, bx) = b.of(xs[i], ys[i]);
        start[(by * b.nbx + bx) as usize + 1] += 1;
    }
    for k in 0..nb {
        start[k + 1] += start[k];
    }
    let reach = (r / b.side).ceil() as i64;
    let s = p.spatial_bandwidth_m;
    let r2 = r * r;
    let same2 = p.same_location_m * p.same_location_m;
    let bands = p.spatial_bands as usize;
    let row_of = |d2: f64, d: f64| -> usize {
        if p.same_location && d2 <= same2 {
            return 0;
        }
        let band = ((d / s).ceil() as usize).clamp(1, bands);
        if p.same_location {
            band
        } else {
            band - 1
        }
    };
    let per_event: Vec<Vec<(u8, u32)>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let (xi, yi) = (xs[i], ys[i]);
            let (by, bx) = b.of(xi, yi);
            let mut out = Vec::new();
            // Rows below this one hold only smaller indices (row-major order): skip them.
            for row in by..=(by + reach).min(b.nby - 1) {
                let lo = (row * b.nbx + (bx - reach).max(0)) as usize;
                let hi = (row * b.nbx + (bx + reach).min(b.nbx - 1)) as usize;
                let (a, z) = (start[lo] as usize, start[hi + 1] as usize);
                for j in a.max(i + 1)..z {
                    let (dx, dy) = (xs[j] - xi, ys[j] - yi);
                    let (d2, d) = match p.metric {
                        DistanceMetric::Euclidean => {
                            let d2 = dx * dx + dy * dy;
                            if d2 > r2 {
                                continue;
                            }
                            (d2, d2.sqrt())
                        }
                        DistanceMetric::Manhattan => {
                            let d = dx.abs() + dy.abs();
                            if d > r {
                                continue;
                            }
                            (d * d, d)
                        }
                    };
                    out.push((row_of(d2, d) as u8, j as u32));
                }
            }
            out
        })
        .collect();
    let mut rows: Vec<(Vec<u32>, Vec<u32>)> = (0..near_rows)
        .map(|_| (Vec::with_capacity(n + 1), Vec::new()))
        .collect();
    for row in &mut rows {
        row.0.push(0);
    }
    for list in &per_event {
        for &(r, j) in list {
            rows[r as usize].1.push(j);
        }
        for row in &mut rows {
            row.0.push(row.1.len() as u32);
        }
    }
    ClosePairs { rows }
}

/// Runs the Knox test on `events` (metres).
///
/// # Errors
/// Fewer than 2 events, non-finite coordinates, bad bandwidths or band counts, too many
/// permutations, or a time span over 68 years.
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub fn knox(events: &[Event], params: &KnoxParams) -> Result<KnoxResult> {
    validate(events, params)?;
    let p = params;
    let n = events.len();
    let r = p.spatial_bandwidth_m * f64::from(p.spatial_bands);
    let t_min = events.iter().map(|e| e.t_micros).min().unwrap_or(0);
    let t_max = events.iter().map(|e| e.t_micros).max().unwrap_or(0);
    if (t_max - t_min) / 1_000_000 > i64::from(i32::MAX) {
        return Err(invalid("t_micros", t_max - t_min, "a span below 68 years"));
    }
    // Sort by bucket (row-major) so that close pairs have nearby indices (cache locality), with
    // id and time as tie-breakers so that the result does not depend on the input order.
    let buckets = Buckets::new(events.iter().map(|e| (e.x, e.y)), r);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| {
        let e = &events[i];
        (
            buckets.of(e.x, e.y),
            e.id,
            e.t_micros,
            e.x.to_bits(),
            e.y.to_bits(),
        )
    });
    let xs: Vec<f64> = order.iter().map(|&i| events[i].x).collect();
    let ys: Vec<f64> = order.iter().map(|&i| events[i].y).collect();
    let ts: Vec<i32> = order
        .iter()
        .map(|&i| ((events[i].t_micros - t_min) / 1_000_000) as i32)
        .collect();

    let near_rows = p.spatial_bands as usize + usize::from(p.same_location);
    let kt = p.temporal_bands as usize;
    let thr: Vec<i32> = (1..=kt)
        .map(|k| (p.temporal_bandwidth_days * 86_400.0 * k as f64).floor() as i32)
        .collect();
    let pairs = close_pairs(&xs, &ys, &buckets, p, near_rows);
    let close: u64 = pairs.rows.iter().map(|r| r.1.len() as u64).sum();

    // Column totals over all pairs: invariant under permutation of times.
    let mut sorted = ts.clone();
    sorted.sort_unstable();
    let total_pairs = n as u64 * (n as u64 - 1) / 2;
    let cum_all: Vec<u64> = thr
        .iter()
        .map(|&h| {
            let (mut lo, mut c) = (0usize, 0u64);
            for (hi, &t) in sorted.iter().enumerate() {
                while t - sorted[lo] > h {
                    lo += 1;
                }
                c += (hi - lo) as u64;
            }
            c
        })
        .collect();
    let col_totals: Vec<u64> = (0..=kt)
        .map(|c| diff_cum(&cum_all, c, total_pairs))
        .collect();

    // Observed cumulative counts per near row.
    let observed_cum: Vec<Vec<u64>> = pairs
        .rows
        .par_iter()
        .map(|(off, js)| {
            let mut cum = vec![0u64; kt];
            for i in 0..n {
                for &j in &js[off[i] as usize..off[i + 1] as usize] {
                    let d = (ts[i] - ts[j as usize]).abs();
                    for (c, &h) in cum.iter_mut().zip(&thr) {
                        *c += u64::from(d <= h);
                    }
                }
            }
            cum
        })
        .collect();
    let row_totals_near: Vec<u64> = pairs.rows.iter().map(|r| r.1.len() as u64).collect();
    let observed = table(&observed_cum, &row_totals_near, &col_totals);

    // Permutations, LANES at a time (see the kernel module).
    let span_s = ts.iter().copied().max().unwrap_or(0);
    let (quantum, thresholds) = Thresholds::new(&thr, span_s);
    let perms = p.permutations as usize;
    let blocks = perms.div_ceil(LANES);
    let rows_all = near_rows + 1;
    let cols_all = kt + 1;
    // For each block: per cell, (sum of permuted counts, number of permuted counts ≥ observed).
    let mc: Vec<(Vec<f64>, Vec<u64>)> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let lanes = LANES.min(perms - b * LANES);
            let perm: Vec<Vec<u32>> = (0..lanes)
                .map(|lane| {
                    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
                    rng.set_stream((b * LANES + lane) as u64);
                    let mut idx: Vec<u32> = (0..n as u32).collect();
                    shuffle(&mut idx, &mut rng);
                    idx
                })
                .collect();
            let block = Block::new(perm, &ts, quantum);
            let cum: Vec<Vec<[u32; LANES]>> = pairs
                .rows
                .iter()
                .map(|(off, js)| count_block(&block, off, js, &thresholds))
                .collect();
            let mut sums = vec![0.0; rows_all * cols_all];
            let mut ge = vec![0u64; rows_all * cols_all];
            for lane in 0..lanes {
                let lane_cum: Vec<Vec<u64>> = cum
                    .iter()
                    .map(|r| r.iter().map(|c| u64::from(c[lane])).collect())
                    .collect();
                let t = table(&lane_cum, &row_totals_near, &col_totals);
                for (k, &v) in t.iter().enumerate() {
                    sums[k] += v as f64;
                    ge[k] += u64::from(v >= observed[k]);
                }
            }
            (sums, ge)
        })
        .collect();
    let mut sums = vec![0.0; rows_all * cols_all];
    let mut ge = vec![0u64; rows_all * cols_all];
    for (s, g) in &mc {
        for k in 0..sums.len() {
            sums[k] += s[k];
            ge[k] += g[k];
        }
    }
    let row_total = |r: usize| {
        (0..cols_all)
            .map(|c| observed[r * cols_all + c])
            .sum::<u64>()
    };
    let cells: Vec<Vec<KnoxCell>> = (0..rows_all)
        .map(|r| {
            (0..cols_all)
                .map(|c| {
                    let k = r * cols_all + c;
                    let expected_analytic =
                        row_total(r) as f64 * col_totals[c] as f64 / total_pairs as f64;
                    let expected = (perms > 0).then(|| sums[k] / perms as f64);
                    let e = expected.unwrap_or(expected_analytic);
                    KnoxCell {
                        observed: observed[k],
                        expected,
                        expected_analytic,
                        ratio: (e > 0.0).then(|| observed[k] as f64 / e),
                        p_sim: (perms > 0).then(|| (ge[k] as f64 + 1.0) / (perms as f64 + 1.0)),
                    }
                })
                .collect()
        })
        .collect();
    let spatial_bands = spatial_labels(p);
    let temporal_bands = temporal_labels(p);
    let risk_zone = risk_zone(&cells, &spatial_bands, &temporal_bands, p);
    Ok(KnoxResult {
        spatial_bands,
        temporal_bands,
        cells,
        n_events: n,
        total_pairs,
        close_pairs: close,
        risk_zone,
        params: *p,
    })
}

/// Fisher-Yates shuffle with Lemire's multiply-shift bounded draws (unbiased: the rejection
/// step needs a division only when the low word falls below the bound, about `n / 2³²` of the
/// time). Twice as fast as `SliceRandom::shuffle`, which divides on every draw.
fn shuffle(v: &mut [u32], rng: &mut ChaCha8Rng) {
    for i in (1..v.len()).rev() {
        let bound = (i + 1) as u32;
        let mut m = u64::from(rng.next_u32()) * u64::from(bound);
        if (m as u32) < bound {
            let threshold = bound.wrapping_neg() % bound;
            while (m as u32) < threshold {
                m = u64::from(rng.next_u32()) * u64::from(bound);
            }
        }
        v.swap(i, (m >> 32) as usize);
    }
}

/// Count in band `c` from cumulative counts (`cum[k]` = pairs with gap ≤ (k+1)τ).
fn diff_cum(cum: &[u64], c: usize, total: u64) -> u64 {
    let upper = if c < cum.len() { cum[c] } else { total };
    let lower = if c == 0 { 0 } else { cum[c - 1] };
    upper - lower
}

/// The full table (row-major, near rows then the far row) from near cumulative counts.
fn table(near_cum: &[Vec<u64>], near_totals: &[u64], col_totals: &[u64]) -> Vec<u64> {
    let cols = col_totals.len();
    let mut t = Vec::with_capacity((near_cum.len() + 1) * cols);
    let mut far: Vec<u64> = col_totals.to_vec();
    for (cum, &tot) in near_cum.iter().zip(near_totals) {
        for (c, f) in far.iter_mut().enumerate() {
            let v = diff_cum(cum, c, tot);
            *f -= v;
            t.push(v);
        }
    }
    t.extend(far);
    t
}

fn spatial_labels(p: &KnoxParams) -> Vec<Band> {
    let s = p.spatial_bandwidth_m;
    let mut v = Vec::new();
    if p.same_location {
        v.push(Band {
            label: format!("same location (<= {} m)", p.same_location_m),
            lo: 0.0,
            hi: Some(p.same_location_m),
        });
    }
    for k in 0..p.spatial_bands {
        let lo = if k == 0 && p.same_location {
            p.same_location_m
        } else {
            f64::from(k) * s
        };
        let hi = f64::from(k + 1) * s;
        let open = if k == 0 && !p.same_location { "[" } else { "(" };
        v.push(Band {
            label: format!("{open}{lo}, {hi}] m"),
            lo,
            hi: Some(hi),
        });
    }
    let lo = f64::from(p.spatial_bands) * s;
    v.push(Band {
        label: format!("> {lo} m"),
        lo,
        hi: None,
    });
    v
}

fn temporal_labels(p: &KnoxParams) -> Vec<Band> {
    let tau = p.temporal_bandwidth_days;
    let mut v: Vec<Band> = (0..p.temporal_bands)
        .map(|k| {
            let (lo, hi) = (f64::from(k) * tau, f64::from(k + 1) * tau);
            let open = if k == 0 { "[" } else { "(" };
            Band {
                label: format!("{open}{lo}, {hi}] days"),
                lo,
                hi: Some(hi),
            }
        })
        .collect();
    let lo = f64::from(p.temporal_bands) * tau;
    v.push(Band {
        label: format!("> {lo} days"),
        lo,
        hi: None,
    });
    v
}

fn risk_zone(
    cells: &[Vec<KnoxCell>],
    sb: &[Band],
    tb: &[Band],
    p: &KnoxParams,
) -> Option<RiskZone> {
    let rows = cells.len() - 1; // The far row never joins.
    let cols = tb.len() - 1; // Nor the "beyond" column.
    let sig = |r: usize, c: usize| {
        let k = &cells[r][c];
        matches!((k.p_sim, k.ratio), (Some(ps), Some(ra)) if ps <= p.alpha && ra >= p.min_ratio)
    };
    let mut seen = vec![vec![false; cols]; rows];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    // Start from the closest row at the shortest gap, and from band 1 when "same location" is on.
    for (r, row) in seen
        .iter_mut()
        .enumerate()
        .take(1 + usize::from(p.same_location))
    {
        if sig(r, 0) {
            row[0] = true;
            stack.push((r, 0));
        }
    }
    let mut zone: Option<RiskZone> = None;
    while let Some((r, c)) = stack.pop() {
        let (d, t) = (sb[r].hi.unwrap_or(0.0), tb[c].hi.unwrap_or(0.0));
        zone = Some(match zone {
            None => RiskZone {
                distance_m: d,
                days: t,
            },
            Some(z) => RiskZone {
                distance_m: z.distance_m.max(d),
                days: z.days.max(t),
            },
        });
        let nbrs = [
            (r.wrapping_sub(1), c),
            (r + 1, c),
            (r, c.wrapping_sub(1)),
            (r, c + 1),
        ];
        for (a, b) in nbrs {
            if a < rows && b < cols && !seen[a][b] && sig(a, b) {
                seen[a][b] = true;
                stack.push((a, b));
            }
        }
    }
    zone
}

mod kernel;
#[cfg(test)]
mod tests;

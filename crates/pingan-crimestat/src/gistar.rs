//! Getis-Ord Gi* hot-spot analysis on counts per cell (square grid or H3 hexagons).
//!
//! Classical form (Getis & Ord 1992/1995, as in ArcGIS Hot Spot Analysis): binary weights that
//! include the cell itself, every cell of the study area counted (zero-count cells included),
//! `x̄` and `S = sqrt(Σx²/n − x̄²)` over all cells, and for cell `i` with `W_i` weights
//!
//! ```text
//! z_i = (Σ_j w_ij x_j − x̄ W_i) / (S · sqrt((n W_i − W_i²) / (n − 1)))
//! ```
//!
//! This equals esda's `G_Local(star=True, transform="B")` z-score. (esda's default
//! row-standardised transform yields a different, non-classical variance; its permutation
//! p-values are unaffected by the transform.)
//!
//! Permutation pseudo p-values use conditional randomisation: the cell keeps its own value and
//! its `k` neighbours' values are replaced by `k` values drawn without replacement from the other
//! `n − 1` cells. As in esda's `crand`, one table of random draws is shared by all cells (each
//! cell's p-value is valid on its own; cells are not independent of one another). The draw for
//! permutation `p` is a list of `k_max + 1` distinct cells; cell `i` uses its first `k` entries,
//! skipping itself if present. Because only prefix sums of each list are needed, a cell costs one
//! comparison per permutation. The reported `p_sim` is a folded one-sided value
//! `(min(#{sim ≥ obs}, #{sim ≤ obs}) + 1) / (perms + 1)`; classes from permutations use the
//! two-sided `min(1, 2·p_sim)`. This differs from esda's `(min(larger, perms − larger) + 1) /
//! (perms + 1)` only in how ties count: esda counts a tie as "larger" on both sides, so a cell
//! whose neighbourhood is all zeros (every permuted sum ≥ 0 = observed) gets p = 0.001 and is
//! flagged "significantly cold" with z ≈ −0.8; here such a cell gets p = 1. The analytical `p_norm` is two-sided, `2·P(Z > |z|)`.
//!
//! Not done here: road-section Gi* (needs the road network), false-discovery-rate correction.

use std::collections::{HashMap, HashSet, VecDeque};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{check_permutations, invalid, positive, AnalyticsError, Result};
use crate::event::{check_events, Event};
use crate::grid::GridSpec;
use crate::stats::normal_sf;

/// Neighbour lists in compressed form; a cell is never listed as its own neighbour.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Neighbours {
    /// `ids[offsets[i]..offsets[i + 1]]` are the neighbours of cell `i`.
    pub offsets: Vec<usize>,
    /// Neighbour cell indices.
    pub ids: Vec<u32>,
}

impl Neighbours {
    /// The neighbours of cell `i`.
    pub fn of(&self, i: usize) -> &[u32] {
        &self.ids[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Builds the lists from one neighbour iterator per cell.
    pub fn from_fn(n: usize, mut f: impl FnMut(usize, &mut Vec<u32>)) -> Self {
        let mut offsets = Vec::with_capacity(n + 1);
        let mut ids = Vec::new();
        offsets.push(0);
        for i in 0..n {
            f(i, &mut ids);
            offsets.push(ids.len());
        }
        Self { offsets, ids }
    }
}

/// How neighbours are chosen on a square grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Contiguity {
    /// The 8 surrounding cells (fewer on the edge).
    Queen,
    /// Cells whose centres are within `radius_m` metres of the cell's centre.
    DistanceBand {
        /// The band radius in metres (> 0).
        radius_m: f64,
    },
}

/// Which p-value decides the hot/cold class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassBasis {
    /// The analytical two-sided normal p-value (ArcGIS's default).
    #[default]
    Analytical,
    /// The permutation pseudo p-value (two-sided); needs `permutations > 0`.
    Permutation,
}

/// Parameters of the Gi* entry points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GiStarParams {
    /// Number of permutations (0 for none; 999 is customary).
    pub permutations: u32,
    /// Seed of the permutation RNG.
    pub seed: u64,
    /// Which p-value sets the class.
    pub class_basis: ClassBasis,
}

impl Default for GiStarParams {
    fn default() -> Self {
        Self {
            permutations: 999,
            seed: 0,
            class_basis: ClassBasis::Analytical,
        }
    }
}

/// One cell's Gi* result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GiStarCell {
    /// The cell's value (event count).
    pub value: f64,
    /// The Gi* z-score.
    pub z: f64,
    /// Two-sided analytical p-value.
    pub p_norm: f64,
    /// Folded one-sided permutation pseudo p-value (see the module docs), when permutations ran.
    pub p_sim: Option<f64>,
    /// Hot (+1, +2, +3 for 90/95/99 %), cold (−1..−3) or not significant (0).
    pub class: i8,
}

/// Gi* over an arbitrary set of cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GiStarResult {
    /// Per-cell results in the input order.
    pub cells: Vec<GiStarCell>,
    /// Mean cell value.
    pub mean: f64,
    /// Population standard deviation of the cell values.
    pub sd: f64,
    /// Permutations run.
    pub permutations: u32,
    /// Seed used.
    pub seed: u64,
}

fn class_of(z: f64, p: f64) -> i8 {
    let level = if p <= 0.01 {
        3
    } else if p <= 0.05 {
        2
    } else if p <= 0.10 {
        1
    } else {
        0
    };
    if z > 0.0 {
        level
    } else if z < 0.0 {
        -level
    } else {
        0
    }
}

/// Gi* on `values` (one per cell) with `neighbours` (self excluded; it is added here).
///
/// # Errors
/// Fewer than 3 cells, mismatched lengths, non-finite values, too many permutations, or
/// [`ClassBasis::Permutation`] with no permutations.
pub fn gistar(
    values: &[f64],
    neighbours: &Neighbours,
    params: &GiStarParams,
) -> Result<GiStarResult> {
    let n = values.len();
    if n == 0 {
        return Err(AnalyticsError::EmptyInput);
    }
    if n < 3 {
        return Err(invalid("cells", n, "at least 3 cells"));
    }
    if neighbours.len() != n || neighbours.ids.iter().any(|&j| j as usize >= n) {
        return Err(invalid(
            "neighbours",
            neighbours.len(),
            "one list per cell with valid indices",
        ));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(invalid(
            "values",
            format!("cell {i} = {}", values[i]),
            "finite",
        ));
    }
    check_permutations(params.permutations)?;
    if params.class_basis == ClassBasis::Permutation && params.permutations == 0 {
        return Err(invalid(
            "permutations",
            0,
            "> 0 when class_basis is permutation",
        ));
    }
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let sd = (values.iter().map(|v| v * v).sum::<f64>() / nf - mean * mean)
        .max(0.0)
        .sqrt();
    // Observed sums over the neighbours only (self added where needed).
    let sums: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| neighbours.of(i).iter().map(|&j| values[j as usize]).sum())
        .collect();
    let p_sim = if params.permutations > 0 {
        Some(permutation_p(values, neighbours, &sums, params))
    } else {
        None
    };
    let cells = (0..n)
        .into_par_iter()
        .map(|i| {
            let w = neighbours.of(i).len() as f64 + 1.0;
            let var = (nf * w - w * w) / (nf - 1.0);
            let z = if sd > 0.0 && var > 0.0 {
                (sums[i] + values[i] - mean * w) / (sd * var.sqrt())
            } else {
                0.0
            };
            let p_norm = (2.0 * normal_sf(z.abs())).clamp(f64::MIN_POSITIVE, 1.0);
            let ps = p_sim.as_ref().map(|p| p[i]);
            let class = match (params.class_basis, ps) {
                (ClassBasis::Permutation, Some(p)) => class_of(z, (2.0 * p).min(1.0)),
                _ => class_of(z, p_norm),
            };
            GiStarCell {
                value: values[i],
                z,
                p_norm,
                p_sim: ps,
                class,
            }
        })
        .collect();
    Ok(GiStarResult {
        cells,
        mean,
        sd,
        permutations: params.permutations,
        seed: params.seed,
    })
}

/// Folded pseudo p-values by shared conditional-randomisation draws (see the module docs).
fn permutation_p(values: &[f64], nb: &Neighbours, sums: &[f64], params: &GiStarParams) -> Vec<f64> {
    let n = values.len();
    let perms = params.permutations as usize;
    let k_max = (0..n).map(|i| nb.of(i).len()).max().unwrap_or(0);
    let len = (k_max + 1).min(n);
    // draws[p * len + l] is the l-th cell drawn in permutation p; each row has distinct cells.
    let draws: Vec<u32> = (0..perms)
        .into_par_iter()
        .flat_map_iter(|p| {
            let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
            rng.set_stream(p as u64);
            let mut row: Vec<u32> = Vec::with_capacity(len);
            while row.len() < len {
                let c = rng.gen_range(0..n as u32);
                if !row.contains(&c) {
                    row.push(c);
                }
            }
            row
        })
        .collect();
    // prefix[m][p] = sum of the first m drawn values of permutation p (column-major for speed).
    let mut prefix = vec![0.0; (len + 1) * perms];
    for p in 0..perms {
        let mut s = 0.0;
        for l in 0..len {
            s += values[draws[p * len + l] as usize];
            prefix[(l + 1) * perms + p] = s;
        }
    }
    // Where each cell appears among the draws, so that it can be skipped there.
    let mut seen: HashMap<u32, Vec<(usize, usize)>> = HashMap::new();
    for p in 0..perms {
        for l in 0..len {
            seen.entry(draws[p * len + l]).or_default().push((p, l));
        }
    }
    (0..n)
        .into_par_iter()
        .map(|i| {
            let k = nb.of(i).len();
            let obs = sums[i];
            let col = &prefix[k * perms..(k + 1) * perms];
            let mut larger = col.iter().filter(|&&s| s >= obs).count() as i64;
            let mut smaller = col.iter().filter(|&&s| s <= obs).count() as i64;
            if let Some(hits) = seen.get(&(i as u32)) {
                for &(p, l) in hits {
                    if l < k {
                        // Cell i was drawn for itself: use the (k+1)-th draw instead.
                        let fixed = prefix[(k + 1) * perms + p] - values[i];
                        larger += i64::from(fixed >= obs) - i64::from(col[p] >= obs);
                        smaller += i64::from(fixed <= obs) - i64::from(col[p] <= obs);
                    }
                }
            }
            let extreme = larger.min(smaller).max(0) as f64;
            (extreme + 1.0) / (perms as f64 + 1.0)
        })
        .collect()
}

/// Square-grid neighbours for `grid` under `contiguity`.
///
/// # Errors
/// A distance band ≤ 0.
pub fn grid_neighbours(grid: &GridSpec, contiguity: Contiguity) -> Result<Neighbours> {
    let (nx, ny) = (grid.nx as i64, grid.ny as i64);
    let offsets: Vec<(i64, i64)> = match contiguity {
        Contiguity::Queen => (-1..=1)
            .flat_map(|dy| (-1..=1).map(move |dx| (dx, dy)))
            .filter(|&d| d != (0, 0))
            .collect(),
        Contiguity::DistanceBand { radius_m } => {
            positive("radius_m", radius_m)?;
            let r = (radius_m / grid.cell).floor() as i64;
            let r2 = radius_m * radius_m;
            (-r..=r)
                .flat_map(|dy| (-r..=r).map(move |dx| (dx, dy)))
                .filter(|&(dx, dy)| {
                    (dx, dy) != (0, 0) && ((dx * dx + dy * dy) as f64) * grid.cell * grid.cell <= r2
                })
                .collect()
        }
    };
    Ok(Neighbours::from_fn(grid.len(), |i, ids| {
        let (x, y) = ((i as i64) % nx, (i as i64) / nx);
        for &(dx, dy) in &offsets {
            let (a, b) = (x + dx, y + dy);
            if a >= 0 && b >= 0 && a < nx && b < ny {
                ids.push((b * nx + a) as u32);
            }
        }
    }))
}

/// Gi* on a square grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridGiStar {
    /// The grid (cells row-major from the south-west).
    pub grid: GridSpec,
    /// Events that fell outside the grid and were not counted.
    pub events_outside: usize,
    /// The per-cell results.
    pub result: GiStarResult,
}

/// Gi* on counts of `events` (metres) per cell of `grid`.
///
/// # Errors
/// Empty input, an invalid grid, no event inside the grid, or any [`gistar`] error.
pub fn gistar_grid(
    events: &[Event],
    grid: &GridSpec,
    contiguity: Contiguity,
    params: &GiStarParams,
) -> Result<GridGiStar> {
    check_events(events)?;
    grid.validate()?;
    let (counts, outside) = grid.counts(events);
    if outside == events.len() {
        return Err(AnalyticsError::EmptyWindow {
            what: format!("grid {grid:?}"),
        });
    }
    let nb = grid_neighbours(grid, contiguity)?;
    Ok(GridGiStar {
        grid: *grid,
        events_outside: outside,
        result: gistar(&counts, &nb, params)?,
    })
}

/// Gi* on H3 hexagons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HexGiStar {
    /// H3 resolution used.
    pub resolution: u8,
    /// The H3 cell indices (hex strings), parallel to `result.cells`.
    pub cells: Vec<String>,
    /// The per-cell results.
    pub result: GiStarResult,
}

/// Most hexagons one H3 analysis may cover.
pub const MAX_HEX_CELLS: usize = 2_000_000;

/// Gi* on counts of `events` (x = longitude, y = latitude, degrees) per H3 cell at `resolution`.
///
/// The study area is every cell whose centre lies in the events' longitude/latitude bounding box
/// (plus every cell holding an event), so zero-count cells are included. Neighbours are the cells
/// within `k_ring` grid steps (1 = the six adjacent hexagons, the hexagonal queen contiguity).
///
/// # Errors
/// Invalid lon/lat, resolution > 15, `k_ring` = 0, too many cells, or any [`gistar`] error.
pub fn gistar_h3(
    events: &[Event],
    resolution: u8,
    k_ring: u32,
    params: &GiStarParams,
) -> Result<HexGiStar> {
    use h3o::{CellIndex, LatLng, Resolution};
    check_events(events)?;
    let res = Resolution::try_from(resolution)
        .map_err(|_| invalid("resolution", resolution, "0..=15"))?;
    if k_ring == 0 || k_ring > 10 {
        return Err(invalid("k_ring", k_ring, "1..=10"));
    }
    let mut counts: HashMap<CellIndex, f64> = HashMap::new();
    let (mut lo_lon, mut lo_lat, mut hi_lon, mut hi_lat) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (index, e) in events.iter().enumerate() {
        let ll = LatLng::new(e.y, e.x).map_err(|err| AnalyticsError::InvalidLonLat {
            index,
            id: e.id.0,
            reason: err.to_string(),
        })?;
        *counts.entry(ll.to_cell(res)).or_insert(0.0) += 1.0;
        lo_lon = lo_lon.min(e.x);
        hi_lon = hi_lon.max(e.x);
        lo_lat = lo_lat.min(e.y);
        hi_lat = hi_lat.max(e.y);
    }
    let inside = |c: CellIndex| {
        let ll = LatLng::from(c);
        (lo_lon..=hi_lon).contains(&ll.lng()) && (lo_lat..=hi_lat).contains(&ll.lat())
    };
    // Flood-fill from the occupied cells through cells whose centres are inside the box.
    let mut area: HashSet<CellIndex> = counts.keys().copied().collect();
    let mut queue: VecDeque<CellIndex> = area.iter().copied().collect();
    while let Some(c) = queue.pop_front() {
        for nb in c.grid_disk::<Vec<_>>(1) {
            if !area.contains(&nb) && inside(nb) {
                if area.len() >= MAX_HEX_CELLS {
                    return Err(AnalyticsError::GridTooLarge {
                        cells: area.len() as u64 + 1,
                        max: MAX_HEX_CELLS as u64,
                    });
                }
                area.insert(nb);
                queue.push_back(nb);
            }
        }
    }
    let mut cells: Vec<CellIndex> = area.into_iter().collect();
    cells.sort_unstable();
    let pos: HashMap<CellIndex, u32> = cells
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, i as u32))
        .collect();
    let nb = Neighbours::from_fn(cells.len(), |i, ids| {
        for c in cells[i].grid_disk::<Vec<_>>(k_ring) {
            if c != cells[i] {
                if let Some(&j) = pos.get(&c) {
                    ids.push(j);
                }
            }
        }
    });
    let values: Vec<f64> = cells
        .iter()
        .map(|c| counts.get(c).copied().unwrap_or(0.0))
        .collect();
    let result = gistar(&values, &nb, params)?;
    Ok(HexGiStar {
        resolution,
        cells: cells.iter().map(ToString::to_string).collect(),
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> GridSpec {
        GridSpec {
            x0: 0.0,
            y0: 0.0,
            cell: 100.0,
            nx: 20,
            ny: 20,
        }
    }

    fn clustered() -> Vec<Event> {
        let mut ev = Vec::new();
        for i in 0..200u64 {
            ev.push(Event::at(
                i,
                1000.0 + (i % 7) as f64 * 20.0,
                1000.0 + (i % 5) as f64 * 25.0,
                0,
            ));
        }
        for i in 0..200u64 {
            ev.push(Event::at(
                1000 + i,
                (i * 97 % 2000) as f64,
                (i * 61 % 2000) as f64,
                0,
            ));
        }
        ev
    }

    #[test]
    fn the_cluster_is_hot_and_p_values_are_in_range() {
        let r = gistar_grid(
            &clustered(),
            &grid(),
            Contiguity::Queen,
            &GiStarParams::default(),
        )
        .expect("gi*");
        let g = &r.grid;
        let c = &r.result.cells[g.cell_of(1050.0, 1050.0).expect("inside")];
        assert_eq!(c.class, 3);
        assert!(c.z > 5.0);
        assert!(c.p_sim.expect("perms") <= 0.002);
        for cell in &r.result.cells {
            assert!(cell.p_norm > 0.0 && cell.p_norm <= 1.0);
            let p = cell.p_sim.expect("perms");
            assert!(p > 0.0 && p <= 1.0);
        }
    }

    #[test]
    fn permutations_are_reproducible_and_seed_dependent() {
        let p = GiStarParams {
            permutations: 99,
            seed: 5,
            class_basis: ClassBasis::Permutation,
        };
        let a = gistar_grid(&clustered(), &grid(), Contiguity::Queen, &p).expect("gi*");
        let b = gistar_grid(&clustered(), &grid(), Contiguity::Queen, &p).expect("gi*");
        assert_eq!(a, b);
    }

    #[test]
    fn distance_band_of_one_cell_equals_rook() {
        let nb =
            grid_neighbours(&grid(), Contiguity::DistanceBand { radius_m: 100.0 }).expect("nb");
        assert_eq!(nb.of(21).len(), 4);
        assert_eq!(nb.of(0).len(), 2);
        let q = grid_neighbours(&grid(), Contiguity::Queen).expect("nb");
        assert_eq!(q.of(21).len(), 8);
    }

    #[test]
    fn validation() {
        let ev = clustered();
        let too_many = GiStarParams {
            permutations: 1_000_000,
            ..GiStarParams::default()
        };
        assert!(matches!(
            gistar_grid(&ev, &grid(), Contiguity::Queen, &too_many),
            Err(AnalyticsError::TooManyPermutations { .. })
        ));
        let far = GridSpec { x0: 1e6, ..grid() };
        assert!(matches!(
            gistar_grid(&ev, &far, Contiguity::Queen, &GiStarParams::default()),
            Err(AnalyticsError::EmptyWindow { .. })
        ));
        assert!(gistar_grid(
            &ev,
            &grid(),
            Contiguity::DistanceBand { radius_m: -1.0 },
            &GiStarParams::default()
        )
        .is_err());
    }

    #[test]
    fn hexagons_cover_the_box_and_find_the_cluster() {
        let mut ev = Vec::new();
        for i in 0..300u64 {
            let (lon, lat) = if i < 150 {
                (120.10 + (i % 3) as f64 * 1e-4, 30.20)
            } else {
                (
                    120.05 + (i % 30) as f64 * 0.004,
                    30.15 + (i % 17) as f64 * 0.006,
                )
            };
            ev.push(Event::at(i, lon, lat, 0));
        }
        let r = gistar_h3(
            &ev,
            8,
            1,
            &GiStarParams {
                permutations: 199,
                ..GiStarParams::default()
            },
        )
        .expect("h3");
        assert!(r.cells.len() > 30);
        assert!(r.result.cells.iter().any(|c| c.value == 0.0));
        let busiest = r
            .result
            .cells
            .iter()
            .max_by(|a, b| a.value.total_cmp(&b.value))
            .expect("cells");
        assert!(busiest.value >= 75.0 && busiest.class == 3, "{busiest:?}");
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// p-values lie in (0, 1], the z-scores sum to what the counts imply, and the result does
        /// not depend on the order of the events.
        #[test]
        fn p_values_in_range_and_order_invariant(pts in proptest::collection::vec((0.0..1000.0f64, 0.0..800.0f64), 1..300), seed in 0u64..50, rot in 0usize..300) {
            let ev: Vec<Event> = pts.iter().enumerate().map(|(i, &(x, y))| Event::at(i as u64, x, y, 0)).collect();
            let grid = GridSpec { x0: 0.0, y0: 0.0, cell: 100.0, nx: 10, ny: 8 };
            let params = GiStarParams { permutations: 99, seed, class_basis: ClassBasis::Permutation };
            let a = gistar_grid(&ev, &grid, Contiguity::Queen, &params).expect("gi*");
            let mut other = ev.clone();
            other.rotate_left(rot % ev.len());
            let b = gistar_grid(&other, &grid, Contiguity::Queen, &params).expect("gi*");
            prop_assert_eq!(&a, &b);
            for c in &a.result.cells {
                prop_assert!(c.p_norm > 0.0 && c.p_norm <= 1.0);
                let p = c.p_sim.expect("perms");
                prop_assert!(p > 0.0 && p <= 1.0);
                prop_assert!(c.z.is_finite());
            }
        }
    }
}

//! Kernel density estimation on a regular metre grid, and hotspot polygons from it.
//!
//! The density at a cell centre `c` is `(1/n) Σ K(c − p)` over the `n` events, in events per
//! square metre per event (it integrates to 1, the same scale as scikit-learn's
//! `KernelDensity` and SciPy's `gaussian_kde`). Multiply by `n` for events per m².
//!
//! * Gaussian: `K(d) = exp(−|d|²/2h²) / (2πh²)` with `h` the bandwidth (standard deviation).
//!   The kernel factorises into an x and a y term, so each event contributes an outer product of
//!   two short vectors: we precompute the per-event x and y factors once and each output row
//!   accumulates `wy · gx[..]` over the events whose y lies within the cut-off. Terms are omitted
//!   only beyond `9h` on either axis, where a factor is below `exp(−40.5) ≈ 2.6e-18` of the peak:
//!   the result equals the untruncated sum to within floating-point rounding ("exact").
//! * Quartic (biweight, as in ArcGIS and CrimeStat): `K(d) = 3/(πh²) · (1 − |d|²/h²)²` for
//!   `|d| < h`, 0 beyond; `h` is the search radius. Exact with no truncation at all.
//!
//! Rows are computed in parallel (rayon). Events outside the grid still contribute to the
//! cells their kernel reaches. The module does not render rasters or pick a bandwidth.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{invalid, positive, Result};
use crate::event::{check_events, Event};
use crate::grid::GridSpec;

/// The kernel shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// Gaussian; the bandwidth is its standard deviation.
    #[default]
    Gaussian,
    /// Quartic (biweight); the bandwidth is its radius.
    Quartic,
}

/// Parameters of [`kde`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KdeParams {
    /// The kernel.
    pub kernel: Kernel,
    /// Bandwidth in metres (> 0).
    pub bandwidth: f64,
    /// The output grid.
    pub grid: GridSpec,
}

/// A density surface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KdeSurface {
    /// The grid the values live on.
    pub grid: GridSpec,
    /// The kernel used.
    pub kernel: Kernel,
    /// The bandwidth used, metres.
    pub bandwidth: f64,
    /// How many events went in.
    pub n_events: usize,
    /// Density per m² at each cell centre, row-major from the south-west (see [`GridSpec`]).
    pub values: Vec<f64>,
    /// The largest value.
    pub max: f64,
}

/// Cut-off of the Gaussian in bandwidths (see the module docs).
const GAUSS_CUTOFF: f64 = 9.0;

/// Computes the density surface of `events` (metres).
///
/// # Errors
/// Empty input, non-finite coordinates, a bandwidth ≤ 0 or an invalid grid.
pub fn kde(events: &[Event], params: &KdeParams) -> Result<KdeSurface> {
    check_events(events)?;
    positive("bandwidth", params.bandwidth)?;
    params.grid.validate()?;
    let values = match params.kernel {
        Kernel::Gaussian => gaussian(events, params.bandwidth, &params.grid),
        Kernel::Quartic => quartic(events, params.bandwidth, &params.grid),
    };
    let max = values.iter().copied().fold(0.0, f64::max);
    Ok(KdeSurface {
        grid: params.grid,
        kernel: params.kernel,
        bandwidth: params.bandwidth,
        n_events: events.len(),
        values,
        max,
    })
}

/// First and one-past-last cell index along an axis whose centres lie within `[lo, hi]`.
fn centre_range(origin: f64, cell: f64, n: usize, lo: f64, hi: f64) -> (usize, usize) {
    let a = ((lo - origin) / cell - 0.5).ceil().max(0.0);
    let b = ((hi - origin) / cell - 0.5).floor() + 1.0;
    let b = b.min(n as f64);
    if b <= a {
        (0, 0)
    } else {
        (a as usize, b as usize)
    }
}

/// Per-event kernel factors along one axis: start index, length, and `stride` values each.
struct AxisFactors {
    start: Vec<usize>,
    len: Vec<usize>,
    stride: usize,
    vals: Vec<f64>,
}

fn axis_factors(coords: &[f64], origin: f64, cell: f64, n: usize, h: f64) -> AxisFactors {
    let reach = GAUSS_CUTOFF * h;
    let stride = ((2.0 * reach / cell).ceil() as usize + 2).min(n);
    let inv = -0.5 / (h * h);
    let mut start = vec![0; coords.len()];
    let mut len = vec![0; coords.len()];
    let mut vals = vec![0.0; coords.len() * stride];
    vals.par_chunks_mut(stride)
        .zip(start.par_iter_mut().zip(len.par_iter_mut()))
        .zip(coords.par_iter())
        .for_each(|((out, (s, l)), &c)| {
            let (a, b) = centre_range(origin, cell, n, c - reach, c + reach);
            let b = b.min(a + stride);
            *s = a;
            *l = b - a;
            for (k, o) in out.iter_mut().enumerate().take(b - a) {
                let d = origin + ((a + k) as f64 + 0.5) * cell - c;
                *o = (d * d * inv).exp();
            }
        });
    AxisFactors {
        start,
        len,
        stride,
        vals,
    }
}

fn gaussian(events: &[Event], h: f64, g: &GridSpec) -> Vec<f64> {
    // Sort events by y so that each row finds its contributors with two binary searches.
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_unstable_by(|&a, &b| events[a].y.total_cmp(&events[b].y));
    let xs: Vec<f64> = order.iter().map(|&i| events[i].x).collect();
    let ys: Vec<f64> = order.iter().map(|&i| events[i].y).collect();
    let fx = axis_factors(&xs, g.x0, g.cell, g.nx, h);
    let fy = axis_factors(&ys, g.y0, g.cell, g.ny, h);
    let norm = 1.0 / (events.len() as f64 * 2.0 * std::f64::consts::PI * h * h);
    let reach = GAUSS_CUTOFF * h;
    let mut out = vec![0.0; g.len()];
    out.par_chunks_mut(g.nx).enumerate().for_each(|(iy, row)| {
        let cy = g.cy(iy);
        let lo = ys.partition_point(|&y| y < cy - reach);
        let hi = ys.partition_point(|&y| y <= cy + reach);
        for p in lo..hi {
            let (sy, ly) = (fy.start[p], fy.len[p]);
            if iy < sy || iy >= sy + ly {
                continue;
            }
            let wy = fy.vals[p * fy.stride + (iy - sy)];
            let (sx, lx) = (fx.start[p], fx.len[p]);
            let gx = &fx.vals[p * fx.stride..p * fx.stride + lx];
            for (o, &v) in row[sx..sx + lx].iter_mut().zip(gx) {
                *o += wy * v;
            }
        }
        for o in row.iter_mut() {
            *o *= norm;
        }
    });
    out
}

fn quartic(events: &[Event], h: f64, g: &GridSpec) -> Vec<f64> {
    let mut pts: Vec<(f64, f64)> = events.iter().map(|e| (e.x, e.y)).collect();
    pts.sort_unstable_by(|a, b| a.1.total_cmp(&b.1));
    let norm = 3.0 / (std::f64::consts::PI * h * h * events.len() as f64);
    let h2 = h * h;
    let mut out = vec![0.0; g.len()];
    out.par_chunks_mut(g.nx).enumerate().for_each(|(iy, row)| {
        let cy = g.cy(iy);
        let lo = pts.partition_point(|p| p.1 <= cy - h);
        let hi = pts.partition_point(|p| p.1 < cy + h);
        for &(x, y) in &pts[lo..hi] {
            let dy2 = (cy - y) * (cy - y);
            let rx = (h2 - dy2).max(0.0).sqrt();
            let (a, b) = centre_range(g.x0, g.cell, g.nx, x - rx, x + rx);
            for (ix, o) in row.iter_mut().enumerate().take(b).skip(a) {
                let dx = g.cx(ix) - x;
                let u = 1.0 - (dx * dx + dy2) / h2;
                if u > 0.0 {
                    *o += u * u;
                }
            }
        }
        for o in row.iter_mut() {
            *o *= norm;
        }
    });
    out
}

/// Parameters of [`hotspots`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HotspotParams {
    /// Cells at or above this quantile of all cell values (in (0, 1), e.g. 0.95) are "hot".
    pub quantile: f64,
    /// How many regions to return, largest density mass first (≥ 1).
    pub top_n: usize,
}

/// A connected hot region of a density surface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hotspot {
    /// 1 for the region holding the most density mass.
    pub rank: usize,
    /// Number of cells.
    pub cells: usize,
    /// Area in m².
    pub area_m2: f64,
    /// Share of the surface's total density mass inside the region (0..1).
    pub mass_share: f64,
    /// Centre of the densest cell, metres.
    pub peak: [f64; 2],
    /// Density at the peak.
    pub peak_value: f64,
    /// The region's outline as GeoJSON polygons in metres: each polygon is an exterior ring
    /// (counter-clockwise) followed by its holes (clockwise); rings are closed.
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

/// The top-N hot regions: cells at or above the `quantile` of the surface's values, merged into
/// 4-connected regions (cells touching only at a corner are separate regions), ranked by mass.
///
/// # Errors
/// A quantile outside (0, 1) or `top_n` = 0.
pub fn hotspots(surface: &KdeSurface, params: &HotspotParams) -> Result<Vec<Hotspot>> {
    if !(params.quantile > 0.0 && params.quantile < 1.0) {
        return Err(invalid("quantile", params.quantile, "in (0, 1)"));
    }
    if params.top_n == 0 {
        return Err(invalid("top_n", 0, ">= 1"));
    }
    let g = &surface.grid;
    let v = &surface.values;
    let mut sorted = v.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let k = ((sorted.len() as f64 - 1.0) * params.quantile).round() as usize;
    let threshold = sorted[k.min(sorted.len() - 1)];
    let total: f64 = v.iter().sum();
    let hot: Vec<bool> = v.iter().map(|&x| x >= threshold && x > 0.0).collect();
    let labels = crate::polygon::components(&hot, g.nx, g.ny);
    let mut regions: Vec<Vec<usize>> = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        if let Some(l) = l {
            if regions.len() <= l {
                regions.resize_with(l + 1, Vec::new);
            }
            regions[l].push(i);
        }
    }
    let mass = |r: &Vec<usize>| r.iter().map(|&i| v[i]).sum::<f64>();
    regions.sort_by(|a, b| mass(b).total_cmp(&mass(a)).then(a[0].cmp(&b[0])));
    regions.truncate(params.top_n);
    Ok(regions
        .iter()
        .enumerate()
        .map(|(r, cells)| {
            let m = mass(cells);
            let peak_i = cells
                .iter()
                .copied()
                .max_by(|&a, &b| v[a].total_cmp(&v[b]).then(b.cmp(&a)))
                .unwrap_or(cells[0]);
            Hotspot {
                rank: r + 1,
                cells: cells.len(),
                area_m2: cells.len() as f64 * g.cell * g.cell,
                mass_share: if total > 0.0 { m / total } else { 0.0 },
                peak: [g.cx(peak_i % g.nx), g.cy(peak_i / g.nx)],
                peak_value: v[peak_i],
                polygons: crate::polygon::outline(cells, g),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> GridSpec {
        GridSpec {
            x0: 0.0,
            y0: 0.0,
            cell: 10.0,
            nx: 60,
            ny: 50,
        }
    }

    fn brute(events: &[Event], kernel: Kernel, h: f64, g: &GridSpec) -> Vec<f64> {
        let mut out = vec![0.0; g.len()];
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let mut s = 0.0;
                for e in events {
                    let d2 = (g.cx(ix) - e.x).powi(2) + (g.cy(iy) - e.y).powi(2);
                    s += match kernel {
                        Kernel::Gaussian => {
                            (-d2 / (2.0 * h * h)).exp() / (2.0 * std::f64::consts::PI * h * h)
                        }
                        Kernel::Quartic => {
                            let u = 1.0 - d2 / (h * h);
                            if u > 0.0 {
                                3.0 / (std::f64::consts::PI * h * h) * u * u
                            } else {
                                0.0
                            }
                        }
                    };
                }
                out[iy * g.nx + ix] = s / events.len() as f64;
            }
        }
        out
    }

    fn sample() -> Vec<Event> {
        (0..40)
            .map(|i| {
                Event::at(
                    i,
                    (i * 37 % 700) as f64 - 50.0,
                    (i * 53 % 480) as f64 + 3.3,
                    0,
                )
            })
            .collect()
    }

    #[test]
    fn both_kernels_match_brute_force() {
        let ev = sample();
        for (kernel, h) in [(Kernel::Gaussian, 25.0), (Kernel::Quartic, 60.0)] {
            let s = kde(
                &ev,
                &KdeParams {
                    kernel,
                    bandwidth: h,
                    grid: grid(),
                },
            )
            .expect("kde");
            let b = brute(&ev, kernel, h, &grid());
            let scale = b.iter().copied().fold(0.0, f64::max);
            for (a, b) in s.values.iter().zip(&b) {
                assert!((a - b).abs() <= 1e-12 * scale, "{kernel:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn gaussian_integrates_to_one_when_the_grid_covers_the_kernels() {
        let ev = [Event::at(1, 300.0, 250.0, 0), Event::at(2, 320.0, 240.0, 0)];
        let s = kde(
            &ev,
            &KdeParams {
                kernel: Kernel::Gaussian,
                bandwidth: 30.0,
                grid: grid(),
            },
        )
        .expect("kde");
        let mass: f64 = s.values.iter().sum::<f64>() * 100.0;
        assert!((mass - 1.0).abs() < 1e-6, "{mass}");
    }

    #[test]
    fn rejects_bad_parameters() {
        let ev = sample();
        assert!(kde(
            &ev,
            &KdeParams {
                kernel: Kernel::Gaussian,
                bandwidth: 0.0,
                grid: grid()
            }
        )
        .is_err());
        assert!(kde(
            &[],
            &KdeParams {
                kernel: Kernel::Gaussian,
                bandwidth: 1.0,
                grid: grid()
            }
        )
        .is_err());
        let s = kde(
            &ev,
            &KdeParams {
                kernel: Kernel::Quartic,
                bandwidth: 30.0,
                grid: grid(),
            },
        )
        .expect("kde");
        assert!(hotspots(
            &s,
            &HotspotParams {
                quantile: 1.0,
                top_n: 3
            }
        )
        .is_err());
        assert!(hotspots(
            &s,
            &HotspotParams {
                quantile: 0.9,
                top_n: 0
            }
        )
        .is_err());
    }

    #[test]
    fn hotspots_find_the_two_clusters_in_mass_order() {
        let mut ev = Vec::new();
        for i in 0..30 {
            ev.push(Event::at(
                i,
                100.0 + (i % 5) as f64,
                100.0 + (i % 3) as f64,
                0,
            ));
        }
        for i in 0..10 {
            ev.push(Event::at(100 + i, 450.0 + (i % 4) as f64, 380.0, 0));
        }
        let s = kde(
            &ev,
            &KdeParams {
                kernel: Kernel::Quartic,
                bandwidth: 40.0,
                grid: grid(),
            },
        )
        .expect("kde");
        let h = hotspots(
            &s,
            &HotspotParams {
                quantile: 0.9,
                top_n: 5,
            },
        )
        .expect("hotspots");
        assert_eq!(h.len(), 2);
        assert!((h[0].peak[0] - 100.0).abs() < 15.0 && (h[1].peak[0] - 450.0).abs() < 15.0);
        assert!(h[0].mass_share > h[1].mass_share);
        // A region without holes has one polygon with one closed ring whose area equals its cells'.
        let ring = &h[0].polygons[0][0];
        assert_eq!(ring.first(), ring.last());
        assert!((crate::polygon::ring_area(ring) - h[0].area_m2).abs() < 1e-6);
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// The surface does not depend on the order of the events (up to summation rounding).
        #[test]
        fn order_invariant(pts in proptest::collection::vec((0.0..600.0f64, 0.0..500.0f64), 1..60), rot in 0usize..60, quartic in any::<bool>()) {
            let ev: Vec<Event> = pts.iter().enumerate().map(|(i, &(x, y))| Event::at(i as u64, x, y, 0)).collect();
            let mut other = ev.clone();
            other.rotate_left(rot % ev.len());
            other.reverse();
            let kernel = if quartic { Kernel::Quartic } else { Kernel::Gaussian };
            let params = KdeParams { kernel, bandwidth: 40.0, grid: GridSpec { x0: 0.0, y0: 0.0, cell: 10.0, nx: 60, ny: 50 } };
            let (a, b) = (kde(&ev, &params).expect("kde"), kde(&other, &params).expect("kde"));
            for (x, y) in a.values.iter().zip(&b.values) {
                prop_assert!((x - y).abs() <= 1e-12 * a.max.max(f64::MIN_POSITIVE));
            }
        }
    }
}

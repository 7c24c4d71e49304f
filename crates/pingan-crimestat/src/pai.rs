//! The prediction accuracy index (Chainey et al. 2008) of a hotspot map against later events.
//!
//! `PAI = (n / N) / (a / A)`: the share of later events `n / N` that fall in the flagged cells,
//! over the share of the study area `a / A` those cells cover. The study area is the grid;
//! events outside it are left out of `N` and reported separately. A PAI of 1 is no better than
//! chance. This module does not choose the flagged cells: pass a mask, or use
//! [`pai_top_share`] to flag the densest cells of a KDE surface.

use serde::{Deserialize, Serialize};

use crate::error::{invalid, AnalyticsError, Result};
use crate::event::{check_events, Event};
use crate::grid::GridSpec;
use crate::kde::KdeSurface;

/// Result of a PAI evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PaiResult {
    /// Later events inside flagged cells.
    pub hits: usize,
    /// Later events inside the grid.
    pub events: usize,
    /// Later events outside the grid (not counted).
    pub events_outside: usize,
    /// `hits / events`.
    pub hit_rate: f64,
    /// Flagged cells over all cells.
    pub area_share: f64,
    /// `hit_rate / area_share`.
    pub pai: f64,
}

/// PAI of the cells flagged in `mask` (one entry per cell of `grid`) against `later` (metres).
///
/// # Errors
/// A mask of the wrong length or with no flagged cell, empty input, or no later event in the grid.
pub fn pai(grid: &GridSpec, mask: &[bool], later: &[Event]) -> Result<PaiResult> {
    grid.validate()?;
    if mask.len() != grid.len() {
        return Err(invalid("mask", mask.len(), "one entry per grid cell"));
    }
    let flagged = mask.iter().filter(|&&m| m).count();
    if flagged == 0 {
        return Err(invalid("mask", 0, "at least one flagged cell"));
    }
    check_events(later)?;
    let (mut hits, mut inside) = (0, 0);
    for e in later {
        if let Some(c) = grid.cell_of(e.x, e.y) {
            inside += 1;
            hits += usize::from(mask[c]);
        }
    }
    if inside == 0 {
        return Err(AnalyticsError::EmptyWindow {
            what: format!("grid {grid:?}"),
        });
    }
    let hit_rate = hits as f64 / inside as f64;
    let area_share = flagged as f64 / grid.len() as f64;
    Ok(PaiResult {
        hits,
        events: inside,
        events_outside: later.len() - inside,
        hit_rate,
        area_share,
        pai: hit_rate / area_share,
    })
}

/// PAI of the densest `area_share` of `surface`'s cells (ties broken by cell order).
///
/// # Errors
/// An `area_share` outside (0, 1], or any [`pai`] error.
pub fn pai_top_share(surface: &KdeSurface, area_share: f64, later: &[Event]) -> Result<PaiResult> {
    if !(area_share > 0.0 && area_share <= 1.0) {
        return Err(invalid("area_share", area_share, "in (0, 1]"));
    }
    let n = surface.values.len();
    let k = ((n as f64 * area_share).round() as usize).clamp(1, n);
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| {
        surface.values[b]
            .total_cmp(&surface.values[a])
            .then(a.cmp(&b))
    });
    let mut mask = vec![false; n];
    for &i in &idx[..k] {
        mask[i] = true;
    }
    pai(&surface.grid, &mask, later)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kde::{kde, KdeParams, Kernel};

    #[test]
    fn pai_of_a_perfect_small_map() {
        let g = GridSpec {
            x0: 0.0,
            y0: 0.0,
            cell: 10.0,
            nx: 10,
            ny: 10,
        };
        let mut mask = vec![false; 100];
        mask[0] = true;
        let later = [
            Event::at(1, 5.0, 5.0, 0),
            Event::at(2, 5.0, 5.0, 0),
            Event::at(3, 95.0, 95.0, 0),
            Event::at(4, 500.0, 5.0, 0),
        ];
        let r = pai(&g, &mask, &later).expect("pai");
        assert_eq!((r.hits, r.events, r.events_outside), (2, 3, 1));
        assert!((r.pai - (2.0 / 3.0) / 0.01).abs() < 1e-9);
        assert!(pai(&g, &[false; 100], &later).is_err());
        assert!(pai(&g, &mask, &[]).is_err());
    }

    #[test]
    fn kde_hotspots_predict_a_repeat_pattern() {
        let g = GridSpec {
            x0: 0.0,
            y0: 0.0,
            cell: 50.0,
            nx: 40,
            ny: 40,
        };
        let past: Vec<Event> = (0..100)
            .map(|i| {
                Event::at(
                    i,
                    500.0 + (i % 10) as f64 * 5.0,
                    700.0 + (i / 10) as f64 * 5.0,
                    0,
                )
            })
            .collect();
        let s = kde(
            &past,
            &KdeParams {
                kernel: Kernel::Quartic,
                bandwidth: 150.0,
                grid: g,
            },
        )
        .expect("kde");
        let later: Vec<Event> = (0..20)
            .map(|i| Event::at(i, 510.0 + i as f64, 720.0, 1))
            .collect();
        let r = pai_top_share(&s, 0.05, &later).expect("pai");
        assert_eq!(r.hits, 20);
        assert!(r.pai > 19.0);
        assert!(pai_top_share(&s, 0.0, &later).is_err());
    }
}

//! The regular metre grid shared by KDE, square-grid Gi* and PAI.

use serde::{Deserialize, Serialize};

use crate::error::{invalid, positive, AnalyticsError, Result};
use crate::event::{check_events, Event};

/// Most cells a grid may have (64 M cells of f64 is 512 MB: anything bigger is a mistake).
pub const MAX_GRID_CELLS: u64 = 64_000_000;

/// A regular grid of square cells in projected metres.
///
/// Cell `(ix, iy)` covers `[x0 + ix·cell, x0 + (ix+1)·cell) × [y0 + iy·cell, y0 + (iy+1)·cell)`;
/// values are stored row-major from the south-west corner (`index = iy · nx + ix`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    /// Western edge in metres.
    pub x0: f64,
    /// Southern edge in metres.
    pub y0: f64,
    /// Side of a cell in metres.
    pub cell: f64,
    /// Number of columns.
    pub nx: usize,
    /// Number of rows.
    pub ny: usize,
}

impl GridSpec {
    /// Checks the cell size, the origin and the cell count.
    ///
    /// # Errors
    /// [`AnalyticsError::InvalidParameter`] or [`AnalyticsError::GridTooLarge`].
    pub fn validate(&self) -> Result<()> {
        positive("grid.cell", self.cell)?;
        if !self.x0.is_finite() || !self.y0.is_finite() {
            return Err(invalid(
                "grid.x0/y0",
                format!("({}, {})", self.x0, self.y0),
                "finite",
            ));
        }
        if self.nx == 0 || self.ny == 0 {
            return Err(invalid(
                "grid.nx/ny",
                format!("{}x{}", self.nx, self.ny),
                "at least 1x1",
            ));
        }
        let cells = self.nx as u64 * self.ny as u64;
        if cells > MAX_GRID_CELLS {
            return Err(AnalyticsError::GridTooLarge {
                cells,
                max: MAX_GRID_CELLS,
            });
        }
        Ok(())
    }

    /// The smallest grid of `cell`-metre cells, aligned to multiples of `cell`, that covers all
    /// events with at least `margin` metres to spare on every side.
    ///
    /// # Errors
    /// Empty input, non-finite coordinates, a bad cell size or margin, or a grid that is too large.
    pub fn covering(events: &[Event], cell: f64, margin: f64) -> Result<Self> {
        check_events(events)?;
        positive("cell", cell)?;
        if !(margin.is_finite() && margin >= 0.0) {
            return Err(invalid("margin", margin, "a finite number >= 0"));
        }
        let (mut x_lo, mut y_lo, mut x_hi, mut y_hi) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for e in events {
            x_lo = x_lo.min(e.x);
            y_lo = y_lo.min(e.y);
            x_hi = x_hi.max(e.x);
            y_hi = y_hi.max(e.y);
        }
        let x0 = ((x_lo - margin) / cell).floor() * cell;
        let y0 = ((y_lo - margin) / cell).floor() * cell;
        let nx = (((x_hi + margin - x0) / cell).floor() + 1.0).max(1.0);
        let ny = (((y_hi + margin - y0) / cell).floor() + 1.0).max(1.0);
        let cells = nx * ny;
        if cells.is_nan() || cells > MAX_GRID_CELLS as f64 {
            return Err(AnalyticsError::GridTooLarge {
                cells: cells.min(u64::MAX as f64) as u64,
                max: MAX_GRID_CELLS,
            });
        }
        let g = Self {
            x0,
            y0,
            cell,
            nx: nx as usize,
            ny: ny as usize,
        };
        g.validate()?;
        Ok(g)
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// Whether the grid has no cells (never true for a validated grid).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Centre of column `ix` (metres).
    pub fn cx(&self, ix: usize) -> f64 {
        self.x0 + (ix as f64 + 0.5) * self.cell
    }

    /// Centre of row `iy` (metres).
    pub fn cy(&self, iy: usize) -> f64 {
        self.y0 + (iy as f64 + 0.5) * self.cell
    }

    /// The cell holding `(x, y)`, or `None` outside the grid.
    pub fn cell_of(&self, x: f64, y: f64) -> Option<usize> {
        let fx = ((x - self.x0) / self.cell).floor();
        let fy = ((y - self.y0) / self.cell).floor();
        if fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64 {
            Some(fy as usize * self.nx + fx as usize)
        } else {
            None
        }
    }

    /// Event counts per cell and the number of events that fell outside the grid.
    pub fn counts(&self, events: &[Event]) -> (Vec<f64>, usize) {
        let mut c = vec![0.0; self.len()];
        let mut outside = 0;
        for e in events {
            match self.cell_of(e.x, e.y) {
                Some(i) => c[i] += 1.0,
                None => outside += 1,
            }
        }
        (c, outside)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_grid_holds_every_event() {
        let ev = [Event::at(1, 5.0, 7.0, 0), Event::at(2, 1999.0, -300.0, 0)];
        let g = GridSpec::covering(&ev, 100.0, 0.0).expect("grid");
        assert_eq!((g.x0, g.y0), (0.0, -300.0));
        assert!(ev.iter().all(|e| g.cell_of(e.x, e.y).is_some()));
        assert_eq!(g.counts(&ev).0.iter().sum::<f64>(), 2.0);
    }

    #[test]
    fn rejects_silly_grids() {
        let ev = [Event::at(1, 0.0, 0.0, 0), Event::at(2, 1e9, 1e9, 0)];
        assert!(matches!(
            GridSpec::covering(&ev, 1.0, 0.0),
            Err(AnalyticsError::GridTooLarge { .. })
        ));
        assert!(GridSpec::covering(&ev, 0.0, 0.0).is_err());
        assert!(matches!(
            GridSpec::covering(&[], 10.0, 0.0),
            Err(AnalyticsError::EmptyInput)
        ));
    }
}

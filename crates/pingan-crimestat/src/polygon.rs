//! Connected regions of grid cells and their outlines as GeoJSON-style polygons.

use std::collections::HashMap;

use crate::grid::GridSpec;

/// Labels the 4-connected components of `mask` (row-major `nx × ny`); `None` for cells outside it.
pub(crate) fn components(mask: &[bool], nx: usize, ny: usize) -> Vec<Option<usize>> {
    let mut label = vec![None; mask.len()];
    let mut next = 0;
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || label[start].is_some() {
            continue;
        }
        label[start] = Some(next);
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (ix, iy) = (i % nx, i / nx);
            let mut visit = |j: usize| {
                if mask[j] && label[j].is_none() {
                    label[j] = Some(next);
                    stack.push(j);
                }
            };
            if ix > 0 {
                visit(i - 1);
            }
            if ix + 1 < nx {
                visit(i + 1);
            }
            if iy > 0 {
                visit(i - nx);
            }
            if iy + 1 < ny {
                visit(i + nx);
            }
        }
        next += 1;
    }
    label
}

type Pt = (i64, i64);

/// A ring in cell units, and an exterior ring with its holes.
type Ring = Vec<(f64, f64)>;

/// Signed area (positive when counter-clockwise) of a closed ring.
#[cfg(test)]
pub(crate) fn ring_area(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

fn contains(ring: &[(f64, f64)], p: (f64, f64)) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        if (y1 > p.1) != (y2 > p.1) && p.0 < x1 + (p.1 - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
    }
    inside
}

/// The outline of a set of cells: polygons of exterior ring (counter-clockwise) plus holes
/// (clockwise), in metres, closed, with collinear vertices removed.
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub(crate) fn outline(cells: &[usize], g: &GridSpec) -> Vec<Vec<Vec<[f64; 2]>>> {
    let set: std::collections::HashSet<Pt> = cells
        .iter()
        .map(|&i| ((i % g.nx) as i64, (i / g.nx) as i64))
        .collect();
    // Directed boundary edges with the region on their left.
    let mut out: HashMap<Pt, Vec<Pt>> = HashMap::new();
    for &(x, y) in &set {
        let sides = [
            ((x, y), (x + 1, y), (x, y - 1)),
            ((x + 1, y), (x + 1, y + 1), (x + 1, y)),
            ((x + 1, y + 1), (x, y + 1), (x, y + 1)),
            ((x, y + 1), (x, y), (x - 1, y)),
        ];
        for (a, b, across) in sides {
            if !set.contains(&across) {
                out.entry(a).or_default().push(b);
            }
        }
    }
    let mut starts: Vec<Pt> = out.keys().copied().collect();
    starts.sort_unstable();
    let mut rings: Vec<Vec<Pt>> = Vec::new();
    for s in starts {
        while let Some(first) = out.get_mut(&s).and_then(Vec::pop) {
            let mut ring = vec![s, first];
            let (mut prev, mut cur) = (s, first);
            while cur != s {
                let d = (cur.0 - prev.0, cur.1 - prev.1);
                let Some(cands) = out.get_mut(&cur) else {
                    break;
                };
                // Prefer the left turn, then straight on, then right: this hugs the region.
                let turn = |n: &Pt| {
                    let e = (n.0 - cur.0, n.1 - cur.1);
                    let cross = d.0 * e.1 - d.1 * e.0;
                    if cross > 0 {
                        0
                    } else if cross == 0 {
                        1
                    } else {
                        2
                    }
                };
                let Some(k) = (0..cands.len()).min_by_key(|&k| turn(&cands[k])) else {
                    break;
                };
                let next = cands.swap_remove(k);
                ring.push(next);
                prev = cur;
                cur = next;
            }
            rings.push(ring);
        }
    }
    let simplify = |r: &Vec<Pt>| -> Vec<(f64, f64)> {
        let n = r.len() - 1;
        let mut v: Vec<Pt> = (0..n)
            .filter(|&i| {
                let p = r[(i + n - 1) % n];
                let (c, q) = (r[i], r[(i + 1) % n]);
                (c.0 - p.0) * (q.1 - c.1) - (c.1 - p.1) * (q.0 - c.0) != 0
            })
            .map(|i| r[i])
            .collect();
        if v.is_empty() {
            v = r[..n].to_vec();
        }
        v.push(v[0]);
        v.iter().map(|&(x, y)| (x as f64, y as f64)).collect()
    };
    let area = |r: &[(f64, f64)]| {
        r.windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum::<f64>()
            / 2.0
    };
    let mut exteriors: Vec<(Ring, Vec<Ring>)> = Vec::new();
    let mut holes = Vec::new();
    for r in &rings {
        let s = simplify(r);
        if area(&s) > 0.0 {
            exteriors.push((s, Vec::new()));
        } else {
            // A point just to the right of the hole's first edge lies inside the hole.
            let (a, b) = (r[0], r[1]);
            let p = (
                (a.0 + b.0) as f64 / 2.0 + 0.25 * (b.1 - a.1) as f64,
                (a.1 + b.1) as f64 / 2.0 - 0.25 * (b.0 - a.0) as f64,
            );
            holes.push((s, p));
        }
    }
    for (h, p) in holes {
        let best = (0..exteriors.len())
            .filter(|&k| contains(&exteriors[k].0, p))
            .min_by(|&a, &b| area(&exteriors[a].0).total_cmp(&area(&exteriors[b].0)));
        if let Some(k) = best {
            exteriors[k].1.push(h);
        }
    }
    let to_m = |r: &[(f64, f64)]| {
        r.iter()
            .map(|&(x, y)| [g.x0 + x * g.cell, g.y0 + y * g.cell])
            .collect::<Vec<_>>()
    };
    exteriors
        .iter()
        .map(|(e, hs)| {
            let mut poly = vec![to_m(e)];
            poly.extend(hs.iter().map(|h| to_m(h)));
            poly
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_of_cells_has_one_hole() {
        let g = GridSpec {
            x0: 0.0,
            y0: 0.0,
            cell: 1.0,
            nx: 5,
            ny: 5,
        };
        let cells: Vec<usize> = (0..9)
            .filter(|&k| k != 4)
            .map(|k| (k / 3 + 1) * 5 + k % 3 + 1)
            .collect();
        let polys = outline(&cells, &g);
        assert_eq!(polys.len(), 1);
        assert_eq!(polys[0].len(), 2);
        assert!((ring_area(&polys[0][0]) - 9.0).abs() < 1e-12);
        assert!((ring_area(&polys[0][1]) + 1.0).abs() < 1e-12);
        assert_eq!(polys[0][0].len(), 5);
    }

    #[test]
    fn components_split_diagonal_neighbours() {
        let mask = [true, false, false, true];
        let l = components(&mask, 2, 2);
        assert_ne!(l[0], l[3]);
    }
}

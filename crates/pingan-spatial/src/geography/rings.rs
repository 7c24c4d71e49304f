//! Checks on raw rings and lines, made before any conversion to `geo` types (which would close
//! rings silently and hide the problem).

use geo::{line_intersection::line_intersection, Coord, Line, LineIntersection};

/// What is wrong with one polygon ring.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RingProblem {
    TooShort(usize),
    Unclosed,
    Degenerate,
    SelfIntersecting { first: usize, second: usize },
}

impl RingProblem {
    /// The problem in a few words, followed by `place` ("in polygon 0") and any detail.
    pub(crate) fn describe(&self, place: &str) -> String {
        match self {
            RingProblem::TooShort(n) => {
                format!("ring with fewer than 4 positions {place} ({n} given)")
            }
            RingProblem::Unclosed => {
                format!("unclosed ring {place} (first and last positions differ)")
            }
            RingProblem::Degenerate => {
                format!("degenerate ring {place} (fewer than 3 distinct positions)")
            }
            RingProblem::SelfIntersecting { first, second } => {
                format!("self-intersecting ring {place} (segments {first} and {second} meet)")
            }
        }
    }
}

/// Checks a ring given as its positions, closing position included.
pub(crate) fn check_ring(ring: &[Coord<f64>]) -> Option<RingProblem> {
    if ring.len() < 4 {
        // An open ring of three positions is reported as too short rather than unclosed: it
        // could not be valid either way.
        return Some(RingProblem::TooShort(ring.len()));
    }
    if ring.first() != ring.last() {
        return Some(RingProblem::Unclosed);
    }
    // Repeated consecutive positions are allowed by GeoJSON; they are dropped before looking for
    // crossings so that a zero-length segment is not taken for a touch.
    let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ring.len());
    for &c in ring {
        if pts.last() != Some(&c) {
            pts.push(c);
        }
    }
    if pts.len() < 4 {
        return Some(RingProblem::Degenerate);
    }
    self_intersection(&pts).map(|(first, second)| RingProblem::SelfIntersecting { first, second })
}

/// Finds two segments of a closed ring (no repeated consecutive positions) that meet anywhere
/// other than at the vertex two neighbouring segments share. Segments are swept in order of their
/// smallest x, so that only pairs whose x-ranges overlap are tested: close to O(n log n) on the
/// rings of real maps, O(n²) only for pathological ones.
fn self_intersection(pts: &[Coord<f64>]) -> Option<(usize, usize)> {
    let n = pts.len() - 1; // number of segments
    let seg = |i: usize| Line::new(pts[i], pts[i + 1]);
    let mut order: Vec<(f64, f64, usize)> = (0..n)
        .map(|i| {
            let (a, b) = (pts[i].x, pts[i + 1].x);
            (a.min(b), a.max(b), i)
        })
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut found: Option<(usize, usize)> = None;
    for (k, &(_, max_x, i)) in order.iter().enumerate() {
        for &(min_x2, _, j) in &order[k + 1..] {
            if min_x2 > max_x {
                break;
            }
            let (a, b) = if i < j { (i, j) } else { (j, i) };
            let li = seg(a);
            let lj = seg(b);
            let (ya, yb) = (li.start.y.min(li.end.y), li.start.y.max(li.end.y));
            let (yc, yd) = (lj.start.y.min(lj.end.y), lj.start.y.max(lj.end.y));
            if yb < yc || yd < ya {
                continue;
            }
            let adjacent = b == a + 1 || (a == 0 && b == n - 1);
            let bad = match line_intersection(li, lj) {
                None => false,
                // Neighbours always share a vertex; only a collinear overlap (a spike) is wrong.
                Some(LineIntersection::SinglePoint { .. }) => !adjacent,
                Some(LineIntersection::Collinear { intersection }) => {
                    !adjacent || intersection.start != intersection.end
                }
            };
            // The triangle's three segments are pairwise adjacent; with n == 3 the wrap-around
            // pair (0, 2) is adjacent too, which the rule above already covers.
            if bad {
                let pair = (a, b);
                if found.is_none_or(|f| pair < f) {
                    found = Some(pair);
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every pair of segments, the slow way, with the same rules as the sweep.
    fn brute_force(pts: &[Coord<f64>]) -> Option<(usize, usize)> {
        let n = pts.len() - 1;
        for a in 0..n {
            for b in a + 1..n {
                let adjacent = b == a + 1 || (a == 0 && b == n - 1);
                let bad = match line_intersection(
                    Line::new(pts[a], pts[a + 1]),
                    Line::new(pts[b], pts[b + 1]),
                ) {
                    None => false,
                    Some(LineIntersection::SinglePoint { .. }) => !adjacent,
                    Some(LineIntersection::Collinear { intersection }) => {
                        !adjacent || intersection.start != intersection.end
                    }
                };
                if bad {
                    return Some((a, b));
                }
            }
        }
        None
    }

    proptest! {
        #[test]
        fn sweep_agrees_with_brute_force(raw in prop::collection::vec((0i32..6, 0i32..6), 3..12)) {
            let mut pts: Vec<Coord<f64>> = Vec::new();
            for (x, y) in raw {
                let c = Coord { x: f64::from(x), y: f64::from(y) };
                if pts.last() != Some(&c) {
                    pts.push(c);
                }
            }
            if pts.len() >= 3 && pts.first() != pts.last() {
                pts.push(pts[0]);
                prop_assert_eq!(self_intersection(&pts), brute_force(&pts));
            }
        }
    }

    fn ring(pts: &[(f64, f64)]) -> Vec<Coord<f64>> {
        pts.iter().map(|&(x, y)| Coord { x, y }).collect()
    }

    #[test]
    fn square_is_valid() {
        assert_eq!(
            check_ring(&ring(&[(0., 0.), (1., 0.), (1., 1.), (0., 1.), (0., 0.)])),
            None
        );
    }

    #[test]
    fn repeated_positions_are_tolerated() {
        let r = ring(&[(0., 0.), (1., 0.), (1., 0.), (1., 1.), (0., 1.), (0., 0.)]);
        assert_eq!(check_ring(&r), None);
    }

    #[test]
    fn bow_tie_crosses() {
        let r = ring(&[(0., 0.), (1., 1.), (1., 0.), (0., 1.), (0., 0.)]);
        assert!(matches!(
            check_ring(&r),
            Some(RingProblem::SelfIntersecting { .. })
        ));
    }

    #[test]
    fn spike_is_a_self_intersection() {
        let r = ring(&[(0., 0.), (2., 0.), (1., 0.), (1., 1.), (0., 0.)]);
        assert!(matches!(
            check_ring(&r),
            Some(RingProblem::SelfIntersecting { .. })
        ));
    }

    #[test]
    fn touching_itself_at_a_vertex_is_a_self_intersection() {
        let r = ring(&[
            (0., 0.),
            (2., 0.),
            (1., 1.),
            (2., 2.),
            (0., 2.),
            (1., 1.),
            (0., 0.),
        ]);
        assert!(matches!(
            check_ring(&r),
            Some(RingProblem::SelfIntersecting { .. })
        ));
    }

    #[test]
    fn short_unclosed_and_degenerate() {
        assert_eq!(
            check_ring(&ring(&[(0., 0.), (1., 0.), (0., 0.)])),
            Some(RingProblem::TooShort(3))
        );
        assert_eq!(
            check_ring(&ring(&[(0., 0.), (1., 0.), (1., 1.), (0., 1.)])),
            Some(RingProblem::Unclosed)
        );
        assert_eq!(
            check_ring(&ring(&[(0., 0.), (1., 0.), (1., 0.), (0., 0.)])),
            Some(RingProblem::Degenerate)
        );
    }
}

//! The road graph: nodes where roads meet, edges between them, and snapping points to edges.
//!
//! Roads are taken as drawn, in the local projection (metres). Two roads meet where they share a
//! position, where two of their positions lie within the snapping tolerance of each other, or
//! where one road's end lies within the tolerance of another road's segment (a T-junction drawn
//! without a shared vertex; the segment is split there). Roads that cross without meeting in one
//! of these ways stay apart, as bridges and underpasses should. Every road is two-way: the
//! geography carries no one-way information.

use std::collections::HashMap;

use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

use crate::geography::{GeoFeature, RoadClass};
use crate::projection::LocalProjection;

/// One road line as drawn, projected.
#[derive(Debug, Clone)]
pub(crate) struct RoadLine {
    pub class: RoadClass,
    pub points: Vec<[f64; 2]>,
}

/// An edge of the graph: a stretch of one road between two nodes.
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    pub a: u32,
    pub b: u32,
    pub length_m: f64,
    pub time_s: f64,
}

/// Where a point meets the network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Snap {
    pub edge: u32,
    /// Metres along the edge from node `a`.
    pub offset_m: f64,
    /// Metres from the point to the edge.
    pub distance_m: f64,
}

type SegEntry = GeomWithData<Line<[f64; 2]>, (u32, f64)>;
/// A segment of a road line: `(line, segment)` indexes.
type LineSegEntry = GeomWithData<Line<[f64; 2]>, (usize, usize)>;

/// The road graph with a segment index for snapping.
#[derive(Debug)]
pub(crate) struct Graph {
    pub node_xy: Vec<[f64; 2]>,
    pub edges: Vec<Edge>,
    segments: RTree<SegEntry>,
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// The point of segment `a`–`b` closest to `p`, as a fraction along the segment.
fn project_on(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return 0.0;
    }
    (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
}

struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let parent = self.0[self.0[x as usize] as usize];
            self.0[x as usize] = parent;
            x = parent;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi as usize] = lo;
        }
    }
}

/// Projects the road features' lines (every part of a MultiLineString on its own).
pub(crate) fn road_lines(features: &[&GeoFeature], projection: &LocalProjection) -> Vec<RoadLine> {
    let mut out = Vec::new();
    for f in features {
        let class = f.road_class.unwrap_or(RoadClass::Other);
        let parts: Vec<&geo::LineString<f64>> = match &f.geometry {
            geo::Geometry::LineString(l) => vec![l],
            geo::Geometry::MultiLineString(m) => m.0.iter().collect(),
            _ => Vec::new(),
        };
        for part in parts {
            let points: Vec<[f64; 2]> = part
                .0
                .iter()
                .filter(|c| c.x.is_finite() && c.y.is_finite())
                .map(|c| projection.project(c.x, c.y))
                .collect();
            if points.len() >= 2 {
                out.push(RoadLine { class, points });
            }
        }
    }
    out
}

/// Splits segments where another line's end lies within `tol` of their interior.
fn split_at_t_junctions(lines: &mut [RoadLine], tol: f64) {
    let segs: Vec<LineSegEntry> = lines
        .iter()
        .enumerate()
        .flat_map(|(li, l)| {
            l.points
                .windows(2)
                .enumerate()
                .map(move |(si, w)| GeomWithData::new(Line::new(w[0], w[1]), (li, si)))
        })
        .collect();
    let tree = RTree::bulk_load(segs);
    // (line, segment) -> fractions along the segment where a vertex must be inserted.
    let mut inserts: HashMap<(usize, usize), Vec<f64>> = HashMap::new();
    for (li, l) in lines.iter().enumerate() {
        let last = l.points.len() - 1;
        for (end_index, p) in [(0, l.points[0]), (last, l.points[last])] {
            for s in tree.locate_within_distance(p, tol * tol) {
                let (lj, sj) = s.data;
                // A line's own segments next to this end are not junctions.
                if lj == li && (sj + 1 == end_index || sj == end_index) {
                    continue;
                }
                let (a, b) = (s.geom().from, s.geom().to);
                let t = project_on(a, b, p);
                let q = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
                // Near a vertex, the vertex clustering joins them anyway.
                if dist(q, a) > tol && dist(q, b) > tol {
                    inserts.entry((lj, sj)).or_default().push(t);
                }
            }
        }
    }
    if inserts.is_empty() {
        return;
    }
    for (li, l) in lines.iter_mut().enumerate() {
        if !(0..l.points.len() - 1).any(|si| inserts.contains_key(&(li, si))) {
            continue;
        }
        let mut pts = Vec::with_capacity(l.points.len() + 4);
        for si in 0..l.points.len() - 1 {
            let (a, b) = (l.points[si], l.points[si + 1]);
            pts.push(a);
            if let Some(ts) = inserts.get_mut(&(li, si)) {
                ts.sort_by(f64::total_cmp);
                for &t in ts.iter() {
                    pts.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
                }
            }
        }
        if let Some(&end) = l.points.last() {
            pts.push(end);
        }
        l.points = pts;
    }
}

impl Graph {
    /// Builds the graph. `speed_ms` gives the speed in metres per second of a road class.
    #[expect(
        clippy::too_many_lines,
        reason = "one procedure whose steps read in order; split when it next grows"
    )]
    pub(crate) fn build(
        mut lines: Vec<RoadLine>,
        tol: f64,
        speed_ms: impl Fn(RoadClass) -> f64,
    ) -> Graph {
        let tol = if tol.is_finite() && tol >= 0.0 {
            tol
        } else {
            0.0
        };
        if tol > 0.0 {
            split_at_t_junctions(&mut lines, tol);
        }
        // Cluster all vertices: identical positions always, and positions within `tol`.
        let mut vertex_xy: Vec<[f64; 2]> = Vec::new();
        let mut first_vertex: Vec<u32> = Vec::with_capacity(lines.len());
        for l in &lines {
            first_vertex.push(vertex_xy.len() as u32);
            vertex_xy.extend_from_slice(&l.points);
        }
        let mut uf = UnionFind((0..vertex_xy.len() as u32).collect());
        let cell = if tol > 0.0 { tol } else { 1.0 };
        let key = |p: [f64; 2]| ((p[0] / cell).floor() as i64, (p[1] / cell).floor() as i64);
        let mut grid: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
        for (v, &p) in vertex_xy.iter().enumerate() {
            grid.entry(key(p)).or_default().push(v as u32);
        }
        for (v, &p) in vertex_xy.iter().enumerate() {
            let (kx, ky) = key(p);
            for dx in -1..=1 {
                for dy in -1..=1 {
                    if let Some(others) = grid.get(&(kx + dx, ky + dy)) {
                        for &o in others {
                            if (o as usize) < v && dist(vertex_xy[o as usize], p) <= tol {
                                uf.union(o, v as u32);
                            }
                        }
                    }
                }
            }
        }
        // A cluster is a node when it holds a line's end or more than one vertex.
        let mut uses: HashMap<u32, u32> = HashMap::new();
        for v in 0..vertex_xy.len() as u32 {
            *uses.entry(uf.find(v)).or_default() += 1;
        }
        let mut node_of: HashMap<u32, u32> = HashMap::new();
        let mut node_xy: Vec<[f64; 2]> = Vec::new();
        let mut node_for = |root: u32, node_xy: &mut Vec<[f64; 2]>| {
            *node_of.entry(root).or_insert_with(|| {
                node_xy.push(vertex_xy[root as usize]);
                (node_xy.len() - 1) as u32
            })
        };
        let mut edges = Vec::new();
        let mut seg_entries = Vec::new();
        for (li, l) in lines.iter().enumerate() {
            let speed = speed_ms(l.class);
            let base = first_vertex[li];
            let n = l.points.len();
            let roots: Vec<u32> = (0..n as u32).map(|i| uf.find(base + i)).collect();
            let is_node =
                |i: usize, root: u32| i == n - 1 || uses.get(&root).copied().unwrap_or(0) > 1;
            let mut start = node_for(roots[0], &mut node_xy);
            let mut poly: Vec<[f64; 2]> = vec![node_xy[start as usize]];
            for (i, (&root, &point)) in roots.iter().zip(&l.points).enumerate().skip(1) {
                let node = is_node(i, root).then(|| node_for(root, &mut node_xy));
                let p = node.map_or(point, |nd| node_xy[nd as usize]);
                if poly.last().is_some_and(|&q| dist(q, p) > 0.0) {
                    poly.push(p);
                }
                if let Some(end) = node {
                    let length: f64 = poly.windows(2).map(|w| dist(w[0], w[1])).sum();
                    if length > 0.0 {
                        let e = edges.len() as u32;
                        let mut offset = 0.0;
                        for w in poly.windows(2) {
                            seg_entries.push(GeomWithData::new(Line::new(w[0], w[1]), (e, offset)));
                            offset += dist(w[0], w[1]);
                        }
                        edges.push(Edge {
                            a: start,
                            b: end,
                            length_m: length,
                            time_s: length / speed,
                        });
                    }
                    start = end;
                    poly = vec![p];
                }
            }
        }
        Graph {
            node_xy,
            edges,
            segments: RTree::bulk_load(seg_entries),
        }
    }

    /// The nearest edge to a projected point.
    pub(crate) fn snap(&self, p: [f64; 2]) -> Option<Snap> {
        let s = self.segments.nearest_neighbor(&p)?;
        let (a, b) = (s.geom().from, s.geom().to);
        let t = project_on(a, b, p);
        let (edge, offset) = s.data;
        Some(Snap {
            edge,
            offset_m: offset + t * dist(a, b),
            distance_m: s.geom().distance_2(&p).sqrt(),
        })
    }

    /// The two ways onto the network from a snapped point: `(node, seconds)` to each end of its edge.
    pub(crate) fn entries(&self, snap: &Snap) -> [(u32, f64); 2] {
        let e = &self.edges[snap.edge as usize];
        let per_m = e.time_s / e.length_m;
        [
            (e.a, snap.offset_m * per_m),
            (e.b, (e.length_m - snap.offset_m).max(0.0) * per_m),
        ]
    }

    /// Metres per second along an edge.
    pub(crate) fn speed_of(&self, edge: u32) -> f64 {
        let e = &self.edges[edge as usize];
        e.length_m / e.time_s
    }
}

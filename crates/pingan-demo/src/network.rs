//! The road network: named road lines along the lattice, village roads that link every village
//! to the nearest road, the road features cut at junctions, and shortest paths.
//!
//! Roads follow lattice lines, so two roads can only meet at a lattice vertex, and every such
//! vertex is a node of the graph: the network is connected by construction (each village road ends
//! on a numbered road, every numbered road crosses another) and roads never cross without a
//! junction. Road features are cut wherever the graph branches or the road's name changes, so
//! roads share endpoints at junctions, as the routing engine expects.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use crate::model::{Road, RoadClass, RoadEdge, RoadNetwork};
use crate::world::{dist, to_lonlat, vid, Ground, NI, NJ};

/// A named road along one lattice line.
#[derive(Debug, Clone)]
pub(crate) struct LineSpec {
    pub name: String,
    pub name_en: String,
    pub class: RoadClass,
    /// Runs east–west along row `index` (else south–north along column `index`).
    pub horizontal: bool,
    pub index: usize,
    pub from: usize,
    pub to: usize,
}

fn line(
    name: &str,
    name_en: &str,
    class: RoadClass,
    horizontal: bool,
    index: usize,
    from: usize,
    to: usize,
) -> LineSpec {
    LineSpec {
        name: name.to_owned(),
        name_en: name_en.to_owned(),
        class,
        horizontal,
        index,
        from,
        to,
    }
}

/// The numbered roads, arterials first (they win where lines overlap).
pub(crate) fn base_lines() -> Vec<LineSpec> {
    use RoadClass::{Arterial, County, Other};
    vec![
        line("临港大道", "Linggang Avenue", Arterial, true, 18, 0, NI),
        line("206国道", "National Road 206", Arterial, true, 6, 0, NI),
        line("沭河大道", "Shuhe Avenue", Arterial, false, 20, 0, NJ),
        line("壮岗路", "Zhuanggang Road", Arterial, false, 30, 0, NJ),
        line("板团路", "Bantuan Road", County, false, 6, 0, 24),
        line("坪北路", "Pingbei Road", County, false, 6, 24, NJ),
        line("团朱路", "Tuanzhu Road", County, true, 12, 0, NI),
        line("坪壮路", "Pingzhuang Road", County, true, 24, 0, NI),
        line("坪山路", "Pingshan Road", County, true, 30, 0, NI),
        line("坪朱路", "Pingzhu Road", County, false, 12, 0, NJ),
        line("临朱路", "Linzhu Road", County, false, 26, 0, NJ),
        line("东岭路", "Dongling Road", County, false, 36, 0, NJ),
        line("人民路", "Renmin Road", Other, false, 16, 12, 24),
        line("建设路", "Jianshe Road", Other, false, 18, 12, 24),
        line("解放路", "Jiefang Road", Other, false, 22, 12, 24),
        line("文化路", "Wenhua Road", Other, false, 24, 12, 24),
        line("中山路", "Zhongshan Road", Other, true, 14, 14, 26),
        line("和平路", "Heping Road", Other, true, 16, 14, 26),
        line("新华路", "Xinhua Road", Other, true, 20, 14, 26),
        line("振兴路", "Zhenxing Road", Other, true, 22, 14, 26),
    ]
}

/// The network while the world is built, with adjacency for path finding.
#[derive(Debug, Clone)]
pub(crate) struct Net {
    pub edges: Vec<RoadEdge>,
    /// Per node: `(neighbour, edge index)`.
    pub adj: Vec<Vec<(usize, usize)>>,
    pub roads: Vec<Road>,
    /// Road index of every edge.
    pub edge_road: Vec<usize>,
    pub pts: Vec<[f64; 2]>,
}

/// Builds the lines, the village roads, the edges and the road features.
#[expect(
    clippy::too_many_lines,
    reason = "the generator's steps in their order; each is short and the order is what it means"
)]
pub(crate) fn build_network(ground: &Ground) -> Net {
    let mut lines = base_lines();
    let mut edge_map: BTreeMap<(usize, usize), (RoadClass, usize)> = BTreeMap::new();
    let add_line =
        |map: &mut BTreeMap<(usize, usize), (RoadClass, usize)>, l: &LineSpec, li: usize| {
            for k in l.from..l.to {
                let (a, b) = if l.horizontal {
                    (vid(k, l.index), vid(k + 1, l.index))
                } else {
                    (vid(l.index, k), vid(l.index, k + 1))
                };
                map.entry((a.min(b), a.max(b))).or_insert((l.class, li));
            }
        };
    for (li, l) in lines.clone().iter().enumerate() {
        add_line(&mut edge_map, l, li);
    }
    // Village roads: straight along the lattice from the village to the nearest numbered road,
    // preferring a south–north road on ties. Later villages reuse stretches already built.
    let base = lines.clone();
    for (p, place) in ground.places.iter().enumerate() {
        if place.kind != crate::model::PlaceKind::Village {
            continue;
        }
        let (vi, vj) = ground.place_vertex[p];
        let mut best: Option<(usize, bool, usize)> = None; // (steps, horizontal road?, index)
        for l in &base {
            let (covers, steps) = if l.horizontal {
                ((l.from..=l.to).contains(&vi), l.index.abs_diff(vj))
            } else {
                ((l.from..=l.to).contains(&vj), l.index.abs_diff(vi))
            };
            let better = match best {
                None => true,
                Some((s, h, _)) => steps < s || (steps == s && h && !l.horizontal),
            };
            if covers && better {
                best = Some((steps, l.horizontal, l.index));
            }
        }
        let Some((_, horizontal_road, index)) = best else {
            continue;
        };
        let stem = place.name.trim_end_matches('村');
        let spur = if horizontal_road {
            // Go north or south along the village's column to the road's row.
            line(
                &format!("{stem}路"),
                &format!("{} Road", place.name_en.trim_end_matches(" Village")),
                RoadClass::Village,
                false,
                vi,
                vj.min(index),
                vj.max(index),
            )
        } else {
            line(
                &format!("{stem}路"),
                &format!("{} Road", place.name_en.trim_end_matches(" Village")),
                RoadClass::Village,
                true,
                vj,
                vi.min(index),
                vi.max(index),
            )
        };
        lines.push(spur);
        let li = lines.len() - 1;
        add_line(&mut edge_map, &lines[li], li);
    }

    let pts = ground.pts.clone();
    let n = pts.len();
    let mut edges = Vec::with_capacity(edge_map.len());
    let mut adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for ((a, b), (class, li)) in edge_map {
        let e = edges.len();
        edges.push(RoadEdge {
            a: a as u32,
            b: b as u32,
            class,
            length_m: dist(pts[a], pts[b]),
            line: li as u16,
        });
        adj[a].push((b, e));
        adj[b].push((a, e));
    }
    let (roads, edge_road) = cut_roads(&lines, &edges, &adj, &pts);
    Net {
        edges,
        adj,
        roads,
        edge_road,
        pts,
    }
}

/// Cuts the edges into road features: maximal chains through nodes of degree 2 whose two edges
/// belong to the same line.
fn cut_roads(
    lines: &[LineSpec],
    edges: &[RoadEdge],
    adj: &[Vec<(usize, usize)>],
    pts: &[[f64; 2]],
) -> (Vec<Road>, Vec<usize>) {
    let is_break = |n: usize| {
        let a = &adj[n];
        a.len() != 2 || edges[a[0].1].line != edges[a[1].1].line
    };
    let mut edge_road = vec![usize::MAX; edges.len()];
    let mut roads: Vec<Road> = Vec::new();
    let walk =
        |start: usize, first_edge: usize, edge_road: &mut Vec<usize>, roads: &mut Vec<Road>| {
            let ri = roads.len();
            let mut nodes = vec![start];
            let mut cur = start;
            let mut e = first_edge;
            loop {
                edge_road[e] = ri;
                let ed = &edges[e];
                let next = if ed.a as usize == cur {
                    ed.b as usize
                } else {
                    ed.a as usize
                };
                nodes.push(next);
                cur = next;
                if is_break(cur) || cur == start {
                    break;
                }
                match adj[cur].iter().find(|(_, e2)| edge_road[*e2] == usize::MAX) {
                    Some((_, e2)) => e = *e2,
                    None => break,
                }
            }
            let l = &lines[edges[first_edge].line as usize];
            roads.push(Road {
                id: format!("r-{:04}", ri + 1),
                name: l.name.clone(),
                name_en: l.name_en.clone(),
                class: l.class,
                line: nodes.iter().map(|v| to_lonlat(pts[*v])).collect(),
                nodes: nodes.iter().map(|v| *v as u32).collect(),
            });
        };
    for (n, around) in adj.iter().enumerate() {
        if around.is_empty() || !is_break(n) {
            continue;
        }
        for &(_, e) in around {
            if edge_road[e] == usize::MAX {
                walk(n, e, &mut edge_road, &mut roads);
            }
        }
    }
    // Closed loops without any junction cannot occur on this lattice, but are cut anyway.
    for e in 0..edges.len() {
        if edge_road[e] == usize::MAX {
            walk(edges[e].a as usize, e, &mut edge_road, &mut roads);
        }
    }
    (roads, edge_road)
}

impl Net {
    /// The network as public data.
    pub fn public(&self) -> RoadNetwork {
        RoadNetwork {
            nodes: self.pts.iter().map(|p| to_lonlat(*p)).collect(),
            edges: self.edges.clone(),
        }
    }

    /// Travel time of an edge in seconds.
    pub fn edge_time(&self, e: usize) -> f64 {
        let ed = &self.edges[e];
        ed.length_m / (ed.class.speed_kmh() / 3.6)
    }

    /// The road node nearest to a point.
    pub fn nearest_node(&self, p: [f64; 2]) -> usize {
        let mut best = (f64::INFINITY, 0);
        for (n, a) in self.adj.iter().enumerate() {
            if !a.is_empty() {
                let d = dist(self.pts[n], p);
                if d < best.0 {
                    best = (d, n);
                }
            }
        }
        best.1
    }

    /// Shortest travel times from `root` to every node, with the next node towards `root`
    /// (`usize::MAX` where unreachable). Following `toward` from any node walks the fastest path
    /// to `root`, because roads are two-way.
    pub fn tree(&self, root: usize) -> Tree {
        let n = self.adj.len();
        let mut time = vec![f64::INFINITY; n];
        let mut toward = vec![usize::MAX; n];
        let mut heap = BinaryHeap::new();
        time[root] = 0.0;
        heap.push(Entry(0.0, root));
        while let Some(Entry(t, u)) = heap.pop() {
            if t > time[u] {
                continue;
            }
            for &(v, e) in &self.adj[u] {
                let nt = t + self.edge_time(e);
                if nt < time[v] {
                    time[v] = nt;
                    toward[v] = u;
                    heap.push(Entry(nt, v));
                }
            }
        }
        Tree { root, time, toward }
    }

    /// The fastest path between two nodes as a node list, `None` when unreachable.
    pub fn path(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        self.tree(to).path_from(from)
    }

    /// Share of nodes reachable from the first node with edges (for the connectivity test).
    #[cfg(test)]
    pub fn reachable_share(&self) -> f64 {
        let with_edges: Vec<usize> = (0..self.adj.len())
            .filter(|n| !self.adj[*n].is_empty())
            .collect();
        let Some(first) = with_edges.first() else {
            return 0.0;
        };
        let t = self.tree(*first);
        let reached = with_edges
            .iter()
            .filter(|n| t.time[**n].is_finite())
            .count();
        reached as f64 / with_edges.len() as f64
    }
}

/// A shortest-path tree towards one root.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    pub root: usize,
    pub time: Vec<f64>,
    pub toward: Vec<usize>,
}

impl Tree {
    /// The path from `from` to the root, both included.
    pub fn path_from(&self, from: usize) -> Option<Vec<usize>> {
        if !self.time.get(from)?.is_finite() {
            return None;
        }
        let mut path = vec![from];
        let mut cur = from;
        while cur != self.root {
            cur = self.toward[cur];
            if cur == usize::MAX {
                return None;
            }
            path.push(cur);
        }
        Some(path)
    }
}

#[derive(Debug, PartialEq)]
struct Entry(f64, usize);
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed for a min-heap; ties broken by node for determinism.
        other
            .0
            .total_cmp(&self.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::build_ground;

    #[test]
    fn network_is_connected_and_roads_cover_every_edge() {
        let g = build_ground(5);
        let net = build_network(&g);
        assert!((net.reachable_share() - 1.0).abs() < 1e-12);
        assert!(net.edge_road.iter().all(|r| *r < net.roads.len()));
        assert!(net.roads.iter().any(|r| r.name == "板团路"));
        let p = net.path(vid(1, 18), vid(39, 6)).unwrap_or_default();
        assert!(p.len() > 40);
    }
}

//! A contraction hierarchy over the (undirected) road graph.
//!
//! Preprocessing contracts nodes one at a time, least important first (importance = edge
//! difference + contracted neighbours, updated lazily), adding a shortcut between two neighbours
//! whenever no path avoiding the contracted node is as fast (a bounded local Dijkstra, the
//! "witness search"; when it gives up, a shortcut is added, which costs space but never
//! correctness). Each node keeps its edges to more important nodes: the upward graph.
//!
//! A shortest path between s and t then goes up from s and up from t and meets at its most
//! important node. For ranking units, the incident's upward search is followed by one downward
//! sweep over all nodes in order of importance (PHAST, Delling et al. 2011), which gives the exact
//! time from the incident to every node in one linear pass; each unit then costs two look-ups.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Settled-node budget of one witness search.
const WITNESS_SETTLE_LIMIT: usize = 256;

/// An edge of the upward graph or of the graph under contraction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arc {
    pub to: u32,
    pub time: f64,
    pub len: f64,
}

/// A heap key ordered by time (smallest first through `Reverse`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64, u32);

impl Eq for Key {}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Dense per-node distances that can be reset in time proportional to what was touched.
#[derive(Debug)]
pub(crate) struct Scratch {
    pub time: Vec<f64>,
    pub len: Vec<f64>,
    touched: Vec<u32>,
}

impl Scratch {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            time: vec![f64::INFINITY; n],
            len: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn set(&mut self, v: u32, time: f64, len: f64) {
        let i = v as usize;
        if self.time[i].is_infinite() {
            self.touched.push(v);
        }
        self.time[i] = time;
        self.len[i] = len;
    }

    fn reset(&mut self) {
        for &v in &self.touched {
            self.time[v as usize] = f64::INFINITY;
        }
        self.touched.clear();
    }
}

/// The upward graph in compressed rows.
#[derive(Debug)]
pub(crate) struct Ch {
    first: Vec<u32>,
    arcs: Vec<Arc>,
    /// Nodes from the most important (contracted last) to the least.
    top_down: Vec<u32>,
    shortcuts: usize,
}

/// Adds or improves the undirected edge `u`–`w` in an adjacency list.
fn upsert(adj: &mut [Vec<Arc>], u: u32, w: u32, time: f64, len: f64) {
    for (x, y) in [(u, w), (w, u)] {
        let list = &mut adj[x as usize];
        match list.iter_mut().find(|a| a.to == y) {
            Some(a) if a.time > time => {
                a.time = time;
                a.len = len;
            }
            Some(_) => {}
            None => list.push(Arc { to: y, time, len }),
        }
    }
}

/// The shortcuts that contracting `v` needs, as `(u, w, time, len)`.
fn shortcuts_for(
    adj: &[Vec<Arc>],
    contracted: &[bool],
    v: u32,
    scratch: &mut Scratch,
) -> Vec<(u32, u32, f64, f64)> {
    let neigh = &adj[v as usize];
    let mut out = Vec::new();
    for (i, a) in neigh.iter().enumerate() {
        if i + 1 == neigh.len() {
            break;
        }
        let max = neigh[i + 1..]
            .iter()
            .map(|b| a.time + b.time)
            .fold(0.0, f64::max);
        // Witness search from `a.to`, avoiding `v`, up to `max`.
        scratch.reset();
        let mut heap = BinaryHeap::new();
        scratch.set(a.to, 0.0, 0.0);
        heap.push(Reverse(Key(0.0, a.to)));
        let mut settled = 0;
        while let Some(Reverse(Key(t, x))) = heap.pop() {
            if t > scratch.time[x as usize] {
                continue;
            }
            if t > max || settled >= WITNESS_SETTLE_LIMIT {
                break;
            }
            settled += 1;
            for e in &adj[x as usize] {
                if e.to == v || contracted[e.to as usize] {
                    continue;
                }
                let nt = t + e.time;
                if nt < scratch.time[e.to as usize] {
                    scratch.set(e.to, nt, 0.0);
                    heap.push(Reverse(Key(nt, e.to)));
                }
            }
        }
        for b in &neigh[i + 1..] {
            let need = a.time + b.time;
            if scratch.time[b.to as usize] > need {
                out.push((a.to, b.to, need, a.len + b.len));
            }
        }
    }
    scratch.reset();
    out
}

impl Ch {
    /// Contracts the graph given as undirected edges `(a, b, time, len)` over `n` nodes.
    pub(crate) fn build(n: usize, edges: impl Iterator<Item = (u32, u32, f64, f64)>) -> Ch {
        let mut adj: Vec<Vec<Arc>> = vec![Vec::new(); n];
        for (a, b, time, len) in edges {
            if a != b {
                upsert(&mut adj, a, b, time, len);
            }
        }
        let mut contracted = vec![false; n];
        let mut deleted_neighbours = vec![0i64; n];
        let mut scratch = Scratch::new(n);
        let mut up: Vec<Vec<Arc>> = vec![Vec::new(); n];
        let mut shortcut_count = 0usize;
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let priority = |adj: &[Vec<Arc>],
                        contracted: &[bool],
                        dn: &[i64],
                        v: u32,
                        scratch: &mut Scratch|
         -> i64 {
            let s = shortcuts_for(adj, contracted, v, scratch).len() as i64;
            2 * (s - adj[v as usize].len() as i64) + dn[v as usize]
        };
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> = (0..n as u32)
            .map(|v| {
                Reverse((
                    priority(&adj, &contracted, &deleted_neighbours, v, &mut scratch),
                    v,
                ))
            })
            .collect();
        while let Some(Reverse((_, v))) = heap.pop() {
            if contracted[v as usize] {
                continue;
            }
            // Lazy update: contract only if the fresh priority is still the smallest.
            let p = priority(&adj, &contracted, &deleted_neighbours, v, &mut scratch);
            if let Some(Reverse((next, _))) = heap.peek() {
                if p > *next {
                    heap.push(Reverse((p, v)));
                    continue;
                }
            }
            let shortcuts = shortcuts_for(&adj, &contracted, v, &mut scratch);
            let neigh = std::mem::take(&mut adj[v as usize]);
            for a in &neigh {
                adj[a.to as usize].retain(|e| e.to != v);
                deleted_neighbours[a.to as usize] += 1;
            }
            up[v as usize] = neigh;
            contracted[v as usize] = true;
            order.push(v);
            shortcut_count += shortcuts.len();
            for (a, b, time, len) in shortcuts {
                upsert(&mut adj, a, b, time, len);
            }
        }
        let mut first = Vec::with_capacity(n + 1);
        let mut arcs = Vec::with_capacity(up.iter().map(Vec::len).sum());
        for list in up {
            first.push(arcs.len() as u32);
            arcs.extend(list);
        }
        first.push(arcs.len() as u32);
        order.reverse();
        Ch {
            first,
            arcs,
            top_down: order,
            shortcuts: shortcut_count,
        }
    }

    /// The number of shortcuts added.
    pub(crate) fn shortcut_count(&self) -> usize {
        self.shortcuts
    }

    fn up(&self, v: u32) -> &[Arc] {
        let (a, b) = (
            self.first[v as usize] as usize,
            self.first[v as usize + 1] as usize,
        );
        &self.arcs[a..b]
    }

    /// A complete upward search from several sources `(node, time, len)`, into `out`.
    fn search_all(&self, sources: &[(u32, f64, f64)], out: &mut Scratch) {
        out.reset();
        let mut heap = BinaryHeap::new();
        for &(s, t, l) in sources {
            if t < out.time[s as usize] {
                out.set(s, t, l);
                heap.push(Reverse(Key(t, s)));
            }
        }
        while let Some(Reverse(Key(t, x))) = heap.pop() {
            if t > out.time[x as usize] {
                continue;
            }
            let l = out.len[x as usize];
            for e in self.up(x) {
                let nt = t + e.time;
                if nt < out.time[e.to as usize] {
                    out.set(e.to, nt, l + e.len);
                    heap.push(Reverse(Key(nt, e.to)));
                }
            }
        }
    }

    /// Fastest `(time, len)` from the sources to every node (PHAST): the sources' upward search,
    /// then one sweep over all nodes from the most important down, each taking the best of its
    /// own upward distance and its more important neighbours' final distances plus the arc.
    /// Every shortest path in the hierarchy goes up, then down, so this is exact; it costs one
    /// pass over the upward arcs, whatever the number of targets.
    pub(crate) fn distances_from(&self, sources: &[(u32, f64, f64)]) -> (Vec<f64>, Vec<f64>) {
        let mut s = Scratch::new(self.first.len() - 1);
        self.search_all(sources, &mut s);
        let (mut time, mut len) = (s.time, s.len);
        for &v in &self.top_down {
            let v = v as usize;
            let (mut t, mut l) = (time[v], len[v]);
            for e in &self.arcs[self.first[v] as usize..self.first[v + 1] as usize] {
                let c = time[e.to as usize] + e.time;
                if c < t {
                    t = c;
                    l = len[e.to as usize] + e.len;
                }
            }
            time[v] = t;
            len[v] = l;
        }
        (time, len)
    }
}

/// Plain Dijkstra over the base graph from several sources, the reference the hierarchy is
/// tested against.
pub(crate) fn dijkstra(adj: &[Vec<Arc>], sources: &[(u32, f64, f64)]) -> Scratch {
    let mut out = Scratch::new(adj.len());
    let mut heap = BinaryHeap::new();
    for &(s, t, l) in sources {
        if t < out.time[s as usize] {
            out.set(s, t, l);
            heap.push(Reverse(Key(t, s)));
        }
    }
    while let Some(Reverse(Key(t, x))) = heap.pop() {
        if t > out.time[x as usize] {
            continue;
        }
        let l = out.len[x as usize];
        for e in &adj[x as usize] {
            let nt = t + e.time;
            if nt < out.time[e.to as usize] {
                out.set(e.to, nt, l + e.len);
                heap.push(Reverse(Key(nt, e.to)));
            }
        }
    }
    out
}

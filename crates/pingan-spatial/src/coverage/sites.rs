//! Greedy suggestion of new camera sites.
//!
//! Candidates are the uncovered samples themselves (so sites lie on uncovered roads and inside
//! uncovered places), thinned to one per `candidate_spacing_m` square. A new camera is modelled
//! as a full circle of `range_m` (a PTZ camera, the usual choice for a gap). A site's gain is the
//! sum, over the uncovered samples it would see, of each sample's share of its target's district
//! total: covering 1 % of the key road length and 2 % of the key place area gains 0.03. Using
//! shares puts metres and square metres on one scale and weighs the targets equally.
//!
//! The k sites are picked one at a time, each time the candidate with the largest remaining gain
//! (the classic greedy for maximum coverage, within 1 − 1/e of the best possible choice of k).
//! Gains only shrink as sites are added, so stale gains are recomputed lazily: a candidate is
//! taken only once its gain has been brought up to date and is still the largest.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::Serialize;

use super::{Coverage, Measure};
use crate::geography::FeatureKind;

/// The camera assumed at a suggested site.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteModel {
    /// Range of the new camera in metres (default 50).
    pub range_m: f64,
    /// At most one candidate per square of this side, in metres (default 25).
    pub candidate_spacing_m: f64,
}

impl Default for SiteModel {
    fn default() -> Self {
        Self {
            range_m: 50.0,
            candidate_spacing_m: 25.0,
        }
    }
}

/// One suggested site and what it would add.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteSuggestion {
    /// 1 for the first pick.
    pub rank: usize,
    /// Longitude in degrees.
    pub lon: f64,
    /// Latitude in degrees.
    pub lat: f64,
    /// The range assumed, m.
    pub range_m: f64,
    /// Sum of the district shares gained (0.01 = one percentage point of one target).
    pub gain: f64,
    /// Key road length newly covered, m.
    pub key_road_m: f64,
    /// Key place area newly covered, m².
    pub key_place_m2: f64,
    /// Key places given as points newly covered.
    pub key_place_points: usize,
    /// Road network length newly covered, m (only when the network was measured).
    pub road_m: f64,
    /// Ids of the features that gain, largest gain first (at most five).
    pub features: Vec<String>,
    /// The same in words.
    pub explanation: String,
}

/// A gain with a total order, for the heap.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    gain: f64,
    candidate: usize,
    round: usize,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Larger gain first; among equals, the earlier candidate, so the result is deterministic.
        self.gain
            .total_cmp(&other.gain)
            .then_with(|| other.candidate.cmp(&self.candidate))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Coverage {
    /// Up to `k` new camera sites, best first, each with the coverage it adds on top of the
    /// existing cameras and the sites before it. Stops early when nothing uncovered is left.
    #[expect(
        clippy::too_many_lines,
        reason = "one procedure whose steps read in order; split when it next grows"
    )]
    pub fn suggest_sites(&self, k: usize, model: &SiteModel) -> Vec<SiteSuggestion> {
        let range = if model.range_m.is_finite() && model.range_m > 0.0 {
            model.range_m
        } else {
            50.0
        };
        let spacing = if model.candidate_spacing_m.is_finite() && model.candidate_spacing_m > 0.0 {
            model.candidate_spacing_m
        } else {
            range / 2.0
        };
        let d = &self.district;
        let totals = [
            d.key_road_m,
            d.key_place_area_m2,
            d.key_place_points as f64,
            d.road_m,
        ];
        let target = |s: usize| -> usize {
            let f = &self.features[self.samples[s].feature];
            match (f.kind, f.measure) {
                (FeatureKind::KeyRoad, _) => 0,
                (FeatureKind::KeyPlace, Measure::Point) => 2,
                (FeatureKind::KeyPlace, _) => 1,
                _ => 3,
            }
        };
        let value = |s: usize| {
            let t = totals[target(s)];
            if t > 0.0 {
                self.samples[s].weight / t
            } else {
                0.0
            }
        };
        let uncovered: Vec<usize> = (0..self.samples.len())
            .filter(|&s| !self.samples[s].covered)
            .collect();
        let tree = RTree::bulk_load(
            uncovered
                .iter()
                .map(|&s| GeomWithData::new(self.samples[s].xy, s))
                .collect(),
        );
        let mut cells: BTreeMap<(i64, i64), usize> = BTreeMap::new();
        for &s in &uncovered {
            let [x, y] = self.samples[s].xy;
            cells
                .entry(((x / spacing).floor() as i64, (y / spacing).floor() as i64))
                .or_insert(s);
        }
        let candidates: Vec<usize> = cells.into_values().collect();
        let mut taken = vec![false; self.samples.len()];
        let r2 = range * range;
        let gain_of = |c: usize, taken: &[bool]| -> f64 {
            tree.locate_within_distance(self.samples[candidates[c]].xy, r2)
                .filter(|e| !taken[e.data])
                .map(|e| value(e.data))
                .sum()
        };
        let mut heap: BinaryHeap<Entry> = (0..candidates.len())
            .map(|c| Entry {
                gain: gain_of(c, &taken),
                candidate: c,
                round: 0,
            })
            .collect();
        let mut out = Vec::new();
        while out.len() < k {
            let Some(top) = heap.pop() else { break };
            if top.gain <= 0.0 {
                break;
            }
            if top.round != out.len() {
                heap.push(Entry {
                    gain: gain_of(top.candidate, &taken),
                    round: out.len(),
                    ..top
                });
                continue;
            }
            let xy = self.samples[candidates[top.candidate]].xy;
            let mut amounts = [0.0f64; 4];
            let mut by_feature: BTreeMap<usize, f64> = BTreeMap::new();
            for e in tree.locate_within_distance(xy, r2) {
                if !taken[e.data] {
                    taken[e.data] = true;
                    amounts[target(e.data)] += self.samples[e.data].weight;
                    *by_feature.entry(self.samples[e.data].feature).or_default() += value(e.data);
                }
            }
            let mut ranked: Vec<(usize, f64)> = by_feature.into_iter().collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let features: Vec<String> = ranked
                .iter()
                .take(5)
                .map(|&(f, _)| self.features[f].id.clone())
                .collect();
            let (lon, lat) = self.projection.unproject(xy);
            let rank = out.len() + 1;
            let explanation = explain(rank, range, &amounts, &totals, &features);
            out.push(SiteSuggestion {
                rank,
                lon,
                lat,
                range_m: range,
                gain: top.gain,
                key_road_m: amounts[0],
                key_place_m2: amounts[1],
                key_place_points: amounts[2].round() as usize,
                road_m: amounts[3],
                features,
                explanation,
            });
        }
        out
    }
}

fn explain(
    rank: usize,
    range: f64,
    amounts: &[f64; 4],
    totals: &[f64; 4],
    features: &[String],
) -> String {
    let pts = |i: usize| {
        if totals[i] > 0.0 {
            100.0 * amounts[i] / totals[i]
        } else {
            0.0
        }
    };
    let mut parts = Vec::new();
    if amounts[0] > 0.0 {
        parts.push(format!(
            "{:.0} m of key road (+{:.2} pts of the district's key road coverage)",
            amounts[0],
            pts(0)
        ));
    }
    if amounts[1] > 0.0 {
        parts.push(format!(
            "{:.0} m² of key places (+{:.2} pts of key place area)",
            amounts[1],
            pts(1)
        ));
    }
    if amounts[2] > 0.0 {
        parts.push(format!(
            "{:.0} key place point(s) (+{:.2} pts)",
            amounts[2],
            pts(2)
        ));
    }
    if amounts[3] > 0.0 {
        parts.push(format!(
            "{:.0} m of road network (+{:.2} pts)",
            amounts[3],
            pts(3)
        ));
    }
    format!(
        "site {rank}: a {range:.0} m PTZ camera here would newly cover {}; features gaining most: {}",
        parts.join(", "),
        features.join(", ")
    )
}

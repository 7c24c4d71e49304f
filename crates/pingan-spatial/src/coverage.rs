//! How much of the key places and key road sections the cameras cover, where the gaps are, and
//! where new cameras would help most.
//!
//! Coverage is measured by sampling, which keeps it exact enough, predictable in cost and free of
//! fragile polygon unions over thousands of overlapping views:
//! - a key road section (or any road, when asked) is cut into pieces of at most `road_step_m`
//!   metres; a piece counts as covered when its midpoint lies in at least one view;
//! - a key place polygon is sampled on a square lattice of `area_step_m` metres (coarsened so that
//!   one place has at most `max_samples_per_place` samples); its covered area is its exact area
//!   times the covered share of its samples; a key place given as a point is covered or not;
//! - each feature counts wholly towards one town: its `parent` when that is a town or subdistrict
//!   (or a grid inside one), otherwise the town containing its representative point.
//!
//! The error is at most about one step at each end of a covered run on roads, and falls with the
//! step for areas. Camera views are the sectors of [`crate::cameras`]; obstacles are not modelled.
//! Suggested sites ([`Coverage::suggest_sites`]) are chosen greedily (module `sites`).

mod sites;

use geo::{Area, Contains, Coord, Geometry, InteriorPoint, LineString, MapCoords, Point, Polygon};
use serde::Serialize;

use crate::cameras::CameraIndex;
use crate::geography::{FeatureKind, GeoFeature, Geography};
use crate::projection::LocalProjection;

pub use sites::{SiteModel, SiteSuggestion};

/// How finely coverage is sampled.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageOptions {
    /// Longest road piece in metres (default 10).
    pub road_step_m: f64,
    /// Lattice step for key place areas in metres (default 10).
    pub area_step_m: f64,
    /// Upper bound on the samples of one key place (default 20,000); large places get a coarser step.
    pub max_samples_per_place: usize,
    /// Also measure the whole road network (`road` features), not only key road sections.
    pub include_road_network: bool,
}

impl Default for CoverageOptions {
    fn default() -> Self {
        Self {
            road_step_m: 10.0,
            area_step_m: 10.0,
            max_samples_per_place: 20_000,
            include_road_network: false,
        }
    }
}

/// Covered and total amounts for one area (a town or the district).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CoverageFigures {
    /// Area of the key places given as polygons, m².
    pub key_place_area_m2: f64,
    /// The part of it inside at least one view, m².
    pub key_place_covered_m2: f64,
    /// `covered / area`, absent without key place polygons.
    pub key_place_share: Option<f64>,
    /// Key places given as points.
    pub key_place_points: usize,
    /// Of which inside at least one view.
    pub key_place_points_covered: usize,
    /// Length of the key road sections, m.
    pub key_road_m: f64,
    /// The part of it inside at least one view, m.
    pub key_road_covered_m: f64,
    /// `covered / length`, absent without key road sections.
    pub key_road_share: Option<f64>,
    /// Length of the whole road network, m (0 unless asked for).
    pub road_m: f64,
    /// The part of it inside at least one view, m.
    pub road_covered_m: f64,
    /// `covered / length`, absent unless asked for.
    pub road_share: Option<f64>,
}

impl CoverageFigures {
    fn add(&mut self, f: &FeatureCoverage) {
        match (f.kind, f.measure) {
            (FeatureKind::KeyPlace, Measure::Point) => {
                self.key_place_points += 1;
                self.key_place_points_covered += usize::from(f.covered > 0.0);
            }
            (FeatureKind::KeyPlace, _) => {
                self.key_place_area_m2 += f.total;
                self.key_place_covered_m2 += f.covered;
            }
            (FeatureKind::KeyRoad, _) => {
                self.key_road_m += f.total;
                self.key_road_covered_m += f.covered;
            }
            _ => {
                self.road_m += f.total;
                self.road_covered_m += f.covered;
            }
        }
    }

    fn finish(&mut self) {
        let share =
            |covered: f64, total: f64| (total > 0.0).then(|| (covered / total).clamp(0.0, 1.0));
        self.key_place_share = share(self.key_place_covered_m2, self.key_place_area_m2);
        self.key_road_share = share(self.key_road_covered_m, self.key_road_m);
        self.road_share = share(self.road_covered_m, self.road_m);
    }
}

/// What a feature's total and covered amounts measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Square metres (key place polygons).
    Area,
    /// Metres (roads and key road sections).
    Length,
    /// A point: total 1, covered 0 or 1.
    Point,
}

/// Coverage of one key place, key road section or road.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureCoverage {
    /// The feature's id.
    pub id: String,
    /// The feature's name.
    pub name: String,
    /// Its kind.
    pub kind: FeatureKind,
    /// The town or subdistrict it counts towards.
    pub town: Option<String>,
    /// What `total` and `covered` measure.
    pub measure: Measure,
    /// Area (m²), length (m) or 1.
    pub total: f64,
    /// The covered part, same unit.
    pub covered: f64,
}

/// Coverage figures of one town or subdistrict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TownCoverage {
    /// The town's id; `None` gathers the features outside every town.
    pub town_id: Option<String>,
    /// The town's name (empty for `None`).
    pub town_name: String,
    /// Its figures.
    pub figures: CoverageFigures,
}

/// A run of road without any camera view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncoveredStretch {
    /// The road or key road section's id.
    pub feature_id: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: FeatureKind,
    /// Length of the stretch, m.
    pub length_m: f64,
    /// The stretch's course, `(lon, lat)` at piece boundaries.
    #[serde(skip)]
    pub line: LineString<f64>,
}

/// One sample: a point standing for a piece of road or a cell of a place.
#[derive(Debug, Clone)]
struct Sample {
    xy: [f64; 2],
    /// Metres or square metres.
    weight: f64,
    /// Index into `Coverage::features`.
    feature: usize,
    covered: bool,
}

/// The result of [`analyse`]: figures per feature, per town and for the district, plus the
/// samples behind them for finding gaps and suggesting sites.
#[derive(Debug, Clone)]
pub struct Coverage {
    projection: LocalProjection,
    features: Vec<FeatureCoverage>,
    samples: Vec<Sample>,
    /// Uncovered runs of every line, longest first.
    stretches: Vec<UncoveredStretch>,
    district: CoverageFigures,
    towns: Vec<TownCoverage>,
}

/// Measures coverage of the geography's key places and key road sections (and roads, if asked)
/// by the indexed cameras. Cost: one point query per sample.
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub fn analyse<K: Clone>(
    geography: &Geography,
    cameras: &CameraIndex<K>,
    opts: &CoverageOptions,
) -> Coverage {
    let projection = *geography.projection();
    let road_step = if opts.road_step_m.is_finite() && opts.road_step_m > 0.0 {
        opts.road_step_m
    } else {
        10.0
    };
    let area_step = if opts.area_step_m.is_finite() && opts.area_step_m > 0.0 {
        opts.area_step_m
    } else {
        10.0
    };
    let covered_at = |xy: [f64; 2]| {
        let (lon, lat) = projection.unproject(xy);
        cameras.is_covered(lon, lat)
    };
    let mut kinds = vec![FeatureKind::KeyPlace, FeatureKind::KeyRoad];
    if opts.include_road_network {
        kinds.push(FeatureKind::Road);
    }
    let mut features = Vec::new();
    let mut samples = Vec::new();
    let mut stretches = Vec::new();
    for kind in kinds {
        for f in geography.features(kind) {
            let index = features.len();
            let town = town_of(geography, f);
            let (measure, total) = match &f.geometry {
                Geometry::Point(p) => {
                    let xy = projection.project(p.x(), p.y());
                    samples.push(Sample {
                        xy,
                        weight: 1.0,
                        feature: index,
                        covered: covered_at(xy),
                    });
                    (Measure::Point, 1.0)
                }
                Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
                    let polys: Vec<&Polygon<f64>> = match &f.geometry {
                        Geometry::Polygon(p) => vec![p],
                        Geometry::MultiPolygon(m) => m.0.iter().collect(),
                        _ => Vec::new(),
                    };
                    let mut total = 0.0;
                    for poly in polys {
                        let projected = poly.map_coords(|c| {
                            let [x, y] = projection.project(c.x, c.y);
                            Coord { x, y }
                        });
                        let area = projected.unsigned_area();
                        total += area;
                        let start = samples.len();
                        sample_area(
                            &projected,
                            area,
                            area_step,
                            opts.max_samples_per_place,
                            index,
                            &mut samples,
                        );
                        for s in &mut samples[start..] {
                            s.covered = covered_at(s.xy);
                        }
                    }
                    (Measure::Area, total)
                }
                Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                    let lines: Vec<&LineString<f64>> = match &f.geometry {
                        Geometry::LineString(l) => vec![l],
                        Geometry::MultiLineString(m) => m.0.iter().collect(),
                        _ => Vec::new(),
                    };
                    let mut total = 0.0;
                    for line in lines {
                        total += sample_line(
                            line,
                            &projection,
                            road_step,
                            index,
                            &covered_at,
                            &mut samples,
                            &mut |run| {
                                stretches.push(UncoveredStretch {
                                    feature_id: f.id.clone(),
                                    name: f.name.clone(),
                                    kind: f.kind,
                                    length_m: run.0,
                                    line: LineString(run.1),
                                });
                            },
                        );
                    }
                    (Measure::Length, total)
                }
                _ => continue,
            };
            features.push(FeatureCoverage {
                id: f.id.clone(),
                name: f.name.clone(),
                kind: f.kind,
                town,
                measure,
                total,
                covered: 0.0,
            });
        }
    }
    // Turn sample counts into covered amounts: lengths add up directly, areas scale the exact area.
    let mut weight_all = vec![0.0f64; features.len()];
    let mut weight_covered = vec![0.0f64; features.len()];
    for s in &samples {
        weight_all[s.feature] += s.weight;
        if s.covered {
            weight_covered[s.feature] += s.weight;
        }
    }
    for (i, f) in features.iter_mut().enumerate() {
        f.covered = if weight_all[i] > 0.0 {
            f.total * weight_covered[i] / weight_all[i]
        } else {
            0.0
        };
    }
    let mut district = CoverageFigures::default();
    let mut towns: Vec<TownCoverage> = geography
        .features(FeatureKind::Town)
        .chain(geography.features(FeatureKind::Subdistrict))
        .map(|t| TownCoverage {
            town_id: Some(t.id.clone()),
            town_name: t.name.clone(),
            figures: CoverageFigures::default(),
        })
        .collect();
    towns.sort_by(|a, b| a.town_id.cmp(&b.town_id));
    let mut outside = TownCoverage {
        town_id: None,
        town_name: String::new(),
        figures: CoverageFigures::default(),
    };
    for f in &features {
        district.add(f);
        let slot = f.town.as_ref().and_then(|id| {
            towns
                .binary_search_by(|t| t.town_id.as_ref().cmp(&Some(id)))
                .ok()
        });
        match slot {
            Some(i) => towns[i].figures.add(f),
            None => outside.figures.add(f),
        }
    }
    let has_outside = features.iter().any(|f| f.town.is_none());
    if has_outside {
        towns.push(outside);
    }
    district.finish();
    for t in &mut towns {
        t.figures.finish();
    }
    stretches.sort_by(|a, b| {
        b.length_m
            .total_cmp(&a.length_m)
            .then_with(|| a.feature_id.cmp(&b.feature_id))
    });
    Coverage {
        projection,
        features,
        samples,
        stretches,
        district,
        towns,
    }
}

impl Coverage {
    /// Figures for the whole district.
    pub fn district(&self) -> &CoverageFigures {
        &self.district
    }

    /// Figures per town and subdistrict, by id; a last entry with `town_id: None` holds features
    /// outside every town, when there are any.
    pub fn towns(&self) -> &[TownCoverage] {
        &self.towns
    }

    /// Figures per key place, key road section and (if asked) road, in the geography's order.
    pub fn features(&self) -> &[FeatureCoverage] {
        &self.features
    }

    /// Uncovered runs of road longer than `min_length_m`, longest first. A run ends where a
    /// line's part ends, so runs never jump between the parts of a MultiLineString.
    pub fn uncovered_stretches(&self, min_length_m: f64) -> Vec<UncoveredStretch> {
        self.stretches
            .iter()
            .filter(|s| s.length_m > min_length_m)
            .cloned()
            .collect()
    }
}

/// The town a feature counts towards: its parent town, its parent grid's town, or the town at its
/// representative point.
fn town_of(geography: &Geography, f: &GeoFeature) -> Option<String> {
    let is_town = |g: &GeoFeature| matches!(g.kind, FeatureKind::Town | FeatureKind::Subdistrict);
    if let Some(parent) = f.parent.as_deref().and_then(|p| geography.feature(p)) {
        if is_town(parent) {
            return Some(parent.id.clone());
        }
        if parent.kind == FeatureKind::Grid {
            if let Some(t) = parent
                .parent
                .as_deref()
                .and_then(|p| geography.feature(p))
                .filter(|t| is_town(t))
            {
                return Some(t.id.clone());
            }
        }
    }
    let p: Point<f64> = match &f.geometry {
        Geometry::LineString(l) => l.0.get(l.0.len() / 2).map(|c| Point(*c))?,
        Geometry::MultiLineString(m) => {
            m.0.first()
                .and_then(|l| l.0.get(l.0.len() / 2))
                .map(|c| Point(*c))?
        }
        g => g.interior_point()?,
    };
    geography.town_at(p.x(), p.y()).map(|t| t.id.clone())
}

/// Samples a projected polygon on a lattice; a polygon too small to hold a lattice point gets its
/// interior point as its single sample. The caller marks the samples covered or not.
fn sample_area(
    poly: &Polygon<f64>,
    area: f64,
    step: f64,
    max_samples: usize,
    feature: usize,
    out: &mut Vec<Sample>,
) {
    let Some(r) = geo::BoundingRect::bounding_rect(poly) else {
        return;
    };
    let (w, h) = (r.width(), r.height());
    let cap = max_samples.max(1) as f64;
    let step = step.max((w * h / cap).sqrt());
    let nx = ((w / step).ceil() as usize).max(1);
    let ny = ((h / step).ceil() as usize).max(1);
    let start = out.len();
    for j in 0..ny {
        for i in 0..nx {
            let c = Coord {
                x: r.min().x + (i as f64 + 0.5) * step,
                y: r.min().y + (j as f64 + 0.5) * step,
            };
            if poly.contains(&c) {
                out.push(Sample {
                    xy: [c.x, c.y],
                    weight: 0.0,
                    feature,
                    covered: false,
                });
            }
        }
    }
    if out.len() == start {
        if let Some(p) = poly.interior_point() {
            out.push(Sample {
                xy: [p.x(), p.y()],
                weight: 0.0,
                feature,
                covered: false,
            });
        }
    }
    let n = out.len() - start;
    for s in &mut out[start..] {
        s.weight = area / n as f64;
    }
}

/// Cuts a line into pieces of at most `step` metres, samples each piece's midpoint, and reports
/// every maximal uncovered run as `(length, course in degrees)`. Returns the line's length.
fn sample_line(
    line: &LineString<f64>,
    projection: &LocalProjection,
    step: f64,
    feature: usize,
    covered_at: &dyn Fn([f64; 2]) -> bool,
    out: &mut Vec<Sample>,
    on_run: &mut dyn FnMut((f64, Vec<Coord<f64>>)),
) -> f64 {
    let mut total = 0.0;
    let mut run: Option<(f64, Vec<Coord<f64>>)> = None;
    let to_deg = |xy: [f64; 2]| {
        let (x, y) = projection.unproject(xy);
        Coord { x, y }
    };
    for w in line.0.windows(2) {
        let a = projection.project(w[0].x, w[0].y);
        let b = projection.project(w[1].x, w[1].y);
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        if len.is_nan() || len <= 0.0 {
            continue;
        }
        total += len;
        let pieces = (len / step).ceil().max(1.0) as usize;
        let piece_len = len / pieces as f64;
        let at = |t: f64| [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
        for k in 0..pieces {
            let t0 = k as f64 / pieces as f64;
            let t1 = (k + 1) as f64 / pieces as f64;
            let mid = at((t0 + t1) / 2.0);
            let covered = covered_at(mid);
            out.push(Sample {
                xy: mid,
                weight: piece_len,
                feature,
                covered,
            });
            if covered {
                if let Some(r) = run.take() {
                    on_run(r);
                }
            } else {
                let r = run.get_or_insert_with(|| (0.0, vec![to_deg(at(t0))]));
                r.0 += piece_len;
                r.1.push(to_deg(at(t1)));
            }
        }
    }
    if let Some(r) = run.take() {
        on_run(r);
    }
    total
}

#[cfg(test)]
mod tests;

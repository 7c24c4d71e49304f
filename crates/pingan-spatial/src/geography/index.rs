//! The immutable, indexed geography and point location.

use std::collections::HashMap;

use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, Coord, CoordinatePosition, Geometry};
use rstar::primitives::{GeomWithData, Line, Rectangle};
use rstar::{PointDistance, RTree, AABB};
use serde::{Deserialize, Serialize};

use super::{FeatureKind, GeoFeature};
use crate::projection::LocalProjection;

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;
type SegmentEntry = GeomWithData<Line<[f64; 2]>, usize>;

/// Where a point lies: its town (or subdistrict), its grid, and the nearest road section.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Location {
    /// `(id, name)` of the town or subdistrict containing the point.
    pub town: Option<(String, String)>,
    /// `(id, name)` of the grid containing the point.
    pub grid: Option<(String, String)>,
    /// The nearest road or key road section, however far; `None` only without any road.
    pub nearest_road: Option<RoadHit>,
}

/// The road section nearest to a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoadHit {
    /// The road feature's id.
    pub id: String,
    /// The road feature's name.
    pub name: String,
    /// Distance in metres from the point to the closest point of the road (local projection).
    pub distance_m: f64,
}

/// The district's features with their spatial indexes; built once, then read-only.
///
/// `build` expects features that passed validation; geometries that cannot be indexed (a road
/// that is not a line, a non-finite bounding box) are kept in the feature list but left out of the
/// indexes rather than making the build fail.
#[derive(Debug)]
pub struct Geography {
    features: Vec<GeoFeature>,
    by_kind: [Vec<usize>; 7],
    by_id: HashMap<String, usize>,
    projection: LocalProjection,
    bbox: Option<[f64; 4]>,
    /// Bounding boxes of towns and subdistricts, in degrees.
    towns: RTree<BoxEntry>,
    /// Bounding boxes of grids, in degrees.
    grids: RTree<BoxEntry>,
    /// Bounding boxes of key places, in degrees.
    key_places: RTree<BoxEntry>,
    /// Segments of roads and key road sections, in projected metres.
    roads: RTree<SegmentEntry>,
}

fn finite_rect(g: &Geometry<f64>) -> Option<[f64; 4]> {
    let r = g.bounding_rect()?;
    let b = [r.min().x, r.min().y, r.max().x, r.max().y];
    b.iter().all(|v| v.is_finite()).then_some(b)
}

impl Geography {
    /// Indexes the features. Cost: O(n log n) in the number of polygons and road segments.
    pub fn build(features: Vec<GeoFeature>) -> Geography {
        let mut by_kind: [Vec<usize>; 7] = Default::default();
        let mut by_id = HashMap::with_capacity(features.len());
        let mut bbox: Option<[f64; 4]> = None;
        let rects: Vec<Option<[f64; 4]>> =
            features.iter().map(|f| finite_rect(&f.geometry)).collect();
        for (i, f) in features.iter().enumerate() {
            by_kind[f.kind.index()].push(i);
            by_id.entry(f.id.clone()).or_insert(i);
            if let Some(r) = rects[i] {
                bbox = Some(match bbox {
                    None => r,
                    Some(b) => [
                        b[0].min(r[0]),
                        b[1].min(r[1]),
                        b[2].max(r[2]),
                        b[3].max(r[3]),
                    ],
                });
            }
        }
        let projection = bbox.map_or(LocalProjection::new(0.0, 0.0), LocalProjection::around_bbox);
        let boxes = |kinds: &[FeatureKind]| {
            let entries: Vec<BoxEntry> = kinds
                .iter()
                .flat_map(|k| by_kind[k.index()].iter().copied())
                .filter(|&i| {
                    matches!(
                        features[i].geometry,
                        Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Point(_)
                    )
                })
                .filter_map(|i| {
                    let r = rects[i]?;
                    Some(GeomWithData::new(
                        Rectangle::from_corners([r[0], r[1]], [r[2], r[3]]),
                        i,
                    ))
                })
                .collect();
            RTree::bulk_load(entries)
        };
        let towns = boxes(&[FeatureKind::Town, FeatureKind::Subdistrict]);
        let grids = boxes(&[FeatureKind::Grid]);
        let key_places = boxes(&[FeatureKind::KeyPlace]);
        let mut segments = Vec::new();
        for k in [FeatureKind::Road, FeatureKind::KeyRoad] {
            for &i in &by_kind[k.index()] {
                if rects[i].is_none() {
                    continue;
                }
                let lines: Vec<&geo::LineString<f64>> = match &features[i].geometry {
                    Geometry::LineString(l) => vec![l],
                    Geometry::MultiLineString(m) => m.0.iter().collect(),
                    _ => continue,
                };
                for l in lines {
                    for w in l.0.windows(2) {
                        let a = projection.project(w[0].x, w[0].y);
                        let b = projection.project(w[1].x, w[1].y);
                        segments.push(GeomWithData::new(Line::new(a, b), i));
                    }
                }
            }
        }
        let roads = RTree::bulk_load(segments);
        Geography {
            features,
            by_kind,
            by_id,
            projection,
            bbox,
            towns,
            grids,
            key_places,
            roads,
        }
    }

    /// The town, grid and nearest road of a point given in degrees. A point on a shared boundary
    /// belongs to a polygon that has it strictly inside if there is one, otherwise to the polygon
    /// with the smallest id, so that the answer is deterministic. Non-finite input locates nowhere.
    pub fn locate(&self, lon: f64, lat: f64) -> Location {
        if !(lon.is_finite() && lat.is_finite()) {
            return Location::default();
        }
        let pair = |i: usize| (self.features[i].id.clone(), self.features[i].name.clone());
        Location {
            town: self.best_area(&self.towns, lon, lat).map(pair),
            grid: self.best_area(&self.grids, lon, lat).map(pair),
            nearest_road: self.nearest_road(lon, lat),
        }
    }

    /// The nearest road or key road section to a point, with its distance in metres.
    pub fn nearest_road(&self, lon: f64, lat: f64) -> Option<RoadHit> {
        if !(lon.is_finite() && lat.is_finite()) {
            return None;
        }
        let p = self.projection.project(lon, lat);
        let hit = self.roads.nearest_neighbor(&p)?;
        let f = &self.features[hit.data];
        Some(RoadHit {
            id: f.id.clone(),
            name: f.name.clone(),
            distance_m: hit.geom().distance_2(&p).sqrt(),
        })
    }

    /// The town or subdistrict containing the point (same boundary rule as [`Geography::locate`]).
    pub fn town_at(&self, lon: f64, lat: f64) -> Option<&GeoFeature> {
        if !(lon.is_finite() && lat.is_finite()) {
            return None;
        }
        self.best_area(&self.towns, lon, lat)
            .map(|i| &self.features[i])
    }

    /// The grid containing the point (same boundary rule as [`Geography::locate`]).
    pub fn grid_at(&self, lon: f64, lat: f64) -> Option<&GeoFeature> {
        if !(lon.is_finite() && lat.is_finite()) {
            return None;
        }
        self.best_area(&self.grids, lon, lat)
            .map(|i| &self.features[i])
    }

    /// Key places whose polygon covers the point (or whose point equals it), by id.
    pub fn key_places_at(&self, lon: f64, lat: f64) -> Vec<&GeoFeature> {
        let mut out: Vec<&GeoFeature> = self
            .candidates(&self.key_places, lon, lat)
            .filter(|&(_, pos)| pos != CoordPos::Outside)
            .map(|(i, _)| &self.features[i])
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// Features of one kind, in input order.
    pub fn features(&self, kind: FeatureKind) -> impl Iterator<Item = &GeoFeature> {
        self.by_kind[kind.index()]
            .iter()
            .map(move |&i| &self.features[i])
    }

    /// Every feature, in input order.
    pub fn all_features(&self) -> &[GeoFeature] {
        &self.features
    }

    /// The feature with this id.
    pub fn feature(&self, id: &str) -> Option<&GeoFeature> {
        self.by_id.get(id).map(|&i| &self.features[i])
    }

    /// Whether the point lies inside the district, boundary included; without a district feature,
    /// inside any town or subdistrict.
    pub fn contains_point(&self, lon: f64, lat: f64) -> bool {
        if !(lon.is_finite() && lat.is_finite()) {
            return false;
        }
        let c = Coord { x: lon, y: lat };
        let districts = &self.by_kind[FeatureKind::District.index()];
        if districts.is_empty() {
            return self.best_area(&self.towns, lon, lat).is_some();
        }
        districts
            .iter()
            .any(|&i| self.features[i].geometry.coordinate_position(&c) != CoordPos::Outside)
    }

    /// The number of features.
    pub fn feature_count(&self) -> usize {
        self.features.len()
    }

    /// The projection used for every distance, centred on the data's bounding box.
    pub fn projection(&self) -> &LocalProjection {
        &self.projection
    }

    /// `[min_lon, min_lat, max_lon, max_lat]` of all features, if any.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        self.bbox
    }

    fn candidates<'a>(
        &'a self,
        tree: &'a RTree<BoxEntry>,
        lon: f64,
        lat: f64,
    ) -> impl Iterator<Item = (usize, CoordPos)> + 'a {
        let c = Coord { x: lon, y: lat };
        tree.locate_in_envelope_intersecting(&AABB::from_point([lon, lat]))
            .map(move |e| {
                (
                    e.data,
                    self.features[e.data].geometry.coordinate_position(&c),
                )
            })
    }

    fn best_area(&self, tree: &RTree<BoxEntry>, lon: f64, lat: f64) -> Option<usize> {
        self.candidates(tree, lon, lat)
            .filter_map(|(i, pos)| match pos {
                CoordPos::Inside => Some((0u8, i)),
                CoordPos::OnBoundary => Some((1u8, i)),
                CoordPos::Outside => None,
            })
            .min_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| self.features[a.1].id.cmp(&self.features[b.1].id))
            })
            .map(|(_, i)| i)
    }
}

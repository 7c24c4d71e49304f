//! The district's geography: administrative areas, grids, key places, key road sections and the
//! road network, parsed from GeoJSON, validated feature by feature, and indexed for point lookups.
//!
//! [`parse_feature_collection`] reads a GeoJSON `FeatureCollection` and returns either every
//! feature or every problem found (never only the first), each naming the feature's 0-based index
//! and id. [`Geography::build`] indexes validated features once; the result is immutable and can be
//! shared between threads. [`Geography::locate`] answers "which town, which grid, which road" for a
//! point through R-trees: polygons by bounding box followed by an exact point-in-polygon test, and
//! road segments projected to metres for an exact nearest-segment search.
//!
//! This module does no I/O: reading the file and storing the layers belong to the caller.

mod index;
mod parse;
mod rings;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use index::{Geography, Location, RoadHit};
pub use parse::{parse_feature_collection, to_geojson, validate_features};

/// What a feature stands for. The serde form is snake_case (`"key_place"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// The whole district (区): one polygon or multipolygon.
    District,
    /// A town (镇).
    Town,
    /// A subdistrict (街道), at the same level as a town.
    Subdistrict,
    /// A grid (网格) of grid management, inside a town or subdistrict.
    Grid,
    /// A key place (重点场所): a polygon or a point.
    KeyPlace,
    /// A key road section (重点路段): a line.
    KeyRoad,
    /// A section of the road network: a line with a road class.
    Road,
}

impl FeatureKind {
    /// Every kind, in declaration order.
    pub const ALL: [FeatureKind; 7] = [
        FeatureKind::District,
        FeatureKind::Town,
        FeatureKind::Subdistrict,
        FeatureKind::Grid,
        FeatureKind::KeyPlace,
        FeatureKind::KeyRoad,
        FeatureKind::Road,
    ];

    /// The snake_case name used in GeoJSON properties.
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureKind::District => "district",
            FeatureKind::Town => "town",
            FeatureKind::Subdistrict => "subdistrict",
            FeatureKind::Grid => "grid",
            FeatureKind::KeyPlace => "key_place",
            FeatureKind::KeyRoad => "key_road",
            FeatureKind::Road => "road",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<FeatureKind> {
        FeatureKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether features of this kind are lines (roads and key road sections).
    pub fn is_linear(self) -> bool {
        matches!(self, FeatureKind::Road | FeatureKind::KeyRoad)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for FeatureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The class of a road, which sets its travel speed in routing. The serde form is snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    /// Main roads (主干道).
    Arterial,
    /// County roads (县道).
    County,
    /// Village roads (村道).
    Village,
    /// Anything else: service roads, lanes.
    Other,
}

impl RoadClass {
    /// Every class, in declaration order.
    pub const ALL: [RoadClass; 4] = [
        RoadClass::Arterial,
        RoadClass::County,
        RoadClass::Village,
        RoadClass::Other,
    ];

    /// The snake_case name used in GeoJSON properties.
    pub fn as_str(self) -> &'static str {
        match self {
            RoadClass::Arterial => "arterial",
            RoadClass::County => "county",
            RoadClass::Village => "village",
            RoadClass::Other => "other",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<RoadClass> {
        RoadClass::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for RoadClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validated feature of the geography.
///
/// Polygonal kinds hold a `Polygon` or `MultiPolygon`, linear kinds a `LineString` or
/// `MultiLineString`, and a key place may also be a `Point`. Coordinates are `(lon, lat)` in
/// WGS 84 degrees. `properties` keeps every property other than the recognised ones (`kind`, `id`,
/// `name`, `name_en`, `parent`, `road_class`), so that an export gives back what was imported.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoFeature {
    /// Unique within the collection.
    pub id: String,
    /// What the feature stands for.
    pub kind: FeatureKind,
    /// Display name (usually Chinese).
    pub name: String,
    /// English name, when given.
    pub name_en: Option<String>,
    /// The id of the enclosing town or district, when given; it must name a feature of the same
    /// collection.
    pub parent: Option<String>,
    /// Required on roads, optional on key road sections, absent elsewhere.
    pub road_class: Option<RoadClass>,
    /// The geometry in `(lon, lat)` degrees.
    pub geometry: geo::Geometry<f64>,
    /// Every other property, unchanged.
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// One problem with one feature of a collection.
///
/// `index` is the feature's 0-based position in the collection's `features` array. Problems with
/// the document as a whole (not JSON, not a `FeatureCollection`) carry
/// [`FeatureError::DOCUMENT`] as their index and display as `document: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureError {
    /// The feature's 0-based index, or [`FeatureError::DOCUMENT`].
    pub index: usize,
    /// The feature's id when it could be read.
    pub id: Option<String>,
    /// What is wrong, in words.
    pub problem: String,
}

impl FeatureError {
    /// The index used for problems with the document as a whole.
    pub const DOCUMENT: usize = usize::MAX;

    pub(crate) fn new(index: usize, id: Option<&str>, problem: impl Into<String>) -> Self {
        Self {
            index,
            id: id.map(str::to_owned),
            problem: problem.into(),
        }
    }

    pub(crate) fn document(problem: impl Into<String>) -> Self {
        Self {
            index: Self::DOCUMENT,
            id: None,
            problem: problem.into(),
        }
    }
}

impl fmt::Display for FeatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.index == Self::DOCUMENT {
            return write!(f, "document: {}", self.problem);
        }
        match &self.id {
            Some(id) => write!(f, "feature {} (id {}): {}", self.index, id, self.problem),
            None => write!(f, "feature {}: {}", self.index, self.problem),
        }
    }
}

impl std::error::Error for FeatureError {}

#[cfg(test)]
mod tests;

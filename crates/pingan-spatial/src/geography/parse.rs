//! GeoJSON in and out, and the validation of every feature.
//!
//! The document is read with `serde_json` into plain values and each feature is examined on its
//! own, so that one broken feature never hides the problems of the others and every problem names
//! its feature. Geometries are checked in their raw form (positions as written), because the
//! conversion to `geo` types closes rings silently.

use std::collections::HashMap;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};

use super::rings::check_ring;
use super::{FeatureError, FeatureKind, GeoFeature, RoadClass};

/// Property names with a meaning of their own; every other property is kept as is.
const RECOGNISED: [&str; 6] = ["kind", "id", "name", "name_en", "parent", "road_class"];

/// Parses a GeoJSON `FeatureCollection` into validated features.
///
/// Returns every problem found, in feature order (document-level problems alone when the text is
/// not a collection at all). Never panics, whatever the input.
pub fn parse_feature_collection(text: &str) -> Result<Vec<GeoFeature>, Vec<FeatureError>> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| vec![FeatureError::document(format!("not valid JSON: {e}"))])?;
    let Some(obj) = doc.as_object() else {
        return Err(vec![FeatureError::document("not a JSON object")]);
    };
    if obj.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(vec![FeatureError::document(
            "not a GeoJSON FeatureCollection (type must be \"FeatureCollection\")",
        )]);
    }
    let Some(raw_features) = obj.get("features").and_then(Value::as_array) else {
        return Err(vec![FeatureError::document(
            "a FeatureCollection needs a \"features\" array",
        )]);
    };

    let mut errors = Vec::new();
    let mut ids: Vec<Option<String>> = Vec::with_capacity(raw_features.len());
    let mut parsed: Vec<Option<GeoFeature>> = Vec::with_capacity(raw_features.len());
    for (index, raw) in raw_features.iter().enumerate() {
        let (id, result) = parse_feature(index, raw);
        ids.push(id);
        match result {
            Ok(f) => parsed.push(Some(f)),
            Err(mut e) => {
                errors.append(&mut e);
                parsed.push(None);
            }
        }
    }
    let parents: Vec<Option<&str>> = parsed
        .iter()
        .map(|f| f.as_ref().and_then(|f| f.parent.as_deref()))
        .collect();
    errors.extend(collection_problems(&ids, &parents));
    if errors.is_empty() {
        Ok(parsed.into_iter().flatten().collect())
    } else {
        errors.sort_by_key(|e| e.index);
        Err(errors)
    }
}

/// Validates features built in code (or edited after parsing) with the same rules as
/// [`parse_feature_collection`], except ring closure, which `geo` polygons guarantee.
pub fn validate_features(features: &[GeoFeature]) -> Vec<FeatureError> {
    let mut errors = Vec::new();
    for (index, f) in features.iter().enumerate() {
        let id = Some(f.id.as_str());
        if f.id.trim().is_empty() {
            errors.push(FeatureError::new(index, None, "missing id"));
        }
        if f.name.trim().is_empty() {
            errors.push(FeatureError::new(index, id, "missing name"));
        }
        if f.kind == FeatureKind::Road && f.road_class.is_none() {
            errors.push(FeatureError::new(index, id, missing_road_class()));
        }
        for problem in check_geometry(f.kind, &RawGeom::from_geo(&f.geometry)) {
            errors.push(FeatureError::new(index, id, problem));
        }
    }
    let ids: Vec<Option<String>> = features.iter().map(|f| Some(f.id.clone())).collect();
    let parents: Vec<Option<&str>> = features.iter().map(|f| f.parent.as_deref()).collect();
    errors.extend(collection_problems(&ids, &parents));
    errors.sort_by_key(|e| e.index);
    errors
}

/// Writes features as a GeoJSON `FeatureCollection` that [`parse_feature_collection`] reads back
/// into the same features.
pub fn to_geojson(features: &[GeoFeature]) -> geojson::FeatureCollection {
    let features = features
        .iter()
        .map(|f| {
            let mut props = Map::new();
            props.insert("kind".into(), Value::from(f.kind.as_str()));
            props.insert("id".into(), Value::from(f.id.clone()));
            props.insert("name".into(), Value::from(f.name.clone()));
            if let Some(en) = &f.name_en {
                props.insert("name_en".into(), Value::from(en.clone()));
            }
            if let Some(parent) = &f.parent {
                props.insert("parent".into(), Value::from(parent.clone()));
            }
            if let Some(class) = f.road_class {
                props.insert("road_class".into(), Value::from(class.as_str()));
            }
            for (k, v) in &f.properties {
                props.entry(k.clone()).or_insert_with(|| v.clone());
            }
            geojson::Feature {
                bbox: None,
                geometry: Some(geojson::Geometry::new(geojson::Value::from(&f.geometry))),
                id: Some(geojson::feature::Id::String(f.id.clone())),
                properties: Some(props),
                foreign_members: None,
            }
        })
        .collect();
    geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}

/// Duplicate ids and parents that name no feature of the collection.
fn collection_problems(ids: &[Option<String>], parents: &[Option<&str>]) -> Vec<FeatureError> {
    let mut errors = Vec::new();
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        let Some(id) = id.as_deref() else { continue };
        if let Some(&earlier) = first.get(id) {
            errors.push(FeatureError::new(
                index,
                Some(id),
                format!("duplicate id (first used by feature {earlier})"),
            ));
        } else {
            first.insert(id, index);
        }
    }
    for (index, parent) in parents.iter().enumerate() {
        if let Some(parent) = parent {
            if !first.contains_key(parent) {
                let id = ids.get(index).and_then(|i| i.as_deref());
                errors.push(FeatureError::new(
                    index,
                    id,
                    format!("parent \"{parent}\" is not a feature of this collection"),
                ));
            }
        }
    }
    errors
}

fn missing_road_class() -> String {
    "missing road_class (expected arterial, county, village or other)".to_owned()
}

/// Reads one feature; returns its id (when readable) for the collection-level checks.
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
fn parse_feature(
    index: usize,
    raw: &Value,
) -> (Option<String>, Result<GeoFeature, Vec<FeatureError>>) {
    let Some(obj) = raw.as_object() else {
        return (
            None,
            Err(vec![FeatureError::new(index, None, "not a JSON object")]),
        );
    };
    let empty = Map::new();
    let (props, props_problem) = match obj.get("properties") {
        Some(Value::Object(p)) => (p, None),
        None | Some(Value::Null) => (&empty, None),
        Some(_) => (&empty, Some("properties must be an object")),
    };
    let id = read_id(props.get("id")).or_else(|| read_id(obj.get("id")));
    let idr = id.as_deref();
    let mut problems: Vec<String> = Vec::new();
    if obj.get("type").and_then(Value::as_str) != Some("Feature") {
        problems.push("not a GeoJSON Feature (type must be \"Feature\")".to_owned());
    }
    if let Some(p) = props_problem {
        problems.push(p.to_owned());
    }
    if id.is_none() {
        problems.push("missing id".to_owned());
    }
    let kind = match props.get("kind") {
        None | Some(Value::Null) => {
            problems.push("missing kind".to_owned());
            None
        }
        Some(Value::String(s)) => {
            let k = FeatureKind::parse(s);
            if k.is_none() {
                problems.push(format!(
                    "unknown kind \"{s}\" (expected district, town, subdistrict, grid, key_place, key_road or road)"
                ));
            }
            k
        }
        Some(other) => {
            problems.push(format!("unknown kind {other} (must be a string)"));
            None
        }
    };
    let name = match props.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => {
            problems.push("missing name".to_owned());
            None
        }
    };
    let name_en = optional_string(props, "name_en", &mut problems);
    let parent = optional_string(props, "parent", &mut problems);
    let linear = kind.is_some_and(FeatureKind::is_linear);
    let road_class = if linear {
        match props.get("road_class") {
            None | Some(Value::Null) => {
                if kind == Some(FeatureKind::Road) {
                    problems.push(missing_road_class());
                }
                None
            }
            Some(Value::String(s)) => {
                let c = RoadClass::parse(s);
                if c.is_none() {
                    problems.push(format!(
                        "unknown road_class \"{s}\" (expected arterial, county, village or other)"
                    ));
                }
                c
            }
            Some(other) => {
                problems.push(format!("unknown road_class {other} (must be a string)"));
                None
            }
        }
    } else {
        None
    };
    let geometry = match obj.get("geometry") {
        None | Some(Value::Null) => {
            problems.push("missing geometry".to_owned());
            None
        }
        Some(g) => match RawGeom::from_json(g) {
            Ok(raw) => {
                if let Some(kind) = kind {
                    let before = problems.len();
                    problems.extend(check_geometry(kind, &raw));
                    if problems.len() == before {
                        raw.into_geo()
                    } else {
                        None
                    }
                } else {
                    None
                }
            }
            Err(p) => {
                problems.push(p);
                None
            }
        },
    };
    let result = match (problems.is_empty(), kind, name, geometry) {
        (true, Some(kind), Some(name), Some(geometry)) => {
            let properties = props
                .iter()
                .filter(|(k, _)| {
                    !(RECOGNISED.contains(&k.as_str()) && (k.as_str() != "road_class" || linear))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Ok(GeoFeature {
                id: id.clone().unwrap_or_default(),
                kind,
                name,
                name_en,
                parent,
                road_class,
                geometry,
                properties,
            })
        }
        _ => {
            if problems.is_empty() {
                problems.push("invalid feature".to_owned());
            }
            Err(problems
                .into_iter()
                .map(|p| FeatureError::new(index, idr, p))
                .collect())
        }
    };
    (id, result)
}

fn read_id(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn optional_string(
    props: &Map<String, Value>,
    key: &str,
    problems: &mut Vec<String>,
) -> Option<String> {
    match props.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            problems.push(format!("{key} must be a string"));
            None
        }
    }
}

/// A geometry with its positions exactly as written.
#[derive(Debug, Clone, PartialEq)]
enum RawGeom {
    Point(Coord<f64>),
    LineString(Vec<Coord<f64>>),
    MultiLineString(Vec<Vec<Coord<f64>>>),
    Polygon(Vec<Vec<Coord<f64>>>),
    MultiPolygon(Vec<Vec<Vec<Coord<f64>>>>),
    /// A valid GeoJSON type that no kind accepts (MultiPoint, GeometryCollection, …).
    Other(String),
}

impl RawGeom {
    fn type_name(&self) -> &str {
        match self {
            RawGeom::Point(_) => "Point",
            RawGeom::LineString(_) => "LineString",
            RawGeom::MultiLineString(_) => "MultiLineString",
            RawGeom::Polygon(_) => "Polygon",
            RawGeom::MultiPolygon(_) => "MultiPolygon",
            RawGeom::Other(name) => name,
        }
    }

    fn from_json(v: &Value) -> Result<RawGeom, String> {
        let Some(obj) = v.as_object() else {
            return Err("geometry must be an object".to_owned());
        };
        let Some(t) = obj.get("type").and_then(Value::as_str) else {
            return Err("geometry has no type".to_owned());
        };
        let coords = || {
            obj.get("coordinates")
                .ok_or_else(|| format!("{t} geometry has no coordinates"))
        };
        let bad = |what: &str| format!("{t} coordinates must be {what}");
        match t {
            "Point" => position(coords()?)
                .map(RawGeom::Point)
                .ok_or_else(|| bad("a position")),
            "LineString" => positions(coords()?)
                .map(RawGeom::LineString)
                .ok_or_else(|| bad("an array of positions")),
            "MultiLineString" | "Polygon" => {
                let rings = coords()?
                    .as_array()
                    .and_then(|a| a.iter().map(positions).collect::<Option<Vec<_>>>())
                    .ok_or_else(|| bad("an array of arrays of positions"))?;
                Ok(if t == "Polygon" {
                    RawGeom::Polygon(rings)
                } else {
                    RawGeom::MultiLineString(rings)
                })
            }
            "MultiPolygon" => coords()?
                .as_array()
                .and_then(|polys| {
                    polys
                        .iter()
                        .map(|p| {
                            p.as_array()
                                .and_then(|r| r.iter().map(positions).collect::<Option<Vec<_>>>())
                        })
                        .collect::<Option<Vec<_>>>()
                })
                .map(RawGeom::MultiPolygon)
                .ok_or_else(|| bad("an array of polygons")),
            "MultiPoint" | "GeometryCollection" => Ok(RawGeom::Other(t.to_owned())),
            other => Err(format!("unknown geometry type \"{other}\"")),
        }
    }

    fn from_geo(g: &Geometry<f64>) -> RawGeom {
        let poly = |p: &Polygon<f64>| {
            std::iter::once(p.exterior().0.clone())
                .chain(p.interiors().iter().map(|r| r.0.clone()))
                .collect::<Vec<_>>()
        };
        match g {
            Geometry::Point(p) => RawGeom::Point(p.0),
            Geometry::LineString(l) => RawGeom::LineString(l.0.clone()),
            Geometry::MultiLineString(m) => {
                RawGeom::MultiLineString(m.0.iter().map(|l| l.0.clone()).collect())
            }
            Geometry::Polygon(p) => RawGeom::Polygon(poly(p)),
            Geometry::MultiPolygon(m) => RawGeom::MultiPolygon(m.0.iter().map(poly).collect()),
            Geometry::Line(_) => RawGeom::Other("Line".to_owned()),
            Geometry::MultiPoint(_) => RawGeom::Other("MultiPoint".to_owned()),
            Geometry::GeometryCollection(_) => RawGeom::Other("GeometryCollection".to_owned()),
            Geometry::Rect(_) => RawGeom::Other("Rect".to_owned()),
            Geometry::Triangle(_) => RawGeom::Other("Triangle".to_owned()),
        }
    }

    /// Converts a checked geometry; `None` for the types no kind accepts.
    fn into_geo(self) -> Option<Geometry<f64>> {
        fn poly(mut rings: Vec<Vec<Coord<f64>>>) -> Polygon<f64> {
            let interiors = rings.split_off(1.min(rings.len()));
            let exterior = rings.pop().unwrap_or_default();
            Polygon::new(
                LineString(exterior),
                interiors.into_iter().map(LineString).collect(),
            )
        }
        Some(match self {
            RawGeom::Point(c) => Geometry::Point(Point(c)),
            RawGeom::LineString(l) => Geometry::LineString(LineString(l)),
            RawGeom::MultiLineString(m) => {
                Geometry::MultiLineString(MultiLineString(m.into_iter().map(LineString).collect()))
            }
            RawGeom::Polygon(p) => Geometry::Polygon(poly(p)),
            RawGeom::MultiPolygon(m) => {
                Geometry::MultiPolygon(MultiPolygon(m.into_iter().map(poly).collect()))
            }
            RawGeom::Other(_) => return None,
        })
    }
}

fn position(v: &Value) -> Option<Coord<f64>> {
    let a = v.as_array()?;
    if a.len() < 2 {
        return None;
    }
    // A third number (altitude) is allowed by GeoJSON and dropped.
    let x = a[0].as_f64()?;
    let y = a[1].as_f64()?;
    a[2..]
        .iter()
        .all(Value::is_number)
        .then_some(Coord { x, y })
}

fn positions(v: &Value) -> Option<Vec<Coord<f64>>> {
    v.as_array()?.iter().map(position).collect()
}

fn in_range(c: &Coord<f64>) -> bool {
    c.x.is_finite()
        && c.y.is_finite()
        && (-180.0..=180.0).contains(&c.x)
        && (-90.0..=90.0).contains(&c.y)
}

fn out_of_range(coords: &[Coord<f64>], place: &str) -> Option<String> {
    coords.iter().position(|c| !in_range(c)).map(|i| {
        let c = coords[i];
        format!("coordinates out of range {place} at position {i}: lon {}, lat {} (lon must be within -180..180, lat within -90..90)", c.x, c.y)
    })
}

/// Every problem of a geometry for a kind: its type, its coordinates, its rings or lines.
fn check_geometry(kind: FeatureKind, g: &RawGeom) -> Vec<String> {
    let mut problems = Vec::new();
    let allowed: &[&str] = match kind {
        FeatureKind::District
        | FeatureKind::Town
        | FeatureKind::Subdistrict
        | FeatureKind::Grid => &["Polygon", "MultiPolygon"],
        FeatureKind::KeyPlace => &["Polygon", "MultiPolygon", "Point"],
        FeatureKind::KeyRoad | FeatureKind::Road => &["LineString", "MultiLineString"],
    };
    if !allowed.contains(&g.type_name()) {
        problems.push(format!(
            "wrong geometry type {} for kind {kind} (expected {})",
            g.type_name(),
            allowed.join(" or ")
        ));
        return problems;
    }
    let line_word = if kind == FeatureKind::Road {
        "road"
    } else {
        "key road section"
    };
    let check_polygon = |pi: usize, rings: &[Vec<Coord<f64>>], problems: &mut Vec<String>| {
        if rings.is_empty() {
            problems.push(format!("polygon {pi} has no rings"));
        }
        for (ri, ring) in rings.iter().enumerate() {
            let place = if ri == 0 {
                format!("in polygon {pi}")
            } else {
                format!("in polygon {pi} (hole {ri})")
            };
            if let Some(p) = out_of_range(ring, &place) {
                problems.push(p);
                continue;
            }
            if let Some(p) = check_ring(ring) {
                problems.push(p.describe(&place));
            }
        }
    };
    let check_line = |li: usize, line: &[Coord<f64>], problems: &mut Vec<String>| {
        let place = format!("in line {li}");
        if let Some(p) = out_of_range(line, &place) {
            problems.push(p);
        } else if line.len() < 2 {
            problems.push(format!("{line_word} with fewer than 2 positions {place}"));
        } else if line.iter().all(|c| *c == line[0]) {
            problems.push(format!("{line_word} of zero length {place}"));
        }
    };
    match g {
        RawGeom::Point(c) => {
            if let Some(p) = out_of_range(std::slice::from_ref(c), "in point") {
                problems.push(p);
            }
        }
        RawGeom::LineString(l) => check_line(0, l, &mut problems),
        RawGeom::MultiLineString(m) => {
            if m.is_empty() {
                problems.push("empty MultiLineString".to_owned());
            }
            for (i, l) in m.iter().enumerate() {
                check_line(i, l, &mut problems);
            }
        }
        RawGeom::Polygon(rings) => check_polygon(0, rings, &mut problems),
        RawGeom::MultiPolygon(polys) => {
            if polys.is_empty() {
                problems.push("empty MultiPolygon".to_owned());
            }
            for (i, rings) in polys.iter().enumerate() {
                check_polygon(i, rings, &mut problems);
            }
        }
        RawGeom::Other(_) => {}
    }
    problems
}

//! Tests of parsing, validation and location.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
}

fn feature(props: Value, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": props, "geometry": geometry})
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// A 0.1° square district split into a west and an east town at lon 120.05, two grids in the west
/// town, a key place, a horizontal arterial road at lat 30.05 and a vertical village road at lon
/// 120.03.
fn fixture() -> Vec<Value> {
    vec![
        feature(
            json!({"kind": "district", "id": "d", "name": "平安区", "name_en": "Ping'an"}),
            square(120.0, 30.0, 120.1, 30.1),
        ),
        feature(
            json!({"kind": "town", "id": "t-w", "name": "西镇", "parent": "d"}),
            square(120.0, 30.0, 120.05, 30.1),
        ),
        feature(
            json!({"kind": "subdistrict", "id": "t-e", "name": "东街道", "parent": "d"}),
            square(120.05, 30.0, 120.1, 30.1),
        ),
        feature(
            json!({"kind": "grid", "id": "g-1", "name": "网格一", "parent": "t-w"}),
            square(120.0, 30.0, 120.025, 30.1),
        ),
        feature(
            json!({"kind": "grid", "id": "g-2", "name": "网格二", "parent": "t-w"}),
            square(120.025, 30.0, 120.05, 30.1),
        ),
        feature(
            json!({"kind": "key_place", "id": "kp-1", "name": "火车站", "parent": "t-e", "hours": "24h"}),
            json!({"type": "Point", "coordinates": [120.07, 30.07]}),
        ),
        feature(
            json!({"kind": "road", "id": "r-1", "name": "人民路", "road_class": "arterial"}),
            json!({"type": "LineString", "coordinates": [[120.0, 30.05], [120.1, 30.05]]}),
        ),
        feature(
            json!({"kind": "road", "id": "r-2", "name": "村道", "road_class": "village"}),
            json!({"type": "MultiLineString", "coordinates": [[[120.03, 30.0], [120.03, 30.05]], [[120.03, 30.05], [120.03, 30.1]]]}),
        ),
        feature(
            json!({"kind": "key_road", "id": "kr-1", "name": "人民路段"}),
            json!({"type": "LineString", "coordinates": [[120.06, 30.05], [120.08, 30.05]]}),
        ),
    ]
}

fn geography() -> Geography {
    Geography::build(parse_feature_collection(&collection(fixture())).expect("fixture is valid"))
}

/// Parses a collection that must fail and returns its problems as displayed.
fn problems(features: Vec<Value>) -> Vec<String> {
    parse_feature_collection(&collection(features))
        .expect_err("collection must be rejected")
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn one_problem(props: Value, geometry: Value) -> String {
    let mut p = problems(vec![feature(props, geometry)]);
    assert_eq!(p.len(), 1, "{p:?}");
    p.remove(0)
}

fn town(id: &str) -> Value {
    json!({"kind": "town", "id": id, "name": "镇"})
}

#[test]
fn valid_fixture_parses() {
    let features = parse_feature_collection(&collection(fixture())).expect("valid");
    assert_eq!(features.len(), 9);
    let d = &features[0];
    assert_eq!(
        (d.kind, d.id.as_str(), d.name_en.as_deref()),
        (FeatureKind::District, "d", Some("Ping'an"))
    );
    assert_eq!(features[6].road_class, Some(RoadClass::Arterial));
    assert_eq!(
        features[8].road_class, None,
        "road_class is optional on key roads"
    );
    assert_eq!(features[5].properties.get("hours"), Some(&json!("24h")));
    assert!(!features[5].properties.contains_key("kind"));
}

#[test]
fn export_round_trips() {
    let features = parse_feature_collection(&collection(fixture())).expect("valid");
    let text = geojson::GeoJson::FeatureCollection(to_geojson(&features)).to_string();
    let again = parse_feature_collection(&text).expect("export parses");
    assert_eq!(features, again);
}

#[test]
fn serde_names_are_snake_case() {
    assert_eq!(
        serde_json::to_value(FeatureKind::KeyPlace).ok(),
        Some(json!("key_place"))
    );
    assert_eq!(
        serde_json::to_value(RoadClass::Arterial).ok(),
        Some(json!("arterial"))
    );
    for k in FeatureKind::ALL {
        assert_eq!(serde_json::to_value(k).ok(), Some(json!(k.as_str())));
    }
}

#[test]
fn id_may_come_from_the_feature() {
    let f = json!({"type": "Feature", "id": 17, "properties": {"kind": "town", "name": "镇"}, "geometry": square(0., 0., 1., 1.)});
    let parsed = parse_feature_collection(&collection(vec![f])).expect("valid");
    assert_eq!(parsed[0].id, "17");
}

#[test]
fn kind_problems() {
    let p = one_problem(json!({"id": "a", "name": "x"}), square(0., 0., 1., 1.));
    assert_eq!(p, "feature 0 (id a): missing kind");
    let p = one_problem(
        json!({"kind": "village", "id": "a", "name": "x"}),
        square(0., 0., 1., 1.),
    );
    assert!(
        p.starts_with("feature 0 (id a): unknown kind \"village\""),
        "{p}"
    );
}

#[test]
fn id_and_name_problems() {
    let p = one_problem(json!({"kind": "town", "name": "x"}), square(0., 0., 1., 1.));
    assert_eq!(p, "feature 0: missing id");
    let p = one_problem(
        json!({"kind": "town", "id": "a", "name": " "}),
        square(0., 0., 1., 1.),
    );
    assert_eq!(p, "feature 0 (id a): missing name");
}

#[test]
fn duplicate_ids_name_both_features() {
    let p = problems(vec![
        feature(town("a"), square(0., 0., 1., 1.)),
        feature(town("b"), square(1., 0., 2., 1.)),
        feature(town("a"), square(2., 0., 3., 1.)),
    ]);
    assert_eq!(
        p,
        vec!["feature 2 (id a): duplicate id (first used by feature 0)"]
    );
}

#[test]
fn unknown_parent() {
    let p = one_problem(
        json!({"kind": "grid", "id": "g", "name": "x", "parent": "nowhere"}),
        square(0., 0., 1., 1.),
    );
    assert!(p.contains("parent \"nowhere\""), "{p}");
}

#[test]
fn wrong_geometry_types() {
    let line = json!({"type": "LineString", "coordinates": [[0, 0], [1, 1]]});
    let p = one_problem(town("a"), line.clone());
    assert!(
        p.contains("wrong geometry type LineString for kind town"),
        "{p}"
    );
    let p = one_problem(
        json!({"kind": "road", "id": "r", "name": "x", "road_class": "other"}),
        square(0., 0., 1., 1.),
    );
    assert!(
        p.contains("wrong geometry type Polygon for kind road"),
        "{p}"
    );
    let p = one_problem(town("a"), json!({"type": "Point", "coordinates": [0, 0]}));
    assert!(p.contains("wrong geometry type Point for kind town"), "{p}");
    let p = one_problem(
        town("a"),
        json!({"type": "MultiPoint", "coordinates": [[0, 0]]}),
    );
    assert!(p.contains("wrong geometry type MultiPoint"), "{p}");
    let p = one_problem(town("a"), json!({"type": "Blob", "coordinates": [0, 0]}));
    assert!(p.contains("unknown geometry type \"Blob\""), "{p}");
    let p = one_problem(town("a"), Value::Null);
    assert!(p.contains("missing geometry"), "{p}");
    let p = one_problem(
        town("a"),
        json!({"type": "Polygon", "coordinates": [[[0, 0], [1], [1, 1], [0, 0]]]}),
    );
    assert!(p.contains("Polygon coordinates must be"), "{p}");
}

#[test]
fn coordinates_out_of_range() {
    let p = one_problem(town("a"), square(179.5, 0., 181., 1.));
    assert!(
        p.starts_with(
            "feature 0 (id a): coordinates out of range in polygon 0 at position 1: lon 181"
        ),
        "{p}"
    );
    let p = one_problem(
        json!({"kind": "key_place", "id": "k", "name": "x"}),
        json!({"type": "Point", "coordinates": [10, -91]}),
    );
    assert!(p.contains("coordinates out of range in point"), "{p}");
    let p = one_problem(
        json!({"kind": "road", "id": "r", "name": "x", "road_class": "county"}),
        json!({"type": "LineString", "coordinates": [[0, 0], [-180.5, 1]]}),
    );
    assert!(
        p.contains("coordinates out of range in line 0 at position 1"),
        "{p}"
    );
}

#[test]
fn nan_coordinates_are_caught_in_code_built_features() {
    let mut f = parse_feature_collection(&collection(fixture())).expect("valid");
    f[0].geometry = geo::Geometry::Point(geo::Point::new(f64::NAN, 0.0));
    f[0].kind = FeatureKind::KeyPlace;
    let e = validate_features(&f);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].problem.contains("coordinates out of range in point"),
        "{e:?}"
    );
    assert!(
        validate_features(&parse_feature_collection(&collection(fixture())).expect("valid"))
            .is_empty()
    );
}

#[test]
fn ring_problems() {
    let unclosed = json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]});
    assert!(one_problem(town("g-017"), unclosed)
        .starts_with("feature 0 (id g-017): unclosed ring in polygon 0"));
    let short = json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]});
    assert!(one_problem(town("a"), short).contains("ring with fewer than 4 positions in polygon 0"));
    let bow_tie =
        json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]});
    assert!(one_problem(town("a"), bow_tie).contains("self-intersecting ring in polygon 0"));
    let hole_unclosed = json!({"type": "MultiPolygon", "coordinates": [
        [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
        [[[2, 0], [5, 0], [5, 3], [2, 3], [2, 0]], [[3, 1], [4, 1], [4, 2], [3, 2]]]
    ]});
    assert!(one_problem(town("a"), hole_unclosed).contains("unclosed ring in polygon 1 (hole 1)"));
}

#[test]
fn road_problems() {
    let p = one_problem(
        json!({"kind": "road", "id": "r", "name": "x", "road_class": "arterial"}),
        json!({"type": "LineString", "coordinates": [[0, 0]]}),
    );
    assert!(
        p.contains("road with fewer than 2 positions in line 0"),
        "{p}"
    );
    let line = json!({"type": "LineString", "coordinates": [[0, 0], [1, 1]]});
    let p = one_problem(
        json!({"kind": "road", "id": "r", "name": "x"}),
        line.clone(),
    );
    assert!(p.contains("missing road_class"), "{p}");
    let p = one_problem(
        json!({"kind": "road", "id": "r", "name": "x", "road_class": "highway"}),
        line.clone(),
    );
    assert!(p.contains("unknown road_class \"highway\""), "{p}");
    let p = one_problem(
        json!({"kind": "key_road", "id": "r", "name": "x", "road_class": "highway"}),
        line,
    );
    assert!(p.contains("unknown road_class"), "{p}");
}

#[test]
fn every_problem_is_reported_in_order() {
    let mut f = fixture();
    f.insert(
        2,
        feature(json!({"kind": "nope", "name": "x"}), square(0., 0., 1., 1.)),
    );
    f.push(feature(
        json!({"kind": "road", "id": "r-9", "name": "x"}),
        json!({"type": "LineString", "coordinates": [[0, 0]]}),
    ));
    let errors = parse_feature_collection(&collection(f)).expect_err("invalid");
    let summary: Vec<(usize, Option<&str>)> =
        errors.iter().map(|e| (e.index, e.id.as_deref())).collect();
    assert_eq!(
        summary,
        vec![(2, None), (2, None), (10, Some("r-9")), (10, Some("r-9"))],
        "{errors:?}"
    );
}

#[test]
fn document_problems() {
    for text in [
        "",
        "{",
        "[]",
        "{\"type\": \"Feature\"}",
        "{\"type\": \"FeatureCollection\"}",
    ] {
        let e = parse_feature_collection(text).expect_err("not a collection");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].index, FeatureError::DOCUMENT);
        assert!(e[0].to_string().starts_with("document: "), "{}", e[0]);
    }
    let e = parse_feature_collection(&collection(vec![json!(3)])).expect_err("bad feature");
    assert_eq!(e[0].to_string(), "feature 0: not a JSON object");
}

#[test]
fn geography_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Geography>();
}

#[test]
fn locate_inside() {
    let g = geography();
    let loc = g.locate(120.01, 30.02);
    assert_eq!(loc.town, Some(("t-w".to_owned(), "西镇".to_owned())));
    assert_eq!(loc.grid, Some(("g-1".to_owned(), "网格一".to_owned())));
    let road = loc.nearest_road.expect("a road");
    assert_eq!(road.id, "r-2");
    // 0.02° of longitude at latitude 30.05 is about 1,926 m.
    assert!(
        (road.distance_m - 1926.0).abs() < 10.0,
        "{}",
        road.distance_m
    );
    assert!(g.contains_point(120.01, 30.02));

    let east = g.locate(120.08, 30.06);
    assert_eq!(east.town.map(|t| t.0), Some("t-e".to_owned()));
    assert_eq!(east.grid, None);
    let road = east.nearest_road.expect("a road");
    assert!(road.id == "r-1" || road.id == "kr-1", "{road:?}");
    // 0.01° of latitude is about 1,112 m.
    assert!(
        (road.distance_m - 1112.0).abs() < 5.0,
        "{}",
        road.distance_m
    );
}

#[test]
fn locate_outside() {
    let g = geography();
    let loc = g.locate(121.0, 31.0);
    assert_eq!((loc.town, loc.grid), (None, None));
    assert!(
        loc.nearest_road.is_some(),
        "the nearest road is reported however far"
    );
    assert!(!g.contains_point(121.0, 31.0));
    assert!(!g.contains_point(f64::NAN, 30.0));
    assert_eq!(g.locate(f64::NAN, 30.0), Location::default());
}

#[test]
fn locate_on_boundaries() {
    let g = geography();
    // On the shared edge of the two towns: the smaller id wins, deterministically.
    assert_eq!(
        g.locate(120.05, 30.02).town.map(|t| t.0),
        Some("t-e".to_owned())
    );
    // On the district's outer edge: inside, boundary included.
    assert!(g.contains_point(120.0, 30.02));
    assert_eq!(
        g.locate(120.0, 30.02).town.map(|t| t.0),
        Some("t-w".to_owned())
    );
    // On a road: distance zero.
    let hit = g.locate(120.03, 30.07).nearest_road.expect("a road");
    assert_eq!((hit.id.as_str(), hit.distance_m), ("r-2", 0.0));
}

#[test]
fn contains_point_falls_back_to_towns() {
    let features: Vec<GeoFeature> = parse_feature_collection(&collection(fixture()))
        .expect("valid")
        .into_iter()
        .filter(|f| f.kind != FeatureKind::District)
        .collect();
    let g = Geography::build(features);
    assert!(g.contains_point(120.07, 30.02));
    assert!(!g.contains_point(120.2, 30.02));
}

#[test]
fn feature_access() {
    let g = geography();
    assert_eq!(g.feature_count(), 9);
    assert_eq!(
        g.features(FeatureKind::Road)
            .map(|f| f.id.as_str())
            .collect::<Vec<_>>(),
        vec!["r-1", "r-2"]
    );
    assert_eq!(g.features(FeatureKind::Grid).count(), 2);
    assert_eq!(
        g.feature("kp-1").map(|f| f.kind),
        Some(FeatureKind::KeyPlace)
    );
    assert_eq!(g.key_places_at(120.07, 30.07).len(), 1);
    let empty = Geography::build(Vec::new());
    assert_eq!(empty.locate(0.0, 0.0), Location::default());
    assert!(!empty.contains_point(0.0, 0.0));
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-200.0f64..200.0).prop_map(Value::from),
        prop_oneof![
            Just("Feature"),
            Just("FeatureCollection"),
            Just("Polygon"),
            Just("LineString"),
            Just("MultiPolygon"),
            Just("Point"),
            Just("road"),
            Just("town"),
            Just("key_place"),
            Just("arterial"),
            Just("x"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("type"),
                        Just("features"),
                        Just("properties"),
                        Just("geometry"),
                        Just("coordinates"),
                        Just("kind"),
                        Just("id"),
                        Just("name"),
                        Just("road_class"),
                        Just("parent")
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

proptest! {
    #[test]
    fn parser_never_panics_on_strings(text in ".{0,400}") {
        let _ = parse_feature_collection(&text);
    }

    #[test]
    fn parser_never_panics_on_json_shaped_input(features in prop::collection::vec(arb_json(), 0..5)) {
        let text = json!({"type": "FeatureCollection", "features": features}).to_string();
        if let Ok(parsed) = parse_feature_collection(&text) {
            // Whatever parses must also survive indexing, location and export.
            let text = geojson::GeoJson::FeatureCollection(to_geojson(&parsed)).to_string();
            prop_assert_eq!(parse_feature_collection(&text).ok(), Some(parsed.clone()));
            let g = Geography::build(parsed);
            let _ = g.locate(0.0, 0.0);
        }
    }
}

/// Valid collections: rectangles as towns and grids, two-point roads, with random extra properties.
fn arb_valid_collection() -> impl Strategy<Value = Vec<Value>> {
    let rect = (
        -179.0f64..179.0,
        -89.0f64..89.0,
        0.001f64..0.9,
        0.001f64..0.9,
    );
    let item = (
        0usize..3,
        rect,
        any::<u8>(),
        prop::option::of("[a-z ]{0,8}"),
    );
    prop::collection::vec(item, 0..12).prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(|(i, (k, (x, y, w, h), n, extra))| {
                let mut props = match k {
                    0 => json!({"kind": "town", "id": format!("t{i}"), "name": format!("镇{n}")}),
                    1 => json!({"kind": "grid", "id": format!("g{i}"), "name": format!("格{n}"), "name_en": "grid"}),
                    _ => json!({"kind": "road", "id": format!("r{i}"), "name": "路", "road_class": RoadClass::ALL[usize::from(n) % 4].as_str()}),
                };
                if let (Some(extra), Some(obj)) = (extra, props.as_object_mut()) {
                    obj.insert("note".to_owned(), json!(extra));
                }
                let geometry = if k == 2 {
                    json!({"type": "LineString", "coordinates": [[x, y], [x + w, y + h]]})
                } else {
                    square(x, y, x + w, y + h)
                };
                feature(props, geometry)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn valid_collections_parse_round_trip_and_locate(features in arb_valid_collection(), px in 0.0f64..1.0, py in 0.0f64..1.0) {
        let parsed = parse_feature_collection(&collection(features.clone()));
        prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
        let parsed = parsed.unwrap_or_default();
        prop_assert_eq!(parsed.len(), features.len());
        let text = geojson::GeoJson::FeatureCollection(to_geojson(&parsed)).to_string();
        prop_assert_eq!(parse_feature_collection(&text).ok(), Some(parsed.clone()));
        let g = Geography::build(parsed.clone());
        // A point inside the first town (if any) is located in some town.
        if let Some(t) = parsed.iter().find(|f| f.kind == FeatureKind::Town) {
            if let geo::Geometry::Polygon(p) = &t.geometry {
                let r = geo::BoundingRect::bounding_rect(p).expect("a rectangle");
                let (lon, lat) = (r.min().x + px * r.width(), r.min().y + py * r.height());
                prop_assert!(g.locate(lon, lat).town.is_some());
                prop_assert!(g.contains_point(lon, lat));
            }
        }
    }
}

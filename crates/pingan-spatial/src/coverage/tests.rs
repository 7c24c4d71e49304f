//! Tests of coverage figures, gaps and site suggestions.

use geo::{Geometry, LineString, Point, Polygon};

use super::*;
use crate::cameras::Camera;
use crate::geography::{GeoFeature, RoadClass};

/// `(lon, lat)` of the point `east` and `north` metres from (120, 30).
fn at(east: f64, north: f64) -> (f64, f64) {
    LocalProjection::new(120.0, 30.0).unproject([east, north])
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Geometry<f64> {
    let c = [at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)];
    Geometry::Polygon(Polygon::new(LineString::from(c.to_vec()), vec![]))
}

fn feature(id: &str, kind: FeatureKind, geometry: Geometry<f64>) -> GeoFeature {
    GeoFeature {
        id: id.to_owned(),
        kind,
        name: format!("{id} name"),
        name_en: None,
        parent: None,
        road_class: kind.is_linear().then_some(RoadClass::Arterial),
        geometry,
        properties: Default::default(),
    }
}

/// A town around a 1,000 m key road along y = 0, a 100 m square key place at y 200..300, and a
/// key place point outside the town at (500, 800).
fn geography() -> Geography {
    let mut place = feature(
        "kp-area",
        FeatureKind::KeyPlace,
        rect(0.0, 200.0, 100.0, 300.0),
    );
    place.parent = Some("t".to_owned());
    Geography::build(vec![
        feature("t", FeatureKind::Town, rect(-100.0, -100.0, 1100.0, 400.0)),
        feature(
            "kr",
            FeatureKind::KeyRoad,
            Geometry::LineString(LineString::from(vec![at(0.0, 0.0), at(1000.0, 0.0)])),
        ),
        place,
        feature(
            "kp-point",
            FeatureKind::KeyPlace,
            Geometry::Point(Point::from(at(500.0, 800.0))),
        ),
    ])
}

fn camera(
    key: &str,
    east: f64,
    north: f64,
    heading: f64,
    fov: f64,
    range: f64,
    ptz: bool,
) -> Camera<String> {
    let (lon, lat) = at(east, north);
    Camera {
        key: key.to_owned(),
        lon,
        lat,
        heading_deg: heading,
        fov_deg: fov,
        range_m: range,
        ptz,
    }
}

fn cameras() -> CameraIndex<String> {
    CameraIndex::build(vec![
        camera("road-start", 0.0, 0.0, 0.0, 0.0, 100.0, true),
        camera("half-place", 50.0, 250.0, 90.0, 180.0, 200.0, false),
    ])
    .expect("valid")
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn district_and_town_figures() {
    let c = analyse(&geography(), &cameras(), &CoverageOptions::default());
    let d = c.district();
    assert!(close(d.key_road_m, 1000.0, 1.0), "{d:?}");
    assert!(close(d.key_road_covered_m, 100.0, 10.0), "{d:?}");
    assert!(close(d.key_road_share.expect("roads"), 0.1, 0.01));
    assert!(close(d.key_place_area_m2, 10_000.0, 20.0), "{d:?}");
    assert!(
        close(d.key_place_share.expect("places"), 0.5, 0.03),
        "{d:?}"
    );
    assert_eq!((d.key_place_points, d.key_place_points_covered), (1, 0));
    assert_eq!(d.road_share, None);

    let towns = c.towns();
    assert_eq!(towns.len(), 2, "{towns:?}");
    assert_eq!(towns[0].town_id.as_deref(), Some("t"));
    assert!(close(towns[0].figures.key_road_covered_m, 100.0, 10.0));
    assert_eq!(towns[0].figures.key_place_points, 0);
    assert_eq!(towns[1].town_id, None, "the point outside every town");
    assert_eq!(towns[1].figures.key_place_points, 1);

    let road = c
        .features()
        .iter()
        .find(|f| f.id == "kr")
        .expect("key road");
    assert_eq!(
        (road.measure, road.town.as_deref()),
        (Measure::Length, Some("t"))
    );
}

#[test]
fn whole_network_on_request() {
    let mut features: Vec<GeoFeature> = geography().all_features().to_vec();
    features.push(feature(
        "r",
        FeatureKind::Road,
        Geometry::LineString(LineString::from(vec![at(0.0, -50.0), at(0.0, 50.0)])),
    ));
    let opts = CoverageOptions {
        include_road_network: true,
        ..CoverageOptions::default()
    };
    let c = analyse(&Geography::build(features), &cameras(), &opts);
    assert!(close(
        c.district().road_share.expect("asked for"),
        1.0,
        1e-9
    ));
}

#[test]
fn uncovered_stretches_longer_than() {
    let c = analyse(&geography(), &cameras(), &CoverageOptions::default());
    let gaps = c.uncovered_stretches(500.0);
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].feature_id, "kr");
    assert!(close(gaps[0].length_m, 900.0, 10.0), "{}", gaps[0].length_m);
    let (end_lon, _) = at(1000.0, 0.0);
    assert!(gaps[0]
        .line
        .0
        .last()
        .is_some_and(|c| close(c.x, end_lon, 1e-9)));
    assert!(c.uncovered_stretches(950.0).is_empty());
}

#[test]
fn fully_covered_and_uncovered_extremes() {
    let none = CameraIndex::<String>::build(Vec::new()).expect("empty");
    let c = analyse(&geography(), &none, &CoverageOptions::default());
    assert_eq!(c.district().key_road_share, Some(0.0));
    assert_eq!(c.district().key_place_share, Some(0.0));
    let all = CameraIndex::build(vec![camera("big", 500.0, 300.0, 0.0, 0.0, 5000.0, true)])
        .expect("valid");
    let c = analyse(&geography(), &all, &CoverageOptions::default());
    assert_eq!(c.district().key_road_share, Some(1.0));
    assert!(close(
        c.district().key_place_share.expect("places"),
        1.0,
        1e-9
    ));
    assert!(c.uncovered_stretches(0.0).is_empty());
    assert!(
        c.suggest_sites(3, &SiteModel::default()).is_empty(),
        "nothing left to cover"
    );
}

#[test]
fn greedy_sites_are_explained_and_decreasing() {
    let c = analyse(&geography(), &cameras(), &CoverageOptions::default());
    let sites = c.suggest_sites(3, &SiteModel::default());
    assert_eq!(sites.len(), 3);
    // The lone key place point is a whole target: covering it is worth the most.
    assert_eq!(sites[0].features, vec!["kp-point"]);
    assert_eq!(sites[0].key_place_points, 1);
    assert!(close(sites[0].gain, 1.0, 1e-9));
    // Then the uncovered half of the square (about 0.45 of the key place area).
    assert_eq!(sites[1].features, vec!["kp-area"]);
    assert!(sites[1].key_place_m2 > 3000.0, "{:?}", sites[1]);
    // Then 100 m of road (0.1 of the key road length).
    assert_eq!(sites[2].features, vec!["kr"]);
    assert!(close(sites[2].key_road_m, 100.0, 10.0), "{:?}", sites[2]);
    assert!(sites.windows(2).all(|w| w[0].gain >= w[1].gain));
    assert!(
        sites[2].explanation.contains("m of key road"),
        "{}",
        sites[2].explanation
    );
    assert_eq!(
        sites.iter().map(|s| s.rank).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}

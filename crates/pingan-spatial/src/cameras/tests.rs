//! Tests of camera views and the camera index.

use geo::{Area, Contains};
use proptest::prelude::*;

use super::*;

fn cam(key: &str, lon: f64, lat: f64, heading: f64, fov: f64, range: f64) -> Camera<String> {
    Camera {
        key: key.to_owned(),
        lon,
        lat,
        heading_deg: heading,
        fov_deg: fov,
        range_m: range,
        ptz: false,
    }
}

/// The point `east` and `north` metres from (120, 30).
fn offset(east: f64, north: f64) -> (f64, f64) {
    LocalProjection::new(120.0, 30.0).unproject([east, north])
}

#[test]
fn validation_names_each_problem() {
    assert!(cam("a", 120.0, 30.0, 0.0, 90.0, 50.0).problems().is_empty());
    assert!(cam("a", 120.0, 30.0, 360.0, 359.0, 50.0)
        .problems()
        .is_empty());
    assert_eq!(
        cam("a", 120.0, 30.0, 361.0, 90.0, 50.0).problems(),
        vec![CameraProblem::Heading(361.0)]
    );
    assert_eq!(
        cam("a", 120.0, 30.0, -1.0, 90.0, 50.0).problems(),
        vec![CameraProblem::Heading(-1.0)]
    );
    assert_eq!(
        cam("a", 120.0, 30.0, 0.0, 0.0, 50.0).problems(),
        vec![CameraProblem::FieldOfView(0.0)]
    );
    assert_eq!(
        cam("a", 120.0, 30.0, 0.0, 360.0, 50.0).problems(),
        vec![CameraProblem::FieldOfView(360.0)]
    );
    assert_eq!(
        cam("a", 120.0, 30.0, 0.0, 90.0, 0.0).problems(),
        vec![CameraProblem::Range(0.0)]
    );
    assert_eq!(
        cam("a", 120.0, 30.0, 0.0, 90.0, f64::NAN).problems().len(),
        1
    );
    assert_eq!(
        cam("a", 190.0, 30.0, 0.0, 90.0, 5.0).problems(),
        vec![CameraProblem::Position {
            lon: 190.0,
            lat: 30.0
        }]
    );
    let mut ptz = cam("a", 120.0, 30.0, 0.0, 0.0, 50.0);
    ptz.ptz = true;
    assert!(
        ptz.problems().is_empty(),
        "a PTZ camera's field of view is not used"
    );
    let bad = vec![
        cam("ok", 120.0, 30.0, 0.0, 90.0, 5.0),
        cam("bad", 120.0, 30.0, 0.0, 90.0, -5.0),
    ];
    let errors = CameraIndex::build(bad.clone()).expect_err("one is invalid");
    assert_eq!(
        errors[0].to_string(),
        "camera 1: range -5 m must be greater than 0"
    );
    let (index, errors) = CameraIndex::build_lenient(bad);
    assert_eq!((index.len(), errors.len()), (1, 1));
}

#[test]
fn sector_contains_what_it_faces() {
    let c = cam("east", 120.0, 30.0, 90.0, 60.0, 100.0);
    let (lon, lat) = offset(50.0, 0.0);
    let d = c.sees(lon, lat).expect("straight ahead");
    assert!((d - 50.0).abs() < 1e-6);
    assert_eq!(
        c.sees(offset(0.0, 50.0).0, offset(0.0, 50.0).1),
        None,
        "to the side"
    );
    assert_eq!(
        c.sees(offset(150.0, 0.0).0, offset(150.0, 0.0).1),
        None,
        "beyond range"
    );
    let inside = offset(
        80.0 * 61f64.to_radians().sin(),
        80.0 * 61f64.to_radians().cos(),
    );
    assert!(c.sees(inside.0, inside.1).is_some(), "29° off the axis");
    let outside = offset(
        80.0 * 59f64.to_radians().sin(),
        80.0 * 59f64.to_radians().cos(),
    );
    assert!(c.sees(outside.0, outside.1).is_none(), "31° off the axis");
    assert_eq!(c.sees(120.0, 30.0), Some(0.0), "the camera's own position");
    // A view across north (heading 350, fov 40) wraps around 0°.
    let n = cam("north", 120.0, 30.0, 350.0, 40.0, 100.0);
    let p = offset(
        80.0 * 5f64.to_radians().sin(),
        80.0 * 5f64.to_radians().cos(),
    );
    assert!(n.sees(p.0, p.1).is_some());
}

#[test]
fn view_polygons_have_the_sector_area() {
    let p = LocalProjection::new(120.0, 30.0);
    let area_m2 = |poly: &Polygon<f64>| {
        let projected: Polygon<f64> = geo::MapCoords::map_coords(poly, |c| {
            let [x, y] = p.project(c.x, c.y);
            Coord { x, y }
        });
        projected.unsigned_area()
    };
    let c = cam("a", 120.0, 30.0, 45.0, 90.0, 100.0);
    let expected = std::f64::consts::PI * 100.0 * 100.0 / 4.0;
    assert!((area_m2(&c.view_polygon()) - expected).abs() / expected < 0.01);
    let mut ptz = c.clone();
    ptz.ptz = true;
    let full = std::f64::consts::PI * 100.0 * 100.0;
    assert!((area_m2(&ptz.view_polygon()) - full).abs() / full < 0.01);
    let (lon, lat) = offset(50.0, 50.0);
    assert!(c.view_polygon().contains(&Coord { x: lon, y: lat }));
}

#[test]
fn visible_from_is_nearest_first() {
    let cams = vec![
        cam("far", 120.0, 30.0, 90.0, 60.0, 500.0),
        {
            let (lon, lat) = offset(100.0, 0.0);
            cam("near", lon, lat, 90.0, 60.0, 100.0)
        },
        cam("away", 120.0, 30.0, 270.0, 60.0, 500.0),
    ];
    let index = CameraIndex::build(cams).expect("valid");
    let (lon, lat) = offset(150.0, 0.0);
    let seen: Vec<String> = index
        .visible_from(lon, lat)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(seen, vec!["near", "far"]);
    assert!(index.is_covered(lon, lat));
    assert!(!index.is_covered(offset(0.0, 300.0).0, offset(0.0, 300.0).1));
    assert!(index.visible_from(f64::NAN, 0.0).is_empty());
}

#[test]
fn position_queries() {
    let cams: Vec<Camera<String>> = (0..10)
        .map(|i| {
            let (lon, lat) = offset(f64::from(i) * 100.0, 0.0);
            cam(&format!("c{i}"), lon, lat, 0.0, 90.0, 50.0)
        })
        .collect();
    let index = CameraIndex::build(cams).expect("valid");
    let (x0, y0) = offset(150.0, -10.0);
    let (x1, y1) = offset(450.0, 10.0);
    assert_eq!(index.in_bbox(x0, y0, x1, y1), vec!["c2", "c3", "c4"]);
    assert!(index.in_bbox(x1, y1, x0, y0).is_empty());
    let poly = Polygon::new(
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
        vec![],
    );
    assert_eq!(index.in_polygon(&poly), vec!["c2", "c3", "c4"]);
    let near: Vec<String> = index
        .near(offset(320.0, 0.0).0, offset(320.0, 0.0).1, 150.0)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(near, vec!["c3", "c4", "c2"]);
}

fn arb_camera() -> impl Strategy<Value = Camera<usize>> {
    (
        -500.0f64..500.0,
        -500.0f64..500.0,
        0.0f64..=360.0,
        1.0f64..359.0,
        1.0f64..300.0,
        any::<bool>(),
    )
        .prop_map(|(e, n, heading, fov, range, ptz)| {
            let (lon, lat) = offset(e, n);
            Camera {
                key: 0,
                lon,
                lat,
                heading_deg: heading,
                fov_deg: fov,
                range_m: range,
                ptz,
            }
        })
}

proptest! {
    #[test]
    fn index_agrees_with_brute_force(
        mut cams in prop::collection::vec(arb_camera(), 1..40),
        points in prop::collection::vec((-800.0f64..800.0, -800.0f64..800.0), 1..30),
    ) {
        for (i, c) in cams.iter_mut().enumerate() {
            c.key = i;
        }
        let index = CameraIndex::build(cams.clone()).expect("valid");
        for (e, n) in points {
            let (lon, lat) = offset(e, n);
            let mut brute: Vec<(usize, f64)> = cams.iter().filter_map(|c| c.sees(lon, lat).map(|d| (c.key, d))).collect();
            brute.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            prop_assert_eq!(index.visible_from(lon, lat), brute.clone());
            prop_assert_eq!(index.is_covered(lon, lat), !brute.is_empty());
        }
    }

    #[test]
    fn points_on_the_arc_lie_in_the_bbox(c in arb_camera(), t in 0.0f64..=1.0, r in 0.0f64..=1.0) {
        let s = c.sector();
        let b = s.bbox();
        let bearing = s.heading - s.half_fov + 2.0 * s.half_fov * t;
        let (lon, lat) = s.at(bearing, s.range_m * r);
        let eps = 1e-9;
        prop_assert!(lon >= b[0] - eps && lon <= b[2] + eps && lat >= b[1] - eps && lat <= b[3] + eps);
    }
}

//! Tests of the road graph, snapping, ranking, and the hierarchy against plain Dijkstra.

use geo::{Geometry, LineString};
use proptest::prelude::*;

use super::*;

fn proj() -> LocalProjection {
    LocalProjection::new(120.0, 30.0)
}

/// `(lon, lat)` of the point `east` and `north` metres from (120, 30).
fn at(east: f64, north: f64) -> (f64, f64) {
    proj().unproject([east, north])
}

fn road(id: &str, class: RoadClass, pts: &[(f64, f64)]) -> GeoFeature {
    GeoFeature {
        id: id.to_owned(),
        kind: FeatureKind::Road,
        name: id.to_owned(),
        name_en: None,
        parent: None,
        road_class: Some(class),
        geometry: Geometry::LineString(LineString::from(
            pts.iter().map(|&(e, n)| at(e, n)).collect::<Vec<_>>(),
        )),
        properties: Default::default(),
    }
}

fn router(roads: &[GeoFeature]) -> Router {
    let refs: Vec<&GeoFeature> = roads.iter().collect();
    Router::from_roads(&refs, proj(), RoutingOptions::default()).expect("valid options")
}

fn unit(key: &str, east: f64, north: f64) -> (String, f64, f64) {
    let (lon, lat) = at(east, north);
    (key.to_owned(), lon, lat)
}

const ARTERIAL_MS: f64 = 50.0 / 3.6;
const VILLAGE_MS: f64 = 30.0 / 3.6;
const ACCESS_MS: f64 = 15.0 / 3.6;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn along_one_road() {
    let r = router(&[road("r", RoadClass::Arterial, &[(0.0, 0.0), (1000.0, 0.0)])]);
    assert_eq!((r.node_count(), r.edge_count()), (2, 1));
    let ranked = r.rank_units(
        at(900.0, 0.0),
        &[unit("a", 100.0, 0.0), unit("b", 0.0, 10.0)],
    );
    assert_eq!(ranked[0].unit, "a");
    assert!(close(ranked[0].eta_s, 800.0 / ARTERIAL_MS), "{ranked:?}");
    assert!(close(ranked[0].distance_m, 800.0));
    assert!(!ranked[0].off_network);
    // b is 10 m off the road: a 10 m access leg, then 900 m of road.
    assert!(
        close(ranked[1].eta_s, 10.0 / ACCESS_MS + 900.0 / ARTERIAL_MS),
        "{ranked:?}"
    );
    assert!(close(ranked[1].distance_m, 910.0));
}

#[test]
fn shared_vertices_join_roads_and_crossings_without_one_do_not() {
    // A cross joined at (500, 0), and a bridge over the east-west road with no shared vertex.
    let r = router(&[
        road(
            "ew",
            RoadClass::Arterial,
            &[(0.0, 0.0), (500.0, 0.0), (1000.0, 0.0)],
        ),
        road(
            "ns",
            RoadClass::Village,
            &[(500.0, -500.0), (500.0, 0.0), (500.0, 500.0)],
        ),
        road(
            "bridge",
            RoadClass::Village,
            &[(800.0, -300.0), (800.0, 300.0)],
        ),
    ]);
    assert_eq!(r.node_count(), 7);
    let ranked = r.rank_units(
        at(500.0, 400.0),
        &[unit("west", 0.0, 0.0), unit("bridge", 800.0, 300.0)],
    );
    let find = |k: &str| ranked.iter().find(|x| x.unit == k).expect("ranked");
    let west = find("west");
    assert!(!west.off_network);
    assert!(
        close(west.eta_s, 500.0 / ARTERIAL_MS + 400.0 / VILLAGE_MS),
        "{ranked:?}"
    );
    // The bridge has no road route to the incident: straight line, flagged (and here faster).
    let bridge = find("bridge");
    assert!(bridge.off_network);
    assert!(close(bridge.distance_m, 300.0f64.hypot(100.0)));
    assert_eq!(ranked[0].unit, "bridge");
}

#[test]
fn near_misses_within_the_tolerance_are_junctions() {
    // The side road ends 1 m short of the main road's segment (a T drawn without a vertex), and
    // another road starts 1.5 m from the main road's end.
    let r = router(&[
        road("main", RoadClass::Arterial, &[(0.0, 0.0), (1000.0, 0.0)]),
        road("side", RoadClass::Village, &[(400.0, 1.0), (400.0, 300.0)]),
        road("next", RoadClass::Arterial, &[(1001.5, 0.0), (2000.0, 0.0)]),
    ]);
    let ranked = r.rank_units(
        at(400.0, 300.0),
        &[unit("u", 0.0, 0.0), unit("v", 2000.0, 0.0)],
    );
    assert!(ranked.iter().all(|x| !x.off_network), "{ranked:?}");
    // The side road's end is moved onto the main road, so it is 300 m long; the next road's
    // start is moved onto the main road's end, so v drives 1,000 + 600 + 300 m.
    assert!(
        close(ranked[0].eta_s, 400.0 / ARTERIAL_MS + 300.0 / VILLAGE_MS),
        "{ranked:?}"
    );
    assert!(close(ranked[1].distance_m, 1900.0), "{ranked:?}");
}

#[test]
fn faster_roads_win_over_shorter_ones() {
    // Village road straight (1,000 m); arterial detour (1,400 m) is faster at 50 vs 30 km/h.
    let r = router(&[
        road("village", RoadClass::Village, &[(0.0, 0.0), (1000.0, 0.0)]),
        road(
            "arterial",
            RoadClass::Arterial,
            &[(0.0, 0.0), (0.0, 200.0), (1000.0, 200.0), (1000.0, 0.0)],
        ),
    ]);
    let route = r.route(at(0.0, 0.0), at(1000.0, 0.0)).expect("a route");
    assert!(close(route.eta_s, 1400.0 / ARTERIAL_MS), "{route:?}");
    assert!(close(route.distance_m, 1400.0));
}

#[test]
fn units_off_the_network_get_a_flagged_straight_line() {
    let r = router(&[road("r", RoadClass::Arterial, &[(0.0, 0.0), (1000.0, 0.0)])]);
    let ranked = r.rank_units(
        at(500.0, 0.0),
        &[
            unit("far", 500.0, 600.0),
            unit("near", 0.0, 0.0),
            ("nan".to_owned(), f64::NAN, 30.0),
        ],
    );
    assert_eq!(
        ranked.iter().map(|x| x.unit.as_str()).collect::<Vec<_>>(),
        vec!["near", "far", "nan"]
    );
    assert!(ranked[1].off_network);
    assert!(close(ranked[1].eta_s, 600.0 / (30.0 / 3.6)));
    assert!(ranked[2].off_network && ranked[2].eta_s.is_infinite());
    // Without any road, everyone is off the network.
    let empty = router(&[]);
    assert!(empty.rank_units(at(0.0, 0.0), &[unit("a", 10.0, 0.0)])[0].off_network);
}

#[test]
fn options_are_validated() {
    let bad = RoutingOptions {
        speeds: Speeds {
            village_kmh: 0.0,
            ..Speeds::default()
        },
        ..RoutingOptions::default()
    };
    assert_eq!(
        bad.validate(),
        Err(RoutingError::Speed {
            name: "village",
            value: 0.0
        })
    );
    let bad = RoutingOptions {
        off_network_m: -1.0,
        ..RoutingOptions::default()
    };
    assert!(matches!(
        bad.validate(),
        Err(RoutingError::Distance {
            name: "off_network_m",
            ..
        })
    ));
    assert!(Router::from_roads(&[], proj(), bad).is_err());
}

#[test]
fn router_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Router>();
}

/// A random road network on a `k`×`k` lattice of 100 m with jitter: each lattice edge present or
/// not, each road a random class, some roads chained through several lattice points.
fn arb_network() -> impl Strategy<Value = Vec<GeoFeature>> {
    (3usize..9).prop_flat_map(|k| {
        let jitter = prop::collection::vec((-30.0f64..30.0, -30.0f64..30.0), k * k);
        let edges = prop::collection::vec((any::<bool>(), 0usize..4, any::<bool>()), 2 * k * k);
        (Just(k), jitter, edges).prop_map(|(k, jitter, edges)| {
            let pos = |i: usize, j: usize| {
                let (dx, dy) = jitter[i * k + j];
                (i as f64 * 100.0 + dx, j as f64 * 100.0 + dy)
            };
            let mut roads = Vec::new();
            for (n, &(present, class, _)) in edges.iter().enumerate() {
                let (horizontal, cell) = (n % 2 == 0, n / 2);
                let (i, j) = (cell / k, cell % k);
                let (ni, nj) = if horizontal { (i + 1, j) } else { (i, j + 1) };
                if !present || ni >= k || nj >= k {
                    continue;
                }
                roads.push(road(
                    &format!("r{n}"),
                    RoadClass::ALL[class],
                    &[pos(i, j), pos(ni, nj)],
                ));
            }
            roads
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn hierarchy_matches_dijkstra(
        roads in arb_network(),
        incident in (-50.0f64..850.0, -50.0f64..850.0),
        units in prop::collection::vec((-50.0f64..850.0, -50.0f64..850.0), 1..12),
    ) {
        let refs: Vec<&GeoFeature> = roads.iter().collect();
        let opts = RoutingOptions { off_network_m: 60.0, ..RoutingOptions::default() };
        let r = Router::from_roads(&refs, proj(), opts).expect("valid");
        let units: Vec<(usize, f64, f64)> =
            units.iter().enumerate().map(|(i, &(e, n))| { let (lon, lat) = at(e, n); (i, lon, lat) }).collect();
        let inc = at(incident.0, incident.1);
        let mut fast = r.rank_units(inc, &units);
        let mut slow = r.rank_units_dijkstra(inc, &units);
        fast.sort_by_key(|x| x.unit);
        slow.sort_by_key(|x| x.unit);
        for (f, s) in fast.iter().zip(&slow) {
            prop_assert_eq!(f.off_network, s.off_network);
            prop_assert!(close(f.eta_s, s.eta_s), "unit {}: {} vs {}", f.unit, f.eta_s, s.eta_s);
        }
    }
}

//! Benchmarks of the spatial engine on synthetic data of a district's size:
//! - `locate`: town, grid and nearest road of a point;
//! - `visible_from`: which of 10,000 cameras see a point;
//! - `coverage`: key place, key road and whole-network coverage with 3,000 cameras;
//! - `rank_units`: dispatch ranking of 30 units over road networks of about 7,000 and 20,000 segments.
//!
//! Run with `cargo bench -p pingan-spatial`. The data is generated from fixed seeds.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use geo::{Geometry, LineString, Polygon};
use pingan_spatial::cameras::{Camera, CameraIndex};
use pingan_spatial::coverage::{analyse, CoverageOptions, SiteModel};
use pingan_spatial::geography::{FeatureKind, GeoFeature, Geography, RoadClass};
use pingan_spatial::projection::LocalProjection;
use pingan_spatial::routing::{Router, RoutingOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Side of the synthetic district in metres (15 km × 15 km, about 225 km²).
const SIDE_M: f64 = 15_000.0;

fn proj() -> LocalProjection {
    LocalProjection::new(121.0, 31.0)
}

fn at(x: f64, y: f64) -> (f64, f64) {
    proj().unproject([x - SIDE_M / 2.0, y - SIDE_M / 2.0])
}

fn feature(
    id: String,
    kind: FeatureKind,
    class: Option<RoadClass>,
    geometry: Geometry<f64>,
) -> GeoFeature {
    GeoFeature {
        name: id.clone(),
        id,
        kind,
        name_en: None,
        parent: None,
        road_class: class,
        geometry,
        properties: Default::default(),
    }
}

/// A road grid with `spacing` metres between parallel roads, each road one line with a vertex at
/// every crossing (jittered so the grid is not perfectly regular); every fifth road arterial,
/// every tenth road also a key road section; 200 key places of 100 m × 100 m; four towns.
fn district(spacing: f64, rng: &mut ChaCha8Rng) -> Vec<GeoFeature> {
    let n = (SIDE_M / spacing) as usize + 1;
    let jitter: Vec<Vec<(f64, f64)>> = (0..n)
        .map(|_| {
            (0..n)
                .map(|_| (rng.gen_range(-20.0..20.0), rng.gen_range(-20.0..20.0)))
                .collect()
        })
        .collect();
    let node = |i: usize, j: usize| {
        let (dx, dy) = jitter[i][j];
        at(i as f64 * spacing + dx, j as f64 * spacing + dy)
    };
    let mut out = Vec::new();
    for (t, (x0, y0)) in [(0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.5, 0.5)]
        .into_iter()
        .enumerate()
    {
        let (a, b) = (x0 * SIDE_M - 100.0, y0 * SIDE_M - 100.0);
        let (c, d) = (a + SIDE_M / 2.0 + 100.0, b + SIDE_M / 2.0 + 100.0);
        let ring = vec![at(a, b), at(c, b), at(c, d), at(a, d), at(a, b)];
        out.push(feature(
            format!("t{t}"),
            FeatureKind::Town,
            None,
            Geometry::Polygon(Polygon::new(LineString::from(ring), vec![])),
        ));
    }
    for k in 0..n {
        let class = if k % 5 == 0 {
            RoadClass::Arterial
        } else if k % 2 == 0 {
            RoadClass::County
        } else {
            RoadClass::Village
        };
        for horizontal in [true, false] {
            let pts: Vec<(f64, f64)> = (0..n)
                .map(|m| if horizontal { node(m, k) } else { node(k, m) })
                .collect();
            let line = Geometry::LineString(LineString::from(pts));
            let id = format!("{}{k}", if horizontal { "h" } else { "v" });
            if k % 10 == 0 {
                out.push(feature(
                    format!("k{id}"),
                    FeatureKind::KeyRoad,
                    Some(class),
                    line.clone(),
                ));
            }
            out.push(feature(id, FeatureKind::Road, Some(class), line));
        }
    }
    for p in 0..200 {
        let (x, y) = (
            rng.gen_range(0.0..SIDE_M - 100.0),
            rng.gen_range(0.0..SIDE_M - 100.0),
        );
        let ring = vec![
            at(x, y),
            at(x + 100.0, y),
            at(x + 100.0, y + 100.0),
            at(x, y + 100.0),
            at(x, y),
        ];
        out.push(feature(
            format!("p{p}"),
            FeatureKind::KeyPlace,
            None,
            Geometry::Polygon(Polygon::new(LineString::from(ring), vec![])),
        ));
    }
    out
}

fn cameras(n: usize, rng: &mut ChaCha8Rng) -> Vec<Camera<usize>> {
    (0..n)
        .map(|key| {
            let (lon, lat) = at(rng.gen_range(0.0..SIDE_M), rng.gen_range(0.0..SIDE_M));
            Camera {
                key,
                lon,
                lat,
                heading_deg: rng.gen_range(0.0..360.0),
                fov_deg: rng.gen_range(40.0..120.0),
                range_m: rng.gen_range(30.0..150.0),
                ptz: rng.gen_bool(0.2),
            }
        })
        .collect()
}

fn bench_visibility(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let index = CameraIndex::build(cameras(10_000, &mut rng)).expect("valid cameras");
    let points: Vec<(f64, f64)> = (0..1024)
        .map(|_| at(rng.gen_range(0.0..SIDE_M), rng.gen_range(0.0..SIDE_M)))
        .collect();
    let mut i = 0;
    c.bench_function("visible_from/10000_cameras", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(index.visible_from(points[i].0, points[i].1))
        })
    });
    let build = cameras(10_000, &mut rng);
    let mut g = c.benchmark_group("camera_index");
    g.sample_size(10);
    g.bench_function("build/10000_cameras", |b| {
        b.iter(|| CameraIndex::build(black_box(build.clone())))
    });
    g.finish();
}

fn bench_locate(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut features = district(300.0, &mut rng);
    // 900 grids of 500 m, for a realistic number of polygons.
    for i in 0..30 {
        for j in 0..30 {
            let (x, y) = (f64::from(i) * 500.0, f64::from(j) * 500.0);
            let ring = vec![
                at(x, y),
                at(x + 500.0, y),
                at(x + 500.0, y + 500.0),
                at(x, y + 500.0),
                at(x, y),
            ];
            let poly = Geometry::Polygon(Polygon::new(LineString::from(ring), vec![]));
            features.push(feature(format!("g{i}-{j}"), FeatureKind::Grid, None, poly));
        }
    }
    let geography = Geography::build(features);
    let points: Vec<(f64, f64)> = (0..1024)
        .map(|_| at(rng.gen_range(0.0..SIDE_M), rng.gen_range(0.0..SIDE_M)))
        .collect();
    let mut i = 0;
    c.bench_function("locate/4_towns_900_grids_5700_road_segments", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(geography.locate(points[i].0, points[i].1))
        })
    });
}

fn bench_coverage(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let geography = Geography::build(district(300.0, &mut rng));
    let index = CameraIndex::build(cameras(3_000, &mut rng)).expect("valid cameras");
    let opts = CoverageOptions {
        include_road_network: true,
        ..CoverageOptions::default()
    };
    let mut g = c.benchmark_group("coverage");
    g.sample_size(10);
    g.bench_function("analyse/3000_cameras_whole_network", |b| {
        b.iter(|| analyse(&geography, &index, &opts))
    });
    let key_only = CoverageOptions::default();
    g.bench_function("analyse/3000_cameras_key_features", |b| {
        b.iter(|| analyse(&geography, &index, &key_only))
    });
    let coverage = analyse(&geography, &index, &key_only);
    g.bench_function("suggest_sites/k10", |b| {
        b.iter(|| coverage.suggest_sites(10, &SiteModel::default()))
    });
    g.finish();
}

fn bench_routing(c: &mut Criterion) {
    for spacing in [250.0, 150.0] {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let roads = district(spacing, &mut rng);
        let refs: Vec<&GeoFeature> = roads
            .iter()
            .filter(|f| f.kind == FeatureKind::Road)
            .collect();
        let router =
            Router::from_roads(&refs, proj(), RoutingOptions::default()).expect("valid options");
        let units: Vec<(usize, f64, f64)> = (0..30)
            .map(|k| {
                let (lon, lat) = at(rng.gen_range(0.0..SIDE_M), rng.gen_range(0.0..SIDE_M));
                (k, lon, lat)
            })
            .collect();
        let incidents: Vec<(f64, f64)> = (0..256)
            .map(|_| at(rng.gen_range(0.0..SIDE_M), rng.gen_range(0.0..SIDE_M)))
            .collect();
        let name = format!("{}_segments", router.edge_count());
        let mut i = 0;
        c.bench_function(&format!("rank_units/30_units/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % incidents.len();
                black_box(router.rank_units(incidents[i], &units))
            })
        });
        let mut g = c.benchmark_group("routing_reference");
        g.sample_size(10);
        g.bench_function(format!("rank_units_dijkstra/30_units/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % incidents.len();
                black_box(router.rank_units_dijkstra(incidents[i], &units))
            })
        });
        g.bench_function(format!("build/{name}"), |b| {
            b.iter(|| Router::from_roads(&refs, proj(), RoutingOptions::default()))
        });
        g.finish();
    }
}

criterion_group!(
    benches,
    bench_locate,
    bench_visibility,
    bench_coverage,
    bench_routing
);
criterion_main!(benches);

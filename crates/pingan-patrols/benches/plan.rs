//! Benchmark of the shift planner on the demo district (`pingan-demo`, seed 1, small history):
//! - 200 hot spots at the centres of grids drawn at random (seeded), each metered in its grid's
//!   village or community; risk drawn from a log-normal (σ = 1.5, seeded), so that about half of
//!   it sits in the top 5–10 % of spots, as Sherman and Weisburd found for calls to the police;
//! - 6 units, one from each police base, starting and ending the shift there;
//! - an 8 h shift under the default rules (12 min stays, 2 h deterrence, 3000 iterations);
//! - travel times over the road network with `pingan-spatial`'s router: one `rank_units` call
//!   (one PHAST sweep) per destination, 212 in all. Building the 212 × 212 matrix takes about
//!   40 ms in a release build on the 2-core machine (printed on each run). Should the geography or
//!   the router fail, straight-line times at 30 km/h × 1.3 are used instead, and the run says so.
//!
//! Groups: `plan/6x200` ([`plan`]), `greedy/6x200` ([`greedy_baseline`]) and `random50/6x200`
//! ([`best_random`] with 50 tries). Before criterion starts, one line per method goes to stderr
//! with the figures quoted in docs/performance.md: covered risk, minutes at spots, the largest
//! gap, the travel share, and the wall time of one run.
//!
//! Run with `cargo bench -p pingan-patrols --bench plan`.

use std::time::Instant;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use pingan_demo::{generate, District, Scale};
use pingan_patrols::domain::plan::{
    best_random, greedy_baseline, plan, Crew, Plan, PlanError, PlanRules, Spot, TravelMatrix,
};
use pingan_spatial::geography::{parse_feature_collection, Geography};
use pingan_spatial::routing::{Router, RoutingOptions};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SPOTS: usize = 200;
const UNITS: usize = 6;
/// 2015-06-10 08:00 in the district (UTC+8), as UTC microseconds.
const SHIFT_START_US: i64 = 1_433_894_400_000_000;

struct Case {
    spots: Vec<Spot>,
    crews: Vec<Crew>,
    rules: PlanRules,
    travel: TravelMatrix,
}

/// 200 grid centres with skewed risk, and 6 units at distinct police bases.
fn spots_and_crews(d: &District) -> (Vec<Spot>, Vec<Crew>) {
    let mut rng = ChaCha8Rng::seed_from_u64(2015);
    let mut grids: Vec<_> = d.grids.iter().collect();
    grids.shuffle(&mut rng);
    let spots = (grids.iter().take(SPOTS))
        .map(|g| {
            // Box–Muller: a standard normal from two uniforms.
            let (u1, u2): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen());
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            Spot {
                key: g.id.0.clone(),
                name: g.name.clone(),
                lon: g.centre.0,
                lat: g.centre.1,
                radius_m: 100.0,
                risk: (1.5 * z).exp(),
                area: g.place.clone(),
            }
        })
        .collect();
    let mut bases: Vec<&str> = Vec::new();
    let mut crews = Vec::new();
    for u in &d.units {
        let base = u.home_base.0.as_str();
        let at = d.key_places.iter().find(|k| k.id.0 == base);
        if let (false, Some(k)) = (bases.contains(&base), at) {
            bases.push(base);
            let unit = u.id.0.clone();
            crews.push(Crew {
                unit,
                start: k.position,
                end: Some(k.position),
            });
        }
    }
    crews.truncate(UNITS);
    (spots, crews)
}

/// Travel times over the demo's roads: `rank_units` from every place to each destination.
fn road_matrix(d: &District, spots: &[Spot], crews: &[Crew]) -> Result<TravelMatrix, String> {
    let features =
        parse_feature_collection(&d.geojson).map_err(|e| format!("{} bad features", e.len()))?;
    let router = Router::build(&Geography::build(features), RoutingOptions::default())
        .map_err(|e| e.to_string())?;
    // Spots, starts, then ends (a crew without one gets its start: the column is unused).
    let ends = crews.iter().map(|c| c.end.unwrap_or(c.start));
    let at = spots
        .iter()
        .map(|s| (s.lon, s.lat))
        .chain(crews.iter().map(|c| c.start))
        .chain(ends);
    let places: Vec<(usize, f64, f64)> = at
        .enumerate()
        .map(|(k, (lon, lat))| (k, lon, lat))
        .collect();
    let n = places.len();
    let mut secs = vec![f32::INFINITY; n * n];
    for &(to, lon, lat) in &places {
        for r in router.rank_units((lon, lat), &places) {
            secs[r.unit * n + to] = if r.unit == to { 0.0 } else { r.eta_s as f32 };
        }
    }
    TravelMatrix::new(n, secs).map_err(|e| e.to_string())
}

fn case() -> Case {
    let district = generate(1, Scale::Small);
    let (spots, crews) = spots_and_crews(&district);
    let t = Instant::now();
    let travel = road_matrix(&district, &spots, &crews).unwrap_or_else(|e| {
        eprintln!("road network unavailable ({e}); straight lines at 30 km/h × 1.3 instead");
        TravelMatrix::straight(&spots, &crews, 30.0, 1.3)
    });
    eprintln!(
        "travel matrix {n} × {n} built in {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3,
        n = travel.len()
    );
    let mut risks: Vec<f64> = spots.iter().map(|s| s.risk).collect();
    risks.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = risks.iter().sum();
    let share = |k: usize| risks.iter().take(k).sum::<f64>() / total;
    eprintln!(
        "risk in the top 5 % of spots {:.0} %, top 10 % {:.0} %",
        100.0 * share(SPOTS / 20),
        100.0 * share(SPOTS / 10)
    );
    let rules = PlanRules {
        start_us: SHIFT_START_US,
        end_us: SHIFT_START_US + 8 * 3_600_000_000,
        seed: 1,
        ..PlanRules::default()
    };
    Case {
        spots,
        crews,
        rules,
        travel,
    }
}

fn run(c: &Case, method: &str) -> Result<Plan, PlanError> {
    match method {
        "plan" => plan(&c.spots, &c.crews, &c.rules, &c.travel),
        "greedy" => greedy_baseline(&c.spots, &c.crews, &c.rules, &c.travel),
        _ => best_random(&c.spots, &c.crews, &c.rules, &c.travel, 50),
    }
}

fn bench(crit: &mut Criterion) {
    let c = case();
    eprintln!(
        "{} spots, {} units, 8 h shift, seed {}",
        c.spots.len(),
        c.crews.len(),
        c.rules.seed
    );
    for method in ["plan", "greedy", "random50"] {
        let t = Instant::now();
        match run(&c, method) {
            Ok(p) => {
                let q = &p.quality;
                eprintln!(
                    "{method:>8}: covered risk {:.3}, {:.0} min at spots, largest gap {:.0} min, travel share {:.2}, {} visits to {} spots, {:.0} ms",
                    q.risk_covered, q.minutes_at_spots, q.largest_gap_min, q.travel_share, q.visits, q.spots_visited, t.elapsed().as_secs_f64() * 1e3
                );
            }
            Err(e) => eprintln!("{method:>8}: {e}"),
        }
    }
    for method in ["plan", "greedy", "random50"] {
        let mut g = crit.benchmark_group(method);
        g.bench_function(format!("{UNITS}x{SPOTS}"), |b| {
            b.iter(|| run(black_box(&c), method))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);

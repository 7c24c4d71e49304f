//! Agreement with the reference tools, from fixtures written by `tests/reference/make_fixtures.py`.
//!
//! The fixtures are committed, so these tests need no Python.

use pingan_crimestat::gistar::{gistar, grid_neighbours, ClassBasis, Contiguity, GiStarParams};
use pingan_crimestat::kde::{kde, KdeParams, Kernel};
use pingan_crimestat::knox::{knox, KnoxParams};
use pingan_crimestat::{Event, GridSpec, MICROS_PER_DAY};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture present");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn events(v: &Value, with_time: bool) -> Vec<Event> {
    let (x, y) = (floats(&v["x"]), floats(&v["y"]));
    let t = if with_time {
        floats(&v["t_days"])
    } else {
        vec![0.0; x.len()]
    };
    (0..x.len())
        .map(|i| {
            Event::at(
                i as u64,
                x[i],
                y[i],
                (t[i] * MICROS_PER_DAY as f64).round() as i64,
            )
        })
        .collect()
}

#[test]
fn knox_counts_match_pointpats() {
    let f = fixture("knox_pointpats");
    let ev = events(&f, true);
    for case in f["cases"].as_array().expect("cases") {
        let p = KnoxParams {
            spatial_bandwidth_m: case["delta"].as_f64().expect("delta"),
            spatial_bands: 1,
            temporal_bandwidth_days: case["tau"].as_f64().expect("tau"),
            temporal_bands: 1,
            same_location: false,
            permutations: 99,
            ..KnoxParams::default()
        };
        let r = knox(&ev, &p).expect("knox");
        let nst = r.cells[0][0].observed as f64;
        let ns = (r.cells[0][0].observed + r.cells[0][1].observed) as f64;
        let nt = (r.cells[0][0].observed + r.cells[1][0].observed) as f64;
        assert_eq!(nst, case["nst"].as_f64().expect("nst"), "{p:?}");
        assert_eq!(ns, case["ns"].as_f64().expect("ns"));
        assert_eq!(nt, case["nt"].as_f64().expect("nt"));
        assert_eq!(r.total_pairs as f64, case["pairs"].as_f64().expect("pairs"));
        let e = case["expected"][0][0].as_f64().expect("expected");
        assert!((r.cells[0][0].expected_analytic - e).abs() < 1e-9 * e.max(1.0));
    }
}

#[test]
fn gistar_z_scores_match_esda() {
    let f = fixture("gistar_esda");
    let counts = floats(&f["counts"]);
    let nx = f["nx"].as_u64().expect("nx") as usize;
    let grid = GridSpec {
        x0: 0.0,
        y0: 0.0,
        cell: 100.0,
        nx,
        ny: nx,
    };
    let nb = grid_neighbours(&grid, Contiguity::Queen).expect("queen");
    let r = gistar(
        &counts,
        &nb,
        &GiStarParams {
            permutations: 999,
            seed: 1,
            class_basis: ClassBasis::Analytical,
        },
    )
    .expect("gi*");
    let z = floats(&f["z_binary"]);
    for (a, b) in r.cells.iter().zip(&z) {
        assert!((a.z - b).abs() < 1e-9, "{} vs {b}", a.z);
    }
    // Permutation p-values are random on both sides (different RNGs): they must agree in
    // distribution. Compare on hot cells, where esda's tie handling (see the gistar docs) does
    // not matter: the same cells are significant and the p-values are close.
    let ps = floats(&f["p_sim_binary"]);
    let hot: Vec<(f64, f64)> = r
        .cells
        .iter()
        .zip(&ps)
        .filter(|(a, _)| a.z > 1.0)
        .map(|(a, &b)| (a.p_sim.expect("perms"), b))
        .collect();
    let ours = hot.iter().filter(|h| h.0 <= 0.01).count();
    let theirs = hot.iter().filter(|h| h.1 <= 0.01).count();
    let both = hot.iter().filter(|h| h.0 <= 0.01 && h.1 <= 0.01).count();
    assert!(
        ours > 10 && (both as f64) >= 0.85 * ours.max(theirs) as f64,
        "ours {ours}, esda {theirs}, both {both}"
    );
    for (a, b) in &hot {
        assert!((a - b).abs() < 0.08, "p_sim {a} vs esda {b}");
    }
}

#[test]
fn gaussian_kde_matches_sklearn_and_scipy() {
    let f = fixture("kde_sklearn");
    let ev = events(&f, false);
    let grid = GridSpec {
        x0: 0.0,
        y0: 0.0,
        cell: f["cell"].as_f64().expect("cell"),
        nx: f["nx"].as_u64().expect("nx") as usize,
        ny: f["ny"].as_u64().expect("ny") as usize,
    };
    let s = kde(
        &ev,
        &KdeParams {
            kernel: Kernel::Gaussian,
            bandwidth: f["bandwidth"].as_f64().expect("bw"),
            grid,
        },
    )
    .expect("kde");
    for reference in ["sklearn", "scipy"] {
        let d = floats(&f[reference]);
        let peak = d.iter().copied().fold(0.0, f64::max);
        for (a, b) in s.values.iter().zip(&d) {
            assert!(
                (a - b).abs() <= 1e-9 * peak + 1e-12 * b.abs(),
                "{reference}: {a} vs {b}"
            );
        }
    }
}

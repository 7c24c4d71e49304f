//! Bench program on the inputs of `shared/bench/analytics_anchors.py`.
//!
//! Run `tests/reference/make_fixtures.py --anchor-inputs DIR` once to dump the anchor's exact
//! incident sets (seed 7; N = 5k, 20k, 50k) as `DIR/incidents_N.csv` (x,y,t_days), then
//! `cargo bench -p pingan-crimestat --bench anchors -- DIR`. Without a directory argument it
//! generates look-alike data (same recipe, different RNG) itself.
//!
//! Timings are wall-clock medians of 3 runs, on rayon's global pool (all cores).

use std::time::Instant;

use pingan_crimestat::gistar::{gistar_grid, Contiguity, GiStarParams};
use pingan_crimestat::kde::{kde, KdeParams, Kernel};
use pingan_crimestat::knox::{knox, KnoxParams};
use pingan_crimestat::linkage::{calibrate, CalibrationParams, Segmenter};
use pingan_crimestat::{Event, GridSpec, MICROS_PER_DAY};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn load(dir: &str, n: usize) -> Option<Vec<Event>> {
    let text = std::fs::read_to_string(format!("{dir}/incidents_{n}.csv")).ok()?;
    let mut out = Vec::with_capacity(n);
    for (i, line) in text.lines().skip(1).enumerate() {
        let mut it = line.split(',').map(|s| s.trim().parse::<f64>());
        let (Some(Ok(x)), Some(Ok(y)), Some(Ok(t))) = (it.next(), it.next(), it.next()) else {
            return None;
        };
        out.push(Event::at(
            i as u64,
            x,
            y,
            (t * MICROS_PER_DAY as f64).round() as i64,
        ));
    }
    Some(out)
}

fn generate(n: usize, seed: u64) -> Vec<Event> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let side = 20_000.0;
    let centres: Vec<(f64, f64, f64)> = (0..30)
        .map(|_| {
            (
                rng.gen_range(1000.0..side - 1000.0),
                rng.gen_range(1000.0..side - 1000.0),
                rng.gen_range(150.0..600.0),
            )
        })
        .collect();
    let normal = |rng: &mut ChaCha8Rng| {
        let (u, v): (f64, f64) = (rng.gen_range(1e-12..1.0), rng.gen_range(0.0..1.0));
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let mut ev = Vec::with_capacity(n);
    for i in 0..n {
        let (x, y) = if i < n * 55 / 100 {
            let c = centres[rng.gen_range(0..30)];
            (c.0 + normal(&mut rng) * c.2, c.1 + normal(&mut rng) * c.2)
        } else {
            (rng.gen_range(0.0..side), rng.gen_range(0.0..side))
        };
        let t = rng.gen_range(0.0..365.0);
        ev.push(Event::at(
            i as u64,
            x.clamp(0.0, side - 1e-6),
            y.clamp(0.0, side - 1e-6),
            (t * MICROS_PER_DAY as f64) as i64,
        ));
    }
    ev
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`, 100 ticks/s);
/// 0 elsewhere. On a shared machine this shows the work done regardless of the load.
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(rest) = stat.rsplit(')').next() else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Median wall seconds of 3 runs, and the mean CPU seconds per run.
fn median_secs(mut f: impl FnMut()) -> (f64, f64) {
    let c0 = cpu_secs();
    let mut v: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    v.sort_by(f64::total_cmp);
    (v[1], (cpu_secs() - c0) / 3.0)
}

#[expect(clippy::print_stdout, reason = "a bench program reports on stdout")]
#[expect(
    clippy::too_many_lines,
    reason = "a benchmark's main is its script: each measurement in turn, in the order it reports them"
)]
fn main() {
    // Cargo passes `--bench`; the first other argument that is a directory holds the inputs.
    let dir = std::env::args()
        .skip(1)
        .find(|a| std::path::Path::new(a).is_dir());
    let grid = GridSpec {
        x0: 0.0,
        y0: 0.0,
        cell: 100.0,
        nx: 200,
        ny: 200,
    };
    println!("| method | N | pingan wall (s) | pingan CPU (s) | result |");
    println!("|---|---:|---:|---:|---|");
    for n in [5_000usize, 20_000, 50_000] {
        let (ev, src) = match dir.as_deref().and_then(|d| load(d, n)) {
            Some(ev) => (ev, "anchor inputs"),
            None => (generate(n, 7), "generated"),
        };
        let kp = KnoxParams {
            spatial_bandwidth_m: 200.0,
            spatial_bands: 1,
            temporal_bandwidth_days: 7.0,
            temporal_bands: 1,
            same_location: false,
            permutations: 999,
            seed: 0,
            ..KnoxParams::default()
        };
        let mut nst = 0;
        let mut pairs = 0;
        let (s, c) = median_secs(|| {
            let r = knox(&ev, &kp).expect("knox");
            nst = r.cells[0][0].observed;
            pairs = r.close_pairs;
        });
        println!("| knox 200 m / 7 d, 999 perms ({src}) | {n} | {s:.3} | {c:.2} | nst {nst}, spatial pairs {pairs} |");
        let mut max = 0.0;
        let (s, c) = median_secs(|| {
            max = kde(
                &ev,
                &KdeParams {
                    kernel: Kernel::Gaussian,
                    bandwidth: 300.0,
                    grid,
                },
            )
            .expect("kde")
            .max
        });
        println!("| kde gaussian 300 m, exact, 40k cells | {n} | {s:.3} | {c:.2} | max density {max:.4e} |");
        let (s, c) = median_secs(|| {
            max = kde(
                &ev,
                &KdeParams {
                    kernel: Kernel::Quartic,
                    bandwidth: 900.0,
                    grid,
                },
            )
            .expect("kde")
            .max
        });
        println!("| kde quartic 900 m, exact, 40k cells | {n} | {s:.3} | {c:.2} | max density {max:.4e} |");
        let mut hot = 0;
        let gp = GiStarParams {
            permutations: 999,
            seed: 0,
            ..GiStarParams::default()
        };
        let (s, c) = median_secs(|| {
            let r = gistar_grid(&ev, &grid, Contiguity::Queen, &gp).expect("gi*");
            hot = r
                .result
                .cells
                .iter()
                .filter(|c| c.z > 0.0 && c.p_sim.is_some_and(|p| p <= 0.01))
                .count();
        });
        println!(
            "| gi* queen, 999 perms, 40k cells | {n} | {s:.3} | {c:.2} | hot cells p_sim <= 0.01: {hot} |"
        );
    }
    let t = Instant::now();
    let seg = Segmenter::new();
    let seg_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = calibrate(&seg, &CalibrationParams::default()).expect("calibration");
    println!(
        "\nlinkage calibration (2 x (2000 background + 40 planted series of 3-8), jieba init {seg_s:.3} s, run {:.2} s): \
         hit rate {:.3} at FPR {} (prior weights {:.3}); threshold p = {:.3}; {} positive / {} negative test pairs; fitted {:?}",
        t.elapsed().as_secs_f64(), r.hit_rate, r.fpr, r.prior_hit_rate, r.threshold_probability, r.positives, r.negatives, r.model
    );
}

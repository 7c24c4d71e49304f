//! Generates the full-scale district, times it, and prints the volumes and the story ids.
//!
//! `cargo run --release -p pingan-demo --example full [seed]`

use std::time::Instant;

use pingan_demo::{generate, LiveSim, Scale, DAY, HOUR, SECOND};

#[expect(clippy::print_stdout, reason = "a benchmark program reports on stdout")]
#[expect(
    clippy::too_many_lines,
    reason = "a benchmark's main is its script: each measurement in turn, in the order it reports them"
)]
fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let t = Instant::now();
    let d = generate(seed, Scale::Full);
    let took = t.elapsed();
    println!("generate(seed {seed}, Full): {:.2} s", took.as_secs_f64());
    println!(
        "{}",
        serde_json::to_string_pretty(&d.volumes).unwrap_or_default()
    );
    println!("geojson: {} bytes", d.geojson.len());
    let days = d.volumes.read_days as f64;
    for c in &d.checkpoints {
        let n = d
            .plate_reads
            .iter()
            .filter(|r| r.checkpoint == c.id)
            .count();
        println!(
            "  {} {:<28} {:>6.0} reads/day",
            c.id,
            c.name,
            n as f64 / days
        );
    }
    let mut by_hour = [0usize; 24];
    for r in &d.plate_reads {
        by_hour
            [usize::try_from((r.at - d.config.start_day).rem_euclid(DAY) / HOUR).unwrap_or(0)] += 1;
    }
    println!(
        "reads by local hour: {:?}",
        by_hour.map(|n| (n as f64 / days).round() as u64)
    );
    let mut types: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for i in &d.incidents {
        *types.entry(i.type_code.as_str()).or_default() += 1;
    }
    println!("incidents by type: {types:?}");
    for t in &d.towns {
        let rt: Vec<f64> = d
            .incidents
            .iter()
            .filter(|i| i.town == t.id)
            .map(|i| (i.arrived_at - i.reported_at) as f64 / 60e6)
            .collect();
        println!(
            "  {} {}: {} incidents, mean response {:.1} min",
            t.id,
            t.name,
            rt.len(),
            rt.iter().sum::<f64>() / rt.len().max(1) as f64
        );
    }
    let t = Instant::now();
    let mut sim = LiveSim::new(&d, seed, d.config.start_day);
    let mut n = 0;
    for k in 0..3_600 {
        n += sim.step(d.config.start_day + k * SECOND, SECOND).len();
    }
    println!(
        "live: one simulated hour in 1 s steps: {n} events in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let s = &d.stories;
    println!(
        "bicycle: thefts {:?}, arrest {}, cameras {:?}",
        s.bicycle.thefts, s.bicycle.arrest, s.bicycle.cameras
    );
    println!(
        "dumpster: {} plate {} trajectory {} reads, stopped on {}",
        s.dumpster.incident,
        s.dumpster.plate,
        s.dumpster.trajectory.len(),
        s.dumpster.stopped_road
    );
    println!(
        "co-travel: {} + {}: {} joint passes",
        s.co_travel.leader,
        s.co_travel.follower,
        s.co_travel.passes.len()
    );
    println!(
        "stolen car: {} at {} +{} s",
        s.stolen_car.plate,
        s.stolen_car.checkpoint,
        s.stolen_car.live_offset / SECOND
    );
    println!(
        "night walk: {} m, units {:?}",
        s.night_walk.distance_m, s.night_walk.patrol_units
    );
}

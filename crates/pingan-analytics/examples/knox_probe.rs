#![allow(clippy::print_stdout, clippy::unwrap_used)]
use pingan_analytics::knox::{knox, KnoxParams};
use pingan_analytics::{Event, MICROS_PER_DAY};
use std::time::Instant;
fn main() {
    let perms: u32 = std::env::args().nth(1).unwrap().parse().unwrap();
    let text = std::fs::read_to_string("/tmp/pa-anchor/incidents_50000.csv").unwrap();
    let ev: Vec<Event> = text.lines().skip(1).enumerate().map(|(i, l)| {
        let v: Vec<f64> = l.split(',').map(|s| s.parse().unwrap()).collect();
        Event::at(i as u64, v[0], v[1], (v[2] * MICROS_PER_DAY as f64) as i64)
    }).collect();
    let kp = KnoxParams { spatial_bandwidth_m: 200.0, spatial_bands: 1, temporal_bandwidth_days: 7.0, temporal_bands: 1, same_location: false, permutations: perms, seed: 0, ..KnoxParams::default() };
    let t = Instant::now();
    let r = knox(&ev, &kp).unwrap();
    println!("perms {perms}: {:.3}s nst {} p {:?}", t.elapsed().as_secs_f64(), r.cells[0][0].observed, r.cells[0][0].p_sim);
}

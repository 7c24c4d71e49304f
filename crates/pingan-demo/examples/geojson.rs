//! Prints the district's geography (GeoJSON) for a seed, to look at in a GIS.
//!
//! `cargo run -p pingan-demo --example geojson [seed] > district.geojson`

use pingan_demo::{generate, Scale};

#[expect(clippy::print_stdout, reason = "a developer tool writing to stdout")]
fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    println!("{}", generate(seed, Scale::Small).geojson);
}

//! Seeded randomness and the few distributions the generator needs.
//!
//! Every part of the world draws from its own stream, derived from the seed and a label, so that
//! changing how many numbers one part draws does not reshuffle the others.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The generator's random stream.
pub type DemoRng = ChaCha8Rng;

/// A stream for one part of the world, derived from the seed and a label.
pub fn stream(seed: u64, label: &str) -> DemoRng {
    // FNV-1a over the label, mixed with the seed: stable across platforms and Rust versions.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    ChaCha8Rng::seed_from_u64(seed ^ h.rotate_left(17))
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut DemoRng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// An exponential draw with the given mean.
pub fn exponential(rng: &mut DemoRng, mean: f64) -> f64 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    -mean * u.ln()
}

/// A Poisson draw: Knuth's method for small means, a rounded normal for large ones.
pub fn poisson(rng: &mut DemoRng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        let v = (mean + mean.sqrt() * normal(rng)).round();
        return if v <= 0.0 { 0 } else { v as u32 };
    }
    let limit = (-mean).exp();
    let mut k = 0u32;
    let mut p: f64 = rng.gen::<f64>();
    while p > limit {
        k += 1;
        p *= rng.gen::<f64>();
    }
    k
}

/// An index drawn with probability proportional to `weights` (all weights non-negative).
pub fn weighted(rng: &mut DemoRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    if weights.is_empty() || total <= 0.0 {
        return 0;
    }
    let mut x = rng.gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// A cumulative table for repeated weighted draws in O(log n).
#[derive(Debug, Clone)]
pub struct Cumulative(Vec<f64>);

impl Cumulative {
    /// Builds the table from non-negative weights.
    pub fn new(weights: &[f64]) -> Self {
        let mut acc = 0.0;
        Self(
            weights
                .iter()
                .map(|w| {
                    acc += w.max(0.0);
                    acc
                })
                .collect(),
        )
    }

    /// Draws an index; 0 for an empty table.
    pub fn draw(&self, rng: &mut DemoRng) -> usize {
        let Some(total) = self.0.last() else {
            return 0;
        };
        let x = rng.gen::<f64>() * total;
        self.0.partition_point(|c| *c <= x).min(self.0.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_label_and_repeat_by_seed() {
        let a: u64 = stream(7, "a").gen();
        let b: u64 = stream(7, "b").gen();
        let a2: u64 = stream(7, "a").gen();
        assert_ne!(a, b);
        assert_eq!(a, a2);
    }

    #[test]
    fn poisson_mean_is_close() {
        let mut rng = stream(1, "p");
        let n = 20_000;
        let s: u64 = (0..n).map(|_| u64::from(poisson(&mut rng, 3.5))).sum();
        let mean = s as f64 / f64::from(n);
        assert!((mean - 3.5).abs() < 0.1, "{mean}");
    }
}

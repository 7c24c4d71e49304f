//! Small numeric helpers shared by the modules.

/// Upper tail of the standard normal, `P(Z > z)`.
///
/// Uses the Chebyshev-fitted complementary error function of Press et al. (Numerical Recipes,
/// `erfcc`), whose fractional error is below 1.2e-7 everywhere: ample for p-values.
pub(crate) fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// The complementary error function (fractional error < 1.2e-7).
pub(crate) fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let ans = t * poly.exp();
    if x >= 0.0 {
        ans
    } else {
        2.0 - ans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_tail_matches_tables() {
        assert!((normal_sf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_sf(1.959_963_985) - 0.025).abs() < 1e-8);
        assert!((normal_sf(2.575_829_304) - 0.005).abs() < 1e-8);
        assert!((normal_sf(-1.644_853_627) - 0.95).abs() < 1e-7);
    }
}

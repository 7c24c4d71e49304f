use proptest::prelude::*;

use super::*;
use crate::error::AnalyticsError;
use crate::event::MICROS_PER_DAY;

fn events(n: u64, seed: u64) -> Vec<Event> {
    // A small linear congruential generator keeps the test data deterministic without the RNG crate.
    let mut s = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut next = move || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            let (x, y) = if i % 3 == 0 {
                (500.0 + next() * 60.0, 500.0 + next() * 60.0)
            } else {
                (next() * 3000.0, next() * 3000.0)
            };
            let t = (next() * 120.0 * MICROS_PER_DAY as f64) as i64 / 1_000_000 * 1_000_000;
            // A few exact duplicates exercise the same-location row.
            let (x, y) = if i % 17 == 0 {
                (1000.0, 1000.0)
            } else {
                (x.round(), y.round())
            };
            Event::at(i, x, y, t)
        })
        .collect()
}

fn brute(ev: &[Event], p: &KnoxParams) -> Vec<Vec<u64>> {
    let rows = p.spatial_bands as usize + usize::from(p.same_location) + 1;
    let cols = p.temporal_bands as usize + 1;
    let mut t = vec![vec![0u64; cols]; rows];
    let s = p.spatial_bandwidth_m;
    for i in 0..ev.len() {
        for j in i + 1..ev.len() {
            let (dx, dy) = ((ev[i].x - ev[j].x).abs(), (ev[i].y - ev[j].y).abs());
            let d = match p.metric {
                DistanceMetric::Euclidean => dx.hypot(dy),
                DistanceMetric::Manhattan => dx + dy,
            };
            let mut r = 0;
            if p.same_location && d <= p.same_location_m {
                r = 0;
            } else {
                let mut k = 1;
                while k <= p.spatial_bands as usize && d > k as f64 * s {
                    k += 1;
                }
                r += k - usize::from(!p.same_location);
            }
            let dt = (ev[i].t_micros - ev[j].t_micros).abs() as f64 / MICROS_PER_DAY as f64;
            let mut c = 0;
            while c < p.temporal_bands as usize && dt > (c + 1) as f64 * p.temporal_bandwidth_days {
                c += 1;
            }
            t[r][c] += 1;
        }
    }
    t
}

#[test]
fn observed_table_matches_brute_force() {
    let ev = events(400, 3);
    for (same, metric, bs, bt) in [
        (true, DistanceMetric::Euclidean, 4, 3),
        (false, DistanceMetric::Manhattan, 2, 5),
        (false, DistanceMetric::Euclidean, 1, 1),
    ] {
        let p = KnoxParams {
            spatial_bandwidth_m: 50.0,
            spatial_bands: bs,
            temporal_bands: bt,
            same_location: same,
            metric,
            permutations: 49,
            ..KnoxParams::default()
        };
        let r = knox(&ev, &p).expect("knox");
        let b = brute(&ev, &p);
        let got: Vec<Vec<u64>> = r
            .cells
            .iter()
            .map(|row| row.iter().map(|c| c.observed).collect())
            .collect();
        assert_eq!(got, b, "{p:?}");
        let sum: u64 = got.iter().flatten().sum();
        assert_eq!(sum, r.total_pairs);
    }
}

#[test]
fn near_repeats_are_detected_and_zone_reported() {
    let mut ev: Vec<Event> = events(900, 9)
        .into_iter()
        .filter(|e| e.id.0 % 3 != 0 && e.id.0 % 17 != 0)
        .collect();
    // Plant repeats: for 60 events, a copy 20 m away two days later.
    for i in 0..60u64 {
        let e = ev[(i * 7) as usize].clone();
        ev.push(Event::at(
            10_000 + i,
            e.x + 20.0,
            e.y,
            e.t_micros + 2 * MICROS_PER_DAY,
        ));
    }
    let p = KnoxParams {
        spatial_bandwidth_m: 50.0,
        spatial_bands: 3,
        temporal_bands: 3,
        ..KnoxParams::default()
    };
    let r = knox(&ev, &p).expect("knox");
    let c = r.cells[1][0];
    assert!(
        c.p_sim.expect("perms") <= 0.01 && c.ratio.expect("ratio") > 2.0,
        "{c:?}"
    );
    let z = r.risk_zone.expect("zone");
    assert!(z.distance_m >= 50.0 && z.days >= 7.0);
}

#[test]
fn validation() {
    let ev = events(50, 1);
    let bad = KnoxParams {
        spatial_bandwidth_m: 0.0,
        ..KnoxParams::default()
    };
    assert!(matches!(
        knox(&ev, &bad),
        Err(AnalyticsError::InvalidParameter {
            name: "spatial_bandwidth_m",
            ..
        })
    ));
    let bad = KnoxParams {
        permutations: 200_000,
        ..KnoxParams::default()
    };
    assert!(matches!(
        knox(&ev, &bad),
        Err(AnalyticsError::TooManyPermutations { .. })
    ));
    assert!(matches!(
        knox(&[], &KnoxParams::default()),
        Err(AnalyticsError::EmptyInput)
    ));
    assert!(knox(&ev[..1], &KnoxParams::default()).is_err());
    let bad = KnoxParams {
        temporal_bands: 0,
        ..KnoxParams::default()
    };
    assert!(knox(&ev, &bad).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn order_invariant_each_pair_once_and_p_in_range(seed in 0u64..1000, rot in 0usize..200) {
        let ev = events(200, seed);
        let p = KnoxParams { spatial_bandwidth_m: 40.0, spatial_bands: 3, temporal_bands: 2, permutations: 39, seed, ..KnoxParams::default() };
        let a = knox(&ev, &p).expect("knox");
        let mut shuffled = ev.clone();
        shuffled.rotate_left(rot % ev.len());
        shuffled.reverse();
        let b = knox(&shuffled, &p).expect("knox");
        prop_assert_eq!(&a, &b);
        let sum: u64 = a.cells.iter().flatten().map(|c| c.observed).sum();
        prop_assert_eq!(sum, 200 * 199 / 2);
        for c in a.cells.iter().flatten() {
            let ps = c.p_sim.expect("perms");
            prop_assert!(ps > 0.0 && ps <= 1.0);
        }
    }
}

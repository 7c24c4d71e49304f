use super::*;
use proptest::prelude::*;
use rand::Rng;

const H: i64 = 3600 * US;

fn spot(k: usize, lon: f64, lat: f64, risk: f64, area: &str) -> Spot {
    Spot {
        key: format!("s{k}"),
        name: format!("Spot {k}"),
        lon,
        lat,
        radius_m: 50.0,
        risk,
        area: area.to_owned(),
    }
}

fn crew(k: usize, at: (f64, f64), end: bool) -> Crew {
    Crew {
        unit: format!("u{k}"),
        start: at,
        end: end.then_some(at),
    }
}

fn rules(hours: i64, seed: u64) -> PlanRules {
    PlanRules {
        start_us: 1_700_000_000 * US,
        end_us: 1_700_000_000 * US + hours * H,
        seed,
        ..PlanRules::default()
    }
}

/// Spots at random in a 10 km square, risk skewed (a few spots carry most of it), in `areas`
/// areas; crews at random points, returning there (every other one) or not.
fn instance(seed: u64, s: usize, u: usize, areas: usize) -> (Vec<Spot>, Vec<Crew>, TravelMatrix) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut at = || {
        (
            118.9 + rng.gen_range(0.0..0.11),
            35.0 + rng.gen_range(0.0..0.09),
        )
    };
    let points: Vec<(f64, f64)> = (0..s + u).map(|_| at()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let spots: Vec<Spot> = (0..s)
        .map(|k| {
            let risk = (rng.gen_range(0.0f64..1.0).powi(6) * 40.0).round();
            spot(
                k,
                points[k].0,
                points[k].1,
                risk,
                &format!("a{}", k % areas),
            )
        })
        .collect();
    let crews: Vec<Crew> = (0..u).map(|k| crew(k, points[s + k], k % 2 == 0)).collect();
    let m = TravelMatrix::straight(&spots, &crews, 30.0, 1.3);
    (spots, crews, m)
}

fn feasible(spots: &[Spot], crews: &[Crew], r: &PlanRules, m: &TravelMatrix, p: &Plan) {
    assert_eq!(
        violations(spots, crews, r, m, &p.routes),
        Vec::<String>::new()
    );
    for v in p.routes.iter().flat_map(|r| &r.visits) {
        assert!(
            v.arrive_us >= r.start_us && v.depart_us <= r.end_us,
            "{v:?}"
        );
        assert_eq!(v.depart_us - v.arrive_us, i64::from(r.dwell_s) * US);
    }
    for a in &p.metering {
        assert!(
            a.visits <= a.max_visits && a.minutes <= f64::from(a.max_minutes),
            "{a:?}"
        );
    }
    assert!((0.0..=1.0).contains(&p.quality.risk_covered));
}

/// One unit, one spot, ten minutes apart; the unit returns to its start.
fn tiny() -> (Vec<Spot>, Vec<Crew>, PlanRules, TravelMatrix) {
    let spots = vec![spot(0, 118.9, 35.0, 5.0, "a")];
    let crews = vec![crew(0, (118.91, 35.0), true)];
    let m = TravelMatrix::new(3, vec![0.0, 600.0, 600.0, 600.0, 0.0, 0.0, 600.0, 0.0, 0.0]);
    (spots, crews, rules(8, 1), m.expect("3 × 3"))
}

#[test]
fn quality_of_a_hand_checked_route() {
    let (spots, crews, r, m) = tiny();
    let visit = PlannedVisit {
        spot: 0,
        arrive_us: r.start_us + 600 * US,
        depart_us: r.start_us + 1320 * US,
        travel_s: 600.0,
    };
    let route = Route {
        unit: "u0".into(),
        visits: vec![visit],
        travel_s: 1200.0,
        finish_us: r.start_us + 1920 * US,
    };
    assert!(violations(&spots, &crews, &r, &m, std::slice::from_ref(&route)).is_empty());
    let q = quality(&spots, &r, &[route]);
    // Covered from 600 s to 1320 + 7200 s, of an 8 h window.
    assert!((q.risk_covered - 7920.0 / 28_800.0).abs() < 1e-12);
    assert!((q.minutes_at_spots - 12.0).abs() < 1e-12);
    assert!((q.largest_gap_min - (28_800.0 - 1320.0) / 60.0).abs() < 1e-9);
    assert!((q.travel_share - 1200.0 / 1920.0).abs() < 1e-12);
    assert_eq!((q.visits, q.spots_visited), (1, 1));
}

#[test]
fn the_tiny_plan_covers_all_it_can() {
    let (spots, crews, r, m) = tiny();
    for p in [
        plan(&spots, &crews, &r, &m),
        greedy_baseline(&spots, &crews, &r, &m),
    ] {
        let p = p.expect("plan");
        feasible(&spots, &crews, &r, &m, &p);
        // Nothing can be covered before the unit first arrives, 600 s in.
        assert!(
            (p.quality.risk_covered - 28_200.0 / 28_800.0).abs() < 1e-12,
            "{p:?}"
        );
        let back = p.routes[0].visits.last().map(|v| v.depart_us + 600 * US);
        assert_eq!(Some(p.routes[0].finish_us), back);
    }
}

#[test]
fn errors_name_their_field() {
    let (spots, crews, m) = instance(3, 4, 2, 2);
    let r = rules(8, 1);
    let field = |s: &[Spot], c: &[Crew], r: &PlanRules, m: &TravelMatrix| {
        plan(s, c, r, m).err().map(|e| e.field().to_owned())
    };
    assert_eq!(field(&spots, &[], &r, &m).as_deref(), Some("crews"));
    assert_eq!(field(&[], &crews, &r, &m).as_deref(), Some("spots"));
    let bad = PlanRules { dwell_s: 30, ..r };
    assert_eq!(
        field(&spots, &crews, &bad, &m).as_deref(),
        Some("rules.dwell_s")
    );
    let bad = PlanRules {
        end_us: r.start_us,
        ..r
    };
    assert_eq!(
        field(&spots, &crews, &bad, &m).as_deref(),
        Some("rules.end_us")
    );
    let mut s2 = spots.clone();
    s2[3].risk = f64::NAN;
    assert_eq!(field(&s2, &crews, &r, &m).as_deref(), Some("spots[3].risk"));
    let mut s2 = spots.clone();
    s2[2].key = s2[0].key.clone();
    let e = plan(&s2, &crews, &r, &m).err();
    assert_eq!(
        e.map(|e| e.to_string()).as_deref(),
        Some("spots[2].key: duplicates spots[0].key")
    );
    let mut c2 = crews.clone();
    c2[1].start.1 = 91.0;
    assert_eq!(
        field(&spots, &c2, &r, &m).as_deref(),
        Some("crews[1].start")
    );
    c2[1] = Crew {
        unit: c2[0].unit.clone(),
        ..crews[1].clone()
    };
    assert_eq!(field(&spots, &c2, &r, &m).as_deref(), Some("crews[1].unit"));
    let small = TravelMatrix::straight(&spots[..3], &crews, 30.0, 1.0);
    assert_eq!(field(&spots, &crews, &r, &small).as_deref(), Some("matrix"));
    let negative = TravelMatrix::from_fn(8, |a, b| if a == 5 && b == 1 { -1.0 } else { 1.0 });
    assert_eq!(
        field(&spots, &crews, &r, &negative).as_deref(),
        Some("matrix")
    );
    let cut = TravelMatrix::from_fn(8, |a, b| if b < 4 && a >= 4 { f64::NAN } else { 1.0 });
    let e = plan(&spots, &crews, &r, &cut).err();
    assert_eq!(e, Some(PlanError::NothingReachable));
    assert_eq!(PlanError::NothingReachable.field(), "spots");
}

#[test]
fn rules_and_matrix_are_checked() {
    assert!(rules(24, 0).check().is_ok());
    let r = rules(8, 0);
    for (bad, f) in [
        (
            PlanRules {
                end_us: r.start_us + 24 * H + 1,
                ..r
            },
            "rules.end_us",
        ),
        (
            PlanRules {
                revisit_s: 599,
                ..r
            },
            "rules.revisit_s",
        ),
        (
            PlanRules {
                deterrence_s: 86_401,
                ..r
            },
            "rules.deterrence_s",
        ),
        (
            PlanRules {
                max_visits_per_area: 0,
                ..r
            },
            "rules.max_visits_per_area",
        ),
        (
            PlanRules {
                max_minutes_per_area: 0,
                ..r
            },
            "rules.max_minutes_per_area",
        ),
        (
            PlanRules {
                iterations: 100_001,
                ..r
            },
            "rules.iterations",
        ),
    ] {
        assert_eq!(
            bad.check().err().map(|e| e.field().to_owned()).as_deref(),
            Some(f)
        );
    }
    assert!(TravelMatrix::new(2, vec![0.0; 3]).is_err());
    let e = TravelMatrix::new(2, vec![0.0, -1.0, 0.0, 0.0]).err();
    assert_eq!(
        e.map(|e| e.to_string()).as_deref(),
        Some("matrix: [0][1] is negative")
    );
    let m = TravelMatrix::new(2, vec![0.0, f32::NAN, 3.0, 0.0]).expect("2 × 2");
    assert_eq!(
        (m.get(0, 1), m.get(1, 0), m.get(2, 0), m.len()),
        (f64::INFINITY, 3.0, f64::INFINITY, 2)
    );
    let (spots, crews, m) = instance(5, 3, 2, 1);
    assert_eq!(m.len(), 7);
    let d = haversine_m((spots[0].lon, spots[0].lat), (spots[1].lon, spots[1].lat));
    assert!((m.get(0, 1) - d * 1.3 / (30.0 / 3.6)).abs() < 0.01);
    assert_eq!(m.get(0, 1), m.get(1, 0));
    // Crew 1 has no end: its end node is unreachable.
    assert_eq!(m.get(0, 6), f64::INFINITY);
    assert!(m.get(0, 5).is_finite() && crews[0].end.is_some());
}

#[test]
fn unreachable_spots_are_reported_not_visited() {
    let (spots, crews, m) = instance(7, 6, 2, 3);
    let m = TravelMatrix::from_fn(m.len(), |a, b| {
        if b == 4 && a != 4 {
            f64::INFINITY
        } else {
            m.get(a, b)
        }
    });
    let r = rules(8, 3);
    for p in [
        plan(&spots, &crews, &r, &m),
        greedy_baseline(&spots, &crews, &r, &m),
        best_random(&spots, &crews, &r, &m, 5),
    ] {
        let p = p.expect("plan");
        assert_eq!(p.unreachable, vec![4]);
        assert!(p.routes.iter().flat_map(|r| &r.visits).all(|v| v.spot != 4));
        feasible(&spots, &crews, &r, &m, &p);
    }
}

#[test]
fn deterministic_for_a_seed_and_different_across_seeds() {
    let (spots, crews, m) = instance(11, 40, 3, 10);
    let a = plan(&spots, &crews, &rules(8, 1), &m).expect("plan");
    let b = plan(&spots, &crews, &rules(8, 1), &m).expect("plan");
    let c = plan(&spots, &crews, &rules(8, 2), &m).expect("plan");
    assert_eq!(a, b);
    assert_ne!(a.routes, c.routes);
    assert_eq!((a.seed, c.seed, a.method.as_str()), (1, 2, "insertion+ils"));
}

#[test]
fn beats_the_baselines_on_a_seeded_instance() {
    let (spots, crews, m) = instance(42, 50, 3, 12);
    let r = rules(8, 7);
    let ils = plan(&spots, &crews, &r, &m).expect("plan");
    let greedy = greedy_baseline(&spots, &crews, &r, &m).expect("greedy");
    let random = best_random(&spots, &crews, &r, &m, 50).expect("random");
    for p in [&ils, &greedy, &random] {
        feasible(&spots, &crews, &r, &m, p);
        eprintln!("{:>14} {:?}", p.method, p.quality);
    }
    assert!(ils.quality.risk_covered >= greedy.quality.risk_covered - 1e-9);
    assert!(ils.quality.risk_covered >= random.quality.risk_covered - 1e-9);
    assert_eq!(
        greedy,
        greedy_baseline(&spots, &crews, &r, &m).expect("greedy")
    );
}

#[test]
fn violations_name_each_edit() {
    let (spots, crews, m) = instance(13, 12, 2, 1);
    let r = PlanRules {
        max_visits_per_area: 20,
        max_minutes_per_area: 600,
        ..rules(8, 5)
    };
    let p = plan(&spots, &crews, &r, &m).expect("plan");
    assert!(p.routes[0].visits.len() >= 3, "{p:?}");
    let edit = |f: &dyn Fn(&mut Vec<Route>)| {
        let mut routes = p.routes.clone();
        f(&mut routes);
        violations(&spots, &crews, &r, &m, &routes)
    };
    let vs = &p.routes[0].visits;
    let k = (1..vs.len())
        .find(|&k| vs[k].spot != vs[k - 1].spot)
        .expect("a move between spots");
    let early = edit(&|rs| rs[0].visits[k].arrive_us = rs[0].visits[k - 1].depart_us);
    let want =
        format!("routes[0].visits[{k}]: arrives before it can get there from the previous stop");
    assert!(early.iter().any(|v| v.starts_with(&want)), "{early:?}");
    let gone = edit(&|rs| rs[0].visits[1].spot = 99);
    assert!(
        gone.contains(&"routes[0].visits[1].spot: there is no spots[99]".to_owned()),
        "{gone:?}"
    );
    let late = edit(&|rs| rs[0].visits[2].depart_us = r.end_us + 1);
    assert!(
        late.iter()
            .any(|v| v == "routes[0].visits[2]: leaves after the shift ends"),
        "{late:?}"
    );
    let both = edit(&|rs| {
        let v = PlannedVisit {
            spot: rs[0].visits[0].spot,
            ..rs[0].visits[0]
        };
        rs[1].visits = vec![PlannedVisit {
            arrive_us: v.arrive_us + US,
            depart_us: v.depart_us + US,
            ..v
        }];
    });
    assert!(both.iter().any(|v| v.ends_with("at once")), "{both:?}");
    let strict = PlanRules {
        max_visits_per_area: 1,
        ..r
    };
    let over = violations(&spots, &crews, &strict, &m, &p.routes);
    assert!(
        over.iter().any(|v| v.starts_with("areas[a0]: ")),
        "{over:?}"
    );
    let stranger = edit(&|rs| rs[1].unit = "nobody".into());
    assert_eq!(
        stranger,
        vec!["routes[1].unit: nobody is not on duty".to_owned()]
    );
}

#[test]
fn explain_gives_numbers_and_a_sentence() {
    let (mut spots, _, r, _) = tiny();
    spots.push(spot(1, 118.9, 35.01, 9.0, "a"));
    let at = |spot: usize, s: i64| PlannedVisit {
        spot,
        arrive_us: r.start_us + s * US,
        depart_us: r.start_us + (s + 720) * US,
        travel_s: 0.0,
    };
    let route = |unit: &str, visits| Route {
        unit: unit.into(),
        visits,
        travel_s: 0.0,
        finish_us: 0,
    };
    let routes = vec![
        route("u0", vec![at(0, 600), at(1, 3000)]),
        route("u1", vec![at(0, 6600)]),
    ];
    let first = explain(&spots, &routes, 0, 0).expect("visit");
    assert_eq!(
        (first.nth, first.of, first.risk_rank, first.since_first_s),
        (1, 2, 2, None)
    );
    assert_eq!(first.text, "visit 1 of 2: risk 5.0, 2nd of 2 spots");
    let again = explain(&spots, &routes, 1, 0).expect("visit");
    assert_eq!(
        (again.nth, again.of, again.since_first_s),
        (2, 2, Some(6000))
    );
    assert_eq!(
        again.text,
        "revisit 2 of 2: risk 5.0, 2nd of 2 spots; first visit 1 h 40 min earlier"
    );
    assert_eq!(
        explain(&spots, &routes, 0, 1).map(|e| e.text).as_deref(),
        Some("visit 1 of 1: risk 9.0, 1st of 2 spots")
    );
    assert_eq!(explain(&spots, &routes, 0, 2), None);
    assert_eq!(explain(&spots, &routes, 2, 0), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_method_gives_feasible_plans(
        seed in any::<u64>(),
        s in 1usize..24,
        u in 1usize..4,
        areas in 1usize..6,
        hours in 1i64..12,
        caps in (1u32..8, 12u32..120),
        iterations in 0u32..300,
        cut in prop::collection::vec((0usize..40, 0usize..40), 0..30),
    ) {
        let (spots, crews, m) = instance(seed, s, u, areas);
        // Some legs unreachable, the matrix no longer symmetric.
        let m = TravelMatrix::from_fn(m.len(), |a, b| {
            if a != b && cut.contains(&(a, b)) { f64::INFINITY } else { m.get(a, b) }
        });
        let r = PlanRules {
            max_visits_per_area: caps.0,
            max_minutes_per_area: caps.1,
            iterations,
            ..rules(hours, seed)
        };
        for p in [plan(&spots, &crews, &r, &m), greedy_baseline(&spots, &crews, &r, &m), best_random(&spots, &crews, &r, &m, 3)] {
            match p {
                Ok(p) => feasible(&spots, &crews, &r, &m, &p),
                Err(e) => prop_assert_eq!(e, PlanError::NothingReachable),
            }
        }
    }
}

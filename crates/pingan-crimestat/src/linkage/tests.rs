use super::*;

fn case(id: u64, x: f64, y: f64, day: i64, kind: &str, text: &str) -> Event {
    Event {
        id: EventId(id),
        x,
        y,
        t_micros: day * MICROS_PER_DAY,
        kind: kind.into(),
        town: String::new(),
        text: text.into(),
    }
}

#[test]
fn segmenter_finds_mo_terms() {
    let s = Segmenter::new();
    let t = s.terms("嫌疑人夜间在地下车库剪断车锁，盗走电动车");
    assert!(t.iter().any(|w| w == "车库"), "{t:?}");
    assert!(t.iter().any(|w| w == "电动车"), "{t:?}");
    assert!(!t.iter().any(|w| w == "嫌疑人"));
}

#[test]
fn the_series_case_ranks_first_with_reasons() {
    let seg = Segmenter::new();
    let ev = vec![
        case(
            1,
            0.0,
            0.0,
            0,
            "盗窃电动车",
            "嫌疑人夜间在地下车库剪断车锁，盗走电动车",
        ),
        case(
            2,
            300.0,
            100.0,
            5,
            "盗窃电动车",
            "凌晨在地下车库剪断车锁盗走电动车",
        ),
        case(3, 200.0, 0.0, 3, "扒窃", "在公交车上拉开背包盗走手机"),
        case(4, 8000.0, 0.0, 90, "盗窃电动车", "小区楼道技术开锁盗走电瓶"),
    ];
    let p = Prepared::new(&seg, &ev).expect("prepared");
    let links = rank_links(&p, EventId(1), &LinkParams::default()).expect("links");
    assert_eq!(links[0].id, EventId(2));
    assert!(links[0].probability > links[1].probability);
    assert!(links[0]
        .shared_terms
        .iter()
        .any(|t| t == "剪断" || t == "车锁" || t == "地下车库"));
    assert_eq!(links[0].reasons.len(), 4);
    assert!(links
        .iter()
        .all(|l| l.probability > 0.0 && l.probability < 1.0));
    assert!(matches!(
        rank_links(&p, EventId(99), &LinkParams::default()),
        Err(AnalyticsError::UnknownCase { id: 99 })
    ));
    let bad = LinkParams {
        max_distance_m: 0.0,
        ..LinkParams::default()
    };
    assert!(rank_links(&p, EventId(1), &bad).is_err());
}

#[test]
fn duplicate_ids_are_rejected() {
    let seg = Segmenter::new();
    let ev = vec![case(1, 0.0, 0.0, 0, "", ""), case(1, 0.0, 0.0, 0, "", "")];
    assert!(Prepared::new(&seg, &ev).is_err());
}

#[test]
fn planted_series_are_recovered_and_calibration_beats_chance() {
    let seg = Segmenter::new();
    let d = generate_planted(3, 600, 12, 3, 6);
    let p = Prepared::new(&seg, &d.events).expect("prepared");
    let params = LinkParams {
        series_threshold: 0.9,
        ..LinkParams::default()
    };
    let found = series(&p, &params).expect("series");
    assert!(!found.is_empty());
    // The largest found series is mostly one planted series.
    let labels: Vec<Option<u32>> = found[0]
        .members
        .iter()
        .map(|id| d.series_of[id.0 as usize])
        .collect();
    let top = labels
        .iter()
        .filter(|l| l.is_some() && **l == labels[0])
        .count();
    assert!(top * 2 >= labels.len(), "{labels:?}");
    let report = calibrate(
        &seg,
        &CalibrationParams {
            background: 600,
            series: 12,
            fpr: 0.001,
            ..CalibrationParams::default()
        },
    )
    .expect("calibration");
    assert!(report.hit_rate > 0.3, "{report:?}");
    assert!(
        report.model.distance < 0.0 && report.model.text > 0.0,
        "{report:?}"
    );
}

//! Every index query against the anchors' SQL (run by SQLite through rusqlite) or against a
//! naive scan, on generated data with ties in time, confusable plates, late reads, duplicates,
//! window boundaries on exact read times, caps and retention.

mod common;

use common::{build_bulk, build_live, gen_reads, sql_rows, sqlite_of, Val};
use pingan_reads::index::{
    Bucket, CoTravelParams, PartialPlateParams, ReadIndex, ReadRow, Scene, Window, DAY_US, HOUR_US,
};
use pingan_reads::pattern::PlatePattern;
use pingan_reads::plate::{PlateColour, PlateType};
use pingan_reads::read::{CheckpointId, Read};
use rusqlite::Connection;

const ALL: &str =
    "read_id, plate, checkpoint_id, lane, direction, ts, vehicle_color, vehicle_type, confidence";

fn row_vals(r: &ReadRow<'_>) -> Vec<Val> {
    let text = |s: Option<&str>| s.map_or(Val::Null, |s| Val::Text(s.to_owned()));
    vec![
        Val::Integer(r.read_id.0),
        Val::Text(r.plate.to_owned()),
        Val::Integer(i64::from(r.checkpoint.0)),
        Val::Integer(i64::from(r.lane)),
        Val::Text(r.direction.as_str().to_owned()),
        Val::Integer(r.ts_us),
        text(r.vehicle_colour),
        text(r.vehicle_type),
        Val::Real(r.confidence.as_f64()),
    ]
}

struct Fixture {
    reads: Vec<Read>,
    indexes: Vec<ReadIndex>,
    db: Connection,
}

fn fixture(seed: u64, n: usize) -> Fixture {
    let reads = gen_reads(seed, n);
    let db = sqlite_of(&reads);
    let indexes = vec![build_bulk(&reads), build_live(&reads, seed), {
        // Half in bulk, the rest live: the path of a server that restarts and keeps ingesting.
        let (first, rest) = reads.split_at(n / 2);
        let mut idx = build_bulk(first);
        for r in rest {
            idx.insert(r).expect("insert");
        }
        idx
    }];
    Fixture { reads, indexes, db }
}

/// Interesting times: read times themselves (boundary tests) and their neighbours.
fn probe_times(reads: &[Read]) -> Vec<i64> {
    let mut ts: Vec<i64> = reads.iter().step_by(97).map(|r| r.ts_us).collect();
    let extra: Vec<i64> = ts.iter().flat_map(|&t| [t - 1, t + 1]).collect();
    ts.extend(extra);
    ts.sort_unstable();
    ts
}

fn plates_by_activity(reads: &[Read]) -> Vec<String> {
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    for r in reads {
        *counts.entry(r.plate.as_str()).or_default() += 1;
    }
    let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().map(|(p, _)| p.to_owned()).collect()
}

#[test]
fn q1_trajectory_equals_sql() {
    let f = fixture(1, 6_000);
    let plates = plates_by_activity(&f.reads);
    let times = probe_times(&f.reads);
    let sql = format!(
        "SELECT {ALL} FROM reads WHERE plate = :plate AND ts >= :t0 AND ts < :t1 ORDER BY ts, read_id"
    );
    let picks = [0, 1, 5, plates.len() / 2, plates.len() - 1];
    let mut checked = 0;
    for &pi in &picks {
        for w in times.windows(7).step_by(11) {
            let (t0, t1) = (w[0], w[6] + (w[6] - w[0]) * 40);
            let want = sql_rows(
                &f.db,
                &sql,
                &[
                    (":plate", Val::Text(plates[pi].clone())),
                    (":t0", Val::Integer(t0)),
                    (":t1", Val::Integer(t1)),
                ],
            );
            for idx in &f.indexes {
                let got = idx.trajectory(&plates[pi], Window::new(t0, t1), usize::MAX);
                assert_eq!(got.rows.iter().map(row_vals).collect::<Vec<_>>(), want);
                assert!(!got.truncated);
                let capped = idx.trajectory(&plates[pi], Window::new(t0, t1), 2);
                assert_eq!(capped.rows.len(), want.len().min(2));
                assert_eq!(capped.truncated, want.len() > 2);
            }
            checked += usize::from(!want.is_empty());
        }
    }
    assert!(checked > 10, "too few non-empty probes: {checked}");
    for idx in &f.indexes {
        assert!(idx
            .trajectory("京Z99999", Window::all(), 10)
            .rows
            .is_empty());
        assert!(idx
            .trajectory(&plates[0], Window::new(10, 10), 10)
            .rows
            .is_empty());
    }
}

#[test]
fn q2_checkpoints_equals_sql() {
    let f = fixture(2, 6_000);
    let times = probe_times(&f.reads);
    for w in times.windows(9).step_by(13) {
        let (t0, t1) = (w[0], w[8]);
        for cps in [
            vec![3u32],
            vec![3, 3],
            vec![1, 4],
            vec![3, 11, 42],
            vec![999],
        ] {
            let list = cps.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            let sql = format!(
                "SELECT {ALL} FROM reads WHERE checkpoint_id IN ({list}) AND ts >= :t0 AND ts < :t1 ORDER BY ts, read_id"
            );
            let want = sql_rows(
                &f.db,
                &sql,
                &[(":t0", Val::Integer(t0)), (":t1", Val::Integer(t1))],
            );
            let ids: Vec<CheckpointId> = cps.iter().map(|&c| CheckpointId(c)).collect();
            for idx in &f.indexes {
                let got = idx.at_checkpoints(&ids, Window::new(t0, t1), usize::MAX);
                assert_eq!(
                    got.rows.iter().map(row_vals).collect::<Vec<_>>(),
                    want,
                    "{cps:?}"
                );
                let capped = idx.at_checkpoints(&ids, Window::new(t0, t1), 3);
                assert_eq!(
                    capped.rows.iter().map(row_vals).collect::<Vec<_>>(),
                    want.iter().take(3).cloned().collect::<Vec<_>>()
                );
                assert_eq!(capped.truncated, want.len() > 3);
            }
        }
    }
}

const Q3_SQL: &str = "WITH t AS (SELECT read_id, checkpoint_id, ts FROM reads
                 WHERE plate = :plate AND ts >= :t0 AND ts < :t1)
        SELECT r.plate, COUNT(DISTINCT t.read_id) AS occasions
        FROM t JOIN reads r
          ON r.checkpoint_id = t.checkpoint_id
         AND r.ts >= t.ts - :window_us AND r.ts <= t.ts + :window_us
        WHERE r.plate <> :plate
        GROUP BY r.plate
        HAVING COUNT(DISTINCT t.read_id) >= :min_occasions
        ORDER BY occasions DESC, r.plate";

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
fn q3_co_travel_equals_sql() {
    let f = fixture(3, 8_000);
    let plates = plates_by_activity(&f.reads);
    let (lo, hi) = (f.reads[0].ts_us, f.reads[f.reads.len() - 1].ts_us);
    let mut nonempty = 0;
    for &pi in &[0usize, 2, 10, 40] {
        for &(delta, k) in &[
            (0i64, 1u32),
            (60_000_000, 1),
            (60_000_000, 2),
            (600_000_000, 3),
            (3_600_000_000, 4),
        ] {
            for &(t0, t1) in &[(lo, hi + 1), (lo + (hi - lo) / 3, lo + (hi - lo) / 2)] {
                let want = sql_rows(
                    &f.db,
                    Q3_SQL,
                    &[
                        (":plate", Val::Text(plates[pi].clone())),
                        (":t0", Val::Integer(t0)),
                        (":t1", Val::Integer(t1)),
                        (":window_us", Val::Integer(delta)),
                        (":min_occasions", Val::Integer(i64::from(k))),
                    ],
                );
                nonempty += usize::from(!want.is_empty());
                for idx in &f.indexes {
                    let p = CoTravelParams {
                        plate: &plates[pi],
                        window: Window::new(t0, t1),
                        delta_us: delta,
                        min_occasions: k,
                        limit: usize::MAX,
                    };
                    let got = idx.co_travel(&p).expect("valid params");
                    let vals: Vec<Vec<Val>> = got
                        .rows
                        .iter()
                        .map(|c| {
                            vec![
                                Val::Text(c.plate.to_owned()),
                                Val::Integer(i64::from(c.occasions)),
                            ]
                        })
                        .collect();
                    assert_eq!(vals, want, "plate {} delta {delta} k {k}", plates[pi]);
                    for c in &got.rows {
                        assert_eq!(c.passes.len(), c.occasions as usize);
                        for o in &c.passes {
                            assert!((o.companion_ts_us - o.target_ts_us).abs() <= delta);
                            // The companion read is the closest one (earliest on ties).
                            let near = idx.at_checkpoints(
                                &[o.checkpoint],
                                Window::inclusive(o.target_ts_us - delta, o.target_ts_us + delta),
                                usize::MAX,
                            );
                            let best = near
                                .rows
                                .iter()
                                .filter(|r| r.plate == c.plate)
                                .min_by_key(|r| {
                                    ((r.ts_us - o.target_ts_us).abs(), r.ts_us, r.read_id)
                                })
                                .expect("a companion read exists");
                            assert_eq!(
                                (best.read_id, best.ts_us),
                                (o.companion_read, o.companion_ts_us)
                            );
                        }
                    }
                    let capped = idx
                        .co_travel(&CoTravelParams { limit: 1, ..p })
                        .expect("valid");
                    assert_eq!(capped.rows.len(), want.len().min(1));
                    assert_eq!(capped.truncated, want.len() > 1);
                }
            }
        }
    }
    assert!(
        nonempty > 5,
        "too few non-empty co-travel answers: {nonempty}"
    );
    assert!(f.indexes[0]
        .co_travel(&CoTravelParams {
            plate: &plates[0],
            window: Window::all(),
            delta_us: -1,
            min_occasions: 1,
            limit: 1
        })
        .is_err());
}

fn naive_scene_plates(reads: &[Read], s: &Scene) -> std::collections::BTreeSet<String> {
    reads
        .iter()
        .filter(|r| s.checkpoints.contains(&r.checkpoint) && s.window.contains(r.ts_us))
        .map(|r| r.plate.as_str().to_owned())
        .collect()
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
fn q4_multi_scene_equals_sql_and_scan() {
    let f = fixture(4, 8_000);
    let times = probe_times(&f.reads);
    let cps = [1u32, 3, 4, 11, 42];
    let mut nonempty = 0;
    for (case, w) in times.windows(40).step_by(17).enumerate() {
        for n in 2..=5usize {
            let scenes: Vec<Scene> = (0..n)
                .map(|i| {
                    let a = w[(i * 7) % 40];
                    Scene {
                        checkpoints: vec![
                            CheckpointId(cps[(case + i) % 5]),
                            CheckpointId(cps[(case + 2 * i + 1) % 5]),
                        ],
                        window: Window::inclusive(a, a + 2 * HOUR_US),
                    }
                })
                .collect();
            let sql = scenes
                .iter()
                .map(|s| {
                    let list = s.checkpoints.iter().map(|c| c.0.to_string()).collect::<Vec<_>>().join(",");
                    format!(
                        "SELECT plate FROM reads WHERE checkpoint_id IN ({list}) AND ts >= {} AND ts <= {}",
                        s.window.start_us,
                        s.window.end_us - 1
                    )
                })
                .collect::<Vec<_>>()
                .join(" INTERSECT ")
                + " ORDER BY plate";
            let want = sql_rows(&f.db, &sql, &[]);
            nonempty += usize::from(!want.is_empty());
            let sets: Vec<_> = scenes
                .iter()
                .map(|s| naive_scene_plates(&f.reads, s))
                .collect();
            for idx in &f.indexes {
                let got = idx.multi_scene(&scenes, None, usize::MAX).expect("valid");
                let vals: Vec<Vec<Val>> = got
                    .rows
                    .iter()
                    .map(|h| vec![Val::Text(h.plate.to_owned())])
                    .collect();
                assert_eq!(vals, want);
                for m in 1..=n {
                    let got = idx
                        .multi_scene(&scenes, Some(m), usize::MAX)
                        .expect("valid");
                    let mut all: std::collections::BTreeSet<String> = Default::default();
                    for s in &sets {
                        all.extend(s.iter().cloned());
                    }
                    let want_m: Vec<(String, u8)> = all
                        .into_iter()
                        .map(|p| {
                            let mask = sets
                                .iter()
                                .enumerate()
                                .fold(0u8, |m, (i, s)| m | (u8::from(s.contains(&p)) << i));
                            (p, mask)
                        })
                        .filter(|(_, mask)| mask.count_ones() as usize >= m)
                        .collect();
                    let got_m: Vec<(String, u8)> = got
                        .rows
                        .iter()
                        .map(|h| (h.plate.to_owned(), h.scenes))
                        .collect();
                    assert_eq!(got_m, want_m, "m = {m}");
                }
            }
        }
    }
    assert!(nonempty > 3, "too few non-empty intersections: {nonempty}");
    let one = vec![Scene {
        checkpoints: vec![CheckpointId(1)],
        window: Window::all(),
    }];
    assert!(f.indexes[0].multi_scene(&one, None, 10).is_err());
    let two = vec![one[0].clone(), one[0].clone()];
    assert!(f.indexes[0].multi_scene(&two, Some(3), 10).is_err());
    assert!(f.indexes[0].multi_scene(&two, Some(0), 10).is_err());
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
fn q5_partial_plate_equals_sql_and_scan() {
    let f = fixture(5, 8_000);
    let (lo, hi) = (f.reads[0].ts_us, f.reads[f.reads.len() - 1].ts_us);
    let sql = "SELECT plate, COUNT(*) AS n FROM reads WHERE plate LIKE :pattern AND ts >= :t0 AND ts < :t1
               GROUP BY plate ORDER BY n DESC, plate";
    let patterns = [
        "鲁Q_2_5",
        "鲁Q%",
        "%8",
        "京A_____",
        "%B%0%",
        "鲁Q1O2Z8",
        "_Q%5_",
    ];
    for pat in patterns {
        for &(t0, t1) in &[(lo, hi + 1), (lo + (hi - lo) / 4, lo + (hi - lo) / 2)] {
            let want = sql_rows(
                &f.db,
                sql,
                &[
                    (":pattern", Val::Text(pat.to_owned())),
                    (":t0", Val::Integer(t0)),
                    (":t1", Val::Integer(t1)),
                ],
            );
            let compiled = PlatePattern::parse(pat).expect("pattern");
            for idx in &f.indexes {
                let p = PartialPlateParams {
                    pattern: &compiled,
                    window: Window::new(t0, t1),
                    expand_confusables: false,
                    plate_colour: None,
                    plate_type: None,
                    limit: usize::MAX,
                };
                let got = idx.partial_plate(&p);
                let vals: Vec<Vec<Val>> = got
                    .rows
                    .iter()
                    .map(|c| {
                        vec![
                            Val::Text(c.plate.to_owned()),
                            Val::Integer(i64::from(c.reads)),
                        ]
                    })
                    .collect();
                assert_eq!(vals, want, "{pat}");
                // Expansion and filters against a naive scan.
                for (expand, colour, ptype) in [
                    (true, None, None),
                    (false, Some(PlateColour::Blue), None),
                    (
                        true,
                        Some(PlateColour::Green),
                        Some(PlateType::NEW_ENERGY_SMALL),
                    ),
                    (false, None, Some(PlateType::SMALL)),
                ] {
                    let mut counts: std::collections::HashMap<&str, u32> = Default::default();
                    for r in &f.reads {
                        if (t0..t1).contains(&r.ts_us)
                            && compiled.matches(r.plate.as_str(), expand)
                            && colour.is_none_or(|c| r.plate_colour == Some(c))
                            && ptype.is_none_or(|t| r.plate_type == Some(t))
                        {
                            *counts.entry(r.plate.as_str()).or_default() += 1;
                        }
                    }
                    let mut want: Vec<(String, u32)> =
                        counts.into_iter().map(|(p, c)| (p.to_owned(), c)).collect();
                    want.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    let got = idx.partial_plate(&PartialPlateParams {
                        expand_confusables: expand,
                        plate_colour: colour,
                        plate_type: ptype,
                        ..p
                    });
                    let got: Vec<(String, u32)> = got
                        .rows
                        .iter()
                        .map(|c| (c.plate.to_owned(), c.reads))
                        .collect();
                    assert_eq!(got, want, "{pat} expand {expand} {colour:?} {ptype:?}");
                }
                let capped = idx.partial_plate(&PartialPlateParams { limit: 2, ..p });
                assert_eq!(capped.rows.len(), want.len().min(2));
                assert_eq!(capped.truncated, want.len() > 2);
            }
        }
    }
}

#[test]
fn q6_flows_equal_sql_and_scan() {
    let f = fixture(6, 8_000);
    let want = sql_rows(
        &f.db,
        "SELECT checkpoint_id, ts - (ts % 3600000000) AS hour_us, COUNT(*) AS n FROM reads GROUP BY 1, 2 ORDER BY 1, 2",
        &[],
    );
    let times = probe_times(&f.reads);
    for idx in &f.indexes {
        let got = idx
            .flows(Bucket::Hour, Window::all(), usize::MAX)
            .expect("valid");
        assert!(!got.truncated);
        let capped = idx.flows(Bucket::Hour, Window::all(), 7).expect("valid");
        assert_eq!(capped.rows, got.rows[..7].to_vec());
        assert!(capped.truncated);
        let vals: Vec<Vec<Val>> = got
            .rows
            .iter()
            .map(|r| {
                vec![
                    Val::Integer(i64::from(r.checkpoint.0)),
                    Val::Integer(r.bucket_start_us),
                    Val::Integer(i64::try_from(r.reads).expect("small")),
                ]
            })
            .collect();
        assert_eq!(vals, want);
        for w in times.windows(30).step_by(23) {
            let win = Window::new(w[0], w[29]);
            for bucket in [
                Bucket::Hour,
                Bucket::Day {
                    utc_offset_us: 8 * HOUR_US,
                },
                Bucket::Day { utc_offset_us: 0 },
            ] {
                let mut naive: std::collections::BTreeMap<(u32, i64), u64> = Default::default();
                for r in f.reads.iter().filter(|r| win.contains(r.ts_us)) {
                    let b = match bucket {
                        Bucket::Hour => r.ts_us - r.ts_us % HOUR_US,
                        Bucket::Day { utc_offset_us } => {
                            let x = r.ts_us + utc_offset_us;
                            x - x.rem_euclid(DAY_US) - utc_offset_us
                        }
                    };
                    *naive.entry((r.checkpoint.0, b)).or_default() += 1;
                }
                let got: Vec<((u32, i64), u64)> = idx
                    .flows(bucket, win, usize::MAX)
                    .expect("valid")
                    .rows
                    .iter()
                    .map(|r| ((r.checkpoint.0, r.bucket_start_us), r.reads))
                    .collect();
                assert_eq!(got, naive.into_iter().collect::<Vec<_>>(), "{bucket:?}");
            }
        }
        assert!(idx
            .flows(Bucket::Day { utc_offset_us: 1 }, Window::all(), 10)
            .is_err());
    }
}

#[test]
fn q7_first_seen_equals_both_sql_forms() {
    let f = fixture(7, 8_000);
    let times = probe_times(&f.reads);
    let not_exists = "SELECT r.plate, MIN(r.ts) AS first_ts, COUNT(*) AS n FROM reads r
        WHERE r.ts >= :t0 AND NOT EXISTS (SELECT 1 FROM reads p WHERE p.plate = r.plate AND p.ts < :t0)
        GROUP BY r.plate ORDER BY first_ts, r.plate";
    let having = "SELECT plate, MIN(ts) AS first_ts, COUNT(*) AS n FROM reads
        GROUP BY plate HAVING MIN(ts) >= :t0 ORDER BY first_ts, plate";
    for &t0 in times.iter().step_by(40) {
        let want = sql_rows(&f.db, having, &[(":t0", Val::Integer(t0))]);
        assert_eq!(
            sql_rows(&f.db, not_exists, &[(":t0", Val::Integer(t0))]),
            want
        );
        for idx in &f.indexes {
            let got = idx.first_seen(Window::new(t0, i64::MAX), usize::MAX);
            let vals: Vec<Vec<Val>> = got
                .rows
                .iter()
                .map(|r| {
                    vec![
                        Val::Text(r.plate.to_owned()),
                        Val::Integer(r.first_ts_us),
                        Val::Integer(i64::from(r.reads)),
                    ]
                })
                .collect();
            assert_eq!(vals, want);
            let t1 = t0 + 3 * HOUR_US;
            let bounded = idx.first_seen(Window::new(t0, t1), usize::MAX);
            let want_b: Vec<Vec<Val>> = want
                .iter()
                .filter(|r| matches!(r[1], Val::Integer(t) if t < t1))
                .cloned()
                .collect();
            assert_eq!(bounded.rows.len(), want_b.len());
            let capped = idx.first_seen(Window::new(t0, i64::MAX), 5);
            assert_eq!(capped.truncated, want.len() > 5);
        }
    }
}

#[test]
fn retention_equals_sql_delete() {
    let mut f = fixture(8, 6_000);
    let times = probe_times(&f.reads);
    let cutoff = times[times.len() / 3];
    f.db.execute("DELETE FROM reads WHERE ts < ?1", [cutoff])
        .expect("delete");
    let remaining: Vec<Read> = f
        .reads
        .iter()
        .filter(|r| r.ts_us >= cutoff)
        .cloned()
        .collect();
    let expected_removed = f.reads.len() - remaining.len();
    let sql = format!("SELECT {ALL} FROM reads WHERE checkpoint_id = 3 ORDER BY ts, read_id");
    let want_cp = sql_rows(&f.db, &sql, &[]);
    let want_q6 = sql_rows(
        &f.db,
        "SELECT checkpoint_id, ts - (ts % 3600000000), COUNT(*) FROM reads GROUP BY 1, 2 ORDER BY 1, 2",
        &[],
    );
    let want_q7 = sql_rows(
        &f.db,
        "SELECT plate, MIN(ts) AS first_ts, COUNT(*) AS n FROM reads GROUP BY plate ORDER BY first_ts, plate",
        &[],
    );
    let reference = build_bulk(&remaining);
    for idx in &mut f.indexes {
        assert_eq!(idx.remove_before(cutoff), expected_removed);
        assert_eq!(idx.remove_before(cutoff), 0);
        assert_eq!(idx.len(), remaining.len());
        assert_eq!(idx.plate_count(), reference.plate_count());
        let got = idx.at_checkpoints(&[CheckpointId(3)], Window::all(), usize::MAX);
        assert_eq!(got.rows.iter().map(row_vals).collect::<Vec<_>>(), want_cp);
        let q6: Vec<Vec<Val>> = idx
            .flows(Bucket::Hour, Window::all(), usize::MAX)
            .expect("valid")
            .rows
            .iter()
            .map(|r| {
                vec![
                    Val::Integer(i64::from(r.checkpoint.0)),
                    Val::Integer(r.bucket_start_us),
                    Val::Integer(r.reads as i64),
                ]
            })
            .collect();
        assert_eq!(q6, want_q6);
        let q7: Vec<Vec<Val>> = idx
            .first_seen(Window::all(), usize::MAX)
            .rows
            .iter()
            .map(|r| {
                vec![
                    Val::Text(r.plate.to_owned()),
                    Val::Integer(r.first_ts_us),
                    Val::Integer(i64::from(r.reads)),
                ]
            })
            .collect();
        assert_eq!(q7, want_q7);
        // The index keeps working after compaction: re-insert what was removed.
        for r in f.reads.iter().filter(|r| r.ts_us < cutoff).take(50) {
            idx.insert(r).expect("insert");
        }
        assert_eq!(idx.len(), remaining.len() + 50);
    }
}

#[test]
fn duplicates_are_recognised() {
    let reads = gen_reads(9, 2_000);
    let mut idx = build_bulk(&reads);
    for r in reads.iter().step_by(7) {
        assert_eq!(idx.insert(r), Ok(pingan_reads::index::Inserted::Duplicate));
    }
    assert_eq!(idx.len(), reads.len());
    let mut b = pingan_reads::index::IndexBuilder::new();
    for r in reads.iter().chain(reads.iter().take(10)) {
        b.push(r).expect("push");
    }
    let (idx2, dups) = b.finish();
    assert_eq!(dups, 10);
    assert_eq!(idx2.len(), reads.len());
}

#[test]
fn memory_is_accounted() {
    let reads = gen_reads(10, 20_000);
    let idx = build_bulk(&reads);
    let m = idx.memory_breakdown();
    assert_eq!(m.total(), idx.memory_bytes());
    // Columns alone are 28 bytes per read; the chunk granularity (65,536 rows) dominates here.
    assert!(m.columns >= 28 * reads.len());
    assert!(m.plate_postings >= 4 * reads.len());
    assert!(m.checkpoint_postings >= 4 * reads.len());
}

#[test]
fn a_refused_read_leaves_the_index_consistent() {
    let reads = gen_reads(11, 10);
    let mut idx = build_bulk(&reads);
    let mut template = reads[0].clone();
    template.plate = pingan_reads::plate::Plate::parse("京B12345").expect("valid");
    let mut refused = None;
    for i in 0..70_000i64 {
        let mut r = template.clone();
        r.id = pingan_reads::read::ReadId(1_000_000 + i);
        r.vehicle_brand = Some(format!("brand{i}"));
        if i == 69_999 {
            r.plate = pingan_reads::plate::Plate::parse("京C12345").expect("valid");
        }
        match idx.insert(&r) {
            Ok(_) => {}
            Err(e) => {
                refused = Some(e);
                if i == 69_999 {
                    break;
                }
            }
        }
    }
    assert!(matches!(
        refused,
        Some(pingan_reads::index::IndexError::TooManyAttributes(_))
    ));
    // The plate of the refused read was not half-added; known attributes still work.
    assert!(idx
        .trajectory("京C12345", Window::all(), 10)
        .rows
        .is_empty());
    let mut ok = reads[1].clone();
    ok.id = pingan_reads::read::ReadId(42);
    ok.plate = pingan_reads::plate::Plate::parse("京C12345").expect("valid");
    assert_eq!(idx.insert(&ok), Ok(pingan_reads::index::Inserted::New));
    assert_eq!(idx.trajectory("京C12345", Window::all(), 10).rows.len(), 1);
    let p = PlatePattern::parse("京*").expect("pattern");
    let hits = idx.partial_plate(&PartialPlateParams {
        pattern: &p,
        window: Window::all(),
        expand_confusables: false,
        plate_colour: None,
        plate_type: None,
        limit: 10,
    });
    assert!(hits.rows.iter().any(|h| h.plate == "京C12345"));
}

/// Many reads inserted live at one checkpoint, within a few milliseconds of each other (a busy
/// checkpoint's batch), are all found by Q2 and Q7, as the per-plate Q1 finds them.
#[test]
fn a_burst_of_live_reads_at_one_checkpoint_is_found_by_every_query() {
    let reads = gen_reads(12, 100);
    let mut idx = build_bulk(&reads);
    let template = reads[0].clone();
    let base = reads.iter().map(|r| r.ts_us).max().unwrap_or(0) + 1_000_000;
    let n = 20_000i64;
    for i in 0..n {
        let mut r = template.clone();
        r.id = pingan_reads::read::ReadId(5_000_000 + i);
        r.ts_us = base + i / 7;
        r.plate = pingan_reads::plate::Plate::parse(&format!(
            "鲁Q{}{:04}",
            ["A", "B", "C"][(i % 3) as usize],
            i % 10_000
        ))
        .expect("valid");
        idx.insert(&r).expect("insert");
    }
    let cp = reads[0].checkpoint;
    let w = Window::new(base, base + n);
    let q2 = idx.at_checkpoints(&[cp], w, 1_000_000);
    assert_eq!(q2.rows.len(), n as usize, "Q2 must see every live read");
    let q7 = idx.first_seen(w, 1_000_000);
    // (letter, number) pairs repeat only every 30,000 reads, so every plate is new.
    assert_eq!(q7.rows.len(), n as usize, "Q7 must see every new plate");
}

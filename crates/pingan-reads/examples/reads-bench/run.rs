//! pingan's side: parameters parsed once, the queries run on the index, timing, truth checks.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use pingan_reads::index::{
    Bucket, CoTravelParams, PartialPlateParams, ReadIndex, ReadRow, Scene, Window,
};
use pingan_reads::pattern::PlatePattern;
use pingan_reads::read::CheckpointId;
use rusqlite::types::Value as Val;
use serde_json::Value as Json;

use crate::Res;

pub(crate) fn p_i64(p: &Json, k: &str) -> Res<i64> {
    p.get(k)
        .and_then(Json::as_i64)
        .ok_or_else(|| format!("parameter {k} missing").into())
}

pub(crate) fn p_str<'a>(p: &'a Json, k: &str) -> Res<&'a str> {
    p.get(k)
        .and_then(Json::as_str)
        .ok_or_else(|| format!("parameter {k} missing").into())
}

pub(crate) fn row_vals(r: &ReadRow<'_>) -> Vec<Val> {
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

/// A query with its parameters parsed once, outside the timed loop.
pub(crate) enum Prepared {
    Trajectory(String, Window),
    Checkpoint(CheckpointId, Window),
    CoTravel(String, Window, i64, u32),
    Scenes(Vec<Scene>),
    Partial(PlatePattern, Window),
    Flows,
    FirstSeen(i64),
}

pub(crate) fn prepare(name: &str, p: &Json) -> Res<Prepared> {
    let w = || -> Res<Window> { Ok(Window::new(p_i64(p, "t0")?, p_i64(p, "t1")?)) };
    let cp = |k: &str| -> Res<CheckpointId> { Ok(CheckpointId(u32::try_from(p_i64(p, k)?)?)) };
    Ok(match name {
        "Q1_frequent" | "Q1_rare" => Prepared::Trajectory(p_str(p, "plate")?.to_owned(), w()?),
        "Q2" => Prepared::Checkpoint(cp("checkpoint_id")?, w()?),
        "Q3" => Prepared::CoTravel(
            p_str(p, "plate")?.to_owned(),
            w()?,
            p_i64(p, "window_us")?,
            u32::try_from(p_i64(p, "min_occasions")?)?,
        ),
        "Q4" => {
            let mut scenes = Vec::new();
            for x in ["a", "b", "c"] {
                scenes.push(Scene {
                    checkpoints: vec![cp(&format!("{x}1"))?, cp(&format!("{x}2"))?],
                    // The anchors' scene windows are `ts >= t0 AND ts <= t1`.
                    window: Window::inclusive(
                        p_i64(p, &format!("t{x}0"))?,
                        p_i64(p, &format!("t{x}1"))?,
                    ),
                });
            }
            Prepared::Scenes(scenes)
        }
        // The LIKE pattern is accepted as is (`_` = `?`, `%` = `*`).
        "Q5" => Prepared::Partial(PlatePattern::parse(p_str(p, "pattern")?)?, w()?),
        "Q6" => Prepared::Flows,
        "Q7" | "Q7b" => Prepared::FirstSeen(p_i64(p, "t0")?),
        other => return Err(format!("unknown query {other}").into()),
    })
}

/// Runs a prepared query; with `convert`, the rows as SQL values (not done in timed runs,
/// where only the row count is returned).
#[expect(
    clippy::too_many_lines,
    reason = "a benchmark's main is its script: each measurement in turn, in the order it reports them"
)]
pub(crate) fn pingan_run(
    idx: &ReadIndex,
    q: &Prepared,
    convert: bool,
) -> Res<(usize, Vec<Vec<Val>>)> {
    let cap = usize::MAX;
    let s = |x: &str| Val::Text(x.to_owned());
    let i = |x: i64| Val::Integer(x);
    Ok(match q {
        Prepared::Trajectory(plate, w) => {
            let r = idx.trajectory(plate, *w, cap);
            (
                r.rows.len(),
                if convert {
                    r.rows.iter().map(row_vals).collect()
                } else {
                    Vec::new()
                },
            )
        }
        Prepared::Checkpoint(cp, w) => {
            let r = idx.at_checkpoints(&[*cp], *w, cap);
            (
                r.rows.len(),
                if convert {
                    r.rows.iter().map(row_vals).collect()
                } else {
                    Vec::new()
                },
            )
        }
        Prepared::CoTravel(plate, w, delta, k) => {
            let r = idx.co_travel(&CoTravelParams {
                plate,
                window: *w,
                delta_us: *delta,
                min_occasions: *k,
                limit: cap,
            })?;
            let rows = if convert {
                r.rows
                    .iter()
                    .map(|c| vec![s(c.plate), i(i64::from(c.occasions))])
                    .collect()
            } else {
                Vec::new()
            };
            (r.rows.len(), rows)
        }
        Prepared::Scenes(scenes) => {
            let r = idx.multi_scene(scenes, None, cap)?;
            (
                r.rows.len(),
                if convert {
                    r.rows.iter().map(|h| vec![s(h.plate)]).collect()
                } else {
                    Vec::new()
                },
            )
        }
        Prepared::Partial(pattern, w) => {
            let r = idx.partial_plate(&PartialPlateParams {
                pattern,
                window: *w,
                expand_confusables: false,
                plate_colour: None,
                plate_type: None,
                limit: cap,
            });
            let rows = if convert {
                r.rows
                    .iter()
                    .map(|c| vec![s(c.plate), i(i64::from(c.reads))])
                    .collect()
            } else {
                Vec::new()
            };
            (r.rows.len(), rows)
        }
        Prepared::Flows => {
            let r = idx.flows(Bucket::Hour, Window::all(), cap)?.rows;
            let rows = if convert {
                r.iter()
                    .map(|f| {
                        vec![
                            i(i64::from(f.checkpoint.0)),
                            i(f.bucket_start_us),
                            i(i64::try_from(f.reads).unwrap_or(i64::MAX)),
                        ]
                    })
                    .collect()
            } else {
                Vec::new()
            };
            (r.len(), rows)
        }
        Prepared::FirstSeen(t0) => {
            let r = idx.first_seen(Window::new(*t0, i64::MAX), cap);
            let rows = if convert {
                r.rows
                    .iter()
                    .map(|f| vec![s(f.plate), i(f.first_ts_us), i(i64::from(f.reads))])
                    .collect()
            } else {
                Vec::new()
            };
            (r.rows.len(), rows)
        }
    })
}

pub(crate) struct Timing {
    pub median_ms: f64,
    pub p95_ms: f64,
}

/// One warm-up, then `reps` timed repetitions; a repetition loops the query enough times to last
/// about 2 ms, so sub-microsecond queries are measured above the clock's resolution.
pub(crate) fn time_it(reps: usize, mut f: impl FnMut() -> Res<usize>) -> Res<Timing> {
    let t = Instant::now();
    f()?;
    let warm = t.elapsed().as_secs_f64();
    let inner = ((0.002 / warm.max(1e-9)).ceil() as usize).clamp(1, 100_000);
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        for _ in 0..inner {
            std::hint::black_box(f()?);
        }
        times.push(t.elapsed().as_secs_f64() * 1e3 / inner as f64);
    }
    times.sort_by(f64::total_cmp);
    let median_ms = times[times.len() / 2];
    // numpy-style linear interpolation at the 95th percentile.
    let pos = 0.95 * (times.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let p95_ms = times[lo] + (times[hi] - times[lo]) * (pos - lo as f64);
    Ok(Timing { median_ms, p95_ms })
}

/// Reads (or dictionary entries) each query must touch, for the floor column.
pub(crate) fn touched(
    idx: &ReadIndex,
    name: &str,
    p: &Json,
    rows: usize,
) -> Res<(usize, &'static str)> {
    Ok(match name {
        "Q1_frequent" | "Q1_rare" | "Q2" => (rows, "rows"),
        "Q3" => {
            let plate = p_str(p, "plate")?;
            let w = p_i64(p, "window_us")?;
            let targets = idx.trajectory(
                plate,
                Window::new(p_i64(p, "t0")?, p_i64(p, "t1")?),
                usize::MAX,
            );
            let near: usize = targets
                .rows
                .iter()
                .map(|t| {
                    idx.at_checkpoints(
                        &[t.checkpoint],
                        Window::inclusive(t.ts_us - w, t.ts_us + w),
                        usize::MAX,
                    )
                    .rows
                    .len()
                })
                .sum();
            (near + targets.rows.len(), "reads near target")
        }
        "Q4" => {
            let mut n = 0;
            for x in ["a", "b", "c"] {
                let cps = [
                    CheckpointId(u32::try_from(p_i64(p, &format!("{x}1"))?)?),
                    CheckpointId(u32::try_from(p_i64(p, &format!("{x}2"))?)?),
                ];
                let w =
                    Window::inclusive(p_i64(p, &format!("t{x}0"))?, p_i64(p, &format!("t{x}1"))?);
                n += idx.at_checkpoints(&cps, w, usize::MAX).rows.len();
            }
            (n, "reads in scenes")
        }
        "Q5" | "Q7" | "Q7b" => (idx.plate_count(), "plates scanned"),
        "Q6" => (rows, "hour counters"),
        _ => (0, ""),
    })
}

/// The fastest anchor median per query over the given results files (`engine@file`).
pub(crate) fn fastest_anchor(paths: &[PathBuf]) -> BTreeMap<String, (f64, String)> {
    let mut out: BTreeMap<String, (f64, String)> = BTreeMap::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(j) = serde_json::from_str::<Json>(&text) else {
            continue;
        };
        let file = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        for (q, per) in j
            .get("queries")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            for (e, v) in per.as_object().into_iter().flatten() {
                let Some(ms) = v.get("median_ms").and_then(Json::as_f64) else {
                    continue;
                };
                if out.get(q).is_none_or(|(best, _)| ms < *best) {
                    out.insert(q.clone(), (ms, format!("{e}@{file}")));
                }
            }
        }
    }
    out
}

pub(crate) fn truth_check(name: &str, rows: &[Vec<Val>], truth: &Json) -> Option<(bool, String)> {
    let qp = &truth["query_params"];
    let text = |v: &Val| match v {
        Val::Text(s) => s.clone(),
        _ => String::new(),
    };
    match name {
        "Q1_frequent" | "Q1_rare" => {
            let want = qp[name]["reads_in_window"].as_u64()? as usize;
            Some((
                rows.len() == want,
                format!("{} reads, generator says {want}", rows.len()),
            ))
        }
        "Q3" => {
            let follower = truth["co_travel"]["follower_plate"].as_str()?;
            let need = truth["co_travel"]["expected_min_occasions_within_60s"].as_i64()?;
            let pos = rows.iter().position(|r| text(&r[0]) == follower);
            Some(match pos {
                Some(i) => {
                    let occ = match rows[i][1] {
                        Val::Integer(n) => n,
                        _ => 0,
                    };
                    (
                        occ >= need,
                        format!(
                            "follower rank {}/{}, {occ} occasions (planted >= {need})",
                            i + 1,
                            rows.len()
                        ),
                    )
                }
                None => (false, "follower missing".into()),
            })
        }
        "Q4" | "Q5" => {
            let suspect = truth["crime_scenes"]["suspect_plate"].as_str()?;
            let found = rows.iter().any(|r| text(&r[0]) == suspect);
            Some((
                found,
                format!(
                    "suspect {} among {}",
                    if found { "found" } else { "MISSING" },
                    rows.len()
                ),
            ))
        }
        "Q7" | "Q7b" => {
            let t0 = qp["Q7"]["t0"].as_i64()?;
            let ok = rows
                .iter()
                .all(|r| matches!(r[1], Val::Integer(t) if t >= t0));
            Some((ok, format!("{} new plates", rows.len())))
        }
        _ => None,
    }
}

pub(crate) fn fmt_ms(x: f64) -> String {
    if x < 0.01 {
        format!("{:.5}", x)
    } else if x < 1.0 {
        format!("{:.4}", x)
    } else if x < 100.0 {
        format!("{:.2}", x)
    } else {
        format!("{:.0}", x)
    }
}

//! pingan's side of the checkpoint-read benchmark (`shared/bench/`): loads gen_reads.py's
//! `reads.csv` through pingan's CSV decoder into the read index, runs Q1–Q7 with the parameters
//! of `truth.json`, runs the anchors' exact SQL through rusqlite (SQLite, the anchors' schema and
//! indexes) on the same data, checks that both answers are identical and that the planted
//! truths are found, and prints a Markdown table.
//!
//! ```sh
//! python3 shared/bench/gen_reads.py --out /work/benchdata/reads
//! cargo run --release -p pingan-reads --example reads-bench -- --data /work/benchdata/reads
//! ```
//! Flags: `--db FILE` (SQLite file, reused when it already holds the data; default
//! `DATA/reads-bench.sqlite`), `--reps N` (default 7), `--anchors FILE` (the anchors' results
//! JSON, for the "fastest anchor" column; default `shared/bench/results-anchors.json` when found).
//! Exit status 1 when any answer differs or a planted truth is missed.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use pingan_reads::decode::{decode_csv, DecodeOptions};
use pingan_reads::index::{
    Bucket, CoTravelParams, IndexBuilder, PartialPlateParams, ReadIndex, ReadRow, Scene, Window,
    DAY_US,
};
use pingan_reads::pattern::{PatternError, PlatePattern};
use pingan_reads::read::{CheckpointId, Read};
use pingan_reads::watch::{HitKind, WatchEntry, WatchEntryId, WatchList, WatchTarget};
use rayon::prelude::*;
use rusqlite::types::Value as Val;
use rusqlite::Connection;
use serde_json::Value as Json;

type Res<T> = Result<T, Box<dyn Error>>;

const ALL: &str =
    "read_id, plate, checkpoint_id, lane, direction, ts, vehicle_color, vehicle_type, confidence";

/// The anchors' workload: (name, truth.json parameter key, SQL), text as in `anchors.py`.
fn queries() -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("Q1_frequent", "Q1_frequent", format!("SELECT {ALL} FROM reads WHERE plate = :plate AND ts >= :t0 AND ts < :t1 ORDER BY ts, read_id")),
        ("Q1_rare", "Q1_rare", format!("SELECT {ALL} FROM reads WHERE plate = :plate AND ts >= :t0 AND ts < :t1 ORDER BY ts, read_id")),
        ("Q2", "Q2", format!("SELECT {ALL} FROM reads WHERE checkpoint_id = :checkpoint_id AND ts >= :t0 AND ts < :t1 ORDER BY ts, read_id")),
        ("Q3", "Q3", "WITH t AS (SELECT read_id, checkpoint_id, ts FROM reads
                 WHERE plate = :plate AND ts >= :t0 AND ts < :t1)
        SELECT r.plate, COUNT(DISTINCT t.read_id) AS occasions
        FROM t JOIN reads r
          ON r.checkpoint_id = t.checkpoint_id
         AND r.ts >= t.ts - :window_us AND r.ts <= t.ts + :window_us
        WHERE r.plate <> :plate
        GROUP BY r.plate
        HAVING COUNT(DISTINCT t.read_id) >= :min_occasions
        ORDER BY occasions DESC, r.plate".into()),
        ("Q4", "Q4", "SELECT plate FROM reads WHERE checkpoint_id IN (:a1, :a2) AND ts >= :ta0 AND ts <= :ta1
        INTERSECT
        SELECT plate FROM reads WHERE checkpoint_id IN (:b1, :b2) AND ts >= :tb0 AND ts <= :tb1
        INTERSECT
        SELECT plate FROM reads WHERE checkpoint_id IN (:c1, :c2) AND ts >= :tc0 AND ts <= :tc1
        ORDER BY plate".into()),
        ("Q5", "Q5", "SELECT plate, COUNT(*) AS n FROM reads
        WHERE plate LIKE :pattern AND ts >= :t0 AND ts < :t1
        GROUP BY plate ORDER BY n DESC, plate".into()),
        ("Q6", "Q6", "SELECT checkpoint_id, ts - (ts % 3600000000) AS hour_us, COUNT(*) AS n
        FROM reads GROUP BY 1, 2 ORDER BY 1, 2".into()),
        ("Q7", "Q7", "SELECT r.plate, MIN(r.ts) AS first_ts, COUNT(*) AS n FROM reads r
        WHERE r.ts >= :t0
          AND NOT EXISTS (SELECT 1 FROM reads p WHERE p.plate = r.plate AND p.ts < :t0)
        GROUP BY r.plate ORDER BY first_ts, r.plate".into()),
        ("Q7b", "Q7", "SELECT plate, MIN(ts) AS first_ts, COUNT(*) AS n FROM reads
        GROUP BY plate HAVING MIN(ts) >= :t0 ORDER BY first_ts, plate".into()),
    ]
}

struct Args {
    data: PathBuf,
    db: PathBuf,
    reps: usize,
    anchors: Option<PathBuf>,
}

fn args() -> Res<Args> {
    let mut data = None;
    let mut db = None;
    let mut reps = 7;
    let mut anchors = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--data" => data = Some(PathBuf::from(val()?)),
            "--db" => db = Some(PathBuf::from(val()?)),
            "--reps" => reps = val()?.parse()?,
            "--anchors" => anchors = Some(PathBuf::from(val()?)),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let data = data.ok_or("--data DIR is required")?;
    let db = db.unwrap_or_else(|| data.join("reads-bench.sqlite"));
    let anchors = anchors.or_else(|| {
        let p = PathBuf::from("/work/shared/bench/results-anchors.json");
        p.exists().then_some(p)
    });
    Ok(Args {
        data,
        db,
        reps,
        anchors,
    })
}

fn p_i64(p: &Json, k: &str) -> Res<i64> {
    p.get(k)
        .and_then(Json::as_i64)
        .ok_or_else(|| format!("parameter {k} missing").into())
}

fn p_str<'a>(p: &'a Json, k: &str) -> Res<&'a str> {
    p.get(k)
        .and_then(Json::as_str)
        .ok_or_else(|| format!("parameter {k} missing").into())
}

/// Loads the CSV through pingan's decoder (batches decoded on both cores) into the index.
fn load_index(csv_path: &Path, now_us: i64) -> Res<(ReadIndex, f64, f64, usize)> {
    let t = Instant::now();
    let bytes = std::fs::read(csv_path)?;
    let header_end = bytes.iter().position(|&b| b == b'\n').ok_or("empty CSV")? + 1;
    let (header, body) = bytes.split_at(header_end);
    // Split the body into ~200k-line batches at line ends, each decoded with the header.
    let mut batches = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let mut end = (start + 12_000_000).min(body.len());
        while end < body.len() && body[end - 1] != b'\n' {
            end += 1;
        }
        batches.push(&body[start..end]);
        start = end;
    }
    let mut opts = DecodeOptions::new(now_us);
    opts.max_rows = usize::MAX;
    let mut builder = IndexBuilder::new();
    let mut rejected = 0usize;
    let mut decode_s = 0.0;
    for group in batches.chunks(4) {
        let td = Instant::now();
        let decoded: Vec<_> = group
            .par_iter()
            .map(|b| {
                let mut buf = Vec::with_capacity(header.len() + b.len());
                buf.extend_from_slice(header);
                buf.extend_from_slice(b);
                decode_csv(&buf, &opts)
            })
            .collect();
        decode_s += td.elapsed().as_secs_f64();
        for rows in decoded {
            for r in rows? {
                match r {
                    Ok(read) => builder.push(&read)?,
                    Err(e) => {
                        if rejected < 5 {
                            eprintln!("rejected: {e}");
                        }
                        rejected += 1;
                    }
                }
            }
        }
    }
    drop(bytes);
    let tb = Instant::now();
    let (index, dups) = builder.finish();
    let finish_s = tb.elapsed().as_secs_f64();
    if dups > 0 {
        eprintln!("{dups} duplicate reads dropped");
    }
    let total = t.elapsed().as_secs_f64();
    Ok((index, total, decode_s + finish_s.min(total), rejected))
}

/// Opens (or builds) the SQLite file with the anchors' schema, pragmas and indexes. The CSV is
/// parsed here independently of pingan's decoder.
fn open_sqlite(db_path: &Path, csv_path: &Path, expected: usize) -> Res<Connection> {
    let pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;
                   PRAGMA mmap_size=4294967296; PRAGMA temp_store=MEMORY;";
    if db_path.exists() {
        let con = Connection::open(db_path)?;
        con.execute_batch(pragmas)?;
        let n: i64 = con
            .query_row("SELECT COUNT(*) FROM reads", [], |r| r.get(0))
            .unwrap_or(-1);
        if usize::try_from(n).ok() == Some(expected) {
            eprintln!("sqlite: reusing {}", db_path.display());
            return Ok(con);
        }
        drop(con);
        for suf in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suf}", db_path.display()));
        }
    }
    eprintln!(
        "sqlite: loading {} (takes about a minute)",
        db_path.display()
    );
    let mut con = Connection::open(db_path)?;
    con.execute_batch(pragmas)?;
    con.execute_batch(
        "CREATE TABLE reads (read_id INTEGER PRIMARY KEY, plate TEXT NOT NULL,
           checkpoint_id INTEGER NOT NULL, lane INTEGER NOT NULL, direction TEXT NOT NULL, ts INTEGER NOT NULL,
           vehicle_color TEXT, vehicle_type TEXT, confidence REAL)",
    )?;
    let t = Instant::now();
    let tx = con.transaction()?;
    {
        let mut ins =
            tx.prepare("INSERT INTO reads VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?;
        let mut rdr = csv::Reader::from_path(csv_path)?;
        let mut rec = csv::StringRecord::new();
        while rdr.read_record(&mut rec)? {
            let f = |i: usize| rec.get(i).unwrap_or_default();
            ins.execute(rusqlite::params![
                f(0).parse::<i64>()?,
                f(1),
                f(2).parse::<i64>()?,
                f(3).parse::<i64>()?,
                f(4),
                f(5).parse::<i64>()?,
                f(6),
                f(7),
                f(8).parse::<f64>()?
            ])?;
        }
    }
    tx.commit()?;
    let t1 = Instant::now();
    con.execute_batch(
        "CREATE INDEX reads_plate_ts ON reads (plate, ts);
         CREATE INDEX reads_cp_ts ON reads (checkpoint_id, ts);
         ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);",
    )?;
    eprintln!(
        "sqlite: load {:.1} s, indexes + analyze {:.1} s",
        (t1 - t).as_secs_f64(),
        t1.elapsed().as_secs_f64()
    );
    Ok(con)
}

fn sql_run(con: &Connection, sql: &str, params: &Json) -> Res<Vec<Vec<Val>>> {
    let mut stmt = con.prepare_cached(sql)?;
    let mut bound: Vec<(String, Val)> = Vec::new();
    if let Some(obj) = params.as_object() {
        for (k, v) in obj {
            let name = format!(":{k}");
            if stmt.parameter_index(&name)?.is_some() {
                let val = match v {
                    Json::String(s) => Val::Text(s.clone()),
                    v => Val::Integer(v.as_i64().ok_or("non-integer parameter")?),
                };
                bound.push((name, val));
            }
        }
    }
    let named: Vec<(&str, &dyn rusqlite::ToSql)> = bound
        .iter()
        .map(|(k, v)| (k.as_str(), v as &dyn rusqlite::ToSql))
        .collect();
    let cols = stmt.column_count();
    let mut rows = stmt.query(named.as_slice())?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(
            (0..cols)
                .map(|i| row.get::<_, Val>(i))
                .collect::<Result<_, _>>()?,
        );
    }
    Ok(out)
}

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

/// A query with its parameters parsed once, outside the timed loop.
enum Prepared {
    Trajectory(String, Window),
    Checkpoint(CheckpointId, Window),
    CoTravel(String, Window, i64, u32),
    Scenes(Vec<Scene>),
    Partial(PlatePattern, Window),
    Flows,
    FirstSeen(i64),
}

fn prepare(name: &str, p: &Json) -> Res<Prepared> {
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
fn pingan_run(idx: &ReadIndex, q: &Prepared, convert: bool) -> Res<(usize, Vec<Vec<Val>>)> {
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

struct Timing {
    median_ms: f64,
    p95_ms: f64,
}

/// One warm-up, then `reps` timed repetitions; a repetition loops the query enough times to last
/// about 2 ms, so sub-microsecond queries are measured above the clock's resolution.
fn time_it(reps: usize, mut f: impl FnMut() -> Res<usize>) -> Res<Timing> {
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
fn touched(idx: &ReadIndex, name: &str, p: &Json, rows: usize) -> Res<(usize, &'static str)> {
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

fn fastest_anchor(path: Option<&Path>) -> BTreeMap<String, (f64, String)> {
    let mut out = BTreeMap::new();
    let Some(Ok(text)) = path.map(std::fs::read_to_string) else {
        return out;
    };
    let Ok(j) = serde_json::from_str::<Json>(&text) else {
        return out;
    };
    if let Some(qs) = j.get("queries").and_then(Json::as_object) {
        for (q, per) in qs {
            let best = per
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(e, v)| Some((v.get("median_ms")?.as_f64()?, e.clone())))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some(b) = best {
                out.insert(q.clone(), b);
            }
        }
    }
    out
}

fn truth_check(name: &str, rows: &[Vec<Val>], truth: &Json) -> Option<(bool, String)> {
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

fn fmt_ms(x: f64) -> String {
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

/// Live-insert rate of the index and watch-list matching cost, on the first million reads.
#[expect(clippy::print_stdout, reason = "a benchmark program prints its report")]
fn ingest_and_watch(csv_path: &Path, now_us: i64) -> Res<()> {
    use std::io::BufRead;
    let mut text = Vec::new();
    let file = std::io::BufReader::new(std::fs::File::open(csv_path)?);
    for line in file.split(b'\n').take(1_000_001) {
        text.extend_from_slice(&line?);
        text.push(b'\n');
    }
    let mut opts = DecodeOptions::new(now_us);
    opts.max_rows = usize::MAX;
    let t = Instant::now();
    let reads: Vec<Read> = decode_csv(&text, &opts)?
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    let decode_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut live = ReadIndex::new();
    for r in &reads {
        live.insert(r)?;
    }
    let insert_s = t.elapsed().as_secs_f64();
    // A watch-list of 10,000 plates seen in the data plus 20 patterns.
    let mut plates: Vec<&str> = reads.iter().map(|r| r.plate.as_str()).collect();
    plates.sort_unstable();
    plates.dedup();
    let mut entries: Vec<WatchEntry> = plates
        .iter()
        .step_by((plates.len() / 10_000).max(1))
        .zip(0u64..)
        .map(|(p, i)| {
            Ok(WatchEntry {
                id: WatchEntryId(i),
                target: WatchTarget::parse(p)?,
                valid: Window::all(),
            })
        })
        .collect::<Result<_, PatternError>>()?;
    for (k, pat) in ["鲁Q?23?5", "鲁Q8*", "京A*9", "鲁Q??88?"]
        .iter()
        .cycle()
        .take(20)
        .enumerate()
    {
        entries.push(WatchEntry {
            id: WatchEntryId(1_000_000 + k as u64),
            target: WatchTarget::Pattern(PlatePattern::parse(pat)?),
            valid: Window::all(),
        });
    }
    let n_entries = entries.len();
    let list = WatchList::new(entries);
    let t = Instant::now();
    let mut exact = 0usize;
    let mut approx = 0usize;
    for r in &reads {
        for h in list.matches(r, r.ts_us) {
            match h.kind {
                HitKind::Exact => exact += 1,
                HitKind::Approximate { .. } => approx += 1,
            }
        }
    }
    let watch_s = t.elapsed().as_secs_f64();
    let n = reads.len() as f64;
    println!("Live path on the first {} reads: CSV decode {:.0} reads/s; `ReadIndex::insert` {:.0} reads/s ({:.0} ns/read); watch-list of {n_entries} entries: {:.0} ns/read ({exact} exact and {approx} approximate hits).",
        reads.len(), n / decode_s, n / insert_s, insert_s * 1e9 / n, watch_s * 1e9 / n);
    Ok(())
}

#[expect(clippy::print_stdout, reason = "a benchmark program prints its report")]
fn main() -> Res<()> {
    let a = args()?;
    let truth: Json = serde_json::from_str(&std::fs::read_to_string(a.data.join("truth.json"))?)?;
    let gen = &truth["generator"];
    let end_us = gen["end_us"]
        .as_i64()
        .ok_or("truth.json: generator.end_us")?;
    let csv_path = a.data.join("reads.csv");

    eprintln!("pingan: loading {}", csv_path.display());
    let (idx, load_s, _, rejected) = load_index(&csv_path, end_us + DAY_US)?;
    let mem = idx.memory_breakdown();
    let n = idx.len();
    let con = open_sqlite(&a.db, &csv_path, n + rejected)?;
    let anchors = fastest_anchor(a.anchors.as_deref());

    println!(
        "Data: {} reads ({} rejected by the decoder), {} plates, {} checkpoints.\n",
        n,
        rejected,
        idx.plate_count(),
        idx.checkpoints().len()
    );
    println!("pingan index: CSV decode + build {load_s:.1} s ({:.0} reads/s); memory {:.1} MiB = **{:.1} bytes/read** (columns {:.1}, plate postings {:.1}, checkpoint postings {:.1}, dictionaries {:.1}).\n",
        n as f64 / load_s,
        mem.total() as f64 / 1048576.0,
        mem.total() as f64 / n as f64,
        mem.columns as f64 / n as f64,
        mem.plate_postings as f64 / n as f64,
        mem.checkpoint_postings as f64 / n as f64,
        mem.dictionaries as f64 / n as f64);
    println!("| query | rows | pingan median ms (p95) | rusqlite median ms (p95) | rusqlite/pingan | fastest anchor (README run) | anchor/pingan | ≥ 20× | touched | ns per touched | same answer | truth |");
    println!("|---|---:|---:|---:|---:|---:|---:|:-:|---:|---:|:-:|---|");
    let mut all_ok = true;
    for (name, key, sql) in queries() {
        let p = &truth["query_params"][key];
        let prepared = prepare(name, p)?;
        let (_, mine) = pingan_run(&idx, &prepared, true)?;
        let theirs = sql_run(&con, &sql, p)?;
        let same = mine == theirs;
        let tc = truth_check(name, &mine, &truth);
        all_ok &= same && tc.as_ref().is_none_or(|t| t.0);
        let tp = time_it(a.reps, || Ok(pingan_run(&idx, &prepared, false)?.0))?;
        let reps_sql = if name == "Q6" || name.starts_with("Q7") || name == "Q5" {
            3
        } else {
            a.reps
        };
        let ts = time_it(reps_sql, || Ok(sql_run(&con, &sql, p)?.len()))?;
        let (touch, what) = touched(&idx, name, p, mine.len())?;
        let (anchor, ratio, goal) = match anchors.get(name) {
            Some((ms, e)) => (
                format!("{} ({e})", fmt_ms(*ms)),
                format!("{:.0}", ms / tp.median_ms),
                if ms / tp.median_ms >= 20.0 {
                    "yes"
                } else {
                    "no"
                },
            ),
            None => ("-".into(), "-".into(), "-"),
        };
        println!(
            "| {name} | {} | {} ({}) | {} ({}) | {:.0} | {anchor} | {ratio} | {goal} | {touch} {what} | {:.1} | {} | {} |",
            mine.len(),
            fmt_ms(tp.median_ms),
            fmt_ms(tp.p95_ms),
            fmt_ms(ts.median_ms),
            fmt_ms(ts.p95_ms),
            ts.median_ms / tp.median_ms,
            tp.median_ms * 1e6 / touch.max(1) as f64,
            if same { "yes" } else { "NO" },
            tc.map_or("-".into(), |t| format!("{}{}", if t.0 { "" } else { "FAIL: " }, t.1)),
        );
    }
    println!();
    ingest_and_watch(&csv_path, end_us + DAY_US)?;
    if all_ok {
        eprintln!("ALL ANSWERS AGREE AND TRUTHS FOUND");
        Ok(())
    } else {
        eprintln!("SOME CHECK FAILED");
        std::process::exit(1);
    }
}

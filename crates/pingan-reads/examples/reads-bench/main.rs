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
//! `DATA/reads-bench.sqlite`), `--reps N` (default 7), `--anchors FILE` (repeatable: anchors.py
//! results JSON files; the "fastest anchor" column takes the fastest engine over all of them;
//! default `/work/shared/bench/results-anchors.json` when found), `--live` (also build a second
//! index by inserting every read one by one, and report its rate and memory).
//! Exit status 1 when any answer differs or a planted truth is missed.

mod run;
mod sqlite;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use pingan_reads::decode::{decode_csv, DecodeOptions};
use pingan_reads::index::{IndexBuilder, ReadIndex, Window, DAY_US};
use pingan_reads::pattern::{PatternError, PlatePattern};
use pingan_reads::read::Read;
use pingan_reads::watch::{HitKind, WatchEntry, WatchEntryId, WatchList, WatchTarget};
use rayon::prelude::*;
use serde_json::Value as Json;

use run::{fastest_anchor, fmt_ms, pingan_run, prepare, time_it, touched, truth_check};
use sqlite::{open_sqlite, queries, sql_run};

type Res<T> = Result<T, Box<dyn Error>>;

struct Args {
    data: PathBuf,
    db: PathBuf,
    reps: usize,
    anchors: Vec<PathBuf>,
    live: bool,
}

fn args() -> Res<Args> {
    let mut data = None;
    let mut db = None;
    let mut reps = 7;
    let mut anchors = Vec::new();
    let mut live = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--data" => data = Some(PathBuf::from(val()?)),
            "--db" => db = Some(PathBuf::from(val()?)),
            "--reps" => reps = val()?.parse()?,
            "--anchors" => anchors.push(PathBuf::from(val()?)),
            "--live" => live = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let data = data.ok_or("--data DIR is required")?;
    let db = db.unwrap_or_else(|| data.join("reads-bench.sqlite"));
    if anchors.is_empty() {
        let p = PathBuf::from("/work/shared/bench/results-anchors.json");
        if p.exists() {
            anchors.push(p);
        }
    }
    Ok(Args {
        data,
        db,
        reps,
        anchors,
        live,
    })
}

struct Loaded {
    index: ReadIndex,
    /// CSV read + decode + bulk build, seconds (live inserts excluded).
    load_s: f64,
    /// `IndexBuilder::finish` alone.
    finish_s: f64,
    rejected: usize,
    /// The same reads inserted one by one (`--live`), and the seconds that took.
    live: Option<(ReadIndex, f64)>,
}

/// Loads the CSV through pingan's decoder (batches decoded on both cores) into the index.
fn load_index(csv_path: &Path, now_us: i64, live: bool) -> Res<Loaded> {
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
    let mut live = live.then(ReadIndex::new);
    let mut live_s = 0.0;
    let mut rejected = 0usize;
    for group in batches.chunks(4) {
        let decoded: Vec<_> = group
            .par_iter()
            .map(|b| {
                let mut buf = Vec::with_capacity(header.len() + b.len());
                buf.extend_from_slice(header);
                buf.extend_from_slice(b);
                decode_csv(&buf, &opts)
            })
            .collect();
        for rows in decoded {
            for r in rows? {
                match r {
                    Ok(read) => {
                        builder.push(&read)?;
                        if let Some(l) = live.as_mut() {
                            let t = Instant::now();
                            l.insert(&read)?;
                            live_s += t.elapsed().as_secs_f64();
                        }
                    }
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
    let total = t.elapsed().as_secs_f64() - live_s;
    Ok(Loaded {
        index,
        load_s: total,
        finish_s,
        rejected,
        live: live.map(|l| (l, live_s)),
    })
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
#[expect(
    clippy::too_many_lines,
    reason = "a benchmark's main is its script: each measurement in turn, in the order it reports them"
)]
fn main() -> Res<()> {
    let a = args()?;
    let truth: Json = serde_json::from_str(&std::fs::read_to_string(a.data.join("truth.json"))?)?;
    let gen = &truth["generator"];
    let end_us = gen["end_us"]
        .as_i64()
        .ok_or("truth.json: generator.end_us")?;
    let csv_path = a.data.join("reads.csv");

    eprintln!("pingan: loading {}", csv_path.display());
    let Loaded {
        index: idx,
        load_s,
        finish_s,
        rejected,
        live,
    } = load_index(&csv_path, end_us + DAY_US, a.live)?;
    let mem = idx.memory_breakdown();
    let n = idx.len();
    let con = open_sqlite(&a.db, &csv_path, n + rejected)?;
    let anchors = fastest_anchor(&a.anchors);

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
    println!("Bulk build (`IndexBuilder::finish`, sort + lists): {finish_s:.1} s.\n");
    if let Some((l, secs)) = &live {
        println!("The same reads inserted one by one in file order (`ReadIndex::insert`): {:.0} reads/s; that index holds {:.1} bytes/read.\n",
            l.len() as f64 / secs, l.memory_bytes() as f64 / l.len() as f64);
    }
    drop(live);
    println!("| query | rows | pingan median ms (p95) | rusqlite median ms (p95) | rusqlite/pingan | fastest anchor | anchor/pingan | ≥ 20× | touched | ns per touched | same answer | truth |");
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

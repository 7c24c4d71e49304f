//! Durable plate-read ingest through pingan's store path (`ReadStore::insert`), on SQLite and
//! PostgreSQL: reads per second where *acknowledged = committed* (the call returns after the
//! batch's transaction committed, `synchronous = FULL` on SQLite, `synchronous_commit = on` on
//! PostgreSQL).
//!
//! ```sh
//! cargo run --release -p pingan-plates --example ingest-bench -- [READS] [BATCH] [POSTGRES_URL]
//! ```
//! Defaults: 1,000,000 reads in batches of 10,000. Reads are generated (seeded, realistic
//! shapes: 200k plates, 15 checkpoints, one day) before timing. PostgreSQL runs on a temporary
//! cluster from the machine's binaries (skipped when none is found), or on the URL given as a
//! third argument.
//! A second pass re-sends the first batch to time the duplicate path.

use pingan_db::{DatabaseUrl, Store};
use pingan_plates::store::ReadStore;
use pingan_reads::plate::Plate;
use pingan_reads::read::{CheckpointId, Confidence, Direction, Read, ReadId};
use std::time::Instant;

fn generate(n: usize, start_us: i64) -> Vec<Read> {
    const L: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let v = next() % 200_000;
            let text = format!(
                "鲁{}{}{:04}",
                L[(v % 24) as usize] as char,
                L[((v / 24) % 24) as usize] as char,
                v % 10_000
            );
            let plate = Plate::parse(&text).expect("generated plates are valid");
            Read {
                id: ReadId(i as i64 + 1),
                raw_plate: plate.as_str().to_owned(),
                plate,
                plate_colour: None,
                plate_type: None,
                checkpoint: CheckpointId((next() % 15) as u32 + 1),
                lane: (next() % 4) as u8 + 1,
                direction: Direction::from_code((next() % 4) as u8 + 1),
                ts_us: start_us + (i as i64) * 86_400_000_000 / n as i64,
                confidence: Confidence::from_raw(9_000 + (next() % 1_000) as u16)
                    .expect("in range"),
                vehicle_colour: Some("白".into()),
                vehicle_type: Some("K33".into()),
                vehicle_brand: None,
                image_urls: Vec::new(),
            }
        })
        .collect()
}

async fn run(label: &str, url: &DatabaseUrl, reads: &[Read], batch: usize) -> anyhow_free::Result {
    let store = Store::connect(url).await.map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    let rs = ReadStore::open(&store).await.map_err(|e| e.to_string())?;
    rs.prepare_days(reads[0].ts_us, 2)
        .await
        .map_err(|e| e.to_string())?;
    let t = Instant::now();
    let mut stored = 0;
    for chunk in reads.chunks(batch) {
        stored += rs
            .insert(chunk.to_vec())
            .await
            .map_err(|e| e.to_string())?
            .new
            .len();
    }
    let secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let dup = rs
        .insert(reads[..batch.min(reads.len())].to_vec())
        .await
        .map_err(|e| e.to_string())?;
    let dup_secs = t.elapsed().as_secs_f64();
    report(&format!(
        "| {label} | {} | {batch} | {:.2} s | **{:.0} reads/s** | re-send of one batch: {} duplicates in {:.1} ms |",
        stored,
        secs,
        stored as f64 / secs,
        dup.duplicates.len(),
        dup_secs * 1e3
    ));
    store.close().await;
    Ok(())
}

#[expect(clippy::print_stdout, reason = "a bench program reports on stdout")]
fn report(line: &str) {
    println!("{line}");
}

mod anyhow_free {
    pub type Result = std::result::Result<(), String>;
}

#[tokio::main]
async fn main() -> std::result::Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let batch: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let start = 1_767_225_600_000_000; // 2026-01-01T00:00Z
    let reads = generate(n, start);
    report("| backend | reads stored | batch | time | durable ingest | duplicates |");
    report("|---|---:|---:|---:|---:|---|");
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let url = DatabaseUrl::sqlite_file(&dir.path().join("bench.db"));
    run("SQLite (rusqlite, FULL sync)", &url, &reads, batch).await?;
    let pg = match args.get(3) {
        Some(u) => Some(u.clone()),
        None => pingan_testkit::services::TempPostgres::shared()
            .ok()
            .and_then(|p| p.fresh_database().ok()),
    };
    match pg {
        Some(u) => {
            let url = DatabaseUrl::parse(&u).map_err(|e| e.to_string())?;
            run(
                "PostgreSQL (COPY + INSERT … ON CONFLICT)",
                &url,
                &reads,
                batch,
            )
            .await?;
        }
        None => report("| PostgreSQL | skipped: no PostgreSQL binaries | | | | |"),
    }
    Ok(())
}

//! Test data: a seeded generator of awkward reads, and the same reads in SQLite with the
//! anchors' schema and indexes.

use pingan_reads::index::{IndexBuilder, ReadIndex};
use pingan_reads::plate::{Plate, PlateColour, PlateType};
use pingan_reads::read::{CheckpointId, Confidence, Direction, Read, ReadId};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;

pub use rusqlite::types::Value as Val;

const BASE: i64 = 1_709_222_400_000_000;

/// Reads over three days at five checkpoints with scattered ids; plates drawn from a small,
/// confusable-rich alphabet with a skewed activity; a third of the times on whole seconds so
/// that many reads tie on `ts`. Returned in time order (ties in random order).
pub fn gen_reads(seed: u64, n: usize) -> Vec<Read> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let alphabet: Vec<char> = "0O1I2Z58B3".chars().collect();
    let mut plates: Vec<String> = Vec::new();
    while plates.len() < 400 {
        let prefix = ["鲁Q", "鲁Q", "鲁Q", "京A", "苏B"][rng.gen_range(0..5)];
        let len = if rng.gen_bool(0.1) { 6 } else { 5 };
        let body: String = (0..len)
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
            .collect();
        let p = format!("{prefix}{body}");
        if !plates.contains(&p) {
            plates.push(p);
        }
    }
    let checkpoints = [1u32, 3, 4, 11, 42];
    let mut ids: Vec<i64> = (0..n as i64).map(|i| i * 3 + 1_000).collect();
    ids.shuffle(&mut rng);
    let mut reads: Vec<Read> = (0..n)
        .map(|i| {
            // Skewed activity: low plate indexes are far more frequent.
            let u: f64 = rng.gen();
            let pi = ((u * u * u) * plates.len() as f64) as usize;
            let plate = Plate::parse(&plates[pi.min(plates.len() - 1)])
                .expect("generated plates are valid");
            let mut ts = BASE + rng.gen_range(0..3 * 86_400_000_000i64);
            if rng.gen_bool(0.33) {
                ts -= ts % 1_000_000;
            }
            let new_energy = plate.as_str().chars().count() == 8;
            Read {
                id: ReadId(ids[i]),
                raw_plate: plate.as_str().to_owned(),
                plate,
                plate_colour: if new_energy {
                    Some(PlateColour::Green)
                } else if rng.gen_bool(0.9) {
                    Some(PlateColour::Blue)
                } else {
                    None
                },
                plate_type: if new_energy {
                    Some(PlateType::NEW_ENERGY_SMALL)
                } else {
                    Some(PlateType::SMALL)
                },
                checkpoint: CheckpointId(checkpoints[rng.gen_range(0..checkpoints.len())]),
                lane: rng.gen_range(1..5),
                direction: Direction::ALL[rng.gen_range(1..5)],
                ts_us: ts,
                confidence: Confidence::from_f64(f64::from(rng.gen_range(500u16..1000)) / 1000.0)
                    .expect("in range"),
                vehicle_colour: if rng.gen_bool(0.95) {
                    Some(["白", "黑"][rng.gen_range(0..2)].to_owned())
                } else {
                    None
                },
                vehicle_type: Some(["K33", "H11"][rng.gen_range(0..2)].to_owned()),
                vehicle_brand: None,
                image_urls: Vec::new(),
            }
        })
        .collect();
    // Pile a few reads onto exactly the same time at the same checkpoint.
    for i in (0..n.saturating_sub(3)).step_by(101) {
        let (ts, cp) = (reads[i].ts_us, reads[i].checkpoint);
        for r in &mut reads[i + 1..i + 3] {
            r.ts_us = ts;
            r.checkpoint = cp;
        }
    }
    reads.sort_by_key(|r| r.ts_us);
    reads
}

pub fn build_bulk(reads: &[Read]) -> ReadIndex {
    let mut b = IndexBuilder::new();
    for r in reads {
        b.push(r).expect("push");
    }
    let (idx, dups) = b.finish();
    assert_eq!(dups, 0);
    idx
}

/// Live ingest, mostly in time order with some reads held back and delivered late.
pub fn build_live(reads: &[Read], seed: u64) -> ReadIndex {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let mut idx = ReadIndex::new();
    let mut late: Vec<&Read> = Vec::new();
    for r in reads {
        if rng.gen_bool(0.08) {
            late.push(r);
        } else {
            idx.insert(r).expect("insert");
        }
        if late.len() > 30 || rng.gen_bool(0.01) {
            late.shuffle(&mut rng);
            for l in late.drain(..) {
                idx.insert(l).expect("insert");
            }
        }
    }
    for l in late {
        idx.insert(l).expect("insert");
    }
    assert_eq!(idx.len(), reads.len());
    idx
}

/// An in-memory SQLite database with the anchors' schema and indexes.
pub fn sqlite_of(reads: &[Read]) -> Connection {
    let db = Connection::open_in_memory().expect("sqlite");
    db.execute_batch(
        "CREATE TABLE reads (read_id INTEGER PRIMARY KEY, plate TEXT NOT NULL,
           checkpoint_id INTEGER NOT NULL, lane INTEGER NOT NULL, direction TEXT NOT NULL, ts INTEGER NOT NULL,
           vehicle_color TEXT, vehicle_type TEXT, confidence REAL);
         CREATE INDEX reads_plate_ts ON reads (plate, ts);
         CREATE INDEX reads_cp_ts ON reads (checkpoint_id, ts);",
    )
    .expect("schema");
    {
        let mut ins = db
            .prepare("INSERT INTO reads VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            .expect("prepare");
        for r in reads {
            ins.execute(rusqlite::params![
                r.id.0,
                r.plate.as_str(),
                r.checkpoint.0,
                r.lane,
                r.direction.as_str(),
                r.ts_us,
                r.vehicle_colour,
                r.vehicle_type,
                r.confidence.as_f64()
            ])
            .expect("insert");
        }
    }
    db
}

/// Runs SQL with named parameters; every row as a vector of values.
pub fn sql_rows(db: &Connection, sql: &str, params: &[(&str, Val)]) -> Vec<Vec<Val>> {
    let mut stmt = db.prepare(sql).expect("prepare");
    let named: Vec<(&str, &dyn rusqlite::ToSql)> = params
        .iter()
        .map(|(k, v)| (*k, v as &dyn rusqlite::ToSql))
        .collect();
    let cols = stmt.column_count();
    let mut rows = stmt.query(named.as_slice()).expect("query");
    let mut out = Vec::new();
    while let Some(row) = rows.next().expect("row") {
        out.push(
            (0..cols)
                .map(|i| row.get::<_, Val>(i).expect("value"))
                .collect(),
        );
    }
    out
}

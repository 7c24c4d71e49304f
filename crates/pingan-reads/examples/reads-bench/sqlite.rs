//! The SQLite side: the anchors' SQL text, the database with their schema, and a runner.

use std::path::Path;
use std::time::Instant;

use rusqlite::types::Value as Val;
use rusqlite::Connection;
use serde_json::Value as Json;

use crate::Res;

pub(crate) const ALL: &str =
    "read_id, plate, checkpoint_id, lane, direction, ts, vehicle_color, vehicle_type, confidence";

/// The anchors' workload: (name, truth.json parameter key, SQL), text as in `anchors.py`.
pub(crate) fn queries() -> Vec<(&'static str, &'static str, String)> {
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

/// Opens (or builds) the SQLite file with the anchors' schema, pragmas and indexes. The CSV is
/// parsed here independently of pingan's decoder.
pub(crate) fn open_sqlite(db_path: &Path, csv_path: &Path, expected: usize) -> Res<Connection> {
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

pub(crate) fn sql_run(con: &Connection, sql: &str, params: &Json) -> Res<Vec<Vec<Val>>> {
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

//! Plate reads (卡口过车) in the database: durable batched ingest, paging for the start-up index
//! rebuild, retention.
//!
//! # Design
//! Ingest is the hot path (the goal is hundreds of thousands of reads per second), so it does not
//! go through sqlx's `Any` driver:
//! * **SQLite**: a dedicated rusqlite connection to the same file (WAL, `synchronous = FULL`, as
//!   the pool's connections), one prepared single-row `INSERT … ON CONFLICT DO NOTHING` run per
//!   read inside one `BEGIN IMMEDIATE` transaction per batch. The affected-row count of each
//!   execution says whether the read was new or a duplicate, so no `RETURNING` is parsed.
//! * **PostgreSQL**: a `sqlx::PgPool` on the same URL; each batch is sent with `COPY … FROM STDIN`
//!   (text format) into a per-connection temporary staging table, then moved with one
//!   `INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING read_id, ts`, all in one transaction.
//!   `plate_reads` is partitioned by UTC day; partitions are created on demand before a batch
//!   that needs them (and ahead of time by [`ReadStore::prepare_days`]).
//!
//! A batch is acknowledged (the function returns) only after its transaction committed.
//! Duplicates inside one batch keep their first occurrence.
//!
//! Watch-list alerts raised by a batch ([`ReadStore::insert_with_alerts`]) are stored in the
//! batch's own transaction, for the reads that turn out new: one commit makes reads and alerts
//! durable together, so an alert can be announced the moment the batch is acknowledged, and a
//! re-sent read never alerts twice.
//!
//! Retention drops whole day partitions on PostgreSQL (instant, no vacuum debt) and deletes in
//! batches of [`DELETE_BATCH`] rows on SQLite. Reads attached to a case were copied into
//! `plate_evidence` when they were attached, so retention needs no exception here.
//!
//! # What it does not do
//! No query of Q1–Q7 runs here: the capability's in-memory index answers them; this table is the
//! source of truth it is rebuilt from ([`ReadStore::for_each_page`]).

use super::AlertRecord;
use pingan_core::StoreError;
use pingan_db::{backend, Backend, Store};
use pingan_reads::plate::{Plate, PlateColour, PlateType};
use pingan_reads::read::{CheckpointId, Confidence, Direction, Read, ReadId};
use sqlx::Row;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// One day in microseconds.
pub const DAY_US: i64 = 86_400_000_000;
/// Rows per retention `DELETE` on SQLite (keeps each write transaction short).
pub const DELETE_BATCH: i64 = 20_000;

const COLUMNS: &str = "read_id, ts, plate, raw_plate, checkpoint, lane, direction, plate_colour, \
                       plate_type, confidence, vehicle_colour, vehicle_type, vehicle_brand, image_urls";

/// What a batch insert did.
#[derive(Debug, Default)]
pub struct InsertOutcome {
    /// Reads stored by this call (committed), in input order.
    pub new: Vec<Read>,
    /// Ids of reads that were already stored (or repeated earlier in the same batch).
    pub duplicates: Vec<ReadId>,
}

/// What a retention run removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    /// Rows deleted (SQLite) or held by the dropped partitions (PostgreSQL).
    pub rows: u64,
    /// Dropped partitions (PostgreSQL).
    pub partitions: Vec<String>,
}

/// The plate-read table's fast paths; cheap to clone.
#[derive(Clone)]
pub struct ReadStore {
    store: Store,
    writer: Writer,
}

impl std::fmt::Debug for ReadStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadStore")
            .field("backend", &self.store.backend())
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
enum Writer {
    Sqlite(Arc<Mutex<rusqlite::Connection>>),
    Postgres {
        pool: sqlx::PgPool,
        /// Days (since the epoch) whose partition is known to exist.
        days: Arc<Mutex<HashSet<i64>>>,
    },
}

fn sqlite_err(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| StoreError::backend(context, e)
}

/// The file path of a `sqlite:` URL, or `None` for an in-memory database.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" || url.contains("mode=memory") {
        None
    } else {
        Some(path.to_owned())
    }
}

impl ReadStore {
    /// Opens the fast paths beside `store` (a second connection to the same database).
    pub async fn open(store: &Store) -> Result<Self, StoreError> {
        let writer = match store.backend() {
            Backend::Sqlite => {
                let path = sqlite_path(store.url().as_str()).ok_or_else(|| {
                    StoreError::Corrupt("plate reads need a file database, not :memory:".into())
                })?;
                let conn = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
                    let conn = rusqlite::Connection::open(&path)
                        .map_err(sqlite_err("open the reads connection"))?;
                    conn.execute_batch(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA busy_timeout = 10000; PRAGMA wal_autocheckpoint = 0;",
                    )
                    .map_err(sqlite_err("configure the reads connection"))?;
                    Ok(conn)
                })
                .await
                .map_err(|e| StoreError::backend("open the reads connection", e))??;
                Writer::Sqlite(Arc::new(Mutex::new(conn)))
            }
            Backend::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .connect(store.url().as_str())
                    .await
                    .map_err(backend("connect for plate reads"))?;
                Writer::Postgres {
                    pool,
                    days: Arc::new(Mutex::new(HashSet::new())),
                }
            }
        };
        Ok(Self {
            store: store.clone(),
            writer,
        })
    }

    /// Stores a batch durably; returns the reads that were new and the ids already present.
    pub async fn insert(&self, reads: Vec<Read>) -> Result<InsertOutcome, StoreError> {
        Ok(self.insert_with_alerts(reads, Vec::new()).await?.0)
    }

    /// Stores a batch and the watch-list alerts its reads raised, in one transaction. Alerts
    /// whose read was a duplicate are dropped, as are alerts already stored; the alerts returned
    /// are the ones this call stored.
    pub async fn insert_with_alerts(
        &self,
        reads: Vec<Read>,
        alerts: Vec<AlertRecord>,
    ) -> Result<(InsertOutcome, Vec<AlertRecord>), StoreError> {
        let mut seen: HashSet<(i64, i64)> = HashSet::with_capacity(reads.len());
        let mut unique = Vec::with_capacity(reads.len());
        let mut duplicates = Vec::new();
        for r in reads {
            if seen.insert((r.id.0, r.ts_us)) {
                unique.push(r);
            } else {
                duplicates.push(r.id);
            }
        }
        if unique.is_empty() {
            let outcome = InsertOutcome {
                new: Vec::new(),
                duplicates,
            };
            return Ok((outcome, Vec::new()));
        }
        let (new, dups, stored_alerts) = match &self.writer {
            Writer::Sqlite(conn) => {
                let conn = conn.clone();
                // The same writer lock as every other write transaction of this process.
                let _writer = self.store.sqlite_writer().lock_owned().await;
                tokio::task::spawn_blocking(move || sqlite_insert(&conn, unique, alerts))
                    .await
                    .map_err(|e| StoreError::backend("insert plate reads", e))??
            }
            Writer::Postgres { pool, days } => {
                let needed: HashSet<i64> =
                    unique.iter().map(|r| r.ts_us.div_euclid(DAY_US)).collect();
                self.ensure_days(pool, days, needed).await?;
                pg_insert(pool, unique, alerts).await?
            }
        };
        duplicates.extend(dups);
        Ok((InsertOutcome { new, duplicates }, stored_alerts))
    }

    /// Creates the day partitions covering `[from_us, from_us + days)` ahead of time
    /// (PostgreSQL; nothing to do on SQLite).
    pub async fn prepare_days(&self, from_us: i64, days: i64) -> Result<(), StoreError> {
        if let Writer::Postgres { pool, days: known } = &self.writer {
            let first = from_us.div_euclid(DAY_US);
            self.ensure_days(pool, known, (first..first + days.max(1)).collect())
                .await?;
        }
        Ok(())
    }

    async fn ensure_days(
        &self,
        pool: &sqlx::PgPool,
        known: &Mutex<HashSet<i64>>,
        needed: HashSet<i64>,
    ) -> Result<(), StoreError> {
        let missing: Vec<i64> = {
            let k = known.lock().unwrap_or_else(|p| p.into_inner());
            needed.into_iter().filter(|d| !k.contains(d)).collect()
        };
        for day in missing {
            let sql = format!(
                "CREATE TABLE IF NOT EXISTS {} PARTITION OF plate_reads FOR VALUES FROM ({}) TO ({})",
                partition_name(day),
                day * DAY_US,
                (day + 1) * DAY_US
            );
            // Two writers may race to create the same partition; the loser's error is harmless
            // when the partition exists afterwards.
            if let Err(e) = sqlx::query(&sql).execute(pool).await {
                let exists: Option<i32> =
                    sqlx::query_scalar("SELECT 1 FROM pg_class WHERE relname = $1")
                        .bind(partition_name(day))
                        .fetch_optional(pool)
                        .await
                        .map_err(backend("check a reads partition"))?;
                if exists.is_none() {
                    return Err(StoreError::backend("create a reads partition", e));
                }
            }
            known.lock().unwrap_or_else(|p| p.into_inner()).insert(day);
        }
        Ok(())
    }

    /// Calls `f` with pages of at most `page` stored reads at or after `since_us`, in
    /// `(read_id, ts)` order, so that a start-up rebuild never holds every row at once.
    pub async fn for_each_page<F>(
        &self,
        since_us: i64,
        page: usize,
        mut f: F,
    ) -> Result<u64, StoreError>
    where
        F: FnMut(Vec<Read>) -> Result<(), StoreError>,
    {
        let page = page.clamp(1, 1_000_000);
        let mut after: (i64, i64) = (i64::MIN, i64::MIN);
        let mut total = 0u64;
        loop {
            let sql = format!(
                "SELECT {COLUMNS} FROM plate_reads WHERE ts >= $1 AND (read_id > $2 OR (read_id = $2 AND ts > $3)) \
                 ORDER BY read_id, ts LIMIT $4"
            );
            let rows = sqlx::query(&sql)
                .bind(since_us)
                .bind(after.0)
                .bind(after.1)
                .bind(i64::try_from(page).unwrap_or(i64::MAX))
                .fetch_all(self.store.pool())
                .await
                .map_err(backend("load plate reads"))?;
            let n = rows.len();
            let reads = rows
                .iter()
                .map(read_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(last) = reads.last() {
                after = (last.id.0, last.ts_us);
            }
            total += n as u64;
            f(reads)?;
            if n < page {
                return Ok(total);
            }
        }
    }

    /// The stored reads with these ids (for raw text and images, which the index does not keep).
    pub async fn reads_by_id(&self, ids: &[ReadId]) -> Result<Vec<Read>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT {COLUMNS} FROM plate_reads WHERE read_id IN ({}) ORDER BY read_id, ts",
                pingan_db::list_placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.0);
            }
            let rows = q
                .fetch_all(self.store.pool())
                .await
                .map_err(backend("read plate reads"))?;
            for row in &rows {
                out.push(read_from_row(row)?);
            }
        }
        Ok(out)
    }

    /// Removes reads older than `cutoff_us`: whole day partitions ending at or before the cutoff
    /// on PostgreSQL, batched deletes on SQLite.
    pub async fn purge_before(&self, cutoff_us: i64) -> Result<PurgeReport, StoreError> {
        match &self.writer {
            Writer::Sqlite(conn) => {
                let mut report = PurgeReport::default();
                loop {
                    let conn = conn.clone();
                    let _writer = self.store.sqlite_writer().lock_owned().await;
                    let n = tokio::task::spawn_blocking(move || -> Result<usize, StoreError> {
                        let c = conn.lock().unwrap_or_else(|p| p.into_inner());
                        c.execute(
                            "DELETE FROM plate_reads WHERE rowid IN \
                             (SELECT rowid FROM plate_reads WHERE ts < ?1 LIMIT ?2)",
                            rusqlite::params![cutoff_us, DELETE_BATCH],
                        )
                        .map_err(sqlite_err("delete old plate reads"))
                    })
                    .await
                    .map_err(|e| StoreError::backend("delete old plate reads", e))??;
                    report.rows += n as u64;
                    if (n as i64) < DELETE_BATCH {
                        return Ok(report);
                    }
                    // Let ingest batches in between.
                    tokio::task::yield_now().await;
                }
            }
            Writer::Postgres { pool, days } => {
                let rows = sqlx::query(
                    "SELECT c.relname::text AS name FROM pg_inherits i \
                     JOIN pg_class c ON c.oid = i.inhrelid \
                     JOIN pg_class p ON p.oid = i.inhparent \
                     WHERE p.relname = 'plate_reads' ORDER BY 1",
                )
                .fetch_all(pool)
                .await
                .map_err(backend("list reads partitions"))?;
                let mut report = PurgeReport::default();
                for row in rows {
                    let name: String = row
                        .try_get("name")
                        .map_err(backend("list reads partitions"))?;
                    let Some(day) = partition_day(&name) else {
                        continue;
                    };
                    if (day + 1) * DAY_US > cutoff_us {
                        continue;
                    }
                    let mut tx = pool.begin().await.map_err(backend("begin"))?;
                    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {name}"))
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend("count a reads partition"))?;
                    sqlx::query(&format!("DROP TABLE {name}"))
                        .execute(&mut *tx)
                        .await
                        .map_err(backend("drop a reads partition"))?;
                    tx.commit()
                        .await
                        .map_err(backend("drop a reads partition"))?;
                    days.lock().unwrap_or_else(|p| p.into_inner()).remove(&day);
                    report.rows += u64::try_from(n).unwrap_or(0);
                    report.partitions.push(name);
                }
                Ok(report)
            }
        }
    }
}

/// `plate_reads_pYYYYMMDD` for a day number since the epoch.
pub fn partition_name(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("plate_reads_p{y:04}{m:02}{d:02}")
}

/// `YYYY-MM` (UTC) of a time in microseconds.
pub(crate) fn civil_month(us: i64) -> String {
    let (y, m, _) = civil_from_days(us.div_euclid(DAY_US));
    format!("{y:04}-{m:02}")
}

/// The day number of a partition name, or `None` for anything else.
fn partition_day(name: &str) -> Option<i64> {
    let digits = name.strip_prefix("plate_reads_p")?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i64 = digits[0..4].parse().ok()?;
    let m: i64 = digits[4..6].parse().ok()?;
    let d: i64 = digits[6..8].parse().ok()?;
    Some(days_from_civil(y, m, d))
}

/// Proleptic Gregorian date of a day number (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The stored form of a read's optional and coded columns.
struct Encoded<'a> {
    raw_plate: Option<&'a str>,
    plate_colour: Option<i64>,
    plate_type: Option<i64>,
    image_urls: Option<String>,
}

fn encode(r: &Read) -> Encoded<'_> {
    Encoded {
        raw_plate: (r.raw_plate != r.plate.as_str()).then_some(r.raw_plate.as_str()),
        plate_colour: r.plate_colour.map(|c| i64::from(c.code())),
        plate_type: r.plate_type.map(|t| i64::from(t.code())),
        image_urls: (!r.image_urls.is_empty())
            .then(|| serde_json::Value::from(r.image_urls.clone()).to_string()),
    }
}

/// What a batch stored: the new reads, the duplicates' ids, the alerts stored with them.
type BatchOutcome = (Vec<Read>, Vec<ReadId>, Vec<AlertRecord>);

/// The alerts whose read is among the new ones.
fn alerts_of_new(alerts: Vec<AlertRecord>, reads: &[Read], flags: &[bool]) -> Vec<AlertRecord> {
    if alerts.is_empty() {
        return alerts;
    }
    let new: HashSet<i64> = reads
        .iter()
        .zip(flags)
        .filter(|(_, new)| **new)
        .map(|(r, _)| r.id.0)
        .collect();
    alerts
        .into_iter()
        .filter(|a| new.contains(&a.read_id))
        .collect()
}

fn sqlite_insert(
    conn: &Mutex<rusqlite::Connection>,
    reads: Vec<Read>,
    alerts: Vec<AlertRecord>,
) -> Result<BatchOutcome, StoreError> {
    let mut c = conn.lock().unwrap_or_else(|p| p.into_inner());
    let tx = c
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sqlite_err("begin a reads batch"))?;
    let mut flags = Vec::with_capacity(reads.len());
    {
        let mut stmt = tx
            .prepare_cached(&format!(
                "INSERT INTO plate_reads ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14) \
                 ON CONFLICT(read_id) DO NOTHING"
            ))
            .map_err(sqlite_err("prepare the reads insert"))?;
        for r in &reads {
            let e = encode(r);
            let n = stmt
                .execute(rusqlite::params![
                    r.id.0,
                    r.ts_us,
                    r.plate.as_str(),
                    e.raw_plate,
                    i64::from(r.checkpoint.0),
                    i64::from(r.lane),
                    i64::from(r.direction.code()),
                    e.plate_colour,
                    e.plate_type,
                    i64::from(r.confidence.raw()),
                    r.vehicle_colour.as_deref(),
                    r.vehicle_type.as_deref(),
                    r.vehicle_brand.as_deref(),
                    e.image_urls,
                ])
                .map_err(sqlite_err("insert a plate read"))?;
            flags.push(n == 1);
        }
    }
    let mut stored_alerts = Vec::new();
    let alerts = alerts_of_new(alerts, &reads, &flags);
    if !alerts.is_empty() {
        let mut stmt = tx
            .prepare_cached(&format!(
                "INSERT INTO plate_alerts ({}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13) \
                 ON CONFLICT DO NOTHING",
                super::ALERT_COLUMNS
            ))
            .map_err(sqlite_err("prepare the alerts insert"))?;
        for a in alerts {
            let n = stmt
                .execute(rusqlite::params![
                    a.id,
                    a.entry_id,
                    a.read_id,
                    a.plate,
                    i64::from(a.checkpoint),
                    a.ts,
                    a.kind,
                    a.detail.to_string(),
                    a.raised_at,
                    a.acked_by,
                    a.acked_at,
                    a.outcome,
                    a.outcome_note,
                ])
                .map_err(sqlite_err("store an alert"))?;
            if n == 1 {
                stored_alerts.push(a);
            }
        }
    }
    tx.commit().map_err(sqlite_err("commit a reads batch"))?;
    let (new, dups) = split(reads, &flags);
    Ok((new, dups, stored_alerts))
}

fn split(reads: Vec<Read>, new: &[bool]) -> (Vec<Read>, Vec<ReadId>) {
    let mut fresh = Vec::with_capacity(reads.len());
    let mut dups = Vec::new();
    for (r, &is_new) in reads.into_iter().zip(new) {
        if is_new {
            fresh.push(r);
        } else {
            dups.push(r.id);
        }
    }
    (fresh, dups)
}

/// Appends `s` to a COPY text-format line, escaping what the format reserves.
fn copy_text(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn copy_opt_text(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => copy_text(out, s),
        None => out.push_str("\\N"),
    }
}

fn copy_opt_int(out: &mut String, v: Option<i64>) {
    use std::fmt::Write;
    match v {
        // Writing to a String cannot fail.
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.push_str("\\N"),
    }
}

/// The batch in COPY text format.
fn copy_payload(reads: &[Read]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(reads.len() * 80);
    for r in reads {
        let e = encode(r);
        // Writing to a String cannot fail.
        let _ = write!(out, "{}\t{}\t", r.id.0, r.ts_us);
        copy_text(&mut out, r.plate.as_str());
        out.push('\t');
        copy_opt_text(&mut out, e.raw_plate);
        let _ = write!(
            out,
            "\t{}\t{}\t{}\t",
            r.checkpoint.0,
            r.lane,
            r.direction.code()
        );
        copy_opt_int(&mut out, e.plate_colour);
        out.push('\t');
        copy_opt_int(&mut out, e.plate_type);
        let _ = write!(out, "\t{}\t", r.confidence.raw());
        copy_opt_text(&mut out, r.vehicle_colour.as_deref());
        out.push('\t');
        copy_opt_text(&mut out, r.vehicle_type.as_deref());
        out.push('\t');
        copy_opt_text(&mut out, r.vehicle_brand.as_deref());
        out.push('\t');
        copy_opt_text(&mut out, e.image_urls.as_deref());
        out.push('\n');
    }
    out
}

async fn pg_insert(
    pool: &sqlx::PgPool,
    reads: Vec<Read>,
    alerts: Vec<AlertRecord>,
) -> Result<BatchOutcome, StoreError> {
    let payload = copy_payload(&reads);
    let mut tx = pool.begin().await.map_err(backend("begin a reads batch"))?;
    sqlx::query(
        "CREATE TEMP TABLE IF NOT EXISTS plate_reads_stage \
         (LIKE plate_reads INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
    )
    .execute(&mut *tx)
    .await
    .map_err(backend("prepare the reads staging table"))?;
    let mut copy = tx
        .copy_in_raw(&format!("COPY plate_reads_stage ({COLUMNS}) FROM STDIN"))
        .await
        .map_err(backend("start copying plate reads"))?;
    copy.send(payload.into_bytes())
        .await
        .map_err(backend("copy plate reads"))?;
    copy.finish()
        .await
        .map_err(backend("finish copying plate reads"))?;
    let stored: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "INSERT INTO plate_reads ({COLUMNS}) SELECT {COLUMNS} FROM plate_reads_stage \
         ON CONFLICT DO NOTHING RETURNING read_id, ts"
    ))
    .fetch_all(&mut *tx)
    .await
    .map_err(backend("insert plate reads"))?;
    let stored: HashSet<(i64, i64)> = stored.into_iter().collect();
    let flags: Vec<bool> = reads
        .iter()
        .map(|r| stored.contains(&(r.id.0, r.ts_us)))
        .collect();
    // Hits are rare (a few per batch at most): one statement each.
    let mut stored_alerts = Vec::new();
    let insert_alert = format!(
        "INSERT INTO plate_alerts ({}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) \
         ON CONFLICT DO NOTHING",
        super::ALERT_COLUMNS
    );
    for a in alerts_of_new(alerts, &reads, &flags) {
        let n = sqlx::query(&insert_alert)
            .bind(a.id.as_str())
            .bind(a.entry_id)
            .bind(a.read_id)
            .bind(a.plate.as_str())
            .bind(i64::from(a.checkpoint))
            .bind(a.ts)
            .bind(a.kind.as_str())
            .bind(a.detail.to_string())
            .bind(a.raised_at)
            .bind(a.acked_by.as_deref())
            .bind(a.acked_at)
            .bind(a.outcome.as_deref())
            .bind(a.outcome_note.as_deref())
            .execute(&mut *tx)
            .await
            .map_err(backend("store an alert"))?
            .rows_affected();
        if n == 1 {
            stored_alerts.push(a);
        }
    }
    tx.commit().await.map_err(backend("commit a reads batch"))?;
    let (new, dups) = split(reads, &flags);
    Ok((new, dups, stored_alerts))
}

pub(crate) fn read_from_row(row: &sqlx::any::AnyRow) -> Result<Read, StoreError> {
    let e = || backend("read a plate read");
    let plate: String = row.try_get("plate").map_err(e())?;
    let raw: Option<String> = row.try_get("raw_plate").map_err(e())?;
    let code = |c: &str| -> Result<Option<i64>, StoreError> {
        row.try_get(c).map_err(backend("read a plate read"))
    };
    let small = |v: i64, what: &str| -> Result<u8, StoreError> {
        u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("plate read {what} {v}")))
    };
    let id: i64 = row.try_get("read_id").map_err(e())?;
    let checkpoint: i64 = row.try_get("checkpoint").map_err(e())?;
    let confidence: i64 = row.try_get("confidence").map_err(e())?;
    let urls: Option<String> = row.try_get("image_urls").map_err(e())?;
    Ok(Read {
        id: ReadId(id),
        plate: Plate::as_read(&plate)
            .map_err(|err| StoreError::Corrupt(format!("plate of read {id}: {err}")))?,
        raw_plate: raw.unwrap_or_else(|| plate.clone()),
        plate_colour: code("plate_colour")?
            .map(|v| small(v, "plate colour").map(PlateColour::from_code))
            .transpose()?
            .flatten(),
        plate_type: code("plate_type")?
            .map(|v| small(v, "plate type").map(PlateType::from_code))
            .transpose()?
            .flatten(),
        checkpoint: CheckpointId(
            u32::try_from(checkpoint).map_err(|_| {
                StoreError::Corrupt(format!("checkpoint {checkpoint} of read {id}"))
            })?,
        ),
        lane: small(row.try_get("lane").map_err(e())?, "lane")?,
        direction: Direction::from_code(small(
            row.try_get("direction").map_err(e())?,
            "direction",
        )?),
        ts_us: row.try_get("ts").map_err(e())?,
        confidence: u16::try_from(confidence)
            .ok()
            .and_then(Confidence::from_raw)
            .ok_or_else(|| StoreError::Corrupt(format!("confidence {confidence} of read {id}")))?,
        vehicle_colour: row.try_get("vehicle_colour").map_err(e())?,
        vehicle_type: row.try_get("vehicle_type").map_err(e())?,
        vehicle_brand: row.try_get("vehicle_brand").map_err(e())?,
        image_urls: match urls {
            Some(t) => serde_json::from_str(&t)
                .map_err(|err| StoreError::Corrupt(format!("image urls of read {id}: {err}")))?,
            None => Vec::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names_round_trip_days() {
        for day in [0, 19_000, 20_500, -1] {
            assert_eq!(partition_day(&partition_name(day)), Some(day));
        }
        assert_eq!(partition_name(0), "plate_reads_p19700101");
        assert_eq!(partition_day("plate_reads_pxx"), None);
    }

    #[test]
    fn copy_text_escapes_reserved_characters() {
        let mut s = String::new();
        copy_text(&mut s, "a\tb\\c\nd");
        assert_eq!(s, "a\\tb\\\\c\\nd");
    }

    #[test]
    fn sqlite_paths_come_from_urls() {
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db?mode=rwc").as_deref(),
            Some("/tmp/x.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}

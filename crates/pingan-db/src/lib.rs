//! pingan's storage: the core's ports implemented on SQLite and PostgreSQL.
//!
//! # Design
//! One implementation of each port, written in portable SQL through sqlx's `Any` driver with
//! runtime queries (`sqlx::query`, `$N` placeholders, which both SQLite and PostgreSQL accept).
//! Times are `BIGINT` microseconds, ids are text, flags are `BIGINT` 0/1, JSON is text: the same
//! statement then means the same thing on both backends. Backend-specific code exists only where
//! it earns its keep, and is marked: connection pragmas (SQLite WAL), advisory locks and
//! LISTEN/NOTIFY (PostgreSQL).
//!
//! The backend is chosen by the URL's scheme ([`DatabaseUrl`]). Migrations are embedded per
//! backend under `migrations/{sqlite,postgres}` with the same file names; a test keeps the two
//! lists equal.
//!
//! # What it does not do
//! It knows nothing of HTTP, MQTT, or configuration files, and never reads the clock: every
//! time it stores is passed in.

mod accounts;
mod audit;
mod devices;
mod error;
mod geography;
mod notify;
mod url;

pub use error::ConnectError;
pub use error::{backend, map_err};
pub use notify::PgEventListener;
pub use url::{Backend, DatabaseUrl};

use pingan_core::StoreError;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections of a SQLite pool (one writer at a time; the others read beside it).
const SQLITE_CONNECTIONS: u32 = 4;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: AnyPool,
    url: DatabaseUrl,
    /// Serialises audit appends within this process. Across processes (PostgreSQL only) an
    /// advisory transaction lock does the same. Taken after the writer lock, never before it.
    audit_lock: Arc<tokio::sync::Mutex<()>>,
    /// SQLite has one writer at a time. Every write transaction of this process takes this
    /// lock first and then begins with `BEGIN IMMEDIATE` (see [`Store::begin_write`]), so write
    /// transactions queue here instead of in SQLite's busy handler, and single-statement writes
    /// (session and device touches) wait on the busy timeout; PostgreSQL needs neither.
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// Why a write transaction may commit without a ledger entry: data that no person changed.
///
/// Every other write commits through [`WriteTx::commit`], which refuses to commit a change that
/// has no ledger entry: a change and its entry are one transaction by construction, so a crash
/// leaves both or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unaudited {
    /// What field devices report: plate reads, positions, heartbeats, detections, last-seen.
    DeviceData,
    /// Sign-in sessions: created, ended and expired (the sign-in and sign-out are in the ledger).
    Sessions,
    /// Rows past their configured age, removed by a retention task.
    Expiry,
    /// A derived table rebuilt from stored data (nothing anyone decided changed).
    Derived,
}

/// A write transaction; on SQLite it also holds the process's writer lock until dropped.
///
/// A change and its ledger entries commit together: [`WriteTx::append_audit`] chains entries
/// inside this transaction and [`WriteTx::commit`] takes the change's entries and refuses to
/// commit without any, so a crash leaves either both or neither. Dropping it rolls back.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    audit_lock: Arc<tokio::sync::Mutex<()>>,
    _audit: Option<tokio::sync::OwnedMutexGuard<()>>,
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::fmt::Debug for WriteTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteTx")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx {
    /// Appends `audit` (the change's ledger entries) in this transaction and commits both.
    /// Refused, and rolled back, when the transaction has no ledger entry at all: a change
    /// nobody can account for is not stored. Returns the entries appended here.
    pub async fn commit(
        mut self,
        audit: Vec<pingan_core::audit::NewAuditEntry>,
        context: &'static str,
    ) -> Result<Vec<pingan_core::audit::AuditEntry>, StoreError> {
        let chained = self.append_audit(audit).await?;
        if self._audit.is_none() {
            return Err(StoreError::Unaudited { context });
        }
        self.tx.commit().await.map_err(backend(context))?;
        Ok(chained)
    }

    /// Commits a write that is not a change anyone made (see [`Unaudited`]).
    pub async fn commit_unaudited(
        self,
        _why: Unaudited,
        context: &'static str,
    ) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(backend(context))
    }

    /// Appends ledger entries inside this transaction (chained after the head as this
    /// transaction sees it). Call it after the transaction's own writes: from here to the commit
    /// the ledger is locked for every other writer of this database.
    pub async fn append_audit(
        &mut self,
        entries: Vec<pingan_core::audit::NewAuditEntry>,
    ) -> Result<Vec<pingan_core::audit::AuditEntry>, StoreError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        if self._audit.is_none() {
            self._audit = Some(self.audit_lock.clone().lock_owned().await);
        }
        audit::chain_into(&mut self.tx, self.backend, entries).await
    }
}

/// How often the SQLite WAL is checkpointed (passively, beside the writers).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// The SQLite file pingan writes into `application_id` ("ping"), so tools can tell it apart.
const SQLITE_APPLICATION_ID: i64 = 0x7069_6e67;

/// Puts a SQLite database file in WAL mode with its header on disk, on one connection that is
/// closed before the pool opens any.
///
/// WAL lets readers run beside the writer; the mode persists in the file's header. On a new,
/// empty file the header is not written until the first write, and a connection that opens a
/// zero-length file ignores (and may delete) a WAL beside it: a pool connection opened before
/// the migrations were checkpointed then saw an empty database ("no such table"). Writing the
/// application id materialises the header, and closing the only connection checkpoints it into
/// the main file.
async fn prepare_sqlite_file(url: &DatabaseUrl) -> Result<(), ConnectError> {
    use sqlx::Connection;
    let connect_err = |source| ConnectError::Connect {
        url: url.redacted(),
        source,
    };
    let mut conn = sqlx::AnyConnection::connect(url.as_str())
        .await
        .map_err(connect_err)?;
    conn.execute(
        format!(
            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
             PRAGMA application_id = {SQLITE_APPLICATION_ID};"
        )
        .as_str(),
    )
    .await
    .map_err(connect_err)?;
    conn.close().await.map_err(connect_err)
}

impl Store {
    /// Connects to the database named by `url`. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, ConnectError> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                // SQLite has one writer at a time; a few readers share the file in WAL mode.
                Backend::Sqlite => SQLITE_CONNECTIONS,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(15))
            // SQLite connections live as long as the pool and are all opened, one after the
            // other, before the store is used: two connections opening a WAL file at the same
            // moment can fail with SQLITE_CANTOPEN.
            .idle_timeout(match backend {
                Backend::Sqlite => None,
                Backend::Postgres => Some(Duration::from_secs(600)),
            })
            .max_lifetime(match backend {
                Backend::Sqlite => None,
                Backend::Postgres => Some(Duration::from_secs(1800)),
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // FULL sync makes an acknowledged commit survive a power cut, not only
                        // a crash. (WAL is not set here: it is a property of the file, set once
                        // by `prepare_sqlite_file` before any of these connections opens.)
                        // No connection checkpoints the WAL as part of a commit (that stalls
                        // the committing writer for a whole checkpoint); the store's
                        // checkpointer does it beside them (see `spawn_checkpointer`).
                        conn.execute(
                            "PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            });
        if backend == Backend::Sqlite {
            prepare_sqlite_file(url).await?;
        }
        let pool = options
            .connect(url.as_str())
            .await
            .map_err(|source| ConnectError::Connect {
                url: url.redacted(),
                source,
            })?;
        if backend == Backend::Sqlite {
            let connect_err = |source| ConnectError::Connect {
                url: url.redacted(),
                source,
            };
            let mut held = Vec::with_capacity(SQLITE_CONNECTIONS as usize);
            for _ in 0..SQLITE_CONNECTIONS {
                held.push(pool.acquire().await.map_err(connect_err)?);
            }
            drop(held);
        }
        let store = Self {
            inner: Arc::new(Inner {
                pool,
                url: url.clone(),
                audit_lock: Arc::new(tokio::sync::Mutex::new(())),
                writer: Arc::new(tokio::sync::Mutex::new(())),
            }),
        };
        if backend == Backend::Sqlite {
            store.spawn_checkpointer();
        }
        Ok(store)
    }

    /// Checkpoints the SQLite WAL into the database file every [`CHECKPOINT_EVERY`], beside the
    /// writers rather than inside one of their commits: a passive checkpoint never blocks a
    /// writer, so an acknowledged batch (and the watch-list alert it raised) does not wait for
    /// megabytes of pages to be copied and synced. Ends when the store is closed or dropped.
    fn spawn_checkpointer(&self) {
        let inner = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(inner) = inner.upgrade() else { break };
                if inner.pool.is_closed() {
                    break;
                }
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&inner.pool)
                    .await
                {
                    tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
                }
            }
        });
    }

    /// Applies the embedded migrations that have not run yet; returns how many ran.
    pub async fn migrate(&self) -> Result<usize, ConnectError> {
        let migrator = Self::migrator(self.backend());
        let before = self.applied_migrations().await.unwrap_or(0);
        migrator
            .run(&self.inner.pool)
            .await
            .map_err(ConnectError::Migrate)?;
        let after = self.applied_migrations().await.unwrap_or(before);
        Ok(after.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<usize, sqlx::Error> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&self.inner.pool)
            .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn migrator(backend: Backend) -> &'static Migrator {
        match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// The embedded migrations of a backend as `(version, description)`.
    pub fn migration_list(backend: Backend) -> Vec<(i64, String)> {
        Self::migrator(backend)
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    pub fn backend(&self) -> Backend {
        self.inner.url.backend()
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.inner.url
    }

    /// The pool, for crates that add their own tables through this store's migrations.
    pub fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    /// Begins a write transaction (see [`Inner::writer`] for why SQLite serialises them).
    ///
    /// On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken at the start, so the
    /// transaction reads the latest data and its first write cannot fail. A deferred
    /// transaction that read first could be refused at its first write (`SQLITE_BUSY`, no
    /// waiting) when a single-statement write of another request committed in between.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let (guard, tx) = match self.backend() {
            Backend::Sqlite => {
                let guard = self.inner.writer.clone().lock_owned().await;
                let tx = self.inner.pool.begin_with("BEGIN IMMEDIATE").await?;
                (Some(guard), tx)
            }
            Backend::Postgres => (None, self.inner.pool.begin().await?),
        };
        Ok(WriteTx {
            tx,
            backend: self.backend(),
            audit_lock: self.inner.audit_lock.clone(),
            _audit: None,
            _writer: guard,
        })
    }

    /// The SQLite writer lock, for write paths on a connection of their own.
    pub fn sqlite_writer(&self) -> Arc<tokio::sync::Mutex<()>> {
        self.inner.writer.clone()
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.inner.pool)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::backend("ping the database", e))
    }

    /// Closes the pool, waiting for connections to finish (used on shutdown).
    pub async fn close(&self) {
        self.inner.pool.close().await;
    }
}

/// Reads a BIGINT 0/1 flag.
pub fn flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    use sqlx::Row;
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// Builds `($1,$2,…),($k,…)` for a multi-row insert of `rows` rows of `cols` columns.
pub fn values_placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// Builds `$from,$from+1,…` for an `IN (…)` list of `n` values.
pub fn list_placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_carry_the_same_migrations() {
        let sqlite = Store::migration_list(Backend::Sqlite);
        let postgres = Store::migration_list(Backend::Postgres);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres);
    }

    #[tokio::test]
    async fn a_new_sqlite_file_is_in_wal_mode_on_disk_before_the_pool_opens() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("fresh.db");
        let store = Store::connect(&DatabaseUrl::sqlite_file(&path))
            .await
            .expect("connect");
        // The header is on disk, so every pool connection opens the file in WAL mode.
        let header = std::fs::read(&path).expect("database file");
        assert!(
            header.len() >= 100,
            "header written: {} bytes",
            header.len()
        );
        assert_eq!((header[18], header[19]), (2, 2), "WAL read/write versions");
        assert_eq!(
            i64::from(u32::from_be_bytes([
                header[68], header[69], header[70], header[71]
            ])),
            SQLITE_APPLICATION_ID
        );
        // Every connection of the pool sees what the migrations created.
        store.migrate().await.expect("migrate");
        let mut held = Vec::new();
        for _ in 0..SQLITE_CONNECTIONS {
            let mut conn = store.pool().acquire().await.expect("connection");
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
                .fetch_one(&mut *conn)
                .await
                .expect("audit_log visible");
            assert_eq!(n, 0);
            held.push(conn);
        }
    }

    #[tokio::test]
    async fn the_checkpointer_moves_the_wal_into_the_database_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("wal.db");
        let store = Store::connect(&DatabaseUrl::sqlite_file(&path))
            .await
            .expect("connect");
        let before = std::fs::metadata(&path).expect("file").len();
        // No commit checkpoints by itself (wal_autocheckpoint = 0): the migrations land in the
        // WAL, and only the store's checkpointer copies them into the file.
        store.migrate().await.expect("migrate");
        let mut after = before;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            after = std::fs::metadata(&path).expect("file").len();
            if after > before {
                break;
            }
        }
        assert!(after > before, "database file still {after} bytes");
        store.close().await;
    }

    /// Device and session touches interleave with write transactions that append to the
    /// ledger; neither is ever refused by the other.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn write_transactions_survive_concurrent_single_statement_writes() {
        use pingan_core::account::DeviceKind;
        use pingan_core::ids::DeviceId;
        use pingan_core::ports::{AuditStore, DeviceStore, NewDevice};
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::connect(&DatabaseUrl::sqlite_file(&dir.path().join("busy.db")))
            .await
            .expect("connect");
        store.migrate().await.expect("migrate");
        let id = DeviceId("kk-01".into());
        store
            .create_device(
                &NewDevice {
                    id: id.clone(),
                    kind: DeviceKind::Checkpoint,
                    name: "kk-01".into(),
                    key_hash: "x".into(),
                    created_at: pingan_core::Timestamp(1),
                },
                vec![pingan_testkit::entry("test")],
            )
            .await
            .expect("device");
        let toucher = {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..300 {
                    store
                        .touch_devices(std::slice::from_ref(&id), pingan_core::Timestamp(i + 2))
                        .await
                        .expect("touch");
                }
            })
        };
        for i in 0..150 {
            let e = pingan_core::audit::NewAuditEntry {
                at: pingan_core::Timestamp(i),
                actor: "t".into(),
                role: None,
                action: "test.append".into(),
                object_type: "test".into(),
                object_id: None,
                purpose: None,
                reference: None,
                request_id: None,
                outcome: pingan_core::audit::Outcome::Success,
                detail: serde_json::json!({}),
            };
            store
                .append_audit(vec![e])
                .await
                .expect("append beside touches");
        }
        toucher.await.expect("toucher");
    }

    /// A change cannot commit without its ledger entry: the commit is refused, the change rolled
    /// back; with its entry both are stored, chained.
    #[tokio::test]
    async fn a_change_without_its_ledger_entry_is_not_stored() {
        use pingan_core::ports::{AuditFilter, AuditStore, DeviceStore};
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::connect(&DatabaseUrl::sqlite_file(&dir.path().join("l.db")))
            .await
            .expect("connect");
        store.migrate().await.expect("migrate");
        let insert = |id: &'static str| {
            sqlx::query(
                "INSERT INTO devices (id, kind, name, key_hash, disabled, created_at) \
                 VALUES ($1, 'checkpoint', $1, $1, 0, 1)",
            )
            .bind(id)
        };
        let mut tx = store.begin_write().await.expect("begin");
        insert("kk-bare").execute(&mut *tx).await.expect("insert");
        let refused = tx.commit(Vec::new(), "commit a bare change").await;
        assert!(
            matches!(refused, Err(StoreError::Unaudited { .. })),
            "{refused:?}"
        );
        assert!(store.list_devices().await.expect("list").is_empty());

        let mut tx = store.begin_write().await.expect("begin");
        insert("kk-told").execute(&mut *tx).await.expect("insert");
        let stored = tx
            .commit(
                vec![pingan_testkit::entry("device.create")],
                "commit a change",
            )
            .await
            .expect("commit with its entry");
        assert_eq!(stored.len(), 1);
        assert_eq!(store.list_devices().await.expect("list").len(), 1);
        let ledger = store
            .audit_page(&AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            })
            .await
            .expect("ledger");
        assert_eq!(ledger.len(), 1);
        assert_eq!(ledger[0].action, "device.create");
    }

    #[test]
    fn placeholders_number_across_rows() {
        assert_eq!(values_placeholders(2, 2), "($1,$2),($3,$4)");
        assert_eq!(list_placeholders(3, 2), "$3,$4");
    }
}

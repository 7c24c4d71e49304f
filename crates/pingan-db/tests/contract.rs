//! The storage contract: one suite that every backend passes.
//!
//! Each contract is an `async fn(&Store)` written against the core's ports only (plus raw SQL
//! where the contract is about the schema itself, such as the ledger's append-only triggers).
//! The `contract!` macro turns each into two tests, `<name>::sqlite` on a real SQLite file in a
//! temporary directory and `<name>::postgres` on a fresh database of a temporary PostgreSQL
//! cluster, so both backends run in the same `cargo test`. Every test gets a fresh, migrated
//! database; nothing is shared between tests but the PostgreSQL server.
//!
//! The contracts live by area in `tests/contract/` (one test binary; the modules are named by
//! `#[path]` so Cargo does not take them for binaries of their own). Run one area with
//! `cargo test -p pingan-db --test contract audit::`.
//!
//! Where a port's answer is a filtered page (the audit ledger), the expected answer is computed
//! by a small in-memory model of the filter, so the contract states the semantics once.

use futures::future::join_all;
use pingan_core::access::Role;
use pingan_core::account::{DeviceKind, Session, SessionKind};
use pingan_core::audit::{verify_chain, AuditEntry, NewAuditEntry, Outcome, GENESIS_HASH};
use pingan_core::geography::FeatureRow;
use pingan_core::ids::{DeviceId, UserId};
use pingan_core::ports::{
    AccountStore, AuditFilter, AuditStore, DeviceStore, GeographyStore, NewDevice, NewUser,
};
use pingan_core::purpose::Purpose;
use pingan_core::{StoreError, Timestamp};
use pingan_db::{Backend, DatabaseUrl, Store};
use pingan_testkit::services::{service_or_skip, TempPostgres};
use serde_json::json;

/// A migrated store on a fresh database. Holds the SQLite file's directory for the test's life.
struct Fresh {
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

impl Fresh {
    async fn sqlite() -> Fresh {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("pingan.db");
        let fresh = Fresh::migrated(DatabaseUrl::sqlite_file(&path), Some(dir)).await;
        assert!(path.is_file(), "the SQLite store lives in a real file");
        fresh
    }

    /// `None` only when PostgreSQL is not installed and the run allows skipping.
    async fn postgres() -> Option<Fresh> {
        let pg = service_or_skip(TempPostgres::shared())?;
        let url = pg.fresh_database().expect("a fresh database");
        Some(Fresh::migrated(DatabaseUrl::parse(&url).expect("postgres url"), None).await)
    }

    async fn migrated(url: DatabaseUrl, dir: Option<tempfile::TempDir>) -> Fresh {
        let store = Store::connect(&url).await.expect("connect");
        let applied = store.migrate().await.expect("migrate");
        assert_eq!(
            applied,
            Store::migration_list(url.backend()).len(),
            "a fresh database runs every embedded migration"
        );
        Fresh { store, _dir: dir }
    }
}

/// `contract!(a, b)` generates `mod a { sqlite, postgres }` tests calling `async fn a(&Store)`
/// of the module where it is invoked.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = crate::Fresh::sqlite().await;
                super::$name(&db.store).await;
                db.store.close().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = crate::Fresh::postgres().await else { return };
                super::$name(&db.store).await;
                db.store.close().await;
            }
        }
    )*};
}

#[path = "contract/accounts.rs"]
mod accounts;
#[path = "contract/audit.rs"]
mod audit;
#[path = "contract/devices.rs"]
mod devices;
#[path = "contract/geography.rs"]
mod geography;
#[path = "contract/values.rs"]
mod values;

// ---------------------------------------------------------------------------------------------
// Fixtures

fn new_user(username: &str, role: Role) -> NewUser {
    NewUser {
        id: UserId::new(format!("u-{username}")),
        username: username.to_owned(),
        display_name: format!("用户 {username}"),
        role,
        agency: None,
        password_hash: format!("hash-of-{username}"),
        created_at: Timestamp(1_700_000_000_000_000),
    }
}

fn session(token: &str, user: &UserId, expires_at: i64) -> Session {
    Session {
        token_hash: token.to_owned(),
        user_id: user.clone(),
        kind: SessionKind::Browser,
        csrf_token: Some(format!("csrf-{token}")),
        created_at: Timestamp(expires_at - 3_600_000_000),
        expires_at: Timestamp(expires_at),
    }
}

fn new_device(id: &str, key: &str) -> NewDevice {
    NewDevice {
        id: DeviceId::new(id),
        kind: DeviceKind::Checkpoint,
        name: format!("卡口 {id}"),
        key_hash: key.to_owned(),
        created_at: Timestamp(1_700_000_000_000_000),
    }
}

fn entry(actor: &str, action: &str, at: i64) -> NewAuditEntry {
    NewAuditEntry {
        at: Timestamp(at),
        actor: actor.to_owned(),
        role: Some(Role::Admin),
        action: action.to_owned(),
        object_type: "user".to_owned(),
        object_id: None,
        purpose: None,
        reference: None,
        request_id: None,
        outcome: Outcome::Success,
        detail: json!({}),
    }
}

fn entries(n: usize, action: &str) -> Vec<NewAuditEntry> {
    (0..n)
        .map(|i| entry("admin", action, i64::try_from(i).unwrap_or(0)))
        .collect()
}

fn feature(i: usize) -> FeatureRow {
    FeatureRow {
        id: format!("f{i:04}"),
        kind: if i.is_multiple_of(2) { "grid" } else { "road" }.to_owned(),
        name: format!("网格 {i}"),
        name_en: i.is_multiple_of(3).then(|| format!("Grid {i}")),
        parent: i.is_multiple_of(5).then(|| "town-1".to_owned()),
        road_class: (i % 2 == 1).then(|| "primary".to_owned()),
        geometry: format!(r#"{{"type":"Point","coordinates":[120.{i},36.{i}]}}"#),
        properties: format!(r#"{{"n":{i},"名称":"要地"}}"#),
    }
}

/// A filter reading everything (up to the limit).
fn all(limit: u32) -> AuditFilter {
    AuditFilter {
        limit,
        ..AuditFilter::default()
    }
}

async fn ledger(store: &Store) -> Vec<AuditEntry> {
    store
        .audit_page(&all(10_000))
        .await
        .expect("read the ledger")
}

fn assert_duplicate<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::Duplicate { what: w, .. }) => assert_eq!(w, what),
        other => panic!("expected a duplicate {what}, got {other:?}"),
    }
}

fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::NotFound { what: w, .. }) => assert_eq!(w, what),
        other => panic!("expected {what} not found, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Database URLs

#[test]
fn the_url_scheme_picks_the_backend() {
    for (url, backend) in [
        ("sqlite://data/pingan.db", Backend::Sqlite),
        ("sqlite:pingan.db", Backend::Sqlite),
        ("sqlite::memory:", Backend::Sqlite),
        ("postgres://pingan@localhost/pingan", Backend::Postgres),
        (
            "postgresql://pingan:pw@db:5432/pingan?sslmode=disable",
            Backend::Postgres,
        ),
    ] {
        let parsed = DatabaseUrl::parse(url).expect(url);
        assert_eq!(parsed.backend(), backend, "{url}");
        assert_eq!(parsed.as_str(), url, "the URL is kept as given");
    }
    for url in [
        "",
        "pingan.db",
        "mysql://h/db",
        "postgres:/h/db",
        "sqlite",
        " sqlite://x",
    ] {
        assert!(DatabaseUrl::parse(url).is_err(), "{url:?} must be refused");
    }
    let file = DatabaseUrl::sqlite_file(std::path::Path::new("/var/lib/pingan/pingan.db"));
    assert_eq!(file.backend(), Backend::Sqlite);
    assert!(file.as_str().contains("/var/lib/pingan/pingan.db"));
}

#[test]
fn database_urls_never_show_their_password() {
    let url = DatabaseUrl::parse("postgres://pingan:s3cret@db:5432/pingan").expect("url");
    for shown in [format!("{url}"), format!("{url:?}"), url.redacted()] {
        assert_eq!(shown, "postgres://pingan:***@db:5432/pingan");
    }
    // An unencoded `@` in the password: the host starts after the last `@`.
    let url = DatabaseUrl::parse("postgres://pingan:p@ss@db/pingan").expect("url");
    assert_eq!(url.redacted(), "postgres://pingan:***@db/pingan");
    let url = DatabaseUrl::parse("postgres://pingan:pa/ss@db/pingan").expect("url");
    assert_eq!(url.redacted(), "postgres://pingan:***@db/pingan");
    // A path that merely contains `:` and `@` is not a password.
    let file = DatabaseUrl::parse("sqlite:///srv/a:b@c/pingan.db").expect("url");
    assert_eq!(file.redacted(), "sqlite:///srv/a:b@c/pingan.db");
    let refused = DatabaseUrl::parse("mysql://root:hunter2@db/x").expect_err("mysql");
    assert!(!refused.to_string().contains("hunter2"), "{refused}");
}

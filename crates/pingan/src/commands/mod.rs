//! The subcommands.

pub mod analyze;
pub mod audit;
pub mod demo;
mod demo_load;
mod demo_patrols;
pub mod import;
pub mod reads;
pub mod serve;
pub mod user;

use crate::config::{ensure_data_dir, Config};
use anyhow::Context;
use pingan_db::Store;

/// Writes a line to standard output (the commands' result, as opposed to logs on stderr).
#[expect(
    clippy::print_stdout,
    reason = "command output goes to stdout by design"
)]
pub fn print(text: &str) {
    println!("{text}");
}

/// Logs go to stderr, filtered by `PINGAN_LOG` / `--log`.
pub fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Creates the data directory, connects to the database and migrates it.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    ensure_data_dir(&config.data_dir)?;
    let store = Store::connect(&config.database_url)
        .await
        .context("opening the database")?;
    let ran = store.migrate().await.context("migrating the database")?;
    if ran > 0 {
        tracing::info!(
            migrations = ran,
            backend = store.backend().as_str(),
            "database migrated"
        );
    }
    Ok(store)
}

/// A successful action taken on this machine rather than through the API: `actor` is `cli`
/// (a command) or `system` (the server itself, e.g. creating the first admin).
pub fn local_entry(
    actor: &str,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: serde_json::Value,
) -> pingan_core::audit::NewAuditEntry {
    pingan_core::audit::NewAuditEntry {
        at: now(),
        actor: actor.to_owned(),
        role: None,
        action: action.to_owned(),
        object_type: object_type.to_owned(),
        object_id: Some(object_id.to_owned()),
        purpose: None,
        reference: None,
        request_id: None,
        outcome: pingan_core::audit::Outcome::Success,
        detail,
    }
}

/// The wall clock, read here at the edge.
pub fn now() -> pingan_core::Timestamp {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    pingan_core::Timestamp(micros)
}

//! `pingan audit verify`: checks the chain offline, straight from the database.

use crate::config::Config;
use std::process::ExitCode;

pub async fn verify(config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config).await?;
    let report = pingan_server::routes::audit::verify_store(&store).await?;
    if report.ok {
        super::print(&format!(
            "audit ledger intact: {} entries; head #{} {}",
            report.entries_checked,
            report.head_seq.unwrap_or(0),
            report.head_hash.as_deref().unwrap_or("(empty)")
        ));
        Ok(ExitCode::SUCCESS)
    } else {
        super::print(&format!(
            "audit ledger BROKEN at entry #{}: {} ({} entries verified before it)",
            report.first_broken_seq.unwrap_or(0),
            report.problem.as_deref().unwrap_or("unknown problem"),
            report.entries_checked
        ));
        Ok(ExitCode::FAILURE)
    }
}

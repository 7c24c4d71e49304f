//! `pingan import …`

use crate::config::Config;
use anyhow::Context;
use std::path::Path;
use std::process::ExitCode;

pub async fn geography(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = super::open_store(config).await?;
    let source = file.display().to_string();
    let entry = |report: &pingan_server::geography::ImportReport| {
        super::local_entry(
            "cli",
            "geography.import",
            "geography",
            &source,
            serde_json::to_value(report).unwrap_or_default(),
        )
    };
    match pingan_server::geography::import_geography(&store, &text, entry).await {
        Ok((_, report)) => {
            let kinds: Vec<String> = report
                .by_kind
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            super::print(&format!(
                "imported {} features: {}",
                report.features,
                kinds.join(", ")
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(pingan_server::geography::ImportError::Invalid(errors)) => {
            for e in &errors {
                eprintln!("{}: {e}", file.display());
            }
            eprintln!("nothing imported: {} invalid feature(s)", errors.len());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

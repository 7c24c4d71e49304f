//! `pingan import …`

use crate::config::Config;
use anyhow::Context;
use pingan_core::audit::{NewAuditEntry, Outcome};
use pingan_core::ports::AuditStore;
use std::path::Path;
use std::process::ExitCode;

pub async fn geography(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = super::open_store(config).await?;
    match pingan_server::geography::import_geography(&store, &text).await {
        Ok((_, report)) => {
            store
                .append_audit(vec![NewAuditEntry {
                    at: super::now(),
                    actor: super::cli_actor(),
                    role: None,
                    action: "geography.import".into(),
                    object_type: "geography".into(),
                    object_id: Some(file.display().to_string()),
                    purpose: None,
                    reference: None,
                    request_id: None,
                    outcome: Outcome::Success,
                    detail: serde_json::to_value(&report).unwrap_or_default(),
                }])
                .await?;
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

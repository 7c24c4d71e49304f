//! `pingan import reads FILE.csv`: bulk import of plate reads with a progress bar.
//!
//! The rows go through the same decoder and durable batch insert as device ingest
//! (`pingan_plates::service::import_csv`); the checkpoint codes must be bound first
//! (`PUT /api/v1/plates/checkpoints`). A running server sees the reads at its next start.

use crate::config::Config;
use anyhow::Context;
use pingan_core::ports::AuditStore;
use std::path::Path;
use std::process::ExitCode;

/// Imports `file`; exits 0 when every row was stored or already present, 2 when some rows
/// were refused (they are listed on stderr; the others are stored).
pub async fn import(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    let input = std::io::BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?,
    );
    let store = super::open_store(config).await?;
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let plate_config = config.plate_config();
    let report =
        pingan_plates::service::import_csv(&store, input, super::now(), &plate_config, |b| {
            bar.set_position(b)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    store
        .append_audit(vec![super::local_entry(
            "cli",
            "plates.import",
            "plate_reads",
            &file.display().to_string(),
            serde_json::json!({
                "rows": report.rows, "stored": report.stored,
                "duplicates": report.duplicates, "rejected": report.rejected_total,
            }),
        )])
        .await?;
    for r in &report.rejected {
        eprintln!(
            "{}: row {}, {}: {}",
            file.display(),
            r.row,
            r.field,
            r.reason
        );
    }
    super::print(&format!(
        "{} rows: {} stored, {} already present, {} refused; a server already running answers queries over them after its next start",
        report.rows, report.stored, report.duplicates, report.rejected_total
    ));
    Ok(if report.rejected_total == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

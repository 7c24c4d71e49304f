//! The ingest policy for a decoded batch (documented in docs/plate-reads.md): which rows are
//! stored and which are refused, by 1-based row number, field and reason.
//!
//! Rows that fail to decode (no plate text, no time, a time too far in the future or older than
//! the retention period…), name an unknown checkpoint or a checkpoint another device reports are
//! refused; **the valid rows of the same batch are stored** and acknowledged, so one bad read
//! never holds back a checkpoint's good ones. A batch whose every row is invalid is refused as a
//! whole, each row named.

use crate::error::PlatesError;
use pingan_core::ValidationError;
use pingan_reads::decode::{DecodeError, RowError};
use pingan_reads::read::Read;
use serde::Serialize;
use std::collections::HashMap;

/// The body format of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// One refused row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RejectedRow {
    /// 1-based data row (CSV header excluded; JSON array element).
    pub row: usize,
    pub field: String,
    pub reason: String,
}

impl From<RowError> for RejectedRow {
    fn from(e: RowError) -> Self {
        Self {
            row: e.row,
            field: e.field,
            reason: e.reason,
        }
    }
}

/// The answer to a batch: what was stored (durably), what was already there, what was refused.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IngestReport {
    pub received: usize,
    /// Newly stored reads (committed before this answer was sent).
    pub accepted: usize,
    /// Read ids already stored (idempotent re-sends); they count as acknowledged.
    pub duplicates: Vec<i64>,
    pub rejected: Vec<RejectedRow>,
    /// Watch-list alerts raised by this batch.
    pub alerts: usize,
}

/// What an offline import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected_total: u64,
    /// The first [`IMPORT_KEEP_REJECTED`] refused rows (row numbers count data rows of the file).
    pub rejected: Vec<RejectedRow>,
}

/// Refused rows kept in an [`ImportReport`] (the total is always counted).
pub const IMPORT_KEEP_REJECTED: usize = 1_000;

/// A batch that cannot be read at all (not CSV or JSON, an unknown column, too many rows).
pub fn decode_error(e: DecodeError) -> PlatesError {
    match e {
        DecodeError::TooManyRows { max } => {
            PlatesError::invalid("body", format!("a batch holds at most {max} reads"))
        }
        other => PlatesError::invalid("body", other.to_string()),
    }
}

/// Splits decoded rows of a batch from `device` into the reads to store and the refused rows,
/// given which device reports each checkpoint code.
pub fn admit(
    rows: Vec<Result<Read, RowError>>,
    bindings: &HashMap<u32, String>,
    device: &str,
) -> (Vec<Read>, Vec<RejectedRow>) {
    let mut rejected = Vec::new();
    let mut valid = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        match row {
            Err(e) => rejected.push(RejectedRow::from(e)),
            Ok(read) => match bindings.get(&read.checkpoint.0) {
                None => rejected.push(RejectedRow {
                    row: i + 1,
                    field: "checkpoint_id".into(),
                    reason: format!("unknown checkpoint {}", read.checkpoint),
                }),
                Some(owner) if owner != device => rejected.push(RejectedRow {
                    row: i + 1,
                    field: "checkpoint_id".into(),
                    reason: format!(
                        "checkpoint {} is reported by another device",
                        read.checkpoint
                    ),
                }),
                Some(_) => valid.push(read),
            },
        }
    }
    (valid, rejected)
}

/// A batch with no valid row is refused whole, each row named (`rows[3].plate`).
pub fn refuse_all(rejected: &[RejectedRow]) -> PlatesError {
    PlatesError::Invalid(
        rejected
            .iter()
            .map(|r| ValidationError::new(format!("rows[{}].{}", r.row, r.field), r.reason.clone()))
            .collect(),
    )
}

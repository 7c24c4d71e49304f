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
use pingan_reads::read::{Read, ReadId};
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

/// Bits of a device's own read id inside a stored read id: a stored id is
/// `source × 2^40 + the device's id` (migration 0005), so two devices' ids never collide.
pub const DEVICE_ID_BITS: u32 = 40;

/// The most checkpoint devices one installation numbers (stored ids stay below 2^53).
pub const MAX_SOURCES: u16 = 8191;

const DEVICE_ID_MASK: i64 = (1 << DEVICE_ID_BITS) - 1;

/// The stored id of the read a device with `source` numbers `id`; `None` outside
/// `0..2^40`.
pub fn stored_id(source: u16, id: i64) -> Option<ReadId> {
    ((0..=DEVICE_ID_MASK).contains(&id) && (1..=MAX_SOURCES).contains(&source))
        .then(|| ReadId((i64::from(source) << DEVICE_ID_BITS) | id))
}

/// The device's own id of a stored read (what the device sent and sees in answers).
pub fn device_read_id(id: ReadId) -> i64 {
    if id.0 >> DEVICE_ID_BITS == 0 {
        id.0
    } else {
        id.0 & DEVICE_ID_MASK
    }
}

/// Splits decoded rows of a batch from `device` into the reads to store and the refused rows,
/// given which device reports each checkpoint code and the device's source number; the reads
/// to store carry their stored ids (see [`stored_id`]).
pub fn admit(
    rows: Vec<Result<Read, RowError>>,
    bindings: &HashMap<u32, String>,
    device: &str,
    source: Option<u16>,
) -> (Vec<Read>, Vec<RejectedRow>) {
    let mut rejected = Vec::new();
    let mut valid = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        match row {
            Err(e) => rejected.push(RejectedRow::from(e)),
            Ok(read) => match bindings.get(&read.checkpoint.0) {
                None => rejected.push(RejectedRow {
                    row: i + 1,
                    field: "checkpoint".into(),
                    reason: format!("unknown checkpoint {}", read.checkpoint),
                }),
                Some(owner) if owner != device => rejected.push(RejectedRow {
                    row: i + 1,
                    field: "checkpoint".into(),
                    reason: format!(
                        "checkpoint {} is reported by another device",
                        read.checkpoint
                    ),
                }),
                Some(_) => match source.and_then(|s| stored_id(s, read.id.0)) {
                    Some(id) => valid.push(Read { id, ..read }),
                    None => rejected.push(RejectedRow {
                        row: i + 1,
                        field: "read_id".into(),
                        reason: if source.is_none() {
                            format!("device {device} has no plate read source; bind its checkpoints again")
                        } else {
                            format!("must be between 0 and {DEVICE_ID_MASK} (2^{DEVICE_ID_BITS} − 1)")
                        },
                    }),
                },
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

#[cfg(test)]
mod tests {
    use super::*;
    use pingan_reads::read::{CheckpointId, Confidence, Direction};

    fn read(id: i64, checkpoint: u32) -> Read {
        Read {
            id: ReadId(id),
            ts_us: 1,
            plate: pingan_reads::plate::Plate::parse("鲁Q12345").expect("plate"),
            raw_plate: "鲁Q12345".into(),
            checkpoint: CheckpointId(checkpoint),
            lane: 1,
            direction: Direction::Unknown,
            plate_colour: None,
            plate_type: None,
            confidence: Confidence::try_from(0.9).expect("confidence"),
            vehicle_colour: None,
            vehicle_type: None,
            vehicle_brand: None,
            image_urls: Vec::new(),
        }
    }

    #[test]
    fn two_devices_numbering_the_same_read_never_share_a_stored_id() {
        let a = stored_id(1, 7).expect("in range");
        let b = stored_id(2, 7).expect("in range");
        assert_ne!(a, b);
        assert_eq!(device_read_id(a), 7);
        assert_eq!(device_read_id(b), 7);
        // Ids stored before sources existed (and file imports) are their own device id.
        assert_eq!(device_read_id(ReadId(7)), 7);
        assert!(stored_id(MAX_SOURCES, DEVICE_ID_MASK).expect("edge").0 < 1 << 53);
        assert_eq!(stored_id(1, 1 << DEVICE_ID_BITS), None);
        assert_eq!(stored_id(1, -1), None);
        assert_eq!(stored_id(0, 1), None);
    }

    #[test]
    fn admit_scopes_ids_and_refuses_what_the_device_may_not_report() {
        let bindings: HashMap<u32, String> =
            [(1, "cp-01".to_owned()), (3, "cp-02".to_owned())].into();
        let rows = vec![
            Ok(read(5, 1)),
            Ok(read(5, 3)),
            Ok(read(6, 9)),
            Ok(read(1 << DEVICE_ID_BITS, 1)),
        ];
        let (valid, rejected) = admit(rows, &bindings, "cp-01", Some(4));
        assert_eq!(valid.len(), 1);
        assert_eq!(valid[0].id, stored_id(4, 5).expect("id"));
        let fields: Vec<(usize, &str)> =
            rejected.iter().map(|r| (r.row, r.field.as_str())).collect();
        assert_eq!(
            fields,
            vec![(2, "checkpoint"), (3, "checkpoint"), (4, "read_id")]
        );
    }
}

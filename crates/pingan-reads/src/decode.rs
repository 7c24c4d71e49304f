//! Batch decoders: CSV and JSON in, one result per row out.
//!
//! Both decoders return `Vec<Result<Read, RowError>>` with one entry per data row, in input order,
//! so that the caller decides what happens to the valid rows of a batch that also has invalid
//! ones (the store accepts the valid rows and reports the others). Row numbers are 1-based and
//! count data rows only (the CSV header is row 0). Only problems with the batch as a whole (no
//! header, an unknown column, JSON that is not an array, too many rows) are a [`DecodeError`].
//!
//! # CSV
//! A header is required; column names are matched case-insensitively and in any order. The
//! gen_reads.py layout `read_id,plate,checkpoint_id,lane,direction,ts,vehicle_color,vehicle_type,confidence`
//! is accepted as is; the full set is
//!
//! | column | required | format |
//! |---|---|---|
//! | `read_id` | yes | integer |
//! | `plate` | yes | recognised text; normalised and validated |
//! | `raw_plate` | no | text kept verbatim (defaults to `plate` as given) |
//! | `plate_colour` / `plate_color` | no | blue/yellow/green/white/black, 蓝/黄/绿/白/黑 or 1–5 |
//! | `plate_type` | no | GA 24.7 code, 1–99 (`02`, `52`) |
//! | `checkpoint` / `checkpoint_id` | yes | the checkpoint's numeric code, integer ≥ 0 |
//! | `lane` | no | 0–255 (0 or empty = not reported) |
//! | `direction` | no | EB/WB/NB/SB/IN/OUT or empty |
//! | `ts` | yes | UTC microseconds since the epoch |
//! | `confidence` | yes | 0–1 |
//! | `vehicle_color` / `vehicle_colour`, `vehicle_type`, `vehicle_brand` | no | text; empty = absent |
//! | `image_urls` | no | URLs separated by `\|` |
//!
//! # JSON
//! An array of objects with the same keys (`ts`, `read_id`, `checkpoint`, `lane` as integers,
//! `confidence` as a number, `image_urls` as an array of strings, the rest as strings or null).
//! Unknown keys are a row error, so that a misspelt field is never silently dropped, and so is
//! one field given twice under two of its names (`checkpoint` and `checkpoint_id`).
//!
//! # Names
//! A read's checkpoint is its numeric code, called `checkpoint` here as in every answer (and
//! `code` in a checkpoint binding); `checkpoint_id` is accepted as the same column because the
//! gen_reads.py layout and existing devices use it. Errors name a column by its first name in
//! the table above (`checkpoint`, `plate_colour`, `vehicle_color`); a JSON value of the wrong
//! type is named by the key as sent.

use serde_json::Value;

use crate::plate::{Plate, PlateColour, PlateType};
use crate::read::{CheckpointId, Confidence, Direction, Read, ReadId};

/// Why one row was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}, field {field}: {reason}")]
pub struct RowError {
    /// 1-based data row (CSV header excluded; JSON array element).
    pub row: usize,
    /// The column or key at fault (empty when the row as a whole is malformed).
    pub field: String,
    /// What is wrong, for people.
    pub reason: String,
}

/// Why a batch could not be decoded at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The CSV header is missing or unreadable.
    #[error("CSV header missing or unreadable: {0}")]
    Header(String),
    /// The CSV header names a column this decoder does not know.
    #[error("unknown CSV column {0:?}")]
    UnknownColumn(String),
    /// The CSV header names the same column twice.
    #[error("CSV column {0:?} appears twice")]
    DuplicateColumn(String),
    /// A required column is absent from the CSV header.
    #[error("required CSV column {0:?} is missing")]
    MissingColumn(&'static str),
    /// The JSON is not well-formed.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// The JSON top level is not an array.
    #[error("JSON batch must be an array of objects")]
    NotAnArray,
    /// The batch has more rows than allowed.
    #[error("batch has more than {max} rows")]
    TooManyRows {
        /// The configured maximum.
        max: usize,
    },
}

/// Decoder settings; `now_us` is passed in because the engine reads no clock.
#[derive(Debug, Clone, Copy)]
pub struct DecodeOptions {
    /// The current time, UTC microseconds.
    pub now_us: i64,
    /// Reads later than `now_us + max_future_us` are rejected (clock skew allowance).
    pub max_future_us: i64,
    /// Reads earlier than `now_us - max_past_us` are rejected.
    pub max_past_us: i64,
    /// The name of the setting behind `max_past_us`, given in the refusal.
    pub max_past_setting: &'static str,
    /// Batches with more rows are rejected as a whole.
    pub max_rows: usize,
}

impl DecodeOptions {
    /// Defaults: 5 minutes of clock skew, 400 days back, 100,000 rows per batch.
    pub fn new(now_us: i64) -> Self {
        Self {
            now_us,
            max_future_us: 5 * 60 * 1_000_000,
            max_past_us: 400 * 86_400 * 1_000_000,
            max_past_setting: "max_past_us",
            max_rows: 100_000,
        }
    }
}

/// One row of a decoded batch.
pub type RowResult = Result<Read, RowError>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Col {
    ReadId,
    Plate,
    RawPlate,
    PlateColour,
    PlateType,
    Checkpoint,
    Lane,
    Direction,
    Ts,
    Confidence,
    VehicleColour,
    VehicleType,
    VehicleBrand,
    ImageUrls,
}

impl Col {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "read_id" => Self::ReadId,
            "plate" => Self::Plate,
            "raw_plate" => Self::RawPlate,
            "plate_colour" | "plate_color" => Self::PlateColour,
            "plate_type" => Self::PlateType,
            // `checkpoint` is the name answers use; `checkpoint_id` is the gen_reads.py layout's.
            "checkpoint" | "checkpoint_id" => Self::Checkpoint,
            "lane" => Self::Lane,
            "direction" => Self::Direction,
            "ts" => Self::Ts,
            "confidence" => Self::Confidence,
            "vehicle_colour" | "vehicle_color" => Self::VehicleColour,
            "vehicle_type" => Self::VehicleType,
            "vehicle_brand" => Self::VehicleBrand,
            "image_urls" => Self::ImageUrls,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::ReadId => "read_id",
            Self::Plate => "plate",
            Self::RawPlate => "raw_plate",
            Self::PlateColour => "plate_colour",
            Self::PlateType => "plate_type",
            Self::Checkpoint => "checkpoint",
            Self::Lane => "lane",
            Self::Direction => "direction",
            Self::Ts => "ts",
            Self::Confidence => "confidence",
            Self::VehicleColour => "vehicle_color",
            Self::VehicleType => "vehicle_type",
            Self::VehicleBrand => "vehicle_brand",
            Self::ImageUrls => "image_urls",
        }
    }
}

const REQUIRED: [Col; 5] = [
    Col::ReadId,
    Col::Plate,
    Col::Checkpoint,
    Col::Ts,
    Col::Confidence,
];

/// Field values of one row before validation, borrowed from the input.
#[derive(Default)]
struct Raw<'a> {
    read_id: Option<i64>,
    plate: Option<&'a str>,
    raw_plate: Option<&'a str>,
    plate_colour: Option<&'a str>,
    plate_type: Option<&'a str>,
    plate_type_num: Option<i64>,
    checkpoint: Option<i64>,
    lane: Option<i64>,
    direction: Option<&'a str>,
    ts: Option<i64>,
    confidence: Option<f64>,
    vehicle_colour: Option<&'a str>,
    vehicle_type: Option<&'a str>,
    vehicle_brand: Option<&'a str>,
    image_urls: Vec<String>,
}

fn err(row: usize, field: &str, reason: impl Into<String>) -> RowError {
    RowError {
        row,
        field: field.to_owned(),
        reason: reason.into(),
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Raw<'_> {
    fn finish(self, row: usize, opts: &DecodeOptions) -> RowResult {
        let missing = |c: Col| err(row, c.name(), "missing");
        let id = ReadId(self.read_id.ok_or_else(|| missing(Col::ReadId))?);
        let plate_text = self.plate.ok_or_else(|| missing(Col::Plate))?;
        // A misread plate is still a read: stored as read and flagged (`Plate::status`).
        let plate = Plate::as_read(plate_text).map_err(|e| err(row, "plate", e.to_string()))?;
        let plate_colour = match self.plate_colour.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                PlateColour::parse(s)
                    .ok_or_else(|| err(row, "plate_colour", format!("unknown colour {s:?}")))?,
            ),
        };
        let plate_type = match self.plate_type.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                PlateType::parse(s)
                    .ok_or_else(|| err(row, "plate_type", format!("invalid type code {s:?}")))?,
            ),
        };
        let plate_type = match self.plate_type_num {
            None => plate_type,
            Some(n) => Some(
                u8::try_from(n)
                    .ok()
                    .and_then(PlateType::from_code)
                    .ok_or_else(|| err(row, "plate_type", format!("invalid type code {n}")))?,
            ),
        };
        let cp = self.checkpoint.ok_or_else(|| missing(Col::Checkpoint))?;
        let checkpoint = u32::try_from(cp)
            .map(CheckpointId)
            .map_err(|_| err(row, Col::Checkpoint.name(), format!("{cp} is out of range")))?;
        let lane = match self.lane {
            None => 0,
            Some(l) => {
                u8::try_from(l).map_err(|_| err(row, "lane", format!("{l} is outside 0-255")))?
            }
        };
        let direction = match self.direction {
            None => Direction::Unknown,
            Some(s) => Direction::parse(s)
                .ok_or_else(|| err(row, "direction", format!("unknown direction {s:?}")))?,
        };
        let ts_us = self.ts.ok_or_else(|| missing(Col::Ts))?;
        if ts_us > opts.now_us.saturating_add(opts.max_future_us) {
            return Err(err(row, "ts", format!("{ts_us} is too far in the future")));
        }
        if ts_us < opts.now_us.saturating_sub(opts.max_past_us) {
            let days = opts.max_past_us / 86_400_000_000;
            return Err(err(
                row,
                "ts",
                format!(
                    "{ts_us} is more than {days} days ago, older than `{}` keeps reads",
                    opts.max_past_setting
                ),
            ));
        }
        let c = self.confidence.ok_or_else(|| missing(Col::Confidence))?;
        let confidence = Confidence::from_f64(c)
            .ok_or_else(|| err(row, "confidence", format!("{c} is outside 0-1")))?;
        Ok(Read {
            id,
            raw_plate: self.raw_plate.unwrap_or(plate_text).to_owned(),
            plate,
            plate_colour,
            plate_type,
            checkpoint,
            lane,
            direction,
            ts_us,
            confidence,
            vehicle_colour: non_empty(self.vehicle_colour),
            vehicle_type: non_empty(self.vehicle_type),
            vehicle_brand: non_empty(self.vehicle_brand),
            image_urls: self.image_urls,
        })
    }
}

fn parse_int(row: usize, col: Col, s: &str) -> Result<Option<i64>, RowError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .map(Some)
        .map_err(|_| err(row, col.name(), format!("{t:?} is not an integer")))
}

/// Decodes a CSV batch (see the module docs for the columns).
pub fn decode_csv(bytes: &[u8], opts: &DecodeOptions) -> Result<Vec<RowResult>, DecodeError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header = rdr
        .byte_headers()
        .map_err(|e| DecodeError::Header(e.to_string()))?
        .clone();
    let mut cols = Vec::with_capacity(header.len());
    for h in &header {
        let name = std::str::from_utf8(h).map_err(|e| DecodeError::Header(e.to_string()))?;
        let col = Col::from_name(name).ok_or_else(|| DecodeError::UnknownColumn(name.into()))?;
        if cols.contains(&col) {
            return Err(DecodeError::DuplicateColumn(name.into()));
        }
        cols.push(col);
    }
    if cols.is_empty() {
        return Err(DecodeError::Header("empty header".into()));
    }
    if let Some(c) = REQUIRED.iter().find(|c| !cols.contains(c)) {
        return Err(DecodeError::MissingColumn(c.name()));
    }
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut row = 0usize;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                row += 1;
                if row > opts.max_rows {
                    return Err(DecodeError::TooManyRows { max: opts.max_rows });
                }
                out.push(csv_row(row, &cols, &record, opts));
            }
            Err(e) => {
                row += 1;
                if row > opts.max_rows {
                    return Err(DecodeError::TooManyRows { max: opts.max_rows });
                }
                out.push(Err(err(row, "", format!("malformed CSV record: {e}"))));
            }
        }
    }
    Ok(out)
}

fn csv_row(row: usize, cols: &[Col], rec: &csv::ByteRecord, opts: &DecodeOptions) -> RowResult {
    if rec.len() != cols.len() {
        return Err(err(
            row,
            "",
            format!("expected {} fields, found {}", cols.len(), rec.len()),
        ));
    }
    let mut raw = Raw::default();
    for (&col, bytes) in cols.iter().zip(rec.iter()) {
        let s = std::str::from_utf8(bytes).map_err(|_| err(row, col.name(), "not valid UTF-8"))?;
        match col {
            Col::ReadId => raw.read_id = parse_int(row, col, s)?,
            Col::Checkpoint => raw.checkpoint = parse_int(row, col, s)?,
            Col::Lane => raw.lane = parse_int(row, col, s)?,
            Col::Ts => raw.ts = parse_int(row, col, s)?,
            Col::Confidence => {
                let t = s.trim();
                if !t.is_empty() {
                    raw.confidence = Some(
                        t.parse::<f64>()
                            .map_err(|_| err(row, col.name(), format!("{t:?} is not a number")))?,
                    );
                }
            }
            Col::Plate => raw.plate = Some(s),
            Col::RawPlate => raw.raw_plate = Some(s),
            Col::PlateColour => raw.plate_colour = Some(s),
            Col::PlateType => raw.plate_type = Some(s),
            Col::Direction => raw.direction = Some(s),
            Col::VehicleColour => raw.vehicle_colour = Some(s),
            Col::VehicleType => raw.vehicle_type = Some(s),
            Col::VehicleBrand => raw.vehicle_brand = Some(s),
            Col::ImageUrls => {
                raw.image_urls = s
                    .split('|')
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
        }
    }
    raw.finish(row, opts)
}

/// Decodes a JSON batch: an array of read objects (see the module docs).
pub fn decode_json(bytes: &[u8], opts: &DecodeOptions) -> Result<Vec<RowResult>, DecodeError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| DecodeError::Json(e.to_string()))?;
    let Value::Array(items) = v else {
        return Err(DecodeError::NotAnArray);
    };
    if items.len() > opts.max_rows {
        return Err(DecodeError::TooManyRows { max: opts.max_rows });
    }
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, item)| json_row(i + 1, item, opts))
        .collect())
}

fn json_row(row: usize, item: &Value, opts: &DecodeOptions) -> RowResult {
    let Value::Object(map) = item else {
        return Err(err(row, "", "not a JSON object"));
    };
    let mut raw = Raw::default();
    // One bit per column: no allocation per row on the ingest path.
    let mut seen: u32 = 0;
    for (key, v) in map {
        let col = Col::from_name(key).ok_or_else(|| err(row, key, "unknown field"))?;
        let bit = 1u32 << (col as u32);
        if seen & bit != 0 {
            return Err(err(
                row,
                key,
                format!("is {} given a second time under another name", col.name()),
            ));
        }
        seen |= bit;
        if v.is_null() {
            continue;
        }
        let int = || {
            v.as_i64()
                .ok_or_else(|| err(row, key, format!("{v} is not an integer")))
        };
        let text = || {
            v.as_str()
                .ok_or_else(|| err(row, key, format!("{v} is not a string")))
        };
        match col {
            Col::ReadId => raw.read_id = Some(int()?),
            Col::Checkpoint => raw.checkpoint = Some(int()?),
            Col::Lane => raw.lane = Some(int()?),
            Col::Ts => raw.ts = Some(int()?),
            Col::Confidence => {
                raw.confidence = Some(
                    v.as_f64()
                        .ok_or_else(|| err(row, key, format!("{v} is not a number")))?,
                );
            }
            Col::Plate => raw.plate = Some(text()?),
            Col::RawPlate => raw.raw_plate = Some(text()?),
            Col::PlateColour => raw.plate_colour = Some(text()?),
            // Devices send the type either as "02" or as 2.
            Col::PlateType => match v {
                Value::Number(_) => raw.plate_type_num = Some(int()?),
                _ => raw.plate_type = Some(text()?),
            },
            Col::Direction => raw.direction = Some(text()?),
            Col::VehicleColour => raw.vehicle_colour = Some(text()?),
            Col::VehicleType => raw.vehicle_type = Some(text()?),
            Col::VehicleBrand => raw.vehicle_brand = Some(text()?),
            Col::ImageUrls => {
                let arr = v
                    .as_array()
                    .ok_or_else(|| err(row, key, "not an array of strings"))?;
                raw.image_urls = arr
                    .iter()
                    .map(|u| {
                        u.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| err(row, key, format!("{u} is not a string")))
                    })
                    .collect::<Result<_, _>>()?;
            }
        }
    }
    raw.finish(row, opts)
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;

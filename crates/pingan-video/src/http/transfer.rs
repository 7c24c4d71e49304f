//! Bulk import and export of cameras and checkpoints, as CSV and as GeoJSON.
//!
//! # Policy: valid rows are kept
//! An import validates every row on its own (shape, every field rule, the platform exists, the id
//! is not repeated in the file). Valid rows are written — created, or replacing the record with
//! the same id — in one batch; invalid rows are not written and are each reported with their row
//! index, id and every field error. The response says so in `policy: "valid_rows_kept"`, so a
//! client never has to guess what happened to the rest of the file. A file that cannot be read
//! at all (not CSV/GeoJSON, wrong content type) changes nothing and is a 400.
//!
//! Column names of the CSV are the JSON field names; rows are numbered from 0 after the header.

use super::{CameraInput, CheckpointInput};
use crate::domain::registry::{Camera, Checkpoint};
use crate::service::registry::{self, camera_problems};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use pingan_core::ValidationError;
use pingan_server::auth::{perm, Authorized};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::{body_rejection, ApiQuery};
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Imports may be larger than ordinary bodies (10,000 cameras as GeoJSON is a few MB).
pub const IMPORT_LIMIT_BYTES: usize = 32 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_cameras))
        .routes(routes!(export_cameras))
        .routes(routes!(import_checkpoints))
        .routes(routes!(export_checkpoints))
        .layer(DefaultBodyLimit::max(IMPORT_LIMIT_BYTES))
}

pub use crate::domain::registry::{ImportReport, RowError};

/// One parsed row: its id (when readable) and the record or the reason it is unreadable.
type Parsed<T> = (Option<String>, Result<T, ValidationError>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    GeoJson,
}

fn format_of(req: &Request) -> ApiResult<Format> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ct = ct.split(';').next().unwrap_or("").trim();
    match ct {
        "text/csv" => Ok(Format::Csv),
        "application/geo+json" | "application/json" => Ok(Format::GeoJson),
        _ => Err(ApiError::UnsupportedMediaType {
            expected: "text/csv or application/geo+json",
        }),
    }
}

async fn body_text(req: Request, state: &AppState) -> ApiResult<String> {
    let bytes = Bytes::from_request(req, state)
        .await
        .map_err(|r| body_rejection(r, IMPORT_LIMIT_BYTES))?;
    String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::MalformedJson {
        detail: "the body is not UTF-8".into(),
    })
}

/// Turns a serde error into a field error, naming the field when serde says which.
fn serde_problem(message: String) -> ValidationError {
    // serde's messages name the field as `field \`x\``; use it as the field when present.
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field `"))
        .unwrap_or("row")
        .to_owned();
    ValidationError::new(field, message)
}

/// Parses CSV rows into `T`, one result per data row.
fn csv_rows<T: serde::de::DeserializeOwned>(text: &str) -> ApiResult<Vec<Parsed<T>>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ApiError::invalid("body", format!("the CSV header cannot be read: {e}")))?
        .clone();
    let id_col = headers.iter().position(|h| h == "id");
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(rec) => {
                // What an export neutralised for spreadsheets reads back as it was.
                let rec: csv::StringRecord = rec.iter().map(pingan_core::cell::restore).collect();
                let id = id_col.and_then(|i| rec.get(i)).map(str::to_owned);
                let parsed = rec
                    .deserialize::<T>(Some(&headers))
                    .map_err(|e| serde_problem(e.to_string()));
                out.push((id, parsed));
            }
            Err(e) => out.push((None, Err(ValidationError::new("row", e.to_string())))),
        }
    }
    Ok(out)
}

/// Parses a GeoJSON FeatureCollection of points into `T` (properties plus `lon`/`lat`).
fn geojson_rows<T: serde::de::DeserializeOwned>(text: &str) -> ApiResult<Vec<Parsed<T>>> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ApiError::MalformedJson {
            detail: e.to_string(),
        })?;
    if doc.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection") {
        return Err(ApiError::invalid(
            "type",
            "must be a GeoJSON FeatureCollection",
        ));
    }
    let Some(features) = doc.get("features").and_then(|f| f.as_array()) else {
        return Err(ApiError::invalid(
            "features",
            "must be an array of features",
        ));
    };
    Ok(features.iter().map(feature_row::<T>).collect())
}

fn feature_row<T: serde::de::DeserializeOwned>(f: &serde_json::Value) -> Parsed<T> {
    let mut props = f
        .get("properties")
        .and_then(|p| p.as_object())
        .cloned()
        .unwrap_or_default();
    if !props.contains_key("id") {
        if let Some(id) = f.get("id").filter(|v| v.is_string()) {
            props.insert("id".into(), id.clone());
        }
    }
    let id = props.get("id").and_then(|v| v.as_str()).map(str::to_owned);
    let geometry = f
        .get("geometry")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    if geometry.get("type").and_then(|t| t.as_str()) != Some("Point") {
        return (id, Err(ValidationError::new("geometry", "must be a Point")));
    }
    let coords = geometry.get("coordinates").and_then(|c| c.as_array());
    match coords.map(|c| c.as_slice()) {
        Some([lon, lat, ..]) if lon.is_number() && lat.is_number() => {
            props.insert("lon".into(), lon.clone());
            props.insert("lat".into(), lat.clone());
        }
        _ => {
            return (
                id,
                Err(ValidationError::new(
                    "geometry.coordinates",
                    "must be [lon, lat]",
                )),
            )
        }
    }
    let value = serde_json::Value::Object(props);
    let parsed = serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        if path == "." {
            serde_problem(msg)
        } else {
            ValidationError::new(path, msg)
        }
    });
    (id, parsed)
}

/// Sorts parsed rows into valid records and row errors (with a duplicate-id check).
fn sort_rows<T>(
    rows: Vec<Parsed<T>>,
    check: impl Fn(&T) -> (String, Vec<ValidationError>),
) -> (Vec<T>, Vec<RowError>) {
    let mut seen = HashSet::new();
    let mut valid = Vec::new();
    let mut rejected = Vec::new();
    for (row, (id, parsed)) in rows.into_iter().enumerate() {
        match parsed {
            Err(e) => rejected.push(RowError {
                row,
                id,
                errors: vec![e],
            }),
            Ok(record) => {
                let (rid, mut errors) = check(&record);
                if !seen.insert(rid.clone()) {
                    errors.push(ValidationError::new("id", format!("id {rid} appears more than once in this file; only its first row is used")));
                }
                if errors.is_empty() {
                    valid.push(record);
                } else {
                    rejected.push(RowError {
                        row,
                        id: Some(rid),
                        errors,
                    });
                }
            }
        }
    }
    (valid, rejected)
}

/// Imports cameras from CSV (`text/csv`) or GeoJSON points (`application/geo+json`). Valid rows
/// are created or replaced; invalid rows are reported and not written (`valid_rows_kept`).
#[utoipa::path(post, path = "/video/cameras/import", tag = "video",
    request_body(content((String = "text/csv"), (Object = "application/geo+json"), (Object = "application/json"))),
    responses((status = 200, body = ImportReport), (status = 400, body = pingan_server::error::Problem), (status = 415, body = pingan_server::error::Problem)))]
pub async fn import_cameras(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    req: Request,
) -> ApiResult<Json<ImportReport>> {
    let format = format_of(&req)?;
    let text = body_text(req, &state).await?;
    let rows = match format {
        Format::Csv => csv_rows::<CameraInput>(&text)?,
        Format::GeoJson => geojson_rows::<CameraInput>(&text)?,
    };
    let received = rows.len();
    let index = crate::http::video(&state).index();
    let rows: Vec<Parsed<Camera>> = rows
        .into_iter()
        .map(|(id, r)| (id, r.map(CameraInput::into_camera)))
        .collect();
    let (valid, rejected) = sort_rows(rows, |c: &Camera| {
        (c.id.0.clone(), camera_problems(c, &index))
    });
    let report = ImportReport {
        policy: "valid_rows_kept",
        received,
        written: valid.len(),
        rejected,
    };
    registry::import_cameras(&state, &caller, &valid, &report).await?;
    Ok(Json(report))
}

/// A checkpoint as a CSV row: directions are `;`-separated.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CheckpointCsv {
    id: String,
    name: String,
    lon: f64,
    lat: f64,
    lanes: u32,
    #[serde(default)]
    directions: Option<String>,
    #[serde(default)]
    road_id: Option<String>,
}

impl From<CheckpointCsv> for CheckpointInput {
    fn from(c: CheckpointCsv) -> Self {
        CheckpointInput {
            id: c.id,
            name: c.name,
            lon: c.lon,
            lat: c.lat,
            lanes: c.lanes,
            directions: c
                .directions
                .map(|d| {
                    d.split(';')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            road_id: c.road_id,
        }
    }
}

/// Imports checkpoints from CSV or GeoJSON points, with the same policy as cameras.
#[utoipa::path(post, path = "/video/checkpoints/import", tag = "video",
    request_body(content((String = "text/csv"), (Object = "application/geo+json"), (Object = "application/json"))),
    responses((status = 200, body = ImportReport), (status = 400, body = pingan_server::error::Problem), (status = 415, body = pingan_server::error::Problem)))]
pub async fn import_checkpoints(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    req: Request,
) -> ApiResult<Json<ImportReport>> {
    let format = format_of(&req)?;
    let text = body_text(req, &state).await?;
    let rows: Vec<Parsed<CheckpointInput>> = match format {
        Format::Csv => csv_rows::<CheckpointCsv>(&text)?
            .into_iter()
            .map(|(id, r)| (id, r.map(CheckpointInput::from)))
            .collect(),
        Format::GeoJson => geojson_rows::<CheckpointInput>(&text)?,
    };
    let received = rows.len();
    let rows = rows
        .into_iter()
        .map(|(id, r)| (id, r.map(CheckpointInput::into_checkpoint)))
        .collect();
    let (valid, rejected) = sort_rows(rows, |c: &Checkpoint| (c.id.0.clone(), c.problems()));
    let report = ImportReport {
        policy: "valid_rows_kept",
        received,
        written: valid.len(),
        rejected,
    };
    registry::import_checkpoints(&state, &caller, &valid, &report).await?;
    Ok(Json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `csv` or `geojson` (default).
    #[serde(default)]
    pub format: Option<String>,
}

fn export_format(q: &ExportQuery) -> ApiResult<Format> {
    match q.format.as_deref() {
        None | Some("geojson") => Ok(Format::GeoJson),
        Some("csv") => Ok(Format::Csv),
        Some(other) => Err(ApiError::invalid(
            "format",
            format!("{other:?} is not csv or geojson"),
        )),
    }
}

pub(crate) fn camera_input_of(c: &Camera) -> CameraInput {
    CameraInput {
        id: c.id.0.clone(),
        name: c.name.clone(),
        platform_id: c.platform_id.as_ref().map(|p| p.0.clone()),
        channel_id: c.channel_id.clone(),
        lon: c.lon,
        lat: c.lat,
        height_m: c.height_m,
        heading_deg: c.heading_deg,
        fov_deg: c.fov_deg,
        range_m: c.range_m,
        ptz: c.ptz,
        live_url: c.live_url.clone(),
        playback_url: c.playback_url.clone(),
        status: c.status,
        installed_on: c.installed_on.clone(),
        owner: c.owner.clone(),
    }
}

/// A GeoJSON point feature whose properties are `record` minus `lon`/`lat`.
pub(crate) fn point_feature(
    id: &str,
    lon: f64,
    lat: f64,
    record: impl Serialize,
) -> serde_json::Value {
    let mut props = match serde_json::to_value(record) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    props.remove("lon");
    props.remove("lat");
    serde_json::json!({
        "type": "Feature", "id": id,
        "geometry": { "type": "Point", "coordinates": [lon, lat] },
        "properties": props,
    })
}

/// Rows as CSV with a header; every text cell a spreadsheet could run as a formula is written
/// as text (`pingan_core::cell`), and the import undoes it.
fn csv_text<T: Serialize>(rows: impl Iterator<Item = T>) -> ApiResult<String> {
    let mut plain = csv::Writer::from_writer(Vec::new());
    for r in rows {
        plain.serialize(r).map_err(ApiError::internal)?;
    }
    let plain = plain
        .into_inner()
        .map_err(|e| ApiError::internal(e.into_error()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice());
    let mut w = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        let record = record.map_err(ApiError::internal)?;
        w.write_record(
            record
                .iter()
                .map(pingan_core::cell::neutralise)
                .map(|c| c.into_owned()),
        )
        .map_err(ApiError::internal)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::internal(e.into_error()))?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

fn respond(
    format: Format,
    csv: impl FnOnce() -> ApiResult<String>,
    features: Vec<serde_json::Value>,
) -> ApiResult<axum::response::Response> {
    Ok(match format {
        Format::Csv => {
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv()?).into_response()
        }
        Format::GeoJson => (
            [(header::CONTENT_TYPE, "application/geo+json")],
            serde_json::json!({ "type": "FeatureCollection", "features": features }).to_string(),
        )
            .into_response(),
    })
}

/// Every camera as CSV or GeoJSON, in the import format (an export imports back unchanged).
#[utoipa::path(get, path = "/video/cameras/export", tag = "video", params(ExportQuery),
    responses((status = 200, content_type = "application/geo+json", body = Object), (status = 400, body = pingan_server::error::Problem)))]
pub async fn export_cameras(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    let format = export_format(&q)?;
    let index = crate::http::video(&state).index();
    let features = if format == Format::GeoJson {
        index
            .cameras()
            .iter()
            .map(|c| point_feature(c.id.as_str(), c.lon, c.lat, camera_input_of(c)))
            .collect()
    } else {
        Vec::new()
    };
    respond(
        format,
        || csv_text(index.cameras().iter().map(camera_input_of)),
        features,
    )
}

/// Every checkpoint as CSV (directions `;`-separated) or GeoJSON.
#[utoipa::path(get, path = "/video/checkpoints/export", tag = "video", params(ExportQuery),
    responses((status = 200, content_type = "application/geo+json", body = Object), (status = 400, body = pingan_server::error::Problem)))]
pub async fn export_checkpoints(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    let format = export_format(&q)?;
    let index = crate::http::video(&state).index();
    let features = index
        .checkpoints()
        .iter()
        .map(|c| point_feature(c.id.as_str(), c.lon, c.lat, c))
        .collect();
    respond(
        format,
        || {
            csv_text(index.checkpoints().iter().map(|c| CheckpointCsv {
                id: c.id.0.clone(),
                name: c.name.clone(),
                lon: c.lon,
                lat: c.lat,
                lanes: c.lanes,
                directions: Some(c.directions.join(";")),
                road_id: c.road_id.clone(),
            }))
        },
        features,
    )
}

//! Unit positions: GPS reports from a unit's device (one fix or a batch), checked, classified
//! (current, late, duplicate) and stored, the unit's last position moved forward and announced:
//! the one use case behind HTTP and MQTT. And the retention of tracks.

use crate::domain::names::Event;
use crate::domain::records::CommandStore;
use crate::domain::unit::{classify_fix, Fix, FixClass, UnitId};
use crate::error::{CommandError, CommandResult};
use pingan_core::account::Device;
use pingan_core::{Timestamp, ValidationError};
use pingan_ingest::HandlerError;
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A JSON body as `T`, with the field at fault named.
fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> CommandResult<T> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            CommandError::MalformedJson {
                detail: inner.to_string(),
            }
        } else {
            let field = if path == "." { "body".to_owned() } else { path };
            let msg = inner.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            CommandError::invalid(field, msg)
        }
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FixIn {
    /// When the fix was taken (RFC 3339).
    pub at: String,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub speed_kmh: Option<f64>,
    #[serde(default)]
    pub heading_deg: Option<f64>,
    #[serde(default)]
    pub accuracy_m: Option<f64>,
}

/// A batch of fixes. A single fix object (the fields of one `fixes` element) is accepted too.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionBatch {
    pub fixes: Vec<FixIn>,
}

/// The most fixes one report may carry.
pub const MAX_FIXES: usize = 500;

/// What happened to each fix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FixResult {
    pub index: usize,
    /// `current`, `late`, `duplicate`, or absent when refused.
    pub class: Option<FixClass>,
    /// Why it was refused (`field`, `message`).
    #[schema(value_type = Option<Object>)]
    pub refused: Option<ValidationError>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PositionOutcome {
    pub unit_id: UnitId,
    pub current: usize,
    pub late: usize,
    pub duplicate: usize,
    pub refused: usize,
    pub fixes: Vec<FixResult>,
    /// The unit's last known fix after this report.
    pub last_fix: Option<Fix>,
}

/// Parses a report: a single fix, or `{"fixes": [...]}`. Returns the fixes and whether it was a
/// single one.
pub fn parse_report(payload: &[u8]) -> CommandResult<(Vec<FixIn>, bool)> {
    let value: serde_json::Value = json(payload)?;
    if value.get("fixes").is_some() {
        let batch: PositionBatch = json(payload)?;
        if batch.fixes.is_empty() || batch.fixes.len() > MAX_FIXES {
            return Err(CommandError::invalid(
                "fixes",
                format!("must hold 1–{MAX_FIXES} fixes"),
            ));
        }
        Ok((batch.fixes, false))
    } else {
        Ok((vec![json::<FixIn>(payload)?], true))
    }
}

/// Records a position report from a unit's device: the one function behind HTTP and MQTT.
pub async fn record_positions(
    state: &AppState,
    device: &Device,
    payload: &[u8],
) -> CommandResult<PositionOutcome> {
    let unit = state
        .store
        .unit_by_device(&device.id)
        .await?
        .ok_or_else(|| CommandError::NotFound {
            what: "unit for device",
            id: device.id.to_string(),
        })?;
    record_unit_positions(state, unit, payload).await
}

/// Records a position report for a unit whose source is not a device of its own (an officer's
/// phone, under the officer's session, for a car without GPS): the same checks and
/// classification as a device's fixes.
pub async fn record_unit_positions(
    state: &AppState,
    unit: crate::domain::unit::Unit,
    payload: &[u8],
) -> CommandResult<PositionOutcome> {
    let (fixes, single) = parse_report(payload)?;
    let config = crate::service::command(state).config();
    let now = state.now();
    let last = unit.last_fix.map(|f| f.at);
    let mut results: Vec<FixResult> = Vec::with_capacity(fixes.len());
    let mut accepted: Vec<(usize, Fix)> = Vec::new();
    for (i, f) in fixes.iter().enumerate() {
        let field = if single {
            String::new()
        } else {
            format!("fixes[{i}]")
        };
        let named = |e: ValidationError| {
            let name = if field.is_empty() {
                e.field.trim_start_matches('.').to_owned()
            } else {
                format!("{field}.{}", e.field.trim_start_matches('.'))
            };
            ValidationError::new(name, e.message)
        };
        let checked = Timestamp::parse_rfc3339(&f.at)
            .ok_or_else(|| {
                ValidationError::new("at", format!("{:?} is not an RFC 3339 time", f.at))
            })
            .and_then(|at| {
                let fix = Fix {
                    at,
                    lon: f.lon,
                    lat: f.lat,
                    speed_kmh: f.speed_kmh,
                    heading_deg: f.heading_deg,
                    accuracy_m: f.accuracy_m,
                };
                fix.validate("")?;
                classify_fix(at, last, now, config.fix_limits).map(|c| (fix, c))
            })
            .map_err(named);
        match checked {
            Ok((fix, class)) => {
                accepted.push((i, fix));
                results.push(FixResult {
                    index: i,
                    class: Some(class),
                    refused: None,
                });
            }
            Err(e) if single => return Err(e.into()),
            Err(e) => results.push(FixResult {
                index: i,
                class: None,
                refused: Some(e),
            }),
        }
    }
    let to_store: Vec<Fix> = accepted.iter().map(|(_, f)| *f).collect();
    let recorded = state.store.record_fixes(&unit.id, &to_store, now).await?;
    for ((i, _), inserted) in accepted.iter().zip(&recorded.inserted) {
        if !inserted {
            results[*i].class = Some(FixClass::Duplicate);
        }
    }
    if let Some(u) = &recorded.advanced {
        crate::service::units::publish_unit(state, Event::UnitPosition, u).await;
    }
    let count = |c: FixClass| results.iter().filter(|r| r.class == Some(c)).count();
    let last_fix = recorded
        .advanced
        .as_ref()
        .map_or(unit.last_fix, |u| u.last_fix);
    Ok(PositionOutcome {
        unit_id: unit.id.clone(),
        current: count(FixClass::Current),
        late: count(FixClass::Late),
        duplicate: count(FixClass::Duplicate),
        refused: results.iter().filter(|r| r.refused.is_some()).count(),
        fixes: results,
        last_fix,
    })
}

/// The MQTT side of [`record_positions`] (`pingan/v1/unit/{id}/position`).
pub async fn mqtt_position(
    state: &AppState,
    device: &Device,
    payload: &[u8],
) -> Result<(), HandlerError> {
    record_positions(state, device, payload)
        .await
        .map(|_| ())
        .map_err(|e| {
            if e.is_transient() {
                HandlerError::transient(e)
            } else {
                HandlerError::rejected(e.to_string())
            }
        })
}

/// Deletes track points older than the retention; for the retention job. Returns how many.
pub async fn purge_positions(state: &AppState) -> CommandResult<u64> {
    let before = state
        .now()
        .minus_seconds(crate::service::command(state).config().position_retention_s);
    Ok(state.store.purge_positions(before).await?)
}

//! The video network's registry: video platforms, cameras and road checkpoints, their
//! validation, and the storage port for them, their health and their detection events.
//!
//! pingan does not record video. It is the registry, the geometry and the event index over the
//! platforms that already record, and it hands out links to their live and recorded streams.
//! So a camera here is metadata: where it is, where it looks, how far it sees, and URL templates
//! for its streams.
//!
//! # Decisions
//! - A platform's credentials are never stored here: the record holds a *reference name*
//!   (`credential_ref`, e.g. the key of a secret in the operator's vault or an environment
//!   variable on the gateway), and the API never returns even that, only whether one is set.
//!   Stream URLs with embedded `user:password@` are refused for the same reason.
//! - Playback URL templates carry time placeholders filled per request: `{start}` and `{end}`
//!   (RFC 3339 UTC, `2026-05-08T02:00:00Z`), `{start_unix}` and `{end_unix}` (seconds), plus
//!   `{camera_id}` and `{channel_id}`. Unknown placeholders are refused on input, so that a typo
//!   is found when the camera is registered rather than when someone needs the recording.
//! - Validation returns *every* problem of a record, each naming its field, so that an import
//!   can report all of a row's errors at once.
//!
//! # What it does not do
//! No geometry (`pingan-spatial` computes views and coverage), no SQL, no clock.

use async_trait::async_trait;
use pingan_core::audit::NewAuditEntry;
use pingan_core::ids::check_id;
use pingan_core::time::Timestamp;
use pingan_core::StoreError;
use pingan_core::ValidationError;
use serde::{Deserialize, Serialize};

pingan_core::text_id!(
    /// A video platform (a GB/T 28181 platform, an NVR, a Frigate instance).
    #[derive(utoipa::ToSchema)]
    PlatformId
);
pingan_core::text_id!(
    /// A camera in the registry.
    #[derive(utoipa::ToSchema)]
    CameraId
);
pingan_core::text_id!(
    /// A road checkpoint (卡口).
    #[derive(utoipa::ToSchema)]
    CheckpointId
);

/// How pingan (or an operator's client) talks to a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// GB/T 28181 (the national video networking standard).
    Gbt28181,
    Onvif,
    Rtsp,
    /// A Frigate NVR (detection events over MQTT).
    Frigate,
}

impl Protocol {
    pub const ALL: [Protocol; 4] = [
        Protocol::Gbt28181,
        Protocol::Onvif,
        Protocol::Rtsp,
        Protocol::Frigate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Gbt28181 => "gbt28181",
            Protocol::Onvif => "onvif",
            Protocol::Rtsp => "rtsp",
            Protocol::Frigate => "frigate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A camera's registry status (its liveness is health, kept apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CameraStatus {
    /// In service: counts for coverage and "who sees P".
    Active,
    /// Temporarily out of service (repair, works nearby): kept out of coverage.
    Maintenance,
    /// Removed; kept for the history of events that reference it.
    Retired,
}

impl CameraStatus {
    pub const ALL: [CameraStatus; 3] = [
        CameraStatus::Active,
        CameraStatus::Maintenance,
        CameraStatus::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CameraStatus::Active => "active",
            CameraStatus::Maintenance => "maintenance",
            CameraStatus::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A video platform as stored. `credential_ref` never leaves the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Platform {
    pub id: PlatformId,
    pub name: String,
    pub vendor: Option<String>,
    pub protocol: Protocol,
    /// Host, URL or SIP address of the platform.
    pub address: String,
    /// The *name* of a secret held elsewhere (vault key, environment variable), never a secret.
    pub credential_ref: Option<String>,
}

/// A camera as registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Camera {
    pub id: CameraId,
    pub name: String,
    pub platform_id: Option<PlatformId>,
    /// GB/T 28181 channel id: exactly 20 digits.
    pub channel_id: Option<String>,
    pub lon: f64,
    pub lat: f64,
    /// Mounting height above ground, metres.
    pub height_m: Option<f64>,
    /// Direction of view, degrees clockwise from north (0–360). Ignored for PTZ cameras.
    pub heading_deg: f64,
    /// Horizontal field of view, degrees, strictly between 0 and 360 for fixed cameras.
    pub fov_deg: f64,
    /// How far the camera usefully sees, metres (> 0).
    pub range_m: f64,
    pub ptz: bool,
    pub live_url: Option<String>,
    /// Playback URL template with `{start}`/`{end}` placeholders.
    pub playback_url: Option<String>,
    pub status: CameraStatus,
    /// Installation date, `YYYY-MM-DD`.
    pub installed_on: Option<String>,
    /// The owning unit or agency.
    pub owner: Option<String>,
}

/// A road checkpoint (plate-reading gantry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub id: CheckpointId,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub lanes: u32,
    /// Directions of travel it reads, e.g. `eastbound`, `westbound`.
    pub directions: Vec<String>,
    /// The road section (geography feature id) it sits on.
    pub road_id: Option<String>,
}

const PLACEHOLDERS: [&str; 6] = [
    "start",
    "end",
    "start_unix",
    "end_unix",
    "camera_id",
    "channel_id",
];

fn check_text(field: &str, value: &str, max: usize, errors: &mut Vec<ValidationError>) {
    let n = value.trim().chars().count();
    if n == 0 || n > max || value.chars().any(char::is_control) {
        errors.push(ValidationError::new(
            field,
            format!("must be 1–{max} characters without control characters"),
        ));
    }
}

fn check_opt_text(field: &str, value: Option<&str>, max: usize, errors: &mut Vec<ValidationError>) {
    if let Some(v) = value {
        check_text(field, v, max, errors);
    }
}

fn check_position(lon: f64, lat: f64, errors: &mut Vec<ValidationError>) {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        errors.push(ValidationError::new(
            "lon",
            format!("longitude {lon} is outside −180…180"),
        ));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        errors.push(ValidationError::new(
            "lat",
            format!("latitude {lat} is outside −90…90"),
        ));
    }
}

/// Checks a GB/T 28181 channel id: 20 ASCII digits.
pub fn check_channel_id(field: &str, id: &str) -> Result<(), ValidationError> {
    if id.len() == 20 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            format!(
                "{id:?} is not a GB/T 28181 id: it must be exactly 20 digits (it has {} characters)",
                id.chars().count()
            ),
        ))
    }
}

/// Checks a stream URL or URL template: a known scheme, no embedded credentials, and only
/// known `{placeholders}`. `needs_time` demands `{start}` or `{start_unix}` (playback).
pub fn check_url_template(field: &str, url: &str, needs_time: bool) -> Result<(), ValidationError> {
    let err = |m: String| Err(ValidationError::new(field, m));
    if url.len() > 1024 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return err("must be at most 1024 characters without spaces".into());
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return err("must be an absolute URL (rtsp://, http://, https://, rtmp://)".into());
    };
    if !matches!(scheme, "rtsp" | "rtsps" | "http" | "https" | "rtmp") {
        return err(format!(
            "scheme {scheme:?} is not one of rtsp, rtsps, http, https, rtmp"
        ));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return err(
            "must not embed credentials (user:password@); set the platform's credential_ref instead"
                .into(),
        );
    }
    let mut found_time = false;
    let mut tail = url;
    while let Some(open) = tail.find('{') {
        let after = &tail[open + 1..];
        let Some(close) = after.find('}') else {
            return err("has an unclosed '{'".into());
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return err(format!(
                "unknown placeholder {{{name}}}; use {}",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
            ));
        }
        found_time |= name == "start" || name == "start_unix";
        tail = &after[close + 1..];
    }
    if needs_time && !found_time {
        return err("a playback template needs a {start} (or {start_unix}) placeholder".into());
    }
    Ok(())
}

/// Fills a URL template for a camera and a time window.
pub fn fill_template(
    template: &str,
    camera_id: &str,
    channel_id: Option<&str>,
    window: Option<(Timestamp, Timestamp)>,
) -> String {
    let mut out = template
        .replace("{camera_id}", camera_id)
        .replace("{channel_id}", channel_id.unwrap_or(""));
    if let Some((from, to)) = window {
        let iso = |t: Timestamp| {
            t.to_datetime()
                .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default()
        };
        out = out
            .replace(
                "{start_unix}",
                &from.micros().div_euclid(1_000_000).to_string(),
            )
            .replace("{end_unix}", &to.micros().div_euclid(1_000_000).to_string())
            .replace("{start}", &iso(from))
            .replace("{end}", &iso(to));
    }
    out
}

/// The UTC day of an instant, `YYYY-MM-DD` (uptime is kept per UTC day).
pub fn utc_day(t: Timestamp) -> String {
    t.to_datetime()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "0000-00-00".into())
}

/// The instant the UTC day of `t` ends (the next midnight).
pub fn next_utc_midnight(t: Timestamp) -> Timestamp {
    const DAY: i64 = 86_400 * Timestamp::MICROS_PER_SECOND;
    Timestamp((t.micros().div_euclid(DAY) + 1).saturating_mul(DAY))
}

impl Platform {
    /// Every problem of this platform, each naming its field.
    pub fn problems(&self) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        if let Err(e) = check_id("id", self.id.as_str()) {
            errors.push(e);
        }
        check_text("name", &self.name, 128, &mut errors);
        check_opt_text("vendor", self.vendor.as_deref(), 64, &mut errors);
        check_text("address", &self.address, 256, &mut errors);
        if self.address.contains('@') && self.address.contains(':') && self.address.contains("://")
        {
            errors.push(ValidationError::new(
                "address",
                "must not embed credentials; set credential_ref instead",
            ));
        }
        if let Some(r) = &self.credential_ref {
            let looks_like_a_name = (1..=128).contains(&r.len())
                && r.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'));
            if !looks_like_a_name {
                errors.push(ValidationError::new(
                    "credential_ref",
                    "must be the name of a secret held elsewhere (1–128 of letters, digits, '-', '_', '.', ':', '/'), never the secret itself",
                ));
            }
        }
        errors
    }
}

impl Camera {
    /// Every problem of this camera, each naming its field.
    pub fn problems(&self) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        if let Err(e) = check_id("id", self.id.as_str()) {
            errors.push(e);
        }
        check_text("name", &self.name, 128, &mut errors);
        if let Some(p) = &self.platform_id {
            if let Err(e) = check_id("platform_id", p.as_str()) {
                errors.push(e);
            }
        }
        if let Some(c) = &self.channel_id {
            if let Err(e) = check_channel_id("channel_id", c) {
                errors.push(e);
            }
        }
        check_position(self.lon, self.lat, &mut errors);
        if let Some(h) = self.height_m {
            if !h.is_finite() || !(0.0..=500.0).contains(&h) {
                errors.push(ValidationError::new(
                    "height_m",
                    format!("mounting height {h} m is outside 0–500"),
                ));
            }
        }
        if !self.heading_deg.is_finite() || !(0.0..=360.0).contains(&self.heading_deg) {
            errors.push(ValidationError::new(
                "heading_deg",
                format!("heading {} is outside 0–360 degrees", self.heading_deg),
            ));
        }
        if !self.ptz && (!self.fov_deg.is_finite() || self.fov_deg <= 0.0 || self.fov_deg >= 360.0)
        {
            errors.push(ValidationError::new(
                "fov_deg",
                format!(
                    "field of view {} must be greater than 0 and less than 360 degrees on a fixed camera (set ptz for a full circle)",
                    self.fov_deg
                ),
            ));
        }
        if !self.range_m.is_finite() || self.range_m <= 0.0 || self.range_m > 5_000.0 {
            errors.push(ValidationError::new(
                "range_m",
                format!(
                    "range {} m must be greater than 0 and at most 5000",
                    self.range_m
                ),
            ));
        }
        if let Some(u) = &self.live_url {
            if let Err(e) = check_url_template("live_url", u, false) {
                errors.push(e);
            }
        }
        if let Some(u) = &self.playback_url {
            if let Err(e) = check_url_template("playback_url", u, true) {
                errors.push(e);
            }
        }
        if let Some(d) = &self.installed_on {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                errors.push(ValidationError::new(
                    "installed_on",
                    format!("{d:?} is not a date (YYYY-MM-DD)"),
                ));
            }
        }
        check_opt_text("owner", self.owner.as_deref(), 128, &mut errors);
        errors
    }

    /// The playback link for a window, when the camera has a template.
    pub fn playback_link(&self, from: Timestamp, to: Timestamp) -> Option<String> {
        self.playback_url.as_deref().map(|t| {
            fill_template(
                t,
                self.id.as_str(),
                self.channel_id.as_deref(),
                Some((from, to)),
            )
        })
    }

    /// The live link, when the camera has one.
    pub fn live_link(&self) -> Option<String> {
        self.live_url
            .as_deref()
            .map(|t| fill_template(t, self.id.as_str(), self.channel_id.as_deref(), None))
    }
}

impl Checkpoint {
    /// Every problem of this checkpoint, each naming its field.
    pub fn problems(&self) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        if let Err(e) = check_id("id", self.id.as_str()) {
            errors.push(e);
        }
        check_text("name", &self.name, 128, &mut errors);
        check_position(self.lon, self.lat, &mut errors);
        if !(1..=32).contains(&self.lanes) {
            errors.push(ValidationError::new(
                "lanes",
                format!("{} lanes is outside 1–32", self.lanes),
            ));
        }
        if self.directions.len() > 8 {
            errors.push(ValidationError::new("directions", "at most 8 directions"));
        }
        for (i, d) in self.directions.iter().enumerate() {
            check_text(&format!("directions[{i}]"), d, 32, &mut errors);
        }
        if let Some(r) = &self.road_id {
            if let Err(e) = check_id("road_id", r) {
                errors.push(e);
            }
        }
        errors
    }
}

/// Prefixes each error's field with a row or path (`rows[3].heading_deg`).
pub fn within(prefix: &str, errors: Vec<ValidationError>) -> Vec<ValidationError> {
    errors
        .into_iter()
        .map(|e| ValidationError::new(format!("{prefix}.{}", e.field), e.message))
        .collect()
}

/// How a batch write treats ids that already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// New records only; an existing id is `Duplicate` and nothing is written.
    Insert,
    /// Create or replace.
    Upsert,
}

/// Filters for listing cameras. All present filters must match.
#[derive(Debug, Clone, Default)]
pub struct CameraFilter {
    /// `[min_lon, min_lat, max_lon, max_lat]` on the camera's position.
    pub bbox: Option<[f64; 4]>,
    pub platform: Option<PlatformId>,
    pub status: Option<CameraStatus>,
    pub ids: Option<Vec<CameraId>>,
}

/// What kind of thing a heartbeat is about.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HealthSubject {
    Camera,
    Checkpoint,
    Platform,
    Recorder,
}

impl HealthSubject {
    pub const ALL: [HealthSubject; 4] = [
        HealthSubject::Camera,
        HealthSubject::Checkpoint,
        HealthSubject::Platform,
        HealthSubject::Recorder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HealthSubject::Camera => "camera",
            HealthSubject::Checkpoint => "checkpoint",
            HealthSubject::Platform => "platform",
            HealthSubject::Recorder => "recorder",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// One heartbeat to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Beat {
    pub subject: HealthSubject,
    pub id: String,
    pub at: Timestamp,
}

/// A device's current health.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HealthState {
    pub subject: HealthSubject,
    pub id: String,
    pub online: bool,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub last_seen_at: Timestamp,
    /// When `online` last changed.
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub changed_at: Timestamp,
}

/// Online time of one device on one UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UptimeDay {
    pub subject: HealthSubject,
    pub id: String,
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub online_s: i64,
    pub beats: i64,
}

/// A detection event from a recorder, in storage form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Detection {
    /// Unique per recorder: `{recorder}:{event id}`.
    pub id: String,
    pub recorder_id: String,
    pub camera_id: CameraId,
    /// `frigate` or `native`.
    pub source: String,
    pub label: String,
    pub sub_label: Option<String>,
    pub score: f64,
    pub colour: Option<String>,
    pub zones: Vec<String>,
    /// The object's box in the frame, `[x1, y1, x2, y2]` pixels, as sent.
    pub bbox: Option<Vec<f64>>,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub start_at: Timestamp,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub end_at: Option<Timestamp>,
    pub snapshot_url: Option<String>,
    pub clip_url: Option<String>,
    /// The camera's position when the event arrived.
    pub lon: f64,
    pub lat: f64,
}

/// Filters for searching detections. All present filters must match.
#[derive(Debug, Clone, Default)]
pub struct DetectionFilter {
    /// Events of these cameras only (the area, resolved by the caller through the camera index).
    pub cameras: Option<Vec<CameraId>>,
    /// Events overlapping `[from, to]`.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub label: Option<String>,
    pub colour: Option<String>,
    pub limit: u32,
}

/// Storage of the video network: registry, health and detections. Every write takes a batch;
/// every change to the registry takes its ledger entries (`audit`) and commits them with it.
#[async_trait]
pub trait SensorStore: Send + Sync {
    async fn put_platforms(
        &self,
        rows: &[Platform],
        mode: WriteMode,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;
    async fn platforms(&self) -> Result<Vec<Platform>, StoreError>;
    /// Deletes a platform; its cameras keep their records with no platform.
    async fn delete_platform(
        &self,
        id: &PlatformId,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;

    /// Writes cameras in as few statements as the backend allows (one transaction).
    async fn put_cameras(
        &self,
        rows: &[Camera],
        mode: WriteMode,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;
    async fn cameras(&self, filter: &CameraFilter) -> Result<Vec<Camera>, StoreError>;
    async fn delete_camera(
        &self,
        id: &CameraId,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;

    async fn put_checkpoints(
        &self,
        rows: &[Checkpoint],
        mode: WriteMode,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError>;
    async fn delete_checkpoint(
        &self,
        id: &CheckpointId,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;

    /// Records heartbeats; a gap up to `max_gap_s` since the previous beat counts as online time.
    /// Returns the subjects that were offline (or unknown) and are online now.
    async fn record_beats(
        &self,
        beats: &[Beat],
        max_gap_s: i64,
    ) -> Result<Vec<HealthState>, StoreError>;
    /// Marks offline every online subject last seen before `seen_before`; returns them.
    async fn mark_offline(
        &self,
        seen_before: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<HealthState>, StoreError>;
    async fn health(&self) -> Result<Vec<HealthState>, StoreError>;
    /// Uptime rows for days `from_day..=to_day` (`YYYY-MM-DD`).
    async fn uptime(&self, from_day: &str, to_day: &str) -> Result<Vec<UptimeDay>, StoreError>;

    /// Creates or updates detection events by id (Frigate's new/update/end share an id); an
    /// update keeps the first `start_at`.
    async fn put_detections(&self, rows: &[Detection]) -> Result<(), StoreError>;
    async fn detections(&self, filter: &DetectionFilter) -> Result<Vec<Detection>, StoreError>;
}

// ---------------------------------------------------------------------------------------------
// Imports.

/// One rejected row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// 0-based index of the data row (CSV, after the header) or feature (GeoJSON).
    pub row: usize,
    pub id: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<ValidationError>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = RegistryImportReport)]
pub struct ImportReport {
    /// Always `valid_rows_kept`: valid rows were written, invalid ones were not.
    pub policy: &'static str,
    pub received: usize,
    /// Rows written (created or replaced).
    pub written: usize,
    pub rejected: Vec<RowError>,
}

#[cfg(test)]
mod tests;

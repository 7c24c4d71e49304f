//! Device health: heartbeats of cameras, checkpoints, platforms and recorders (HTTP and MQTT
//! both end in [`on_device_heartbeat`]), offline after a configurable number of missed beats
//! (the [`run_health_sweep`] task), online/offline events on the `devices` topic, and uptime per
//! device and platform per UTC day.
//!
//! A platform may vouch for its cameras: its heartbeat lists the ids of the cameras it sees
//! alive (`"cameras": [...]`), which records a beat for each of them, so that 2,665 cameras do not
//! each need an API key. Only cameras registered on that platform are accepted; others are
//! ignored with a warning, and the rest of the heartbeat still counts.

use crate::domain::registry::{utc_day, HealthState, HealthSubject, SensorStore, UptimeDay};
use axum::extract::State;
use axum::Json;
use pingan_server::auth::{perm, Authorized};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::ApiQuery;
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(uptime))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthReport {
    pub online: usize,
    pub offline: usize,
    /// Seconds between expected heartbeats, and beats missed before "offline".
    pub interval_s: i64,
    pub missed_beats: u32,
    pub devices: Vec<HealthState>,
}

/// Current health of every device that has sent a heartbeat.
#[utoipa::path(get, path = "/video/health", tag = "video",
    responses((status = 200, body = HealthReport)))]
pub async fn health(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
) -> ApiResult<Json<HealthReport>> {
    let devices = state.store.health().await?;
    let online = devices.iter().filter(|d| d.online).count();
    let s = crate::http::video(&state).health_settings();
    Ok(Json(HealthReport {
        online,
        offline: devices.len() - online,
        interval_s: s.interval_s,
        missed_beats: s.missed_beats,
        devices,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UptimeQuery {
    /// First day, `YYYY-MM-DD` (UTC); default today.
    #[serde(default)]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC); default `from`.
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UptimeRow {
    #[serde(flatten)]
    pub day: UptimeDay,
    /// `online_s` / 86,400.
    pub share: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformUptime {
    pub platform_id: String,
    pub day: String,
    /// The platform's own uptime share, when it sends heartbeats.
    pub own_share: Option<f64>,
    /// Mean uptime share of the platform's registered cameras (0 for a camera never heard from).
    pub cameras_share: Option<f64>,
    pub cameras: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UptimeReport {
    pub devices: Vec<UptimeRow>,
    pub platforms: Vec<PlatformUptime>,
}

fn day(field: &str, text: &str) -> ApiResult<String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| ApiError::invalid(field, format!("{text:?} is not a date (YYYY-MM-DD)")))
}

/// Uptime per device and per platform per UTC day.
#[utoipa::path(get, path = "/video/uptime", tag = "video", params(UptimeQuery),
    responses((status = 200, body = UptimeReport), (status = 400, body = pingan_server::error::Problem)))]
pub async fn uptime(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    ApiQuery(q): ApiQuery<UptimeQuery>,
) -> ApiResult<Json<UptimeReport>> {
    let from = match &q.from {
        Some(f) => day("from", f)?,
        None => utc_day(state.now()),
    };
    let to = match &q.to {
        Some(t) => day("to", t)?,
        None => from.clone(),
    };
    if from > to {
        return Err(ApiError::invalid("from", "must not be after `to`"));
    }
    let rows = state.store.uptime(&from, &to).await?;
    let share = |s: i64| ((s as f64 / 86_400.0).min(1.0) * 10_000.0).round() / 10_000.0;
    let index = crate::http::video(&state).index();
    let mut days: Vec<String> = rows.iter().map(|r| r.day.clone()).collect();
    days.sort();
    days.dedup();
    let by_key: BTreeMap<(HealthSubject, &str, &str), i64> = rows
        .iter()
        .map(|r| ((r.subject, r.id.as_str(), r.day.as_str()), r.online_s))
        .collect();
    let mut platforms = Vec::new();
    for p in index.platforms() {
        let cams: Vec<&str> = index
            .cameras()
            .iter()
            .filter(|c| c.platform_id.as_ref() == Some(&p.id))
            .map(|c| c.id.as_str())
            .collect();
        for d in &days {
            let own = by_key
                .get(&(HealthSubject::Platform, p.id.as_str(), d.as_str()))
                .map(|s| share(*s));
            let cameras_share = (!cams.is_empty()).then(|| {
                let total: f64 = cams
                    .iter()
                    .map(|c| {
                        share(
                            by_key
                                .get(&(HealthSubject::Camera, *c, d.as_str()))
                                .copied()
                                .unwrap_or(0),
                        )
                    })
                    .sum();
                (total / cams.len() as f64 * 10_000.0).round() / 10_000.0
            });
            platforms.push(PlatformUptime {
                platform_id: p.id.0.clone(),
                day: d.clone(),
                own_share: own,
                cameras_share,
                cameras: cams.len(),
            });
        }
    }
    let devices = rows
        .into_iter()
        .map(|d| UptimeRow {
            share: share(d.online_s),
            day: d,
        })
        .collect();
    Ok(Json(UptimeReport { devices, platforms }))
}

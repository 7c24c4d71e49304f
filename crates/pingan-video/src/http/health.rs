//! Device health: heartbeats of cameras, checkpoints, platforms and recorders (HTTP and MQTT
//! both end in [`on_device_heartbeat`]), offline after a configurable number of missed beats
//! (the [`run_health_sweep`] task), online/offline events on the `devices` topic, and uptime per
//! device and platform per UTC day.
//!
//! A platform may vouch for its cameras: its heartbeat lists the ids of the cameras it sees
//! alive (`"cameras": [...]`), which records a beat for each of them, so that 2,665 cameras do not
//! each need an API key. Only cameras registered on that platform are accepted; others are
//! ignored with a warning, and the rest of the heartbeat still counts.

use crate::domain::registry::utc_day;
use crate::service::health::{self as uc, HealthReport, UptimeReport};
use axum::extract::State;
use axum::Json;
use pingan_server::auth::{perm, Authorized};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::ApiQuery;
use pingan_server::AppState;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(uptime))
}

/// Current health of every device that has sent a heartbeat.
#[utoipa::path(get, path = "/video/health", tag = "video",
    responses((status = 200, body = HealthReport)))]
pub async fn health(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
) -> ApiResult<Json<HealthReport>> {
    Ok(Json(uc::health_report(&state).await?))
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
    Ok(Json(uc::uptime_report(&state, &from, &to).await?))
}

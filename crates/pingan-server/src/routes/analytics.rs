//! Crime analytics over events posted with the request: kernel density (GeoJSON and PNG),
//! Getis-Ord Gi* (square cells and H3 hexagons), the Knox near-repeat test, time profiles and
//! weekly trends, the prediction accuracy index, and serial-case linkage.
//!
//! Every endpoint takes the same body, `{ "events": [...], "filter": {...}, "params": {...} }`
//! (or `"source": "incidents"` instead of `events`):
//! events as `{id, lon, lat, time, type, town, text}` (at most [`input::MAX_EVENTS`]), a filter
//! by type, town and time window, and the method's parameters (all optional, with the defaults
//! in [`compute`]). Answers are aggregates: cells, tables, weeks, and case ids with scores.
//!
//! Design decisions:
//! * The permission (`run_analytics`) is the first extractor, so a refused caller never has the
//!   body parsed.
//! * Parsing, validation and the analysis itself run on the blocking pool, and at most
//!   [`MAX_CONCURRENT`] analyses run at once (the engine uses every core for each).
//! * Results are cached in a bounded process-wide LRU ([`cache`]) keyed by the method, the
//!   effective parameters and filter, and the data version (a SHA-256 of the filtered events);
//!   every answer says whether it came from the cache (`cached`).
//!
//! * With `"source": "incidents"` the events are the store's incidents received in the filter's
//!   window (at most [`input::MAX_EVENTS`]); type and town are filtered here, the run is audited
//!   (`analytics.run`), and the data version is the hash of the rows, so a changed incident
//!   changes the cache key.

pub mod cache;
pub mod compute;
mod geo;
pub mod input;
pub mod png;
mod time;

use crate::auth::{perm, Authorized, UserCaller};
use crate::error::{ApiError, ApiResult};
use crate::extract::{body_rejection, from_json};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use cache::{Cached, Key};
use input::{format_time, EventDto, EventFilter, EventKey, Input};
use pingan_core::audit::Outcome;
use pingan_core::command::{CommandStore, IncidentFilter};
use pingan_core::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Analysis bodies may be larger than ordinary ones (50,000 events are about 6 MB).
pub const ANALYTICS_LIMIT_BYTES: usize = 16 * 1024 * 1024;
/// Analyses running at once; more wait their turn.
pub const MAX_CONCURRENT: usize = 2;

/// Where the events of an analysis come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The `events` array of the request.
    #[default]
    Events,
    /// The incidents in the store (received in the filter's window; type and town filtered here).
    Incidents,
}

/// The body of every analytics request.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "P: DeserializeOwned + Default")
)]
pub struct AnalyticsRequest<P> {
    #[serde(default)]
    pub source: Source,
    #[serde(default)]
    pub events: Vec<EventDto>,
    #[serde(default)]
    pub filter: EventFilter,
    #[serde(default)]
    pub params: P,
}

/// What every JSON answer carries besides the result.
#[derive(Debug, Serialize)]
struct Envelope<'a> {
    method: &'a str,
    cached: bool,
    data_version: &'a str,
    events_given: usize,
    events_used: usize,
    filter: &'a EventFilter,
    params: &'a Value,
    result: &'a Value,
}

/// One finished analysis and how it was obtained.
#[derive(Debug)]
struct Done {
    value: Arc<Cached>,
    cached: bool,
    version: String,
    given: usize,
    used: usize,
    filter: EventFilter,
    params: Value,
}

type Compute<P> = fn(&Input, &P, &EventFilter) -> Result<Cached, ApiError>;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(MAX_CONCURRENT))
}

/// Reads the body, parses it and loads the incidents (if asked), then filters, looks up the
/// cache and computes. JSON parsing and the analysis run on the blocking pool.
async fn analyse<P>(
    state: &AppState,
    caller: &UserCaller,
    method: &'static str,
    req: Request,
    compute: Compute<P>,
) -> ApiResult<Done>
where
    P: DeserializeOwned + Serialize + Default + Send + 'static,
{
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| ct.split(';').next().unwrap_or("").trim())
        .is_some_and(|ct| ct == "application/json" || ct.ends_with("+json"));
    if !is_json {
        return Err(ApiError::UnsupportedMediaType {
            expected: "application/json",
        });
    }
    let bytes = Bytes::from_request(req, state)
        .await
        .map_err(|r| body_rejection(r, ANALYTICS_LIMIT_BYTES))?;
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| ApiError::Unavailable(format!("analytics are shutting down: {e}")))?;
    let mut body: AnalyticsRequest<P> = tokio::task::spawn_blocking(move || from_json(&bytes))
        .await
        .map_err(ApiError::internal)??;
    if body.source == Source::Incidents {
        if !body.events.is_empty() {
            return Err(ApiError::invalid(
                "events",
                "give either events or source \"incidents\", not both",
            ));
        }
        body.events = incident_events(state, &body.filter).await?;
        state
            .audit(vec![caller.entry(
                state,
                "analytics.run",
                "incidents",
                None,
                Outcome::Success,
                json!({ "method": method, "filter": body.filter, "incidents": body.events.len() }),
            )])
            .await?;
    }
    tokio::task::spawn_blocking(move || run_blocking(method, body, compute))
        .await
        .map_err(ApiError::internal)?
}

/// The incidents received in the filter's window, as events (type = the taxonomy code, town =
/// the resolved town's name, text = the description; the caller's contact is never read).
async fn incident_events(state: &AppState, filter: &EventFilter) -> ApiResult<Vec<EventDto>> {
    let w = filter.window()?;
    let limit = u32::try_from(input::MAX_EVENTS + 1).unwrap_or(u32::MAX);
    let incidents = state
        .store
        .incidents(&IncidentFilter {
            from: w.from_micros.map(Timestamp::from_micros),
            to: w.to_micros.map(Timestamp::from_micros),
            limit,
            ..IncidentFilter::default()
        })
        .await?;
    if incidents.len() > input::MAX_EVENTS {
        return Err(ApiError::invalid(
            "filter",
            format!(
                "more than {} incidents fall in the window: narrow it",
                input::MAX_EVENTS
            ),
        ));
    }
    if incidents.is_empty() {
        return Err(ApiError::invalid(
            "filter",
            "no incidents in the store fall in the window",
        ));
    }
    Ok(incidents
        .into_iter()
        .map(|i| EventDto {
            id: EventKey::Text(i.id.0),
            lon: i.location.lon,
            lat: i.location.lat,
            time: format_time(i.times.received_at.micros(), 0),
            kind: i.incident_type.code().to_owned(),
            town: i.location.town_name.unwrap_or_default(),
            text: i.description,
        })
        .collect())
}

fn run_blocking<P>(
    method: &'static str,
    body: AnalyticsRequest<P>,
    compute: Compute<P>,
) -> ApiResult<Done>
where
    P: Serialize,
{
    let input = Input::new(body.events, &body.filter)?;
    let params = serde_json::to_value(&body.params).map_err(ApiError::internal)?;
    let key = Key::new(
        method,
        &json!({ "params": params, "filter": body.filter }),
        &input.version,
    );
    let (value, cached) = match cache::get(&key) {
        Some(hit) => (hit, true),
        None => {
            let value = Arc::new(compute(&input, &body.params, &body.filter)?);
            cache::put(key, value.clone());
            (value, false)
        }
    };
    Ok(Done {
        value,
        cached,
        given: input.given,
        used: input.records.len(),
        version: input.version,
        filter: body.filter,
        params,
    })
}

fn json_answer(method: &str, d: &Done) -> ApiResult<Response> {
    let Cached::Json(result) = d.value.as_ref() else {
        return Err(ApiError::internal(std::io::Error::other(
            "a cached image where JSON was expected",
        )));
    };
    let env = Envelope {
        method,
        cached: d.cached,
        data_version: &d.version,
        events_given: d.given,
        events_used: d.used,
        filter: &d.filter,
        params: &d.params,
        result,
    };
    Ok(axum::Json(env).into_response())
}

async fn json_endpoint<P>(
    state: AppState,
    caller: &UserCaller,
    method: &'static str,
    req: Request,
    compute: Compute<P>,
) -> ApiResult<Response>
where
    P: DeserializeOwned + Serialize + Default + Send + 'static,
{
    let done = analyse(&state, caller, method, req, compute).await?;
    json_answer(method, &done)
}

/// Kernel density: GeoJSON cells and the top-N hotspot polygons.
#[utoipa::path(post, path = "/analytics/kde", tag = "analytics",
    request_body(content = Object, description = "{events, filter, params}: params kernel (gaussian|quartic), bandwidth_m 200, cell_m 50, margin_m, quantile 0.95, top_n 10, cell_floor 0.01, origin"),
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem)))]
pub async fn kde(
    State(state): State<AppState>,
    caller: Authorized<perm::RunAnalytics>,
    req: Request,
) -> ApiResult<Response> {
    json_endpoint(state, &caller, "kde", req, |i, p, _| {
        compute::kde(i, p).map(Cached::Json)
    })
    .await
}

/// Kernel density as a PNG (north up, transparent below 5 % of the peak) with a legend bar; the
/// legend's class bounds and the map's corners are in the `X-Pingan-Legend` header.
#[utoipa::path(post, path = "/analytics/kde/png", tag = "analytics",
    request_body(content = Object, description = "as /analytics/kde"),
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 400, body = crate::error::Problem)))]
pub async fn kde_png(
    State(state): State<AppState>,
    caller: Authorized<perm::RunAnalytics>,
    req: Request,
) -> ApiResult<Response> {
    let done = analyse(
        &state,
        &caller,
        "kde.png",
        req,
        |i, p: &compute::KdeQuery, _| {
            let (proj, surface) = compute::kde_surface(i, p)?;
            let (bytes, legend) = png::render(&surface, &proj);
            Ok(Cached::Png { bytes, legend })
        },
    )
    .await?;
    let Cached::Png { bytes, legend } = done.value.as_ref() else {
        return Err(ApiError::internal(std::io::Error::other(
            "cached JSON where an image was expected",
        )));
    };
    let mut resp = Response::new(Body::from(bytes.clone()));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    for (name, value) in [
        ("x-pingan-legend", legend.as_str()),
        (
            "x-pingan-cached",
            if done.cached { "true" } else { "false" },
        ),
        ("x-pingan-data-version", done.version.as_str()),
    ] {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    }
    Ok(resp)
}

/// Getis-Ord Gi* hot and cold spots on square cells or H3 hexagons.
#[utoipa::path(post, path = "/analytics/gistar", tag = "analytics",
    request_body(content = Object, description = "{events, filter, params}: params grid (square|h3), cell_m 250, contiguity (queen|distance_band), radius_m, h3_resolution 9, k_ring 1, permutations 999, seed 0, class_basis (analytical|permutation), only_significant false, origin"),
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem)))]
pub async fn gistar(
    State(state): State<AppState>,
    caller: Authorized<perm::RunAnalytics>,
    req: Request,
) -> ApiResult<Response> {
    json_endpoint(state, &caller, "gistar", req, |i, p, _| {
        compute::gistar(i, p).map(Cached::Json)
    })
    .await
}

/// The Knox near-repeat test: observed/expected table, p-values and the risk zone.
#[utoipa::path(post, path = "/analytics/knox", tag = "analytics",
    request_body(content = Object, description = "{events, filter, params}: params spatial_bandwidth_m 200, spatial_bands 5, temporal_bandwidth_days 7, temporal_bands 4, metric (euclidean|manhattan), same_location true, same_location_m 0, permutations 999, seed 0, alpha 0.05, min_ratio 1.2, origin"),
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem)))]
pub async fn knox(
    State(state): State<AppState>,
    caller: Authorized<perm::RunAnalytics>,
    req: Request,
) -> ApiResult<Response> {
    json_endpoint(state, &caller, "knox", req, |i, p, _| {
        compute::knox(i, p).map(Cached::Json)
    })
    .await
}

/// Hour of day × day of week, overall, by type and by town.
#[utoipa::path(post, path = "/analytics/profile", tag = "analytics",
    request_body(content = Object, description = "{events, filter, params}: params utc_offset_s 28800"),
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem)))]
pub async fn profile(
    State(state): State<AppState>,
    caller: Authorized<perm::RunAnalytics>,
    req: Request,
) -> ApiResult<Response> {
    json_endpoint(state, &caller, "profile", req, |i, p, _| {
        compute::profile(i, p).map(Cached::Json)
    })
    .await
}

/// Weekly counts with a seasonal baseline and flags for unusual weeks.
#[utoipa::path(post, path = "/analytics/trend", tag = "analytics",
    request_body(content = Object, description = "{events, filter, params}: params utc_offset_s 28800, trailing_weeks 8, threshold 3.0"),
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem)))]
pub async fn trend(
    State(state): State<AppState>,
    caller: Authorized<perm::RunAnalytics>,
    req: Request,
) -> ApiResult<Response> {
    json_endpoint(state, &caller, "trend", req, |i, p, f| {
        let w = f.window()?;
        compute::trend(i, p, (w.from_micros, w.to_micros)).map(Cached::Json)
    })
    .await
}

/// The prediction accuracy index of a KDE hotspot map against a later period.
#[utoipa::path(post, path = "/analytics/pai", tag = "analytics",
    request_body(content = Object, description = "{events, filter, params}: params split_at (required), until, kernel, bandwidth_m 200, cell_m 50, area_share 0.05, origin"),
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem)))]
pub async fn pai(
    State(state): State<AppState>,
    caller: Authorized<perm::RunAnalytics>,
    req: Request,
) -> ApiResult<Response> {
    json_endpoint(state, &caller, "pai", req, |i, p, _| {
        compute::pai(i, p).map(Cached::Json)
    })
    .await
}

/// Serial-case linkage: for a case, the others ranked with reasons; and likely series.
#[utoipa::path(post, path = "/analytics/linkage", tag = "analytics",
    request_body(content = Object, description = "{events, filter, params}: params case_id, top_k 10, max_distance_m 10000, max_gap_days 180, series_threshold 0.8, series true, origin"),
    responses((status = 200, body = Object), (status = 400, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn linkage(
    State(state): State<AppState>,
    caller: Authorized<perm::RunAnalytics>,
    req: Request,
) -> ApiResult<Response> {
    json_endpoint(state, &caller, "linkage", req, |i, p, _| {
        compute::linkage(i, p).map(Cached::Json)
    })
    .await
}

/// The analytics routes, with their larger body limit.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(kde))
        .routes(routes!(kde_png))
        .routes(routes!(gistar))
        .routes(routes!(knox))
        .routes(routes!(profile))
        .routes(routes!(trend))
        .routes(routes!(pai))
        .routes(routes!(linkage))
        .layer(DefaultBodyLimit::max(ANALYTICS_LIMIT_BYTES))
}

//! Crime analytics over events posted with the request: kernel density (GeoJSON and PNG),
//! Getis-Ord Gi* (square cells and H3 hexagons), the Knox near-repeat test, time profiles and
//! weekly trends, the prediction accuracy index, and serial-case linkage.
//!
//! Every endpoint takes the same body, `{ "events": [...], "crs": "...", "filter": {...},
//! "params": {...} }` (or `"source": "incidents"` instead of `events`): events as
//! `{id, lon, lat, time, type, town, text}`, or with `x` and `y` in metres when `crs` names a
//! planar CRS (at most [`crate::domain::input::MAX_EVENTS`]), a filter
//! by type, town and time window, and the method's parameters (all optional, with the defaults
//! in [`crate::domain::compute`]). Answers are aggregates: cells, tables, weeks, and case ids with scores.
//!
//! Design decisions:
//! * The permission (`run_analytics`) is the first extractor, so a refused caller never has the
//!   body parsed.
//! * Parsing, validation and the analysis itself run on the blocking pool, and at most
//!   [`service::MAX_CONCURRENT`] analyses run at once (the engine uses every core for each).
//! * Results are cached in a bounded process-wide LRU ([`crate::service::cache`]) keyed by the method, the
//!   effective parameters and filter, and the data version (a SHA-256 of the filtered events);
//!   every answer says whether it came from the cache (`cached`).
//!
//! * With `"source": "incidents"` the events are the store's incidents received in the filter's
//!   window (at most [`crate::domain::input::MAX_EVENTS`]); type and town are filtered here, the run is audited
//!   (`analytics.run`), and the data version is the hash of the rows, so a changed incident
//!   changes the cache key.

use crate::domain::input::{Crs, EventFilter};
use crate::domain::{compute, png};
use crate::error::AnalyticsError;
use crate::service::cache::Cached;
use crate::service::{self, AnalyticsRequest, Compute, Done};
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use pingan_core::access::Permission as P;
use pingan_server::auth::{perm, Authorized, UserCaller};
use pingan_server::capability::{route as r, Access::Permission, RouteSpec};
use pingan_server::error::{ApiError, ApiResult, Problem};
use pingan_server::extract::{body_rejection, from_json};
use pingan_server::AppState;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Analysis bodies may be larger than ordinary ones (50,000 events are about 6 MB).
pub const ANALYTICS_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// What every JSON answer carries besides the result.
#[derive(Debug, Serialize)]
struct Envelope<'a> {
    method: &'a str,
    cached: bool,
    data_version: &'a str,
    events_given: usize,
    events_used: usize,
    /// The coordinates of the events and of every geometry in the result.
    crs: &'a Crs,
    filter: &'a EventFilter,
    params: &'a Value,
    result: &'a Value,
}

/// Reads and parses the body under an analysis slot, then hands it to the service.
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
    let _permit = service::permit().await?;
    let body: AnalyticsRequest<P> = tokio::task::spawn_blocking(move || from_json(&bytes))
        .await
        .map_err(ApiError::internal)??;
    Ok(service::analyse(state, caller, method, body, compute).await?)
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
        crs: &d.crs,
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
    request_body(content = Object, description = "{events, crs, filter, params}: events {id, lon, lat | x, y (planar crs), time, type, town, text}; crs EPSG:4326 (default) or a planar CRS name in metres; params kernel (gaussian|quartic), bandwidth_m 200, cell_m 50, margin_m, quantile 0.95, top_n 10, cell_floor 0.01, origin, grid_origin [x, y]"),
    responses((status = 200, body = Object), (status = 400, body = Problem)))]
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
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 400, body = Problem)))]
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
    request_body(content = Object, description = "{events, crs, filter, params}: params grid (square|h3), cell_m 250, contiguity (queen|distance_band), radius_m, h3_resolution 9, k_ring 1, permutations 999, seed 0, class_basis (analytical|permutation), only_significant false, origin, grid_origin [x, y]"),
    responses((status = 200, body = Object), (status = 400, body = Problem)))]
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
    request_body(content = Object, description = "{events, crs, filter, params}: params spatial_bandwidth_m 200, spatial_bands 5, temporal_bandwidth_days 7, temporal_bands 4, metric (euclidean|manhattan), same_location true, same_location_m 0, permutations 999, seed 0, alpha 0.05, min_ratio 1.2, origin"),
    responses((status = 200, body = Object), (status = 400, body = Problem)))]
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
    request_body(content = Object, description = "{events, crs, filter, params}: params utc_offset_s 28800"),
    responses((status = 200, body = Object), (status = 400, body = Problem)))]
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
    request_body(content = Object, description = "{events, crs, filter, params}: params utc_offset_s 28800, trailing_weeks 8, threshold 3.0"),
    responses((status = 200, body = Object), (status = 400, body = Problem)))]
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
    request_body(content = Object, description = "{events, crs, filter, params}: params split_at (required), until, kernel, bandwidth_m 200, cell_m 50, area_share 0.05, origin, grid_origin [x, y]"),
    responses((status = 200, body = Object), (status = 400, body = Problem)))]
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
    request_body(content = Object, description = "{events, crs, filter, params}: params case_id, top_k 10, max_distance_m 10000, max_gap_days 180, series_threshold 0.8, series true, origin"),
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 404, body = Problem)))]
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
/// Every route of analytics with the access rule it enforces.
pub const ROUTES: &[RouteSpec] = &[
    r("POST", "/api/v1/analytics/kde", Permission(P::RunAnalytics)),
    r(
        "POST",
        "/api/v1/analytics/kde/png",
        Permission(P::RunAnalytics),
    ),
    r(
        "POST",
        "/api/v1/analytics/gistar",
        Permission(P::RunAnalytics),
    ),
    r(
        "POST",
        "/api/v1/analytics/knox",
        Permission(P::RunAnalytics),
    ),
    r(
        "POST",
        "/api/v1/analytics/profile",
        Permission(P::RunAnalytics),
    ),
    r(
        "POST",
        "/api/v1/analytics/trend",
        Permission(P::RunAnalytics),
    ),
    r("POST", "/api/v1/analytics/pai", Permission(P::RunAnalytics)),
    r(
        "POST",
        "/api/v1/analytics/linkage",
        Permission(P::RunAnalytics),
    ),
];

impl From<AnalyticsError> for ApiError {
    fn from(e: AnalyticsError) -> Self {
        match e {
            AnalyticsError::Invalid(v) => ApiError::Invalid(v),
            AnalyticsError::NotFound { what, id } => ApiError::NotFound { what, id },
            AnalyticsError::Unavailable(reason) => ApiError::Unavailable(reason),
            AnalyticsError::Access(a) => ApiError::from(a),
            AnalyticsError::Store(s) => ApiError::from(s),
            AnalyticsError::Internal(source) => ApiError::Internal(source),
        }
    }
}

/// The routes with their OpenAPI description.
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

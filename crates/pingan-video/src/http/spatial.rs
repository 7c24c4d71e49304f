//! The geometry over the registry: which cameras see a point, cameras in a polygon, views as
//! GeoJSON sectors, and coverage of key places and key road sections.
//!
//! Everything here reads the in-memory [`VideoIndex`]; nothing touches the database.
//! Coverage is computed on a blocking thread (tens of milliseconds for a district).

use super::parse_bbox;
use crate::domain::index::{view_of, CameraLink, VideoIndex};
use crate::domain::registry::Camera;
use crate::service::cameras_seeing;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use pingan_core::geography::check_lon_lat;
use pingan_core::Timestamp;
use pingan_server::auth::{perm, Authorized};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::{ApiJson, ApiQuery};
use pingan_server::AppState;
use pingan_spatial::coverage::{
    analyse, CoverageFigures, CoverageOptions, SiteModel, SiteSuggestion, TownCoverage,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(seeing))
        .routes(routes!(cameras_within))
        .routes(routes!(views))
        .routes(routes!(coverage))
}

fn point(lon: f64, lat: f64) -> ApiResult<()> {
    check_lon_lat("", lon, lat)
        .map_err(|e| ApiError::invalid(e.field.trim_start_matches('.'), e.message))
}

/// Parses a query/body time ([`Timestamp::parse_field`]).
pub(crate) fn time(field: &str, text: &str) -> ApiResult<Timestamp> {
    match Timestamp::parse_field(field, Some(text)) {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(ApiError::invalid(field, "is required")),
        Err(e) => Err(ApiError::Invalid(vec![e])),
    }
}

/// A window `from..to` from optional texts; defaults to the last 15 minutes.
pub(crate) fn window(
    state: &AppState,
    from: Option<&str>,
    to: Option<&str>,
) -> ApiResult<(Timestamp, Timestamp)> {
    let to = to
        .map(|t| time("to", t))
        .transpose()?
        .unwrap_or_else(|| state.now());
    let from = from
        .map(|t| time("from", t))
        .transpose()?
        .unwrap_or_else(|| to.minus_seconds(900));
    if from > to {
        return Err(ApiError::invalid("from", "must not be after `to`"));
    }
    Ok((from, to))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SeeingQuery {
    pub lon: f64,
    pub lat: f64,
    /// Playback window start (RFC 3339); default 15 minutes before `to`.
    #[serde(default)]
    pub from: Option<String>,
    /// Playback window end (RFC 3339); default now.
    #[serde(default)]
    pub to: Option<String>,
}

/// The active cameras whose view contains the point, nearest first, with a live link and a
/// playback link for the window.
#[utoipa::path(get, path = "/video/seeing", tag = "video", params(SeeingQuery),
    responses((status = 200, body = Vec<CameraLink>), (status = 400, body = pingan_server::error::Problem)))]
pub async fn seeing(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    ApiQuery(q): ApiQuery<SeeingQuery>,
) -> ApiResult<Json<Vec<CameraLink>>> {
    point(q.lon, q.lat)?;
    let (from, to) = window(&state, q.from.as_deref(), q.to.as_deref())?;
    Ok(Json(cameras_seeing(&state, q.lon, q.lat, from, to)))
}

/// A polygon as GeoJSON geometry, or a circle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaInput {
    /// A GeoJSON Polygon geometry.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub polygon: Option<serde_json::Value>,
    /// Circle centre `[lon, lat]` (with `radius_m`).
    #[serde(default)]
    pub center: Option<[f64; 2]>,
    #[serde(default)]
    pub radius_m: Option<f64>,
}

/// Resolves an area to the active cameras positioned in it, with their distance from the
/// centre for circles.
pub(crate) fn cameras_in_area(
    index: &VideoIndex,
    area: &AreaInput,
    prefix: &str,
) -> ApiResult<Vec<(usize, Option<f64>)>> {
    match (&area.polygon, area.center, area.radius_m) {
        (Some(p), None, None) => {
            let polygon =
                parse_polygon(p).map_err(|m| ApiError::invalid(format!("{prefix}polygon"), m))?;
            Ok(index
                .views()
                .in_polygon(&polygon)
                .into_iter()
                .map(|i| (i, None))
                .collect())
        }
        (None, Some([lon, lat]), Some(r)) => {
            point(lon, lat).map_err(|_| {
                ApiError::invalid(format!("{prefix}center"), "must be [lon, lat] within range")
            })?;
            if !r.is_finite() || r <= 0.0 || r > 50_000.0 {
                return Err(ApiError::invalid(
                    format!("{prefix}radius_m"),
                    "must be greater than 0 and at most 50000",
                ));
            }
            Ok(index
                .views()
                .near(lon, lat, r)
                .into_iter()
                .map(|(i, d)| (i, Some(d)))
                .collect())
        }
        _ => Err(ApiError::invalid(
            format!("{prefix}area"),
            "give either `polygon` (a GeoJSON Polygon) or `center` and `radius_m`",
        )),
    }
}

/// Parses a GeoJSON Polygon geometry into a geo polygon, checking coordinates.
pub(crate) fn parse_polygon(v: &serde_json::Value) -> Result<geo::Polygon<f64>, String> {
    let g: geojson::Geometry =
        serde_json::from_value(v.clone()).map_err(|e| format!("not GeoJSON geometry: {e}"))?;
    let geojson::Value::Polygon(rings) = &g.value else {
        return Err("must be a GeoJSON Polygon".into());
    };
    let Some(shell) = rings.first() else {
        return Err("has no ring".into());
    };
    if shell.len() < 4 || shell.first() != shell.last() {
        return Err("the ring must be closed and have at least 4 positions".into());
    }
    for pos in rings.iter().flatten() {
        let ok = pos.len() >= 2
            && pos[0].is_finite()
            && pos[1].is_finite()
            && (-180.0..=180.0).contains(&pos[0])
            && (-90.0..=90.0).contains(&pos[1]);
        if !ok {
            return Err(format!("position {pos:?} is out of range"));
        }
    }
    geo::Polygon::<f64>::try_from(g.value).map_err(|e| e.to_string())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CameraInArea {
    pub camera: Camera,
    /// Distance from the circle's centre, for circles.
    pub distance_m: Option<f64>,
}

/// Active cameras positioned inside a polygon or a circle (circles nearest first).
#[utoipa::path(post, path = "/video/cameras/within", tag = "video", request_body = AreaInput,
    responses((status = 200, body = Vec<CameraInArea>), (status = 400, body = pingan_server::error::Problem)))]
pub async fn cameras_within(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    ApiJson(area): ApiJson<AreaInput>,
) -> ApiResult<Json<Vec<CameraInArea>>> {
    let index = crate::http::video(&state).index();
    let hits = cameras_in_area(&index, &area, "")?;
    Ok(Json(
        hits.into_iter()
            .map(|(i, d)| CameraInArea {
                camera: index.cameras()[i].clone(),
                distance_m: d.map(|m| (m * 10.0).round() / 10.0),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ViewsQuery {
    /// `min_lon,min_lat,max_lon,max_lat` on the camera's position.
    #[serde(default)]
    pub bbox: Option<String>,
}

/// The views of active cameras as a GeoJSON FeatureCollection of sector polygons (PTZ cameras
/// as circles of their range).
pub(crate) fn view_features(index: &VideoIndex, bbox: Option<[f64; 4]>) -> Vec<serde_json::Value> {
    let keys: Vec<usize> = match bbox {
        Some([a, b, c, d]) => index.views().in_bbox(a, b, c, d),
        None => index.views().cameras().iter().map(|c| c.key).collect(),
    };
    let mut keys = keys;
    keys.sort_unstable();
    keys.into_iter()
        .map(|i| {
            let c = &index.cameras()[i];
            let polygon = view_of(i, c).view_polygon();
            let geometry = geojson::Geometry::new(geojson::Value::from(&polygon));
            serde_json::json!({
                "type": "Feature", "id": c.id,
                "geometry": geometry,
                "properties": {
                    "camera_id": c.id, "name": c.name, "ptz": c.ptz, "heading_deg": c.heading_deg,
                    "fov_deg": c.fov_deg, "range_m": c.range_m, "platform_id": c.platform_id,
                },
            })
        })
        .collect()
}

/// Camera views as GeoJSON sectors.
#[utoipa::path(get, path = "/video/views", tag = "video", params(ViewsQuery),
    responses((status = 200, content_type = "application/geo+json", body = Object), (status = 400, body = pingan_server::error::Problem)))]
pub async fn views(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    ApiQuery(q): ApiQuery<ViewsQuery>,
) -> ApiResult<impl IntoResponse> {
    let bbox = q
        .bbox
        .as_deref()
        .map(|b| parse_bbox("bbox", b))
        .transpose()?;
    let features = view_features(&crate::http::video(&state).index(), bbox);
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        serde_json::json!({ "type": "FeatureCollection", "features": features }).to_string(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CoverageQuery {
    /// Report uncovered stretches of road at least this long (m, default 100).
    #[serde(default)]
    pub min_gap_m: Option<f64>,
    /// How many new camera sites to suggest (default 5, at most 50).
    #[serde(default)]
    pub k: Option<usize>,
    /// Range of a suggested camera (m, default 50).
    #[serde(default)]
    pub site_range_m: Option<f64>,
    /// Also measure the whole road network, not only key road sections (default false).
    #[serde(default)]
    pub roads: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stretch {
    pub feature_id: String,
    pub name: String,
    pub length_m: f64,
    /// The stretch as a GeoJSON LineString.
    #[schema(value_type = Object)]
    pub line: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageReport {
    /// Active cameras counted.
    pub cameras: usize,
    #[schema(value_type = Object)]
    pub district: CoverageFigures,
    /// Per town (the last entry, `town_id: null`, is everything outside every town).
    #[schema(value_type = Vec<Object>)]
    pub towns: Vec<TownCoverage>,
    pub uncovered: Vec<Stretch>,
    /// Greedy suggestions, each with the coverage it adds and why.
    #[schema(value_type = Vec<Object>)]
    pub suggestions: Vec<SiteSuggestion>,
    /// How the figures are computed.
    pub method: &'static str,
}

/// Coverage of key places and key road sections per town and for the district, uncovered road
/// stretches, and k suggested sites for new cameras.
#[utoipa::path(get, path = "/video/coverage", tag = "video", params(CoverageQuery),
    responses((status = 200, body = CoverageReport), (status = 400, body = pingan_server::error::Problem)))]
pub async fn coverage(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> ApiResult<Json<CoverageReport>> {
    let min_gap = q.min_gap_m.unwrap_or(100.0);
    if !min_gap.is_finite() || min_gap < 0.0 {
        return Err(ApiError::invalid("min_gap_m", "must be 0 or more"));
    }
    let k = q.k.unwrap_or(5);
    if k > 50 {
        return Err(ApiError::invalid("k", "at most 50"));
    }
    let site_range = q.site_range_m.unwrap_or(50.0);
    if !site_range.is_finite() || site_range <= 0.0 || site_range > 1000.0 {
        return Err(ApiError::invalid(
            "site_range_m",
            "must be greater than 0 and at most 1000",
        ));
    }
    let geography = state.geography();
    let index = crate::http::video(&state).index();
    let opts = CoverageOptions {
        include_road_network: q.roads.unwrap_or(false),
        ..CoverageOptions::default()
    };
    let report = tokio::task::spawn_blocking(move || {
        let cov = analyse(&geography, index.views(), &opts);
        let uncovered = cov
            .uncovered_stretches(min_gap)
            .into_iter()
            .map(|s| Stretch {
                feature_id: s.feature_id,
                name: s.name,
                length_m: (s.length_m * 10.0).round() / 10.0,
                line: serde_json::to_value(geojson::Geometry::new(geojson::Value::from(&s.line))).unwrap_or_default(),
            })
            .collect();
        let suggestions = cov.suggest_sites(
            k,
            &SiteModel {
                range_m: site_range,
                ..SiteModel::default()
            },
        );
        CoverageReport {
            cameras: index.views().len(),
            district: cov.district().clone(),
            towns: cov.towns().to_vec(),
            uncovered,
            suggestions,
            method: "sampled: road pieces of 10 m and a 10 m lattice in key places, each counted covered when inside an active camera's view; suggestions are greedy (PTZ circle of site_range_m at uncovered samples, most added share first)",
        }
    })
    .await
    .map_err(ApiError::internal)?;
    Ok(Json(report))
}

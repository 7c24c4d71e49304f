//! The geography: import (whole replacement, validated), layers as GeoJSON, and locate.
//!
//! The store keeps features as rows; at start and after every import the server builds the
//! in-memory [`Geography`] index from them, so that locating a point costs microseconds.

use crate::auth::UserCaller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{body_rejection, ApiQuery};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use pingan_core::access::Permission;
use pingan_core::audit::{NewAuditEntry, Outcome};
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::geography::{check_lon_lat, FeatureRow};
use pingan_core::ports::GeographyStore;
use pingan_core::{StoreError, ValidationError};
use pingan_spatial::geography::{
    parse_feature_collection, to_geojson, FeatureKind, GeoFeature, Geography, Location,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the GeoJSON has {} invalid feature(s); the first: {}", .0.len(), .0.first().map(|e| e.to_string()).unwrap_or_default())]
    Invalid(Vec<pingan_spatial::geography::FeatureError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Invalid(errs) => ApiError::Invalid(
                errs.into_iter()
                    .map(|e| ValidationError::new(format!("features[{}]", e.index), e.to_string()))
                    .collect(),
            ),
            ImportError::Store(s) => s.into(),
        }
    }
}

/// What an import did, by kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub features: usize,
    pub by_kind: std::collections::BTreeMap<String, usize>,
}

fn rows_of(features: &[GeoFeature]) -> Vec<FeatureRow> {
    let collection = to_geojson(features);
    features
        .iter()
        .zip(collection.features)
        .map(|(f, gj)| FeatureRow {
            id: f.id.clone(),
            kind: f.kind.as_str().to_owned(),
            name: f.name.clone(),
            name_en: f.name_en.clone(),
            parent: f.parent.clone(),
            road_class: f.road_class.map(|c| c.as_str().to_owned()),
            geometry: gj
                .geometry
                .map(|g| g.to_string())
                .unwrap_or_else(|| "null".into()),
            properties: gj
                .properties
                .map(|p| serde_json::Value::Object(p).to_string())
                .unwrap_or_else(|| "{}".into()),
        })
        .collect()
}

/// Validates GeoJSON text and replaces the stored geography with it (all or nothing), with
/// the ledger entry `entry` makes of the import's report, in the same transaction.
pub async fn import_geography(
    store: &impl GeographyStore,
    text: &str,
    entry: impl FnOnce(&ImportReport) -> NewAuditEntry,
) -> Result<(Geography, ImportReport), ImportError> {
    let features = parse_feature_collection(text).map_err(ImportError::Invalid)?;
    let mut by_kind = std::collections::BTreeMap::new();
    for f in &features {
        *by_kind.entry(f.kind.as_str().to_owned()).or_insert(0) += 1;
    }
    let report = ImportReport {
        features: features.len(),
        by_kind,
    };
    store
        .replace_geography(&rows_of(&features), vec![entry(&report)])
        .await?;
    Ok((Geography::build(features), report))
}

/// Builds the in-memory geography from the store (at start).
pub async fn load_geography(store: &impl GeographyStore) -> Result<Geography, ImportError> {
    let rows = store.load_geography().await?;
    if rows.is_empty() {
        return Ok(Geography::build(Vec::new()));
    }
    let mut text = String::from(r#"{"type":"FeatureCollection","features":["#);
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(r#"{"type":"Feature","geometry":"#);
        text.push_str(&row.geometry);
        text.push_str(r#","properties":"#);
        text.push_str(&row.properties);
        text.push('}');
    }
    text.push_str("]}");
    let features = parse_feature_collection(&text).map_err(ImportError::Invalid)?;
    Ok(Geography::build(features))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_geography))
        .routes(routes!(layer))
        .routes(routes!(locate))
        .layer(DefaultBodyLimit::max(crate::GEOGRAPHY_LIMIT_BYTES))
}

/// Replaces the whole geography with a GeoJSON FeatureCollection (validated first; nothing
/// changes when any feature is invalid, and every invalid feature is named).
#[utoipa::path(put, path = "/geography", tag = "geography",
    request_body(content = Object, content_type = "application/geo+json"),
    responses((status = 200, body = ImportReport), (status = 400, body = crate::error::Problem)))]
pub async fn put_geography(
    State(state): State<AppState>,
    caller: UserCaller,
    req: Request,
) -> ApiResult<Json<ImportReport>> {
    caller.require(&state, Permission::ImportGeography).await?;
    let bytes = Bytes::from_request(req, &state)
        .await
        .map_err(|r| body_rejection(r, crate::GEOGRAPHY_LIMIT_BYTES))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::MalformedJson {
        detail: "the body is not UTF-8".into(),
    })?;
    let (geography, report) = import_geography(&state.store, text, |report| {
        caller.entry(
            &state,
            "geography.import",
            "geography",
            None,
            Outcome::Success,
            serde_json::to_value(report).unwrap_or_default(),
        )
    })
    .await?;
    state.count_audit(1);
    state.set_geography(geography);
    state
        .publish(StreamEvent::new(
            Topic::System,
            "geography.replaced",
            state.now(),
            serde_json::to_value(&report).unwrap_or_default(),
        ))
        .await;
    Ok(Json(report))
}

/// One layer (district, town, subdistrict, grid, key_place, key_road, road) as GeoJSON.
#[utoipa::path(get, path = "/geography/layers/{kind}", tag = "geography",
    params(("kind" = String, Path, description = "district, town, subdistrict, grid, key_place, key_road or road")),
    responses((status = 200, content_type = "application/geo+json", body = Object), (status = 400, body = crate::error::Problem)))]
pub async fn layer(
    State(state): State<AppState>,
    caller: UserCaller,
    Path(kind): Path<String>,
) -> ApiResult<impl IntoResponse> {
    caller.require(&state, Permission::ViewMap).await?;
    let kind = FeatureKind::parse(&kind).ok_or_else(|| {
        ApiError::invalid(
            "kind",
            format!("{kind:?} is not a layer; use district, town, subdistrict, grid, key_place, key_road or road"),
        )
    })?;
    let geography = state.geography();
    let features: Vec<GeoFeature> = geography.features(kind).cloned().collect();
    let body = to_geojson(&features).to_string();
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LocateQuery {
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocateResponse {
    pub inside_district: bool,
    pub town: Option<Named>,
    pub grid: Option<Named>,
    pub nearest_road: Option<NearestRoad>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearestRoad {
    pub id: String,
    pub name: String,
    pub distance_m: f64,
}

impl LocateResponse {
    pub fn from_location(inside: bool, loc: Location) -> Self {
        Self {
            inside_district: inside,
            town: loc.town.map(|(id, name)| Named { id, name }),
            grid: loc.grid.map(|(id, name)| Named { id, name }),
            nearest_road: loc.nearest_road.map(|r| NearestRoad {
                id: r.id,
                name: r.name,
                distance_m: (r.distance_m * 10.0).round() / 10.0,
            }),
        }
    }
}

/// The town, grid and nearest road section of a point.
#[utoipa::path(get, path = "/geography/locate", tag = "geography", params(LocateQuery),
    responses((status = 200, body = LocateResponse), (status = 400, body = crate::error::Problem)))]
pub async fn locate(
    State(state): State<AppState>,
    caller: UserCaller,
    ApiQuery(q): ApiQuery<LocateQuery>,
) -> ApiResult<Json<LocateResponse>> {
    caller.require(&state, Permission::ViewMap).await?;
    check_lon_lat("", q.lon, q.lat)
        .map_err(|e| ApiError::invalid(e.field.trim_start_matches('.'), e.message))?;
    let g = state.geography();
    Ok(Json(LocateResponse::from_location(
        g.contains_point(q.lon, q.lat),
        g.locate(q.lon, q.lat),
    )))
}

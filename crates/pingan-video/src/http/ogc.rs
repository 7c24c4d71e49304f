//! OGC API – Features, Part 1 (core, GeoJSON) over the video registry and the geography, so
//! that QGIS and GDAL (`OAPIF` driver) read pingan's layers directly.
//!
//! Collections: `cameras`, `camera_views`, `checkpoints`, `platforms` (no geometry), `towns`,
//! `grids`, `key_places`, `key_roads`. Items accept `bbox` (WGS 84 lon/lat), `limit` (1–1000,
//! default 100) and `offset`, and carry `next` links. Links are absolute, built from the
//! request's `Host` (and `X-Forwarded-Proto`, `X-Forwarded-Prefix` behind a proxy).
//!
//! Every request needs a signed-in person with `view_map` (a bearer token works in GDAL with
//! `GDAL_HTTP_HEADERS="Authorization: Bearer pgu_…"`).
//!
//! # What it does not do
//! No CRS other than CRS84, no `datetime` filter, no Part 3 filtering, no HTML.

use crate::http::spatial::view_features;
use crate::http::transfer::{camera_input_of, point_feature};
use crate::http::{parse_bbox, PlatformOut, VideoIndex};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use pingan_server::auth::{perm, Authorized};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::AppState;
use pingan_spatial::geography::{to_geojson, FeatureKind, Geography};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(landing))
        .routes(routes!(conformance))
        .routes(routes!(collections))
        .routes(routes!(collection))
        .routes(routes!(items))
        .routes(routes!(item))
}

/// (id, title, description)
const COLLECTIONS: [(&str, &str, &str); 8] = [
    (
        "cameras",
        "Cameras",
        "Registered cameras (points) with their view parameters",
    ),
    (
        "camera_views",
        "Camera views",
        "Active cameras' fields of view as sector polygons",
    ),
    ("checkpoints", "Checkpoints", "Road checkpoints (points)"),
    (
        "platforms",
        "Video platforms",
        "Video platforms (no geometry; credentials never included)",
    ),
    ("towns", "Towns", "Towns and subdistricts"),
    ("grids", "Grids", "Grid-management cells"),
    ("key_places", "Key places", "Key places (polygons)"),
    (
        "key_roads",
        "Key road sections",
        "Key road sections (lines)",
    ),
];

fn base(headers: &HeaderMap) -> String {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let host = h("x-forwarded-host")
        .or(h(header::HOST.as_str()))
        .unwrap_or("localhost");
    let proto = h("x-forwarded-proto").unwrap_or("http");
    let prefix = h("x-forwarded-prefix").unwrap_or("").trim_end_matches('/');
    format!("{proto}://{host}{prefix}/api/v1/ogc")
}

fn json_response(content_type: &'static str, body: Value) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body.to_string()).into_response()
}

/// The landing page.
#[utoipa::path(get, path = "/ogc", tag = "ogc", responses((status = 200, body = Object)))]
pub async fn landing(_caller: Authorized<perm::ViewMap>, headers: HeaderMap) -> Response {
    let b = base(&headers);
    json_response(
        "application/json",
        json!({
            "title": "pingan OGC API – Features",
            "description": "Video registry and district geography",
            "links": [
                { "href": b, "rel": "self", "type": "application/json", "title": "This document" },
                { "href": b.replace("/ogc", "/openapi.json"), "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "The API definition" },
                { "href": format!("{b}/conformance"), "rel": "conformance", "type": "application/json", "title": "Conformance classes" },
                { "href": format!("{b}/collections"), "rel": "data", "type": "application/json", "title": "Collections" },
            ]
        }),
    )
}

/// The conformance classes implemented.
#[utoipa::path(get, path = "/ogc/conformance", tag = "ogc", responses((status = 200, body = Object)))]
pub async fn conformance(_caller: Authorized<perm::ViewMap>) -> Response {
    json_response(
        "application/json",
        json!({ "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        ]}),
    )
}

fn collection_doc(
    b: &str,
    id: &str,
    title: &str,
    description: &str,
    extent: Option<[f64; 4]>,
) -> Value {
    let mut c = json!({
        "id": id, "title": title, "description": description, "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "links": [
            { "href": format!("{b}/collections/{id}"), "rel": "self", "type": "application/json" },
            { "href": format!("{b}/collections/{id}/items"), "rel": "items", "type": "application/geo+json", "title": title },
        ]
    });
    if let Some(bbox) = extent {
        c["extent"] = json!({ "spatial": { "bbox": [bbox], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84" } });
    }
    c
}

/// Every collection.
#[utoipa::path(get, path = "/ogc/collections", tag = "ogc", responses((status = 200, body = Object)))]
pub async fn collections(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    headers: HeaderMap,
) -> Response {
    let b = base(&headers);
    let extent = state.geography().bbox();
    let list: Vec<Value> = COLLECTIONS
        .iter()
        .map(|(id, t, d)| collection_doc(&b, id, t, d, extent))
        .collect();
    json_response(
        "application/json",
        json!({
            "links": [{ "href": format!("{b}/collections"), "rel": "self", "type": "application/json" }],
            "collections": list,
        }),
    )
}

fn known(id: &str) -> ApiResult<&'static (&'static str, &'static str, &'static str)> {
    COLLECTIONS
        .iter()
        .find(|(c, _, _)| *c == id)
        .ok_or(ApiError::NotFound {
            what: "collection",
            id: id.to_owned(),
        })
}

/// One collection.
#[utoipa::path(get, path = "/ogc/collections/{collection}", tag = "ogc", params(("collection" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = pingan_server::error::Problem)))]
pub async fn collection(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (cid, t, d) = known(&id)?;
    Ok(json_response(
        "application/json",
        collection_doc(&base(&headers), cid, t, d, state.geography().bbox()),
    ))
}

/// Every feature of a collection, in a stable order.
fn all_features(collection: &str, index: &VideoIndex, geography: &Geography) -> Vec<Value> {
    let geo_layer = |kinds: &[FeatureKind]| -> Vec<Value> {
        let features: Vec<_> = geography
            .all_features()
            .iter()
            .filter(|f| kinds.contains(&f.kind))
            .cloned()
            .collect();
        to_geojson(&features)
            .features
            .into_iter()
            .map(|f| serde_json::to_value(f).unwrap_or(Value::Null))
            .collect()
    };
    match collection {
        "cameras" => index
            .cameras()
            .iter()
            .map(|c| point_feature(c.id.as_str(), c.lon, c.lat, camera_input_of(c)))
            .collect(),
        "camera_views" => view_features(index, None),
        "checkpoints" => index
            .checkpoints()
            .iter()
            .map(|c| point_feature(c.id.as_str(), c.lon, c.lat, c))
            .collect(),
        "platforms" => index
            .platforms()
            .iter()
            .map(|p| json!({ "type": "Feature", "id": p.id, "geometry": null, "properties": PlatformOut::from(p) }))
            .collect(),
        "towns" => geo_layer(&[FeatureKind::Town, FeatureKind::Subdistrict]),
        "grids" => geo_layer(&[FeatureKind::Grid]),
        "key_places" => geo_layer(&[FeatureKind::KeyPlace]),
        "key_roads" => geo_layer(&[FeatureKind::KeyRoad]),
        _ => Vec::new(),
    }
}

/// The bounding box of a GeoJSON geometry value, if it has coordinates.
fn geometry_bbox(g: &Value) -> Option<[f64; 4]> {
    fn walk(v: &Value, b: &mut [f64; 4], any: &mut bool) {
        if let Some(a) = v.as_array() {
            if a.len() >= 2 && a[0].is_number() && a[1].is_number() {
                let (x, y) = (a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0));
                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
                *any = true;
            } else {
                a.iter().for_each(|x| walk(x, b, any));
            }
        }
    }
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut any = false;
    walk(g.get("coordinates")?, &mut b, &mut any);
    any.then_some(b)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ItemsQuery {
    /// `min_lon,min_lat,max_lon,max_lat` (CRS84).
    pub bbox: Option<String>,
    /// 1–1000, default 100.
    pub limit: Option<String>,
    /// Items to skip (paging; follow the `next` link).
    pub offset: Option<String>,
}

fn number(field: &str, v: Option<&str>, default: usize, max: usize) -> ApiResult<usize> {
    match v {
        None => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| {
                ApiError::invalid(field, format!("must be a whole number at most {max}"))
            }),
    }
}

/// The features of a collection, filtered by `bbox`, paged by `limit`/`offset`.
#[utoipa::path(get, path = "/ogc/collections/{collection}/items", tag = "ogc",
    params(("collection" = String, Path), ItemsQuery),
    responses((status = 200, content_type = "application/geo+json", body = Object), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem)))]
pub async fn items(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let (cid, _, _) = known(&id)?;
    let bbox = q.get("bbox").map(|b| parse_bbox("bbox", b)).transpose()?;
    let limit = number("limit", q.get("limit").map(String::as_str), 100, 1000)?.max(1);
    let offset = number("offset", q.get("offset").map(String::as_str), 0, usize::MAX)?;
    let index = crate::http::video(&state).index();
    let geography = state.geography();
    let features: Vec<Value> = all_features(cid, &index, &geography)
        .into_iter()
        .filter(|f| match bbox {
            None => true,
            Some([a, b, c, d]) => f
                .get("geometry")
                .and_then(geometry_bbox)
                .is_some_and(|g| g[0] <= c && g[2] >= a && g[1] <= d && g[3] >= b),
        })
        .collect();
    let matched = features.len();
    let page: Vec<Value> = features.into_iter().skip(offset).take(limit).collect();
    let b = base(&headers);
    let bbox_param = q
        .get("bbox")
        .map(|b| format!("&bbox={b}"))
        .unwrap_or_default();
    let mut links = vec![json!({
        "href": format!("{b}/collections/{cid}/items?limit={limit}&offset={offset}{bbox_param}"),
        "rel": "self", "type": "application/geo+json",
    })];
    if offset + page.len() < matched {
        links.push(json!({
            "href": format!("{b}/collections/{cid}/items?limit={limit}&offset={}{bbox_param}", offset + page.len()),
            "rel": "next", "type": "application/geo+json",
        }));
    }
    Ok(json_response(
        "application/geo+json",
        json!({
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": page.len(),
            "timeStamp": state.now().to_rfc3339(),
            "links": links,
            "features": page,
        }),
    ))
}

/// One feature.
#[utoipa::path(get, path = "/ogc/collections/{collection}/items/{feature}", tag = "ogc",
    params(("collection" = String, Path), ("feature" = String, Path)),
    responses((status = 200, content_type = "application/geo+json", body = Object), (status = 404, body = pingan_server::error::Problem)))]
pub async fn item(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    headers: HeaderMap,
    Path((id, feature)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (cid, _, _) = known(&id)?;
    let index = crate::http::video(&state).index();
    let geography = state.geography();
    let mut f = all_features(cid, &index, &geography)
        .into_iter()
        .find(|f| {
            let id = f.get("id").or_else(|| f.pointer("/properties/id"));
            id.and_then(Value::as_str) == Some(feature.as_str())
        })
        .ok_or(ApiError::NotFound {
            what: "feature",
            id: feature.clone(),
        })?;
    let b = base(&headers);
    f["links"] = json!([
        { "href": format!("{b}/collections/{cid}/items/{feature}"), "rel": "self", "type": "application/geo+json" },
        { "href": format!("{b}/collections/{cid}"), "rel": "collection", "type": "application/json" },
    ]);
    Ok(json_response("application/geo+json", f))
}

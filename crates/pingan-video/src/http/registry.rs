//! The registry over HTTP: platforms, cameras and checkpoints. Writes need `manage_sensors`,
//! reads `view_map`; the use cases (checks, the write with its ledger entry, the index rebuild
//! and the stream event) are in [`crate::service::registry`].

use super::{CameraInput, CheckpointInput, PlatformInput, PlatformOut};
use crate::domain::registry::{
    Camera, CameraFilter, CameraStatus, Checkpoint, PlatformId, WriteMode,
};
use crate::service::registry as uc;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pingan_server::auth::{perm, Authorized};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::{ApiJson, ApiQuery};
use pingan_server::AppState;
use serde::Deserialize;
use utoipa::IntoParams;

/// A PUT's body must name the record of its path.
fn same_id(body: &str, path: &str) -> ApiResult<()> {
    if body == path {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "id",
            format!("the body's id {body:?} differs from the path's {path:?}"),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Platforms.

/// Every video platform (credentials are never returned).
#[utoipa::path(get, path = "/video/platforms", tag = "video",
    responses((status = 200, body = Vec<PlatformOut>)))]
pub async fn list_platforms(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
) -> ApiResult<Json<Vec<PlatformOut>>> {
    let index = crate::http::video(&state).index();
    Ok(Json(
        index.platforms.iter().map(PlatformOut::from).collect(),
    ))
}

/// Registers a video platform.
#[utoipa::path(post, path = "/video/platforms", tag = "video", request_body = PlatformInput,
    responses((status = 201, body = PlatformOut), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn create_platform(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    ApiJson(body): ApiJson<PlatformInput>,
) -> ApiResult<(StatusCode, Json<PlatformOut>)> {
    let p = body.into_platform();
    uc::write_platform(&state, &caller, &p, WriteMode::Insert).await?;
    Ok((StatusCode::CREATED, Json(PlatformOut::from(&p))))
}

/// One platform.
#[utoipa::path(get, path = "/video/platforms/{id}", tag = "video", params(("id" = String, Path)),
    responses((status = 200, body = PlatformOut), (status = 404, body = pingan_server::error::Problem)))]
pub async fn get_platform(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    Path(id): Path<String>,
) -> ApiResult<Json<PlatformOut>> {
    let index = crate::http::video(&state).index();
    index
        .platform(&id)
        .map(|p| Json(PlatformOut::from(p)))
        .ok_or(ApiError::NotFound {
            what: "platform",
            id,
        })
}

/// Creates or replaces a platform (the body's id must match the path).
#[utoipa::path(put, path = "/video/platforms/{id}", tag = "video", params(("id" = String, Path)), request_body = PlatformInput,
    responses((status = 200, body = PlatformOut), (status = 400, body = pingan_server::error::Problem)))]
pub async fn put_platform(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PlatformInput>,
) -> ApiResult<Json<PlatformOut>> {
    same_id(&body.id, &id)?;
    let p = body.into_platform();
    uc::write_platform(&state, &caller, &p, WriteMode::Upsert).await?;
    Ok(Json(PlatformOut::from(&p)))
}

/// Deletes a platform; its cameras stay registered without a platform.
#[utoipa::path(delete, path = "/video/platforms/{id}", tag = "video", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = pingan_server::error::Problem)))]
pub async fn delete_platform(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    uc::delete_platform(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Cameras.

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CameraQuery {
    /// `min_lon,min_lat,max_lon,max_lat`.
    #[serde(default)]
    pub bbox: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub status: Option<CameraStatus>,
}

/// Parses `min_lon,min_lat,max_lon,max_lat`.
pub(crate) fn parse_bbox(field: &str, text: &str) -> ApiResult<[f64; 4]> {
    let parts: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            ApiError::invalid(
                field,
                "must be four numbers: min_lon,min_lat,max_lon,max_lat",
            )
        })?;
    let [a, b, c, d] = parts[..] else {
        return Err(ApiError::invalid(
            field,
            "must be four numbers: min_lon,min_lat,max_lon,max_lat",
        ));
    };
    let ok = [a, b, c, d].iter().all(|v| v.is_finite())
        && (-180.0..=180.0).contains(&a)
        && (-180.0..=180.0).contains(&c)
        && (-90.0..=90.0).contains(&b)
        && (-90.0..=90.0).contains(&d)
        && a <= c
        && b <= d;
    if !ok {
        return Err(ApiError::invalid(
            field,
            "needs min ≤ max, longitudes within −180…180 and latitudes within −90…90",
        ));
    }
    Ok([a, b, c, d])
}

/// Cameras, filtered by bbox (position), platform and status.
#[utoipa::path(get, path = "/video/cameras", tag = "video", params(CameraQuery),
    responses((status = 200, body = Vec<Camera>), (status = 400, body = pingan_server::error::Problem)))]
pub async fn list_cameras(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    ApiQuery(q): ApiQuery<CameraQuery>,
) -> ApiResult<Json<Vec<Camera>>> {
    let filter = CameraFilter {
        bbox: q
            .bbox
            .as_deref()
            .map(|b| parse_bbox("bbox", b))
            .transpose()?,
        platform: q.platform.map(PlatformId),
        status: q.status,
        ids: None,
    };
    Ok(Json(uc::cameras(&state, &filter).await?))
}

/// Registers a camera.
#[utoipa::path(post, path = "/video/cameras", tag = "video", request_body = CameraInput,
    responses((status = 201, body = Camera), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn create_camera(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    ApiJson(body): ApiJson<CameraInput>,
) -> ApiResult<(StatusCode, Json<Camera>)> {
    let c = body.into_camera();
    uc::write_camera(&state, &caller, &c, WriteMode::Insert).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// One camera.
#[utoipa::path(get, path = "/video/cameras/{id}", tag = "video", params(("id" = String, Path)),
    responses((status = 200, body = Camera), (status = 404, body = pingan_server::error::Problem)))]
pub async fn get_camera(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    Path(id): Path<String>,
) -> ApiResult<Json<Camera>> {
    crate::http::video(&state)
        .index()
        .camera(&id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound { what: "camera", id })
}

/// Creates or replaces a camera (the body's id must match the path).
#[utoipa::path(put, path = "/video/cameras/{id}", tag = "video", params(("id" = String, Path)), request_body = CameraInput,
    responses((status = 200, body = Camera), (status = 400, body = pingan_server::error::Problem)))]
pub async fn put_camera(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CameraInput>,
) -> ApiResult<Json<Camera>> {
    same_id(&body.id, &id)?;
    let c = body.into_camera();
    uc::write_camera(&state, &caller, &c, WriteMode::Upsert).await?;
    Ok(Json(c))
}

/// Deletes a camera.
#[utoipa::path(delete, path = "/video/cameras/{id}", tag = "video", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = pingan_server::error::Problem)))]
pub async fn delete_camera(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    uc::delete_camera(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Checkpoints.

/// Every checkpoint.
#[utoipa::path(get, path = "/video/checkpoints", tag = "video", responses((status = 200, body = Vec<Checkpoint>)))]
pub async fn list_checkpoints(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
) -> ApiResult<Json<Vec<Checkpoint>>> {
    Ok(Json(crate::http::video(&state).index().checkpoints.clone()))
}

/// Registers a checkpoint.
#[utoipa::path(post, path = "/video/checkpoints", tag = "video", request_body = CheckpointInput,
    responses((status = 201, body = Checkpoint), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn create_checkpoint(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    ApiJson(body): ApiJson<CheckpointInput>,
) -> ApiResult<(StatusCode, Json<Checkpoint>)> {
    let c = body.into_checkpoint();
    uc::write_checkpoint(&state, &caller, &c, WriteMode::Insert).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// One checkpoint.
#[utoipa::path(get, path = "/video/checkpoints/{id}", tag = "video", params(("id" = String, Path)),
    responses((status = 200, body = Checkpoint), (status = 404, body = pingan_server::error::Problem)))]
pub async fn get_checkpoint(
    State(state): State<AppState>,
    _caller: Authorized<perm::ViewMap>,
    Path(id): Path<String>,
) -> ApiResult<Json<Checkpoint>> {
    crate::http::video(&state)
        .index()
        .checkpoints
        .iter()
        .find(|c| c.id.as_str() == id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound {
            what: "checkpoint",
            id,
        })
}

/// Creates or replaces a checkpoint (the body's id must match the path).
#[utoipa::path(put, path = "/video/checkpoints/{id}", tag = "video", params(("id" = String, Path)), request_body = CheckpointInput,
    responses((status = 200, body = Checkpoint), (status = 400, body = pingan_server::error::Problem)))]
pub async fn put_checkpoint(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CheckpointInput>,
) -> ApiResult<Json<Checkpoint>> {
    same_id(&body.id, &id)?;
    let c = body.into_checkpoint();
    uc::write_checkpoint(&state, &caller, &c, WriteMode::Upsert).await?;
    Ok(Json(c))
}

/// Deletes a checkpoint.
#[utoipa::path(delete, path = "/video/checkpoints/{id}", tag = "video", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = pingan_server::error::Problem)))]
pub async fn delete_checkpoint(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    uc::delete_checkpoint(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

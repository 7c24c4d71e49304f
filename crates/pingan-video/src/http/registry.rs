//! The registry's CRUD handlers: platforms, cameras and checkpoints. Writes need
//! `manage_sensors`, reads `view_map`; every write is validated with field-named errors, stored,
//! followed by a rebuild of the camera index, an audit entry and a `devices` stream event.

use super::{
    camera_problems, reload_video, CameraInput, CheckpointInput, PlatformInput, PlatformOut,
};
use crate::domain::names::{Action, Event, Record, Verb};
use crate::domain::registry::{
    Camera, CameraFilter, CameraId, CameraStatus, Checkpoint, CheckpointId, Platform, PlatformId,
    SensorStore, WriteMode,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pingan_core::audit::{NewAuditEntry, Outcome};
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::ValidationError;
use pingan_server::auth::{perm, Authorized};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::{ApiJson, ApiQuery};
use pingan_server::AppState;
use serde::Deserialize;
use utoipa::IntoParams;

fn invalid(errors: Vec<ValidationError>) -> ApiResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid(errors))
    }
}

async fn announce(state: &AppState, kind: &str, data: serde_json::Value) {
    state
        .publish(StreamEvent::new(Topic::Devices, kind, state.now(), data))
        .await;
}

/// A registry change's ledger entry, committed in the change's own transaction.
fn change_entry(
    state: &AppState,
    caller: &Authorized<perm::ManageSensors>,
    record: Record,
    id: &str,
    verb: Verb,
    detail: serde_json::Value,
) -> NewAuditEntry {
    caller.entry(
        state,
        &Action::Registry(record, verb).name(),
        record.as_str(),
        Some(id),
        Outcome::Success,
        detail,
    )
}

/// What every registry change does after its commit: rebuild the camera index and announce
/// `registry.{record}.changed|deleted`.
async fn registry_changed(state: &AppState, record: Record, id: &str, verb: Verb) -> ApiResult<()> {
    state.count_audit(1);
    reload_video(state).await?;
    announce(
        state,
        &Event::Registry(record, verb).name(),
        serde_json::json!({ "id": id }),
    )
    .await;
    Ok(())
}

fn write_verb(mode: WriteMode) -> Verb {
    if mode == WriteMode::Insert {
        Verb::Create
    } else {
        Verb::Update
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

async fn write_platform(
    state: &AppState,
    caller: &Authorized<perm::ManageSensors>,
    p: Platform,
    mode: WriteMode,
) -> ApiResult<PlatformOut> {
    invalid(p.problems())?;
    let entry = change_entry(
        state,
        caller,
        Record::Platform,
        p.id.as_str(),
        write_verb(mode),
        // The credential reference's name is not a secret, but it is left out of the ledger
        // too: the ledger is read by auditors who need not know it.
        serde_json::json!({
            "name": p.name,
            "protocol": p.protocol,
            "address": p.address,
            "has_credentials": p.credential_ref.is_some(),
        }),
    );
    state
        .store
        .put_platforms(std::slice::from_ref(&p), mode, vec![entry])
        .await?;
    registry_changed(state, Record::Platform, p.id.as_str(), write_verb(mode)).await?;
    Ok(PlatformOut::from(&p))
}

/// Registers a video platform.
#[utoipa::path(post, path = "/video/platforms", tag = "video", request_body = PlatformInput,
    responses((status = 201, body = PlatformOut), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn create_platform(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    ApiJson(body): ApiJson<PlatformInput>,
) -> ApiResult<(StatusCode, Json<PlatformOut>)> {
    let out = write_platform(&state, &caller, body.into_platform(), WriteMode::Insert).await?;
    Ok((StatusCode::CREATED, Json(out)))
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
    if body.id != id {
        return Err(ApiError::invalid(
            "id",
            format!("the body's id {:?} differs from the path's {id:?}", body.id),
        ));
    }
    Ok(Json(
        write_platform(&state, &caller, body.into_platform(), WriteMode::Upsert).await?,
    ))
}

/// Deletes a platform; its cameras stay registered without a platform.
#[utoipa::path(delete, path = "/video/platforms/{id}", tag = "video", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = pingan_server::error::Problem)))]
pub async fn delete_platform(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let entry = change_entry(
        &state,
        &caller,
        Record::Platform,
        &id,
        Verb::Delete,
        serde_json::Value::Null,
    );
    state
        .store
        .delete_platform(&PlatformId(id.clone()), vec![entry])
        .await?;
    registry_changed(&state, Record::Platform, &id, Verb::Delete).await?;
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
    Ok(Json(state.store.cameras(&filter).await?))
}

async fn write_camera(
    state: &AppState,
    caller: &Authorized<perm::ManageSensors>,
    c: Camera,
    mode: WriteMode,
) -> ApiResult<Camera> {
    invalid(camera_problems(&c, &crate::http::video(state).index()))?;
    let entry = change_entry(
        state,
        caller,
        Record::Camera,
        c.id.as_str(),
        write_verb(mode),
        serde_json::to_value(&c).unwrap_or_default(),
    );
    state
        .store
        .put_cameras(std::slice::from_ref(&c), mode, vec![entry])
        .await?;
    registry_changed(state, Record::Camera, c.id.as_str(), write_verb(mode)).await?;
    Ok(c)
}

/// Registers a camera.
#[utoipa::path(post, path = "/video/cameras", tag = "video", request_body = CameraInput,
    responses((status = 201, body = Camera), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn create_camera(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    ApiJson(body): ApiJson<CameraInput>,
) -> ApiResult<(StatusCode, Json<Camera>)> {
    let c = write_camera(&state, &caller, body.into_camera(), WriteMode::Insert).await?;
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
    if body.id != id {
        return Err(ApiError::invalid(
            "id",
            format!("the body's id {:?} differs from the path's {id:?}", body.id),
        ));
    }
    Ok(Json(
        write_camera(&state, &caller, body.into_camera(), WriteMode::Upsert).await?,
    ))
}

/// Deletes a camera.
#[utoipa::path(delete, path = "/video/cameras/{id}", tag = "video", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = pingan_server::error::Problem)))]
pub async fn delete_camera(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let entry = change_entry(
        &state,
        &caller,
        Record::Camera,
        &id,
        Verb::Delete,
        serde_json::Value::Null,
    );
    state
        .store
        .delete_camera(&CameraId(id.clone()), vec![entry])
        .await?;
    registry_changed(&state, Record::Camera, &id, Verb::Delete).await?;
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

async fn write_checkpoint(
    state: &AppState,
    caller: &Authorized<perm::ManageSensors>,
    c: Checkpoint,
    mode: WriteMode,
) -> ApiResult<Checkpoint> {
    invalid(c.problems())?;
    let entry = change_entry(
        state,
        caller,
        Record::Checkpoint,
        c.id.as_str(),
        write_verb(mode),
        serde_json::to_value(&c).unwrap_or_default(),
    );
    state
        .store
        .put_checkpoints(std::slice::from_ref(&c), mode, vec![entry])
        .await?;
    registry_changed(state, Record::Checkpoint, c.id.as_str(), write_verb(mode)).await?;
    Ok(c)
}

/// Registers a checkpoint.
#[utoipa::path(post, path = "/video/checkpoints", tag = "video", request_body = CheckpointInput,
    responses((status = 201, body = Checkpoint), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn create_checkpoint(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    ApiJson(body): ApiJson<CheckpointInput>,
) -> ApiResult<(StatusCode, Json<Checkpoint>)> {
    let c = write_checkpoint(&state, &caller, body.into_checkpoint(), WriteMode::Insert).await?;
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
    if body.id != id {
        return Err(ApiError::invalid(
            "id",
            format!("the body's id {:?} differs from the path's {id:?}", body.id),
        ));
    }
    Ok(Json(
        write_checkpoint(&state, &caller, body.into_checkpoint(), WriteMode::Upsert).await?,
    ))
}

/// Deletes a checkpoint.
#[utoipa::path(delete, path = "/video/checkpoints/{id}", tag = "video", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = pingan_server::error::Problem)))]
pub async fn delete_checkpoint(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageSensors>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let entry = change_entry(
        &state,
        &caller,
        Record::Checkpoint,
        &id,
        Verb::Delete,
        serde_json::Value::Null,
    );
    state
        .store
        .delete_checkpoint(&CheckpointId(id.clone()), vec![entry])
        .await?;
    registry_changed(&state, Record::Checkpoint, &id, Verb::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}

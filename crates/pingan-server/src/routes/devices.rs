//! Field devices and their keys (admin only). A key is shown once, when issued.

use crate::auth::{new_secret, perm, Authorized, UserCaller, DEVICE_KEY_PREFIX};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pingan_core::access::Permission;
use pingan_core::account::{secret_hash, Device, DeviceKind};
use pingan_core::audit::Outcome;
use pingan_core::ids::{check_id, DeviceId};
use pingan_core::ports::{DeviceStore, NewDevice};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDevice {
    /// The device's own id (a checkpoint's code, a GPS unit's call sign…).
    pub id: String,
    #[schema(value_type = crate::schema::DeviceKind)]
    pub kind: DeviceKind,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedKey {
    #[schema(value_type = crate::schema::Device)]
    pub device: Device,
    /// The API key, shown only now: store it in the device.
    pub api_key: String,
}

/// All registered devices.
#[utoipa::path(get, path = "/devices", tag = "devices", responses((status = 200, body = Vec<crate::schema::Device>)))]
pub async fn list_devices(
    State(state): State<AppState>,
    caller: UserCaller,
) -> ApiResult<Json<Vec<Device>>> {
    caller.require(&state, Permission::ManageDevices).await?;
    Ok(Json(state.store.list_devices().await?))
}

/// Registers a device and issues its API key.
#[utoipa::path(post, path = "/devices", tag = "devices", request_body = CreateDevice,
    responses((status = 201, body = IssuedKey), (status = 400, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn create_device(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageDevices>,
    ApiJson(req): ApiJson<CreateDevice>,
) -> ApiResult<(StatusCode, Json<IssuedKey>)> {
    check_id("id", &req.id)?;
    if req.name.trim().is_empty() || req.name.chars().count() > 128 {
        return Err(crate::error::ApiError::invalid(
            "name",
            "must be 1–128 characters",
        ));
    }
    let key = new_secret(DEVICE_KEY_PREFIX);
    let entry = caller.entry(
        &state,
        "device.create",
        "device",
        Some(&req.id),
        Outcome::Success,
        serde_json::json!({ "kind": req.kind }),
    );
    let device = state
        .store
        .create_device(
            &NewDevice {
                id: DeviceId(req.id),
                kind: req.kind,
                name: req.name.trim().to_owned(),
                key_hash: secret_hash(&key),
                created_at: state.now(),
            },
            vec![entry],
        )
        .await?;
    state.count_audit(1);
    Ok((
        StatusCode::CREATED,
        Json(IssuedKey {
            device,
            api_key: key,
        }),
    ))
}

async fn set_disabled(
    state: AppState,
    caller: UserCaller,
    id: String,
    disabled: bool,
) -> ApiResult<Json<Device>> {
    caller.require(&state, Permission::ManageDevices).await?;
    let entry = caller.entry(
        &state,
        if disabled {
            "device.disable"
        } else {
            "device.enable"
        },
        "device",
        Some(&id),
        Outcome::Success,
        serde_json::Value::Null,
    );
    let device = state
        .store
        .set_device_disabled(&DeviceId(id), disabled, vec![entry])
        .await?;
    state.count_audit(1);
    Ok(Json(device))
}

/// Disables a device: its key stops working at once.
#[utoipa::path(post, path = "/devices/{id}/disable", tag = "devices", params(("id" = String, Path)),
    responses((status = 200, body = crate::schema::Device), (status = 404, body = crate::error::Problem)))]
pub async fn disable_device(
    State(state): State<AppState>,
    caller: UserCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Device>> {
    set_disabled(state, caller, id, true).await
}

/// Enables a device again.
#[utoipa::path(post, path = "/devices/{id}/enable", tag = "devices", params(("id" = String, Path)),
    responses((status = 200, body = crate::schema::Device), (status = 404, body = crate::error::Problem)))]
pub async fn enable_device(
    State(state): State<AppState>,
    caller: UserCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Device>> {
    set_disabled(state, caller, id, false).await
}

/// Issues a new key for a device; the old key stops working at once.
#[utoipa::path(post, path = "/devices/{id}/rotate-key", tag = "devices", params(("id" = String, Path)),
    responses((status = 200, body = IssuedKey), (status = 404, body = crate::error::Problem)))]
pub async fn rotate_key(
    State(state): State<AppState>,
    caller: UserCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<IssuedKey>> {
    caller.require(&state, Permission::ManageDevices).await?;
    let id = DeviceId(id);
    let key = new_secret(DEVICE_KEY_PREFIX);
    let entry = caller.entry(
        &state,
        "device.rotate_key",
        "device",
        Some(id.as_str()),
        Outcome::Success,
        serde_json::Value::Null,
    );
    state
        .store
        .rotate_device_key(&id, &secret_hash(&key), vec![entry])
        .await?;
    state.count_audit(1);
    let device = state
        .store
        .devices(std::slice::from_ref(&id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| crate::error::ApiError::NotFound {
            what: "device",
            id: id.to_string(),
        })?;
    Ok(Json(IssuedKey {
        device,
        api_key: key,
    }))
}

//! Device ingest: the HTTP endpoints devices call with their key, and the MQTT message handler.
//!
//! Both paths end in the same functions, so a heartbeat means the same whether it came over
//! HTTP or MQTT. Streams of the capability crates (plate reads) go to the capability that lists
//! them ([`crate::capability::Capability::streams`]).

use crate::auth::DeviceCaller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::AppState;
use async_trait::async_trait;
use axum::extract::State;
use axum::http::StatusCode;
use pingan_core::account::Device;
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::ports::DeviceStore;
use pingan_core::{StoreError, Timestamp};
use pingan_ingest::{DeviceMessage, HandlerError, MessageHandler, Stream};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(heartbeat))
}

/// A heartbeat. Every field is optional: an empty object says "alive now".
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    /// The device's own id; when given it must be the key's device.
    #[serde(default)]
    pub device_id: Option<String>,
    /// When the device sent it (RFC 3339); the server's time when absent.
    #[serde(default)]
    pub at: Option<String>,
    /// Free-form status (`ok`, `degraded`, …), at most 32 characters.
    #[serde(default)]
    pub status: Option<String>,
    /// A video platform lists the ids of its cameras it sees alive (video network health).
    #[serde(default)]
    pub cameras: Option<Vec<String>>,
}

/// Records a heartbeat from a device and announces it on the stream.
pub async fn record_heartbeat(state: &AppState, device: &Device, hb: Heartbeat) -> ApiResult<()> {
    if let Some(id) = &hb.device_id {
        if id != device.id.as_str() {
            return Err(ApiError::Forbidden(format!(
                "device {} may only ingest for itself, not for {id}",
                device.id
            )));
        }
    }
    let now = state.now();
    let at = match &hb.at {
        Some(s) => Timestamp::parse_rfc3339(s)
            .ok_or_else(|| ApiError::invalid("at", format!("{s:?} is not an RFC 3339 time")))?,
        None => now,
    };
    // A device clock far ahead would make the device look alive for ever.
    if at > now.plus_seconds(300) {
        return Err(ApiError::invalid(
            "at",
            "is more than 5 minutes in the future",
        ));
    }
    if let Some(s) = &hb.status {
        if s.chars().count() > 32 {
            return Err(ApiError::invalid("status", "at most 32 characters"));
        }
    }
    state
        .store
        .touch_devices(std::slice::from_ref(&device.id), at)
        .await?;
    for c in state.capabilities.iter() {
        c.on_heartbeat(state, device, at, hb.cameras.as_deref())
            .await?;
    }
    state
        .publish(StreamEvent::new(
            Topic::Devices,
            "device.heartbeat",
            now,
            serde_json::json!({ "device_id": device.id, "kind": device.kind, "at": at, "status": hb.status }),
        ))
        .await;
    Ok(())
}

/// A device says it is alive.
#[utoipa::path(post, path = "/ingest/heartbeat", tag = "ingest", request_body = Heartbeat,
    security(("device_key" = [])),
    responses((status = 204), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn heartbeat(
    State(state): State<AppState>,
    caller: DeviceCaller,
    ApiJson(hb): ApiJson<Heartbeat>,
) -> ApiResult<StatusCode> {
    record_heartbeat(&state, &caller.device, hb).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The MQTT side: checks the topic's device against the registry, then handles the stream.
#[derive(Debug, Clone)]
pub struct DeviceMessages {
    state: AppState,
}

impl DeviceMessages {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

fn transient(e: StoreError) -> HandlerError {
    HandlerError::transient(e)
}

#[async_trait]
impl MessageHandler for DeviceMessages {
    async fn handle(&self, msg: DeviceMessage) -> Result<(), HandlerError> {
        let topic = &msg.topic;
        let device = self
            .state
            .store
            .devices(std::slice::from_ref(&topic.device_id))
            .await
            .map_err(transient)?
            .into_iter()
            .next()
            .ok_or_else(|| {
                HandlerError::rejected(format!("device {} is not registered", topic.device_id))
            })?;
        if device.disabled {
            return Err(HandlerError::rejected(format!(
                "device {} is disabled",
                device.id
            )));
        }
        if device.kind != topic.kind {
            return Err(HandlerError::rejected(format!(
                "device {} is a {}, not a {}",
                device.id,
                device.kind.as_str(),
                topic.kind.as_str()
            )));
        }
        match topic.stream {
            Stream::Heartbeat => {
                let hb: Heartbeat = if msg.payload.is_empty() {
                    Heartbeat::default()
                } else {
                    crate::extract::from_json(&msg.payload)
                        .map_err(|e| HandlerError::rejected(format!("heartbeat payload: {e}")))?
                };
                record_heartbeat(&self.state, &device, hb)
                    .await
                    .map_err(|e| match e {
                        ApiError::Internal(source) => HandlerError::transient(source),
                        other => HandlerError::rejected(other.to_string()),
                    })
            }
            other => {
                let Some(c) = self
                    .state
                    .capabilities
                    .iter()
                    .find(|c| c.streams().contains(&other))
                else {
                    return Err(HandlerError::rejected(format!(
                        "this server handles no {other:?} messages"
                    )));
                };
                c.on_device_message(&self.state, &device, other, &msg.payload)
                    .await
            }
        }
    }
}

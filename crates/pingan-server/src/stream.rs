//! `GET /api/v1/stream`: the live WebSocket stream.
//!
//! On connect the server sends `{"kind":"stream.hello","topics":[…]}` with the topics the
//! caller's role may receive. The client may narrow them with `{"subscribe":["units",…]}`.
//! Each event is a JSON [`StreamEvent`]; a subscriber too slow to keep up is sent
//! `{"kind":"stream.lagged","missed":N}` and should re-read state through the API.

use crate::auth::UserCaller;
use crate::error::ApiResult;
use crate::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use pingan_core::access::{Permission, Role};
use pingan_core::event::Topic;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientMessage {
    subscribe: Vec<String>,
}

/// Opens the live event stream (WebSocket).
#[utoipa::path(get, path = "/stream", tag = "stream",
    responses((status = 101, description = "switching to WebSocket"), (status = 401, body = crate::error::Problem)))]
pub async fn stream(
    State(state): State<AppState>,
    caller: UserCaller,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    caller.require(&state, Permission::ViewStream).await?;
    let ws = ws.map_err(|r| crate::error::ApiError::invalid("upgrade", r.body_text()))?;
    let role = caller.role();
    Ok(ws.on_upgrade(move |socket| serve(socket, state, role)))
}

async fn serve(socket: WebSocket, state: AppState, role: Role) {
    state.metrics.stream_clients.fetch_add(1, Ordering::Relaxed);
    let mut rx = state.hub.subscribe();
    let (mut sink, mut incoming) = socket.split();
    let allowed: HashSet<Topic> = Topic::ALL
        .into_iter()
        .filter(|t| t.visible_to(role))
        .collect();
    let mut wanted = allowed.clone();
    let hello = serde_json::json!({
        "kind": "stream.hello",
        "topics": allowed.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
    });
    if sink
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        state.metrics.stream_clients.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Ok(event) => {
                    if !wanted.contains(&event.topic) || !event.visible_to(role) {
                        continue;
                    }
                    let Ok(text) = serde_json::to_string(&*event) else { continue };
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    let notice = serde_json::json!({ "kind": "stream.lagged", "missed": missed });
                    if sink.send(Message::Text(notice.to_string().into())).await.is_err() {
                        break;
                    }
                }
                Err(RecvError::Closed) => break,
            },
            msg = incoming.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    match serde_json::from_str::<ClientMessage>(&text) {
                        Ok(m) => {
                            wanted = m
                                .subscribe
                                .iter()
                                .filter_map(|t| Topic::parse(t))
                                .filter(|t| allowed.contains(t))
                                .collect();
                            let ack = serde_json::json!({
                                "kind": "stream.subscribed",
                                "topics": wanted.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                            });
                            if sink.send(Message::Text(ack.to_string().into())).await.is_err() {
                                break;
                            }
                        }
                        Err(e) => {
                            let err = serde_json::json!({ "kind": "stream.error", "detail": e.to_string() });
                            if sink.send(Message::Text(err.to_string().into())).await.is_err() {
                                break;
                            }
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            }
        }
    }
    state.metrics.stream_clients.fetch_sub(1, Ordering::Relaxed);
}

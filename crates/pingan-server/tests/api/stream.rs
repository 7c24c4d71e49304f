//! The WebSocket stream over a real socket: events reach subscribers allowed to see them.

use crate::support::{Db, TestApp};
use futures::{SinkExt, StreamExt};
use pingan_core::access::Role;
use pingan_core::event::{StreamEvent, Topic};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub async fn serve(app: &TestApp) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

pub async fn connect(
    addr: std::net::SocketAddr,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut req = format!("ws://{addr}/api/v1/stream")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws
}

pub async fn next_json(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> serde_json::Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("an event within 10 s")
            .expect("open stream")
            .expect("message");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

#[tokio::test]
async fn events_are_filtered_by_role_and_subscription() {
    let app = TestApp::new(Db::Sqlite).await.unwrap();
    let addr = serve(&app).await;
    let operator = app.token(Role::Operator).await;
    let analyst = app.token(Role::Analyst).await;
    let mut op_ws = connect(addr, &operator).await;
    let mut an_ws = connect(addr, &analyst).await;
    let hello = next_json(&mut op_ws).await;
    assert_eq!(hello["kind"], "stream.hello");
    assert!(hello["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "alerts"));
    let hello = next_json(&mut an_ws).await;
    assert!(!hello["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "alerts"));

    // An alert reaches the operator but not the analyst; a system notice reaches both.
    app.state
        .publish(StreamEvent::new(
            Topic::Alerts,
            "watchlist.hit",
            app.state.now(),
            serde_json::json!({"n": 1}),
        ))
        .await;
    app.state
        .publish(StreamEvent::new(
            Topic::System,
            "test.notice",
            app.state.now(),
            serde_json::json!({"n": 2}),
        ))
        .await;
    assert_eq!(next_json(&mut op_ws).await["kind"], "watchlist.hit");
    assert_eq!(next_json(&mut op_ws).await["kind"], "test.notice");
    assert_eq!(next_json(&mut an_ws).await["kind"], "test.notice");

    // Narrowing the subscription.
    op_ws
        .send(Message::Text(r#"{"subscribe":["alerts"]}"#.into()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut op_ws).await["kind"], "stream.subscribed");
    app.state
        .publish(StreamEvent::new(
            Topic::System,
            "test.ignored",
            app.state.now(),
            serde_json::json!({}),
        ))
        .await;
    app.state
        .publish(StreamEvent::new(
            Topic::Alerts,
            "watchlist.hit2",
            app.state.now(),
            serde_json::json!({}),
        ))
        .await;
    assert_eq!(next_json(&mut op_ws).await["kind"], "watchlist.hit2");
}

#[tokio::test]
async fn the_stream_needs_a_session() {
    let app = TestApp::new(Db::Sqlite).await.unwrap();
    let addr = serve(&app).await;
    let req = format!("ws://{addr}/api/v1/stream")
        .into_client_request()
        .unwrap();
    assert!(tokio_tungstenite::connect_async(req).await.is_err());
}

//! The WebSocket stream over a real socket: events reach subscribers allowed to see them.

use crate::support::Db;
use futures::SinkExt;
use pingan_core::access::Role;
use pingan_core::event::{StreamEvent, Topic};
use pingan_testkit::app::{connect, next_json, serve};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn events_are_filtered_by_role_and_subscription() {
    let app = crate::support::app(Db::Sqlite).await.unwrap();
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
    let app = crate::support::app(Db::Sqlite).await.unwrap();
    let addr = serve(&app).await;
    let req = format!("ws://{addr}/api/v1/stream")
        .into_client_request()
        .unwrap();
    assert!(tokio_tungstenite::connect_async(req).await.is_err());
}

//! This binary's test app: the testkit's, with the patrol programme and the command centre it
//! calls installed, the sample district plus a key place and a north–south road imported.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_core::access::Role;
use pingan_core::Timestamp;
use pingan_server::capability::Capability;
use pingan_server::ServerConfig;
pub use pingan_testkit::app::*;
use serde_json::{json, Value};
use std::sync::Arc;

/// A fresh app with the district imported; `None` only when PostgreSQL is missing and the run
/// allows skipping.
pub async fn app(db: Db) -> Option<TestApp> {
    let caps: Vec<Arc<dyn Capability>> = vec![
        Arc::new(pingan_patrols::PatrolsCapability::default()),
        Arc::new(pingan_command::CommandCapability::default()),
    ];
    let app = TestApp::with(db, ServerConfig::default(), caps).await?;
    import(&app).await;
    Some(app)
}

/// The night market: a key place on the county road.
pub const MARKET: (f64, f64) = (118.90, 35.00);
/// A shop on the north–south road.
pub const SHOP: (f64, f64) = (118.95, 35.05);

async fn import(app: &TestApp) {
    let mut g = sample_geojson();
    let f = g["features"].as_array_mut().expect("features");
    f.push(json!({"type": "Feature", "properties": {"kind": "road", "id": "r-ns", "name": "南北大道", "road_class": "arterial"},
        "geometry": {"type": "LineString", "coordinates": [[118.95,35.00],[118.95,35.08]]}}));
    f.push(json!({"type": "Feature", "properties": {"kind": "key_place", "id": "kp-market", "name": "夜市", "parent": "t-zg"},
        "geometry": {"type": "Polygon", "coordinates": [[[118.899,34.999],[118.901,34.999],[118.901,35.001],[118.899,35.001],[118.899,34.999]]]}}));
    // A temple on the hill in the north-east corner, which no road reaches.
    f.push(json!({"type": "Feature", "properties": {"kind": "key_place", "id": "kp-temple", "name": "山顶寺", "parent": "t-zg"},
        "geometry": {"type": "Point", "coordinates": [118.99, 35.09]}}));
    let admin = app.token(Role::Admin).await;
    let (s, body) = app
        .send(
            Request::put("/api/v1/geography")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .header(header::CONTENT_TYPE, "application/geo+json")
                .body(Body::from(g.to_string()))
                .expect("request"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

/// Registers a patrol car (no GPS device of its own).
pub async fn car(app: &TestApp, op: &str, id: &str) {
    let (s, body) = app
        .call(Method::POST, "/api/v1/units", Some(op),
            Some(json!({"id": id, "call_sign": format!("巡逻{id}"), "kind": "car", "crew": ["张伟"], "agency": "城关派出所"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
}

/// Whole seconds now, so RFC 3339 with milliseconds round-trips.
pub fn now(app: &TestApp) -> Timestamp {
    Timestamp::from_seconds(app.state.now().micros() / 1_000_000)
}

/// A plan request for `units` over `[start, end)` with the shop added.
pub fn plan_request(units: &[&str], start: Timestamp, end: Timestamp) -> Value {
    json!({
        "name": "夜巡一班", "start": start.to_rfc3339(), "end": end.to_rfc3339(), "units": units,
        "added": [{"name": "便利店", "lon": SHOP.0, "lat": SHOP.1}], "seed": 42
    })
}

/// Draws up a plan; returns it (asserting 201).
pub async fn draft(app: &TestApp, op: &str, body: Value) -> Value {
    let (s, plan) = app
        .call(Method::POST, "/api/v1/patrols/plans", Some(op), Some(body))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{plan}");
    plan
}

/// Publishes a plan at the version it carries; returns it (asserting 200).
pub async fn publish(app: &TestApp, op: &str, plan: &Value) -> Value {
    let id = plan["id"].as_str().expect("id");
    let (s, p) = app
        .call(
            Method::POST,
            &format!("/api/v1/patrols/plans/{id}/publish"),
            Some(op),
            Some(json!({"version": plan["version"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    p
}

/// The field named by a 400 problem.
pub fn field_of(body: &Value) -> String {
    pingan_testkit::problem_fields(body)
        .first()
        .cloned()
        .unwrap_or_default()
}

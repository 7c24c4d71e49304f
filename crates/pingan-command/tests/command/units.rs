//! Units: the roster, hand-set statuses, and GPS positions over HTTP (current, late,
//! duplicate, stale and future fixes), tracks and retention.

use crate::incidents::create_unit;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use pingan_core::access::Role;
use pingan_core::Timestamp;
use pingan_testkit::both;
use serde_json::{json, Value};

/// Registers a unit GPS device and a unit bound to it; returns the device key.
async fn unit_with_device(app: &TestApp, op: &str, unit: &str) -> String {
    let admin = app.token(Role::Admin).await;
    let (s, dev) = app
        .call(
            Method::POST,
            "/api/v1/devices",
            Some(&admin),
            Some(json!({"id": format!("gps-{unit}"), "kind": "unit", "name": "车载GPS"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{dev}");
    let (s, u) = app
        .call(Method::POST, "/api/v1/units", Some(op),
            Some(json!({"id": unit, "call_sign": "巡逻一组", "kind": "motorbike", "agency": "城关派出所", "device_id": format!("gps-{unit}")})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    dev["api_key"].as_str().expect("key").to_owned()
}

fn fix(at: Timestamp, lon: f64) -> Value {
    json!({"at": at.to_rfc3339(), "lon": lon, "lat": 35.0, "speed_kmh": 42.5, "heading_deg": 90.0})
}

async fn post(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/api/v1/ingest/position",
        Some(key),
        Some(body),
    )
    .await
}

both!(
    positions_over_http_are_classified_and_tracked,
    |app: TestApp| async move {
        let op = app.token(Role::Operator).await;
        let key = unit_with_device(&app, &op, "moto-1").await;
        // Whole seconds, so that RFC 3339 with milliseconds round-trips the times exactly.
        let now = Timestamp::from_seconds(app.state.now().micros() / 1_000_000);

        let (s, r) = post(&app, &key, fix(now, 118.90)).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(
            (
                r["current"].as_u64(),
                r["late"].as_u64(),
                r["duplicate"].as_u64()
            ),
            (Some(1), Some(0), Some(0))
        );
        let (s, u) = app
            .call(Method::GET, "/api/v1/units/moto-1", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(u["last_fix"]["lon"], 118.90);
        assert_eq!(u["position_stale"], false);

        // The same fix again is a duplicate; an older one is stored but does not move the unit.
        let (s, r) = post(&app, &key, fix(now, 118.90)).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["duplicate"], 1);
        let (s, r) = post(&app, &key, fix(now.minus_seconds(60), 118.80)).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["late"], 1);
        assert_eq!(r["last_fix"]["lon"], 118.90);

        // A batch keeps the good fixes and names the refused ones.
        let batch = json!({"fixes": [
            fix(now.plus_seconds(5), 118.91),
            fix(now.minus_seconds(3 * 86_400), 118.5),
            fix(now.plus_seconds(7200), 118.5),
            {"at": now.plus_seconds(6).to_rfc3339(), "lon": 118.92, "lat": 35.0, "heading_deg": 400.0},
            fix(now.plus_seconds(5), 118.91),
        ]});
        let (s, r) = post(&app, &key, batch).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["current"], 1, "{r}");
        assert_eq!(r["refused"], 3, "{r}");
        assert_eq!(r["duplicate"], 1, "{r}");
        assert_eq!(r["fixes"][1]["refused"]["field"], "fixes[1].at");
        assert!(r["fixes"][1]["refused"]["message"]
            .as_str()
            .unwrap()
            .contains("stale"));
        assert_eq!(r["fixes"][3]["refused"]["field"], "fixes[3].heading_deg");
        assert_eq!(r["last_fix"]["lon"], 118.91);

        // Single bad fixes are a 400 naming the field.
        for (body, field) in [
            (fix(now.minus_seconds(3 * 86_400), 118.9), "at"),
            (json!({"at": "noon", "lon": 118.9, "lat": 35.0}), "at"),
            (
                json!({"at": now.to_rfc3339(), "lon": 118.9, "lat": 95.0}),
                "lat",
            ),
            (json!({"at": now.to_rfc3339(), "lon": 118.9}), "body"),
            (json!({"fixes": []}), "fixes"),
        ] {
            let (s, p) = post(&app, &key, body.clone()).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {p}");
            if field != "body" {
                assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
            }
        }

        let url = format!(
            "/api/v1/units/moto-1/track?from={}&to={}",
            now.minus_seconds(600).to_rfc3339().replace('+', "%2B"),
            now.plus_seconds(600).to_rfc3339().replace('+', "%2B")
        );
        let (s, track) = app.call(Method::GET, &url, Some(&op), None).await;
        assert_eq!(s, StatusCode::OK, "{track}");
        let lons: Vec<f64> = track
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["lon"].as_f64().unwrap())
            .collect();
        assert_eq!(lons, [118.80, 118.90, 118.91]);

        // A device with no unit gets a 404; a person's token is refused.
        let admin = app.token(Role::Admin).await;
        let (_, dev) = app
            .call(
                Method::POST,
                "/api/v1/devices",
                Some(&admin),
                Some(json!({"id": "gps-spare", "kind": "unit", "name": "备用"})),
            )
            .await;
        let (s, p) = post(&app, dev["api_key"].as_str().unwrap(), fix(now, 118.9)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        let (s, _) = post(&app, &op, fix(now, 118.9)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        // Retention: nothing is older than 90 days here; purging at a later "now" empties the track.
        assert_eq!(
            pingan_command::service::positions::purge_positions(&app.state)
                .await
                .unwrap(),
            0
        );
        let purged = pingan_command::domain::records::CommandStore::purge_positions(
            &app.state.store,
            now.plus_seconds(3600),
        )
        .await
        .unwrap();
        assert_eq!(purged, 3);
    }
);

both!(
    stale_positions_and_hand_set_statuses,
    |app: TestApp| async move {
        let op = app.token(Role::Operator).await;
        let key = unit_with_device(&app, &op, "moto-2").await;
        let old = app.state.now().minus_seconds(600);
        let (s, _) = post(&app, &key, fix(old, 118.9)).await;
        assert_eq!(s, StatusCode::OK);
        let (s, units) = app
            .call(Method::GET, "/api/v1/units", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(units[0]["position_stale"], true, "{units}");
        assert!(units[0]["last_fix_age_s"].as_i64().unwrap() >= 600);

        let (s, u) = app
            .call(
                Method::PUT,
                "/api/v1/units/moto-2/status",
                Some(&op),
                Some(json!({"status": "busy"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{u}");
        assert_eq!(u["status"], "busy");
        let (s, p) = app
            .call(
                Method::PUT,
                "/api/v1/units/moto-2/status",
                Some(&op),
                Some(json!({"status": "on_scene"})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        let (s, p) = app
            .call(
                Method::PUT,
                "/api/v1/units/moto-2/status",
                Some(&op),
                Some(json!({"status": "available", "expected_version": 1})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["current"]["status"], "busy");
        let (s, p) = app
            .call(
                Method::PUT,
                "/api/v1/units/moto-2/status",
                Some(&op),
                Some(json!({"status": "asleep"})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");

        // Bad registrations.
        for body in [
            json!({"id": "a/b", "call_sign": "x", "kind": "car", "agency": "y"}),
            json!({"id": "c1", "call_sign": "", "kind": "car", "agency": "y"}),
            json!({"id": "c1", "call_sign": "x", "kind": "tank", "agency": "y"}),
            json!({"id": "c1", "call_sign": "x", "kind": "car", "agency": "y", "device_id": "nope"}),
            json!({"id": "c1", "call_sign": "x", "kind": "car", "agency": "y", "status": "dispatched"}),
        ] {
            let (s, p) = app
                .call(Method::POST, "/api/v1/units", Some(&op), Some(body.clone()))
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {p}");
        }
        create_unit(&app, &op, "dup").await;
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/units",
                Some(&op),
                Some(json!({"id": "dup", "call_sign": "x", "kind": "foot", "agency": "y"})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
);

both!(
    positions_over_mqtt_end_in_the_same_function,
    |app: TestApp| async move {
        use pingan_ingest::{DeviceMessage, MessageHandler, Topic};
        let op = app.token(Role::Operator).await;
        unit_with_device(&app, &op, "moto-3").await;
        let handler = pingan_server::ingest::DeviceMessages::new(app.state.clone());
        let now = Timestamp::from_seconds(app.state.now().micros() / 1_000_000);
        let msg = |topic: &str, body: Value| DeviceMessage {
            topic: Topic::parse(topic).unwrap(),
            payload: axum::body::Bytes::from(body.to_string()),
            redelivered: false,
        };
        handler
            .handle(msg("pingan/v1/unit/gps-moto-3/position", fix(now, 118.95)))
            .await
            .expect("a good fix is handled");
        let (_, u) = app
            .call(Method::GET, "/api/v1/units/moto-3", Some(&op), None)
            .await;
        assert_eq!(u["last_fix"]["lon"], 118.95, "{u}");
        // A duplicate is accepted quietly; a stale fix and a stranger's topic are rejected.
        handler
            .handle(msg("pingan/v1/unit/gps-moto-3/position", fix(now, 118.95)))
            .await
            .expect("duplicate");
        let e = handler
            .handle(msg(
                "pingan/v1/unit/gps-moto-3/position",
                fix(now.minus_seconds(3 * 86_400), 118.9),
            ))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("stale"), "{e}");
        assert!(handler
            .handle(msg("pingan/v1/unit/gps-nobody/position", fix(now, 118.9)))
            .await
            .is_err());
    }
);

/// The whole MQTT path: a unit's GPS publishes to a real broker, the ingest runtime hands the
/// message to the server, and the unit's position moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_over_a_real_broker() {
    use pingan_ingest::{CancellationToken, IngestRuntime, MqttConfig, Publisher, Topic};
    use pingan_testkit::services::{service_or_skip, TempMosquitto};
    let Some(mut broker) = service_or_skip(TempMosquitto::start()) else {
        return;
    };
    let app = crate::support::app(crate::support::Db::Sqlite)
        .await
        .expect("app");
    let op = app.token(Role::Operator).await;
    unit_with_device(&app, &op, "moto-9").await;
    let shutdown = CancellationToken::new();
    let config =
        MqttConfig::from_url(&format!("{}?client_id=pingan-units-test", broker.url())).unwrap();
    let handler = std::sync::Arc::new(pingan_server::ingest::DeviceMessages::new(
        app.state.clone(),
    ));
    let runtime = IngestRuntime::spawn(config, handler, shutdown.clone()).unwrap();
    let publisher = Publisher::connect(
        &MqttConfig::from_url(&format!("{}?client_id=gps-moto-9", broker.url())).unwrap(),
    )
    .unwrap();
    let topic = Topic::parse("pingan/v1/unit/gps-moto-9/position").unwrap();
    let now = Timestamp::from_seconds(app.state.now().micros() / 1_000_000);
    let mut seen = Value::Null;
    // Wait for the runtime's subscription (bounded, not timed), then publish until the position
    // shows up (re-sent fixes are duplicates, which are harmless).
    for _ in 0..300 {
        if runtime.metrics().snapshot().subscribed {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for _ in 0..120 {
        publisher
            .publish_json(&topic, &fix(now, 118.97))
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let (_, u) = app
            .call(Method::GET, "/api/v1/units/moto-9", Some(&op), None)
            .await;
        if u["last_fix"]["lon"] == 118.97 {
            seen = u;
            break;
        }
    }
    assert_eq!(
        seen["last_fix"]["lon"], 118.97,
        "no position arrived over MQTT"
    );
    shutdown.cancel();
    runtime.join().await.unwrap();
    broker.stop();
}

//! Detection events: Frigate payloads (valid, malformed, biometric), the native format, the
//! MQTT entry point, and search by area, window, label and colour.

use crate::sensors::{camera, device_key, fields};
use crate::support::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_core::access::Role;
use pingan_testkit::both;
use serde_json::{json, Value};

fn frigate(kind: &str, id: &str, camera: &str, label: &str) -> Value {
    json!({
        "type": kind,
        "before": {"id": id, "camera": camera, "label": label, "top_score": 0.7, "start_time": 1778205600.5},
        "after": {
            "id": id, "camera": camera, "frame_time": 1778205605.0, "label": label, "sub_label": null,
            "top_score": 0.91, "score": 0.88, "false_positive": false,
            "start_time": 1778205600.5, "end_time": if kind == "end" { json!(1778205660.0) } else { Value::Null },
            "box": [424, 500, 536, 712], "area": 23744, "region": [264, 450, 667, 853],
            "current_zones": ["gate"], "entered_zones": ["road", "gate"],
            "has_snapshot": true, "has_clip": kind == "end", "stationary": false
        }
    })
}

both!(
    frigate_and_native_detections_are_stored_and_searchable,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        for (id, lon) in [("cam-a", 118.9), ("cam-b", 118.95)] {
            let (s, p) = app
                .call(
                    Method::POST,
                    "/api/v1/video/cameras",
                    Some(&admin),
                    Some(camera(id, lon, 90.0)),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{p}");
        }
        app.call(Method::POST, "/api/v1/video/platforms", Some(&admin),
        Some(json!({"id": "nvr-1", "name": "Frigate", "protocol": "frigate", "address": "http://10.0.0.30:5000"}))).await;
        let key = device_key(&app, &admin, "nvr-1", "recorder").await;
        let post = |body: Value| {
            Request::post("/api/v1/ingest/video/detections")
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        // Frigate new → update → end: one stored event with its end and links.
        for kind in ["new", "update", "end"] {
            let (s, r) = app
                .send(post(frigate(kind, "1778205600.5-abc", "cam-a", "truck")))
                .await;
            assert_eq!(s, StatusCode::OK, "{r}");
            assert_eq!(r["format"], "frigate");
            assert_eq!(r["accepted"], 1, "{r}");
        }
        // Malformed and refused Frigate payloads.
        let mut bad_type = frigate("new", "x1", "cam-a", "car");
        bad_type["type"] = json!("created");
        let mut no_start = frigate("new", "x2", "cam-a", "car");
        no_start["after"]["start_time"] = json!("ten o'clock");
        let mut face = frigate("new", "x3", "cam-a", "person");
        face["after"]["sub_label"] = json!(["Zhang San", 0.93]);
        let unknown_camera = frigate("new", "x4", "cam-zz", "car");
        let mut gender = frigate("new", "x5", "cam-a", "person");
        gender["after"]["gender"] = json!("male");
        for (payload, expect) in [
            (bad_type, "type"),
            (no_start, "start_time"),
            (face, "face recognition"),
            (unknown_camera, "not registered"),
            (gender, "biometric"),
        ] {
            let (s, r) = app.send(post(payload)).await;
            assert_eq!(s, StatusCode::OK, "{r}");
            assert_eq!(r["accepted"], 0, "{r}");
            assert!(
                r["rejected"][0]["reason"]
                    .as_str()
                    .unwrap()
                    .contains(expect),
                "{expect}: {r}"
            );
        }
        let (s, r) = app.send(post(json!({"hello": 1}))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{r}");

        // Native batch: valid events are kept beside invalid ones.
        let native = json!({"events": [
            {"id": "n1", "camera_id": "cam-a", "label": "truck", "score": 0.8, "colour": "Red",
             "start": "2026-05-08T10:30:00+08:00", "end": "2026-05-08T10:31:00+08:00", "zones": ["gate"]},
            {"id": "n2", "camera_id": "cam-b", "label": "truck", "score": 0.7, "colour": "red", "start": "2026-05-08T10:40:00+08:00"},
            {"id": "n3", "camera_id": "cam-a", "label": "car", "score": 0.9, "colour": "white", "start": "2026-05-08T11:00:00+08:00"},
            {"id": "n4", "camera_id": "cam-a", "label": "truck", "score": 1.5, "start": "2026-05-08T11:00:00+08:00"},
            {"id": "n5", "camera_id": "ghost", "label": "truck", "score": 0.5, "start": "2026-05-08T11:00:00+08:00"},
            {"id": "n6", "camera_id": "cam-a", "label": "person", "score": 0.5, "start": "2026-05-08T11:00:00+08:00", "face_embedding": [0.1, 0.2]},
            {"id": "n7", "camera_id": "cam-a", "label": "car", "score": 0.5, "start": "2026-05-08T11:00:00+08:00", "speed": 3}
        ]});
        let (s, r) = app.send(post(native)).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["accepted"], 3, "{r}");
        let idx: Vec<u64> = r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["index"].as_u64().unwrap())
            .collect();
        assert_eq!(idx, [3, 4, 5, 6]);
        assert!(
            r["rejected"][0]["reason"]
                .as_str()
                .unwrap()
                .starts_with("score"),
            "{r}"
        );
        assert!(
            r["rejected"][2]["reason"]
                .as_str()
                .unwrap()
                .contains("biometric"),
            "{r}"
        );

        // The MQTT path ends in the same function.
        let device = pingan_core::ports::DeviceStore::devices(
            &app.state.store,
            &[pingan_core::ids::DeviceId::new("nvr-1")],
        )
        .await
        .unwrap()
        .remove(0);
        let single = json!({"id": "m1", "camera_id": "cam-a", "label": "bus", "score": 0.6, "start": "2026-05-08T10:45:00+08:00"});
        let rep = pingan_video::service::detections::ingest_detections(
            &app.state,
            &device,
            single.to_string().as_bytes(),
        )
        .await
        .unwrap();
        assert_eq!(rep.accepted, 1);

        // "Trucks seen by cameras within 500 m of cam-a between 10:00 and 12:00".
        let inv = app.token(Role::Investigator).await;
        let search = |extra: Value| {
            let mut body = json!({
                "area": {"center": [118.9, 35.0], "radius_m": 500},
                "from": "2026-05-08T10:00:00+08:00", "to": "2026-05-08T12:00:00+08:00",
                "purpose": {"purpose": "criminal_investigation", "reference": "CASE-2026-0042"}
            });
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        let (s, found) = app
            .call(
                Method::POST,
                "/api/v1/video/detections/search",
                Some(&inv),
                Some(search(json!({"label": "truck"}))),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{found}");
        // n1 (10:30) only: the Frigate truck is in 2026-05-08T02:00Z = 10:00+08 too.
        let ids: Vec<&str> = found["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["nvr-1:n1", "nvr-1:1778205600.5-abc"], "{found}");
        let frig = &found["events"][1];
        assert_eq!(frig["end_at"], json!(1778205660000000i64));
        assert_eq!(
            frig["snapshot_url"],
            "http://10.0.0.30:5000/api/events/1778205600.5-abc/snapshot.jpg"
        );
        assert_eq!(
            frig["clip_url"],
            "http://10.0.0.30:5000/api/events/1778205600.5-abc/clip.mp4"
        );
        assert_eq!(frig["zones"], json!(["road", "gate"]));
        assert_eq!(frig["camera"]["camera_id"], "cam-a");
        assert!(
            frig["camera"]["playback_url"]
                .as_str()
                .unwrap()
                .contains("s=2026-05-08T01:59:50Z"),
            "{frig}"
        );
        let (_, red) = app
            .call(
                Method::POST,
                "/api/v1/video/detections/search",
                Some(&inv),
                Some(search(json!({"colour": "red"}))),
            )
            .await;
        assert_eq!(red["count"], 1, "{red}");
        // A polygon around both cameras finds cam-b's truck too.
        let poly = json!({"area": {"polygon": {"type": "Polygon", "coordinates": [[[118.8,34.9],[119.0,34.9],[119.0,35.1],[118.8,35.1],[118.8,34.9]]]}}, "label": "truck"});
        let (_, all) = app
            .call(
                Method::POST,
                "/api/v1/video/detections/search",
                Some(&inv),
                Some(search(poly)),
            )
            .await;
        assert_eq!(all["count"], 3, "{all}");
        // Without a reference the purpose is refused; other roles are refused outright.
        let mut no_ref = search(json!({}));
        no_ref["purpose"] = json!({"purpose": "criminal_investigation"});
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/video/detections/search",
                Some(&inv),
                Some(no_ref),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let op = app.token(Role::Analyst).await;
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/video/detections/search",
                Some(&op),
                Some(search(json!({}))),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/video/detections/search",
                Some(&inv),
                Some(search(
                    json!({"area": {"center": [118.9, 35.0], "radius_m": -1}}),
                )),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(fields(&p), ["area.radius_m"]);
        // A checkpoint may not send detections.
        let cp_key = device_key(&app, &admin, "cp-x", "checkpoint").await;
        let (s, _) = app
            .send(
                Request::post("/api/v1/ingest/video/detections")
                    .header(header::AUTHORIZATION, format!("Bearer {cp_key}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(frigate("new", "y", "cam-a", "car").to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);

/// The MQTT path: a Frigate message on `pingan/v1/recorder/{id}/detections` is stored; a
/// malformed one is rejected (acknowledged, never retried) with its reason.
#[tokio::test]
async fn frigate_events_over_mqtt_end_in_the_same_place() {
    use pingan_ingest::{DeviceMessage, HandlerError, MessageHandler, Topic};
    let app = crate::support::app(crate::support::Db::Sqlite)
        .await
        .expect("app");
    let admin = app.token(Role::Admin).await;
    let (s, p) = app
        .call(
            Method::POST,
            "/api/v1/video/cameras",
            Some(&admin),
            Some(camera("cam-m", 118.9, 90.0)),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    device_key(&app, &admin, "nvr-m", "recorder").await;
    let handler = pingan_server::ingest::DeviceMessages::new(app.state.clone());
    let topic = Topic::parse("pingan/v1/recorder/nvr-m/detections").expect("topic");
    let message = |payload: Value| DeviceMessage {
        topic: topic.clone(),
        payload: serde_json::to_vec(&payload).expect("json").into(),
        redelivered: false,
    };
    handler
        .handle(message(frigate("end", "1778205600.5-mq", "cam-m", "car")))
        .await
        .expect("stored");
    let mut bad = frigate("new", "1778205600.5-mq2", "cam-m", "car");
    bad["after"]["top_score"] = json!(7);
    match handler.handle(message(bad)).await {
        Err(HandlerError::Rejected { reason }) => assert!(reason.contains("top_score"), "{reason}"),
        other => panic!("expected a rejection, got {other:?}"),
    }
    let found = pingan_video::domain::registry::SensorStore::detections(
        &app.state.store,
        &pingan_video::domain::registry::DetectionFilter {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "nvr-m:1778205600.5-mq");
    assert_eq!(
        found[0].end_at,
        Some(pingan_core::Timestamp(1_778_205_660_000_000))
    );
}

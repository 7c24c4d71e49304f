//! The video network: registry CRUD and its bad inputs, imports with per-row errors, "which
//! cameras see P", coverage, heartbeats and offline events, Frigate and native detections, and
//! detection search.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_core::access::Role;
use pingan_core::Timestamp;
use pingan_testkit::both;
use pingan_video::service::{self as http, health};
use pingan_video::HealthSettings;
use serde_json::{json, Value};
use std::time::Duration;

/// A camera at the district's road (118.90, 35.00) looking east, 100 m range.
pub(crate) fn camera(id: &str, lon: f64, heading: f64) -> Value {
    json!({
        "id": id, "name": format!("Camera {id}"), "lon": lon, "lat": 35.0,
        "heading_deg": heading, "fov_deg": 90.0, "range_m": 100.0,
        "channel_id": "37130000001310000001",
        "live_url": "rtsp://10.0.0.9/live/{camera_id}",
        "playback_url": "http://10.0.0.9/pb/{camera_id}?s={start}&e={end}",
    })
}

async fn admin_with_geography(app: &TestApp) -> String {
    let admin = app.token(Role::Admin).await;
    let mut geo = pingan_testkit::app::sample_geojson();
    geo["features"]
        .as_array_mut()
        .expect("features")
        .push(json!({
            "type": "Feature",
            "properties": {"kind": "key_road", "id": "kr-1", "name": "重点路段", "parent": "t-zg"},
            "geometry": {"type": "LineString", "coordinates": [[118.895, 35.0], [118.905, 35.0]]}
        }));
    let (s, body) = app
        .send(
            Request::put("/api/v1/geography")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .header(header::CONTENT_TYPE, "application/geo+json")
                .body(Body::from(geo.to_string()))
                .expect("request"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    admin
}

pub(crate) use pingan_testkit::problem_fields as fields;

async fn send_text(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    ct: &str,
    body: String,
) -> (StatusCode, Value) {
    app.send(
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

both!(
    registry_crud_validates_audits_and_hides_credentials,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let op = app.token(Role::Operator).await;
        let platform = json!({"id": "plat-1", "name": "海康平台", "vendor": "Hikvision", "protocol": "gbt28181",
        "address": "sip:34020000002000000001@10.0.0.2:5060", "credential_ref": "vault:video/plat-1"});
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/video/platforms",
                Some(&admin),
                Some(platform.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!(p["has_credentials"], true);
        assert!(p.get("credential_ref").is_none(), "{p}");
        let (s, list) = app
            .call(Method::GET, "/api/v1/video/platforms", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(!list.to_string().contains("vault:video"), "{list}");
        // Operators read but do not edit.
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/video/cameras",
                Some(&op),
                Some(camera("c1", 118.9, 90.0)),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let mut c1 = camera("c1", 118.9, 90.0);
        c1["platform_id"] = json!("plat-1");
        let (s, c) = app
            .call(
                Method::POST,
                "/api/v1/video/cameras",
                Some(&admin),
                Some(c1.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/video/cameras",
                Some(&admin),
                Some(c1.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "duplicate id: {p}");

        // Every bad-input class, each naming its field.
        let cases: Vec<(&str, Value, &str)> = vec![
            ("channel_id", json!("3713000000131000000"), "channel_id"),
            ("channel_id", json!("3713000000131000000A"), "channel_id"),
            ("heading_deg", json!(361.0), "heading_deg"),
            ("heading_deg", json!(-1.0), "heading_deg"),
            ("fov_deg", json!(0.0), "fov_deg"),
            ("fov_deg", json!(360.0), "fov_deg"),
            ("range_m", json!(0.0), "range_m"),
            ("range_m", json!(-5.0), "range_m"),
            ("lat", json!(95.0), "lat"),
            ("lon", json!(181.0), "lon"),
            ("platform_id", json!("nope"), "platform_id"),
            (
                "playback_url",
                json!("http://x/pb?s={strat}"),
                "playback_url",
            ),
            (
                "live_url",
                json!("rtsp://admin:secret@10.0.0.1/x"),
                "live_url",
            ),
        ];
        for (key, value, field) in cases {
            let mut body = camera("c-bad", 118.9, 90.0);
            body[key] = value.clone();
            let (s, p) = app
                .call(
                    Method::POST,
                    "/api/v1/video/cameras",
                    Some(&admin),
                    Some(body),
                )
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{key}={value}: {p}");
            assert!(fields(&p).contains(&field.to_owned()), "{key}={value}: {p}");
        }
        // PTZ cameras may have any field of view.
        let mut ptz = camera("c-ptz", 118.9, 0.0);
        ptz["ptz"] = json!(true);
        ptz["fov_deg"] = json!(360.0);
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/video/cameras",
                Some(&admin),
                Some(ptz),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");

        let mut changed = c1.clone();
        changed["name"] = json!("Renamed");
        let (s, p) = app
            .call(
                Method::PUT,
                "/api/v1/video/cameras/c1",
                Some(&admin),
                Some(changed),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let (s, got) = app
            .call(Method::GET, "/api/v1/video/cameras/c1", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(got["name"], "Renamed");
        let (s, list) = app
            .call(
                Method::GET,
                "/api/v1/video/cameras?platform=plat-1",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (s, list) = app
            .call(
                Method::GET,
                "/api/v1/video/cameras?bbox=118.89,34.99,118.91,35.01",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 2);
        let (s, _) = app
            .call(
                Method::GET,
                "/api/v1/video/cameras?bbox=1,2,3",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);

        let cp = json!({"id": "cp-1", "name": "板团路卡口", "lon": 118.91, "lat": 35.0, "lanes": 4,
        "directions": ["eastbound", "westbound"], "road_id": "r-bt"});
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/video/checkpoints",
                Some(&admin),
                Some(cp),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        let bad_cp = json!({"id": "cp-2", "name": "x", "lon": 118.91, "lat": 135.0, "lanes": 0});
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/video/checkpoints",
                Some(&admin),
                Some(bad_cp),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(fields(&p), ["lat", "lanes"], "{p}");

        let (s, _) = app
            .call(
                Method::DELETE,
                "/api/v1/video/cameras/c-ptz",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = app
            .call(
                Method::DELETE,
                "/api/v1/video/cameras/c-ptz",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Every change is in the ledger.
        let auditor = app.token(Role::Auditor).await;
        let (s, audit) = app
            .call(
                Method::GET,
                "/api/v1/audit?action=camera.",
                Some(&auditor),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{audit}");
        let text = audit.to_string();
        for action in ["camera.create", "camera.update", "camera.delete"] {
            assert!(text.contains(action), "{action} missing: {text}");
        }
        assert!(!text.contains("vault:video"));
    }
);

both!(
    imports_keep_valid_rows_and_report_each_bad_one,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let csv = "id,name,lon,lat,heading_deg,fov_deg,range_m,ptz,channel_id,playback_url\n\
        a1,East gate,118.9,35.0,90,60,80,false,37130000001310000001,http://h/pb?s={start}\n\
        a2,Bad heading,118.9,35.0,400,60,80,false,,\n\
        a3,Bad fov and range,118.9,35.0,90,360,0,false,,\n\
        a4,Bad channel,118.9,35.0,90,60,80,false,123,\n\
        a1,Duplicate,118.9,35.0,90,60,80,false,,\n\
        a5,Not a number,118.9,north,90,60,80,false,,\n\
        a6,PTZ,118.91,35.0,0,0,50,true,,\n";
        let (s, r) = send_text(
            &app,
            Method::POST,
            "/api/v1/video/cameras/import",
            &admin,
            "text/csv",
            csv.into(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["policy"], "valid_rows_kept");
        assert_eq!(r["received"], 7);
        assert_eq!(r["written"], 2, "{r}");
        let rejected = r["rejected"].as_array().unwrap();
        let rows: Vec<u64> = rejected
            .iter()
            .map(|x| x["row"].as_u64().unwrap())
            .collect();
        assert_eq!(rows, [1, 2, 3, 4, 5], "{r}");
        assert_eq!(rejected[0]["errors"][0]["field"], "heading_deg");
        let f: Vec<&str> = rejected[1]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(f, ["fov_deg", "range_m"]);
        assert_eq!(rejected[2]["errors"][0]["field"], "channel_id");
        assert_eq!(rejected[3]["errors"][0]["field"], "id");

        // GeoJSON import, then an export that imports back unchanged.
        let gj = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [118.92, 35.0]},
             "properties": {"id": "g1", "name": "G1", "heading_deg": 180, "fov_deg": 45, "range_m": 60}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[1,1],[2,2]]},
             "properties": {"id": "g2", "name": "G2", "range_m": 60}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [118.92, 35.0]},
             "properties": {"id": "g3", "name": "G3", "range_m": 60, "colour": "red"}}
        ]});
        let (s, r) = send_text(
            &app,
            Method::POST,
            "/api/v1/video/cameras/import",
            &admin,
            "application/geo+json",
            gj.to_string(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["written"], 1, "{r}");
        assert_eq!(r["rejected"][0]["errors"][0]["field"], "geometry");
        assert_eq!(r["rejected"][1]["id"], "g3");

        let (s, export) = app
            .call(
                Method::GET,
                "/api/v1/video/cameras/export",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(export["features"].as_array().unwrap().len(), 3);
        let (s, r) = send_text(
            &app,
            Method::POST,
            "/api/v1/video/cameras/import",
            &admin,
            "application/geo+json",
            export.to_string(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(r["written"], 3, "{r}");
        let (s, csv_out) = app
            .call(
                Method::GET,
                "/api/v1/video/cameras/export?format=csv",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let csv_out = csv_out.as_str().unwrap().to_owned();
        assert!(
            csv_out.starts_with("id,name,platform_id,channel_id,lon,lat"),
            "{csv_out}"
        );
        let (s, r) = send_text(
            &app,
            Method::POST,
            "/api/v1/video/cameras/import",
            &admin,
            "text/csv",
            csv_out,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(r["written"], 3, "{r}");
        assert!(r["rejected"].as_array().unwrap().is_empty(), "{r}");

        // Checkpoints as CSV with ';'-separated directions.
        let csv = "id,name,lon,lat,lanes,directions,road_id\ncp-1,Gate,118.9,35.0,4,eastbound;westbound,r-bt\ncp-2,Bad,118.9,35.0,0,,\n";
        let (s, r) = send_text(
            &app,
            Method::POST,
            "/api/v1/video/checkpoints/import",
            &admin,
            "text/csv",
            csv.into(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["written"], 1);
        assert_eq!(r["rejected"][0]["errors"][0]["field"], "lanes");
        let (_, cps) = app
            .call(Method::GET, "/api/v1/video/checkpoints", Some(&admin), None)
            .await;
        assert_eq!(cps[0]["directions"], json!(["eastbound", "westbound"]));
        // A file that is not readable changes nothing.
        let (s, _) = send_text(
            &app,
            Method::POST,
            "/api/v1/video/cameras/import",
            &admin,
            "application/geo+json",
            "{oops".into(),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, _) = send_text(
            &app,
            Method::POST,
            "/api/v1/video/cameras/import",
            &admin,
            "text/plain",
            "x".into(),
        )
        .await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
);

both!(
    cameras_seeing_a_point_nearest_first_and_coverage,
    |app: TestApp| async move {
        let admin = admin_with_geography(&app).await;
        // c-west at 118.899 looks east; c-near at 118.8995 looks east; c-away looks west (away from P).
        for (id, lon, heading) in [
            ("c-west", 118.899, 90.0),
            ("c-near", 118.8995, 90.0),
            ("c-away", 118.8995, 270.0),
        ] {
            let (s, p) = app
                .call(
                    Method::POST,
                    "/api/v1/video/cameras",
                    Some(&admin),
                    Some(camera(id, lon, heading)),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{p}");
        }
        let op = app.token(Role::Operator).await;
        let (s, seen) = app
        .call(Method::GET, "/api/v1/video/seeing?lon=118.9&lat=35.0&from=2026-05-08T10:00:00%2B08:00&to=2026-05-08T10:05:00%2B08:00", Some(&op), None)
        .await;
        assert_eq!(s, StatusCode::OK, "{seen}");
        let ids: Vec<&str> = seen
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["camera_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["c-near", "c-west"]);
        assert_eq!(seen[0]["live_url"], "rtsp://10.0.0.9/live/c-near");
        assert_eq!(
            seen[0]["playback_url"],
            "http://10.0.0.9/pb/c-near?s=2026-05-08T02:00:00Z&e=2026-05-08T02:05:00Z"
        );
        let d0 = seen[0]["distance_m"].as_f64().unwrap();
        assert!((40.0..50.0).contains(&d0), "{d0}");

        // The same through the public function the command centre calls.
        let t = Timestamp::parse_rfc3339("2026-05-08T02:00:00Z").unwrap();
        let links = http::cameras_seeing(&app.state, 118.9, 35.0, t, t.plus_seconds(60));
        assert_eq!(links.len(), 2);
        assert!(http::cameras_seeing(&app.state, 118.95, 35.05, t, t).is_empty());

        let (s, p) = app
            .call(
                Method::GET,
                "/api/v1/video/seeing?lon=190&lat=35",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        assert_eq!(fields(&p), ["lon"]);

        // Cameras within a polygon and a circle.
        let poly = json!({"polygon": {"type": "Polygon", "coordinates": [[[118.8992,34.999],[118.9,34.999],[118.9,35.001],[118.8992,35.001],[118.8992,34.999]]]}});
        let (s, inside) = app
            .call(
                Method::POST,
                "/api/v1/video/cameras/within",
                Some(&op),
                Some(poly),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{inside}");
        assert_eq!(inside.as_array().unwrap().len(), 2);
        let (s, near) = app
            .call(
                Method::POST,
                "/api/v1/video/cameras/within",
                Some(&op),
                Some(json!({"center": [118.899, 35.0], "radius_m": 10})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(near[0]["camera"]["id"], "c-west");
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/video/cameras/within",
                Some(&op),
                Some(json!({"center": [118.899, 35.0]})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);

        // Views as sectors.
        let (s, views) = app
            .call(Method::GET, "/api/v1/video/views", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(views["features"].as_array().unwrap().len(), 3);
        assert_eq!(views["features"][0]["geometry"]["type"], "Polygon");

        // Coverage: the key road runs 118.895–118.905 (≈ 913 m); the east-looking cameras cover
        // roughly 118.899–118.9006 of it.
        let (s, cov) = app
            .call(
                Method::GET,
                "/api/v1/video/coverage?min_gap_m=50&k=2",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{cov}");
        let total = cov["district"]["key_road_m"].as_f64().unwrap();
        let covered = cov["district"]["key_road_covered_m"].as_f64().unwrap();
        assert!((900.0..930.0).contains(&total), "{total}");
        assert!((150.0..260.0).contains(&covered), "{covered} of {total}");
        assert_eq!(cov["towns"][0]["town_id"], "t-zg");
        let gaps = cov["uncovered"].as_array().unwrap();
        assert_eq!(gaps.len(), 2, "{cov}");
        assert!(gaps[0]["length_m"].as_f64().unwrap() >= gaps[1]["length_m"].as_f64().unwrap());
        assert_eq!(gaps[0]["line"]["type"], "LineString");
        assert_eq!(cov["suggestions"].as_array().unwrap().len(), 2);
        let (s, _) = app
            .call(Method::GET, "/api/v1/video/coverage?k=500", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);

        // Checkpoints near a point.
        let cp = json!({"id": "cp-1", "name": "卡口", "lon": 118.901, "lat": 35.0, "lanes": 2, "road_id": "r-bt"});
        app.call(
            Method::POST,
            "/api/v1/video/checkpoints",
            Some(&admin),
            Some(cp),
        )
        .await;
        let near = http::checkpoints_near(&app.state, 118.9, 35.0, 200.0);
        assert_eq!(near.len(), 1);
        assert_eq!(near[0].road_id.as_deref(), Some("r-bt"));
        assert!(http::checkpoints_near(&app.state, 118.9, 35.0, 50.0).is_empty());

        // The index survives a restart.
        http::load_video(&app.state).await.unwrap();
        assert_eq!(http::cameras_seeing(&app.state, 118.9, 35.0, t, t).len(), 2);
    }
);

pub(crate) async fn device_key(app: &TestApp, admin: &str, id: &str, kind: &str) -> String {
    let (s, body) = app
        .call(
            Method::POST,
            "/api/v1/devices",
            Some(admin),
            Some(json!({"id": id, "kind": kind, "name": id})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["api_key"].as_str().expect("key").to_owned()
}

async fn wait_for(
    rx: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<pingan_core::event::StreamEvent>>,
    kind: &str,
    id: &str,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let e = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("event in time")
            .expect("open");
        if e.kind == kind && e.data["id"] == id {
            return e.data.clone();
        }
    }
}

both!(
    heartbeats_drive_online_offline_events_and_uptime,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let (s, _) = app
        .call(Method::POST, "/api/v1/video/platforms", Some(&admin),
            Some(json!({"id": "plat-9", "name": "P9", "protocol": "onvif", "address": "10.0.0.9"})))
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let mut c = camera("cam-9", 118.9, 90.0);
        c["platform_id"] = json!("plat-9");
        app.call(Method::POST, "/api/v1/video/cameras", Some(&admin), Some(c))
            .await;
        pingan_video::service::video(&app.state).set_health_settings(HealthSettings {
            interval_s: 10,
            missed_beats: 3,
        });
        let key = device_key(&app, &admin, "plat-9", "platform").await;
        let mut rx = app.state.hub.subscribe();

        let beat = |at: Option<String>| {
            let mut body = json!({"cameras": ["cam-9", "not-mine"]});
            if let Some(a) = at {
                body["at"] = json!(a);
            }
            Request::post("/api/v1/ingest/heartbeat")
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let now = app.state.now();
        let (s, b) = app
            .send(beat(Some(now.minus_seconds(20).to_rfc3339())))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        wait_for(&mut rx, "device.online", "cam-9").await;
        let (s, _) = app
            .send(beat(Some(now.minus_seconds(10).to_rfc3339())))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        // The third beat names the test's own `now`, so the sweeps below are exact however long
        // the machine took to get here (a beat without `at` is checked at the end).
        let (s, _) = app.send(beat(Some(now.to_rfc3339()))).await;
        assert_eq!(s, StatusCode::NO_CONTENT);

        let op = app.token(Role::Operator).await;
        let (s, h) = app
            .call(Method::GET, "/api/v1/video/health", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{h}");
        assert_eq!(h["online"], 2, "{h}");

        // Nothing for 31 s (three missed 10 s beats): the sweep marks both offline.
        let gone = health::sweep_offline(&app.state, now.plus_seconds(31))
            .await
            .unwrap();
        assert_eq!(gone.len(), 2);
        wait_for(&mut rx, "device.offline", "cam-9").await;
        wait_for(&mut rx, "device.offline", "plat-9").await;
        assert!(health::sweep_offline(&app.state, now.plus_seconds(40))
            .await
            .unwrap()
            .is_empty());

        // The beats span [now - 20 s, now], which may straddle a UTC midnight: ask for both
        // days and add them up.
        let first = pingan_video::domain::registry::utc_day(now.minus_seconds(20));
        let last = pingan_video::domain::registry::utc_day(now);
        let (s, up) = app
            .call(
                Method::GET,
                &format!("/api/v1/video/uptime?from={first}&to={last}"),
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{up}");
        let cam: Vec<&serde_json::Value> = up["devices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["id"] == "cam-9")
            .collect();
        let online_s: i64 = cam.iter().map(|d| d["online_s"].as_i64().unwrap()).sum();
        let beats: i64 = cam.iter().map(|d| d["beats"].as_i64().unwrap()).sum();
        // Two gaps of 10 s each, three beats.
        assert!(online_s <= 20 && beats == 3, "{up}");
        assert_eq!(up["platforms"][0]["platform_id"], "plat-9");
        assert_eq!(up["platforms"][0]["cameras"], 1);
        let (s, _) = app
            .call(
                Method::GET,
                "/api/v1/video/uptime?from=yesterday",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        // A beat without `at` is stamped with the server's time.
        let (s, _) = app.send(beat(None)).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
);

both!(
    exports_carry_no_formulas_and_import_back_unchanged,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let names = [
            "=HYPERLINK(\"http://evil.invalid\",\"click\")",
            "=cmd|' /C calc'!A0",
            "+86 138 0000 0000",
            "@SUM(A1:A9)",
            "-danger",
            "'already quoted",
        ];
        for (i, name) in names.iter().enumerate() {
            let (s, r) = app
                .call(
                    Method::POST,
                    "/api/v1/video/cameras",
                    Some(&admin),
                    Some(
                        json!({"id": format!("inj-{i}"), "name": name, "lon": 118.9, "lat": 35.0,
                                "heading_deg": 90, "fov_deg": 60, "range_m": 80, "owner": name}),
                    ),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{r}");
        }
        let (s, csv_out) = app
            .call(
                Method::GET,
                "/api/v1/video/cameras/export?format=csv",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let csv_out = csv_out.as_str().unwrap().to_owned();
        let mut reader = csv::Reader::from_reader(csv_out.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
                    && cell.parse::<f64>().is_err();
                assert!(!risky, "a spreadsheet would run {cell:?}");
            }
        }
        // The export imports back to the same names.
        let (s, r) = send_text(
            &app,
            Method::POST,
            "/api/v1/video/cameras/import",
            &admin,
            "text/csv",
            csv_out,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["written"], names.len(), "{r}");
        for (i, name) in names.iter().enumerate() {
            let (s, c) = app
                .call(
                    Method::GET,
                    &format!("/api/v1/video/cameras/inj-{i}"),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{c}");
            assert_eq!(c["name"], *name);
            assert_eq!(c["owner"], *name);
        }
    }
);

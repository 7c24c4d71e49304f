//! The command centre's incidents: lifecycle, dispatch conflicts, recommendations, contact,
//! figures and bad input.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_command::domain::records::CommandStore;
use pingan_command::domain::unit::{Fix, UnitId};
use pingan_core::access::Role;
use pingan_testkit::both;
use serde_json::{json, Value};

/// The sample district plus roads for routing: a north–south arterial at 118.95 joining the
/// county road, a village spur at 118.93 (a dead end that joins the county road far south), and
/// nothing in the north-east corner.
pub fn routing_geojson() -> Value {
    let mut g = pingan_testkit::app::sample_geojson();
    let roads = g["features"].as_array_mut().expect("features");
    roads.push(json!({"type": "Feature", "properties": {"kind": "road", "id": "r-ns", "name": "南北大道", "road_class": "arterial"},
        "geometry": {"type": "LineString", "coordinates": [[118.95,35.00],[118.95,35.08]]}}));
    roads.push(json!({"type": "Feature", "properties": {"kind": "road", "id": "r-spur", "name": "村道", "road_class": "village"},
        "geometry": {"type": "LineString", "coordinates": [[118.93,35.00],[118.93,35.06]]}}));
    g
}

pub async fn import(app: &TestApp, geojson: Value) {
    let admin = app.token(Role::Admin).await;
    let (s, body) = app
        .send(
            Request::put("/api/v1/geography")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .header(header::CONTENT_TYPE, "application/geo+json")
                .body(Body::from(geojson.to_string()))
                .expect("request"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

pub async fn create_unit(app: &TestApp, op: &str, id: &str) -> Value {
    let (s, body) = app
        .call(
            Method::POST,
            "/api/v1/units",
            Some(op),
            Some(json!({"id": id, "call_sign": format!("巡逻{id}"), "kind": "car", "crew": ["张伟", "李娜"], "agency": "城关派出所"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body
}

async fn create_incident(app: &TestApp, op: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::POST, "/api/v1/incidents", Some(op), Some(body))
        .await
}

fn theft_at(lon: f64, lat: f64) -> Value {
    json!({"type": "theft.ebike_motorcycle", "source": "phone_110", "priority": 2, "lon": lon, "lat": lat,
           "description": "电动车被盗", "caller": {"name": "王先生", "phone": "138 0000 0000"}})
}

async fn act(app: &TestApp, op: &str, id: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/incidents/{id}/transitions"),
        Some(op),
        Some(body),
    )
    .await
}

both!(
    the_lifecycle_runs_and_refuses_illegal_steps,
    |app: TestApp| async move {
        import(&app, pingan_testkit::app::sample_geojson()).await;
        let op = app.token(Role::Operator).await;
        create_unit(&app, &op, "car-1").await;
        let (s, created) = create_incident(&app, &op, theft_at(118.95, 35.001)).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let inc = &created["incident"];
        let id = inc["id"].as_str().unwrap().to_owned();
        assert_eq!(inc["state"], "received");
        assert_eq!(inc["type"], "theft.ebike_motorcycle");
        assert_eq!(inc["location"]["inside_district"], true);
        assert_eq!(inc["location"]["town_id"], "t-zg");
        assert_eq!(inc["location"]["grid_id"], "g-002");
        assert_eq!(inc["location"]["road_id"], "r-bt");
        assert_eq!(inc["has_contact"], true);
        assert!(
            created.to_string().find("138 0000").is_none(),
            "contact leaked: {created}"
        );
        assert!(created["cameras"].is_array() && created["checkpoints"].is_array());

        // Illegal: clearing what nobody reached; en route without a unit.
        let (s, p) = act(&app, &op, &id, json!({"action": "clear"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["code"], "illegal_transition");
        assert!(
            p["current"]["reason"].as_str().unwrap().contains("cancel"),
            "{p}"
        );
        assert_eq!(p["current"]["reason_code"], "not_on_scene", "{p}");
        let (s, p) = act(&app, &op, &id, json!({"action": "en_route"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["current"]["reason_code"], "no_unit", "{p}");
        let (s, p) = act(&app, &op, &id, json!({"action": "dispatch"})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        assert_eq!(p["errors"][0]["field"], "unit_id");

        let (s, v) = act(
            &app,
            &op,
            &id,
            json!({"action": "dispatch", "unit_id": "car-1"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["incident"]["state"], "dispatched");
        assert_eq!(v["incident"]["units"], json!(["car-1"]));
        assert_eq!(v["units"][0]["status"], "dispatched");
        assert!(v["incident"]["times"]["dispatched_at"].is_i64());
        for (action, state, unit) in [
            ("en_route", "en_route", "en_route"),
            ("on_scene", "on_scene", "on_scene"),
            ("clear", "cleared", "available"),
        ] {
            let (s, v) = act(&app, &op, &id, json!({"action": action})).await;
            assert_eq!(s, StatusCode::OK, "{action}: {v}");
            assert_eq!(v["incident"]["state"], state);
            if unit == "available" {
                assert_eq!(v["incident"]["units"], json!([]));
            } else {
                assert_eq!(v["units"][0]["status"], unit);
            }
        }
        let (s, u) = app
            .call(Method::GET, "/api/v1/units/car-1", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(u["status"], "available");
        assert!(u["incident_id"].is_null());

        let (s, _) = act(&app, &op, &id, json!({"action": "close"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, p) = act(
            &app,
            &op,
            &id,
            json!({"action": "dispatch", "unit_id": "car-1"}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["code"], "illegal_transition");
        let (s, p) = act(&app, &op, &id, json!({"action": "reopen"})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        assert_eq!(p["errors"][0]["field"], "reason");
        let (s, v) = act(
            &app,
            &op,
            &id,
            json!({"action": "reopen", "reason": "嫌疑人再次出现"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["incident"]["state"], "reopened");
        let (s, v) = act(
            &app,
            &op,
            &id,
            json!({"action": "cancel", "reason": "报警人撤回"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["incident"]["state"], "cancelled");

        // The timeline holds every step; notes and attachments are added beside them.
        let (s, tl) = app
        .call(Method::POST, &format!("/api/v1/incidents/{id}/timeline"), Some(&op),
            Some(json!({"kind": "attachment", "link": "https://video.example/clip/1", "text": "监控截图"})))
        .await;
        assert_eq!(s, StatusCode::CREATED, "{tl}");
        let (s, p) = app
            .call(
                Method::POST,
                &format!("/api/v1/incidents/{id}/timeline"),
                Some(&op),
                Some(json!({"kind": "note"})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        let (s, v) = app
            .call(
                Method::GET,
                &format!("/api/v1/incidents/{id}"),
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let kinds: Vec<String> = v["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["kind"].as_str().unwrap(),
                    e["to_state"].as_str().unwrap_or("-")
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "transition:received",
                "transition:dispatched",
                "transition:en_route",
                "transition:on_scene",
                "transition:cleared",
                "transition:closed",
                "transition:reopened",
                "transition:cancelled",
                "attachment:-"
            ]
        );

        // Every change is in the audit ledger.
        let entries = pingan_core::ports::AuditStore::audit_page(
            &app.state.store,
            &pingan_core::ports::AuditFilter {
                object_id: Some(id.clone()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        for a in [
            "incident.create",
            "incident.dispatch",
            "incident.clear",
            "incident.reopen",
            "incident.cancel",
            "incident.attachment",
        ] {
            assert!(actions.contains(&a), "{a} missing from {actions:?}");
        }

        // The queue lists open incidents only; the analyst may read but not write.
        let analyst = app.token(Role::Analyst).await;
        let (s, list) = app
            .call(
                Method::GET,
                "/api/v1/incidents?open=false",
                Some(&analyst),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (s, list) = app
            .call(Method::GET, "/api/v1/incidents", Some(&analyst), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 0);
        let (s, _) = act(
            &app,
            &analyst,
            &id,
            json!({"action": "reopen", "reason": "x"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);

both!(
    two_dispatches_of_one_unit_let_one_through,
    |app: TestApp| async move {
        let op1 = app.token(Role::Operator).await;
        let op2 = app.token(Role::Operator).await;
        create_unit(&app, &op1, "car-7").await;
        let (_, a) = create_incident(&app, &op1, theft_at(118.9, 35.0)).await;
        let (_, b) = create_incident(&app, &op2, theft_at(118.91, 35.01)).await;
        let (a, b) = (
            a["incident"]["id"].as_str().unwrap().to_owned(),
            b["incident"]["id"].as_str().unwrap().to_owned(),
        );
        // Both operators saw version 1 of the unit.
        let body = json!({"action": "dispatch", "unit_id": "car-7", "unit_version": 1});
        let (r1, r2) = tokio::join!(
            act(&app, &op1, &a, body.clone()),
            act(&app, &op2, &b, body.clone())
        );
        let statuses = [r1.0, r2.0];
        assert!(
            statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT),
            "{r1:?} {r2:?}"
        );
        let loser = if r1.0 == StatusCode::CONFLICT {
            &r1.1
        } else {
            &r2.1
        };
        assert_eq!(loser["code"], "conflict", "{loser}");
        assert_eq!(loser["current"]["unit"]["status"], "dispatched", "{loser}");
        let winner_id = if r1.0 == StatusCode::OK { &a } else { &b };
        assert_eq!(
            loser["current"]["unit"]["incident_id"],
            winner_id.as_str(),
            "{loser}"
        );

        // A stale incident version is refused with the incident as it is now.
        let (s, p) = act(
            &app,
            &op1,
            winner_id,
            json!({"action": "en_route", "expected_version": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["current"]["incident"]["state"], "dispatched");
        assert_eq!(p["current"]["incident"]["version"], 2);
    }
);

both!(
    recommendations_rank_by_road_time,
    |app: TestApp| async move {
        import(&app, routing_geojson()).await;
        let op = app.token(Role::Operator).await;
        for id in ["q", "p", "x", "busy", "nofix"] {
            create_unit(&app, &op, id).await;
        }
        let now = app.state.now();
        // q: on the arterial 4.4 km south. p: on the spur 1.8 km west as the crow flies, but 15 km
        // by road. x: off every road, 4.8 km away. busy: right at the scene but busy.
        for (id, lon, lat) in [
            ("q", 118.95, 35.02),
            ("p", 118.93, 35.06),
            ("x", 118.99, 35.09),
            ("busy", 118.95, 35.06),
        ] {
            let fix = Fix {
                at: now,
                lon,
                lat,
                speed_kmh: None,
                heading_deg: None,
                accuracy_m: None,
            };
            app.state
                .store
                .record_fixes(&UnitId::new(id), &[fix], now)
                .await
                .unwrap();
        }
        let (s, _) = app
            .call(
                Method::PUT,
                "/api/v1/units/busy/status",
                Some(&op),
                Some(json!({"status": "busy"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, created) = create_incident(&app, &op, theft_at(118.95, 35.06)).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        assert_eq!(created["incident"]["location"]["road_id"], "r-ns");
        let id = created["incident"]["id"].as_str().unwrap();
        let (s, recs) = app
            .call(
                Method::GET,
                &format!("/api/v1/incidents/{id}/recommendations"),
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{recs}");
        let order: Vec<&str> = recs
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["unit"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(order, ["q", "x", "p"], "{recs}");
        assert_eq!(recs[0]["off_network"], false);
        assert_eq!(recs[1]["off_network"], true);
        assert_eq!(recs[2]["off_network"], false);
        let (eq, ep) = (
            recs[0]["eta_s"].as_f64().unwrap(),
            recs[2]["eta_s"].as_f64().unwrap(),
        );
        assert!(eq > 250.0 && eq < 450.0, "{recs}");
        assert!(ep > 1000.0, "{recs}");
        assert!(recs[2]["straight_m"].as_f64().unwrap() < recs[0]["straight_m"].as_f64().unwrap());
    }
);

both!(
    the_caller_contact_needs_a_purpose,
    |app: TestApp| async move {
        let op = app.token(Role::Operator).await;
        let (_, created) = create_incident(&app, &op, theft_at(118.9, 35.0)).await;
        let id = created["incident"]["id"].as_str().unwrap().to_owned();
        let (s, p) = app
            .call(
                Method::GET,
                &format!("/api/v1/incidents/{id}/contact"),
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        let (s, p) = app
            .call(
                Method::GET,
                &format!("/api/v1/incidents/{id}/contact?purpose=incident_response"),
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        // The reference must be an incident on record: a made-up one is refused, naming the
        // field, and the attempt is in the ledger.
        for made_up in ["INC-doesnotexist", "CASE-2026-0001"] {
            let (s, p) = app
                .call(
                    Method::GET,
                    &format!(
                        "/api/v1/incidents/{id}/contact?purpose=incident_response&reference={made_up}"
                    ),
                    Some(&op),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
            assert_eq!(p["errors"][0]["field"], "reference", "{p}");
            assert!(
                p["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains(made_up),
                "{p}"
            );
        }
        let denied = pingan_core::ports::AuditStore::audit_page(
            &app.state.store,
            &pingan_core::ports::AuditFilter {
                action_prefix: Some("access.denied".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(
            denied
                .iter()
                .any(|e| e.reference.as_deref() == Some("INC-doesnotexist")),
            "{denied:?}"
        );
        let url =
            format!("/api/v1/incidents/{id}/contact?purpose=incident_response&reference={id}");
        let (s, c) = app.call(Method::GET, &url, Some(&op), None).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["phone"], "138 0000 0000");
        let analyst = app.token(Role::Analyst).await;
        let (s, _) = app.call(Method::GET, &url, Some(&analyst), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let entries = pingan_core::ports::AuditStore::audit_page(
            &app.state.store,
            &pingan_core::ports::AuditFilter {
                action_prefix: Some("incident.contact".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].reference.as_deref(), Some(id.as_str()));
    }
);

both!(
    figures_by_priority_town_and_hour_with_csv,
    |app: TestApp| async move {
        import(&app, pingan_testkit::app::sample_geojson()).await;
        let op = app.token(Role::Operator).await;
        create_unit(&app, &op, "car-f").await;
        let mut body = theft_at(118.95, 35.0);
        body["priority"] = json!(1);
        let (_, a) = create_incident(&app, &op, body).await;
        let a = a["incident"]["id"].as_str().unwrap().to_owned();
        create_incident(&app, &op, json!({"type": "fire", "source": "walk_in", "priority": 1, "lon": 118.85, "lat": 35.05})).await;
        for step in [
            json!({"action": "dispatch", "unit_id": "car-f"}),
            json!({"action": "on_scene"}),
        ] {
            let (s, v) = act(&app, &op, &a, step).await;
            assert_eq!(s, StatusCode::OK, "{v}");
        }
        let analyst = app.token(Role::Analyst).await;
        let (s, f) = app
            .call(
                Method::GET,
                "/api/v1/incidents/figures",
                Some(&analyst),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!(f["incidents"], 2);
        let p1 = f["response"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["group"] == "priority" && r["key"] == "1")
            .unwrap();
        assert_eq!(p1["incidents"], 2);
        assert_eq!(p1["dispatched"], 1);
        assert_eq!(p1["arrived"], 1);
        assert!(f["response"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["group"] == "town" && r["key"] == "t-zg"));
        assert!(f["response"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["group"] == "hour"));
        assert_eq!(f["counts"].as_array().unwrap().len(), 2);
        let resp = app
            .send_raw(
                Request::get("/api/v1/incidents/figures.csv")
                    .header(header::AUTHORIZATION, format!("Bearer {analyst}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(text.starts_with("section,group,key"), "{text}");
        assert!(text.contains("火灾"), "{text}");
        let (s, p) = app
            .call(
                Method::GET,
                "/api/v1/incidents/figures?from=yesterday",
                Some(&analyst),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    }
);

both!(
    bad_incident_input_is_a_clear_400_never_a_5xx,
    |app: TestApp| async move {
        import(&app, pingan_testkit::app::sample_geojson()).await;
        let op = app.token(Role::Operator).await;
        let base = theft_at(118.9, 35.0);
        let cases: Vec<(Value, &str)> = vec![
            (json!({"type": "volcano"}), "type"),
            (json!({"type": "theft"}), "type"),
            (json!({"priority": 0}), "priority"),
            (json!({"priority": 5}), "priority"),
            (json!({"priority": "high"}), "priority"),
            (json!({"source": "pigeon"}), "source"),
            (json!({"lon": 200.0}), "lon"),
            (json!({"lat": -95.0}), "lat"),
            (
                json!({"caller": {"phone": "call me maybe"}}),
                "caller.phone",
            ),
            (
                json!({"received_at": "2999-01-01T00:00:00Z"}),
                "received_at",
            ),
            (json!({"colour": "red"}), "body"),
        ];
        for (patch, field) in cases {
            let mut body = base.clone();
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (s, p) = create_incident(&app, &op, body.clone()).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {p}");
            if field != "body" {
                assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
            }
        }
        // A point outside the district is accepted and flagged, with no town.
        let (s, v) = create_incident(&app, &op, theft_at(120.5, 36.0)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["incident"]["location"]["inside_district"], false);
        assert!(v["incident"]["location"]["town_id"].is_null());
        assert!(
            v["incident"]["location"]["road_id"].is_null(),
            "a road 100 km away is not near: {v}"
        );
        let id = v["incident"]["id"].as_str().unwrap();
        for (method, path, body) in [
            (
                Method::GET,
                "/api/v1/incidents/INC-nothing".to_owned(),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/incidents/{id}/transitions"),
                Some(json!({"action": "teleport"})),
            ),
            (
                Method::POST,
                format!("/api/v1/incidents/{id}/transitions"),
                Some(json!({"action": "dispatch", "unit_id": "ghost"})),
            ),
            (
                Method::POST,
                format!("/api/v1/incidents/{id}/transitions"),
                Some(json!({"action": "clear", "unit_id": "ghost"})),
            ),
            (
                Method::PATCH,
                format!("/api/v1/incidents/{id}"),
                Some(json!({"priority": 9})),
            ),
            (Method::GET, "/api/v1/incidents?state=lost".to_owned(), None),
            (Method::GET, "/api/v1/incidents?limit=-3".to_owned(), None),
        ] {
            let (s, p) = app
                .call(method.clone(), &path, Some(&op), body.clone())
                .await;
            assert!(s.is_client_error(), "{method} {path} {body:?}: {s} {p}");
        }
        let (s, v) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/incidents/{id}"),
                Some(&op),
                Some(json!({"priority": 1, "type": "robbery"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["type"], "robbery");
        let (s, types) = app
            .call(Method::GET, "/api/v1/incident-types", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(types
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == "theft.pickpocketing" && t["label_zh"] == "扒窃"));
    }
);

both!(
    incidents_list_the_cameras_that_see_them,
    |app: TestApp| async move {
        import(&app, pingan_testkit::app::sample_geojson()).await;
        let admin = app.token(Role::Admin).await;
        let camera = json!({"id": "cam-1", "name": "板团路口", "lon": 118.9, "lat": 35.0, "heading_deg": 90.0,
        "fov_deg": 90.0, "range_m": 100.0, "channel_id": "37130000001310000001",
        "live_url": "rtsp://10.0.0.9/live/{camera_id}", "playback_url": "http://10.0.0.9/pb/{camera_id}?s={start}&e={end}"});
        let (s, c) = app
            .call(
                Method::POST,
                "/api/v1/video/cameras",
                Some(&admin),
                Some(camera),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let op = app.token(Role::Operator).await;
        let (s, v) = create_incident(&app, &op, theft_at(118.9005, 35.0)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["cameras"][0]["camera_id"], "cam-1", "{v}");
        assert!(
            v["cameras"][0]["playback_url"]
                .as_str()
                .unwrap_or("")
                .contains("cam-1"),
            "{v}"
        );
        let (_, far) = create_incident(&app, &op, theft_at(118.95, 35.05)).await;
        assert_eq!(far["cameras"], json!([]), "{far}");
    }
);

both!(
    the_store_lets_one_of_two_changes_through,
    |app: TestApp| async move {
        use pingan_command::domain::incident::{IncidentId, IncidentState};
        use pingan_command::domain::records::{IncidentChange, UnitChange};
        use pingan_command::domain::unit::UnitStatus;
        let op = app.token(Role::Operator).await;
        create_unit(&app, &op, "car-s").await;
        let (_, a) = create_incident(&app, &op, theft_at(118.9, 35.0)).await;
        let id = IncidentId::new(a["incident"]["id"].as_str().unwrap());
        let incident = app.state.store.incident(&id).await.unwrap().unwrap();
        let mut change = IncidentChange::from_incident(&incident, app.state.now());
        change.state = IncidentState::Dispatched;
        change.units.push(UnitChange {
            unit_id: UnitId::new("car-s"),
            expected_version: 1,
            status: UnitStatus::Dispatched,
            incident_id: Some(id.clone()),
        });
        app.state
            .store
            .apply_incident_change(&change, vec![pingan_testkit::entry("test")])
            .await
            .unwrap();
        // The same decision again is based on versions that moved: nothing changes.
        let e = app
            .state
            .store
            .apply_incident_change(&change, vec![pingan_testkit::entry("test")])
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                pingan_core::StoreError::Conflict {
                    what: "incident",
                    ..
                }
            ),
            "{e}"
        );
        change.expected_version = 2;
        let e = app
            .state
            .store
            .apply_incident_change(&change, vec![pingan_testkit::entry("test")])
            .await
            .unwrap_err();
        assert!(
            matches!(e, pingan_core::StoreError::Conflict { what: "unit", .. }),
            "{e}"
        );
        let after = app.state.store.incident(&id).await.unwrap().unwrap();
        assert_eq!(after.version, 2, "the failed change rolled back");
        assert_eq!(
            app.state.store.timeline(&id).await.unwrap().len(),
            1,
            "only the creation entry"
        );
    }
);

#[test]
fn the_documentation_carries_the_taxonomy_table() {
    let notes = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/command-centre.md"
    ))
    .expect("docs/command-centre.md");
    let table = pingan_command::domain::incident::IncidentType::taxonomy_markdown();
    assert!(
        notes.contains(&table),
        "docs/command-centre.md's taxonomy differs from the code:\n{table}"
    );
}

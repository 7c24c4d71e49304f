//! The officer's side: duty, positions from the phone, visits confirmed from GPS (done, partial,
//! missed), field logs with corrections, and the figures.

use crate::support::*;
use axum::http::{Method, StatusCode};
use pingan_core::access::Role;
use pingan_core::Timestamp;
use pingan_testkit::both;
use serde_json::{json, Value};

async fn on_duty(app: &TestApp, officer: &str, unit: &str) -> Value {
    let (s, day) = app
        .call(
            Method::POST,
            "/api/v1/patrols/duty",
            Some(officer),
            Some(json!({"unit_id": unit})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{day}");
    day
}

/// Fixes every 20 s from `from` to `to` at `(lon, lat)`, in batches the API takes.
async fn stay(
    app: &TestApp,
    officer: &str,
    (lon, lat): (f64, f64),
    from: Timestamp,
    to: Timestamp,
) {
    let mut t = from;
    let mut fixes = Vec::new();
    while t <= to {
        fixes.push(json!({"at": t.to_rfc3339(), "lon": lon, "lat": lat, "accuracy_m": 8.0}));
        t = t.plus_seconds(20);
    }
    for chunk in fixes.chunks(400) {
        let (s, r) = app
            .call(
                Method::POST,
                "/api/v1/patrols/me/position",
                Some(officer),
                Some(json!({"fixes": chunk})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["refused"], 0, "{r}");
    }
}

both!(
    a_visit_is_confirmed_from_the_phone_s_gps_alone,
    |app: TestApp| async move {
        let op = app.token(Role::Operator).await;
        car(&app, &op, "car-1").await;
        let officer = app.token(Role::Officer).await;
        // Signing on comes first.
        let (s, refused) = app
            .call(
                Method::POST,
                "/api/v1/patrols/me/position",
                Some(&officer),
                Some(json!({"at": now(&app).to_rfc3339(), "lon": MARKET.0, "lat": MARKET.1})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{refused}");
        assert_eq!(refused["code"], "not_on_duty");
        on_duty(&app, &officer, "car-1").await;
        // The car was last seen at the market an hour ago (outside every stop's window); the plan
        // sends it from there to the market and the shop.
        let now = now(&app);
        stay(
            &app,
            &officer,
            MARKET,
            now.minus_seconds(3600),
            now.minus_seconds(3580),
        )
        .await;
        let plan = draft(
            &app,
            &op,
            plan_request(&["car-1"], now, now.plus_seconds(3 * 3600)),
        )
        .await;
        publish(&app, &op, &plan).await;
        let (s, day) = app
            .call(Method::GET, "/api/v1/patrols/me", Some(&officer), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{day}");
        let visits = day["visits"].as_array().unwrap();
        assert!(!visits.is_empty(), "{day}");
        assert_eq!(day["next"], 0);
        let first = &visits[0];
        let spot = (
            first["lon"].as_f64().unwrap(),
            first["lat"].as_f64().unwrap(),
        );
        // Ten minutes and more inside the first spot's area, reported by the phone (in the past:
        // the visit's window reaches back by the slack).
        stay(
            &app,
            &officer,
            spot,
            now.minus_seconds(13 * 60),
            now.minus_seconds(2 * 60),
        )
        .await;
        // Then it drives away (two minutes later it is far off: the stay has ended).
        stay(&app, &officer, (118.82, 35.0), now.minus_seconds(40), now).await;
        pingan_patrols::service::dwell::on_position(&app.state, "car-1", now)
            .await
            .unwrap();
        let (_, day) = app
            .call(Method::GET, "/api/v1/patrols/me", Some(&officer), None)
            .await;
        let first = &day["visits"][0];
        assert_eq!(first["status"], "done", "{first}");
        assert!(first["longest_stay_s"].as_i64().unwrap() >= 600, "{first}");
        assert_eq!(first["final"], false);
        assert_ne!(
            day["next"], 0,
            "the next visit moves on once one is done: {day}"
        );
        // The evaluation sees the confirmed visit in its dwell band, and the spot as visited.
        let (s, effect) = app
            .call(Method::GET, "/api/v1/patrols/effect", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{effect}");
        let band = effect["koper"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["from_min"] == 10)
            .unwrap();
        assert_eq!(band["visits"], 1, "{effect}");
        assert_eq!(band["curve"][0]["s"], 1.0);
        assert!(
            effect["did"]["treated_spots"].as_u64().unwrap() >= 1,
            "{effect}"
        );
        let (s, bad) = app
            .call(
                Method::GET,
                "/api/v1/patrols/effect?from=2020-01-01T00:00:00Z",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(field_of(&bad), "from");
        // Tactics used on it are recorded and audited; unknown ones are refused by name.
        let (s, v) = app.call(Method::PUT, "/api/v1/patrols/me/tactics", Some(&officer),
        Some(json!({"plan_id": plan["id"], "seq": 0, "tactics": ["visible_presence", "talk_to_shopkeepers"]}))).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            v["tactics_used"],
            json!(["visible_presence", "talk_to_shopkeepers"])
        );
        let (s, bad) = app
            .call(
                Method::PUT,
                "/api/v1/patrols/me/tactics",
                Some(&officer),
                Some(json!({"plan_id": plan["id"], "seq": 0, "tactics": ["karaoke"]})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(field_of(&bad), "tactics[0]");
    }
);

both!(passed_visits_get_their_verdict, |app: TestApp| async move {
    let op = app.token(Role::Operator).await;
    car(&app, &op, "car-1").await;
    let now = now(&app);
    // A shift that began three hours ago and is about to end: its early visits have passed.
    let mut req = plan_request(
        &["car-1"],
        now.minus_seconds(3 * 3600),
        now.plus_seconds(600),
    );
    req["key_places"] = json!(false);
    let plan = draft(&app, &op, req).await;
    publish(&app, &op, &plan).await;
    pingan_patrols::service::dwell::sweep(&app.state)
        .await
        .unwrap();
    let id = plan["id"].as_str().unwrap();
    let (_, visits) = app
        .call(
            Method::GET,
            &format!("/api/v1/patrols/visits?plan={id}"),
            Some(&op),
            None,
        )
        .await;
    let visits = visits.as_array().unwrap();
    assert!(
        visits
            .iter()
            .any(|v| v["status"] == "missed" && v["final"] == true),
        "{visits:?}"
    );
    assert!(visits.iter().all(|v| v["status"] != "done"));
});

both!(
    field_logs_are_checked_placed_corrected_and_counted,
    |app: TestApp| async move {
        let op = app.token(Role::Operator).await;
        car(&app, &op, "car-1").await;
        car(&app, &op, "car-2").await;
        let officer = app.token(Role::Officer).await;
        let (s, not_yet) = app.call(Method::POST, "/api/v1/patrols/logs", Some(&officer),
        Some(json!({"kind": "service", "detail": {"service": "directions"}, "lon": MARKET.0, "lat": MARKET.1}))).await;
        assert_eq!(s, StatusCode::CONFLICT, "{not_yet}");
        on_duty(&app, &officer, "car-1").await;
        let (s, log) = app.call(Method::POST, "/api/v1/patrols/logs", Some(&officer),
        Some(json!({"kind": "service", "detail": {"service": "lost_child"}, "lon": MARKET.0, "lat": MARKET.1}))).await;
        assert_eq!(s, StatusCode::CREATED, "{log}");
        assert_eq!(log["grid_id"], "g-001");
        assert_eq!(log["town_id"], "t-zg");
        let (s, _) = app.call(Method::POST, "/api/v1/patrols/logs", Some(&officer),
        Some(json!({"kind": "mediation", "detail": {"parties": 3, "dispute": "neighbours", "outcome": "resolved"}, "lon": SHOP.0, "lat": SHOP.1}))).await;
        assert_eq!(s, StatusCode::CREATED);
        // A correction replaces the first log in the figures.
        let (s, fixed) = app.call(Method::POST, "/api/v1/patrols/logs", Some(&officer),
        Some(json!({"kind": "service", "detail": {"service": "elderly_help"}, "lon": MARKET.0, "lat": MARKET.1, "corrects": log["id"]}))).await;
        assert_eq!(s, StatusCode::CREATED, "{fixed}");
        let bad = [
            (
                json!({"kind": "mediation", "detail": {"parties": 1, "dispute": "family", "outcome": "resolved"}}),
                "detail.parties",
            ),
            (
                json!({"kind": "service", "detail": {"service": "directions", "parties": 2}}),
                "detail.parties",
            ),
            (
                json!({"kind": "stop_check", "detail": {"outcome": "detained", "reason": "suspicious_goods"}}),
                "detail.reference",
            ),
            (
                json!({"kind": "service", "detail": {"service": "directions"}, "lat": 35.0}),
                "lon",
            ),
            (
                json!({"kind": "service", "detail": {"service": "directions"}, "at": "2999-01-01T00:00:00Z", "lon": 118.9, "lat": 35.0}),
                "at",
            ),
            (
                json!({"kind": "service", "detail": {"service": "directions"}, "lon": 118.9, "lat": 35.0, "corrects": "PL-none"}),
                "corrects",
            ),
            (
                json!({"kind": "service", "detail": {"service": "directions"}, "lon": 118.9, "lat": 35.0, "plan_id": "PP-1", "visit_seq": 0}),
                "",
            ),
            (json!({"kind": "singing"}), "kind"),
        ];
        for (body, field) in bad {
            let (s, p) = app
                .call(
                    Method::POST,
                    "/api/v1/patrols/logs",
                    Some(&officer),
                    Some(body.clone()),
                )
                .await;
            assert!(
                s == StatusCode::BAD_REQUEST || s == StatusCode::NOT_FOUND,
                "{body} → {s} {p}"
            );
            if !field.is_empty() {
                assert_eq!(field_of(&p), field, "{body} → {p}");
            }
        }
        // Another unit's log cannot be corrected from this duty.
        let other = app.token(Role::Officer).await;
        on_duty(&app, &other, "car-2").await;
        let (s, p) = app.call(Method::POST, "/api/v1/patrols/logs", Some(&other),
        Some(json!({"kind": "service", "detail": {"service": "directions"}, "lon": 118.9, "lat": 35.0, "corrects": fixed["id"]}))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        assert_eq!(field_of(&p), "corrects");
        // The figures: two services written, one corrected, so one service and one mediation.
        let (s, f) = app
            .call(Method::GET, "/api/v1/patrols/figures", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!(f["total"]["logs"]["service"], 1, "{f}");
        assert_eq!(f["total"]["logs"]["mediation"], 1, "{f}");
        assert!(f["total"]["patrol_hours"].as_f64().unwrap() >= 0.0);
        let (s, f) = app
            .call(
                Method::GET,
                "/api/v1/patrols/figures?town=t-zg&by=month",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!(f["total"]["logs"]["mediation"], 1, "{f}");
        let (s, f) = app
            .call(
                Method::GET,
                "/api/v1/patrols/figures?by=year",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(field_of(&f), "by");
        let analyst = app.token(Role::Analyst).await;
        let (s, _) = app
            .call(Method::GET, "/api/v1/patrols/logs", Some(&analyst), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/patrols/logs",
                Some(&analyst),
                Some(json!({"kind": "service", "detail": {"service": "directions"}})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);

both!(
    the_officer_moves_the_unit_s_assignment_through_its_steps,
    |app: TestApp| async move {
        let op = app.token(Role::Operator).await;
        car(&app, &op, "car-1").await;
        let officer = app.token(Role::Officer).await;
        on_duty(&app, &officer, "car-1").await;
        // No assignment yet.
        let (s, none) = app
            .call(
                Method::POST,
                "/api/v1/patrols/me/assignment",
                Some(&officer),
                Some(json!({"action": "en_route"})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{none}");
        assert_eq!(none["code"], "no_assignment");
        let (s, inc) = app.call(Method::POST, "/api/v1/incidents", Some(&op),
        Some(json!({"type": "theft.bicycle", "source": "phone_110", "priority": 2, "lon": SHOP.0, "lat": SHOP.1, "description": "自行车被盗"}))).await;
        assert_eq!(s, StatusCode::CREATED, "{inc}");
        let id = inc["incident"]["id"].as_str().unwrap().to_owned();
        let (s, d) = app
            .call(
                Method::POST,
                &format!("/api/v1/incidents/{id}/transitions"),
                Some(&op),
                Some(json!({"action": "dispatch", "unit_id": "car-1"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let (_, day) = app
            .call(Method::GET, "/api/v1/patrols/me", Some(&officer), None)
            .await;
        assert_eq!(day["assignment"]["id"], id.as_str(), "{day}");
        // The officer may not dispatch or close; en route, on scene and clear are theirs.
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/patrols/me/assignment",
                Some(&officer),
                Some(json!({"action": "close"})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        assert_eq!(field_of(&p), "action");
        for (action, state) in [("en_route", "en_route"), ("on_scene", "on_scene")] {
            let (s, day) = app
                .call(
                    Method::POST,
                    "/api/v1/patrols/me/assignment",
                    Some(&officer),
                    Some(json!({"action": action})),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{day}");
            assert_eq!(day["assignment"]["state"], state, "{day}");
        }
        // Cleared: the unit is free again and the assignment is gone from the officer's day.
        let (s, day) = app
            .call(
                Method::POST,
                "/api/v1/patrols/me/assignment",
                Some(&officer),
                Some(json!({"action": "clear"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{day}");
        assert!(
            day["assignment"].is_null(),
            "the unit is released when cleared: {day}"
        );
        let (_, view) = app
            .call(
                Method::GET,
                &format!("/api/v1/incidents/{id}"),
                Some(&op),
                None,
            )
            .await;
        assert_eq!(view["incident"]["state"], "cleared");
        let actors: Vec<&str> = view["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["actor"].as_str())
            .collect();
        assert!(
            actors.iter().any(|a| a.starts_with("officer-")),
            "the officer's steps are theirs in the timeline: {actors:?}"
        );
    }
);

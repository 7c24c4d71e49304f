//! Plans: drawn up from the spots and the road network, published (ledger and orders), edited
//! only while a draft, refused with the problem named.

use crate::support::*;
use axum::http::{Method, StatusCode};
use pingan_core::access::Role;
use pingan_testkit::both;
use serde_json::json;

both!(
    a_plan_is_drawn_up_explained_and_published,
    |app: TestApp| async move {
        let op = app.token(Role::Operator).await;
        car(&app, &op, "car-1").await;
        car(&app, &op, "car-2").await;
        let now = now(&app);
        let plan = draft(
            &app,
            &op,
            plan_request(&["car-1", "car-2"], now, now.plus_seconds(4 * 3600)),
        )
        .await;
        assert_eq!(plan["state"], "draft");
        assert_eq!(plan["seed"], 42);
        // The key place and the added shop are the spots, each with why it is there.
        let spots = plan["spots"].as_array().unwrap();
        let names: Vec<&str> = spots.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert!(
            names.contains(&"夜市") && names.contains(&"便利店"),
            "{names:?}"
        );
        let why: Vec<&str> = plan["why"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["source"].as_str().unwrap())
            .collect();
        assert!(
            why.contains(&"key_place") && why.contains(&"added"),
            "{why:?}"
        );
        // Both units are sent out; visits last the default 12 minutes, within the shift.
        let routes = plan["plan"]["routes"].as_array().unwrap();
        assert_eq!(routes.len(), 2);
        let visits: Vec<&serde_json::Value> = routes
            .iter()
            .flat_map(|r| r["visits"].as_array().unwrap())
            .collect();
        assert!(!visits.is_empty());
        for v in &visits {
            let stay = v["depart_us"].as_i64().unwrap() - v["arrive_us"].as_i64().unwrap();
            assert_eq!(stay, 720_000_000);
            assert!(v["arrive_us"].as_i64().unwrap() >= now.micros());
        }
        // The temple no road reaches is left out, by name, and the plan still reads back.
        assert_eq!(
            plan["selection"]["left_out"],
            json!(["山顶寺"]),
            "{}",
            plan["selection"]
        );
        let (s, read) = app
            .call(
                Method::GET,
                &format!("/api/v1/patrols/plans/{}", plan["id"].as_str().unwrap()),
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{read}");
        assert_eq!(read["plan"], plan["plan"]);
        let q = &plan["plan"]["quality"];
        assert!(q["risk_covered"].as_f64().unwrap() > 0.0, "{q}");
        // Published: the ledger has it, the visits are the units' orders; it cannot change now.
        let published = publish(&app, &op, &plan).await;
        assert_eq!(published["state"], "published");
        let (s, rows) = app
            .call(Method::GET, "/api/v1/patrols/visits", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{rows}");
        assert_eq!(rows.as_array().unwrap().len(), visits.len());
        assert!(rows
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["status"] == "planned"));
        // Each stop suggests what to do there (the key place: check it, talk to the shop-keepers).
        let rows = rows.as_array().unwrap();
        assert!(
            rows.iter()
                .all(|v| !v["suggested"].as_array().unwrap().is_empty()),
            "{rows:?}"
        );
        if let Some(m) = rows.iter().find(|v| v["spot_name"] == "夜市") {
            assert!(
                m["suggested"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == "check_key_place"),
                "{m}"
            );
        }
        let auditor = app.token(Role::Auditor).await;
        let (_, audit) = app
            .call(
                Method::GET,
                "/api/v1/audit?action=patrol.plan.publish",
                Some(&auditor),
                None,
            )
            .await;
        assert_eq!(
            audit["entries"].as_array().map(Vec::len),
            Some(1),
            "{audit}"
        );
        let id = plan["id"].as_str().unwrap();
        let (s, again) = app
            .call(
                Method::POST,
                &format!("/api/v1/patrols/plans/{id}/publish"),
                Some(&op),
                Some(json!({"version": published["version"]})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{again}");
        assert_eq!(again["code"], "not_draft", "{again}");
        // The same seed gives the same plan (reproducible for audit).
        let second = draft(
            &app,
            &op,
            plan_request(
                &["car-1", "car-2"],
                now.plus_seconds(5 * 3600),
                now.plus_seconds(9 * 3600),
            ),
        )
        .await;
        let third = draft(
            &app,
            &op,
            plan_request(
                &["car-1", "car-2"],
                now.plus_seconds(5 * 3600),
                now.plus_seconds(9 * 3600),
            ),
        )
        .await;
        assert_eq!(second["plan"]["routes"], third["plan"]["routes"]);
        // A unit on a published plan cannot be planned again for an overlapping shift.
        let (s, busy) = app
            .call(
                Method::POST,
                "/api/v1/patrols/plans",
                Some(&op),
                Some(plan_request(
                    &["car-1"],
                    now.plus_seconds(3600),
                    now.plus_seconds(7200),
                )),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{busy}");
        assert_eq!(field_of(&busy), "units[0]");
        // Other roles may read, not plan.
        let officer = app.token(Role::Officer).await;
        let (s, _) = app
            .call(
                Method::GET,
                &format!("/api/v1/patrols/plans/{id}"),
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/patrols/plans",
                Some(&officer),
                Some(plan_request(&["car-2"], now, now.plus_seconds(3600))),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);

both!(
    an_edit_is_checked_and_a_refusal_changes_nothing,
    |app: TestApp| async move {
        let op = app.token(Role::Operator).await;
        car(&app, &op, "car-1").await;
        let now = now(&app);
        let plan = draft(
            &app,
            &op,
            plan_request(&["car-1"], now, now.plus_seconds(3 * 3600)),
        )
        .await;
        let id = plan["id"].as_str().unwrap();
        let mut routes = plan["plan"]["routes"].clone();
        // Two visits at the same time cannot both be kept.
        let first = routes[0]["visits"][0].clone();
        routes[0]["visits"].as_array_mut().unwrap().push(first);
        let (s, bad) = app
            .call(
                Method::PUT,
                &format!("/api/v1/patrols/plans/{id}"),
                Some(&op),
                Some(json!({"version": plan["version"], "routes": routes})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(field_of(&bad), "routes");
        let (_, unchanged) = app
            .call(
                Method::GET,
                &format!("/api/v1/patrols/plans/{id}"),
                Some(&op),
                None,
            )
            .await;
        assert_eq!(unchanged["version"], plan["version"]);
        // Dropping the last visit is a valid edit; the quality follows.
        let mut routes = plan["plan"]["routes"].clone();
        routes[0]["visits"].as_array_mut().unwrap().pop();
        let (s, edited) = app
            .call(
                Method::PUT,
                &format!("/api/v1/patrols/plans/{id}"),
                Some(&op),
                Some(json!({"version": plan["version"], "routes": routes})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{edited}");
        assert_eq!(edited["plan"]["method"], "edited");
        assert!(edited["version"].as_i64() > plan["version"].as_i64());
        // An edit on an old version is a conflict.
        let (s, stale) = app
            .call(
                Method::PUT,
                &format!("/api/v1/patrols/plans/{id}"),
                Some(&op),
                Some(json!({"version": plan["version"], "routes": routes})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{stale}");
    }
);

both!(
    bad_plan_requests_name_the_problem,
    |app: TestApp| async move {
        let op = app.token(Role::Operator).await;
        car(&app, &op, "car-1").await;
        let now = now(&app);
        let later = now.plus_seconds(3600);
        let cases = [
            (
                json!({"start": now.to_rfc3339(), "end": later.to_rfc3339(), "units": []}),
                "units",
            ),
            (
                json!({"start": now.to_rfc3339(), "end": later.to_rfc3339(), "units": ["car-9"]}),
                "units[0]",
            ),
            (
                json!({"start": now.to_rfc3339(), "end": later.to_rfc3339(), "units": ["car-1", "car-1"]}),
                "units[1]",
            ),
            (
                json!({"start": now.minus_seconds(7200).to_rfc3339(), "end": now.minus_seconds(3600).to_rfc3339(), "units": ["car-1"]}),
                "end",
            ),
            (
                json!({"start": later.to_rfc3339(), "end": now.to_rfc3339(), "units": ["car-1"]}),
                "end",
            ),
            (
                json!({"start": "yesterday", "end": later.to_rfc3339(), "units": ["car-1"]}),
                "start",
            ),
            (
                json!({"start": now.to_rfc3339(), "end": later.to_rfc3339(), "units": ["car-1"], "dwell_min": 0}),
                "dwell_min",
            ),
            (
                json!({"start": now.to_rfc3339(), "end": later.to_rfc3339(), "units": ["car-1"], "incident_types": ["karaoke"]}),
                "incident_types[0]",
            ),
            // A spot in the north-east corner, far from every road.
            (
                json!({"start": now.to_rfc3339(), "end": later.to_rfc3339(), "units": ["car-1"], "key_places": false,
                "added": [{"name": "山顶", "lon": 118.99, "lat": 35.09}]}),
                "added[0]",
            ),
            (
                json!({"start": now.to_rfc3339(), "end": later.to_rfc3339(), "units": ["car-1"], "key_places": false}),
                "added",
            ),
            (
                json!({"start": now.to_rfc3339(), "end": later.to_rfc3339(), "units": ["car-1"], "colour": "blue"}),
                "colour",
            ),
        ];
        for (body, field) in cases {
            let (s, p) = app
                .call(
                    Method::POST,
                    "/api/v1/patrols/plans",
                    Some(&op),
                    Some(body.clone()),
                )
                .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{body} → {p}");
            assert_eq!(field_of(&p), field, "{body} → {p}");
        }
        let (_, plans) = app
            .call(Method::GET, "/api/v1/patrols/plans", Some(&op), None)
            .await;
        assert_eq!(
            plans.as_array().map(Vec::len),
            Some(0),
            "a refused plan is not stored"
        );
    }
);

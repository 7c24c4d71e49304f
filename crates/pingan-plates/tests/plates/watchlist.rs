//! The watch-list: four-eyes approval, hits pushed on the WebSocket after the commit (exact and
//! one-confusable-character), acknowledgement with outcome, cancellation.

use crate::reads::{line, purpose, query, send_csv, setup, HEADER, HOUR};
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use pingan_core::access::Role;
use pingan_testkit::app::{connect, next_json, serve};
use pingan_testkit::both;
use serde_json::json;

both!(
    watch_hits_reach_the_stream_and_are_acknowledged,
    |app: TestApp| async move {
        let ctx = setup(app).await;
        let app = &ctx.app;
        let now = app.state.now().micros();
        let inv = app.token(Role::Investigator).await;
        let approver = app.token(Role::Operator).await;

        // Watch-list changes need a purpose with a case.
        let body = json!({"target": "鲁Q8S123", "reason": "stolen_vehicle", "valid_from": now - HOUR, "valid_to": now + 24 * HOUR});
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/watchlist",
                Some(&inv),
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let mut with_purpose = body.clone();
        with_purpose["purpose"] = purpose();
        with_purpose["receivers"] = json!({"roles": ["operator"], "users": ["duty.zhang"]});
        let (s, entry) = app
            .call(
                Method::POST,
                "/api/v1/watchlist",
                Some(&inv),
                Some(with_purpose),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{entry}");
        assert_eq!(entry["status"], "pending");
        assert_eq!(entry["case_ref"], "CASE-2026-0042");
        let id = entry["id"].as_i64().unwrap();

        // A pending entry does not match.
        let (s, r) = send_csv(
            app,
            &ctx.key1,
            format!("{HEADER}{}", line(1, "鲁Q8S123", 1, now - 60_000_000)),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["alerts"], 0);

        // The creator cannot approve; another person can.
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/watchlist/{id}/approve"),
                Some(&inv),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, entry) = app
            .call(
                Method::POST,
                &format!("/api/v1/watchlist/{id}/approve"),
                Some(&approver),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{entry}");
        assert_eq!(entry["status"], "active");

        let addr = serve(app).await;
        let mut ws = connect(addr, &approver).await;
        assert_eq!(next_json(&mut ws).await["kind"], "stream.hello");

        // An exact hit, then approximate ones: 8 read as B, and the authority letter Q read as
        // 0, the commonest misread, which no valid plate has: the read is stored and alerts.
        let csv = format!(
            "{HEADER}{}{}{}{}",
            line(2, "鲁Q8S123", 1, now - 30_000_000),
            line(3, "鲁QBS123", 2, now - 20_000_000),
            line(4, "鲁Q77777", 2, now - 10_000_000),
            line(5, "鲁08S123", 2, now - 5_000_000)
        );
        let (s, r) = send_csv(app, &ctx.key1, csv.clone()).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["accepted"], 4, "{r}");
        assert_eq!(r["alerts"], 3, "{r}");
        let mut kinds = Vec::new();
        while kinds.len() < 3 {
            let ev = next_json(&mut ws).await;
            if ev["kind"] == "watchlist.hit" {
                assert_eq!(ev["data"]["entry"]["case_ref"], "CASE-2026-0042");
                assert_eq!(ev["data"]["entry"]["users"][0], "duty.zhang");
                kinds.push((
                    pingan_plates::domain::ingest::device_read_id(pingan_reads::read::ReadId(
                        ev["data"]["read_id"].as_i64().unwrap(),
                    )),
                    ev["data"]["kind"].as_str().unwrap().to_owned(),
                ));
            }
        }
        kinds.sort();
        assert_eq!(
            kinds,
            vec![
                (2, "exact".to_owned()),
                (3, "approximate".to_owned()),
                (5, "approximate".to_owned())
            ]
        );

        // The misread read is there, flagged, in a partial-plate search.
        let found = query(
            app,
            &inv,
            json!({"kind": "partial_plate", "pattern": "鲁?8S123", "from": now - HOUR, "to": now}),
        )
        .await;
        let rows = found["rows"].as_array().expect("rows");
        let misread = rows
            .iter()
            .find(|r| r["plate"] == "鲁08S123")
            .unwrap_or_else(|| panic!("misread read not found: {found}"));
        assert_eq!(misread["plate_status"], "invalid", "{found}");

        // A re-sent batch raises no second alert.
        let (_, r) = send_csv(app, &ctx.key1, csv).await;
        assert_eq!(r["alerts"], 0);

        // Acknowledge with outcome, once.
        let (s, alerts) = app
            .call(
                Method::GET,
                "/api/v1/alerts?open=true",
                Some(&approver),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(alerts.as_array().unwrap().len(), 3);
        assert_eq!(alerts[0]["entry"]["case_ref"], "CASE-2026-0042", "{alerts}");
        let aid = alerts[0]["id"].as_str().unwrap().to_owned();
        let (s, a) = app
            .call(
                Method::POST,
                &format!("/api/v1/alerts/{aid}/ack"),
                Some(&approver),
                Some(json!({"outcome": "intercepted", "note": "stopped at 卡口01"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(a["outcome"], "intercepted");
        assert!(a["acked_by"].as_str().is_some());
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/alerts/{aid}/ack"),
                Some(&approver),
                Some(json!({"outcome": "other"})),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);

        // Cancelled (撤控): no more hits.
        let (s, entry) = app
            .call(
                Method::POST,
                &format!("/api/v1/watchlist/{id}/cancel"),
                Some(&inv),
                Some(json!({"reason": "vehicle recovered"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{entry}");
        assert_eq!(entry["status"], "cancelled");
        let (_, r) = send_csv(
            app,
            &ctx.key1,
            format!("{HEADER}{}", line(5, "鲁Q8S123", 1, now - 5_000_000)),
        )
        .await;
        assert_eq!(r["alerts"], 0);

        // The ledger holds every change.
        for action in [
            "watchlist.create",
            "watchlist.approve",
            "watchlist.cancel",
            "alert.ack",
        ] {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
                .bind(action)
                .fetch_one(app.state.store.pool())
                .await
                .unwrap();
            assert_eq!(n, 1, "{action}");
        }
        let (s, t) = app
            .call(Method::GET, "/api/v1/plates/transparency", Some(&inv), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(t["watchlist"]["cancelled"][0]["count"], 1, "{t}");
        assert_eq!(t["hits"].as_array().unwrap().len(), 2, "{t}");
    }
);

both!(expired_entries_stop_matching, |app: TestApp| async move {
    let ctx = setup(app).await;
    let app = &ctx.app;
    let now = app.state.now().micros();
    let inv = app.token(Role::Investigator).await;
    let approver = app.token(Role::Investigator).await;
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/watchlist",
            Some(&inv),
            Some(json!({
                "purpose": purpose(), "target": "鲁Q?9999", "reason": "hit_and_run",
                "valid_from": now - 2 * HOUR, "valid_to": now + HOUR,
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().unwrap();
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/watchlist/{id}/approve"),
            Some(&approver),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // A read before the window does not match; one inside does (pattern).
    let csv = format!(
        "{HEADER}{}{}",
        line(1, "鲁QA9999", 1, now - 3 * HOUR),
        line(2, "鲁QB9999", 1, now - HOUR)
    );
    let (s, r) = send_csv(app, &ctx.key1, csv).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["alerts"], 1, "{r}");
});

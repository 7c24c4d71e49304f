//! A read's identity (the device and its own id) and the one time convention of the queries.

use crate::reads::{line, purpose, query, send_csv, setup, HEADER, HOUR};
use crate::support::plates;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use pingan_core::access::Role;
use pingan_testkit::both;
use serde_json::json;

both!(
    a_read_id_is_the_devices_own_and_never_suppresses_another_devices_read,
    |app: TestApp| async move {
        let ctx = setup(app).await;
        let app = &ctx.app;
        let now = app.state.now().micros();
        let (s, body) = send_csv(
            app,
            &ctx.key1,
            format!("{HEADER}{}", line(1, "鲁Q12345", 1, now - HOUR)),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["accepted"], 1, "{body}");
        // Another checkpoint numbering its own read 1: a different read, stored and matched.
        let (s, body) = send_csv(
            app,
            &ctx.key2,
            format!("{HEADER}{}", line(1, "鲁Q77777", 3, now - HOUR)),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["accepted"], 1, "{body}");
        assert_eq!(body["duplicates"], json!([]), "{body}");
        // Each device's re-send is its own duplicate, named by its own id.
        let (s, body) = send_csv(
            app,
            &ctx.key2,
            format!("{HEADER}{}", line(1, "鲁Q77777", 3, now - HOUR)),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["accepted"], 0, "{body}");
        assert_eq!(body["duplicates"], json!([1]), "{body}");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plate_reads")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(plates(app).index().len(), 2);
        let a = plates(app).stored_read_id("cp-01", 1).unwrap();
        let b = plates(app).stored_read_id("cp-02", 1).unwrap();
        assert_ne!(a, b);
        assert!(
            a.0 < (1_i64 << 53) && b.0 < (1_i64 << 53),
            "ids stay exact in JSON"
        );
        // An id past a device's range is refused by name; the batch's good rows are kept.
        let csv = format!(
            "{HEADER}{}{}",
            line(1 << 40, "鲁Q12345", 1, now - HOUR),
            line(2, "鲁Q12345", 1, now - HOUR)
        );
        let (s, body) = send_csv(app, &ctx.key1, csv).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["accepted"], 1, "{body}");
        assert_eq!(body["rejected"][0]["row"], 1, "{body}");
        assert_eq!(body["rejected"][0]["field"], "read_id", "{body}");
    }
);

both!(
    a_query_window_takes_rfc3339_and_microseconds_alike,
    |app: TestApp| async move {
        let ctx = setup(app).await;
        let app = &ctx.app;
        let now = app.state.now().micros();
        let (s, body) = send_csv(
            app,
            &ctx.key1,
            format!("{HEADER}{}", line(1, "鲁Q12345", 1, now - HOUR)),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let inv = app.token(Role::Investigator).await;
        let micros = query(
            app,
            &inv,
            json!({"kind": "trajectory", "plate": "鲁Q12345", "from": now - 2 * HOUR, "to": now}),
        )
        .await;
        let text = |us: i64| pingan_core::Timestamp(us).to_rfc3339();
        let rfc = query(
            app,
            &inv,
            json!({"kind": "trajectory", "plate": "鲁Q12345", "from": text(now - 2 * HOUR), "to": text(now + 1_000)}),
        )
        .await;
        assert_eq!(micros["rows"], rfc["rows"], "{micros} {rfc}");
        assert_eq!(micros["count"], 1, "{micros}");
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/plates/query",
                Some(&inv),
                Some(json!({"purpose": purpose(), "query": {"kind": "trajectory", "plate": "鲁Q12345", "from": "yesterday", "to": now}})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    }
);

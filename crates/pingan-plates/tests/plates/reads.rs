//! Plate reads: ingest (bad rows, idempotent re-sends), Q1–Q7 against plain SQL on generated
//! data, purpose and case enforcement, second approval of old windows, retention with evidence,
//! and the transparency report.

use crate::support::plates;
use crate::support::{Db, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_core::access::Role;
use pingan_plates::PlateConfig;
use pingan_testkit::both;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use sqlx::Row;
use std::time::Duration;

pub const HOUR: i64 = 3_600_000_000;
pub const HEADER: &str =
    "read_id,plate,checkpoint_id,lane,direction,ts,vehicle_color,vehicle_type,confidence\n";

/// An app with two checkpoint devices (cp-01 owns codes 1 and 2, cp-02 owns 3), loaded.
pub struct Ctx {
    pub app: TestApp,
    pub key1: String,
    pub key2: String,
    pub admin: String,
}

pub async fn setup(app: TestApp) -> Ctx {
    let admin = app.token(Role::Admin).await;
    let mut keys = Vec::new();
    for id in ["cp-01", "cp-02"] {
        let (s, body) = app
            .call(
                Method::POST,
                "/api/v1/devices",
                Some(&admin),
                Some(json!({"id": id, "kind": "checkpoint", "name": id})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        keys.push(body["api_key"].as_str().unwrap().to_owned());
    }
    let (s, body) = app
        .call(
            Method::PUT,
            "/api/v1/plates/checkpoints",
            Some(&admin),
            Some(json!([
                {"code": 1, "device_id": "cp-01"},
                {"code": 2, "device_id": "cp-01"},
                {"code": 3, "device_id": "cp-02"},
            ])),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    plates(&app).load(&app.state).await.expect("load");
    Ctx {
        app,
        key2: keys.pop().unwrap(),
        key1: keys.pop().unwrap(),
        admin,
    }
}

pub async fn send_csv(app: &TestApp, key: &str, csv: String) -> (StatusCode, Value) {
    app.send(
        Request::post("/api/v1/ingest/reads")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(csv))
            .unwrap(),
    )
    .await
}

pub fn line(id: i64, plate: &str, cp: u32, ts: i64) -> String {
    format!("{id},{plate},{cp},1,EB,{ts},白,K33,0.95\n")
}

pub fn purpose() -> Value {
    json!({"purpose": "criminal_investigation", "reference": "CASE-2026-0042"})
}

pub async fn query(app: &TestApp, token: &str, q: Value) -> Value {
    let (s, body) = app
        .call(
            Method::POST,
            "/api/v1/plates/query",
            Some(token),
            Some(json!({"purpose": purpose(), "query": q})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

fn plate_of(i: usize) -> String {
    const L: &[u8] = b"ABCDEFGHJKLMNPRTUVWXY";
    format!(
        "鲁Q{}{}{:03}",
        L[i % L.len()] as char,
        L[(i / 7) % L.len()] as char,
        i % 1000
    )
}

/// Generated reads over the last 48 hours at checkpoints 1 and 2 (cp-01), with a planted
/// co-traveller of 鲁QAA000 and a suspect matching 鲁Q?23*.
fn generate(now: i64) -> Vec<(i64, String, u32, i64)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(20_260_101);
    let start = now - 48 * HOUR;
    let mut reads = Vec::new();
    let mut id = 1_000_000;
    for _ in 0..4_000 {
        id += 1;
        let plate = plate_of(rng.gen_range(0..300));
        reads.push((
            id,
            plate,
            rng.gen_range(1..=2),
            start + rng.gen_range(0..47 * HOUR),
        ));
    }
    for k in 0..6 {
        let t = start + HOUR + k * 5 * HOUR;
        let cp = 1 + (k % 2) as u32;
        id += 1;
        reads.push((id, "鲁QAA000".into(), cp, t));
        id += 1;
        reads.push((
            id,
            "鲁QFOLLOW".replace("FOLLOW", "F0L10"),
            cp,
            t + 45_000_000,
        ));
    }
    id += 1;
    reads.push((id, "鲁QK2305".into(), 1, start + 3 * HOUR));
    reads
}

async fn ids(app: &TestApp, sql: &str, binds: Vec<Value>) -> Vec<Value> {
    let mut q = sqlx::query(sql);
    for b in &binds {
        q = match b {
            Value::String(s) => q.bind(s.clone()),
            Value::Number(n) => q.bind(n.as_i64().unwrap()),
            _ => unreachable!(),
        };
    }
    let rows = q.fetch_all(app.state.store.pool()).await.expect("sql");
    rows.iter()
        .map(|r| {
            let mut out = Vec::new();
            for i in 0..r.len() {
                if let Ok(v) = r.try_get::<i64, _>(i) {
                    out.push(json!(v));
                } else {
                    out.push(json!(r.try_get::<String, _>(i).unwrap()));
                }
            }
            if out.len() == 1 {
                out.pop().unwrap()
            } else {
                Value::Array(out)
            }
        })
        .collect()
}

fn pick(rows: &Value, keys: &[&str]) -> Vec<Value> {
    rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            if keys.len() == 1 {
                r[keys[0]].clone()
            } else {
                Value::Array(keys.iter().map(|k| r[*k].clone()).collect())
            }
        })
        .collect()
}

both!(queries_equal_plain_sql, |app: TestApp| async move {
    let ctx = setup(app).await;
    let app = &ctx.app;
    let now = app.state.now().micros();
    let reads = generate(now);
    for chunk in reads.chunks(1_500) {
        let mut csv = HEADER.to_owned();
        for (id, plate, cp, ts) in chunk {
            csv.push_str(&line(*id, plate, *cp, *ts));
        }
        let (s, body) = send_csv(app, &ctx.key1, csv).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(
            body["accepted"].as_u64().unwrap() as usize,
            chunk.len(),
            "{body}"
        );
    }
    let inv = app.token(Role::Investigator).await;
    let (t0, t1) = (now - 48 * HOUR, now);

    // Q1
    let got = query(
        app,
        &inv,
        json!({"kind": "trajectory", "plate": "鲁QAA000", "from": t0, "to": t1}),
    )
    .await;
    let want = ids(app, "SELECT read_id FROM plate_reads WHERE plate = $1 AND ts >= $2 AND ts < $3 ORDER BY ts, read_id",
        vec![json!("鲁QAA000"), json!(t0), json!(t1)]).await;
    assert!(want.len() >= 6);
    assert_eq!(pick(&got, &["read_id"]), want);

    // Q2
    let (a, b) = (now - 30 * HOUR, now - 20 * HOUR);
    let got = query(
        app,
        &inv,
        json!({"kind": "at_checkpoints", "checkpoints": [2], "from": a, "to": b, "limit": 10000}),
    )
    .await;
    let want = ids(app, "SELECT read_id FROM plate_reads WHERE checkpoint = 2 AND ts >= $1 AND ts < $2 ORDER BY ts, read_id",
        vec![json!(a), json!(b)]).await;
    assert!(!want.is_empty());
    assert_eq!(pick(&got, &["read_id"]), want);

    // Q3
    let got = query(app, &inv, json!({"kind": "co_travel", "plate": "鲁QAA000", "from": t0, "to": t1, "delta_s": 60, "min_occasions": 3})).await;
    let want = ids(app, "WITH t AS (SELECT read_id, checkpoint, ts FROM plate_reads WHERE plate = $1 AND ts >= $2 AND ts < $3) \
        SELECT r.plate, COUNT(DISTINCT t.read_id) AS occasions FROM t JOIN plate_reads r ON r.checkpoint = t.checkpoint \
        AND r.ts >= t.ts - 60000000 AND r.ts <= t.ts + 60000000 WHERE r.plate <> $1 GROUP BY r.plate \
        HAVING COUNT(DISTINCT t.read_id) >= 3 ORDER BY occasions DESC, r.plate",
        vec![json!("鲁QAA000"), json!(t0), json!(t1)]).await;
    assert_eq!(pick(&got, &["plate", "occasions"]), want);
    assert_eq!(got["rows"][0]["plate"], "鲁QF0L10");

    // Q4
    let scenes = [
        (1, now - 40 * HOUR, now - 30 * HOUR),
        (2, now - 25 * HOUR, now - 15 * HOUR),
    ];
    let got = query(app, &inv, json!({"kind": "multi_scene", "scenes": scenes.iter().map(|(c, f, t)| json!({"checkpoints": [c], "from": f, "to": t})).collect::<Vec<_>>()})).await;
    let want = ids(
        app,
        "SELECT plate FROM plate_reads WHERE checkpoint = 1 AND ts >= $1 AND ts < $2 INTERSECT \
        SELECT plate FROM plate_reads WHERE checkpoint = 2 AND ts >= $3 AND ts < $4 ORDER BY plate",
        vec![
            json!(scenes[0].1),
            json!(scenes[0].2),
            json!(scenes[1].1),
            json!(scenes[1].2),
        ],
    )
    .await;
    assert!(!want.is_empty());
    assert_eq!(pick(&got, &["plate"]), want);

    // Q5
    let got = query(
        app,
        &inv,
        json!({"kind": "partial_plate", "pattern": "鲁Q?23*", "from": t0, "to": t1}),
    )
    .await;
    let want = ids(app, "SELECT plate, COUNT(*) AS n FROM plate_reads WHERE plate LIKE '鲁Q_23%' AND ts >= $1 AND ts < $2 \
        GROUP BY plate ORDER BY n DESC, plate", vec![json!(t0), json!(t1)]).await;
    assert!(want.iter().any(|r| r[0] == "鲁QK2305"));
    assert_eq!(pick(&got, &["plate", "reads"]), want);

    // Q6
    let got = query(
        app,
        &inv,
        json!({"kind": "flows", "from": t0, "to": t1, "bucket": "hour", "limit": 10000}),
    )
    .await;
    let want = ids(
        app,
        "SELECT checkpoint, ts - (ts % 3600000000) AS h, COUNT(*) AS n FROM plate_reads \
        WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2 ORDER BY 1, 2",
        vec![json!(t0), json!(t1)],
    )
    .await;
    assert_eq!(pick(&got, &["checkpoint", "bucket_start", "reads"]), want);

    // Q7
    let f = now - 12 * HOUR;
    let got = query(
        app,
        &inv,
        json!({"kind": "first_seen", "from": f, "to": t1, "limit": 10000}),
    )
    .await;
    let want = ids(
        app,
        "SELECT plate, MIN(ts) AS first_ts, COUNT(*) AS n FROM plate_reads GROUP BY plate \
        HAVING MIN(ts) >= $1 AND MIN(ts) < $2 ORDER BY first_ts, plate",
        vec![json!(f), json!(t1)],
    )
    .await;
    assert_eq!(pick(&got, &["plate", "first_ts", "reads"]), want);

    // Every query is in the ledger with its purpose, reference and result count.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'plates.query' AND purpose = 'criminal_investigation' AND reference = 'CASE-2026-0042'")
        .fetch_one(app.state.store.pool()).await.unwrap();
    assert_eq!(n, 7);

    // A restart rebuilds the same index from the store.
    let before = plates(app).index().len();
    plates(app).load(&app.state).await.unwrap();
    assert_eq!(plates(app).index().len(), before);
    assert_eq!(before, reads.len());
});

both!(
    bad_rows_are_reported_and_good_rows_kept,
    |app: TestApp| async move {
        let ctx = setup(app).await;
        let app = &ctx.app;
        let now = app.state.now().micros();
        let mut csv = HEADER.to_owned();
        csv.push_str(&line(1, "鲁Q12345", 1, now - HOUR)); // row 1 ok
        csv.push_str("2,鲁Q12346,1\n"); // row 2 malformed
        csv.push_str(&line(3, " - ", 1, now - HOUR)); // row 3 no plate text at all
        csv.push_str(&line(4, "鲁Q12347", 99, now - HOUR)); // row 4 unknown checkpoint
        csv.push_str(&line(5, "鲁Q12348", 3, now - HOUR)); // row 5 another device's checkpoint
        csv.push_str(&line(6, "鲁Q12349", 1, now + 24 * HOUR)); // row 6 future
        csv.push_str(&line(7, "鲁Q12340", 1, now - 90 * 24 * HOUR)); // row 7 older than retention
        csv.push_str(&line(8, "ｌｕ鲁Q 1234A", 2, now - HOUR)); // row 8 odd but we see what it says
        let (s, body) = send_csv(app, &ctx.key1, csv.clone()).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let rejected: Vec<u64> = body["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["row"].as_u64().unwrap())
            .collect();
        for row in [2, 3, 4, 5, 6, 7] {
            assert!(rejected.contains(&row), "row {row} not rejected: {body}");
        }
        assert_eq!(body["received"], 8);
        let accepted = body["accepted"].as_u64().unwrap();
        assert!(accepted >= 1);
        assert_eq!(
            body["rejected"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["row"] == 4)
                .unwrap()["field"],
            "checkpoint"
        );

        // A refusal behind a setting names the setting.
        let old = body["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["row"] == 7)
            .unwrap();
        assert!(
            old["reason"]
                .as_str()
                .unwrap()
                .contains("plate_retention_days"),
            "{old}"
        );

        // Re-sending the same batch stores nothing new and names the duplicates.
        let (s, again) = send_csv(app, &ctx.key1, csv).await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!(again["accepted"], 0);
        assert_eq!(
            again["duplicates"].as_array().unwrap().len() as u64,
            accepted
        );
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plate_reads")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
        assert_eq!(n as u64, accepted);

        // A batch with no valid row is refused whole, each row named.
        let (s, p) = send_csv(app, &ctx.key1, format!("{HEADER}{}", line(9, " ", 1, now))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        assert!(p.to_string().contains("rows[1].plate"), "{p}");

        // A JSON batch goes the same way; a wrong key is an error of that row.
        let json_batch = json!([
            {"read_id": 20, "plate": "鲁Q22222", "checkpoint_id": 3, "ts": now - HOUR, "confidence": 0.9},
            {"read_id": 21, "plate": "鲁Q22223", "checkpoint_id": 3, "ts": now - HOUR, "confidence": 0.9, "colour": "red"},
        ]);
        let (s, body) = app
            .send(
                Request::post("/api/v1/ingest/reads")
                    .header(header::AUTHORIZATION, format!("Bearer {}", ctx.key2))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(json_batch.to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["accepted"], 1);
        assert_eq!(body["rejected"][0]["row"], 2);

        // Unknown columns, other formats and oversize batches are refused whole.
        let (s, _) = send_csv(
            app,
            &ctx.key1,
            "read_id,plate,checkpoint_id,ts,confidence,speed\n".into(),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, _) = app
            .send(
                Request::post("/api/v1/ingest/reads")
                    .header(header::AUTHORIZATION, format!("Bearer {}", ctx.key1))
                    .header(header::CONTENT_TYPE, "text/plain")
                    .body(Body::from("x"))
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        plates(app).configure(PlateConfig {
            max_batch_rows: 3,
            ..PlateConfig::default()
        });
        let mut big = HEADER.to_owned();
        for i in 0..4 {
            big.push_str(&line(100 + i, "鲁Q33333", 1, now - HOUR));
        }
        let (s, p) = send_csv(app, &ctx.key1, big).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        let huge = "x".repeat(pingan_plates::http::INGEST_LIMIT_BYTES + 1);
        let (s, _) = send_csv(app, &ctx.key1, huge).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);

        // A person's token cannot ingest.
        let (s, _) = send_csv(app, &ctx.admin, HEADER.to_owned()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
);

both!(
    queries_need_purpose_case_and_role,
    |app: TestApp| async move {
        let ctx = setup(app).await;
        let app = &ctx.app;
        let now = app.state.now().micros();
        let inv = app.token(Role::Investigator).await;
        let q = json!({"kind": "trajectory", "plate": "鲁Q12345", "from": now - HOUR, "to": now});
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/plates/query",
                Some(&inv),
                Some(json!({"query": q})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        assert!(
            p["detail"].as_str().unwrap_or("").contains("purpose"),
            "{p}"
        );
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/plates/query",
                Some(&inv),
                Some(json!({"purpose": {"purpose": "criminal_investigation"}, "query": q})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        let analyst = app.token(Role::Analyst).await;
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/plates/query",
                Some(&analyst),
                Some(json!({"purpose": purpose(), "query": q})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let denied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied' AND object_id = 'query_plates'")
        .fetch_one(app.state.store.pool()).await.unwrap();
        assert_eq!(denied, 3);
        // Caps.
        let long = json!({"kind": "first_seen", "from": now - 40 * 24 * HOUR, "to": now});
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/plates/query",
                Some(&inv),
                Some(json!({"purpose": purpose(), "query": long})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
);

both!(
    old_windows_need_a_second_person,
    |app: TestApp| async move {
        let ctx = setup(app).await;
        let app = &ctx.app;
        let now = app.state.now().micros();
        let inv = app.token(Role::Investigator).await;
        let other = app.token(Role::Investigator).await;
        let q = json!({"kind": "trajectory", "plate": "鲁Q12345", "from": now - 10 * 24 * HOUR, "to": now});
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/plates/query",
                Some(&inv),
                Some(json!({"purpose": purpose(), "query": q})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        assert_eq!(p["code"], "approval_required", "{p}");
        assert!(p["detail"].as_str().unwrap().contains("approve"), "{p}");
        let (s, a) = app
            .call(
                Method::POST,
                "/api/v1/plates/approvals",
                Some(&inv),
                Some(json!({"purpose": purpose(), "query": q})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let id = a["id"].as_str().unwrap().to_owned();
        // The approver reads the exact query before deciding.
        let (s, pending) = app
            .call(
                Method::GET,
                "/api/v1/plates/approvals?status=pending",
                Some(&other),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{pending}");
        let listed = pending
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} not pending in {pending}"));
        assert_eq!(listed["query"]["plate"], "鲁Q12345");
        let (s, _) = app
            .call(
                Method::GET,
                "/api/v1/plates/approvals?status=maybe",
                Some(&other),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        // Running before approval, approving one's own request: refused.
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/plates/approvals/{id}/run"),
                Some(&inv),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/plates/approvals/{id}/approve"),
                Some(&inv),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, a) = app
            .call(
                Method::POST,
                &format!("/api/v1/plates/approvals/{id}/approve"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(a["status"], "approved");
        // Only the requester runs it, once.
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/plates/approvals/{id}/run"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, r) = app
            .call(
                Method::POST,
                &format!("/api/v1/plates/approvals/{id}/run"),
                Some(&inv),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["kind"], "trajectory");
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/plates/approvals/{id}/run"),
                Some(&inv),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
);

both!(
    retention_removes_old_reads_but_not_evidence,
    |app: TestApp| async move {
        let ctx = setup(app).await;
        let app = &ctx.app;
        let now = app.state.now().micros();
        plates(app).configure(PlateConfig {
            retention: Duration::from_secs(5 * 86_400),
            ..PlateConfig::default()
        });
        let old = now - 3 * 24 * HOUR;
        let mut csv = HEADER.to_owned();
        for i in 0..50 {
            csv.push_str(&line(500 + i, "鲁Q55555", 1, old + i * 1_000_000));
        }
        csv.push_str(&line(900, "鲁Q55555", 1, now - HOUR));
        let (s, body) = send_csv(app, &ctx.key1, csv).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["accepted"], 51);
        let inv = app.token(Role::Investigator).await;
        let ids = [500, 501, 900].map(|n| plates(app).stored_read_id("cp-01", n).unwrap().0);
        let (s, e) = app
            .call(
                Method::POST,
                "/api/v1/plates/evidence",
                Some(&inv),
                Some(json!({"purpose": purpose(), "read_ids": ids})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(e["copied"], 3);

        // Retention now keeps one day: the old reads go (a whole partition on PostgreSQL).
        plates(app).configure(PlateConfig {
            retention: Duration::from_secs(86_400),
            ..PlateConfig::default()
        });
        let report = plates(app)
            .run_retention(&app.state)
            .await
            .expect("retention");
        assert_eq!(report.rows, 50, "{report:?}");
        if app.state.store.backend() == pingan_db::Backend::Postgres {
            assert!(!report.partitions.is_empty());
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plate_reads")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(plates(app).index().len(), 1);

        // The evidence copies survive with their provenance.
        let (s, ev) = app
            .call(
                Method::GET,
                "/api/v1/plates/evidence?purpose=criminal_investigation&reference=CASE-2026-0042",
                Some(&inv),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{ev}");
        let reads = ev["reads"].as_array().unwrap();
        assert_eq!(reads.len(), 3);
        assert_eq!(
            reads[0]["read"]["id"],
            plates(app).stored_read_id("cp-01", 500).unwrap().0
        );
        assert_eq!(reads[0]["device_id"], "cp-01");
        assert_eq!(reads[0]["purpose"], "criminal_investigation");
    }
);

both!(
    transparency_counts_without_personal_data,
    |app: TestApp| async move {
        let ctx = setup(app).await;
        let app = &ctx.app;
        let now = app.state.now().micros();
        let inv = app.token(Role::Investigator).await;
        query(
            app,
            &inv,
            json!({"kind": "trajectory", "plate": "鲁Q12345", "from": now - HOUR, "to": now}),
        )
        .await;
        query(
            app,
            &inv,
            json!({"kind": "first_seen", "from": now - HOUR, "to": now}),
        )
        .await;
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/plates/query",
                Some(&inv),
                Some(json!({"query": {"kind": "first_seen", "from": now - HOUR, "to": now}})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let analyst = app.token(Role::Analyst).await;
        let (s, t) = app
            .call(
                Method::GET,
                "/api/v1/plates/transparency",
                Some(&analyst),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{t}");
        let q = t["queries_by_purpose"].as_array().unwrap();
        assert_eq!(q.len(), 1, "{t}");
        assert_eq!(q[0]["purpose"], "criminal_investigation");
        assert_eq!(q[0]["count"], 2);
        assert_eq!(t["queries_refused"][0]["count"], 1);
        let text = t.to_string();
        assert!(
            !text.contains("鲁Q") && !text.contains("CASE-") && !text.contains("investigator"),
            "{text}"
        );
        let _ = Db::Sqlite;
    }
);

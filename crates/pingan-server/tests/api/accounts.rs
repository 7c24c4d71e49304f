//! Sign-in, sessions, CSRF, rate limiting and account management.

use crate::support::{Db, TestApp, PASSWORD};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_core::access::Role;
use pingan_server::ServerConfig;
use pingan_testkit::both;
use serde_json::json;

fn login_body(user: &str, password: &str) -> Body {
    Body::from(json!({"username": user, "password": password}).to_string())
}

both!(
    browser_sessions_need_csrf_on_writes,
    |app: TestApp| async move {
        app.create_user("ops.li", Role::Admin).await;
        let resp = app
            .send_raw(
                Request::post("/api/v1/auth/login")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(login_body("ops.li", PASSWORD))
                    .unwrap(),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let cookie = resp.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        let session = cookie.split(';').next().unwrap().to_owned();
        let body: serde_json::Value = serde_json::from_slice(
            &http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap()
                .to_bytes(),
        )
        .unwrap();
        let csrf = body["csrf_token"].as_str().unwrap().to_owned();

        // Reads need only the cookie.
        let (s, me) = app
            .send(
                Request::get("/api/v1/auth/me")
                    .header(header::COOKIE, &session)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(me["user"]["username"], "ops.li");

        let new_user = json!({"username": "grid.wang", "display_name": "王", "role": "grid_worker", "password": PASSWORD});
        // A write without the token is refused…
        let (s, problem) = app
            .send(
                Request::post("/api/v1/users")
                    .header(header::COOKIE, &session)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(new_user.to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(problem["code"], "csrf_failed");
        // …and accepted with it.
        let (s, created) = app
            .send(
                Request::post("/api/v1/users")
                    .header(header::COOKIE, &session)
                    .header("x-csrf-token", &csrf)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(new_user.to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        assert_eq!(created["role"], "grid_worker");
    }
);

both!(
    wrong_passwords_fail_alike_and_are_rate_limited,
    |app: TestApp| async move {
        app.create_user("inv.zhao", Role::Investigator).await;
        let attempt = |user: &'static str, pw: &'static str| {
            Request::post("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(login_body(user, pw))
                .unwrap()
        };
        let (s, p1) = app.send(attempt("inv.zhao", "wrong password!")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, p2) = app.send(attempt("nobody.here", "wrong password!")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // An unknown account and a wrong password look the same.
        assert_eq!(p1["detail"], p2["detail"]);
        for _ in 0..4 {
            app.send(attempt("inv.zhao", "wrong password!")).await;
        }
        // Five failures of this account from this address: even the right password is now
        // refused here for a while.
        let (s, p) = app.send(attempt("inv.zhao", PASSWORD)).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{p}");
        assert_eq!(p["code"], "rate_limited");
    }
);

#[tokio::test]
async fn sessions_expire() {
    // Long enough for the first call to land inside it on a loaded machine; then the session
    // must end by itself (polled, so the test does not depend on the machine's speed).
    let config = ServerConfig {
        session_ttl: std::time::Duration::from_secs(5),
        ..ServerConfig::default()
    };
    let app = crate::support::app_with_config(Db::Sqlite, config)
        .await
        .unwrap();
    let token = app.token(Role::Analyst).await;
    let (s, _) = app
        .call(Method::GET, "/api/v1/auth/me", Some(&token), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (s, p) = app
            .call(Method::GET, "/api/v1/auth/me", Some(&token), None)
            .await;
        if s == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(s, StatusCode::OK, "{p}");
        assert!(
            std::time::Instant::now() < deadline,
            "the session outlived its 5 s by 25 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

both!(
    disabling_an_account_ends_its_sessions,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let op = app.token(Role::Operator).await;
        let (s, users) = app
            .call(Method::GET, "/api/v1/users", Some(&admin), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let op_name = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["role"] == "operator")
            .unwrap()["username"]
            .as_str()
            .unwrap()
            .to_owned();
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/users/{op_name}/disable"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app
            .call(Method::GET, "/api/v1/auth/me", Some(&op), None)
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/users/no-such-user/disable",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    }
);

both!(logout_ends_the_session, |app: TestApp| async move {
    let token = app.token(Role::Officer).await;
    let (s, _) = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .call(Method::GET, "/api/v1/auth/me", Some(&token), None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
});

both!(
    device_keys_ingest_only_for_their_device,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let (s, issued) = app
            .call(
                Method::POST,
                "/api/v1/devices",
                Some(&admin),
                Some(json!({"id": "cp-07", "kind": "checkpoint", "name": "板团路卡口"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{issued}");
        let key = issued["api_key"].as_str().unwrap().to_owned();
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/ingest/heartbeat",
                Some(&key),
                Some(json!({"device_id": "cp-07"})),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/ingest/heartbeat",
                Some(&key),
                Some(json!({"device_id": "cp-08"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        // The device key opens no user route.
        let (s, _) = app
            .call(Method::GET, "/api/v1/auth/me", Some(&key), None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A rotated key replaces the old one at once.
        let (s, rotated) = app
            .call(
                Method::POST,
                "/api/v1/devices/cp-07/rotate-key",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/ingest/heartbeat",
                Some(&key),
                Some(json!({})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let new_key = rotated["api_key"].as_str().unwrap();
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/ingest/heartbeat",
                Some(new_key),
                Some(json!({})),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, devices) = app
            .call(Method::GET, "/api/v1/devices", Some(&admin), None)
            .await;
        assert!(devices[0]["last_seen_at"].is_i64(), "{devices}");
    }
);

fn login_from(
    user: &str,
    password: &str,
    address: &str,
    request_id: Option<&str>,
) -> Request<Body> {
    let addr: std::net::SocketAddr = format!("{address}:40000").parse().unwrap();
    let mut req = Request::post("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .extension(axum::extract::ConnectInfo(addr));
    if let Some(id) = request_id {
        req = req.header("x-request-id", id);
    }
    req.body(login_body(user, password)).unwrap()
}

async fn ledger_rows(app: &TestApp) -> (i64, i64) {
    let (rows, longest): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(LENGTH(COALESCE(request_id, ''))) FROM audit_log")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    (rows, longest.unwrap_or(0))
}

both!(
    a_flood_of_refused_sign_ins_grows_the_ledger_by_a_bounded_amount,
    |app: TestApp| async move {
        app.create_user("inv.zhao", Role::Investigator).await;
        let (rows_before, _) = ledger_rows(&app).await;
        let huge_id = "A".repeat(60_000);
        for i in 0..2_000 {
            let user = if i % 2 == 0 {
                "inv.zhao"
            } else {
                "nobody.here"
            };
            let (s, _) = app
                .send(login_from(
                    user,
                    "wrong password!",
                    "203.0.113.7",
                    Some(&huge_id),
                ))
                .await;
            assert!(
                s == StatusCode::UNAUTHORIZED || s == StatusCode::TOO_MANY_REQUESTS,
                "{s}"
            );
        }
        let (rows, longest) = ledger_rows(&app).await;
        // The first refusal of the window in full; the rest are counted, written later.
        assert!(
            rows - rows_before <= 2,
            "{} rows for 2,000 refusals",
            rows - rows_before
        );
        assert!(
            longest <= 100,
            "a request id of {longest} characters reached the ledger"
        );
        app.state.flush_refusals(true).await.unwrap();
        let (rows, _) = ledger_rows(&app).await;
        assert!(
            rows - rows_before <= 3,
            "{} rows after the flush",
            rows - rows_before
        );
        let counted: Vec<(String,)> = sqlx::query_as(
            "SELECT detail FROM audit_log WHERE action = 'auth.login' AND actor = '(repeated)'",
        )
        .fetch_all(app.state.store.pool())
        .await
        .unwrap();
        assert_eq!(counted.len(), 1);
        let detail: serde_json::Value = serde_json::from_str(&counted[0].0).unwrap();
        assert_eq!(detail["repeated"], 1_999, "{detail}");
    }
);

both!(
    request_ids_are_the_servers_and_a_clients_is_kept_only_when_well_formed,
    |app: TestApp| async move {
        for (id, kept) in [
            (Some("FORGED-ID-<script>"), None),
            (Some("mobile-7f3a:42"), Some("mobile-7f3a:42")),
            (None, None),
        ] {
            let (s, _) = app
                .send(login_from(
                    "nobody.here",
                    "wrong password!",
                    &format!("198.51.100.{}", id.map_or(0, str::len)),
                    id,
                ))
                .await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
            let (stored,): (Option<String>,) = sqlx::query_as(
                "SELECT request_id FROM audit_log WHERE action = 'auth.login' ORDER BY seq DESC LIMIT 1",
            )
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
            let stored = stored.expect("a request id");
            let (server, client) = match stored.split_once(" client:") {
                Some((s, c)) => (s.to_owned(), Some(c.to_owned())),
                None => (stored.clone(), None),
            };
            assert!(!server.contains('<') && !server.is_empty(), "{stored}");
            assert_eq!(client.as_deref(), kept, "{stored}");
        }
    }
);

both!(
    one_person_cannot_lock_everyone_out,
    |app: TestApp| async move {
        app.create_user("inv.zhao", Role::Investigator).await;
        app.create_user("inv.qian", Role::Investigator).await;
        // Five wrong passwords for zhao from five addresses: zhao still signs in from a sixth.
        for i in 1..=5 {
            let (s, _) = app
                .send(login_from(
                    "inv.zhao",
                    "wrong password!",
                    &format!("192.0.2.{i}"),
                    None,
                ))
                .await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        let (s, p) = app
            .send(login_from("inv.zhao", PASSWORD, "192.0.2.6", None))
            .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        // Five failures from one address (an office behind NAT) lock that account there only.
        for _ in 0..5 {
            app.send(login_from(
                "inv.zhao",
                "wrong password!",
                "192.0.2.50",
                None,
            ))
            .await;
        }
        let (s, _) = app
            .send(login_from("inv.zhao", PASSWORD, "192.0.2.50", None))
            .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        let (s, p) = app
            .send(login_from("inv.qian", PASSWORD, "192.0.2.50", None))
            .await;
        assert_eq!(
            s,
            StatusCode::OK,
            "a colleague behind the same address: {p}"
        );
        // An admin unlocks the account, and the ledger says so.
        let admin = app.token(Role::Admin).await;
        let (s, r) = app
            .call(
                Method::POST,
                "/api/v1/users/inv.zhao/unlock",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["was_locked"], true);
        let (s, p) = app
            .send(login_from("inv.zhao", PASSWORD, "192.0.2.50", None))
            .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/users/nobody.here/unlock",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
);

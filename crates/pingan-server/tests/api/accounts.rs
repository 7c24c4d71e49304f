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
        for _ in 0..3 {
            app.send(attempt("inv.zhao", "wrong password!")).await;
        }
        // Five failures: even the right password is now refused for a while.
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

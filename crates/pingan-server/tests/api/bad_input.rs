//! Bad input of every class gets a 4xx problem naming what is wrong, never a 5xx.

use crate::support::{Db, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_core::access::Role;
use serde_json::json;

async fn post_raw(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    app.send(
        Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
async fn each_class_of_bad_input_is_a_named_4xx() {
    let app = crate::support::app(Db::Sqlite).await.unwrap();
    let admin = app.token(Role::Admin).await;
    let analyst = app.token(Role::Analyst).await;

    // Malformed JSON.
    let (s, p) = post_raw(
        &app,
        &admin,
        "/api/v1/users",
        "application/json",
        b"{\"username\": ".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["code"], "malformed_json");
    assert_eq!(p["type"], "urn:pingan:problem:malformed_json");

    // Wrong type, named by its field.
    let (s, p) = app
        .call(
            Method::POST,
            "/api/v1/devices",
            Some(&admin),
            Some(json!({"id": 7, "kind": "checkpoint", "name": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["errors"][0]["field"], "id", "{p}");

    // An unknown enum value, named.
    let (s, p) = app
        .call(
            Method::POST,
            "/api/v1/devices",
            Some(&admin),
            Some(json!({"id": "x1", "kind": "toaster", "name": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["errors"][0]["field"], "kind", "{p}");

    // An unknown field.
    let (s, p) = app
        .call(
            Method::POST,
            "/api/v1/devices",
            Some(&admin),
            Some(json!({"id": "x1", "kind": "camera", "name": "x", "colour": "red"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");

    // A bad id.
    let (s, p) = app
        .call(
            Method::POST,
            "/api/v1/devices",
            Some(&admin),
            Some(json!({"id": "cp/../01", "kind": "camera", "name": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["errors"][0]["field"], "id", "{p}");

    // A missing field.
    let (s, p) = app
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "abc.def", "role": "analyst", "password": "long enough password"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        p["detail"].as_str().unwrap().contains("display_name"),
        "{p}"
    );

    // Coordinates out of range.
    let (s, p) = app
        .call(
            Method::GET,
            "/api/v1/geography/locate?lon=218.9&lat=35",
            Some(&analyst),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["errors"][0]["field"], "lon", "{p}");
    let (s, p) = app
        .call(
            Method::GET,
            "/api/v1/geography/locate?lon=118.9&lat=north",
            Some(&analyst),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    assert_eq!(p["errors"][0]["field"], "lat", "{p}");

    // A body over the limit.
    let big = format!(
        "{{\"username\":\"{}\"}}",
        "x".repeat(pingan_server::BODY_LIMIT_BYTES + 10)
    );
    let (s, p) = post_raw(
        &app,
        &admin,
        "/api/v1/users",
        "application/json",
        big.into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{p}");
    assert_eq!(p["code"], "body_too_large");

    // The wrong media type.
    let (s, p) = post_raw(&app, &admin, "/api/v1/users", "text/plain", b"{}".to_vec()).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{p}");

    // A bad query parameter.
    let auditor = app.token(Role::Auditor).await;
    let (s, p) = app
        .call(Method::GET, "/api/v1/audit?limit=0", Some(&auditor), None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["errors"][0]["field"], "limit", "{p}");
    let (s, p) = app
        .call(
            Method::GET,
            "/api/v1/audit?purpose=curiosity",
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    let (s, p) = app
        .call(
            Method::GET,
            "/api/v1/audit?from=yesterday",
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["errors"][0]["field"], "from", "{p}");

    // An unknown route.
    let (s, p) = app
        .call(Method::GET, "/api/v1/nothing-here", Some(&admin), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(p["code"], "not_found");

    // A weak password and a bad user name.
    let (s, p) = app
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "Bad Name", "display_name": "x", "role": "analyst", "password": "long enough password"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["errors"][0]["field"], "username");
    let (s, p) = app
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "good.name", "display_name": "x", "role": "analyst", "password": "short"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["errors"][0]["field"], "password");

    // A duplicate.
    let body = json!({"id": "dup-1", "kind": "camera", "name": "x"});
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/devices",
            Some(&admin),
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, p) = app
        .call(Method::POST, "/api/v1/devices", Some(&admin), Some(body))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
}

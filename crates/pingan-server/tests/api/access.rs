//! Every route × every role: the access table in code is what the handlers enforce.

use crate::support::Db;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_core::access::Role;
use pingan_server::capability::Access;

fn request(method: &str, path: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("method"))
        .uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if method == "GET" {
        req.body(Body::empty()).expect("request")
    } else {
        req.header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .expect("request")
    }
}

#[tokio::test]
async fn every_route_enforces_its_rule_for_every_role() {
    let app = crate::support::app(Db::Sqlite).await.expect("app");
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, app.token(role).await));
    }
    let device_key = {
        let admin = tokens[0].1.clone();
        let (s, body) = app
            .call(
                Method::POST,
                "/api/v1/devices",
                Some(&admin),
                Some(serde_json::json!({"id": "cp-access", "kind": "checkpoint", "name": "Access test"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        body["api_key"].as_str().expect("key").to_owned()
    };
    let mut failures = Vec::new();
    for route in &app.state.route_table() {
        // Without credentials, only public routes may answer anything but 401.
        let (status, _) = app.send(request(route.method, route.path, None)).await;
        if route.access != Access::Public && status != StatusCode::UNAUTHORIZED {
            failures.push(format!(
                "{} {} anonymous: {status}",
                route.method, route.path
            ));
        }
        for (role, token) in &tokens {
            // Logging out would end the token used for the rest of the walk.
            if route.path.ends_with("/auth/logout") {
                continue;
            }
            let (status, body) = app
                .send(request(route.method, route.path, Some(token)))
                .await;
            let denied = status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED;
            let expected_denied = match route.access {
                Access::Public | Access::SignedIn => false,
                Access::Permission(p) => !role.may(p),
                Access::Device => true,
            };
            if denied != expected_denied {
                failures.push(format!(
                    "{} {} as {role}: {status} {body}",
                    route.method, route.path
                ));
            }
        }
        if route.access == Access::Device {
            let (status, body) = app
                .send(request(route.method, route.path, Some(&device_key)))
                .await;
            if status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED {
                failures.push(format!(
                    "{} {} as device: {status} {body}",
                    route.method, route.path
                ));
            }
        } else {
            let (status, _) = app
                .send(request(route.method, route.path, Some(&device_key)))
                .await;
            if route.access != Access::Public && status != StatusCode::FORBIDDEN {
                failures.push(format!(
                    "{} {} with a device key: {status} (device keys must be refused)",
                    route.method, route.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "access violations:\n{}",
        failures.join("\n")
    );
}

/// Every route the OpenAPI document lists is in the access table, and the other way round.
#[tokio::test]
async fn the_access_table_covers_every_documented_route() {
    let app = crate::support::app(Db::Sqlite).await.expect("app");
    let (status, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap_or("").starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let routes = app.state.route_table();
    let mut documented = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            documented.push((method.to_uppercase(), template.clone()));
        }
    }
    let matches = |template: &str, path: &str| {
        let path = path.trim_start_matches("/api/v1");
        let path = path.split('?').next().unwrap_or(path);
        let t: Vec<&str> = template.split('/').collect();
        let p: Vec<&str> = path.split('/').collect();
        t.len() == p.len() && t.iter().zip(&p).all(|(a, b)| a.starts_with('{') || a == b)
    };
    for (method, template) in &documented {
        assert!(
            routes
                .iter()
                .any(|r| r.method == method && matches(template, r.path)),
            "{method} {template} is served but missing from the route tables"
        );
    }
    for r in &routes {
        assert!(
            documented
                .iter()
                .any(|(m, t)| m == r.method && matches(t, r.path)),
            "{} {} is in a route table but not documented",
            r.method,
            r.path
        );
    }
}

/// Every `$ref` in the OpenAPI document names a schema the document defines: a client
/// generator or a fuzzer refuses a document with a dangling reference.
#[tokio::test]
async fn every_schema_reference_in_the_document_resolves() {
    let app = crate::support::app(Db::Sqlite).await.expect("app");
    let (status, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty(), "the document has no references at all");
    let dangling: Vec<&String> = all
        .iter()
        .filter(|r| {
            let name = r.trim_start_matches("#/components/schemas/");
            doc["components"]["schemas"].get(name).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "dangling references: {dangling:?}");
}

#[test]
fn the_readme_carries_the_permission_table() {
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/access-and-audit.md"
    ))
    .expect("docs/access-and-audit.md");
    let table = pingan_core::access::permission_table_markdown();
    assert!(
        readme.contains(&table),
        "docs/access-and-audit.md's role table differs from the code; regenerate: `pingan roles`"
    );
}

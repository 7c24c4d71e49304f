//! The OpenAPI 3.1 document, generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`.

use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};
use utoipa::Modify;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "pingan API", description = "Public-safety operations platform for a city district. Errors are RFC 9457 problem documents with a stable `code`."),
    servers((url = "/api/v1")),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Sign-in and sessions"),
        (name = "users", description = "Accounts (admin)"),
        (name = "devices", description = "Field devices and their keys (admin)"),
        (name = "audit", description = "The hash-chained audit ledger (auditor)"),
        (name = "geography", description = "District, towns, grids, key places, roads"),
        (name = "stream", description = "Live events over WebSocket"),
        (name = "ingest", description = "Endpoints for field devices (device key)"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "device_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Makes the document say what every route can answer, after the capabilities' routes are in:
/// problem documents are `application/problem+json` (as `ApiError` sends them), and the
/// refusals that the platform's extractors give any route are listed on every operation —
/// 400 (a query or body that does not parse), 401 (no or an ended session), 403 (the role lacks
/// the permission, or the purpose does not open the data), 404 on paths with an id, 413 and 415
/// on operations with a body, 429 (sign-in limits, analytics runs).
pub fn complete(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            complete_operation(path, op);
        }
    }
}

const PROBLEM: &str = "application/problem+json";

fn problem_response(description: &str) -> Response {
    let mut r = Response::new(description);
    r.content.insert(
        PROBLEM.to_owned(),
        Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem")))),
    );
    r
}

fn is_problem(content: &Content) -> bool {
    matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
}

fn complete_operation(path: &str, op: &mut Operation) {
    for (code, resp) in op.responses.responses.iter_mut() {
        // Every refusal (4xx) is a problem document, a conflict's current state included.
        let refusal = code.starts_with('4');
        if let RefOr::T(resp) = resp {
            if let Some(c) = resp.content.get("application/json") {
                if refusal || is_problem(c) {
                    if let Some(c) = resp.content.shift_remove("application/json") {
                        resp.content.insert(PROBLEM.to_owned(), c);
                    }
                }
            }
        }
    }
    let mut add = vec![
        (
            "400",
            "the query or body is invalid (each error names its field)",
        ),
        ("401", "no session, or an ended one"),
        ("403", "the role may not, or the purpose does not open this"),
        (
            "429",
            "too many attempts or runs; `Retry-After` says when to try again",
        ),
    ];
    if path.contains('{') {
        add.push(("404", "no such record"));
    }
    if op.request_body.is_some() {
        add.push(("413", "the body is larger than the limit"));
        add.push((
            "415",
            "the body's media type is not one this operation takes",
        ));
    }
    for (code, description) in add {
        op.responses
            .responses
            .entry(code.to_owned())
            .or_insert_with(|| RefOr::T(problem_response(description)));
    }
}

pub fn base() -> OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub fn router(doc: Arc<OpenApi>) -> Router<AppState> {
    Router::new().route(
        "/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json((*doc).clone()) }
        }),
    )
}

/// Schema names that two parts of the API (the platform and the capabilities) define
/// differently. utoipa keeps one of them silently when the routers are merged, so a clash
/// documents one part's answers with another's schema; the binary's test fails on any.
pub fn schema_clashes(
    capabilities: &[std::sync::Arc<dyn crate::capability::Capability>],
) -> Vec<String> {
    let mut parts: Vec<(&str, OpenApi)> =
        vec![("platform", crate::routes::api_router().split_for_parts().1)];
    for c in capabilities {
        parts.push((c.name(), c.routes().split_for_parts().1));
    }
    let mut seen: std::collections::BTreeMap<String, (&str, serde_json::Value)> =
        std::collections::BTreeMap::new();
    let mut clashes = Vec::new();
    for (who, doc) in &parts {
        let Some(components) = &doc.components else {
            continue;
        };
        for (name, schema) in &components.schemas {
            let json = serde_json::to_value(schema).unwrap_or_default();
            match seen.get(name) {
                Some((first, other)) if *other != json => {
                    clashes.push(format!(
                        "{name}: defined by {first} and by {who}, differently"
                    ));
                }
                Some(_) => {}
                None => {
                    seen.insert(name.clone(), (who, json));
                }
            }
        }
    }
    clashes
}

//! The OpenAPI 3.1 document, generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`.

use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::OpenApi;
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

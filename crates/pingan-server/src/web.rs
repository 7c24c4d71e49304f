//! The web UI's static files, embedded in the binary at build time from the repository's `web/`
//! folder, so that `pingan serve` needs nothing beside it.

use crate::AppState;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

/// `(path, content type, bytes)` of every embedded file.
const FILES: &[(&str, &str, &str)] = &[
    ("index.html", "text/html; charset=utf-8", include_str!("../../../web/index.html")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../../web/app.js")),
    ("style.css", "text/css; charset=utf-8", include_str!("../../../web/style.css")),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { asset("index.html") }))
        .route("/{file}", get(|axum::extract::Path(file): axum::extract::Path<String>| async move { asset(&file) }))
}

fn asset(name: &str) -> axum::response::Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, ct, body)) => (
            [
                (header::CONTENT_TYPE, *ct),
                (header::CACHE_CONTROL, "no-cache"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

//! The web UI's static files, embedded in the binary at build time from the repository's `web/`
//! folder (see `build.rs`), so that `pingan serve` needs nothing beside it and no network.
//! Third-party libraries live under `web/vendor/` with their licences.

use crate::error::ApiError;
use crate::AppState;
use axum::http::{header, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

mod assets {
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(|| async { asset("index.html") }))
}

/// Everything no route matched: an embedded file when one has that path, otherwise a 404
/// problem (API clients get the same problem document as for any other error).
pub async fn fallback(uri: Uri) -> axum::response::Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return not_found(uri.path());
    }
    asset(path)
}

fn not_found(path: &str) -> axum::response::Response {
    ApiError::NotFound {
        what: "route",
        id: path.to_owned(),
    }
    .into_response()
}

fn asset(name: &str) -> axum::response::Response {
    match assets::FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, ct, body)) => (
            [
                (header::CONTENT_TYPE, *ct),
                (header::CACHE_CONTROL, "no-cache"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            *body,
        )
            .into_response(),
        None => not_found(name),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_ui_and_its_vendored_libraries_are_embedded() {
        let names: Vec<&str> = super::assets::FILES.iter().map(|f| f.0).collect();
        for needed in [
            "index.html",
            "js/app.js",
            "vendor/leaflet/leaflet.js",
            "vendor/leaflet/LICENSE",
        ] {
            assert!(names.contains(&needed), "{needed} missing from {names:?}");
        }
    }
}

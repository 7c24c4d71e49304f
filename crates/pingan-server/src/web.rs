//! The web UI's static files, embedded in the binary at build time from the repository's `web/`
//! folder (see `build.rs`), so that `pingan serve` needs nothing beside it and no network.
//! Third-party libraries live under `web/vendor/` with their licences.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

mod content_type {
    include!("content_type.rs");
}
use content_type::content_type;

mod assets {
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/",
        get(|State(state): State<AppState>| async move { serve(&state, "index.html").await }),
    )
}

/// Everything no route matched: an embedded file when one has that path, otherwise a 404
/// problem (API clients get the same problem document as for any other error).
pub async fn fallback(State(state): State<AppState>, uri: Uri) -> axum::response::Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return not_found(uri.path());
    }
    serve(&state, path).await
}

async fn serve(state: &AppState, name: &str) -> axum::response::Response {
    match &state.config.web_dir {
        Some(dir) => from_dir(dir, name).await,
        None => asset(name),
    }
}

/// A file from the configured UI folder; only plain relative paths below it are served.
async fn from_dir(dir: &std::path::Path, name: &str) -> axum::response::Response {
    let relative = std::path::Path::new(name);
    let plain = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if name.is_empty() || !plain {
        return not_found(name);
    }
    match tokio::fs::read(dir.join(relative)).await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, content_type(name)),
                (header::CACHE_CONTROL, "no-cache"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            body,
        )
            .into_response(),
        Err(_) => not_found(name),
    }
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

    #[tokio::test]
    async fn a_ui_folder_serves_its_files_and_nothing_outside_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let web = dir.path().join("web");
        std::fs::create_dir_all(web.join("js")).expect("mkdir");
        std::fs::write(web.join("js/app.js"), "export {}").expect("write");
        std::fs::write(dir.path().join("secret.txt"), "no").expect("write");
        let ok = super::from_dir(&web, "js/app.js").await;
        assert_eq!(ok.status(), 200);
        assert_eq!(
            ok.headers()[axum::http::header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        for bad in [
            "../secret.txt",
            "/etc/passwd",
            "js/../../secret.txt",
            "",
            "missing.js",
        ] {
            assert_eq!(super::from_dir(&web, bad).await.status(), 404, "{bad}");
        }
    }
}

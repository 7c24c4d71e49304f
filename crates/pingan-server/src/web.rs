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

/// The page's Content-Security-Policy: its own modules and the vendored libraries only, no inline
/// script and no `eval`, no plugins, no framing, connections only back to this server (the API
/// and the event stream). Inline `style` attributes stay allowed: Leaflet and a few colour swatches
/// set them, and a style cannot run code.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// The headers every file of the page is served with.
fn file_headers(content_type: &'static str) -> [(header::HeaderName, &'static str); 5] {
    [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, "no-cache"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::REFERRER_POLICY, "no-referrer"),
    ]
}

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
        Ok(body) => (file_headers(content_type(name)), body).into_response(),
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
        Some((_, ct, body)) => (file_headers(ct), *body).into_response(),
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
        let csp = ok.headers()[axum::http::header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii");
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-eval"), "{csp}");
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

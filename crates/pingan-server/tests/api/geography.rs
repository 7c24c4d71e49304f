//! Geography import through the API, layers and locate.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_core::access::Role;
pub use pingan_testkit::app::sample_geojson;
use pingan_testkit::both;

async fn put(app: &TestApp, token: &str, body: String) -> (StatusCode, serde_json::Value) {
    app.send(
        Request::put("/api/v1/geography")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/geo+json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

both!(
    import_then_locate_and_serve_layers,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let (s, report) = put(&app, &admin, sample_geojson().to_string()).await;
        assert_eq!(s, StatusCode::OK, "{report}");
        assert_eq!(report["features"], 5);
        assert_eq!(report["by_kind"]["grid"], 2);

        let op = app.token(Role::Operator).await;
        let (s, loc) = app
            .call(
                Method::GET,
                "/api/v1/geography/locate?lon=118.95&lat=35.001",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{loc}");
        assert_eq!(loc["inside_district"], true);
        assert_eq!(loc["town"]["id"], "t-zg");
        assert_eq!(loc["grid"]["id"], "g-002");
        assert_eq!(loc["nearest_road"]["id"], "r-bt");
        let d = loc["nearest_road"]["distance_m"].as_f64().unwrap();
        assert!((100.0..125.0).contains(&d), "{d}");

        let (s, layer) = app
            .call(
                Method::GET,
                "/api/v1/geography/layers/grid",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(layer["features"].as_array().unwrap().len(), 2);

        // A restart (a new state over the same store) sees the same geography.
        let reloaded = pingan_server::geography::load_geography(&app.state.store)
            .await
            .unwrap();
        assert_eq!(reloaded.feature_count(), 5);
        let (s, p) = app
            .call(
                Method::GET,
                "/api/v1/geography/layers/volcano",
                Some(&op),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    }
);

both!(
    an_invalid_import_names_each_feature_and_changes_nothing,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let (s, _) = put(&app, &admin, sample_geojson().to_string()).await;
        assert_eq!(s, StatusCode::OK);
        let mut bad = sample_geojson();
        // Feature 2: an unclosed ring. Feature 4: a latitude out of range.
        bad["features"][2]["geometry"]["coordinates"][0][4] = serde_json::json!([118.81, 34.90]);
        bad["features"][4]["geometry"]["coordinates"][1] = serde_json::json!([119.0, 95.0]);
        let (s, p) = put(&app, &admin, bad.to_string()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&"features[2]"), "{p}");
        assert!(fields.contains(&"features[4]"), "{p}");
        // Nothing changed.
        assert_eq!(app.state.geography().feature_count(), 5);
        let (s, p) = put(&app, &admin, "{not json".into()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    }
);

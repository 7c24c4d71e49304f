//! OGC API – Features: landing page, conformance, collections, items with bbox and paging.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use pingan_core::access::Role;
use pingan_testkit::both;
use serde_json::json;

both!(
    ogc_features_serve_collections_with_bbox_and_paging,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let (s, _) = app
            .send(
                Request::put("/api/v1/geography")
                    .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                    .header(header::CONTENT_TYPE, "application/geo+json")
                    .body(Body::from(
                        pingan_testkit::app::sample_geojson().to_string(),
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        for i in 0..5 {
            let body = json!({"id": format!("cam-{i}"), "name": format!("C{i}"), "lon": 118.9 + f64::from(i) * 0.01,
            "lat": 35.0, "heading_deg": 90, "fov_deg": 60, "range_m": 50});
            let (s, p) = app
                .call(
                    Method::POST,
                    "/api/v1/video/cameras",
                    Some(&admin),
                    Some(body),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{p}");
        }
        let viewer = app.token(Role::GridWorker).await;
        let get = |path: String| {
            Request::get(path)
                .header(header::AUTHORIZATION, format!("Bearer {viewer}"))
                .header(header::HOST, "pingan.example:8080")
                .body(Body::empty())
                .unwrap()
        };
        let (s, landing) = app.send(get("/api/v1/ogc".into())).await;
        assert_eq!(s, StatusCode::OK, "{landing}");
        let rels: Vec<&str> = landing["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["rel"].as_str().unwrap())
            .collect();
        for rel in ["self", "service-desc", "conformance", "data"] {
            assert!(rels.contains(&rel), "{landing}");
        }
        assert_eq!(
            landing["links"][0]["href"],
            "http://pingan.example:8080/api/v1/ogc"
        );
        let (_, conf) = app.send(get("/api/v1/ogc/conformance".into())).await;
        assert!(conf["conformsTo"]
            .to_string()
            .contains("ogcapi-features-1/1.0/conf/geojson"));
        let (_, cols) = app.send(get("/api/v1/ogc/collections".into())).await;
        let ids: Vec<&str> = cols["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "cameras",
                "camera_views",
                "checkpoints",
                "platforms",
                "towns",
                "grids",
                "key_places",
                "key_roads"
            ]
        );

        // Paging: 5 cameras, 2 per page.
        let (s, page) = app
            .send(get("/api/v1/ogc/collections/cameras/items?limit=2".into()))
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!(page["numberMatched"], 5);
        assert_eq!(page["numberReturned"], 2);
        let next = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .unwrap()["href"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            next,
            "http://pingan.example:8080/api/v1/ogc/collections/cameras/items?limit=2&offset=2"
        );
        let (_, page2) = app
            .send(get(
                "/api/v1/ogc/collections/cameras/items?limit=2&offset=4".into(),
            ))
            .await;
        assert_eq!(page2["numberReturned"], 1, "{page2}");
        assert!(page2["links"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["rel"] != "next"));
        // bbox keeps the first two.
        let (_, boxed) = app
            .send(get(
                "/api/v1/ogc/collections/cameras/items?bbox=118.89,34.99,118.915,35.01".into(),
            ))
            .await;
        assert_eq!(boxed["numberMatched"], 2, "{boxed}");
        let (s, _) = app
            .send(get("/api/v1/ogc/collections/cameras/items?bbox=1,2".into()))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        // Views are polygons; geography layers come through too.
        let (_, views) = app
            .send(get("/api/v1/ogc/collections/camera_views/items".into()))
            .await;
        assert_eq!(views["features"][0]["geometry"]["type"], "Polygon");
        let (_, grids) = app
            .send(get("/api/v1/ogc/collections/grids/items".into()))
            .await;
        assert_eq!(grids["numberMatched"], 2, "{grids}");
        let (s, one) = app
            .send(get("/api/v1/ogc/collections/cameras/items/cam-3".into()))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(one["properties"]["name"], "C3");
        let (s, _) = app
            .send(get("/api/v1/ogc/collections/volcanoes/items".into()))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
);

/// GDAL's OAPIF driver (what QGIS uses) reads the layers from a real socket. `scripts/test`
/// installs `gdal-bin`; elsewhere the test is skipped with a note, unless services are required
/// (`PINGAN_TEST_REQUIRE_SERVICES=1`, as in CI), where a missing `ogrinfo` fails it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_ogrinfo_reads_the_collections() {
    if std::process::Command::new("ogrinfo")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            !pingan_testkit::services::require_services(),
            "ogrinfo is missing: apt-get install gdal-bin (scripts/ensure-test-deps.sh --with gis)"
        );
        eprintln!("ogrinfo not installed; skipping the GDAL check");
        return;
    }
    let app = crate::support::app(crate::support::Db::Sqlite)
        .await
        .expect("app");
    let admin = app.token(Role::Admin).await;
    for i in 0..3 {
        let body = json!({"id": format!("cam-{i}"), "name": format!("C{i}"), "lon": 118.9 + f64::from(i) * 0.01,
            "lat": 35.0, "heading_deg": 90, "fov_deg": 60, "range_m": 50});
        let (s, p) = app
            .call(
                Method::POST,
                "/api/v1/video/cameras",
                Some(&admin),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
    }
    let viewer = app.token(Role::Analyst).await;
    let addr = pingan_testkit::app::serve(&app).await;
    let dir = tempfile::tempdir().expect("dir");
    let headers = dir.path().join("headers.txt");
    std::fs::write(&headers, format!("Authorization: Bearer {viewer}\n")).expect("header file");
    let run = move |args: Vec<String>| {
        let headers = headers.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new("ogrinfo")
                .args(&args)
                .env("GDAL_HTTP_HEADER_FILE", &headers)
                .env("GDAL_HTTP_TIMEOUT", "20")
                .output()
                .expect("ogrinfo runs")
        })
    };
    let url = format!("OAPIF:http://{addr}/api/v1/ogc");
    let out = run(vec!["-ro".into(), "-q".into(), url.clone()])
        .await
        .expect("join");
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{listing}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for layer in [
        "cameras",
        "camera_views",
        "checkpoints",
        "towns",
        "key_roads",
    ] {
        assert!(listing.contains(layer), "{layer} missing:\n{listing}");
    }
    let out = run(vec!["-ro".into(), "-al".into(), url, "cameras".into()])
        .await
        .expect("join");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Feature Count: 3"), "{text}");
    assert!(text.contains("POINT (118.91 35.0)"), "{text}");
}

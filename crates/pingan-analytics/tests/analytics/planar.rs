//! Analyses on planar coordinates: events with `x` and `y` in metres of a named CRS, measured
//! as given (a pair exactly at a distance threshold falls inside it, as in any other tool on
//! the same plane), grids whose edges sit on a stated grid origin, and the refusals that name
//! what does not fit a planar request.

use crate::support::{post, rand_suffix, TestApp};
use axum::http::StatusCode;
use pingan_core::access::Role;
use pingan_testkit::both;
use pingan_testkit::problem_fields as fields;
use serde_json::{json, Value};

/// CGCS2000 / 3-degree Gauss-Krüger CM 117E: a plane a Chinese district's GIS is often in.
const CRS: &str = "EPSG:4547";

fn planar(id: String, x: f64, y: f64, day: u32) -> Value {
    json!({ "id": id, "x": x, "y": y, "time": format!("2026-03-{day:02}T10:00:00+08:00"), "type": "theft" })
}

both!(
    a_pair_exactly_at_the_knox_threshold_is_inside_it,
    |app: TestApp| async move {
        let token = app.token(Role::Analyst).await;
        let tag = format!("pk{}", rand_suffix());
        // Pairs 200 m apart exactly (inside band 1) and 200.001 m apart (beyond), a day apart.
        let (x, y) = (500_000.0, 3_880_000.0);
        let evs = vec![
            planar(format!("{tag}-a"), x, y, 1),
            planar(format!("{tag}-b"), x + 200.0, y, 2),
            planar(format!("{tag}-c"), x + 10_000.0, y, 1),
            planar(format!("{tag}-d"), x + 10_200.001, y, 2),
        ];
        let params = json!({ "spatial_bandwidth_m": 200, "spatial_bands": 1, "same_location": false,
            "temporal_bandwidth_days": 7, "temporal_bands": 1, "permutations": 9 });
        let (s, body) = post(
            &app,
            &token,
            "knox",
            json!({ "events": evs, "crs": CRS, "params": params }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["crs"], CRS);
        let r = &body["result"];
        assert_eq!(r["total_pairs"], 6);
        assert_eq!(
            r["table"][0]["cells"][0]["observed"], 1,
            "only a–b is within 200 m and 7 days: {r}"
        );
    }
);

both!(
    a_grid_origin_puts_the_cell_edges_where_asked,
    |app: TestApp| async move {
        let token = app.token(Role::Analyst).await;
        let tag = format!("pg{}", rand_suffix());
        let evs: Vec<Value> = (0..40)
            .map(|i| {
                let f = f64::from(i);
                planar(
                    format!("{tag}-{i}"),
                    500_123.0 + 37.0 * f,
                    3_880_456.0 + 11.0 * f,
                    1 + i % 20,
                )
            })
            .collect();
        let (s, body) = post(
            &app,
            &token,
            "kde",
            json!({ "events": evs.clone(), "crs": CRS,
                "params": { "cell_m": 100, "bandwidth_m": 150, "grid_origin": [500_000, 3_880_000] } }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let g = &body["result"]["grid"];
        assert_eq!(g["crs"], CRS);
        assert_eq!(g["projection"], "none");
        let (x0, y0) = (g["x0_m"].as_f64().unwrap(), g["y0_m"].as_f64().unwrap());
        assert_eq!((x0 - 500_000.0).rem_euclid(100.0), 0.0, "{g}");
        assert_eq!((y0 - 3_880_000.0).rem_euclid(100.0), 0.0, "{g}");
        assert!(
            x0 <= 500_123.0 && y0 <= 3_880_456.0,
            "the grid covers the events: {g}"
        );
        // Cells come back in the caller's metres, on the same edges.
        let ring = &body["result"]["cells"]["features"][0]["geometry"]["coordinates"][0];
        let corner = ring[0].as_array().unwrap();
        assert_eq!(
            (corner[0].as_f64().unwrap() - 500_000.0).rem_euclid(100.0),
            0.0,
            "{ring}"
        );
        // Gi* on the same grid origin lines up with it.
        let (s, body) = post(
            &app,
            &token,
            "gistar",
            json!({ "events": evs, "crs": CRS,
                "params": { "cell_m": 100, "permutations": 9, "grid_origin": [500_000, 3_880_000] } }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let g = &body["result"]["grid"]["grid"];
        let x0 = g["x0_m"].as_f64().unwrap();
        assert_eq!((x0 - 500_000.0).rem_euclid(100.0), 0.0, "{g}");
    }
);

both!(
    planar_requests_name_what_does_not_fit,
    |app: TestApp| async move {
        let token = app.token(Role::Analyst).await;
        let tag = format!("pr{}", rand_suffix());
        let evs = vec![
            planar(format!("{tag}-a"), 500_000.0, 3_880_000.0, 1),
            planar(format!("{tag}-b"), 500_100.0, 3_880_000.0, 2),
        ];
        let mixed = vec![
            planar(format!("{tag}-c"), 500_000.0, 3_880_000.0, 1),
            json!({ "id": format!("{tag}-d"), "lon": 118.9, "lat": 35.0, "time": "2026-03-02T10:00:00+08:00" }),
        ];
        for (path, body, field) in [
            (
                "gistar",
                json!({ "events": evs, "crs": CRS, "params": { "grid": "h3" } }),
                "params.grid",
            ),
            (
                "kde",
                json!({ "events": evs, "crs": CRS, "params": { "origin": [117.0, 35.0] } }),
                "params.origin",
            ),
            (
                "kde",
                json!({ "events": mixed, "crs": CRS }),
                "events[1].lon",
            ),
            ("kde", json!({ "events": evs }), "events[0].x"),
            ("kde", json!({ "events": evs, "crs": "<b>" }), "crs"),
            ("kde", json!({ "source": "incidents", "crs": CRS }), "crs"),
            (
                "kde",
                json!({ "events": [{ "id": "x", "lon": 118.9, "lat": 35.0, "time": "2026-03-02T10:00:00+08:00" }],
                    "params": { "grid_origin": [0, 0] } }),
                "params.grid_origin",
            ),
        ] {
            let (s, answer) = post(&app, &token, path, body).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {answer}");
            let named = fields(&answer);
            assert_eq!(
                named.first().map(String::as_str),
                Some(field),
                "{path}: {answer}"
            );
        }
    }
);

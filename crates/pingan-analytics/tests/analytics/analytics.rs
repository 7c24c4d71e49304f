//! The analytics endpoints on generated events: each method's answer, parameter errors,
//! the result cache and the permission.
//!
//! The generated district: background events spread over ~10 × 11 km and 16 weeks, a dense
//! cluster (a hotspot) in the north-east, near-repeat follow-ups, one spike week, and a planted
//! series of five burglaries sharing their modus operandi. Every request carries its own event
//! id prefix so that the process-wide result cache never answers one test with another's data.

use crate::support::{post, rand_suffix, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Duration, FixedOffset};
use http_body_util::BodyExt;
use pingan_core::access::Role;
use pingan_testkit::both;
use pingan_testkit::problem_fields as error_fields;
use serde_json::{json, Value};

/// A small deterministic generator (tests need no RNG crate).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn base() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-01-05T00:00:00+08:00").expect("a valid RFC 3339 time")
}

fn at(seconds: f64) -> String {
    (base() + Duration::seconds(seconds as i64)).to_rfc3339()
}

const WEEK: f64 = 7.0 * 86_400.0;
const CLUSTER: (f64, f64) = (118.92, 35.02);
const TEXTS: [&str; 4] = [
    "路边停放车辆被盗",
    "店内手机被拿走",
    "夜间窗户被撬",
    "背包在公交站被偷",
];

fn event(id: String, lon: f64, lat: f64, t: f64, kind: &str, town: &str, text: &str) -> Value {
    json!({ "id": id, "lon": lon, "lat": lat, "time": at(t), "type": kind, "town": town, "text": text })
}

/// About 700 events; ids start with `tag` so that every call site has its own data version.
fn events(tag: &str) -> Vec<Value> {
    let mut r = Lcg(42);
    let mut out = Vec::new();
    let mut n = 0;
    let mut id = || {
        n += 1;
        format!("{tag}-{n}")
    };
    for i in 0..400 {
        let (lon, lat) = (118.85 + 0.1 * r.next(), 34.95 + 0.1 * r.next());
        let t = 16.0 * WEEK * r.next();
        let kind = if i % 2 == 0 { "theft" } else { "burglary" };
        let town = if lon < 118.9 { "西城" } else { "东城" };
        let text = TEXTS[i % TEXTS.len()];
        out.push(event(id(), lon, lat, t, kind, town, text));
        // Every fifth event has a near repeat: within ~50 m, one to three days later.
        if i % 5 == 0 {
            let (dlon, dlat) = (0.0005 * (r.next() - 0.5), 0.0005 * (r.next() - 0.5));
            let dt = 86_400.0 * (1.0 + 2.0 * r.next());
            out.push(event(
                id(),
                lon + dlon,
                lat + dlat,
                t + dt,
                kind,
                town,
                text,
            ));
        }
    }
    // The hotspot: 120 thefts within ~100 m of one corner.
    for _ in 0..120 {
        let (lon, lat) = (
            CLUSTER.0 + 0.002 * (r.next() - 0.5),
            CLUSTER.1 + 0.002 * (r.next() - 0.5),
        );
        out.push(event(
            format!("{}c", id()),
            lon,
            lat,
            16.0 * WEEK * r.next(),
            "theft",
            "东城",
            TEXTS[0],
        ));
    }
    // The spike: 100 extra events in week 12.
    for _ in 0..100 {
        let (lon, lat) = (118.85 + 0.1 * r.next(), 34.95 + 0.1 * r.next());
        out.push(event(
            id(),
            lon,
            lat,
            12.0 * WEEK + WEEK * r.next(),
            "theft",
            "西城",
            TEXTS[1],
        ));
    }
    out
}

/// The planted series: five burglaries a few days apart, same place, same method.
fn with_series(tag: &str) -> Vec<Value> {
    let mut out = events(tag);
    for k in 0..5 {
        let lon = 118.87 + 0.0004 * f64::from(k);
        out.push(event(
            format!("{tag}-series-{k}"),
            lon,
            34.97,
            2.0 * WEEK + f64::from(k) * 3.0 * 86_400.0,
            "burglary",
            "西城",
            "犯罪嫌疑人使用液压剪剪断地下车库电动自行车锁具后推走",
        ));
    }
    out
}

both!(
    kde_returns_cells_and_the_cluster_as_top_hotspot,
    |app: TestApp| async move {
        let token = app.token(Role::Analyst).await;
        let tag = format!("kde{}", rand_suffix());
        let (s, body) = post(
            &app,
            &token,
            "kde",
            json!({ "events": events(&tag), "params": { "bandwidth_m": 150, "cell_m": 100 } }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["method"], "kde");
        assert_eq!(body["cached"], false);
        assert_eq!(body["params"]["kernel"], "gaussian");
        let r = &body["result"];
        assert_eq!(r["cells"]["type"], "FeatureCollection");
        assert!(r["cells_returned"].as_u64().unwrap() > 100);
        let top = &r["hotspots"]["features"][0];
        assert_eq!(top["properties"]["rank"], 1);
        assert_eq!(top["geometry"]["type"], "MultiPolygon");
        let peak = top["properties"]["peak"].as_array().unwrap();
        let (lon, lat) = (peak[0].as_f64().unwrap(), peak[1].as_f64().unwrap());
        assert!(
            (lon - CLUSTER.0).abs() < 0.003 && (lat - CLUSTER.1).abs() < 0.003,
            "{peak:?}"
        );
    }
);

both!(kde_png_has_a_legend, |app: TestApp| async move {
    let token = app.token(Role::Investigator).await;
    let tag = format!("png{}", rand_suffix());
    let req = Request::post("/api/v1/analytics/kde/png")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "events": events(&tag), "params": { "cell_m": 200 } }).to_string(),
        ))
        .unwrap();
    let resp = app.send_raw(req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/png");
    let legend: Value =
        serde_json::from_str(resp.headers()["x-pingan-legend"].to_str().unwrap()).unwrap();
    assert_eq!(legend["classes"].as_array().unwrap().len(), 5);
    assert_eq!(resp.headers()["x-pingan-cached"], "false");
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
});

both!(
    gistar_finds_the_hotspot_on_squares_and_hexagons,
    |app: TestApp| async move {
        let token = app.token(Role::Analyst).await;
        let tag = format!("gi{}", rand_suffix());
        let (s, body) = post(
            &app,
            &token,
            "gistar",
            json!({ "events": events(&tag), "params": { "cell_m": 500, "permutations": 99 } }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let r = &body["result"];
        assert!(
            r["classes"]["hot_99"].as_u64().unwrap() >= 1,
            "{}",
            r["classes"]
        );
        let cell = &r["cells"]["features"][0]["properties"];
        for key in ["count", "z", "p_norm", "p_sim", "class", "label"] {
            assert!(cell.get(key).is_some(), "missing {key}: {cell}");
        }
        let (s, body) = post(&app, &token, "gistar", json!({ "events": events(&tag),
        "params": { "grid": "h3", "h3_resolution": 8, "permutations": 99, "only_significant": true } })).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let features = body["result"]["cells"]["features"].as_array().unwrap();
        assert!(!features.is_empty());
        assert!(features.iter().all(|f| f["properties"]["class"] != 0));
        assert!(features[0]["properties"]["h3"].is_string());
        assert_eq!(
            features[0]["geometry"]["coordinates"][0]
                .as_array()
                .unwrap()
                .len(),
            7
        );
    }
);

both!(
    knox_reports_the_table_and_a_risk_zone,
    |app: TestApp| async move {
        let token = app.token(Role::Operator).await;
        let tag = format!("knox{}", rand_suffix());
        // Without the hotspot: its many close pairs (uniform in time) would dilute the ratio.
        let evs: Vec<Value> = events(&tag)
            .into_iter()
            .filter(|e| !e["id"].as_str().unwrap().ends_with('c'))
            .collect();
        let n = evs.len() as u64;
        let (s, body) = post(
            &app,
            &token,
            "knox",
            json!({ "events": evs, "params": { "permutations": 199 } }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let r = &body["result"];
        assert_eq!(r["total_pairs"].as_u64().unwrap(), n * (n - 1) / 2);
        // Same location + 5 bands + beyond; 4 bands + beyond.
        assert_eq!(r["table"].as_array().unwrap().len(), 7);
        assert_eq!(r["temporal_bands"].as_array().unwrap().len(), 5);
        let mut sum = 0;
        for row in r["table"].as_array().unwrap() {
            for c in row["cells"].as_array().unwrap() {
                sum += c["observed"].as_u64().unwrap();
                let p = c["p_sim"].as_f64().unwrap();
                assert!(p > 0.0 && p <= 1.0);
            }
        }
        assert_eq!(sum, n * (n - 1) / 2);
        // The planted follow-ups sit within 200 m and 7 days: that cell is over-represented.
        let close = &r["table"][1]["cells"][0];
        assert!(close["ratio"].as_f64().unwrap() > 2.0, "{close}");
        assert!(
            r["risk_zone"]["distance_m"].as_f64().unwrap() >= 200.0,
            "{}",
            r["risk_zone"]
        );
        assert!(r["band_rule"].as_str().unwrap().contains("counted once"));
    }
);

both!(
    profiles_and_trend_flag_the_spike_week,
    |app: TestApp| async move {
        let token = app.token(Role::Analyst).await;
        let tag = format!("prof{}", rand_suffix());
        let evs = events(&tag);
        let (s, body) = post(&app, &token, "profile", json!({ "events": evs.clone() })).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let r = &body["result"];
        assert_eq!(r["all"]["total"].as_u64().unwrap(), evs.len() as u64);
        assert!(r["by_type"]["theft"]["total"].as_u64().unwrap() > 0);
        assert!(r["by_town"]["西城"]["total"].as_u64().unwrap() > 0);
        assert_eq!(r["all"]["counts"].as_array().unwrap().len(), 7);

        let (s, body) = post(&app, &token, "profile", json!({ "events": evs.clone(), "filter": { "types": ["burglary"], "towns": ["东城"] } })).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert!(body["result"]["by_type"].get("theft").is_none());
        assert!(body["events_used"].as_u64().unwrap() < body["events_given"].as_u64().unwrap());

        let filter =
            json!({ "from": "2026-01-05T00:00:00+08:00", "to": "2026-04-27T00:00:00+08:00" });
        let (s, body) = post(
            &app,
            &token,
            "trend",
            json!({ "events": evs, "filter": filter }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let weeks = body["result"]["weeks"].as_array().unwrap();
        assert_eq!(weeks.len(), 16);
        assert_eq!(weeks[12]["unusual"], "high", "{}", weeks[12]);
        assert_eq!(weeks[12]["week_start"], "2026-03-30T00:00:00+08:00");
    }
);

both!(
    pai_of_a_stable_hotspot_beats_chance,
    |app: TestApp| async move {
        let token = app.token(Role::Analyst).await;
        let tag = format!("pai{}", rand_suffix());
        let (s, body) = post(
            &app,
            &token,
            "pai",
            json!({ "events": events(&tag),
        "params": { "split_at": "2026-03-02T00:00:00+08:00", "cell_m": 200, "area_share": 0.05 } }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let r = &body["result"];
        assert!(r["pai"].as_f64().unwrap() > 2.0, "{r}");
        assert!(
            r["events_before"].as_u64().unwrap() > 0 && r["events_later"].as_u64().unwrap() > 0
        );
        // Without split_at the request is incomplete.
        let (s, body) = post(&app, &token, "pai", json!({ "events": events(&tag) })).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(error_fields(&body), ["params.split_at"]);
    }
);

both!(linkage_ranks_the_series_first, |app: TestApp| async move {
    let token = app.token(Role::Investigator).await;
    let tag = format!("link{}", rand_suffix());
    let case = format!("{tag}-series-0");
    let (s, body) = post(
        &app,
        &token,
        "linkage",
        json!({ "events": with_series(&tag), "params": { "case_id": case, "top_k": 4 } }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let r = &body["result"];
    let links = r["links"].as_array().unwrap();
    assert_eq!(links.len(), 4);
    for l in links {
        assert!(
            l["id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{tag}-series-")),
            "{l}"
        );
        assert!(!l["reasons"].as_array().unwrap().is_empty());
    }
    let series = r["series"].as_array().unwrap();
    assert!(series.iter().any(|s| s["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == &json!(case))));
    // An unknown case is a 404 naming the case.
    let (s, _) = post(
        &app,
        &token,
        "linkage",
        json!({ "events": with_series(&tag), "params": { "case_id": "nobody" } }),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});

both!(
    bad_parameters_get_field_named_errors,
    |app: TestApp| async move {
        let token = app.token(Role::Analyst).await;
        let tag = format!("bad{}", rand_suffix());
        let evs = events(&tag);
        let cases = [
            (
                "kde",
                json!({ "events": evs.clone(), "params": { "bandwidth_m": 0 } }),
                "params.bandwidth_m",
            ),
            (
                "kde",
                json!({ "events": evs.clone(), "params": { "bandwidth_m": -5 } }),
                "params.bandwidth_m",
            ),
            (
                "kde",
                json!({ "events": evs.clone(), "params": { "cell_m": 0.5 } }),
                "params.cell_m",
            ),
            (
                "kde",
                json!({ "events": evs.clone(), "params": { "kernel": "box" } }),
                "params.kernel",
            ),
            (
                "kde",
                json!({ "events": evs.clone(), "params": { "bandwith_m": 10 } }),
                "params",
            ),
            (
                "gistar",
                json!({ "events": evs.clone(), "params": { "permutations": 100000 } }),
                "params.permutations",
            ),
            (
                "knox",
                json!({ "events": evs.clone(), "params": { "permutations": 10000 } }),
                "params.permutations",
            ),
            (
                "knox",
                json!({ "events": evs.clone(), "params": { "temporal_bandwidth_days": 0 } }),
                "params.temporal_bandwidth_days",
            ),
            ("knox", json!({ "events": [] }), "events"),
            ("profile", json!({ "params": {} }), "events"),
            (
                "profile",
                json!({ "events": evs.clone(), "filter": { "from": "2030-01-01T00:00:00+08:00" } }),
                "filter",
            ),
            (
                "profile",
                json!({ "events": evs.clone(), "filter": { "from": "last week" } }),
                "filter.from",
            ),
            (
                "trend",
                json!({ "events": evs.clone(), "params": { "threshold": 0 } }),
                "params.threshold",
            ),
            (
                "linkage",
                json!({ "events": evs.clone(), "params": { "series": false } }),
                "params.case_id",
            ),
        ];
        for (path, body, field) in cases {
            let (s, answer) = post(&app, &token, path, body).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{path} {field}: {answer}");
            let fields = error_fields(&answer);
            assert!(
                fields.iter().any(|f| f.starts_with(field)),
                "{path}: expected {field}, got {answer}"
            );
        }
        // Bad events are named by position and field, several at once.
        let mut bad = evs.clone();
        bad[3]["lon"] = json!(190.0);
        bad[7]["time"] = json!("2026-13-01");
        bad[9]["lat"] = json!("north");
        let (s, answer) = post(&app, &token, "kde", json!({ "events": bad })).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(
            error_fields(&answer),
            ["events[9].lat"],
            "a type error stops parsing first: {answer}"
        );
        bad[9]["lat"] = json!(35.0);
        let (s, answer) = post(&app, &token, "kde", json!({ "events": bad })).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(error_fields(&answer), ["events[3].lon", "events[7].time"]);
        // Too many events.
        let many: Vec<Value> = (0..50_001).map(|i| json!({ "id": i, "lon": 118.9, "lat": 35.0, "time": "2026-01-05T00:00:00+08:00" })).collect();
        let (s, answer) = post(&app, &token, "profile", json!({ "events": many })).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(error_fields(&answer), ["events"]);
    }
);

both!(
    results_are_cached_by_parameters_and_data,
    |app: TestApp| async move {
        let token = app.token(Role::Analyst).await;
        let tag = format!("cache{}", rand_suffix());
        let body = json!({ "events": events(&tag), "params": { "permutations": 99, "seed": 7 } });
        let (s, first) = post(&app, &token, "knox", body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first["cached"], false);
        let (_, second) = post(&app, &token, "knox", body.clone()).await;
        assert_eq!(second["cached"], true);
        assert_eq!(first["result"], second["result"]);
        assert_eq!(first["data_version"], second["data_version"]);
        // Other parameters, or other data, are computed afresh.
        let (_, other_seed) = post(
            &app,
            &token,
            "knox",
            json!({ "events": events(&tag), "params": { "permutations": 99, "seed": 8 } }),
        )
        .await;
        assert_eq!(other_seed["cached"], false);
        let mut changed = events(&tag);
        changed[0]["lon"] = json!(118.851);
        let (_, other_data) = post(
            &app,
            &token,
            "knox",
            json!({ "events": changed, "params": { "permutations": 99, "seed": 7 } }),
        )
        .await;
        assert_eq!(other_data["cached"], false);
        assert_ne!(other_data["data_version"], first["data_version"]);
        // The same data and parameters through another method are another entry.
        let (_, gi) = post(&app, &token, "gistar", body).await;
        assert_eq!(gi["cached"], false);
    }
);

both!(
    only_analysts_investigators_and_operators_may_run_analytics,
    |app: TestApp| async move {
        let tag = format!("perm{}", rand_suffix());
        let body = json!({ "events": events(&tag) });
        for role in [Role::Officer, Role::GridWorker, Role::Admin, Role::Auditor] {
            let token = app.token(role).await;
            let (s, answer) = post(&app, &token, "profile", body.clone()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{role}: {answer}");
        }
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/analytics/profile",
                None,
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        for role in [Role::Analyst, Role::Investigator, Role::Operator] {
            let token = app.token(role).await;
            let (s, answer) = post(&app, &token, "profile", body.clone()).await;
            assert_eq!(s, StatusCode::OK, "{role}: {answer}");
        }
    }
);

both!(
    incidents_in_the_store_can_be_analysed,
    |app: TestApp| async move {
        use pingan_command::domain::incident::{
            IncidentId, IncidentSource, IncidentType, Priority, TheftKind,
        };
        use pingan_command::domain::records::{CommandStore, IncidentLocation, NewIncident};
        use pingan_core::Timestamp;
        let t0 = base().timestamp_micros();
        for k in 0..12_i64 {
            let incident = NewIncident {
                id: IncidentId::new(format!("INC-AN{k}")),
                incident_type: if k % 3 == 0 {
                    IncidentType::Fraud
                } else {
                    IncidentType::Theft(TheftKind::Bicycle)
                },
                source: IncidentSource::Phone110,
                priority: Priority::new(3).unwrap(),
                location: IncidentLocation {
                    lon: 118.9 + 0.001 * k as f64,
                    lat: 35.0,
                    inside_district: true,
                    town_id: None,
                    town_name: Some("东城".into()),
                    grid_id: None,
                    grid_name: None,
                    road_id: None,
                    road_name: None,
                    road_distance_m: None,
                },
                description: "车棚内电动自行车被盗".into(),
                address: None,
                caller: None,
                received_at: Timestamp::from_micros(t0 + k * 20 * 3_600_000_000),
                created_by: "test".into(),
            };
            app.state
                .store
                .create_incident(&incident, vec![pingan_testkit::entry("test")])
                .await
                .unwrap();
        }
        let token = app.token(Role::Analyst).await;
        let window =
            json!({ "from": "2026-01-01T00:00:00+08:00", "to": "2026-02-01T00:00:00+08:00" });
        let mut filter = window.clone();
        filter["types"] = json!(["theft.bicycle"]);
        let (s, r) = post(
            &app,
            &token,
            "profile",
            json!({ "source": "incidents", "filter": filter }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["events_given"], 12);
        assert_eq!(r["events_used"], 8);
        assert_eq!(r["result"]["by_type"]["theft.bicycle"]["total"], 8);
        assert_eq!(r["result"]["by_town"]["东城"]["total"], 8);
        // The same question again is answered from the cache; the data version is the rows' hash.
        let (_, again) = post(
            &app,
            &token,
            "profile",
            json!({ "source": "incidents", "filter": filter }),
        )
        .await;
        assert_eq!(again["cached"], true);
        // A window with no incidents, or events and incidents at once, are refused with reasons.
        let (s, r) = post(
            &app,
            &token,
            "profile",
            json!({ "source": "incidents", "filter": { "from": "2027-01-01T00:00:00+08:00" } }),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(error_fields(&r), ["filter"]);
        let (s, r) = post(
            &app,
            &token,
            "profile",
            json!({ "source": "incidents", "events": events("both") }),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(error_fields(&r), ["events"]);
    }
);

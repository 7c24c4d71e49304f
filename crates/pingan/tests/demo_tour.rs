//! End-to-end: `pingan demo` on the small district, and docs/demo.md's guided tour walked
//! through the HTTP API, story by story.

mod common;

use common::{login, Server};
use serde_json::{json, Value};

async fn call(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client
        .request(method, server.url(&format!("/api/v1{path}")))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The four-eyes route of a plate query: the requester asks, the approver approves, the
/// requester runs it. Returns the run's status and answer.
async fn approved_run(
    c: &reqwest::Client,
    server: &Server,
    requester: &str,
    approver: &str,
    body: Value,
) -> (u16, Value) {
    use reqwest::Method;
    let (status, approval) = call(
        c,
        server,
        requester,
        Method::POST,
        "/plates/approvals",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{approval}");
    let id = approval["id"].as_str().expect("approval id").to_owned();
    let path = format!("/plates/approvals/{id}");
    let (status, approved) = call(
        c,
        server,
        approver,
        Method::POST,
        &format!("{path}/approve"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    call(
        c,
        server,
        requester,
        Method::POST,
        &format!("{path}/run"),
        Some(json!({})),
    )
    .await
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn now_us() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since.as_micros()).expect("µs fit")
}

fn rfc3339(us: i64) -> String {
    pingan_core::Timestamp(us).to_rfc3339()
}

/// docs/demo.md's guided tour, step by step, on the small demo district: every query it names
/// finds its story.
#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
async fn the_demo_tour_finds_every_story() {
    use reqwest::Method;
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_command(
        &dir.path().join("demo"),
        &["demo", "--small", "--no-live"],
        &[],
    );
    let c = reqwest::Client::new();
    let pw = "pingan-demo";
    let operator = login(&c, &server, "operator", pw).await;
    let investigator = login(&c, &server, "investigator", pw).await;
    let analyst = login(&c, &server, "analyst", pw).await;
    let (status, meta) = call(&c, &server, &operator, Method::GET, "/meta", None).await;
    assert_eq!((status, &meta["demo"]), (200, &json!(true)));
    let (status, tour) = call(&c, &server, &operator, Method::GET, "/demo/tour", None).await;
    assert_eq!(status, 200, "{tour}");
    let s = &tour["stories"];

    // 1. The bicycle thefts: the incident names the cameras that see the store.
    let bike = &s["bicycle"];
    let thefts = ids(&bike["thefts"]);
    let cameras = ids(&bike["cameras"]);
    assert!(thefts.len() >= 2 && !cameras.is_empty(), "{bike}");
    let (status, first) = call(
        &c,
        &server,
        &operator,
        Method::GET,
        &format!("/incidents/{}", thefts[0]),
        None,
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let text = first.to_string();
    for cam in &cameras {
        assert!(
            text.contains(cam.as_str()),
            "{cam} not linked to {}",
            thefts[0]
        );
    }
    // The same-looking subject on the store's cameras on both days.
    let spot = [
        bike["spot"][0].as_f64().expect("lon"),
        bike["spot"][1].as_f64().expect("lat"),
    ];
    let story_detections = ids(&bike["detections"]);
    let (status, found) = call(
        &c,
        &server,
        &investigator,
        Method::POST,
        "/video/detections/search",
        Some(json!({
            "area": {"center": spot, "radius_m": 200.0},
            "from": rfc3339(bike["stakeout_from"].as_i64().unwrap_or(0) - 60 * 86_400_000_000),
            "to": rfc3339(bike["stakeout_to"].as_i64().unwrap_or(0)),
            "label": "person", "limit": 1000,
            "purpose": {"purpose": "criminal_investigation", "reference": thefts[0]},
        })),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    let found_ids: Vec<String> = found["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect();
    let people: Vec<&String> = story_detections
        .iter()
        .filter(|d| d.ends_with("person"))
        .collect();
    assert!(people.len() >= thefts.len(), "{story_detections:?}");
    for d in people {
        assert!(
            found_ids.contains(d),
            "story detection {d} not found in {found_ids:?}"
        );
    }
    // Linkage ranks the other theft of the series near the top.
    let (status, linkage) = call(
        &c,
        &server,
        &analyst,
        Method::POST,
        "/analytics/linkage",
        Some(json!({"source": "incidents", "params": {"case_id": thefts[0], "top_k": 5}})),
    )
    .await;
    assert_eq!(status, 200, "{linkage}");
    let linked: Vec<String> = linkage["result"]["links"]
        .as_array()
        .or_else(|| linkage["links"].as_array())
        .unwrap_or_else(|| panic!("links in {linkage}"))
        .iter()
        .filter_map(|l| l["id"].as_str().map(str::to_owned))
        .collect();
    assert!(
        linked.contains(&thefts[1]),
        "{} not in {linked:?}",
        thefts[1]
    );

    // 2. The dumpster: the cameras on Bantuan Road see the spot…
    let dump = &s["dumpster"];
    let (lon, lat) = (
        dump["spot"][0].as_f64().expect("lon"),
        dump["spot"][1].as_f64().expect("lat"),
    );
    let (status, seeing) = call(
        &c,
        &server,
        &operator,
        Method::GET,
        &format!("/video/seeing?lon={lon}&lat={lat}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{seeing}");
    let text = seeing.to_string();
    for cam in ids(&dump["cameras"]) {
        assert!(
            text.contains(cam.as_str()),
            "{cam} does not see the dumpster spot: {text}"
        );
    }
    // …and the truck's trajectory, which lies beyond 7 days, needs a second person.
    let passes = dump["trajectory"].as_array().expect("trajectory");
    let first_at = passes
        .iter()
        .filter_map(|p| p["at"].as_i64())
        .min()
        .expect("at");
    let last_at = passes
        .iter()
        .filter_map(|p| p["at"].as_i64())
        .max()
        .expect("at");
    let request = json!({
        "purpose": {"purpose": "criminal_investigation", "reference": dump["incident"]},
        "query": {"kind": "trajectory", "plate": dump["plate"], "from": first_at - 3_600_000_000i64, "to": last_at + 3_600_000_000i64},
    });
    let (status, refused) = call(
        &c,
        &server,
        &investigator,
        Method::POST,
        "/plates/query",
        Some(request.clone()),
    )
    .await;
    assert_eq!(status, 403, "{refused}");
    let (status, answer) = approved_run(&c, &server, &investigator, &operator, request).await;
    assert_eq!(status, 200, "{answer}");
    let rows: Vec<(i64, i64)> = answer["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["checkpoint"].as_i64().unwrap_or(-1),
                r["ts"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    for p in passes {
        let code: i64 = p["checkpoint"]
            .as_str()
            .and_then(|c| c.trim_start_matches("kk-").parse().ok())
            .expect("checkpoint code");
        let at = p["at"].as_i64().expect("at");
        assert!(rows.contains(&(code, at)), "pass {p} missing from {rows:?}");
    }

    // 3. Co-travel: the follower ranks first.
    let co = &s["co_travel"];
    let times: Vec<i64> = co["passes"]
        .as_array()
        .expect("passes")
        .iter()
        .filter_map(|p| p["leader_at"].as_i64())
        .collect();
    let (from, to) = (
        times.iter().min().copied().expect("passes"),
        times.iter().max().copied().expect("passes") + 1,
    );
    let purpose = json!({"purpose": "criminal_investigation", "reference": "CASE-TOUR-3"});
    let query = json!({"kind": "co_travel", "plate": co["leader"], "from": from - 600_000_000, "to": to + 600_000_000, "delta_s": 90, "min_occasions": 3});
    // Windows older than 7 days go through approval; recent ones run at once.
    let needs_approval = from < now_us() - 7 * 86_400_000_000;
    let body = json!({"purpose": purpose, "query": query});
    let answer = if needs_approval {
        approved_run(&c, &server, &investigator, &operator, body)
            .await
            .1
    } else {
        call(
            &c,
            &server,
            &investigator,
            Method::POST,
            "/plates/query",
            Some(body),
        )
        .await
        .1
    };
    assert_eq!(answer["rows"][0]["plate"], co["follower"], "{answer}");

    // 4. The stolen car is on the watch-list, active.
    let (status, list) = call(&c, &server, &investigator, Method::GET, "/watchlist", None).await;
    assert_eq!(status, 200, "{list}");
    let plate = s["stolen_car"]["plate"].as_str().expect("plate");
    assert!(
        list.to_string().contains(plate),
        "{plate} not listed: {list}"
    );
    server.stop();
}

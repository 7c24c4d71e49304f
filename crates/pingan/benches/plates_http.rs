//! End-to-end latency of the plate-read path through the real binary and its HTTP API:
//! (1) each investigative query (Q1–Q7) through `POST /api/v1/plates/query`, and (2) watch-list
//! hit → WebSocket delivery while ingesting about 50,000 reads/s over HTTP.
//!
//! `cargo bench -p pingan --bench plates_http [-- READS_PER_SECOND SECONDS BATCH_INTERVAL_MS]`
//! (defaults 50,000 reads/s for 10 s, a batch every 20 ms: 1,000 reads per request, about what
//! 15 checkpoints each posting every 300 ms send at that rate)
//!
//! It starts `pingan serve` on SQLite in a temporary directory, signs in, registers a checkpoint,
//! lists a plate, and then sends batches of reads; every 100th read carries the listed plate.
//! Delivery latency = the moment the alert arrives on the operator's WebSocket minus the moment
//! its batch was sent (so it includes the HTTP request, the durable commit, matching and the
//! stream). A benchmark program, not a test: it prints figures and asserts nothing about speed.
#![expect(clippy::print_stdout, reason = "a bench program reports on stdout")]
#![expect(
    clippy::unwrap_used,
    reason = "a bench program stops at the first failure"
)]

use futures::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PASSWORD: &str = "bench password 123";
const LISTED: &str = "鲁Q9B777";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn login(c: &reqwest::Client, base: &str, user: &str) -> String {
    let v: Value = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": PASSWORD, "mode": "bearer"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"].as_str().unwrap().to_owned()
}

async fn post(c: &reqwest::Client, base: &str, token: &str, path: &str, body: Value) -> Value {
    let resp = c
        .post(format!("{base}/api/v1{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {v}");
    v
}

fn plate(i: u64) -> String {
    // 鲁Q + five characters: a letter and four digits, distinct for a long run.
    let letters = b"ABCDEFGHJKLMNPRSTUVWXYZ";
    format!(
        "鲁Q{}{:04}",
        letters[(i / 10_000 % 23) as usize] as char,
        i % 10_000
    )
}

#[tokio::main]
#[expect(
    clippy::too_many_lines,
    reason = "a benchmark's main is its script: each measurement in turn, in the order it reports them"
)]
async fn main() {
    let args: Vec<String> = std::env::args().filter(|a| !a.starts_with("--")).collect();
    let rate: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let interval_ms: u64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
        .clamp(1, 1_000);
    let batches_per_second = 1_000 / interval_ms;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pingan"))
        .arg("serve")
        .env("PINGAN_DATA_DIR", dir.path().join("data"))
        .env("PINGAN_LISTEN", "127.0.0.1:0")
        .env("PINGAN_ADMIN_PASSWORD", PASSWORD)
        .env("PINGAN_LOG", "warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut lines = stderr.lines();
    let base = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.strip_prefix("pingan is serving on ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let c = reqwest::Client::new();
    let admin = login(&c, &base, "admin").await;
    for (u, role) in [("inv.a", "investigator"), ("op.b", "operator")] {
        post(
            &c,
            &base,
            &admin,
            "/users",
            json!({"username": u, "display_name": u, "role": role, "password": PASSWORD}),
        )
        .await;
    }
    let key = post(
        &c,
        &base,
        &admin,
        "/devices",
        json!({"id": "kk-01", "kind": "checkpoint", "name": "kk-01"}),
    )
    .await["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = c
        .put(format!("{base}/api/v1/plates/checkpoints"))
        .bearer_auth(&admin)
        .json(
            &json!([{"code": 1, "device_id": "kk-01", "name": "kk-01", "lon": 118.9, "lat": 35.0}]),
        )
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
    let inv = login(&c, &base, "inv.a").await;
    let op = login(&c, &base, "op.b").await;
    let now_us = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros() as i64
    };
    let purpose = json!({"purpose": "criminal_investigation", "reference": "CASE-BENCH-1"});
    let w = post(&c, &base, &inv, "/watchlist", json!({"purpose": purpose, "target": LISTED, "reason": "stolen_vehicle", "valid_to": now_us() + 86_400_000_000i64})).await;
    post(
        &c,
        &base,
        &op,
        &format!("/watchlist/{}/approve", w["id"]),
        json!({}),
    )
    .await;

    // The operator's stream.
    let mut req = format!("{}/api/v1/stream", base.replacen("http://", "ws://", 1))
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {op}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let sent: Arc<Mutex<HashMap<i64, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::new(Mutex::new(Vec::new()));
    let from_hit: Arc<Mutex<Vec<f64>>> = Arc::new(Mutex::new(Vec::new()));
    {
        let sent = sent.clone();
        let latencies = latencies.clone();
        let from_hit = from_hit.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = ws.next().await {
                let tokio_tungstenite::tungstenite::Message::Text(t) = msg else {
                    continue;
                };
                let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                if v["kind"] != "watchlist.hit" {
                    continue;
                }
                let arrived = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_micros() as i64;
                if let Some(raised) = v["data"]["raised_at"].as_i64() {
                    from_hit
                        .lock()
                        .unwrap()
                        .push((arrived - raised) as f64 / 1000.0);
                }
                let read_id = v["data"]["read_id"]
                    .as_i64()
                    .or_else(|| v["data"]["alert"]["read_id"].as_i64());
                if let Some(id) = read_id {
                    if let Some(t0) = sent.lock().unwrap().remove(&id) {
                        latencies
                            .lock()
                            .unwrap()
                            .push(t0.elapsed().as_secs_f64() * 1000.0);
                    }
                }
            }
        });
    }

    // Ingest: a batch every `interval_ms`, at most two requests in flight.
    let batch = (rate / batches_per_second).max(1);
    let mut next_id: i64 = 1;
    let t_start = Instant::now();
    let ingest_start = now_us();
    let mut stored = 0u64;
    let mut tick = tokio::time::interval(Duration::from_millis(interval_ms));
    let mut inflight = Vec::new();
    for _ in 0..(seconds * batches_per_second) {
        tick.tick().await;
        let ts = now_us();
        let mut rows = Vec::with_capacity(batch as usize);
        let mut hits = Vec::new();
        for j in 0..batch {
            let id = next_id;
            next_id += 1;
            let p = if j % 100 == 50 {
                hits.push(id);
                LISTED.to_owned()
            } else {
                plate(id as u64)
            };
            rows.push(json!({"read_id": id, "plate": p, "checkpoint_id": 1, "lane": 1, "direction": "IN", "ts": ts - (batch - j) as i64, "confidence": 0.95}));
        }
        let body = serde_json::to_vec(&rows).unwrap();
        let c = c.clone();
        let key = key.clone();
        let base = base.clone();
        let sent = sent.clone();
        inflight.push(tokio::spawn(async move {
            let t0 = Instant::now();
            {
                let mut s = sent.lock().unwrap();
                for h in hits {
                    s.insert(h, t0);
                }
            }
            let resp = c
                .post(format!("{base}/api/v1/ingest/reads"))
                .bearer_auth(&key)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let v: Value = resp.json().await.unwrap_or(Value::Null);
            assert!(status.is_success(), "ingest: {status} {v}");
            v["accepted"].as_u64().unwrap_or(0)
        }));
        if inflight.len() >= 2 {
            stored += inflight.remove(0).await.unwrap();
        }
    }
    for h in inflight {
        stored += h.await.unwrap();
    }
    let elapsed = t_start.elapsed().as_secs_f64();
    // Q2 and Q7 look at the last seconds of the ingest run (the reads just sent).
    let ingest_end = now_us();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut lat = latencies.lock().unwrap().clone();
    lat.sort_by(|a, b| a.total_cmp(b));
    let mut hit = from_hit.lock().unwrap().clone();
    hit.sort_by(|a, b| a.total_cmp(b));
    println!("## Plate reads through the real HTTP API (SQLite, one process)\n");
    println!("batches of {batch} reads every {interval_ms} ms, at most two requests in flight\n");
    println!(
        "ingest: {stored} reads acknowledged in {elapsed:.1} s = {:.0} reads/s (target {rate}/s)",
        stored as f64 / elapsed
    );
    println!(
        "watch-list hit → WebSocket: {} alerts; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (from sending the batch: includes HTTP, durable commit, matching, stream)\n",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "watch-list hit (the alert's raised_at, stamped when its batch began) → WebSocket: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms\n",
        percentile(&hit, 0.5),
        percentile(&hit, 0.99),
        hit.last().copied().unwrap_or(f64::NAN)
    );

    // Queries: median of 20 after a warm-up, through HTTP with purpose and audit.
    let to = now_us() + 1_000_000;
    let from = to - 3_600_000_000;
    let queries = [
        (
            "Q1 trajectory",
            json!({"kind": "trajectory", "plate": LISTED, "from": from, "to": to}),
        ),
        (
            "Q2 at checkpoints",
            json!({"kind": "at_checkpoints", "checkpoints": [1], "from": ingest_end - 1_000_000, "to": ingest_end}),
        ),
        (
            "Q3 co-travel",
            // An ordinary plate (the listed one passes every 2 ms: its co-travel is refused by the
            // 20M-comparison cap, as it should be).
            json!({"kind": "co_travel", "plate": plate(12_345), "from": from, "to": to, "delta_s": 60, "min_occasions": 2}),
        ),
        (
            "Q4 multi-scene",
            json!({"kind": "multi_scene", "scenes": [{"checkpoints": [1], "from": ingest_start, "to": ingest_start + 2_000_000}, {"checkpoints": [1], "from": ingest_end - 2_000_000, "to": ingest_end}]}),
        ),
        (
            "Q5 partial plate",
            json!({"kind": "partial_plate", "pattern": "鲁Q9?77*", "from": from, "to": to}),
        ),
        (
            "Q6 flows",
            json!({"kind": "flows", "bucket": "hour", "from": from, "to": to}),
        ),
        (
            "Q7 first seen",
            json!({"kind": "first_seen", "from": ingest_start, "to": ingest_start + 1_000_000, "limit": 100}),
        ),
    ];
    println!("| query | rows | HTTP median (ms) | p95 (ms) |\n|---|---:|---:|---:|");
    for (name, q) in queries {
        let body = json!({"purpose": purpose, "query": q});
        let resp = c
            .post(format!("{base}/api/v1/plates/query"))
            .bearer_auth(&inv)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let first: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            println!("| {name} | refused: {status} {} | | |", first["detail"]);
            continue;
        }
        let mut times = Vec::new();
        for _ in 0..20 {
            let t0 = Instant::now();
            post(&c, &base, &inv, "/plates/query", body.clone()).await;
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "| {name} | {} | {:.2} | {:.2} |",
            first["count"],
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}

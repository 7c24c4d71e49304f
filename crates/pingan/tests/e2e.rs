//! End-to-end: the real `pingan` binary, started as a user would start it, spoken to over HTTP,
//! WebSocket and MQTT, on SQLite and on a temporary real PostgreSQL.

use futures::StreamExt;
use pingan_testkit::services::{service_or_skip, TempMosquitto, TempPostgres};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_pingan");
const ADMIN_PASSWORD: &str = "district admin password";

/// A running `pingan serve`.
struct Server {
    child: Child,
    base: String,
    /// What the server printed to stderr before it was serving.
    early: Vec<String>,
}

fn pingan(data_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PINGAN_DATA_DIR", data_dir)
        .env("PINGAN_LOG", "warn")
        .current_dir(data_dir.parent().unwrap_or(data_dir));
    cmd
}

impl Server {
    fn start(data_dir: &Path, extra_env: &[(&str, &str)]) -> Server {
        Self::start_command(data_dir, &["serve"], extra_env)
    }

    /// Starts `pingan ARGS…` (serve or demo) and waits until it says where it serves.
    fn start_command(data_dir: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Server {
        let mut cmd = pingan(data_dir);
        cmd.args(args)
            .env("PINGAN_LISTEN", "127.0.0.1:0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start pingan");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        let base = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| {
                    panic!("pingan did not start; stderr so far:\n{}", seen.join("\n"))
                });
            if let Some((_, rest)) = line.split_once(" is serving on ") {
                break rest.trim().trim_end_matches('/').to_owned();
            }
            seen.push(line);
        };
        // Later lines are drained so that the pipe never fills.
        std::thread::spawn(move || while rx.recv().is_ok() {});
        Server {
            child,
            base,
            early: seen,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and waits for a clean exit.
    #[expect(
        clippy::disallowed_methods,
        reason = "a synchronous test helper polling a child process; no runtime to block"
    )]
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        for _ in 0..200 {
            if let Some(s) = self.child.try_wait().expect("wait") {
                assert!(s.success(), "pingan exited with {s}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("pingan did not stop within 10 s of SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn login(client: &reqwest::Client, server: &Server, user: &str, password: &str) -> String {
    let resp = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password, "mode": "bearer"}))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    body["token"].as_str().expect("token").to_owned()
}

async fn ws(
    server: &Server,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let url = server.url("/api/v1/stream").replacen("http://", "ws://", 1);
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (stream, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket");
    stream
}

async fn next_event(
    stream: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    kind: &str,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let msg = tokio::time::timeout_at(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("no {kind} event within 20 s"))
            .expect("stream open")
            .expect("message");
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t).expect("json event");
            if v["kind"] == kind {
                return v;
            }
        }
    }
}

async fn register_device(
    client: &reqwest::Client,
    server: &Server,
    admin: &str,
    id: &str,
    kind: &str,
) -> String {
    let resp = client
        .post(server.url("/api/v1/devices"))
        .bearer_auth(admin)
        .json(&json!({"id": id, "kind": kind, "name": id}))
        .send()
        .await
        .expect("device");
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.expect("json");
    body["api_key"].as_str().expect("key").to_owned()
}

#[tokio::test]
async fn serve_starts_on_sqlite_with_no_set_up_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    // The first start printed a generated admin password once.
    let password = server.early.iter().find_map(|l| {
        l.trim()
            .strip_prefix("password:")
            .map(|p| p.trim().to_owned())
    });
    let client = reqwest::Client::new();
    for (path, want) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let body = client
            .get(server.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(body, want);
    }
    let page = client
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("login-form"));
    let metrics = client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("pingan_http_responses_total"));
    let doc: Value = client
        .get(server.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/auth/login"].is_object());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the data directory must be owner-only");
    }
    assert!(data.join("pingan.db").exists());
    server.stop();

    // The printed password works after a restart, and no second admin is made.
    let password = password.expect("a generated admin password on first start");
    let server = Server::start(&data, &[]);
    let token = login(&client, &server, "admin", &password).await;
    let users: Value = client
        .get(server.url("/api/v1/users"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users.as_array().unwrap().len(), 1);
    server.stop();
}

#[test]
fn print_config_redacts_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let out = pingan(&dir.path().join("data"))
        .args(["serve", "--print-config"])
        .env("PINGAN_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env(
            "PINGAN_DATABASE_URL",
            "postgres://pingan:s3cret@db.example/pingan",
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("listen = \"127.0.0.1:8080\""), "{text}");
    assert!(
        !text.contains(ADMIN_PASSWORD) && !text.contains("s3cret"),
        "{text}"
    );
    assert!(
        text.contains("postgres://pingan:***@db.example/pingan"),
        "{text}"
    );

    let out = pingan(&dir.path().join("data"))
        .args(["serve", "--print-config"])
        .env("PINGAN_LISTEN", "nowhere")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("listen address"));
}

#[test]
fn cli_manages_users_imports_geography_and_verifies_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = pingan(&data);
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(
        &[
            "user",
            "add",
            "zhang.wei",
            "--role",
            "investigator",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, _, err) = run(&["user", "add", "li.na", "--role", "wizard"], None);
    assert_eq!(code, Some(1));
    assert!(err.contains("unknown role"), "{err}");
    let (code, out, _) = run(
        &[
            "user",
            "add",
            "desk.wu",
            "--role",
            "agency_desk",
            "--agency",
            "flood_control",
        ],
        None,
    );
    assert_eq!(code, Some(0));
    assert!(out.contains("password (shown once)"), "{out}");
    let (_, out, _) = run(&["user", "list"], None);
    assert!(
        out.contains("zhang.wei") && out.contains("investigator"),
        "{out}"
    );
    let (code, _, _) = run(&["user", "disable", "zhang.wei"], None);
    assert_eq!(code, Some(0));
    let (_, out, _) = run(&["user", "list"], None);
    assert!(
        out.lines()
            .any(|l| l.starts_with("zhang.wei") && l.contains("disabled")),
        "{out}"
    );

    // Geography: a valid file imports, an invalid one names its features and changes nothing.
    let good = dir.path().join("district.geojson");
    std::fs::write(&good, json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kind": "town", "id": "t1", "name": "团林镇"},
         "geometry": {"type": "Polygon", "coordinates": [[[118.8,34.9],[119.0,34.9],[119.0,35.1],[118.8,34.9]]]}},
        {"type": "Feature", "properties": {"kind": "road", "id": "r1", "name": "板团路", "road_class": "county"},
         "geometry": {"type": "LineString", "coordinates": [[118.8,35.0],[119.0,35.0]]}}
    ]}).to_string()).unwrap();
    let (code, out, err) = run(&["import", "geography", good.to_str().unwrap()], None);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("imported 2 features"), "{out}");
    let bad = dir.path().join("bad.geojson");
    std::fs::write(
        &bad,
        json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"kind": "volcano", "id": "v1", "name": "x"},
             "geometry": {"type": "Point", "coordinates": [118.9, 35.0]}}
        ]})
        .to_string(),
    )
    .unwrap();
    let (code, _, err) = run(&["import", "geography", bad.to_str().unwrap()], None);
    assert_eq!(code, Some(1));
    assert!(err.contains("feature 0"), "{err}");

    // The ledger verifies, then an edit made behind pingan's back is named.
    let (code, out, _) = run(&["audit", "verify"], None);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("audit ledger intact"), "{out}");
    let db = data.join("pingan.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
            .execute(&mut conn)
            .await
            .unwrap();
    });
    let (code, out, _) = run(&["audit", "verify"], None);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry #2"), "{out}");
}

#[tokio::test]
async fn two_servers_on_one_postgres_share_the_event_stream() {
    let Some(pg) = service_or_skip(TempPostgres::shared()) else {
        return;
    };
    let url = pg.fresh_database().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("PINGAN_DATABASE_URL", url.as_str()),
        ("PINGAN_ADMIN_PASSWORD", ADMIN_PASSWORD),
    ];
    let a = Server::start(&dir.path().join("a"), &env);
    let b = Server::start(&dir.path().join("b"), &env);
    let client = reqwest::Client::new();
    let admin_a = login(&client, &a, "admin", ADMIN_PASSWORD).await;
    let admin_b = login(&client, &b, "admin", ADMIN_PASSWORD).await;
    let mut stream_b = ws(&b, &admin_b).await;
    next_event(&mut stream_b, "stream.hello").await;
    // A device registered on A heartbeats on A; the event reaches B's subscriber.
    let key = register_device(&client, &a, &admin_a, "cp-01", "checkpoint").await;
    let resp = client
        .post(a.url("/api/v1/ingest/heartbeat"))
        .bearer_auth(&key)
        .json(&json!({"status": "ok"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let event = next_event(&mut stream_b, "device.heartbeat").await;
    assert_eq!(event["data"]["device_id"], "cp-01");
    // The same API answers on both: B sees the device A registered.
    let devices: Value = client
        .get(b.url("/api/v1/devices"))
        .bearer_auth(&admin_b)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(devices[0]["id"], "cp-01");
    a.stop();
    b.stop();
}

#[tokio::test]
async fn mqtt_heartbeats_reach_the_stream() {
    let Some(broker) = service_or_skip(TempMosquitto::start()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mqtt_url = format!("{}?client_id=pingan-e2e", broker.url());
    let server = Server::start(
        &dir.path().join("data"),
        &[
            ("PINGAN_MQTT_URL", mqtt_url.as_str()),
            ("PINGAN_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ],
    );
    let client = reqwest::Client::new();
    let admin = login(&client, &server, "admin", ADMIN_PASSWORD).await;
    register_device(&client, &server, &admin, "plat-1", "platform").await;
    let mut stream = ws(&server, &admin).await;
    next_event(&mut stream, "stream.hello").await;

    let publisher_cfg =
        pingan_ingest::MqttConfig::from_url(&format!("{}?client_id=device-plat-1", broker.url()))
            .unwrap();
    let publisher = pingan_ingest::Publisher::connect(&publisher_cfg).unwrap();
    // An unregistered device's message is refused without harm; the registered one's arrives.
    let stray = pingan_ingest::Topic::parse("pingan/v1/platform/plat-9/heartbeat").unwrap();
    publisher.publish_json(&stray, &json!({})).await.unwrap();
    let topic = pingan_ingest::Topic::parse("pingan/v1/platform/plat-1/heartbeat").unwrap();
    // The runtime may still be subscribing: publish until the event shows up.
    let mut event = None;
    for _ in 0..20 {
        publisher
            .publish_json(&topic, &json!({"status": "ok"}))
            .await
            .unwrap();
        if let Ok(e) = tokio::time::timeout(
            Duration::from_secs(1),
            next_event(&mut stream, "device.heartbeat"),
        )
        .await
        {
            event = Some(e);
            break;
        }
    }
    let event = event.expect("a heartbeat event from MQTT");
    assert_eq!(event["data"]["device_id"], "plat-1");
    let metrics = client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("pingan_mqtt_connected 1"), "{metrics}");
    server.stop();
}

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

/// The README's guided tour, step by step, on the small demo district: every query it names
/// finds its story.
#[tokio::test]
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

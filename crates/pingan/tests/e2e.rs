//! End-to-end: the real `pingan` binary, started as a user would start it, spoken to over HTTP,
//! WebSocket and MQTT, on SQLite and on a temporary real PostgreSQL.

mod common;
#[path = "e2e/crash.rs"]
mod crash;
#[path = "e2e/purposes.rs"]
mod purposes;

use common::{login, pingan, Server, ADMIN_PASSWORD};
use futures::StreamExt;
use pingan_testkit::services::{service_or_skip, TempMosquitto, TempPostgres};
use serde_json::{json, Value};
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

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
#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
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
    // The runtime may still be subscribing: publish until the event shows up (bounded by count,
    // generous so that a loaded machine still gets there).
    let mut event = None;
    for _ in 0..60 {
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

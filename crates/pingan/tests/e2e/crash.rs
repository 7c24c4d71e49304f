//! Crash trials: the real binary is killed with SIGKILL while several clients write, again and
//! again on one database; afterwards every acknowledged write is there exactly once, every
//! stored object has its ledger entry (and every entry its object), and the chain verifies.

use crate::common::{login, Server, ADMIN_PASSWORD};
use pingan_testkit::services::{service_or_skip, TempPostgres};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Trials per backend; each kills the server once under load.
const TRIALS: u64 = 15;

/// Writers creating incidents at once (beside one registering devices).
const INCIDENT_WRITERS: usize = 3;

/// The pause between one writer's writes: concurrency at the kill matters, not volume, and the
/// incidents of all trials must fit one page of the list (1,000) for the final check.
const PAUSE: Duration = Duration::from_millis(40);

#[derive(Default)]
struct Acknowledged {
    incidents: Vec<String>,
    devices: Vec<String>,
}

fn incident(n: u64) -> Value {
    json!({"type": "theft.ebike_motorcycle", "source": "phone_110", "priority": 2,
           "lon": 118.95, "lat": 35.03, "description": format!("试验 {n}"),
           "caller": {"name": "王先生", "phone": "138 0000 0000"}})
}

/// Writes as fast as it can until the server goes away; keeps what was acknowledged.
async fn write_until_killed(
    server_base: String,
    token: String,
    device_writer: bool,
    tag: String,
    acks: Arc<Mutex<Acknowledged>>,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    for n in 0u64.. {
        tokio::time::sleep(PAUSE).await;
        if device_writer {
            let id = format!("crash-{tag}-{n}");
            let resp = client
                .post(format!("{server_base}/api/v1/devices"))
                .bearer_auth(&token)
                .json(&json!({"id": id, "kind": "checkpoint", "name": id}))
                .send()
                .await;
            match resp {
                Ok(r) if r.status() == 201 => acks.lock().expect("acks").devices.push(id),
                Ok(r) => assert!(
                    r.status().is_server_error(),
                    "device refused: {}",
                    r.status()
                ),
                Err(_) => return,
            }
        } else {
            let resp = client
                .post(format!("{server_base}/api/v1/incidents"))
                .bearer_auth(&token)
                .json(&incident(n))
                .send()
                .await;
            match resp {
                Ok(r) if r.status() == 201 => {
                    // The body can be cut off by the kill: then the write is not acknowledged.
                    if let Ok(body) = r.json::<Value>().await {
                        if let Some(id) = body["incident"]["id"].as_str() {
                            acks.lock().expect("acks").incidents.push(id.to_owned());
                        }
                    }
                }
                Ok(r) => assert!(
                    r.status().is_server_error(),
                    "incident refused: {}",
                    r.status()
                ),
                Err(_) => return,
            }
        }
    }
}

async fn get_json(client: &reqwest::Client, server: &Server, token: &str, path: &str) -> Value {
    let resp = client
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 200, "{path}");
    resp.json().await.expect("json")
}

/// Every ledger entry whose action is `action`, by object id (how many entries each).
async fn entries(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    action: &str,
) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let mut after: Option<i64> = None;
    loop {
        let path = match after {
            Some(a) => format!("/api/v1/audit?action={action}&limit=1000&after={a}"),
            None => format!("/api/v1/audit?action={action}&limit=1000"),
        };
        let page = get_json(client, server, token, &path).await;
        for e in page["entries"].as_array().expect("entries") {
            if e["action"] == action {
                *out.entry(e["object_id"].as_str().unwrap_or("").to_owned())
                    .or_insert(0) += 1;
            }
        }
        match page["next_after"].as_i64() {
            Some(a) => after = Some(a),
            None => return out,
        }
    }
}

async fn create_account(
    client: &reqwest::Client,
    server: &Server,
    admin: &str,
    name: &str,
    role: &str,
) {
    let resp = client
        .post(server.url("/api/v1/users"))
        .bearer_auth(admin)
        .json(&json!({"username": name, "display_name": name, "role": role, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("create account");
    assert_eq!(resp.status(), 201);
}

#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
async fn trials(data: &Path, env: &[(&str, &str)]) {
    let client = reqwest::Client::new();
    let first = Server::start(data, env);
    let admin = login(&client, &first, "admin", ADMIN_PASSWORD).await;
    create_account(&client, &first, &admin, "op.crash", "operator").await;
    create_account(&client, &first, &admin, "audit.crash", "auditor").await;
    first.stop();

    let acks = Arc::new(Mutex::new(Acknowledged::default()));
    for trial in 0..TRIALS {
        let mut server = Server::start(data, env);
        let admin = login(&client, &server, "admin", ADMIN_PASSWORD).await;
        let operator = login(&client, &server, "op.crash", ADMIN_PASSWORD).await;
        let mut writers = Vec::new();
        for w in 0..=INCIDENT_WRITERS {
            let device_writer = w == INCIDENT_WRITERS;
            writers.push(tokio::spawn(write_until_killed(
                server.base.clone(),
                if device_writer {
                    admin.clone()
                } else {
                    operator.clone()
                },
                device_writer,
                format!("{trial}"),
                acks.clone(),
            )));
        }
        // Kill at a different moment of each trial (from 150 ms to about 1 s into the writes),
        // after at least one write of this trial was acknowledged.
        let before = {
            let a = acks.lock().expect("acks");
            a.incidents.len() + a.devices.len()
        };
        for _ in 0..600 {
            let now = {
                let a = acks.lock().expect("acks");
                a.incidents.len() + a.devices.len()
            };
            if now > before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(150 + (trial * 197) % 850)).await;
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("reap");
        for w in writers {
            w.await.expect("writer");
        }
    }

    let server = Server::start(data, env);
    let operator = login(&client, &server, "op.crash", ADMIN_PASSWORD).await;
    let admin = login(&client, &server, "admin", ADMIN_PASSWORD).await;
    let auditor = login(&client, &server, "audit.crash", ADMIN_PASSWORD).await;
    let acks = std::mem::take(&mut *acks.lock().expect("acks"));
    assert!(
        acks.incidents.len() as u64 >= TRIALS,
        "too few writes to mean anything"
    );

    let listed = get_json(
        &client,
        &server,
        &operator,
        "/api/v1/incidents?open=true&limit=1000",
    )
    .await;
    let mut stored: BTreeMap<String, usize> = BTreeMap::new();
    for i in listed.as_array().expect("incidents") {
        *stored
            .entry(i["id"].as_str().expect("id").to_owned())
            .or_insert(0) += 1;
    }
    assert!(stored.len() < 1000, "the check needs a bigger page");
    let devices = get_json(&client, &server, &admin, "/api/v1/devices").await;
    let mut stored_devices: BTreeMap<String, usize> = BTreeMap::new();
    for d in devices.as_array().expect("devices") {
        *stored_devices
            .entry(d["id"].as_str().expect("id").to_owned())
            .or_insert(0) += 1;
    }

    let lost: Vec<&String> = acks
        .incidents
        .iter()
        .filter(|id| !stored.contains_key(*id))
        .collect();
    let lost_devices: Vec<&String> = acks
        .devices
        .iter()
        .filter(|id| !stored_devices.contains_key(*id))
        .collect();
    let twice: Vec<&String> = stored
        .iter()
        .chain(&stored_devices)
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    assert!(
        lost.is_empty() && lost_devices.is_empty(),
        "acknowledged and lost: {lost:?} {lost_devices:?}"
    );
    assert!(twice.is_empty(), "stored more than once: {twice:?}");

    let incident_entries = entries(&client, &server, &auditor, "incident.create").await;
    let device_entries = entries(&client, &server, &auditor, "device.create").await;
    let unaccounted: Vec<&String> = stored
        .keys()
        .filter(|id| !incident_entries.contains_key(*id))
        .collect();
    let unaccounted_devices: Vec<&String> = stored_devices
        .keys()
        .filter(|id| !device_entries.contains_key(*id))
        .collect();
    assert!(
        unaccounted.is_empty() && unaccounted_devices.is_empty(),
        "stored without their ledger entry: {unaccounted:?} {unaccounted_devices:?}"
    );
    let orphaned: Vec<&String> = incident_entries
        .keys()
        .filter(|id| !stored.contains_key(*id))
        .chain(
            device_entries
                .keys()
                .filter(|id| !stored_devices.contains_key(*id)),
        )
        .collect();
    assert!(
        orphaned.is_empty(),
        "ledger entries whose change is not stored: {orphaned:?}"
    );
    let verified = get_json(&client, &server, &auditor, "/api/v1/audit/verify").await;
    assert_eq!(verified["ok"], true, "{verified}");
    let known: BTreeSet<&String> = acks.incidents.iter().collect();
    eprintln!(
        "crash trials: {TRIALS} SIGKILLs; acknowledged {} incidents and {} devices; stored {} incidents \
         ({} unacknowledged, in flight at a kill) and {} devices; lost 0, duplicated 0, without entry 0",
        acks.incidents.len(),
        acks.devices.len(),
        stored.len(),
        stored.keys().filter(|id| !known.contains(id)).count(),
        stored_devices.len(),
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_concurrent_writes_loses_nothing_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    trials(
        &dir.path().join("data"),
        &[("PINGAN_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_concurrent_writes_loses_nothing_on_postgres() {
    let Some(pg) = service_or_skip(TempPostgres::shared()) else {
        return;
    };
    let url = pg.fresh_database().expect("database");
    let dir = tempfile::tempdir().expect("temp dir");
    trials(
        &dir.path().join("data"),
        &[
            ("PINGAN_DATABASE_URL", url.as_str()),
            ("PINGAN_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ],
    )
    .await;
}

//! `pingan demo`: a living district modelled on the report, in one command.
//!
//! The first start generates the district for `--seed` (deterministic), loads it into the store
//! in the data directory (default `./data/demo`), creates one demo account per role and registers
//! every device with its own key. Later starts reuse all of it and are immediate; `--reset`
//! starts over. Unless `--no-live`, a simulation then runs and feeds the server through the same
//! public ingest endpoints that real devices use, each device with its own key.

use crate::config::{Config, GlobalArgs, ServeArgs};
use anyhow::Context;
use clap::Args;
use pingan_core::access::Role;
use pingan_core::account::{secret_hash, DeviceKind};
use pingan_core::ids::{DeviceId, UserId};
use pingan_core::ports::{AccountStore, DeviceStore, NewDevice, NewUser};
use pingan_demo::{District, LiveEvent, LiveSim, Scale};
use pingan_server::auth::{hash_password, new_secret, DEVICE_KEY_PREFIX};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The password of every demo account (printed at start; a demo is not a deployment).
pub const DEMO_PASSWORD: &str = "pingan-demo";

/// Plate reads are kept this long in the demo, so that the report's May stories stay queryable.
pub const DEMO_RETENTION_DAYS: u32 = 400;

/// Who the ledger names for what `pingan demo` loads.
pub const DEMO_ACTOR: &str = "pingan demo";

/// How busy the live world of `--small` is relative to the full district.
const SMALL_LIVE_VOLUME: f64 = 0.05;

/// The demo accounts: user name, role, display name, agency.
const ACCOUNTS: &[(&str, Role, &str, Option<&str>)] = &[
    ("operator", Role::Operator, "值班员 王芳", None),
    ("officer", Role::Officer, "巡逻民警 李强", None),
    ("investigator", Role::Investigator, "侦查员 赵军", None),
    ("grid", Role::GridWorker, "网格员 孙丽", None),
    (
        "desk",
        Role::AgencyDesk,
        "交警值班 周涛",
        Some("traffic_police"),
    ),
    ("analyst", Role::Analyst, "分析员 陈静", None),
    ("auditor", Role::Auditor, "审计员 刘洋", None),
];

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// The district's seed: the same seed gives the same district and history.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How many times busier than real time the live world is.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Throw away the demo's data directory and generate again.
    #[arg(long)]
    pub reset: bool,
    /// Serve the history only; no live simulation.
    #[arg(long)]
    pub no_live: bool,
    /// A smaller history (about 1/20), for quick tries and tests.
    #[arg(long)]
    pub small: bool,
}

/// What the first start recorded in the data directory so that later starts can reuse it.
#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    seed: u64,
    small: bool,
    start_day: i64,
    fingerprint: u64,
    /// Device id → API key (the file is owner-only, like the whole data directory).
    keys: BTreeMap<String, String>,
}

fn marker_path(dir: &Path) -> PathBuf {
    dir.join("demo.json")
}

/// The local (UTC+8) midnight starting today, in UTC microseconds: the history ends there.
fn today_local_midnight(now_us: i64) -> i64 {
    let offset = 8 * pingan_demo::HOUR;
    (now_us + offset).div_euclid(pingan_demo::DAY) * pingan_demo::DAY - offset
}

pub async fn run(global: &GlobalArgs, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let mut global = global.clone();
    if global.data_dir.is_none() {
        global.data_dir = Some(PathBuf::from("data/demo"));
    }
    let mut serve = args.serve.clone();
    serve
        .admin_password
        .get_or_insert_with(|| DEMO_PASSWORD.to_owned());
    let mut config = Config::load(&global, &serve)?;
    // The report's May stories lie further back than the default 30 days of plate retention.
    config.plate_retention_days = config.plate_retention_days.max(DEMO_RETENTION_DAYS);
    if serve.print_config {
        super::print(&config.to_toml());
        return Ok(ExitCode::SUCCESS);
    }
    if !(args.speed > 0.0 && args.speed <= 1000.0) {
        anyhow::bail!("--speed must be more than 0 and at most 1000");
    }
    super::init_tracing(&config.log);
    if args.reset {
        reset(&config)?;
    }
    let existing = read_marker(&config.data_dir)?;
    let marker = match existing {
        Some(m) if m.seed == args.seed && m.small == args.small => {
            tracing::info!("reusing the demo district in {}", config.data_dir.display());
            m
        }
        Some(_) => anyhow::bail!(
            "the data directory {} holds a demo with another seed or size; add --reset to start over",
            config.data_dir.display()
        ),
        None => {
            let marker = build(&config, args.seed, args.small).await?;
            write_marker(&config.data_dir, &marker)?;
            marker
        }
    };
    // The small district has the same world and stories as the full one, at a fraction of the
    // cost: it drives the live run and names what the tour looks for.
    let district = generate(args.seed, true, marker.start_day)?;
    config.demo_tour = Some(tour_json(&district, !args.no_live));
    let running = super::serve::start(&config).await?;
    banner(&running.addr, &marker);
    eprintln!("{}", tour(&district));
    let live = if args.no_live {
        None
    } else {
        Some(tokio::spawn(live_loop(
            format!("http://{}", running.addr),
            district.clone(),
            marker.keys.clone(),
            args.speed,
            args.seed,
            if args.small { SMALL_LIVE_VOLUME } else { 1.0 },
        )))
    };
    super::serve::shutdown_signal().await;
    if let Some(task) = live {
        task.abort();
    }
    running.stop().await?;
    Ok(ExitCode::SUCCESS)
}

fn reset(config: &Config) -> anyhow::Result<()> {
    for name in ["pingan.db", "pingan.db-wal", "pingan.db-shm", "demo.json"] {
        let p = config.data_dir.join(name);
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    Ok(())
}

fn read_marker(dir: &Path) -> anyhow::Result<Option<Marker>> {
    let path = marker_path(dir);
    if !path.exists() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(serde_json::from_str(&text).with_context(|| {
        format!("{} is damaged; use --reset", path.display())
    })?))
}

fn write_marker(dir: &Path, marker: &Marker) -> anyhow::Result<()> {
    let path = marker_path(dir);
    std::fs::write(&path, serde_json::to_vec_pretty(marker)?)
        .with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn generate(seed: u64, small: bool, start_day: i64) -> anyhow::Result<District> {
    let mut cfg =
        pingan_demo::DemoConfig::new(seed, if small { Scale::Small } else { Scale::Full });
    cfg.start_day = start_day;
    pingan_demo::generate_with(&cfg).map_err(|e| anyhow::anyhow!("demo configuration: {e}"))
}

/// Generates the district and loads it into the store before the server starts (the server
/// then builds its in-memory indexes from the store as on any start).
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
async fn build(config: &Config, seed: u64, small: bool) -> anyhow::Result<Marker> {
    let start_day = today_local_midnight(super::now().micros());
    let t0 = std::time::Instant::now();
    // One bar over the steps of the first start (drawn only on a terminal).
    let bar = indicatif::ProgressBar::new(6).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} building the demo district [{pos}/{len}] {msg} ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message("generating roads, cameras, a year of incidents and 30 days of traffic");
    let district = tokio::task::spawn_blocking(move || generate(seed, small, start_day)).await??;
    bar.inc(1);
    bar.set_message("storing the geography");
    tracing::info!(
        elapsed_ms = t0.elapsed().as_millis() as u64,
        "district generated"
    );
    let store = super::open_store(config).await?;

    let (geography, report) =
        pingan_server::geography::import_geography(&store, &district.geojson, |report| {
            super::local_entry(
                DEMO_ACTOR,
                "geography.import",
                "geography",
                "demo",
                serde_json::to_value(report).unwrap_or_default(),
            )
        })
        .await
        .context("loading the demo geography")?;
    tracing::info!(features = report.features, "geography loaded");

    bar.inc(1);
    bar.set_message("creating the demo accounts and device keys");
    let hash = hash_password(DEMO_PASSWORD.to_owned()).await?;
    for (username, role, display, agency) in ACCOUNTS {
        if store.user_by_username(username).await?.is_some() {
            continue;
        }
        let entry = super::local_entry(
            DEMO_ACTOR,
            "user.create",
            "user",
            username,
            serde_json::json!({ "role": role }),
        );
        store
            .create_user(
                &NewUser {
                    id: UserId(format!("u-demo-{username}")),
                    username: (*username).to_owned(),
                    display_name: (*display).to_owned(),
                    role: *role,
                    agency: agency.map(str::to_owned),
                    password_hash: hash.clone(),
                    created_at: super::now(),
                },
                vec![entry],
            )
            .await?;
    }

    let mut keys = BTreeMap::new();
    let mut devices: Vec<(String, DeviceKind, String)> = Vec::new();
    for c in &district.checkpoints {
        devices.push((c.id.0.clone(), DeviceKind::Checkpoint, c.name.clone()));
    }
    for p in &district.platforms {
        devices.push((p.id.0.clone(), DeviceKind::Platform, p.name.clone()));
    }
    for u in &district.units {
        devices.push((u.id.0.clone(), DeviceKind::Unit, u.call_sign.clone()));
    }
    for (id, kind, name) in devices {
        let key = new_secret(DEVICE_KEY_PREFIX);
        let entry = super::local_entry(
            DEMO_ACTOR,
            "device.create",
            "device",
            &id,
            serde_json::json!({ "kind": kind }),
        );
        store
            .create_device(
                &NewDevice {
                    id: DeviceId(id.clone()),
                    kind,
                    name,
                    key_hash: secret_hash(&key),
                    created_at: super::now(),
                },
                vec![entry],
            )
            .await?;
        keys.insert(id, key);
    }
    bar.inc(1);
    bar.set_message(format!(
        "storing {} plate reads and the watch-list",
        district.plate_reads.len()
    ));
    super::demo_load::plates(&store, &district, config).await?;
    bar.inc(1);
    bar.set_message("storing the video network and detections");
    super::demo_load::sensors(&store, &district).await?;
    bar.inc(1);
    bar.set_message("storing units, tracks, the incident history and the patrol logs");
    super::demo_load::command(&store, &district, &geography).await?;
    super::demo_patrols::load_logs(&store, &district, &geography).await?;
    bar.inc(1);
    bar.finish_and_clear();
    store.close().await;
    Ok(Marker {
        seed,
        small,
        start_day,
        fingerprint: district.fingerprint(),
        keys,
    })
}

fn banner(addr: &std::net::SocketAddr, marker: &Marker) {
    let mut text = format!(
        "\n  pingan demo (seed {}) is serving on http://{addr}/\n\n  Sign in with any of these accounts (password: {DEMO_PASSWORD}):\n    admin         admin\n",
        marker.seed
    );
    for (user, role, display, _) in ACCOUNTS {
        text.push_str(&format!("    {user:<13} {:<13} {display}\n", role.as_str()));
    }
    text.push_str(
        "\n  Stop with Ctrl-C; the next start reuses this district (--reset starts over).\n",
    );
    eprintln!("{text}");
}

/// Local (UTC+8) date and time of an instant, for the tour.
fn local(us: i64) -> String {
    pingan_core::Timestamp(us + 8 * pingan_demo::HOUR)
        .to_rfc3339()
        .replace('T', " ")
        .chars()
        .take(16)
        .collect()
}

/// The tour's facts for the UI and for tests (`GET /api/v1/demo/tour`): the stories as the
/// generator planted them, the demo accounts, and when the live run began.
fn tour_json(d: &District, live: bool) -> serde_json::Value {
    let accounts: Vec<serde_json::Value> = ACCOUNTS
        .iter()
        .map(|(username, role, display, _)| {
            serde_json::json!({ "username": username, "role": role, "display_name": display })
        })
        .collect();
    serde_json::json!({
        "stories": d.stories,
        "accounts": accounts,
        "password": DEMO_PASSWORD,
        "live": live,
        "live_started_at": super::now().micros(),
    })
}

/// Where to look for each of the report's stories in this district (see the tour in docs/demo.md).
fn tour(d: &District) -> String {
    let s = &d.stories;
    let b = &s.bicycle;
    let dump = &s.dumpster;
    let thefts: Vec<String> = b.thefts.iter().map(|i| i.0.clone()).collect();
    let cams: Vec<String> = b.cameras.iter().map(|c| c.0.clone()).collect();
    let dcams: Vec<String> = dump.cameras.iter().map(|c| c.0.clone()).collect();
    format!(
        "  The report's stories in this district (local times, UTC+8):\n    1. Bicycle thefts outside the Zhuanggang store: incidents {} (series {}), cameras {} at {:.5},{:.5}; arrest {}.\n    2. Dumpster stolen on Bantuan Road ({}), {}: incident {}; cameras {} saw a white truck; its plate {} passed {} checkpoints; stopped {}.\n    3. Co-travel: {} is followed by {} ({} joint passes).\n    4. Stolen car {} is on the watch-list; it passes {} about {} min after the live run starts.\n",
        thefts.join(", "),
        b.series,
        cams.join(", "),
        b.spot.0,
        b.spot.1,
        b.arrest.0,
        dump.village,
        local(dump.stolen_at),
        dump.incident.0,
        dcams.join(", "),
        dump.plate,
        dump.trajectory.len(),
        local(dump.stopped_time),
        s.co_travel.leader,
        s.co_travel.follower,
        s.co_travel.passes.len(),
        s.stolen_car.plate,
        s.stolen_car.checkpoint.0,
        s.stolen_car.live_offset / pingan_demo::MINUTE,
    )
}

/// The live world: steps the simulation once a second and sends what happens to the server
/// through its public ingest endpoints, each device with its own key.
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
async fn live_loop(
    base: String,
    district: District,
    keys: BTreeMap<String, String>,
    speed: f64,
    seed: u64,
    volume: f64,
) {
    let client = reqwest::Client::new();
    let start = super::now().micros();
    let mut sim = LiveSim::new(&district, seed, start).with_volume(volume);
    let mut sim_now = start;
    let step = (1_000_000.0 * speed) as i64;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut beats = 0u64;
    // Each checkpoint numbers its own reads (below 2^40, as devices must): from the minutes
    // since 2020 at this start × 100,000, counting up, so that a restart never reuses an id.
    let read_base = (start / 60_000_000 - 26_297_280) * 100_000;
    let mut read_seq: HashMap<String, i64> = HashMap::new();
    let mut desk = Desk::default();
    let mut patrols = super::demo_patrols::Patrols::default();
    // Detections are sent by the video platform that records the camera, as a platform's
    // integration would.
    let platform_of: BTreeMap<String, String> = district
        .cameras
        .iter()
        .map(|c| (c.id.0.clone(), c.platform.0.clone()))
        .collect();
    let mut alive: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in district
        .cameras
        .iter()
        .filter(|c| !super::demo_load::camera_is_broken(&c.id.0))
    {
        alive
            .entry(c.platform.0.clone())
            .or_default()
            .push(c.id.0.clone());
    }
    loop {
        tick.tick().await;
        // Heartbeats from every checkpoint and platform every 30 s; each platform vouches for
        // the cameras it sees alive (all but the few broken ones).
        if beats.is_multiple_of(30) {
            for (id, key) in keys
                .iter()
                .filter(|(id, _)| id.starts_with("kk-") || id.starts_with("vms-"))
            {
                let mut beat = serde_json::json!({ "device_id": id, "status": "ok" });
                if let Some(cams) = alive.get(id) {
                    beat["cameras"] = serde_json::json!(cams);
                }
                send_as_device(&client, &base, "heartbeat", id, key, &beat).await;
            }
        }
        beats += 1;
        patrols.ensure(&base, &mut sim, (start, speed));
        let events = sim.step(sim_now, step);
        sim_now += step;
        // Events are stamped with the wall clock: at --speed N the world is N times busier,
        // never ahead of real time (ingest refuses times in the future).
        let wall = super::now().micros();
        let mut reads: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        let mut fixes: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        let mut detections: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        let at = pingan_core::Timestamp(wall).to_rfc3339();
        for event in events {
            match event {
                LiveEvent::UnitPosition(p) => {
                    fixes
                        .entry(p.unit.0.clone())
                        .or_default()
                        .push(serde_json::json!({
                            "at": at, "lon": p.position.0, "lat": p.position.1,
                            "speed_kmh": p.speed_kmh, "heading_deg": p.heading_deg,
                        }));
                }
                LiveEvent::PlateRead(r) => {
                    let seq = read_seq.entry(r.checkpoint.0.clone()).or_insert(0);
                    *seq += 1;
                    let read_id = read_base + *seq;
                    reads
                        .entry(r.checkpoint.0.clone())
                        .or_default()
                        .push(serde_json::json!({
                            "read_id": read_id,
                            "plate": r.plate,
                            "checkpoint": super::demo_load::checkpoint_code(&r.checkpoint.0),
                            "lane": r.lane,
                            "direction": super::demo_load::direction_code(&r.direction),
                            "ts": wall,
                            "vehicle_color": r.colour,
                            "vehicle_type": r.vehicle_type,
                            "confidence": r.confidence,
                        }));
                }
                LiveEvent::Detection(d) => {
                    let Some(platform) = platform_of.get(&d.camera.0) else {
                        continue;
                    };
                    detections
                        .entry(platform.clone())
                        .or_default()
                        .push(live_detection(&d, wall));
                }
                other => desk.handle(&client, &base, other).await,
            }
        }
        for (unit, batch) in fixes {
            let Some(key) = keys.get(&unit) else { continue };
            // Only the latest fix of the step: the server keeps tracks, not every sub-second point.
            let last = batch.last().cloned().into_iter().collect::<Vec<_>>();
            let body = serde_json::json!({ "fixes": last });
            send_as_device(&client, &base, "position", &unit, key, &body).await;
        }
        for (platform, events) in detections {
            let Some(key) = keys.get(&platform) else {
                continue;
            };
            let body = serde_json::json!({ "events": events });
            send_as_device(&client, &base, "video/detections", &platform, key, &body).await;
        }
        for (checkpoint, batch) in reads {
            let Some(key) = keys.get(&checkpoint) else {
                continue;
            };
            let body = serde_json::json!(batch);
            send_as_device(&client, &base, "reads", &checkpoint, key, &body).await;
        }
    }
}

/// Posts `body` to `/api/v1/ingest/{stream}` with a device's key, as the device itself would;
/// a failure is logged and the live run goes on (the next step sends again).
async fn send_as_device(
    client: &reqwest::Client,
    base: &str,
    stream: &str,
    device: &str,
    key: &str,
    body: &serde_json::Value,
) {
    let resp = client
        .post(format!("{base}/api/v1/ingest/{stream}"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await;
    match resp {
        Err(e) => tracing::warn!(error = %e, device, stream, "demo: could not send"),
        Ok(r) if !r.status().is_success() => {
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            tracing::warn!(%status, body = text, device, stream, "demo: refused");
        }
        Ok(_) => {}
    }
}

/// A simulated detection as the platform's native event, stamped with the wall clock (the
/// simulation's own time runs ahead at `--speed` above 1).
fn live_detection(d: &pingan_demo::Detection, wall_us: i64) -> serde_json::Value {
    let start = pingan_core::Timestamp(wall_us);
    let end = pingan_core::Timestamp(wall_us + 15 * pingan_demo::SECOND);
    // Attributes come sorted by key, as zones `key:value`.
    let zones: Vec<String> = d
        .attributes
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect();
    let mut event = serde_json::json!({
        "id": format!("{}-{}", d.id, wall_us),
        "camera_id": d.camera.0,
        "label": d.label,
        "score": d.score,
        "zones": zones,
        "start": start.to_rfc3339(),
        "end": end.to_rfc3339(),
    });
    // A person never carries a sub_label (that is where recognisers put names): the server
    // refuses it, and the simulation never produces one.
    if let Some(sub) = d.sub_label.as_ref().filter(|_| d.label != "person") {
        event["sub_label"] = serde_json::json!(sub);
    }
    if let Some(colour) = &d.colour {
        event["colour"] = serde_json::json!(colour);
    }
    event
}

/// The command-centre side of the live world: the operator takes calls and moves incidents
/// through their lifecycle through the API, as a person at the desk would.
#[derive(Default)]
pub(super) struct Desk {
    token: Option<String>,
    /// Simulated incident id → (pingan's incident id, the version last seen).
    incidents: std::collections::HashMap<String, (String, i64)>,
}

impl Desk {
    async fn token(&mut self, client: &reqwest::Client, base: &str) -> Option<String> {
        if self.token.is_none() {
            let resp = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({ "username": "operator", "password": DEMO_PASSWORD, "mode": "bearer" }))
                .send()
                .await
                .ok()?;
            let body: serde_json::Value = resp.json().await.ok()?;
            self.token = body["token"].as_str().map(str::to_owned);
        }
        self.token.clone()
    }

    pub(super) async fn get(
        &mut self,
        client: &reqwest::Client,
        base: &str,
        path: &str,
    ) -> Option<serde_json::Value> {
        let token = self.token(client, base).await?;
        let resp = client
            .get(format!("{base}/api/v1{path}"))
            .bearer_auth(token)
            .send()
            .await
            .ok()?;
        if !resp.status().is_success() {
            return None;
        }
        resp.json().await.ok()
    }

    pub(super) async fn post(
        &mut self,
        client: &reqwest::Client,
        base: &str,
        path: &str,
        body: serde_json::Value,
    ) -> Option<serde_json::Value> {
        let token = self.token(client, base).await?;
        let resp = client
            .post(format!("{base}/api/v1{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .ok()?;
        if resp.status() == reqwest::StatusCode::UNAUTHORIZED {
            self.token = None;
        }
        if !resp.status().is_success() {
            tracing::debug!(path, status = %resp.status(), "demo: the desk's request was refused");
            return None;
        }
        resp.json().await.ok()
    }

    async fn transition(
        &mut self,
        client: &reqwest::Client,
        base: &str,
        sim_id: &str,
        action: &str,
        unit: Option<&str>,
    ) {
        let Some((id, version)) = self.incidents.get(sim_id).cloned() else {
            return;
        };
        let mut body = serde_json::json!({ "action": action, "expected_version": version });
        if let Some(u) = unit {
            body["unit_id"] = serde_json::json!(u);
        }
        if let Some(resp) = self
            .post(client, base, &format!("/incidents/{id}/transitions"), body)
            .await
        {
            let v = resp["incident"]["version"].as_i64().unwrap_or(version + 1);
            self.incidents.insert(sim_id.to_owned(), (id, v));
        }
    }

    async fn handle(&mut self, client: &reqwest::Client, base: &str, event: LiveEvent) {
        match event {
            LiveEvent::Call(c) => {
                let body = serde_json::json!({
                    "type": super::demo_load::incident_type(&c.type_code).code(),
                    "source": "phone_110",
                    "priority": c.priority.clamp(1, 4),
                    "lon": c.position.0,
                    "lat": c.position.1,
                    "description": c.description,
                });
                if let Some(resp) = self.post(client, base, "/incidents", body).await {
                    let incident = &resp["incident"];
                    if let (Some(id), Some(v)) =
                        (incident["id"].as_str(), incident["version"].as_i64())
                    {
                        self.incidents.insert(c.id.0.clone(), (id.to_owned(), v));
                    }
                }
            }
            LiveEvent::Dispatched { unit, incident, .. } => {
                self.transition(client, base, &incident.0, "dispatch", Some(&unit.0))
                    .await;
                self.transition(client, base, &incident.0, "en_route", None)
                    .await;
            }
            LiveEvent::Arrived { incident, .. } => {
                self.transition(client, base, &incident.0, "on_scene", None)
                    .await;
            }
            LiveEvent::Cleared { incident, .. } => {
                self.transition(client, base, &incident.0, "clear", None)
                    .await;
                self.transition(client, base, &incident.0, "close", None)
                    .await;
                self.incidents.remove(&incident.0);
            }
            LiveEvent::Detection(_) | LiveEvent::PlateRead(_) | LiveEvent::UnitPosition(_) => {}
        }
    }
}

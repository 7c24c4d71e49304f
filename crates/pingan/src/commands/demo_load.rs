//! Loading the demo district's data into the store, area by area (used by `pingan demo` on its
//! first start, before the server starts and builds its indexes from the store).

use crate::config::Config;
use anyhow::Context;
use pingan_db::Store;
use pingan_demo::District;
use pingan_plates::store::{CheckpointBinding, PlatesStore, WatchRecord};
use std::fmt::Write;

/// The numeric checkpoint code plate reads carry: `kk-07` → 7.
pub fn checkpoint_code(id: &str) -> u32 {
    id.trim_start_matches("kk-").parse().unwrap_or(0)
}

/// The direction code of a lane: inbound/outbound, or a compass direction.
pub fn direction_code(direction: &str) -> &'static str {
    match direction {
        "inbound" => "IN",
        "outbound" => "OUT",
        "northbound" => "NB",
        "southbound" => "SB",
        "eastbound" => "EB",
        "westbound" => "WB",
        _ => "",
    }
}

/// One read as a CSV line of the documented import format (read ids are the history's order).
pub fn read_csv_line(out: &mut String, read_id: u64, r: &pingan_demo::PlateRead) {
    let _ = writeln!(
        out,
        "{read_id},{},{},{},{},{},{},{},{:.3}",
        r.plate,
        checkpoint_code(&r.checkpoint.0),
        r.lane,
        direction_code(&r.direction),
        r.at,
        r.colour,
        r.vehicle_type,
        r.confidence
    );
}

pub const READ_CSV_HEADER: &str =
    "read_id,plate,checkpoint_id,lane,direction,ts,vehicle_color,vehicle_type,confidence\n";

/// Checkpoint bindings, the history of plate reads, and the stolen car's watch-list entry.
pub async fn plates(store: &Store, district: &District, config: &Config) -> anyhow::Result<()> {
    let bindings: Vec<CheckpointBinding> = district
        .checkpoints
        .iter()
        .map(|c| CheckpointBinding {
            code: checkpoint_code(&c.id.0),
            checkpoint_id: None,
            device_id: c.id.0.clone(),
            name: Some(c.name.clone()),
            lon: Some(c.position.0),
            lat: Some(c.position.1),
        })
        .collect();
    let plates = PlatesStore::new(store.clone());
    plates
        .put_checkpoint_bindings(&bindings, bind_entry(&bindings))
        .await?;

    let mut csv = String::with_capacity(district.plate_reads.len() * 64 + 128);
    csv.push_str(READ_CSV_HEADER);
    for (i, r) in district.plate_reads.iter().enumerate() {
        read_csv_line(&mut csv, i as u64 + 1, r);
    }
    let plate_config = config.plate_config();
    let report = pingan_plates::service::import_csv(
        store,
        std::io::Cursor::new(csv.into_bytes()),
        super::now(),
        &plate_config,
        |_| {},
    )
    .await
    .context("loading the plate-read history")?;
    tracing::info!(
        stored = report.stored,
        rejected = report.rejected_total,
        "plate reads loaded"
    );

    // The stolen car is on the watch-list before the live run starts: listed by the
    // investigator, approved by the operator (four eyes), valid for 30 days.
    let story = &district.stories.stolen_car;
    let now = super::now().micros();
    let watch = WatchRecord {
        id: 1,
        target: story.plate.clone(),
        reason: "stolen_vehicle".into(),
        case_ref: story.incident.0.to_uppercase(),
        note: Some("被盗车辆 · stolen car (demo story)".into()),
        valid_from: story.stolen_at,
        valid_to: now + 30 * pingan_demo::DAY,
        receivers: serde_json::json!({ "roles": ["operator", "investigator"], "users": [] }),
        created_by: "investigator".into(),
        created_at: now,
        approved_by: None,
        approved_at: None,
        cancelled_by: None,
        cancelled_at: None,
        cancel_reason: None,
    };
    let created = super::local_entry(
        "system",
        "watchlist.create",
        "watch_entry",
        "1",
        serde_json::json!({ "target": watch.target, "reason": watch.reason, "demo": true }),
    );
    plates.create_watch(&watch, created).await?;
    let approved = super::local_entry(
        "system",
        "watchlist.approve",
        "watch_entry",
        "1",
        serde_json::json!({ "created_by": watch.created_by, "demo": true }),
    );
    plates.approve_watch(1, "operator", now, approved).await?;
    Ok(())
}

/// The ledger entry of the demo loader's checkpoint bindings.
fn bind_entry(bindings: &[CheckpointBinding]) -> pingan_core::audit::NewAuditEntry {
    super::local_entry(
        "system",
        "plates.checkpoints.bind",
        "plate_checkpoint",
        "demo",
        serde_json::json!({ "codes": bindings.iter().map(|b| b.code).collect::<Vec<_>>() }),
    )
}

/// The core's protocol name for a demo platform's protocol.
fn protocol(p: &str) -> pingan_video::domain::registry::Protocol {
    use pingan_video::domain::registry::Protocol;
    match p {
        "gb28181" | "gbt28181" => Protocol::Gbt28181,
        "onvif" => Protocol::Onvif,
        "frigate" => Protocol::Frigate,
        _ => Protocol::Rtsp,
    }
}

/// Video platforms, cameras (with stream links on their platform) and checkpoints.
/// About one camera in 70 is broken in the demo: it last beat six hours before the
/// first start and its platform never vouches for it again, so the health views have offline
/// cameras to show. Deterministic by id.
pub fn camera_is_broken(id: &str) -> bool {
    let h = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x1000_0000_01b3)
    });
    h % 70 == 0
}

#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub async fn sensors(store: &Store, district: &District) -> anyhow::Result<()> {
    use pingan_video::domain::registry::{
        Camera, CameraId, CameraStatus, Checkpoint, CheckpointId, Platform, PlatformId,
        SensorStore, WriteMode,
    };
    let platforms: Vec<Platform> = district
        .platforms
        .iter()
        .map(|p| Platform {
            id: PlatformId(p.id.0.clone()),
            name: p.name.clone(),
            vendor: Some(p.vendor.clone()),
            protocol: protocol(&p.protocol),
            address: format!("https://{}.vms.demo.invalid", p.id.0),
            credential_ref: Some(format!("vault:demo/{}", p.id.0)),
        })
        .collect();
    store
        .put_platforms(
            &platforms,
            WriteMode::Upsert,
            vec![demo_import("platform", platforms.len())],
        )
        .await?;
    let cameras: Vec<Camera> = district
        .cameras
        .iter()
        .map(|c| Camera {
            id: CameraId(c.id.0.clone()),
            name: c.name.clone(),
            platform_id: Some(PlatformId(c.platform.0.clone())),
            channel_id: None,
            lon: c.position.0,
            lat: c.position.1,
            height_m: Some(6.0),
            heading_deg: c.heading_deg,
            fov_deg: c.fov_deg,
            range_m: c.range_m,
            ptz: c.ptz,
            live_url: Some(format!(
                "rtsp://{}.vms.demo.invalid/live/{{camera_id}}",
                c.platform.0
            )),
            playback_url: Some(format!(
                "rtsp://{}.vms.demo.invalid/playback/{{camera_id}}?start={{start}}&end={{end}}",
                c.platform.0
            )),
            status: CameraStatus::Active,
            installed_on: Some("2015-01-15".into()),
            owner: Some("区公安分局 District police".into()),
        })
        .collect();
    for chunk in cameras.chunks(500) {
        store
            .put_cameras(
                chunk,
                WriteMode::Upsert,
                vec![demo_import("camera", chunk.len())],
            )
            .await?;
    }
    // The broken cameras were last heard of six hours ago: the health sweep marks them offline.
    let last_heard = pingan_core::Timestamp(super::now().micros() - 6 * 3_600_000_000);
    let beats: Vec<pingan_video::domain::registry::Beat> = district
        .cameras
        .iter()
        .filter(|c| camera_is_broken(&c.id.0))
        .map(|c| pingan_video::domain::registry::Beat {
            subject: pingan_video::domain::registry::HealthSubject::Camera,
            id: c.id.0.clone(),
            at: last_heard,
        })
        .collect();
    store.record_beats(&beats, 180).await?;
    let checkpoints: Vec<Checkpoint> = district
        .checkpoints
        .iter()
        .map(|c| Checkpoint {
            id: CheckpointId(c.id.0.clone()),
            name: c.name.clone(),
            lon: c.position.0,
            lat: c.position.1,
            lanes: c.lanes.len() as u32,
            directions: {
                let mut d: Vec<String> = c.lanes.iter().map(|l| l.direction.clone()).collect();
                d.dedup();
                d
            },
            road_id: Some(c.road_id.clone()),
        })
        .collect();
    store
        .put_checkpoints(
            &checkpoints,
            WriteMode::Upsert,
            vec![demo_import("checkpoint", checkpoints.len())],
        )
        .await?;
    // The plate-read bindings now point at the registry's checkpoints too (positions for Q1).
    let bindings: Vec<CheckpointBinding> = district
        .checkpoints
        .iter()
        .map(|c| CheckpointBinding {
            code: checkpoint_code(&c.id.0),
            checkpoint_id: Some(c.id.0.clone()),
            device_id: c.id.0.clone(),
            name: None,
            lon: None,
            lat: None,
        })
        .collect();
    PlatesStore::new(store.clone())
        .put_checkpoint_bindings(&bindings, bind_entry(&bindings))
        .await?;

    // Detections: the stories' in full, and the last three days of the rest (the volume of a
    // year of detections would only slow the first start).
    let platform_of: std::collections::HashMap<&str, &str> = district
        .cameras
        .iter()
        .map(|c| (c.id.0.as_str(), c.platform.0.as_str()))
        .collect();
    let since = district.config.start_day - 3 * pingan_demo::DAY;
    let detections: Vec<pingan_video::domain::registry::Detection> = district
        .detections
        .iter()
        .filter(|d| d.id.starts_with("det-story-") || d.at >= since)
        .map(|d| pingan_video::domain::registry::Detection {
            id: d.id.clone(),
            recorder_id: format!(
                "rec-{}",
                platform_of
                    .get(d.camera.0.as_str())
                    .copied()
                    .unwrap_or("vms-1")
            ),
            camera_id: CameraId(d.camera.0.clone()),
            source: "native".into(),
            label: d.label.clone(),
            sub_label: d.sub_label.clone(),
            score: f64::from(d.score),
            colour: d.colour.clone(),
            zones: d
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect(),
            bbox: None,
            start_at: pingan_core::Timestamp(d.at),
            end_at: Some(pingan_core::Timestamp(d.at + 20 * pingan_demo::SECOND)),
            snapshot_url: Some(format!("https://vms.demo.invalid/snapshots/{}.jpg", d.id)),
            clip_url: Some(format!("https://vms.demo.invalid/clips/{}.mp4", d.id)),
            lon: d.position.0,
            lat: d.position.1,
        })
        .collect();
    for chunk in detections.chunks(2_000) {
        store.put_detections(chunk).await?;
    }
    tracing::info!(detections = detections.len(), "detections loaded");
    Ok(())
}

/// The core's incident type for a demo type code.
pub fn incident_type(code: &str) -> pingan_command::domain::incident::IncidentType {
    use pingan_command::domain::incident::IncidentType;
    let mapped = match code {
        "theft.vehicle_contents" => "theft.from_vehicle",
        "theft.pickpocket" => "theft.pickpocketing",
        "theft.farm" | "theft.public_property" => "theft.other",
        "fight" => "assault",
        "traffic" => "traffic_accident",
        "suspicious" | "noise" => "public_order",
        other => other,
    };
    IncidentType::parse(mapped)
        .or_else(|_| IncidentType::parse("other"))
        .unwrap_or_else(|_| IncidentType::all().last().unwrap_or(IncidentType::Fraud))
}

/// The patrol units and a year of closed incidents.
pub async fn command(
    store: &Store,
    district: &District,
    geography: &pingan_spatial::geography::Geography,
) -> anyhow::Result<()> {
    use pingan_command::domain::incident::{IncidentSource, Priority};
    use pingan_command::domain::records::{CommandStore, IncidentLocation, NewUnit};
    use pingan_command::domain::unit::{UnitId, UnitKind, UnitStatus};
    use pingan_core::ids::DeviceId;
    use pingan_core::Timestamp;
    let now = super::now();
    let mut by_call_sign = std::collections::HashMap::new();
    for u in &district.units {
        let entry = super::local_entry(
            super::demo::DEMO_ACTOR,
            "unit.create",
            "unit",
            &u.id.0,
            serde_json::json!({ "call_sign": u.call_sign }),
        );
        store
            .create_unit(
                &NewUnit {
                    id: UnitId(u.id.0.clone()),
                    call_sign: u.call_sign.clone(),
                    kind: UnitKind::Car,
                    crew: u.crew.clone(),
                    agency: "police".into(),
                    status: UnitStatus::Available,
                    device_id: Some(DeviceId(u.id.0.clone())),
                    created_at: now,
                },
                vec![entry],
            )
            .await?;
        by_call_sign.insert(u.call_sign.clone(), u.id.0.clone());
    }
    let rows: Vec<pingan_command::store::HistoricIncident> = district
        .incidents
        .iter()
        .filter(|i| i.closed_at <= now.micros())
        .map(|i| {
            let loc = geography.locate(i.position.0, i.position.1);
            pingan_command::store::HistoricIncident {
                id: i.id.0.clone(),
                incident_type: incident_type(&i.type_code),
                source: IncidentSource::Phone110,
                priority: Priority::new(i64::from(i.priority.clamp(1, 4)))
                    .unwrap_or_else(|_| Priority::new(3).expect("3 is a priority")),
                location: IncidentLocation {
                    lon: i.position.0,
                    lat: i.position.1,
                    inside_district: geography.contains_point(i.position.0, i.position.1),
                    town_id: loc.town.as_ref().map(|t| t.0.clone()),
                    town_name: loc.town.map(|t| t.1),
                    grid_id: loc.grid.as_ref().map(|g| g.0.clone()),
                    grid_name: loc.grid.map(|g| g.1),
                    road_id: loc.nearest_road.as_ref().map(|r| r.id.clone()),
                    road_name: loc.nearest_road.as_ref().map(|r| r.name.clone()),
                    road_distance_m: loc.nearest_road.map(|r| r.distance_m),
                },
                description: i.description.clone(),
                received_at: Timestamp(i.reported_at),
                dispatched_at: Some(Timestamp(i.dispatched_at)),
                on_scene_at: Some(Timestamp(i.arrived_at)),
                closed_at: Timestamp(i.closed_at),
                unit_id: by_call_sign.get(&i.unit).cloned(),
                created_by: "operator".into(),
            }
        })
        .collect();
    let entry = demo_import("incident", rows.len());
    let n = pingan_command::store::import_incident_history(store, &rows, entry).await?;
    tracing::info!(incidents = n, "incident history loaded");
    Ok(())
}

/// The ledger entry of one batch the demo loads (`{object}.import` by `pingan demo`).
pub(super) fn demo_import(object: &str, rows: usize) -> pingan_core::audit::NewAuditEntry {
    super::local_entry(
        super::demo::DEMO_ACTOR,
        &format!("{object}.import"),
        object,
        "demo",
        serde_json::json!({ "rows": rows }),
    )
}

//! The registry's columns and the mapping of rows to the domain's types.

use super::upsert_clause;
use crate::domain::registry::{
    Camera, CameraId, CameraStatus, Checkpoint, CheckpointId, Detection, HealthState,
    HealthSubject, Platform, PlatformId, Protocol, WriteMode,
};
use pingan_core::{StoreError, Timestamp};
use pingan_db::{flag, values_placeholders};
use sqlx::any::AnyRow;
use sqlx::Row;

pub(super) const PLATFORM_COLUMNS: [&str; 6] = [
    "id",
    "name",
    "vendor",
    "protocol",
    "address",
    "credential_ref",
];
pub(super) const CAMERA_COLUMNS: [&str; 16] = [
    "id",
    "name",
    "platform_id",
    "channel_id",
    "lon",
    "lat",
    "height_m",
    "heading_deg",
    "fov_deg",
    "range_m",
    "ptz",
    "live_url",
    "playback_url",
    "status",
    "installed_on",
    "owner",
];
pub(super) const CHECKPOINT_COLUMNS: [&str; 7] =
    ["id", "name", "lon", "lat", "lanes", "directions", "road_id"];
pub(super) const DETECTION_COLUMNS: [&str; 16] = [
    "id",
    "recorder_id",
    "camera_id",
    "source",
    "label",
    "sub_label",
    "score",
    "colour",
    "zones",
    "bbox",
    "start_at",
    "end_at",
    "snapshot_url",
    "clip_url",
    "lon",
    "lat",
];

pub(super) fn insert_sql(table: &str, columns: &[&str], rows: usize, mode: WriteMode) -> String {
    let mut sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        values_placeholders(rows, columns.len())
    );
    if mode == WriteMode::Upsert {
        sql.push(' ');
        sql.push_str(&upsert_clause("id", columns));
    }
    sql
}

pub(super) fn platform_from_row(r: &AnyRow) -> Result<Platform, sqlx::Error> {
    let protocol: String = r.try_get("protocol")?;
    Ok(Platform {
        id: PlatformId(r.try_get("id")?),
        name: r.try_get("name")?,
        vendor: r.try_get("vendor")?,
        protocol: Protocol::parse(&protocol).unwrap_or(Protocol::Rtsp),
        address: r.try_get("address")?,
        credential_ref: r.try_get("credential_ref")?,
    })
}

pub(super) fn camera_from_row(r: &AnyRow) -> Result<Camera, StoreError> {
    let read = |err| StoreError::backend("read a camera", err);
    let status: String = r.try_get("status").map_err(read)?;
    Ok(Camera {
        id: CameraId(r.try_get("id").map_err(read)?),
        name: r.try_get("name").map_err(read)?,
        platform_id: r
            .try_get::<Option<String>, _>("platform_id")
            .map_err(read)?
            .map(PlatformId),
        channel_id: r.try_get("channel_id").map_err(read)?,
        lon: r.try_get("lon").map_err(read)?,
        lat: r.try_get("lat").map_err(read)?,
        height_m: r.try_get("height_m").map_err(read)?,
        heading_deg: r.try_get("heading_deg").map_err(read)?,
        fov_deg: r.try_get("fov_deg").map_err(read)?,
        range_m: r.try_get("range_m").map_err(read)?,
        ptz: flag(r, "ptz").map_err(read)?,
        live_url: r.try_get("live_url").map_err(read)?,
        playback_url: r.try_get("playback_url").map_err(read)?,
        status: CameraStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("camera status {status:?}")))?,
        installed_on: r.try_get("installed_on").map_err(read)?,
        owner: r.try_get("owner").map_err(read)?,
    })
}

pub(super) fn checkpoint_from_row(r: &AnyRow) -> Result<Checkpoint, StoreError> {
    let read = |err| StoreError::backend("read a checkpoint", err);
    let directions: String = r.try_get("directions").map_err(read)?;
    let lanes: i64 = r.try_get("lanes").map_err(read)?;
    Ok(Checkpoint {
        id: CheckpointId(r.try_get("id").map_err(read)?),
        name: r.try_get("name").map_err(read)?,
        lon: r.try_get("lon").map_err(read)?,
        lat: r.try_get("lat").map_err(read)?,
        lanes: u32::try_from(lanes).unwrap_or(0),
        directions: serde_json::from_str(&directions)
            .map_err(|err| StoreError::Corrupt(format!("checkpoint directions: {err}")))?,
        road_id: r.try_get("road_id").map_err(read)?,
    })
}

pub(super) fn health_from_row(r: &AnyRow) -> Result<HealthState, StoreError> {
    let read = |err| StoreError::backend("read device health", err);
    let subject: String = r.try_get("subject").map_err(read)?;
    Ok(HealthState {
        subject: HealthSubject::parse(&subject)
            .ok_or_else(|| StoreError::Corrupt(format!("health subject {subject:?}")))?,
        id: r.try_get("id").map_err(read)?,
        online: flag(r, "online").map_err(read)?,
        last_seen_at: Timestamp(r.try_get("last_seen_at").map_err(read)?),
        changed_at: Timestamp(r.try_get("changed_at").map_err(read)?),
    })
}

pub(super) fn detection_from_row(r: &AnyRow) -> Result<Detection, StoreError> {
    let read = |err| StoreError::backend("read a detection", err);
    let zones: String = r.try_get("zones").map_err(read)?;
    let bbox: Option<String> = r.try_get("bbox").map_err(read)?;
    Ok(Detection {
        id: r.try_get("id").map_err(read)?,
        recorder_id: r.try_get("recorder_id").map_err(read)?,
        camera_id: CameraId(r.try_get("camera_id").map_err(read)?),
        source: r.try_get("source").map_err(read)?,
        label: r.try_get("label").map_err(read)?,
        sub_label: r.try_get("sub_label").map_err(read)?,
        score: r.try_get("score").map_err(read)?,
        colour: r.try_get("colour").map_err(read)?,
        zones: serde_json::from_str(&zones)
            .map_err(|err| StoreError::Corrupt(format!("detection zones: {err}")))?,
        bbox: bbox
            .map(|b| serde_json::from_str(&b))
            .transpose()
            .map_err(|err| StoreError::Corrupt(format!("detection box: {err}")))?,
        start_at: Timestamp(r.try_get("start_at").map_err(read)?),
        end_at: r
            .try_get::<Option<i64>, _>("end_at")
            .map_err(read)?
            .map(Timestamp),
        snapshot_url: r.try_get("snapshot_url").map_err(read)?,
        clip_url: r.try_get("clip_url").map_err(read)?,
        lon: r.try_get("lon").map_err(read)?,
        lat: r.try_get("lat").map_err(read)?,
    })
}

//! The registry's use cases: platforms, cameras and checkpoints created, replaced, deleted and
//! imported. Each checks its record with field-named errors, writes it with its ledger entry in
//! one transaction, rebuilds the camera index and announces the change on the `devices` stream.

use crate::domain::index::VideoIndex;
use crate::domain::names::{Action, Event, Record, Verb};
use crate::domain::registry::{
    Camera, CameraFilter, CameraId, Checkpoint, CheckpointId, ImportReport, Platform, PlatformId,
    SensorStore, WriteMode,
};
use crate::error::{VideoError, VideoResult};
use crate::service::{reload_video, video};
use pingan_core::audit::NewAuditEntry;
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::ValidationError;
use pingan_server::auth::UserCaller;
use pingan_server::AppState;
use serde_json::{json, Value};

fn checked(errors: Vec<ValidationError>) -> VideoResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(VideoError::Invalid(errors))
    }
}

/// Checks a camera against the registry too: its platform must exist.
pub fn camera_problems(c: &Camera, index: &VideoIndex) -> Vec<ValidationError> {
    let mut errors = c.problems();
    if let Some(p) = &c.platform_id {
        if index.platform(p.as_str()).is_none() && errors.iter().all(|e| e.field != "platform_id") {
            errors.push(ValidationError::new(
                "platform_id",
                format!("platform {p} is not registered"),
            ));
        }
    }
    errors
}

/// A registry change's ledger entry, committed in the change's own transaction.
fn change_entry(
    state: &AppState,
    caller: &UserCaller,
    record: Record,
    id: Option<&str>,
    verb: Verb,
    detail: Value,
) -> NewAuditEntry {
    caller
        .record(state, &Action::Registry(record, verb).name())
        .object(record.as_str(), id)
        .detail(detail)
        .build()
}

/// What every registry change does after its commit: rebuild the camera index and announce
/// `registry.{record}.{verb}` with `data`.
async fn changed(state: &AppState, record: Record, verb: Verb, data: Value) -> VideoResult<()> {
    state.count_audit(1);
    reload_video(state).await?;
    state
        .publish(StreamEvent::new(
            Topic::Devices,
            Event::Registry(record, verb).name(),
            state.now(),
            data,
        ))
        .await;
    Ok(())
}

fn write_verb(mode: WriteMode) -> Verb {
    if mode == WriteMode::Insert {
        Verb::Create
    } else {
        Verb::Update
    }
}

/// Creates (`Insert`) or creates-or-replaces (`Upsert`) a platform.
pub async fn write_platform(
    state: &AppState,
    caller: &UserCaller,
    p: &Platform,
    mode: WriteMode,
) -> VideoResult<()> {
    checked(p.problems())?;
    let verb = write_verb(mode);
    // The credential reference's name is not a secret, but it is left out of the ledger too:
    // the ledger is read by auditors who need not know it.
    let detail = json!({
        "name": p.name, "protocol": p.protocol, "address": p.address,
        "has_credentials": p.credential_ref.is_some(),
    });
    let entry = change_entry(
        state,
        caller,
        Record::Platform,
        Some(p.id.as_str()),
        verb,
        detail,
    );
    state
        .store
        .put_platforms(std::slice::from_ref(p), mode, vec![entry])
        .await?;
    changed(state, Record::Platform, verb, json!({ "id": p.id })).await
}

/// Deletes a platform; its cameras stay registered without a platform.
pub async fn delete_platform(state: &AppState, caller: &UserCaller, id: &str) -> VideoResult<()> {
    let entry = change_entry(
        state,
        caller,
        Record::Platform,
        Some(id),
        Verb::Delete,
        Value::Null,
    );
    state
        .store
        .delete_platform(&PlatformId(id.to_owned()), vec![entry])
        .await?;
    changed(state, Record::Platform, Verb::Delete, json!({ "id": id })).await
}

/// Cameras, filtered by position, platform and status.
pub async fn cameras(state: &AppState, filter: &CameraFilter) -> VideoResult<Vec<Camera>> {
    Ok(state.store.cameras(filter).await?)
}

/// Creates or replaces a camera.
pub async fn write_camera(
    state: &AppState,
    caller: &UserCaller,
    c: &Camera,
    mode: WriteMode,
) -> VideoResult<()> {
    checked(camera_problems(c, &video(state).index()))?;
    let verb = write_verb(mode);
    let detail = serde_json::to_value(c).unwrap_or_default();
    let entry = change_entry(
        state,
        caller,
        Record::Camera,
        Some(c.id.as_str()),
        verb,
        detail,
    );
    state
        .store
        .put_cameras(std::slice::from_ref(c), mode, vec![entry])
        .await?;
    changed(state, Record::Camera, verb, json!({ "id": c.id })).await
}

/// Deletes a camera.
pub async fn delete_camera(state: &AppState, caller: &UserCaller, id: &str) -> VideoResult<()> {
    let entry = change_entry(
        state,
        caller,
        Record::Camera,
        Some(id),
        Verb::Delete,
        Value::Null,
    );
    state
        .store
        .delete_camera(&CameraId(id.to_owned()), vec![entry])
        .await?;
    changed(state, Record::Camera, Verb::Delete, json!({ "id": id })).await
}

/// Creates or replaces a checkpoint.
pub async fn write_checkpoint(
    state: &AppState,
    caller: &UserCaller,
    c: &Checkpoint,
    mode: WriteMode,
) -> VideoResult<()> {
    checked(c.problems())?;
    let verb = write_verb(mode);
    let detail = serde_json::to_value(c).unwrap_or_default();
    let entry = change_entry(
        state,
        caller,
        Record::Checkpoint,
        Some(c.id.as_str()),
        verb,
        detail,
    );
    state
        .store
        .put_checkpoints(std::slice::from_ref(c), mode, vec![entry])
        .await?;
    changed(state, Record::Checkpoint, verb, json!({ "id": c.id })).await
}

/// Deletes a checkpoint.
pub async fn delete_checkpoint(state: &AppState, caller: &UserCaller, id: &str) -> VideoResult<()> {
    let entry = change_entry(
        state,
        caller,
        Record::Checkpoint,
        Some(id),
        Verb::Delete,
        Value::Null,
    );
    state
        .store
        .delete_checkpoint(&CheckpointId(id.to_owned()), vec![entry])
        .await?;
    changed(state, Record::Checkpoint, Verb::Delete, json!({ "id": id })).await
}

/// An import's ledger entry detail (and its stream event's data): the counts and the first
/// hundred rejected rows.
fn import_detail(report: &ImportReport) -> Value {
    let rejected_rows: Vec<Value> = report
        .rejected
        .iter()
        .take(100)
        .map(|r| json!({ "row": r.row, "id": r.id }))
        .collect();
    json!({
        "policy": report.policy, "received": report.received, "written": report.written,
        "rejected": report.rejected.len(), "rejected_rows": rejected_rows,
    })
}

/// Writes an import's valid cameras (created or replaced) with one ledger entry for the import.
pub async fn import_cameras(
    state: &AppState,
    caller: &UserCaller,
    valid: &[Camera],
    report: &ImportReport,
) -> VideoResult<()> {
    let detail = import_detail(report);
    let entry = change_entry(
        state,
        caller,
        Record::Camera,
        None,
        Verb::Import,
        detail.clone(),
    );
    state
        .store
        .put_cameras(valid, WriteMode::Upsert, vec![entry])
        .await?;
    changed(state, Record::Camera, Verb::Import, detail).await
}

/// Writes an import's valid checkpoints with one ledger entry for the import.
pub async fn import_checkpoints(
    state: &AppState,
    caller: &UserCaller,
    valid: &[Checkpoint],
    report: &ImportReport,
) -> VideoResult<()> {
    let detail = import_detail(report);
    let entry = change_entry(
        state,
        caller,
        Record::Checkpoint,
        None,
        Verb::Import,
        detail.clone(),
    );
    state
        .store
        .put_checkpoints(valid, WriteMode::Upsert, vec![entry])
        .await?;
    changed(state, Record::Checkpoint, Verb::Import, detail).await
}

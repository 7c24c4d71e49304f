//! The video network: platforms, cameras, checkpoints, device health and uptime, detections.
//!
//! Every write is a batch: multi-row `INSERT … ON CONFLICT` statements in chunks inside one
//! transaction, so importing 2,665 cameras is a handful of round trips, not 2,665. Reads that
//! take lists of ids use one `IN (…)` per chunk.

use crate::domain::registry::{
    next_utc_midnight, utc_day, Beat, Camera, CameraFilter, CameraId, Checkpoint, CheckpointId,
    Detection, DetectionFilter, HealthState, HealthSubject, Platform, PlatformId, SensorStore,
    UptimeDay, WriteMode,
};
use async_trait::async_trait;
use pingan_core::audit::NewAuditEntry;
use pingan_core::{StoreError, Timestamp};
use pingan_db::backend;
use pingan_db::{list_placeholders, values_placeholders, Store, Unaudited};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// Rows per multi-row statement: at most 16 columns × 200 rows = 3,200 parameters, well under
/// both backends' limits.
const CHUNK: usize = 200;
/// Ids per `IN (…)` list.
const ID_CHUNK: usize = 1_000;

fn e(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    backend(context)
}

/// `ON CONFLICT (id) DO UPDATE SET c = excluded.c, …` for every column but the key.
fn upsert_clause(key: &str, columns: &[&str]) -> String {
    let sets: Vec<String> = columns
        .iter()
        .filter(|c| **c != key)
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!("ON CONFLICT ({key}) DO UPDATE SET {}", sets.join(", "))
}

/// Fails with `Duplicate` naming the first id of `ids` that already exists in `table`.
async fn refuse_existing(
    tx: &mut sqlx::AnyConnection,
    table: &str,
    what: &'static str,
    ids: &[&str],
) -> Result<(), StoreError> {
    for chunk in ids.chunks(ID_CHUNK) {
        let sql = format!(
            "SELECT id FROM {table} WHERE id IN ({}) ORDER BY id LIMIT 1",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        if let Some(id) = q.fetch_optional(&mut *tx).await.map_err(e("check ids"))? {
            return Err(StoreError::Duplicate { what, id });
        }
    }
    Ok(())
}

fn unique_in_batch(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
            what,
            id: "(twice in this batch)".into(),
        },
        _ => StoreError::backend("write a batch", err),
    }
}

mod rows;
use rows::{
    camera_from_row, checkpoint_from_row, detection_from_row, health_from_row, insert_sql,
    platform_from_row, CAMERA_COLUMNS, CHECKPOINT_COLUMNS, DETECTION_COLUMNS, PLATFORM_COLUMNS,
};

async fn delete_by_id(
    store: &Store,
    table: &str,
    what: &'static str,
    id: &str,
    audit: Vec<NewAuditEntry>,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await.map_err(e("begin"))?;
    let done = sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(e("delete a registry record"))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what,
            id: id.to_owned(),
        });
    }
    tx.commit(audit, "commit a registry record's removal")
        .await?;
    Ok(())
}

/// Splits `(from, to]` at UTC midnights into `(day, seconds)` pieces.
fn split_by_day(from: Timestamp, to: Timestamp) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let end = next_utc_midnight(start).min(to);
        let secs = (end.micros() - start.micros()) / Timestamp::MICROS_PER_SECOND;
        // Each piece lies within one UTC day, so the day of its start names it.
        out.push((utc_day(start), secs));
        start = end;
    }
    out
}

#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
#[async_trait]
impl SensorStore for Store {
    async fn put_platforms(
        &self,
        rows: &[Platform],
        mode: WriteMode,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await.map_err(e("begin"))?;
        if mode == WriteMode::Insert {
            let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            refuse_existing(&mut tx, "video_platforms", "platform", &ids).await?;
        }
        for chunk in rows.chunks(CHUNK) {
            let sql = insert_sql("video_platforms", &PLATFORM_COLUMNS, chunk.len(), mode);
            let mut q = sqlx::query(&sql);
            for p in chunk {
                q = q
                    .bind(p.id.as_str())
                    .bind(p.name.as_str())
                    .bind(p.vendor.as_deref())
                    .bind(p.protocol.as_str())
                    .bind(p.address.as_str())
                    .bind(p.credential_ref.as_deref());
            }
            q.execute(&mut *tx)
                .await
                .map_err(unique_in_batch("platform"))?;
        }
        tx.commit(audit, "commit platforms").await?;
        Ok(())
    }

    async fn platforms(&self) -> Result<Vec<Platform>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM video_platforms ORDER BY id",
            PLATFORM_COLUMNS.join(", ")
        ))
        .fetch_all(self.pool())
        .await
        .map_err(e("list platforms"))?;
        rows.iter()
            .map(|r| platform_from_row(r).map_err(e("read a platform")))
            .collect()
    }

    async fn delete_platform(
        &self,
        id: &PlatformId,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.map_err(e("begin"))?;
        sqlx::query("UPDATE video_cameras SET platform_id = NULL WHERE platform_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(e("detach cameras"))?;
        let done = sqlx::query("DELETE FROM video_platforms WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(e("delete a platform"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "platform",
                id: id.to_string(),
            });
        }
        tx.commit(audit, "commit a platform's removal").await?;
        Ok(())
    }

    async fn put_cameras(
        &self,
        rows: &[Camera],
        mode: WriteMode,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await.map_err(e("begin"))?;
        if mode == WriteMode::Insert {
            let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            refuse_existing(&mut tx, "video_cameras", "camera", &ids).await?;
        }
        for chunk in rows.chunks(CHUNK) {
            let sql = insert_sql("video_cameras", &CAMERA_COLUMNS, chunk.len(), mode);
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q
                    .bind(c.id.as_str())
                    .bind(c.name.as_str())
                    .bind(c.platform_id.as_ref().map(|p| p.as_str()))
                    .bind(c.channel_id.as_deref())
                    .bind(c.lon)
                    .bind(c.lat)
                    .bind(c.height_m)
                    .bind(c.heading_deg)
                    .bind(c.fov_deg)
                    .bind(c.range_m)
                    .bind(i64::from(c.ptz))
                    .bind(c.live_url.as_deref())
                    .bind(c.playback_url.as_deref())
                    .bind(c.status.as_str())
                    .bind(c.installed_on.as_deref())
                    .bind(c.owner.as_deref());
            }
            q.execute(&mut *tx)
                .await
                .map_err(unique_in_batch("camera"))?;
        }
        tx.commit(audit, "commit cameras").await?;
        Ok(())
    }

    async fn cameras(&self, filter: &CameraFilter) -> Result<Vec<Camera>, StoreError> {
        let mut clauses: Vec<String> = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if filter.bbox.is_some() {
            clauses.push(format!(
                "lon >= {} AND lat >= {} AND lon <= {} AND lat <= {}",
                next(),
                next(),
                next(),
                next()
            ));
        }
        if filter.platform.is_some() {
            clauses.push(format!("platform_id = {}", next()));
        }
        if filter.status.is_some() {
            clauses.push(format!("status = {}", next()));
        }
        let ids = filter.ids.as_deref().unwrap_or(&[]);
        if filter.ids.is_some() {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            // The id list comes last, so its placeholders follow every other filter's.
            clauses.push(format!("id IN ({})", list_placeholders(n + 1, ids.len())));
        }
        let sql = format!(
            "SELECT {} FROM video_cameras {} ORDER BY id",
            CAMERA_COLUMNS.join(", "),
            if clauses.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", clauses.join(" AND "))
            }
        );
        let mut q = sqlx::query(&sql);
        if let Some([a, b, c, d]) = filter.bbox {
            q = q.bind(a).bind(b).bind(c).bind(d);
        }
        if let Some(p) = &filter.platform {
            q = q.bind(p.as_str());
        }
        if let Some(s) = filter.status {
            q = q.bind(s.as_str());
        }
        for id in ids {
            q = q.bind(id.as_str());
        }
        let rows = q.fetch_all(self.pool()).await.map_err(e("list cameras"))?;
        rows.iter().map(camera_from_row).collect()
    }

    async fn delete_camera(
        &self,
        id: &CameraId,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        delete_by_id(self, "video_cameras", "camera", id.as_str(), audit).await
    }

    async fn put_checkpoints(
        &self,
        rows: &[Checkpoint],
        mode: WriteMode,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await.map_err(e("begin"))?;
        if mode == WriteMode::Insert {
            let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            refuse_existing(&mut tx, "video_checkpoints", "checkpoint", &ids).await?;
        }
        for chunk in rows.chunks(CHUNK) {
            let sql = insert_sql("video_checkpoints", &CHECKPOINT_COLUMNS, chunk.len(), mode);
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q
                    .bind(c.id.as_str())
                    .bind(c.name.as_str())
                    .bind(c.lon)
                    .bind(c.lat)
                    .bind(i64::from(c.lanes))
                    .bind(serde_json::to_string(&c.directions).unwrap_or_else(|_| "[]".into()))
                    .bind(c.road_id.as_deref());
            }
            q.execute(&mut *tx)
                .await
                .map_err(unique_in_batch("checkpoint"))?;
        }
        tx.commit(audit, "commit checkpoints").await?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM video_checkpoints ORDER BY id",
            CHECKPOINT_COLUMNS.join(", ")
        ))
        .fetch_all(self.pool())
        .await
        .map_err(e("list checkpoints"))?;
        rows.iter().map(checkpoint_from_row).collect()
    }

    async fn delete_checkpoint(
        &self,
        id: &CheckpointId,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        delete_by_id(self, "video_checkpoints", "checkpoint", id.as_str(), audit).await
    }

    async fn record_beats(
        &self,
        beats: &[Beat],
        max_gap_s: i64,
    ) -> Result<Vec<HealthState>, StoreError> {
        if beats.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await.map_err(e("begin"))?;
        // The current state of every subject in the batch, read in one query per id chunk.
        let mut ids: Vec<&str> = beats.iter().map(|b| b.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut current: HashMap<(HealthSubject, String), HealthState> = HashMap::new();
        for chunk in ids.chunks(ID_CHUNK) {
            let sql = format!(
                "SELECT subject, id, online, last_seen_at, changed_at FROM device_health WHERE id IN ({})",
                list_placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q
                .fetch_all(&mut *tx)
                .await
                .map_err(e("read device health"))?
            {
                let h = health_from_row(&row)?;
                current.insert((h.subject, h.id.clone()), h);
            }
        }
        let mut sorted: Vec<&Beat> = beats.iter().collect();
        sorted.sort_by_key(|b| b.at);
        let mut came_online = Vec::new();
        let mut uptime: BTreeMap<(HealthSubject, String, String), (i64, i64)> = BTreeMap::new();
        for b in sorted {
            let key = (b.subject, b.id.clone());
            match current.get_mut(&key) {
                Some(h) => {
                    if b.at > h.last_seen_at {
                        let gap_s = (b.at.micros() - h.last_seen_at.micros())
                            / Timestamp::MICROS_PER_SECOND;
                        if h.online && gap_s <= max_gap_s {
                            for (day, secs) in split_by_day(h.last_seen_at, b.at) {
                                uptime.entry((b.subject, b.id.clone(), day)).or_default().0 += secs;
                            }
                        }
                        h.last_seen_at = b.at;
                    }
                    if !h.online {
                        h.online = true;
                        h.changed_at = b.at;
                        came_online.push(h.clone());
                    }
                }
                None => {
                    let h = HealthState {
                        subject: b.subject,
                        id: b.id.clone(),
                        online: true,
                        last_seen_at: b.at,
                        changed_at: b.at,
                    };
                    came_online.push(h.clone());
                    current.insert(key, h);
                }
            }
            uptime
                .entry((b.subject, b.id.clone(), utc_day(b.at)))
                .or_default()
                .1 += 1;
        }
        let keys: std::collections::HashSet<(HealthSubject, &str)> =
            beats.iter().map(|b| (b.subject, b.id.as_str())).collect();
        let touched: Vec<&HealthState> = current
            .values()
            .filter(|h| keys.contains(&(h.subject, h.id.as_str())))
            .collect();
        for chunk in touched.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO device_health (subject, id, online, last_seen_at, changed_at) VALUES {} \
                 ON CONFLICT (subject, id) DO UPDATE SET online = excluded.online, \
                 last_seen_at = excluded.last_seen_at, changed_at = excluded.changed_at",
                values_placeholders(chunk.len(), 5)
            );
            let mut q = sqlx::query(&sql);
            for h in chunk {
                q = q
                    .bind(h.subject.as_str())
                    .bind(h.id.as_str())
                    .bind(i64::from(h.online))
                    .bind(h.last_seen_at.micros())
                    .bind(h.changed_at.micros());
            }
            q.execute(&mut *tx)
                .await
                .map_err(e("write device health"))?;
        }
        let uptime: Vec<_> = uptime.into_iter().collect();
        for chunk in uptime.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO device_uptime (subject, id, day, online_s, beats) VALUES {} \
                 ON CONFLICT (subject, id, day) DO UPDATE SET \
                 online_s = device_uptime.online_s + excluded.online_s, \
                 beats = device_uptime.beats + excluded.beats",
                values_placeholders(chunk.len(), 5)
            );
            let mut q = sqlx::query(&sql);
            for ((subject, id, day), (secs, n)) in chunk {
                q = q
                    .bind(subject.as_str())
                    .bind(id.as_str())
                    .bind(day.as_str())
                    .bind(*secs)
                    .bind(*n);
            }
            q.execute(&mut *tx)
                .await
                .map_err(e("write device uptime"))?;
        }
        tx.commit_unaudited(Unaudited::DeviceData, "commit heartbeats")
            .await?;
        came_online.sort_by(|a, b| (a.subject, &a.id).cmp(&(b.subject, &b.id)));
        Ok(came_online)
    }

    async fn mark_offline(
        &self,
        seen_before: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<HealthState>, StoreError> {
        let mut tx = self.begin_write().await.map_err(e("begin"))?;
        let rows = sqlx::query(
            "UPDATE device_health SET online = 0, changed_at = $2 WHERE online = 1 AND last_seen_at < $1 \
             RETURNING subject, id, online, last_seen_at, changed_at",
        )
        .bind(seen_before.micros())
        .bind(now.micros())
        .fetch_all(&mut *tx)
        .await
        .map_err(e("mark devices offline"))?;
        tx.commit_unaudited(Unaudited::Derived, "commit the health sweep")
            .await?;
        let mut out: Vec<HealthState> =
            rows.iter().map(health_from_row).collect::<Result<_, _>>()?;
        out.sort_by(|a, b| (a.subject, &a.id).cmp(&(b.subject, &b.id)));
        Ok(out)
    }

    async fn health(&self) -> Result<Vec<HealthState>, StoreError> {
        let rows = sqlx::query(
            "SELECT subject, id, online, last_seen_at, changed_at FROM device_health ORDER BY subject, id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(e("read device health"))?;
        rows.iter().map(health_from_row).collect()
    }

    async fn uptime(&self, from_day: &str, to_day: &str) -> Result<Vec<UptimeDay>, StoreError> {
        let rows = sqlx::query(
            "SELECT subject, id, day, online_s, beats FROM device_uptime WHERE day >= $1 AND day <= $2 \
             ORDER BY subject, id, day",
        )
        .bind(from_day)
        .bind(to_day)
        .fetch_all(self.pool())
        .await
        .map_err(e("read uptime"))?;
        rows.iter()
            .map(|r| {
                let read = |err| StoreError::backend("read uptime", err);
                let subject: String = r.try_get("subject").map_err(read)?;
                Ok(UptimeDay {
                    subject: HealthSubject::parse(&subject).ok_or_else(|| {
                        StoreError::Corrupt(format!("uptime subject {subject:?}"))
                    })?,
                    id: r.try_get("id").map_err(read)?,
                    day: r.try_get("day").map_err(read)?,
                    online_s: r.try_get("online_s").map_err(read)?,
                    beats: r.try_get("beats").map_err(read)?,
                })
            })
            .collect()
    }

    async fn put_detections(&self, rows: &[Detection]) -> Result<(), StoreError> {
        // The last state of each event wins within a batch: one statement may not update the
        // same row twice on PostgreSQL.
        let mut last: BTreeMap<&str, &Detection> = BTreeMap::new();
        for d in rows {
            last.insert(d.id.as_str(), d);
        }
        let rows: Vec<&Detection> = last.into_values().collect();
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await.map_err(e("begin"))?;
        for chunk in rows.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO detections ({}) VALUES {} ON CONFLICT (id) DO UPDATE SET \
                 label = excluded.label, sub_label = excluded.sub_label, \
                 score = CASE WHEN excluded.score > detections.score THEN excluded.score ELSE detections.score END, \
                 colour = COALESCE(excluded.colour, detections.colour), zones = excluded.zones, \
                 bbox = excluded.bbox, end_at = COALESCE(excluded.end_at, detections.end_at), \
                 snapshot_url = COALESCE(excluded.snapshot_url, detections.snapshot_url), \
                 clip_url = COALESCE(excluded.clip_url, detections.clip_url)",
                DETECTION_COLUMNS.join(", "),
                values_placeholders(chunk.len(), DETECTION_COLUMNS.len())
            );
            let mut q = sqlx::query(&sql);
            for d in chunk {
                q = q
                    .bind(d.id.as_str())
                    .bind(d.recorder_id.as_str())
                    .bind(d.camera_id.as_str())
                    .bind(d.source.as_str())
                    .bind(d.label.as_str())
                    .bind(d.sub_label.as_deref())
                    .bind(d.score)
                    .bind(d.colour.as_deref())
                    .bind(serde_json::to_string(&d.zones).unwrap_or_else(|_| "[]".into()))
                    .bind(d.bbox.as_ref().and_then(|b| serde_json::to_string(b).ok()))
                    .bind(d.start_at.micros())
                    .bind(d.end_at.map(Timestamp::micros))
                    .bind(d.snapshot_url.as_deref())
                    .bind(d.clip_url.as_deref())
                    .bind(d.lon)
                    .bind(d.lat);
            }
            q.execute(&mut *tx).await.map_err(e("store detections"))?;
        }
        tx.commit_unaudited(Unaudited::DeviceData, "commit detections")
            .await
    }

    async fn detections(&self, f: &DetectionFilter) -> Result<Vec<Detection>, StoreError> {
        let mut clauses: Vec<String> = Vec::new();
        let mut n = 0usize;
        let cams = f.cameras.as_deref().unwrap_or(&[]);
        if f.cameras.is_some() {
            if cams.is_empty() {
                return Ok(Vec::new());
            }
            clauses.push(format!(
                "camera_id IN ({})",
                list_placeholders(1, cams.len())
            ));
            n = cams.len();
        }
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if f.to.is_some() {
            clauses.push(format!("start_at <= {}", next()));
        }
        if f.from.is_some() {
            clauses.push(format!("COALESCE(end_at, start_at) >= {}", next()));
        }
        if f.label.is_some() {
            clauses.push(format!("label = {}", next()));
        }
        if f.colour.is_some() {
            clauses.push(format!("colour = {}", next()));
        }
        let limit = next();
        let sql = format!(
            "SELECT {} FROM detections {} ORDER BY start_at DESC, id LIMIT {limit}",
            DETECTION_COLUMNS.join(", "),
            if clauses.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", clauses.join(" AND "))
            }
        );
        let mut q = sqlx::query(&sql);
        for c in cams {
            q = q.bind(c.as_str());
        }
        if let Some(t) = f.to {
            q = q.bind(t.micros());
        }
        if let Some(t) = f.from {
            q = q.bind(t.micros());
        }
        if let Some(l) = &f.label {
            q = q.bind(l.as_str());
        }
        if let Some(c) = &f.colour {
            q = q.bind(c.as_str());
        }
        q = q.bind(i64::from(f.limit));
        let rows = q
            .fetch_all(self.pool())
            .await
            .map_err(e("search detections"))?;
        rows.iter().map(detection_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_time_splits_at_midnight() {
        let t = Timestamp::parse_rfc3339("2026-05-07T23:59:30Z").unwrap();
        let pieces = split_by_day(t, t.plus_seconds(60));
        assert_eq!(
            pieces,
            vec![("2026-05-07".to_owned(), 30), ("2026-05-08".to_owned(), 30)]
        );
    }

    #[test]
    fn upserts_update_every_column_but_the_key() {
        assert_eq!(
            upsert_clause("id", &["id", "a", "b"]),
            "ON CONFLICT (id) DO UPDATE SET a = excluded.a, b = excluded.b"
        );
    }
}

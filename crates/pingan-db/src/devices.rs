//! Field devices and their API keys.

use crate::error::{backend, map_err};
use crate::{flag, list_placeholders, Store, Unaudited};
use async_trait::async_trait;
use pingan_core::account::{Device, DeviceKind};
use pingan_core::audit::NewAuditEntry;
use pingan_core::ids::DeviceId;
use pingan_core::ports::{DeviceStore, NewDevice};
use pingan_core::{StoreError, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

const DEVICE_COLUMNS: &str = "id, kind, name, disabled, created_at, last_seen_at";

fn device_from_row(row: &AnyRow) -> Result<Device, StoreError> {
    let kind: String = row.try_get("kind").map_err(backend("read a device"))?;
    Ok(Device {
        id: DeviceId(row.try_get("id").map_err(backend("read a device"))?),
        kind: DeviceKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("device kind {kind:?}")))?,
        name: row.try_get("name").map_err(backend("read a device"))?,
        disabled: flag(row, "disabled").map_err(backend("read a device"))?,
        created_at: Timestamp(
            row.try_get("created_at")
                .map_err(backend("read a device"))?,
        ),
        last_seen_at: row
            .try_get::<Option<i64>, _>("last_seen_at")
            .map_err(backend("read a device"))?
            .map(Timestamp),
    })
}

#[async_trait]
impl DeviceStore for Store {
    async fn create_device(
        &self,
        d: &NewDevice,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Device, StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        sqlx::query(
            "INSERT INTO devices (id, kind, name, key_hash, disabled, created_at) VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(d.id.as_str())
        .bind(d.kind.as_str())
        .bind(&d.name)
        .bind(&d.key_hash)
        .bind(d.created_at.micros())
        .execute(&mut *tx)
        .await
        .map_err(map_err("register a device", "device", d.id.as_str()))?;
        tx.commit(audit, "commit a new device").await?;
        Ok(Device {
            id: d.id.clone(),
            kind: d.kind,
            name: d.name.clone(),
            disabled: false,
            created_at: d.created_at,
            last_seen_at: None,
        })
    }

    async fn device_by_key(&self, key_hash: &str) -> Result<Option<Device>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE key_hash = $1 AND disabled = 0"
        ))
        .bind(key_hash)
        .fetch_optional(self.pool())
        .await
        .map_err(backend("look up a device key"))?;
        row.as_ref().map(device_from_row).transpose()
    }

    async fn devices(&self, ids: &[DeviceId]) -> Result<Vec<Device>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE id IN ({}) ORDER BY id",
            list_placeholders(1, ids.len())
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id.as_str());
        }
        let rows = q
            .fetch_all(self.pool())
            .await
            .map_err(backend("read devices"))?;
        rows.iter().map(device_from_row).collect()
    }

    async fn list_devices(&self) -> Result<Vec<Device>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY id"))
            .fetch_all(self.pool())
            .await
            .map_err(backend("list devices"))?;
        rows.iter().map(device_from_row).collect()
    }

    async fn set_device_disabled(
        &self,
        id: &DeviceId,
        disabled: bool,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Device, StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let row = sqlx::query(&format!(
            "UPDATE devices SET disabled = $1 WHERE id = $2 RETURNING {DEVICE_COLUMNS}"
        ))
        .bind(i64::from(disabled))
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("disable a device"))?
        .ok_or_else(|| StoreError::NotFound {
            what: "device",
            id: id.to_string(),
        })?;
        let device = device_from_row(&row)?;
        tx.commit(audit, "commit a device's state").await?;
        Ok(device)
    }

    async fn rotate_device_key(
        &self,
        id: &DeviceId,
        key_hash: &str,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let done = sqlx::query("UPDATE devices SET key_hash = $1 WHERE id = $2")
            .bind(key_hash)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err("rotate a device key", "device", id.as_str()))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "device",
                id: id.to_string(),
            });
        }
        tx.commit(audit, "commit a device key").await?;
        Ok(())
    }

    async fn touch_devices(&self, ids: &[DeviceId], at: Timestamp) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE devices SET last_seen_at = $1 WHERE id IN ({}) AND (last_seen_at IS NULL OR last_seen_at < $1)",
            list_placeholders(2, ids.len())
        );
        let mut q = sqlx::query(&sql).bind(at.micros());
        for id in ids {
            q = q.bind(id.as_str());
        }
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        q.execute(&mut *tx)
            .await
            .map_err(backend("record device activity"))?;
        tx.commit_unaudited(Unaudited::DeviceData, "commit device activity")
            .await
    }
}

//! The geography: replaced whole on import, loaded whole at start.

use crate::error::backend;
use crate::{values_placeholders, Store};
use async_trait::async_trait;
use pingan_core::audit::NewAuditEntry;
use pingan_core::geography::FeatureRow;
use pingan_core::ports::GeographyStore;
use pingan_core::StoreError;
use sqlx::Row;

/// Features per INSERT (9 columns each).
const CHUNK: usize = 200;

#[async_trait]
impl GeographyStore for Store {
    async fn replace_geography(
        &self,
        features: &[FeatureRow],
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        sqlx::query("DELETE FROM geo_features")
            .execute(&mut *tx)
            .await
            .map_err(backend("clear the geography"))?;
        for (c, chunk) in features.chunks(CHUNK).enumerate() {
            let sql = format!(
                "INSERT INTO geo_features (ord, id, kind, name, name_en, parent, road_class, geometry, properties) VALUES {}",
                values_placeholders(chunk.len(), 9)
            );
            let mut q = sqlx::query(&sql);
            for (i, f) in chunk.iter().enumerate() {
                q = q
                    .bind(i64::try_from(c * CHUNK + i).unwrap_or(i64::MAX))
                    .bind(f.id.as_str())
                    .bind(f.kind.as_str())
                    .bind(f.name.as_str())
                    .bind(f.name_en.as_deref())
                    .bind(f.parent.as_deref())
                    .bind(f.road_class.as_deref())
                    .bind(f.geometry.as_str())
                    .bind(f.properties.as_str());
            }
            q.execute(&mut *tx).await.map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
                    what: "feature",
                    id: "(in this import)".into(),
                },
                _ => StoreError::backend("store the geography", e),
            })?;
        }
        tx.commit(audit, "commit the geography").await?;
        Ok(())
    }

    async fn load_geography(&self) -> Result<Vec<FeatureRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, name, name_en, parent, road_class, geometry, properties FROM geo_features ORDER BY ord",
        )
        .fetch_all(self.pool())
        .await
        .map_err(backend("load the geography"))?;
        rows.iter()
            .map(|r| {
                let e = || backend("read a feature");
                Ok(FeatureRow {
                    id: r.try_get("id").map_err(e())?,
                    kind: r.try_get("kind").map_err(e())?,
                    name: r.try_get("name").map_err(e())?,
                    name_en: r.try_get("name_en").map_err(e())?,
                    parent: r.try_get("parent").map_err(e())?,
                    road_class: r.try_get("road_class").map_err(e())?,
                    geometry: r.try_get("geometry").map_err(e())?,
                    properties: r.try_get("properties").map_err(e())?,
                })
            })
            .collect()
    }
}

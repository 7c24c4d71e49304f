//! Accounts and sessions.

use crate::error::{backend, map_err};
use crate::{flag, Store, Unaudited};
use async_trait::async_trait;
use pingan_core::access::Role;
use pingan_core::account::{Session, SessionKind, User, UserWithSecret};
use pingan_core::audit::NewAuditEntry;
use pingan_core::ids::UserId;
use pingan_core::ports::{AccountStore, NewUser};
use pingan_core::{StoreError, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

const USER_COLUMNS: &str = "id, username, display_name, role, agency, disabled, created_at";

fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role").map_err(backend("read a user"))?;
    Ok(User {
        id: UserId(row.try_get("id").map_err(backend("read a user"))?),
        username: row.try_get("username").map_err(backend("read a user"))?,
        display_name: row
            .try_get("display_name")
            .map_err(backend("read a user"))?,
        role: role
            .parse::<Role>()
            .map_err(|e| StoreError::Corrupt(format!("user role: {e}")))?,
        agency: row.try_get("agency").map_err(backend("read a user"))?,
        disabled: flag(row, "disabled").map_err(backend("read a user"))?,
        created_at: Timestamp(row.try_get("created_at").map_err(backend("read a user"))?),
    })
}

#[async_trait]
impl AccountStore for Store {
    async fn create_user(
        &self,
        user: &NewUser,
        audit: Vec<NewAuditEntry>,
    ) -> Result<User, StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, agency, password_hash, disabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
        )
        .bind(user.id.as_str())
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(user.agency.as_deref())
        .bind(&user.password_hash)
        .bind(user.created_at.micros())
        .execute(&mut *tx)
        .await
        .map_err(map_err("create a user", "user", &user.username))?;
        tx.commit(audit, "commit a new user").await?;
        Ok(User {
            id: user.id.clone(),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            agency: user.agency.clone(),
            disabled: false,
            created_at: user.created_at,
        })
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserWithSecret>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(self.pool())
        .await
        .map_err(backend("look up a user"))?;
        row.map(|row| {
            Ok(UserWithSecret {
                user: user_from_row(&row)?,
                password_hash: row
                    .try_get("password_hash")
                    .map_err(backend("read a user"))?,
            })
        })
        .transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(backend("list users"))?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_user_disabled(
        &self,
        username: &str,
        disabled: bool,
        audit: Vec<NewAuditEntry>,
    ) -> Result<User, StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let row = sqlx::query(&format!(
            "UPDATE users SET disabled = $1 WHERE username = $2 RETURNING {USER_COLUMNS}"
        ))
        .bind(i64::from(disabled))
        .bind(username)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("disable a user"))?
        .ok_or_else(|| StoreError::NotFound {
            what: "user",
            id: username.to_owned(),
        })?;
        let user = user_from_row(&row)?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend("end a user's sessions"))?;
        }
        tx.commit(audit, "commit a user's state").await?;
        Ok(user)
    }

    async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let id: Option<String> = sqlx::query_scalar(
            "UPDATE users SET password_hash = $1 WHERE username = $2 RETURNING id",
        )
        .bind(password_hash)
        .bind(username)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("set a password"))?;
        let id = id.ok_or_else(|| StoreError::NotFound {
            what: "user",
            id: username.to_owned(),
        })?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(backend("end a user's sessions"))?;
        tx.commit(audit, "commit a new password").await?;
        Ok(())
    }

    async fn has_admin(&self) -> Result<bool, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(self.pool())
                .await
                .map_err(backend("count admins"))?;
        Ok(n > 0)
    }

    async fn create_session(&self, s: &Session) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id.as_str())
        .bind(s.kind.as_str())
        .bind(s.csrf_token.as_deref())
        .bind(s.created_at.micros())
        .bind(s.expires_at.micros())
        .execute(&mut *tx)
        .await
        .map_err(map_err("create a session", "session", "(token)"))?;
        tx.commit_unaudited(Unaudited::Sessions, "commit a session")
            .await
    }

    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(Session, User)>, StoreError> {
        // One round trip: the session and its user together.
        let row = sqlx::query(
            "SELECT s.token_hash, s.kind, s.csrf_token, s.created_at AS s_created, s.expires_at, \
                    u.id, u.username, u.display_name, u.role, u.agency, u.disabled, u.created_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(now.micros())
        .fetch_optional(self.pool())
        .await
        .map_err(backend("look up a session"))?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from_row(&row)?;
        let kind: String = row.try_get("kind").map_err(backend("read a session"))?;
        let session = Session {
            token_hash: row
                .try_get("token_hash")
                .map_err(backend("read a session"))?,
            user_id: user.id.clone(),
            kind: SessionKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("session kind {kind:?}")))?,
            csrf_token: row
                .try_get("csrf_token")
                .map_err(backend("read a session"))?,
            created_at: Timestamp(
                row.try_get("s_created")
                    .map_err(backend("read a session"))?,
            ),
            expires_at: Timestamp(
                row.try_get("expires_at")
                    .map_err(backend("read a session"))?,
            ),
        };
        Ok(Some((session, user)))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await
            .map_err(backend("end a session"))?;
        tx.commit_unaudited(Unaudited::Sessions, "commit a sign-out")
            .await
    }

    async fn purge_sessions(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await.map_err(backend("begin"))?;
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now.micros())
            .execute(&mut *tx)
            .await
            .map_err(backend("purge expired sessions"))?;
        tx.commit_unaudited(Unaudited::Sessions, "commit expired sessions")
            .await?;
        Ok(done.rows_affected())
    }
}

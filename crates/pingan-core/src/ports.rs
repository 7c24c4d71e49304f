//! Storage ports: what the domain needs from storage, in domain terms.
//!
//! One trait per area keeps each small. Every method takes or returns whole pages (slices,
//! `Vec`s, filters with limits), never one row per call in a loop, so that a networked
//! PostgreSQL is not crawled by N+1 round trips. Implementations live in `pingan-db`.
//!
//! Every method that changes what a person decided takes the change's ledger entries
//! (`audit`) and commits them in the change's own transaction.

use crate::account::{Device, DeviceKind, Session, User, UserWithSecret};
use crate::audit::{AuditEntry, NewAuditEntry, Outcome};
use crate::geography::FeatureRow;
use crate::ids::{DeviceId, UserId};
use crate::purpose::Purpose;
use crate::time::Timestamp;
use crate::StoreError;
use async_trait::async_trait;

/// A new account as the store receives it (the password already hashed).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: crate::access::Role,
    pub agency: Option<String>,
    pub password_hash: String,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account with its ledger entries; `Duplicate` when the user name is taken.
    async fn create_user(
        &self,
        user: &NewUser,
        audit: Vec<NewAuditEntry>,
    ) -> Result<User, StoreError>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserWithSecret>, StoreError>;
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// Enables or disables an account; disabling also ends its sessions.
    async fn set_user_disabled(
        &self,
        username: &str,
        disabled: bool,
        audit: Vec<NewAuditEntry>,
    ) -> Result<User, StoreError>;
    /// Replaces the password hash and ends the account's sessions.
    async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;
    /// Whether an enabled admin account exists.
    async fn has_admin(&self) -> Result<bool, StoreError>;

    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;
    /// The live session for a token hash and its enabled user, if any.
    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(Session, User)>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Removes expired sessions; returns how many.
    async fn purge_sessions(&self, now: Timestamp) -> Result<u64, StoreError>;
}

/// A device with its key hash, as registered.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub id: DeviceId,
    pub kind: DeviceKind,
    pub name: String,
    pub key_hash: String,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait DeviceStore: Send + Sync {
    async fn create_device(
        &self,
        device: &NewDevice,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Device, StoreError>;
    /// The enabled device holding this key, if any.
    async fn device_by_key(&self, key_hash: &str) -> Result<Option<Device>, StoreError>;
    async fn devices(&self, ids: &[DeviceId]) -> Result<Vec<Device>, StoreError>;
    async fn list_devices(&self) -> Result<Vec<Device>, StoreError>;
    async fn set_device_disabled(
        &self,
        id: &DeviceId,
        disabled: bool,
        audit: Vec<NewAuditEntry>,
    ) -> Result<Device, StoreError>;
    /// Replaces a device's key (rotation); the old key stops working at once.
    async fn rotate_device_key(
        &self,
        id: &DeviceId,
        key_hash: &str,
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;
    /// Records that these devices were heard from at `at` (one statement for the batch).
    async fn touch_devices(&self, ids: &[DeviceId], at: Timestamp) -> Result<(), StoreError>;
}

/// Filters for reading the ledger. All present filters must match.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action_prefix: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub purpose: Option<Purpose>,
    pub reference: Option<String>,
    pub outcome: Option<Outcome>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Entries with `seq` greater than this (keyset paging, oldest first).
    pub after_seq: Option<i64>,
    /// Entries with `seq` less than this (keyset paging, newest first).
    pub before_seq: Option<i64>,
    /// Newest first (descending `seq`) instead of oldest first.
    pub newest_first: bool,
    pub limit: u32,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends entries atomically, chained after the current head, and returns them as stored.
    /// Concurrent appenders (threads or processes on one PostgreSQL) are serialised so the chain
    /// never forks.
    async fn append_audit(
        &self,
        entries: Vec<NewAuditEntry>,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// A page of entries in sequence order (descending with `newest_first`).
    async fn audit_page(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError>;
}

#[async_trait]
pub trait GeographyStore: Send + Sync {
    /// Replaces the whole geography in one transaction (an import is all or nothing).
    async fn replace_geography(
        &self,
        features: &[FeatureRow],
        audit: Vec<NewAuditEntry>,
    ) -> Result<(), StoreError>;
    async fn load_geography(&self) -> Result<Vec<FeatureRow>, StoreError>;
}

//! Who is calling: sessions (browser cookie or bearer token), device keys, and the guard that
//! checks a permission and audits refusals.
//!
//! - Browser sign-in sets an HttpOnly, SameSite=Strict cookie; every unsafe method on a cookie
//!   session must echo the session's CSRF token in `X-CSRF-Token`.
//! - API clients send `Authorization: Bearer pgu_…` (a user token from `POST /auth/login` with
//!   `"mode": "bearer"`); no CSRF token is needed because browsers never attach it on their own.
//! - Devices send `Authorization: Bearer pgk_…`; a device key can call only ingest endpoints,
//!   and only for its own device.

use crate::error::ApiError;
use crate::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use base64::Engine;
use pingan_core::access::{Permission, Role};
use pingan_core::account::{secret_hash, Device, SessionKind, User};
use pingan_core::audit::{AuditBuilder, NewAuditEntry, Outcome};
use pingan_core::ports::{AccountStore, DeviceStore};
use pingan_core::purpose::StatedPurpose;
use rand::RngCore;

pub const SESSION_COOKIE: &str = "pingan_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const USER_TOKEN_PREFIX: &str = "pgu_";
pub const DEVICE_KEY_PREFIX: &str = "pgk_";

/// A fresh random secret with a type prefix (256 bits, URL-safe base64).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A random hex id for new records.
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// Hashes a password with argon2id (default parameters: 19 MiB, 2 passes) off the async
/// workers, since it is deliberately slow.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(e.to_string().into()))
    })
    .await
    .map_err(ApiError::internal)?
}

/// Verifies a password against a stored PHC string, off the async workers.
pub async fn verify_password(hash: String, password: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let parsed =
            PasswordHash::new(&hash).map_err(|e| ApiError::Internal(e.to_string().into()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(ApiError::internal)?
}

/// Compares secrets in constant time.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The token of an `Authorization: Bearer …` header; the scheme name is case-insensitive
/// (RFC 9110 §11.1).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// A refused access, as the platform's access checks report it; the HTTP edge maps it to 403
/// (or 400 for a reference that names nothing on record).
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(pingan_core::ValidationError),
    #[error(transparent)]
    Store(#[from] pingan_core::StoreError),
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Forbidden(reason) => ApiError::Forbidden(reason),
            AccessError::Invalid(v) => ApiError::Invalid(vec![v]),
            AccessError::Store(s) => ApiError::from(s),
        }
    }
}

/// A client's own request id, kept only when short and well formed, and always marked as the
/// client's in the ledger (`<server id> client:<id>`): the ledger takes nothing long or odd from
/// a client, and a client cannot pass its id off as the server's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRequestId(pub String);

/// Longest client request id kept.
pub const CLIENT_REQUEST_ID_MAX: usize = 64;

impl ClientRequestId {
    /// The client's id, when it is 1–64 characters of `A–Z a–z 0–9 . _ : -`.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = !text.is_empty()
            && text.len() <= CLIENT_REQUEST_ID_MAX
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        ok.then(|| Self(text.to_owned()))
    }
}

/// Middleware (outermost): takes the client's `x-request-id` off the request, so that the
/// server always sets its own, and keeps the client's as a [`ClientRequestId`] when it is
/// well formed.
pub async fn take_client_request_id(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(v) = req.headers_mut().remove("x-request-id") {
        if let Some(id) = v.to_str().ok().and_then(ClientRequestId::parse) {
            req.extensions_mut().insert(id);
        }
    }
    next.run(req).await
}

/// The request id for audit entries: the server's, with the client's marked beside it.
pub fn request_id_of(
    headers: &axum::http::HeaderMap,
    client: Option<&ClientRequestId>,
) -> Option<String> {
    let server = headers.get("x-request-id").and_then(|v| v.to_str().ok());
    match (server, client) {
        (Some(s), Some(c)) => Some(format!("{s} client:{}", c.0)),
        (Some(s), None) => Some(s.to_owned()),
        (None, Some(c)) => Some(format!("client:{}", c.0)),
        (None, None) => None,
    }
}

/// The request id set by the middleware, for audit entries.
pub fn request_id(parts: &Parts) -> Option<String> {
    request_id_of(&parts.headers, parts.extensions.get::<ClientRequestId>())
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct UserCaller {
    pub user: User,
    pub kind: SessionKind,
    pub token_hash: String,
    pub request_id: Option<String>,
}

impl UserCaller {
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// A ledger entry for an action by this person, built by name (see
    /// [`pingan_core::audit::AuditBuilder`]).
    pub fn record(&self, state: &AppState, action: &str) -> AuditBuilder {
        AuditBuilder::new(
            state.now(),
            self.user.username.clone(),
            Some(self.user.role),
            action,
        )
        .request_id(self.request_id.clone())
    }

    /// An audit entry for an action by this person.
    pub fn entry(
        &self,
        state: &AppState,
        action: &str,
        object_type: &str,
        object_id: Option<&str>,
        outcome: Outcome,
        detail: serde_json::Value,
    ) -> NewAuditEntry {
        NewAuditEntry {
            at: state.now(),
            actor: self.user.username.clone(),
            role: Some(self.user.role),
            action: action.to_owned(),
            object_type: object_type.to_owned(),
            object_id: object_id.map(str::to_owned),
            purpose: None,
            reference: None,
            request_id: self.request_id.clone(),
            outcome,
            detail,
        }
    }

    /// Refuses, and records the refusal, unless the caller's role holds `permission`.
    pub async fn require(
        &self,
        state: &AppState,
        permission: Permission,
    ) -> Result<(), AccessError> {
        if self.user.role.may(permission) {
            return Ok(());
        }
        let entry = self.entry(
            state,
            "access.denied",
            "permission",
            Some(permission.as_str()),
            Outcome::Denied,
            serde_json::Value::Null,
        );
        state.audit(vec![entry]).await?;
        Err(AccessError::Forbidden(format!(
            "the {} role may not {}",
            self.user.role,
            permission.as_str().replace('_', " ")
        )))
    }

    /// Like [`UserCaller::require`], and also checks a stated purpose and reference, for reads
    /// of personal or plate data. The caller then records the access with [`UserCaller::purposed`].
    pub async fn require_purpose(
        &self,
        state: &AppState,
        permission: Permission,
        purpose: Option<&StatedPurpose>,
    ) -> Result<StatedPurpose, AccessError> {
        self.require(state, permission).await?;
        let Some(p) = purpose else {
            let reason = "a purpose code and a case or incident reference are required";
            self.purpose_denied(state, permission, None, reason).await?;
            return Err(AccessError::Forbidden(reason.to_owned()));
        };
        if !p.purpose.opens(permission) {
            let reason = format!(
                "the purpose {} does not open {}; state a purpose with a case or incident reference",
                p.purpose,
                permission.as_str().replace('_', " ")
            );
            self.purpose_denied(state, permission, Some(p), &reason)
                .await?;
            return Err(AccessError::Forbidden(reason));
        }
        if let Err(e) = p.validate() {
            let reason = e.to_string();
            self.purpose_denied(state, permission, Some(p), &reason)
                .await?;
            return Err(AccessError::Forbidden(reason));
        }
        // A reference to a capability's record (an incident) must name one on record: 400
        // naming the field, and the attempt is in the ledger as denied.
        for c in state.capabilities.iter() {
            if let Some(reason) = c.refuse_reference(state, p).await? {
                self.purpose_denied(state, permission, Some(p), &reason)
                    .await?;
                return Err(AccessError::Invalid(pingan_core::ValidationError::new(
                    "reference",
                    reason,
                )));
            }
        }
        Ok(p.clone())
    }

    /// Writes the `access.denied` ledger entry of a refused purpose, with the purpose and
    /// reference when given.
    async fn purpose_denied(
        &self,
        state: &AppState,
        permission: Permission,
        purpose: Option<&StatedPurpose>,
        reason: &str,
    ) -> Result<(), AccessError> {
        let mut entry = self.entry(
            state,
            "access.denied",
            "permission",
            Some(permission.as_str()),
            Outcome::Denied,
            serde_json::json!({ "reason": reason }),
        );
        if let Some(p) = purpose {
            entry.purpose = Some(p.purpose);
            entry.reference = p.reference.clone();
        }
        state.audit(vec![entry]).await?;
        Ok(())
    }

    /// An audit entry for a purpose-bound access.
    pub fn purposed(
        &self,
        state: &AppState,
        action: &str,
        object_type: &str,
        object_id: Option<&str>,
        purpose: &StatedPurpose,
        detail: serde_json::Value,
    ) -> NewAuditEntry {
        let mut e = self.entry(
            state,
            action,
            object_type,
            object_id,
            Outcome::Success,
            detail,
        );
        e.purpose = Some(purpose.purpose);
        e.reference = purpose.reference.clone();
        if let Some(d) = &purpose.detail {
            e.detail = serde_json::json!({ "detail": d, "result": e.detail });
        }
        e
    }
}

impl FromRequestParts<AppState> for UserCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let now = state.now();
        let request_id = request_id(parts);
        if let Some(token) = bearer(parts) {
            if token.starts_with(DEVICE_KEY_PREFIX) {
                return Err(ApiError::Forbidden(
                    "device keys may only call ingest endpoints".into(),
                ));
            }
            let hash = secret_hash(token);
            let (session, user) = state
                .store
                .session(&hash, now)
                .await?
                .filter(|(s, _)| s.kind == SessionKind::Bearer)
                .ok_or(ApiError::Unauthenticated)?;
            return Ok(UserCaller {
                user,
                kind: session.kind,
                token_hash: hash,
                request_id,
            });
        }
        let Some(token) = cookie_value(parts, SESSION_COOKIE) else {
            return Err(ApiError::Unauthenticated);
        };
        let hash = secret_hash(token);
        let (session, user) = state
            .store
            .session(&hash, now)
            .await?
            .filter(|(s, _)| s.kind == SessionKind::Browser)
            .ok_or(ApiError::Unauthenticated)?;
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let expected = session.csrf_token.as_deref().unwrap_or("");
            if expected.is_empty() || !same_secret(sent, expected) {
                return Err(ApiError::Csrf);
            }
        }
        Ok(UserCaller {
            user,
            kind: session.kind,
            token_hash: hash,
            request_id,
        })
    }
}

/// A device authenticated by its API key.
#[derive(Debug, Clone)]
pub struct DeviceCaller {
    pub device: Device,
    pub request_id: Option<String>,
}

impl DeviceCaller {
    /// Refuses unless `device_id` is the caller's own device.
    pub fn require_self(&self, device_id: &str) -> Result<(), ApiError> {
        if self.device.id.as_str() == device_id {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "device {} may only ingest for itself, not for {device_id}",
                self.device.id
            )))
        }
    }
}

impl FromRequestParts<AppState> for DeviceCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(key) = bearer(parts).filter(|k| k.starts_with(DEVICE_KEY_PREFIX)) else {
            return Err(ApiError::Unauthenticated);
        };
        let device = state
            .store
            .device_by_key(&secret_hash(key))
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok(DeviceCaller {
            device,
            request_id: request_id(parts),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_and_unique() {
        let a = new_secret(USER_TOKEN_PREFIX);
        assert!(a.starts_with("pgu_"));
        assert_ne!(a, new_secret(USER_TOKEN_PREFIX));
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, "pgu_"));
    }

    #[tokio::test]
    async fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(h.clone(), "correct horse battery".into())
            .await
            .unwrap());
        assert!(!verify_password(h, "wrong".into()).await.unwrap());
    }
}

/// Permissions as types, so that a handler can demand one as its first extractor: the check
/// (and the audit entry of a refusal) then happens before the body is even read, and a caller
/// without the permission learns nothing about what a valid body would be.
pub mod perm {
    use pingan_core::access::Permission;

    /// A permission named at the type level.
    pub trait Marker: Send + Sync + 'static {
        const PERMISSION: Permission;
    }

    macro_rules! markers {
        ($($name:ident),* $(,)?) => {
            $(
                #[derive(Debug, Clone, Copy)]
                pub struct $name;
                impl Marker for $name {
                    const PERMISSION: Permission = Permission::$name;
                }
            )*
        };
    }

    markers!(
        ViewMap,
        ViewStream,
        ManageUsers,
        ManageDevices,
        ImportGeography,
        ReadAudit,
        ReadIncidents,
        Dispatch,
        ReadPersonalData,
        QueryPlates,
        ManageWatchlist,
        ApproveWatchlist,
        HandleAlerts,
        ManageSensors,
        RunAnalytics,
        ReportGridEvents,
        HandleGridEvents,
        WritePatrolLog,
        PlanPatrols,
        ReadPatrols,
    );
}

/// A signed-in person whose role holds the permission `P`; refusals are audited.
#[derive(Debug, Clone)]
pub struct Authorized<P: perm::Marker>(pub UserCaller, pub std::marker::PhantomData<P>);

impl<P: perm::Marker> std::ops::Deref for Authorized<P> {
    type Target = UserCaller;

    fn deref(&self) -> &UserCaller {
        &self.0
    }
}

impl<P: perm::Marker> FromRequestParts<AppState> for Authorized<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = UserCaller::from_request_parts(parts, state).await?;
        caller.require(state, P::PERMISSION).await?;
        Ok(Authorized(caller, std::marker::PhantomData))
    }
}

//! Accounts, sessions and device credentials.
//!
//! Secrets are never stored: passwords as argon2id PHC strings (hashed at the server's edge),
//! session tokens and device API keys as SHA-256 of a high-entropy random value, which is enough
//! for a random 256-bit secret and lets a lookup use an index.

use crate::access::Role;
use crate::ids::{DeviceId, UserId};
use crate::time::Timestamp;
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// An account as the API shows it (no hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// For agency desks: the agency (`traffic_police`, `flood_control`, …).
    pub agency: Option<String>,
    pub disabled: bool,
    pub created_at: Timestamp,
}

/// An account with its password hash, as the store returns it to the login path only.
#[derive(Debug, Clone)]
pub struct UserWithSecret {
    pub user: User,
    pub password_hash: String,
}

/// How a session was opened: browser sessions need CSRF tokens on writes, bearer tokens do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Browser,
    Bearer,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Bearer => "bearer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "browser" => Some(Self::Browser),
            "bearer" => Some(Self::Bearer),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the token the client holds.
    pub token_hash: String,
    pub user_id: UserId,
    pub kind: SessionKind,
    /// For browser sessions: the token the page must echo in `X-CSRF-Token` on writes.
    pub csrf_token: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What a device is; it decides which ingest endpoints and topics the device may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// A road checkpoint that reads plates.
    Checkpoint,
    /// A camera (heartbeats).
    Camera,
    /// A video platform (heartbeats, camera status).
    Platform,
    /// A video recorder publishing detection events.
    Recorder,
    /// A patrol unit's GPS.
    Unit,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 5] = [
        DeviceKind::Checkpoint,
        DeviceKind::Camera,
        DeviceKind::Platform,
        DeviceKind::Recorder,
        DeviceKind::Unit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Checkpoint => "checkpoint",
            DeviceKind::Camera => "camera",
            DeviceKind::Platform => "platform",
            DeviceKind::Recorder => "recorder",
            DeviceKind::Unit => "unit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A registered field device. Its API key lets it ingest for itself and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: DeviceId,
    pub kind: DeviceKind,
    pub name: String,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub last_seen_at: Option<Timestamp>,
}

/// SHA-256 hex of a bearer secret (session token or device key).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Validates a user name: 3–32 characters of lower-case letters, digits, `.`, `_`, `-`.
pub fn check_username(name: &str) -> Result<(), ValidationError> {
    let ok = (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            "username",
            "must be 3–32 characters of a–z, 0–9, '.', '_' or '-'",
        ))
    }
}

/// Minimum password policy: long enough to resist guessing; no composition rules (NIST 800-63B).
pub fn check_password(password: &str) -> Result<(), ValidationError> {
    let n = password.chars().count();
    if n < 10 {
        Err(ValidationError::new(
            "password",
            "must be at least 10 characters",
        ))
    } else if n > 256 {
        Err(ValidationError::new(
            "password",
            "must be at most 256 characters",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(check_username("zhang.wei").is_ok());
        assert!(check_username("Zhang").is_err());
        assert!(check_username("ab").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("long enough pass").is_ok());
    }

    #[test]
    fn secret_hash_is_stable_hex() {
        assert_eq!(secret_hash("x").len(), 64);
        assert_eq!(secret_hash("x"), secret_hash("x"));
    }
}

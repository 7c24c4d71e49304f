//! Newtype identifiers, so that a user id can never be passed where a device id is expected.
//!
//! Ids are text: stable across backends, readable in logs and audit entries, and free to come
//! from outside (a checkpoint's own code, a GB/T 28181 channel id). Generated ids are random
//! hex strings made by the caller, because the core has no source of randomness.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a text identifier newtype with the usual conversions.
#[macro_export]
macro_rules! text_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

text_id!(
    /// A person's account.
    UserId
);
text_id!(
    /// A field device (checkpoint, camera platform, recorder, a unit's GPS) holding an API key.
    DeviceId
);
text_id!(
    /// A geography feature (district, town, grid, key place, road section).
    FeatureId
);

/// A request's correlation id, carried into logs and audit entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub String);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks the shape of an id taken from input: 1–64 characters of letters, digits, `-`, `_`,
/// `.` and `:`. Ids appear in URLs, MQTT topics and logs, so anything else is refused.
pub fn check_id(field: &str, id: &str) -> Result<(), crate::ValidationError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(())
    } else {
        Err(crate::ValidationError::new(
            field,
            "must be 1–64 characters of letters, digits, '-', '_', '.' or ':'",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(check_id("id", "cp-01").is_ok());
        assert!(check_id("id", "").is_err());
        assert!(check_id("id", "a/b").is_err());
        assert!(check_id("id", &"x".repeat(65)).is_err());
    }
}

//! `CommandError`: every way a use case of the command centre that the HTTP edge and MQTT share
//! can fail. The HTTP edge maps it to a problem response once (`http/mod.rs`); the MQTT handler
//! to an ack or a rejection.

use pingan_core::{StoreError, ValidationError};
use pingan_server::auth::AccessError;
use pingan_server::error::describe;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// Invalid input; each error names its field.
    #[error("{}", describe(.0))]
    Invalid(Vec<ValidationError>),
    /// A body that is not JSON at all.
    #[error("the body is not valid JSON: {detail}")]
    MalformedJson { detail: String },
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// A change that lost a race or does not apply to the record as it now stands; `current`
    /// carries the record's current state so the client can show it and retry.
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        current: serde_json::Value,
    },
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of the server itself (a task that panicked, a road network that does not build).
    #[error("{context}")]
    Internal {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

pub type CommandResult<T> = Result<T, CommandError>;

impl From<ValidationError> for CommandError {
    fn from(e: ValidationError) -> Self {
        CommandError::Invalid(vec![e])
    }
}

impl CommandError {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        CommandError::Invalid(vec![ValidationError::new(field, message)])
    }

    pub fn internal(
        context: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        CommandError::Internal {
            context,
            source: Box::new(source),
        }
    }

    /// A 409 with what the record looks like now.
    pub fn conflict(code: &'static str, detail: String, current: serde_json::Value) -> Self {
        CommandError::Conflict {
            code,
            detail,
            current,
        }
    }

    /// True for faults worth retrying (a device re-sends the message later).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            CommandError::Store(_)
                | CommandError::Internal { .. }
                | CommandError::Access(AccessError::Store(_))
        )
    }
}

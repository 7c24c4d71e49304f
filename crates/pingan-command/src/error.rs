//! `CommandError`: every way a use case of the command centre that the HTTP edge and MQTT share
//! can fail. The HTTP edge maps it to a problem response once (`http/mod.rs`); the MQTT handler
//! to an ack or a rejection.

use pingan_core::{StoreError, ValidationError};
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
    #[error(transparent)]
    Store(#[from] StoreError),
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

    /// True for faults worth retrying (a device re-sends the message later).
    pub fn is_transient(&self) -> bool {
        matches!(self, CommandError::Store(_))
    }
}

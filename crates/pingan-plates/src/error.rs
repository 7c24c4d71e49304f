//! `PlatesError`: every way a use case of the plate-read capability can fail. The HTTP edge
//! (`http/mod.rs`) maps it to a problem response once; the MQTT handler to an ack or a
//! rejection.

use pingan_core::{StoreError, ValidationError};
use pingan_server::auth::AccessError;
use pingan_server::error::describe;

#[derive(Debug, thiserror::Error)]
pub enum PlatesError {
    /// Invalid input; each error names its field (`rows[12].plate`, `query.to`).
    #[error("{}", describe(.0))]
    Invalid(Vec<ValidationError>),
    #[error("{0}")]
    Forbidden(String),
    /// Allowed, but only with a second person's approval first (windows older than the
    /// approval age).
    #[error("the window reaches reads older than {days} days: a second person must approve it")]
    ApprovalRequired { days: u64 },
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    /// The start-up load has not finished.
    #[error("plate reads are not loaded yet")]
    NotLoaded,
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(StoreError),
    /// A fault of the server itself (a task that panicked, a value that no longer parses).
    #[error("{context}")]
    Internal {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl From<StoreError> for PlatesError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => PlatesError::NotFound { what, id },
            StoreError::Duplicate { what, id } => {
                PlatesError::Conflict(format!("{what} {id} already exists"))
            }
            other => PlatesError::Store(other),
        }
    }
}

impl From<ValidationError> for PlatesError {
    fn from(e: ValidationError) -> Self {
        PlatesError::Invalid(vec![e])
    }
}

impl PlatesError {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        PlatesError::Invalid(vec![ValidationError::new(field, message)])
    }

    pub fn internal(
        context: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        PlatesError::Internal {
            context,
            source: Box::new(source),
        }
    }

    /// True for faults worth retrying (a device re-sends the message later).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            PlatesError::Store(_) | PlatesError::Internal { .. } | PlatesError::NotLoaded
        ) || matches!(self, PlatesError::Access(AccessError::Store(_)))
    }
}

pub type PlatesResult<T> = Result<T, PlatesError>;

//! `AnalyticsError`: every way an analysis can be refused or fail. The HTTP edge maps it to a
//! problem response once (`http/mod.rs`); the command line prints it.

use pingan_core::{StoreError, ValidationError};
use pingan_server::auth::AccessError;
use pingan_server::error::describe;

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// Invalid input; each error names its field (`events[3].time`, `params.bandwidth_m`).
    #[error("{}", describe(.0))]
    Invalid(Vec<ValidationError>),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// The analyses are shutting down.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of the server itself (a task that panicked, an answer that does not encode).
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AnalyticsError {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AnalyticsError::Invalid(vec![ValidationError::new(field, message)])
    }

    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        AnalyticsError::Internal(Box::new(e))
    }
}

impl From<ValidationError> for AnalyticsError {
    fn from(e: ValidationError) -> Self {
        AnalyticsError::Invalid(vec![e])
    }
}

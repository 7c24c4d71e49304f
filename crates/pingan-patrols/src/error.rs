//! `PatrolsError`: every way a use case of the patrol programme can fail. The HTTP edge maps it
//! to a problem response once (`http/mod.rs`).

use crate::domain::plan::PlanError;
use pingan_command::error::CommandError;
use pingan_core::{StoreError, ValidationError};
use pingan_server::auth::AccessError;
use pingan_server::error::describe;

#[derive(Debug, thiserror::Error)]
pub enum PatrolsError {
    /// Invalid input; each error names its field.
    #[error("{}", describe(.0))]
    Invalid(Vec<ValidationError>),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// A change that does not apply to the record as it now stands (`code` is stable, for the
    /// page to translate); `current` is the record now.
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
    /// What the command centre answered (units, positions, the road network).
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error("{context}")]
    Internal {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

pub type PatrolsResult<T> = Result<T, PatrolsError>;

impl From<ValidationError> for PatrolsError {
    fn from(e: ValidationError) -> Self {
        PatrolsError::Invalid(vec![e])
    }
}

impl From<PlanError> for PatrolsError {
    fn from(e: PlanError) -> Self {
        PatrolsError::invalid(e.field().to_owned(), e.to_string())
    }
}

impl PatrolsError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        PatrolsError::Invalid(vec![ValidationError::new(field, message)])
    }

    pub fn internal(
        context: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        PatrolsError::Internal {
            context,
            source: Box::new(source),
        }
    }

    pub fn conflict(
        code: &'static str,
        detail: impl Into<String>,
        current: serde_json::Value,
    ) -> Self {
        PatrolsError::Conflict {
            code,
            detail: detail.into(),
            current,
        }
    }
}

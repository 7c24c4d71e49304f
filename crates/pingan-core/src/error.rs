//! The core's errors: invalid input, and what a storage port may answer.

use thiserror::Error;

/// One invalid field of some input. `field` is a JSON-pointer-like path (`location.lat`,
/// `rows[3].plate`) so that a client can point at it.
#[derive(Debug, Clone, PartialEq, Eq, Error, serde::Serialize)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What a storage port can fail with, in domain terms. Backends map their driver errors here so
/// that nothing above the store sees SQL.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{what} {id} already exists")]
    Duplicate { what: &'static str, id: String },
    #[error("{what} {id} was changed concurrently: {detail}")]
    Conflict {
        what: &'static str,
        id: String,
        detail: String,
    },
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// A write tried to commit with no ledger entry (a defect: the change is not stored).
    #[error("refused to {context} without its ledger entry")]
    Unaudited { context: &'static str },
    #[error("storage backend failed while trying to {context}")]
    Backend {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    pub fn backend(
        context: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Backend {
            context,
            source: Box::new(source),
        }
    }
}

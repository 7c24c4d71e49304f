//! `VideoError`: every way a use case of the video network can fail. The HTTP edge maps it to
//! a problem response once (`http/mod.rs`); the MQTT handler to an ack or a rejection.

use pingan_core::{StoreError, ValidationError};
use pingan_server::auth::AccessError;
use pingan_server::error::describe;

#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// Invalid input; each error names its field.
    #[error("{}", describe(.0))]
    Invalid(Vec<ValidationError>),
    /// A body that is not JSON at all.
    #[error("the body is not valid JSON: {detail}")]
    MalformedJson { detail: String },
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of the server itself (a task that panicked).
    #[error("{context}")]
    Internal {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

pub type VideoResult<T> = Result<T, VideoError>;

impl From<ValidationError> for VideoError {
    fn from(e: ValidationError) -> Self {
        VideoError::Invalid(vec![e])
    }
}

impl VideoError {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        VideoError::Invalid(vec![ValidationError::new(field, message)])
    }

    pub fn internal(
        context: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        VideoError::Internal {
            context,
            source: Box::new(source),
        }
    }

    /// True for faults worth retrying (a device re-sends the message later).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            VideoError::Store(_)
                | VideoError::Internal { .. }
                | VideoError::Access(AccessError::Store(_))
        )
    }
}

//! Errors of connecting and migrating, and the mapping of driver errors to the core's.

use pingan_core::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConnectError {
    #[error("unsupported database URL {url}: use sqlite://PATH or postgres://USER@HOST/DB")]
    Scheme { url: String },
    #[error("could not connect to {url}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not apply the database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("could not listen for events on PostgreSQL")]
    Listen(#[source] sqlx::Error),
}

/// Maps a driver error: unique violations become `Duplicate`, the rest `Backend`.
pub fn map_err<'a>(
    context: &'static str,
    what: &'static str,
    id: &'a str,
) -> impl FnOnce(sqlx::Error) -> StoreError + 'a {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
            what,
            id: id.to_owned(),
        },
        _ => StoreError::backend(context, e),
    }
}

/// Maps a driver error that cannot be a duplicate.
pub fn backend(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::backend(context, e)
}

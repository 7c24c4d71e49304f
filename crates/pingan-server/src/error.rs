//! `ApiError`: every failure of the HTTP layer, mapped once to an RFC 9457 problem response.
//!
//! Each variant has a stable `code` that clients may rely on. Server faults (5xx) are logged
//! with their source chain and shown to the client only as "internal error" with the request id.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pingan_core::{StoreError, ValidationError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON: {detail}")]
    MalformedJson { detail: String },
    #[error("{}", describe(.0))]
    Invalid(Vec<ValidationError>),
    #[error("the request body is larger than the {limit}-byte limit")]
    TooLarge { limit: usize },
    #[error("the request needs Content-Type: {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("sign in first")]
    Unauthenticated,
    #[error("user name or password is wrong")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// Allowed, but only with a second person's approval first (old plate-read windows).
    #[error("{0}")]
    ApprovalRequired(String),
    #[error("the X-CSRF-Token header is missing or wrong")]
    Csrf,
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    /// A change that lost a race or does not apply to the record as it now stands: the answer
    /// carries the record's current state (`current`) so the client can show it and retry.
    #[error("{detail}")]
    Stale {
        code: &'static str,
        detail: String,
        current: serde_json::Value,
    },
    #[error("too many attempts; try again in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    #[error("the service is not ready: {0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The first invalid field, and how many more there are.
pub fn describe(errors: &[ValidationError]) -> String {
    match errors {
        [] => "invalid input".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![ValidationError::new(field, message)])
    }

    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(e))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson { .. } | ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthenticated | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::ApprovalRequired(_) | ApiError::Csrf => {
                StatusCode::FORBIDDEN
            }
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::Stale { .. } => StatusCode::CONFLICT,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson { .. } => "malformed_json",
            ApiError::Invalid(_) => "invalid_input",
            ApiError::TooLarge { .. } => "body_too_large",
            ApiError::UnsupportedMediaType { .. } => "unsupported_media_type",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::ApprovalRequired(_) => "approval_required",
            ApiError::Csrf => "csrf_failed",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Stale { code, .. } => code,
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ApiError::NotFound { what, id },
            StoreError::Duplicate { what, id } => {
                ApiError::Conflict(format!("{what} {id} already exists"))
            }
            StoreError::Conflict { what, id, detail } => {
                ApiError::Conflict(format!("{what} {id}: {detail}"))
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::Invalid(vec![e])
    }
}

/// The problem document (RFC 9457) with pingan's extension members.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:pingan:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    /// The invalid fields, for `invalid_input`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<ValidationError>,
    /// The record as it now stands, for `409` answers to a change that lost a race.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            ApiError::Internal(source) => {
                tracing::error!(error = %source, source = ?source, "request failed");
                "an internal error occurred; the request id identifies it in the server log".into()
            }
            other => other.to_string(),
        };
        let errors = match &self {
            ApiError::Invalid(errs) => errs.clone(),
            _ => Vec::new(),
        };
        let current = match &self {
            ApiError::Stale { current, .. } => Some(current.clone()),
            _ => None,
        };
        let body = Problem {
            type_: format!("urn:pingan:problem:{}", self.code()),
            title: status.canonical_reason().unwrap_or("error").to_owned(),
            status: status.as_u16(),
            detail,
            code: self.code().to_owned(),
            errors,
            current,
        };
        let mut resp = (status, axum::Json(body)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let ApiError::RateLimited { retry_after_s } = self {
            if let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

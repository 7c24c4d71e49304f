//! Extractors whose rejections are problem responses naming the field at fault.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// JSON body extractor: like `axum::Json`, but a malformed body, a wrong type or an unknown
/// field becomes a 400 problem naming the JSON path (`location.lat`), and an oversize body a 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

/// Maps a body-buffering rejection: only "too large" is the client's fault.
pub fn body_rejection(rejection: BytesRejection, limit: usize) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge { limit }
    } else {
        ApiError::MalformedJson {
            detail: rejection.body_text(),
        }
    }
}

/// Deserialises JSON, reporting the path of the first offending field.
pub fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(de) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                Err(ApiError::MalformedJson {
                    detail: inner.to_string(),
                })
            } else {
                let field = if path == "." { "body".to_owned() } else { path };
                Err(ApiError::invalid(field, strip_position(&inner.to_string())))
            }
        }
    }
}

/// serde_json appends " at line 1 column 42"; the path already says where.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let ct = ct.split(';').next().unwrap_or("").trim();
                ct == "application/json" || ct.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType {
                expected: "application/json",
            });
        }
        let limit = crate::BODY_LIMIT_BYTES;
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| body_rejection(r, limit))?;
        from_json(&bytes).map(ApiJson)
    }
}

/// Query-string extractor whose rejections are problem responses naming the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded_deserializer(query);
        match de {
            Ok(v) => Ok(ApiQuery(v)),
            Err(e) => Err(e),
        }
    }
}

fn serde_urlencoded_deserializer<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // axum's Query uses serde_urlencoded underneath; reuse it through axum's re-export so that
    // the same parsing rules apply, and turn its message into a field error.
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|_| ApiError::invalid("query", "the query string is malformed"))?,
    )
    .map(|q| q.0)
    .map_err(|rej| {
        let text = rej.body_text();
        let msg = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text)
            .to_owned();
        let field = if msg.contains("field `") {
            msg.split('`').nth(1).unwrap_or("query").to_owned()
        } else {
            // serde_urlencoded says "lat: invalid float literal" for a bad value.
            match msg.split_once(": ") {
                Some((name, _))
                    if !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    name.to_owned()
                }
                _ => "query".to_owned(),
            }
        };
        ApiError::invalid(field, msg)
    })
}

/// An optional time from a query or body field, refused with the field's name when it does not
/// parse ([`pingan_core::Timestamp::parse_field`]).
pub fn parse_time(
    field: &str,
    v: &Option<String>,
) -> crate::error::ApiResult<Option<pingan_core::Timestamp>> {
    pingan_core::Timestamp::parse_field(field, v.as_deref()).map_err(|e| ApiError::Invalid(vec![e]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Loc {
        lon: f64,
        lat: f64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        location: Loc,
    }

    fn field_of(e: ApiError) -> String {
        match e {
            ApiError::Invalid(errs) => errs[0].field.clone(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_wrong_type_names_its_path() {
        let e =
            from_json::<Body>(br#"{"name":"x","location":{"lon":1,"lat":"north"}}"#).unwrap_err();
        assert_eq!(field_of(e), "location.lat");
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let e =
            from_json::<Body>(br#"{"name":"x","location":{"lon":1,"lat":2},"x":1}"#).unwrap_err();
        assert!(matches!(e, ApiError::Invalid(_)));
    }

    #[test]
    fn broken_json_is_malformed() {
        let e = from_json::<Body>(br#"{"name":"x","#).unwrap_err();
        assert_eq!(e.code(), "malformed_json");
    }
}

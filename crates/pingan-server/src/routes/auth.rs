//! Sign-in, sign-out, and who am I.

use crate::auth::{
    hash_password, new_secret, verify_password, UserCaller, SESSION_COOKIE, USER_TOKEN_PREFIX,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::limiter::Attempt;
use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use pingan_core::access::{Permission, Role};
use pingan_core::account::{check_password, secret_hash, Session, SessionKind, User};
use pingan_core::audit::{NewAuditEntry, Outcome};
use pingan_core::event::Topic;
use pingan_core::ports::AccountStore;
use pingan_core::purpose::Purpose;
use pingan_core::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;
use std::time::Instant;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// `browser` (default): a session cookie plus a CSRF token. `bearer`: a token for API clients.
    #[serde(default)]
    pub mode: Option<LoginMode>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LoginMode {
    Browser,
    Bearer,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    #[schema(value_type = crate::schema::User)]
    pub user: User,
    #[schema(value_type = crate::schema::Timestamp)]
    pub expires_at: Timestamp,
    /// Browser sessions: send this in `X-CSRF-Token` on every write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// Bearer mode: send as `Authorization: Bearer <token>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// A hash to verify against when the user does not exist, so that a missing account takes as
/// long to refuse as a wrong password (no user enumeration by timing).
async fn dummy_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    if let Some(h) = HASH.get() {
        return h.clone();
    }
    let h = hash_password("pingan-dummy-password".into())
        .await
        .unwrap_or_default();
    HASH.get_or_init(|| h).clone()
}

/// Signs in with a user name and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    client_id: Option<Extension<crate::auth::ClientRequestId>>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let addr = peer
        .map(|c| c.0 .0.ip().to_string())
        .unwrap_or_else(|| "local".into());
    let attempt = Attempt::new(&req.username, &addr);
    let request_id = crate::auth::request_id_of(&headers, client_id.as_ref().map(|e| &e.0));
    let audit = |outcome: Outcome, role: Option<Role>, reason: &str| NewAuditEntry {
        at: state.now(),
        actor: req.username.chars().take(64).collect(),
        role,
        action: "auth.login".into(),
        object_type: "session".into(),
        object_id: None,
        purpose: None,
        reference: None,
        request_id: request_id.clone(),
        outcome,
        detail: serde_json::json!({ "address": addr, "reason": reason }),
    };
    if let Err(wait) = state.limiter.check(&attempt, Instant::now()) {
        state
            .audit_refusal(&addr, audit(Outcome::Denied, None, "rate limited"))
            .await?;
        return Err(ApiError::RateLimited {
            retry_after_s: wait,
        });
    }
    let found = state.store.user_by_username(&req.username).await?;
    let (hash, user) = match found {
        Some(u) => (u.password_hash, Some(u.user)),
        None => (dummy_hash().await, None),
    };
    let password_ok = verify_password(hash, req.password.clone()).await?;
    let user = match user {
        Some(u) if password_ok && !u.disabled => u,
        other => {
            state.limiter.record_failure(&attempt, Instant::now());
            state.metrics.logins_failed.fetch_add(1, Ordering::Relaxed);
            let reason = match other {
                None => "unknown user",
                Some(u) if u.disabled => "account disabled",
                Some(_) => "wrong password",
            };
            state
                .audit_refusal(&addr, audit(Outcome::Failed, None, reason))
                .await?;
            return Err(ApiError::BadCredentials);
        }
    };
    state.limiter.record_success(&attempt);
    let mode = req.mode.unwrap_or(LoginMode::Browser);
    let now = state.now();
    let ttl = i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX);
    let expires_at = now.plus_seconds(ttl);
    let token = new_secret(USER_TOKEN_PREFIX);
    let csrf = (mode == LoginMode::Browser).then(|| new_secret(""));
    state
        .store
        .create_session(&Session {
            token_hash: secret_hash(&token),
            user_id: user.id.clone(),
            kind: match mode {
                LoginMode::Browser => SessionKind::Browser,
                LoginMode::Bearer => SessionKind::Bearer,
            },
            csrf_token: csrf.clone(),
            created_at: now,
            expires_at,
        })
        .await?;
    state
        .audit(vec![audit(Outcome::Success, Some(user.role), "")])
        .await?;
    state.metrics.logins_ok.fetch_add(1, Ordering::Relaxed);
    let body = LoginResponse {
        user,
        expires_at,
        csrf_token: csrf,
        token: (mode == LoginMode::Bearer).then(|| token.clone()),
    };
    let mut resp = Json(body).into_response();
    if mode == LoginMode::Browser {
        let cookie = format!(
            "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={ttl}{}",
            if state.config.cookie_secure {
                "; Secure"
            } else {
                ""
            }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

/// Ends the current session.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, caller: UserCaller) -> ApiResult<Response> {
    state.store.delete_session(&caller.token_hash).await?;
    state
        .audit(vec![caller.entry(
            &state,
            "auth.logout",
            "session",
            None,
            Outcome::Success,
            serde_json::Value::Null,
        )])
        .await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    )) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[schema(value_type = crate::schema::User)]
    pub user: User,
    /// The permissions the role holds.
    pub permissions: Vec<String>,
    /// The stream topics the role receives.
    #[schema(value_type = Vec<crate::schema::Topic>)]
    pub topics: Vec<Topic>,
}

/// The signed-in person, with what their role may do.
#[utoipa::path(get, path = "/auth/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
pub async fn me(caller: UserCaller) -> Json<Me> {
    let role = caller.user.role;
    Json(Me {
        permissions: Permission::ALL
            .into_iter()
            .filter(|p| role.may(*p))
            .map(|p| p.as_str().to_owned())
            .collect(),
        topics: Topic::ALL
            .into_iter()
            .filter(|t| t.visible_to(role))
            .collect(),
        user: caller.user,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PurposeInfo {
    #[schema(value_type = crate::schema::Purpose)]
    pub code: Purpose,
    pub label_zh: String,
    pub needs_reference: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Meta {
    pub version: String,
    pub time_zone: String,
    /// True when this server runs `pingan demo` (then `GET /demo/tour` answers).
    pub demo: bool,
    #[schema(value_type = Vec<crate::schema::Role>)]
    pub roles: Vec<Role>,
    pub purposes: Vec<PurposeInfo>,
    /// Each capability's facts for the page, by key (for example `plate_approval_age_days`:
    /// plate queries reaching further back need a second person's approval;
    /// `position_stale_after_s`: a unit's last position counts as stale after that silence).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub capabilities: serde_json::Map<String, serde_json::Value>,
}

/// Reference lists the UI needs: roles, purpose codes, the district's time zone.
#[utoipa::path(get, path = "/meta", tag = "auth", responses((status = 200, body = Meta)))]
pub async fn meta(State(state): State<AppState>, _caller: UserCaller) -> Json<Meta> {
    Json(Meta {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        time_zone: state.config.time_zone.clone(),
        demo: state.config.demo_tour.is_some(),
        roles: Role::ALL.to_vec(),
        purposes: Purpose::ALL
            .into_iter()
            .map(|p| PurposeInfo {
                code: p,
                label_zh: p.label_zh().to_owned(),
                needs_reference: p.needs_reference(),
            })
            .collect(),
        capabilities: state
            .capabilities
            .iter()
            .flat_map(|c| c.meta(&state))
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    })
}

/// Checks a new password against the policy (shared by user creation and reset).
pub fn validate_password(password: &str) -> ApiResult<()> {
    check_password(password).map_err(ApiError::from)
}

/// The guided tour of a demo district: where each of the report's stories sits (incident ids,
/// cameras, plates, times in UTC microseconds) and which account to use. 404 outside the demo.
#[utoipa::path(get, path = "/demo/tour", tag = "auth", responses((status = 200, body = Object), (status = 404, body = crate::error::Problem)))]
pub async fn demo_tour(
    State(state): State<AppState>,
    _caller: UserCaller,
) -> ApiResult<Json<serde_json::Value>> {
    state
        .config
        .demo_tour
        .clone()
        .map(Json)
        .ok_or_else(|| ApiError::NotFound {
            what: "demo tour (this server is not running `pingan demo`)",
            id: "tour".into(),
        })
}

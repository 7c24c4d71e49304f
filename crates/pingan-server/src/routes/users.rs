//! Accounts (admin only).

use crate::auth::{hash_password, new_id, perm, Authorized, UserCaller};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::routes::auth::validate_password;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pingan_core::access::{Permission, Role};
use pingan_core::account::{check_username, User};
use pingan_core::audit::Outcome;
use pingan_core::ids::UserId;
use pingan_core::ports::{AccountStore, NewUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    #[schema(value_type = crate::schema::Role)]
    pub role: Role,
    /// For agency desks: the agency, e.g. `traffic_police`, `flood_control`, `fire_service`.
    #[serde(default)]
    pub agency: Option<String>,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}

/// All accounts.
#[utoipa::path(get, path = "/users", tag = "users", responses((status = 200, body = Vec<crate::schema::User>)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: UserCaller,
) -> ApiResult<Json<Vec<User>>> {
    caller.require(&state, Permission::ManageUsers).await?;
    Ok(Json(state.store.list_users().await?))
}

/// Creates an account.
#[utoipa::path(post, path = "/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = crate::schema::User), (status = 400, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageUsers>,
    ApiJson(req): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    check_username(&req.username)?;
    validate_password(&req.password)?;
    if req.display_name.trim().is_empty() || req.display_name.chars().count() > 64 {
        return Err(crate::error::ApiError::invalid(
            "display_name",
            "must be 1–64 characters",
        ));
    }
    if req.role == Role::AgencyDesk && req.agency.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(crate::error::ApiError::invalid(
            "agency",
            "an agency desk account must name its agency",
        ));
    }
    let hash = hash_password(req.password).await?;
    let entry = caller.entry(
        &state,
        "user.create",
        "user",
        Some(&req.username),
        Outcome::Success,
        serde_json::json!({ "role": req.role }),
    );
    let user = state
        .store
        .create_user(
            &NewUser {
                id: UserId(new_id("u-")),
                username: req.username,
                display_name: req.display_name.trim().to_owned(),
                role: req.role,
                agency: req.agency,
                password_hash: hash,
                created_at: state.now(),
            },
            vec![entry],
        )
        .await?;
    state.count_audit(1);
    Ok((StatusCode::CREATED, Json(user)))
}

async fn set_disabled(
    state: AppState,
    caller: UserCaller,
    username: String,
    disabled: bool,
) -> ApiResult<Json<User>> {
    caller.require(&state, Permission::ManageUsers).await?;
    if disabled && username == caller.user.username {
        // Disabling oneself could leave the installation without any admin.
        return Err(crate::error::ApiError::Conflict(
            "you cannot disable your own account".into(),
        ));
    }
    let entry = caller.entry(
        &state,
        if disabled {
            "user.disable"
        } else {
            "user.enable"
        },
        "user",
        Some(&username),
        Outcome::Success,
        serde_json::Value::Null,
    );
    let user = state
        .store
        .set_user_disabled(&username, disabled, vec![entry])
        .await?;
    state.count_audit(1);
    Ok(Json(user))
}

/// Disables an account and ends its sessions.
#[utoipa::path(post, path = "/users/{username}/disable", tag = "users",
    params(("username" = String, Path)), responses((status = 200, body = crate::schema::User), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn disable_user(
    State(state): State<AppState>,
    caller: UserCaller,
    Path(username): Path<String>,
) -> ApiResult<Json<User>> {
    set_disabled(state, caller, username, true).await
}

/// Enables an account.
#[utoipa::path(post, path = "/users/{username}/enable", tag = "users",
    params(("username" = String, Path)), responses((status = 200, body = crate::schema::User), (status = 404, body = crate::error::Problem)))]
pub async fn enable_user(
    State(state): State<AppState>,
    caller: UserCaller,
    Path(username): Path<String>,
) -> ApiResult<Json<User>> {
    set_disabled(state, caller, username, false).await
}

/// Sets a new password and ends the account's sessions.
#[utoipa::path(put, path = "/users/{username}/password", tag = "users", request_body = SetPassword,
    params(("username" = String, Path)), responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn set_password(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageUsers>,
    Path(username): Path<String>,
    ApiJson(req): ApiJson<SetPassword>,
) -> ApiResult<StatusCode> {
    validate_password(&req.password)?;
    let hash = hash_password(req.password).await?;
    let entry = caller.entry(
        &state,
        "user.password",
        "user",
        Some(&username),
        Outcome::Success,
        serde_json::Value::Null,
    );
    state
        .store
        .set_password(&username, &hash, vec![entry])
        .await?;
    state.count_audit(1);
    Ok(StatusCode::NO_CONTENT)
}

/// What an unlock did.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnlockReport {
    pub username: String,
    /// Whether the account had failed sign-ins held against it.
    pub was_locked: bool,
}

/// Clears an account's failed sign-ins (on this server), so that its owner can sign in again
/// before the window has passed.
#[utoipa::path(post, path = "/users/{username}/unlock", tag = "users",
    params(("username" = String, Path)), responses((status = 200, body = UnlockReport), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn unlock_user(
    State(state): State<AppState>,
    caller: Authorized<perm::ManageUsers>,
    Path(username): Path<String>,
) -> ApiResult<Json<UnlockReport>> {
    if state.store.user_by_username(&username).await?.is_none() {
        return Err(crate::error::ApiError::NotFound {
            what: "user",
            id: username,
        });
    }
    let was_locked = state.limiter.unlock(&username);
    state
        .audit(vec![caller.entry(
            &state,
            "user.unlock",
            "user",
            Some(&username),
            Outcome::Success,
            serde_json::json!({ "was_locked": was_locked }),
        )])
        .await?;
    Ok(Json(UnlockReport {
        username,
        was_locked,
    }))
}

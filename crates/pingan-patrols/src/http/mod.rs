//! The patrol programme over HTTP: plans (draw up, read, edit, publish, cancel), the officer's
//! side (duty, the day, positions from the phone, tactics, field logs), visits and figures.

use crate::domain::records::{LogRecord, VisitRecord};
use crate::error::PatrolsError;
use crate::service::draw::CreatePlan;
use crate::service::field::{self, AssignmentStep, MyDay, NewLog, SetTactics, StartDuty};
use crate::service::figures::{self, PatrolFigures, Period};
use crate::service::plans::{self, EditPlan, PlanView, VersionOnly};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pingan_command::service::positions::PositionOutcome;
use pingan_core::access::Permission as P;
use pingan_core::Timestamp;
use pingan_server::auth::{perm, Authorized};
use pingan_server::capability::{route as r, Access::*, RouteSpec};
use pingan_server::error::{ApiError, ApiResult};
use pingan_server::extract::{ApiJson, ApiQuery};
use pingan_server::AppState;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

impl From<PatrolsError> for ApiError {
    fn from(e: PatrolsError) -> Self {
        match e {
            PatrolsError::Invalid(v) => ApiError::Invalid(v),
            PatrolsError::NotFound { what, id } => ApiError::NotFound { what, id },
            PatrolsError::Conflict {
                code,
                detail,
                current,
            } => ApiError::Stale {
                code,
                detail,
                current,
            },
            PatrolsError::Access(a) => ApiError::from(a),
            PatrolsError::Store(s) => ApiError::from(s),
            PatrolsError::Command(c) => ApiError::from(c),
            PatrolsError::Internal { source, .. } => ApiError::Internal(source),
        }
    }
}

/// Every route of the patrol programme with the access rule it enforces.
pub const ROUTES: &[RouteSpec] = &[
    r("GET", "/api/v1/patrols/plans", Permission(P::ReadPatrols)),
    r("POST", "/api/v1/patrols/plans", Permission(P::PlanPatrols)),
    r(
        "GET",
        "/api/v1/patrols/plans/noplan",
        Permission(P::ReadPatrols),
    ),
    r(
        "PUT",
        "/api/v1/patrols/plans/noplan",
        Permission(P::PlanPatrols),
    ),
    r(
        "POST",
        "/api/v1/patrols/plans/noplan/publish",
        Permission(P::PlanPatrols),
    ),
    r(
        "POST",
        "/api/v1/patrols/plans/noplan/cancel",
        Permission(P::PlanPatrols),
    ),
    r("GET", "/api/v1/patrols/visits", Permission(P::ReadPatrols)),
    r("GET", "/api/v1/patrols/logs", Permission(P::ReadPatrols)),
    r(
        "POST",
        "/api/v1/patrols/logs",
        Permission(P::WritePatrolLog),
    ),
    r("GET", "/api/v1/patrols/figures", Permission(P::ReadPatrols)),
    r(
        "GET",
        "/api/v1/patrols/figures.csv",
        Permission(P::ReadPatrols),
    ),
    r("GET", "/api/v1/patrols/me", Permission(P::WritePatrolLog)),
    r(
        "POST",
        "/api/v1/patrols/duty",
        Permission(P::WritePatrolLog),
    ),
    r(
        "DELETE",
        "/api/v1/patrols/duty",
        Permission(P::WritePatrolLog),
    ),
    r(
        "POST",
        "/api/v1/patrols/me/position",
        Permission(P::WritePatrolLog),
    ),
    r(
        "PUT",
        "/api/v1/patrols/me/tactics",
        Permission(P::WritePatrolLog),
    ),
];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, edit_plan))
        .routes(routes!(publish_plan))
        .routes(routes!(cancel_plan))
        .routes(routes!(list_visits))
        .routes(routes!(list_logs, add_log))
        .routes(routes!(get_figures))
        .routes(routes!(figures_export))
        .routes(routes!(get_effect))
        .routes(routes!(my_day))
        .routes(routes!(start_duty, end_duty))
        .routes(routes!(my_position))
        .routes(routes!(set_tactics))
        .routes(routes!(step_assignment))
}

/// A window of time; both ends RFC 3339 or UTC microseconds.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    /// Default: a day before `to`.
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub from: Option<String>,
    /// Default: a day after now.
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub to: Option<String>,
    /// One unit only (visits and logs).
    #[serde(default)]
    pub unit: Option<String>,
    /// One plan only (visits).
    #[serde(default)]
    pub plan: Option<String>,
}

fn window(
    state: &AppState,
    from: Option<&str>,
    to: Option<&str>,
) -> ApiResult<(Timestamp, Timestamp)> {
    let to = Timestamp::parse_field("to", to)?.unwrap_or_else(|| state.now().plus_seconds(86_400));
    let from =
        Timestamp::parse_field("from", from)?.unwrap_or_else(|| to.plus_seconds(-2 * 86_400));
    if from >= to {
        return Err(ApiError::Invalid(vec![pingan_core::ValidationError::new(
            "from",
            "must be before to",
        )]));
    }
    Ok((from, to))
}

/// Plans whose shift overlaps the window.
#[utoipa::path(get, path = "/patrols/plans", tag = "patrols", params(WindowQuery),
    responses((status = 200, body = Vec<PlanView>), (status = 400, body = pingan_server::error::Problem)))]
pub async fn list_plans(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadPatrols>,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> ApiResult<Json<Vec<PlanView>>> {
    let (from, to) = window(&state, q.from.as_deref(), q.to.as_deref())?;
    Ok(Json(plans::list(&state, from, to).await?))
}

/// Draws up a draft plan for a shift: hot cells of the district's incidents at the shift's
/// hours, key places and additions; visits for each unit over the road network; its quality.
#[utoipa::path(post, path = "/patrols/plans", tag = "patrols", request_body = CreatePlan,
    responses((status = 201, body = PlanView), (status = 400, body = pingan_server::error::Problem)))]
pub async fn create_plan(
    State(state): State<AppState>,
    caller: Authorized<perm::PlanPatrols>,
    ApiJson(req): ApiJson<CreatePlan>,
) -> ApiResult<(StatusCode, Json<PlanView>)> {
    Ok((
        StatusCode::CREATED,
        Json(plans::create(&state, &caller, req).await?),
    ))
}

/// One plan.
#[utoipa::path(get, path = "/patrols/plans/{id}", tag = "patrols", params(("id" = String, Path)),
    responses((status = 200, body = PlanView), (status = 404, body = pingan_server::error::Problem)))]
pub async fn get_plan(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadPatrols>,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(plans::get(&state, &id).await?))
}

/// A supervisor's edit of a draft's routes; refused with every problem named unless feasible.
#[utoipa::path(put, path = "/patrols/plans/{id}", tag = "patrols", params(("id" = String, Path)), request_body = EditPlan,
    responses((status = 200, body = PlanView), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn edit_plan(
    State(state): State<AppState>,
    caller: Authorized<perm::PlanPatrols>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EditPlan>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(plans::edit(&state, &caller, &id, req).await?))
}

/// Publishes a draft: its visits become the units' orders.
#[utoipa::path(post, path = "/patrols/plans/{id}/publish", tag = "patrols", params(("id" = String, Path)), request_body = VersionOnly,
    responses((status = 200, body = PlanView), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn publish_plan(
    State(state): State<AppState>,
    caller: Authorized<perm::PlanPatrols>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionOnly>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(
        plans::publish(&state, &caller, &id, req.version).await?,
    ))
}

/// Cancels a plan.
#[utoipa::path(post, path = "/patrols/plans/{id}/cancel", tag = "patrols", params(("id" = String, Path)), request_body = VersionOnly,
    responses((status = 200, body = PlanView), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn cancel_plan(
    State(state): State<AppState>,
    caller: Authorized<perm::PlanPatrols>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionOnly>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(
        plans::cancel(&state, &caller, &id, req.version).await?,
    ))
}

/// Visits of published plans in the window, with what the units' GPS confirmed.
#[utoipa::path(get, path = "/patrols/visits", tag = "patrols", params(WindowQuery),
    responses((status = 200, body = Vec<VisitRecord>), (status = 400, body = pingan_server::error::Problem)))]
pub async fn list_visits(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadPatrols>,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> ApiResult<Json<Vec<VisitRecord>>> {
    let (from, to) = window(&state, q.from.as_deref(), q.to.as_deref())?;
    Ok(Json(
        field::visits(&state, q.unit.as_deref(), q.plan.as_deref(), from, to).await?,
    ))
}

/// Field logs in the window, oldest first.
#[utoipa::path(get, path = "/patrols/logs", tag = "patrols", params(WindowQuery),
    responses((status = 200, body = Vec<LogRecord>), (status = 400, body = pingan_server::error::Problem)))]
pub async fn list_logs(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadPatrols>,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> ApiResult<Json<Vec<LogRecord>>> {
    let (from, to) = window(&state, q.from.as_deref(), q.to.as_deref())?;
    Ok(Json(
        field::logs(&state, q.unit.as_deref(), from, to).await?,
    ))
}

/// Appends a field log for the officer's unit.
#[utoipa::path(post, path = "/patrols/logs", tag = "patrols", request_body = NewLog,
    responses((status = 201, body = LogRecord), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn add_log(
    State(state): State<AppState>,
    caller: Authorized<perm::WritePatrolLog>,
    ApiJson(req): ApiJson<NewLog>,
) -> ApiResult<(StatusCode, Json<LogRecord>)> {
    Ok((
        StatusCode::CREATED,
        Json(field::add_log(&state, &caller, req).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub from: Option<String>,
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub to: Option<String>,
    /// `day` (default), `week` or `month`.
    #[serde(default)]
    pub by: Option<String>,
    /// One town's id only.
    #[serde(default)]
    pub town: Option<String>,
}

async fn compute(state: &AppState, q: &FiguresQuery) -> ApiResult<PatrolFigures> {
    let (from, to) = window(state, q.from.as_deref(), q.to.as_deref())?;
    let by = q.by.as_deref().unwrap_or("day");
    let period = Period::parse(by).ok_or_else(|| {
        ApiError::Invalid(vec![pingan_core::ValidationError::new(
            "by",
            format!("{by:?} is not day, week or month"),
        )])
    })?;
    Ok(figures::figures(state, from, to, period, q.town.as_deref()).await?)
}

/// The programme's figures per period.
#[utoipa::path(get, path = "/patrols/figures", tag = "patrols", params(FiguresQuery),
    responses((status = 200, body = PatrolFigures), (status = 400, body = pingan_server::error::Problem)))]
pub async fn get_figures(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadPatrols>,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<Json<PatrolFigures>> {
    Ok(Json(compute(&state, &q).await?))
}

/// The same figures as CSV.
#[utoipa::path(get, path = "/patrols/figures.csv", tag = "patrols", params(FiguresQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = pingan_server::error::Problem)))]
pub async fn figures_export(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadPatrols>,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<Response> {
    let f = compute(&state, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"patrol-figures.csv\"",
            ),
        ],
        figures::csv(&f),
    )
        .into_response())
}

/// The officer's day: duty, unit, today's visits, the next one with its ETA, today's logs.
#[utoipa::path(get, path = "/patrols/me", tag = "patrols", responses((status = 200, body = MyDay)))]
pub async fn my_day(
    State(state): State<AppState>,
    caller: Authorized<perm::WritePatrolLog>,
) -> ApiResult<Json<MyDay>> {
    Ok(Json(field::my_day(&state, &caller).await?))
}

/// Signs the officer on to a unit for the shift.
#[utoipa::path(post, path = "/patrols/duty", tag = "patrols", request_body = StartDuty,
    responses((status = 200, body = MyDay), (status = 400, body = pingan_server::error::Problem)))]
pub async fn start_duty(
    State(state): State<AppState>,
    caller: Authorized<perm::WritePatrolLog>,
    ApiJson(req): ApiJson<StartDuty>,
) -> ApiResult<Json<MyDay>> {
    Ok(Json(field::start_duty(&state, &caller, req).await?))
}

/// Signs the officer off.
#[utoipa::path(delete, path = "/patrols/duty", tag = "patrols",
    responses((status = 200, body = MyDay), (status = 409, body = pingan_server::error::Problem)))]
pub async fn end_duty(
    State(state): State<AppState>,
    caller: Authorized<perm::WritePatrolLog>,
) -> ApiResult<Json<MyDay>> {
    Ok(Json(field::end_duty(&state, &caller).await?))
}

/// The unit's position from the officer's phone (one fix or `{"fixes": [...]}`), checked as
/// a device's fixes are.
#[utoipa::path(post, path = "/patrols/me/position", tag = "patrols",
    request_body = pingan_command::service::positions::PositionBatch,
    responses((status = 200, body = PositionOutcome), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn my_position(
    State(state): State<AppState>,
    caller: Authorized<perm::WritePatrolLog>,
    body: Bytes,
) -> ApiResult<Json<PositionOutcome>> {
    Ok(Json(field::position(&state, &caller, &body).await?))
}

/// Records the tactics used on a visit of the officer's unit.
#[utoipa::path(put, path = "/patrols/me/tactics", tag = "patrols", request_body = SetTactics,
    responses((status = 200, body = VisitRecord), (status = 400, body = pingan_server::error::Problem), (status = 404, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn set_tactics(
    State(state): State<AppState>,
    caller: Authorized<perm::WritePatrolLog>,
    ApiJson(req): ApiJson<SetTactics>,
) -> ApiResult<Json<VisitRecord>> {
    Ok(Json(field::set_tactics(&state, &caller, req).await?))
}

/// The officer moves the unit's assignment en route, on scene or cleared.
#[utoipa::path(post, path = "/patrols/me/assignment", tag = "patrols", request_body = AssignmentStep,
    responses((status = 200, body = MyDay), (status = 400, body = pingan_server::error::Problem), (status = 409, body = pingan_server::error::Problem)))]
pub async fn step_assignment(
    State(state): State<AppState>,
    caller: Authorized<perm::WritePatrolLog>,
    ApiJson(req): ApiJson<AssignmentStep>,
) -> ApiResult<Json<MyDay>> {
    Ok(Json(field::step_assignment(&state, &caller, req).await?))
}

/// Whether it worked: the residual-deterrence curve by dwell band and the difference in
/// differences between visited and unvisited planned spots, over the window (default the 30
/// days before now).
#[utoipa::path(get, path = "/patrols/effect", tag = "patrols", params(FiguresQuery),
    responses((status = 200, body = crate::service::effect::Effect), (status = 400, body = pingan_server::error::Problem)))]
pub async fn get_effect(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadPatrols>,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<Json<crate::service::effect::Effect>> {
    let to = Timestamp::parse_field("to", q.to.as_deref())?.unwrap_or_else(|| state.now());
    let from = Timestamp::parse_field("from", q.from.as_deref())?
        .unwrap_or_else(|| to.plus_seconds(-30 * 86_400));
    Ok(Json(
        crate::service::effect::effect(&state, from, to).await?,
    ))
}

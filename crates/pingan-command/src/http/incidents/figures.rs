//! Response figures over incidents: times from received to first dispatch and to first
//! arrival by priority, town and local hour; counts by type and town; CSV export.

use crate::domain::records::{figures_csv, Figures};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use pingan_server::auth::{perm, Authorized};
use pingan_server::error::ApiResult;
use pingan_server::extract::parse_time;
use pingan_server::extract::ApiQuery;
use pingan_server::AppState;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    /// Received at or after (RFC 3339 or UTC microseconds); default 30 days before `to`.
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub from: Option<String>,
    /// Received before (RFC 3339 or UTC microseconds); default now.
    #[serde(default, deserialize_with = "pingan_core::time::de::text_opt")]
    pub to: Option<String>,
}

async fn compute(state: &AppState, q: &FiguresQuery) -> ApiResult<Figures> {
    let to = parse_time("to", &q.to)?;
    let from = parse_time("from", &q.from)?;
    Ok(crate::service::incidents::figures(state, from, to).await?)
}

/// Response times (received → dispatched → on scene) by priority, town and hour, and counts
/// by type and town.
#[utoipa::path(get, path = "/incidents/figures", tag = "incidents", params(FiguresQuery),
    responses((status = 200, body = Figures), (status = 400, body = pingan_server::error::Problem)))]
pub async fn get_figures(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadIncidents>,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<Json<Figures>> {
    Ok(Json(compute(&state, &q).await?))
}

/// The same figures as CSV.
#[utoipa::path(get, path = "/incidents/figures.csv", tag = "incidents", params(FiguresQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = pingan_server::error::Problem)))]
pub async fn figures_export(
    State(state): State<AppState>,
    _caller: Authorized<perm::ReadIncidents>,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<Response> {
    let f = compute(&state, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"incident-figures.csv\"",
            ),
        ],
        figures_csv(&f),
    )
        .into_response())
}

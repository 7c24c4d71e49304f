//! The command centre over HTTP: incidents (intake, queue, edits, the lifecycle transitions and
//! dispatch, the timeline, the caller's contact behind a purpose, figures) and units (roster,
//! statuses, positions from devices, tracks, the dispatch recommendation over the road network).

pub mod incidents;
pub mod units;

use pingan_core::access::Permission as P;
use pingan_server::capability::{route as r, Access::*, RouteSpec};
use pingan_server::AppState;
use utoipa_axum::router::OpenApiRouter;

use crate::error::CommandError;
use pingan_server::error::ApiError;

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Invalid(v) => ApiError::Invalid(v),
            CommandError::MalformedJson { detail } => ApiError::MalformedJson { detail },
            CommandError::NotFound { what, id } => ApiError::NotFound { what, id },
            CommandError::Conflict {
                code,
                detail,
                current,
            } => ApiError::Stale {
                code,
                detail,
                current,
            },
            CommandError::Access(a) => ApiError::from(a),
            CommandError::Store(s) => ApiError::from(s),
            CommandError::Internal { source, .. } => ApiError::Internal(source),
        }
    }
}

/// Every route of the command centre with the access rule it enforces.
pub const ROUTES: &[RouteSpec] = &[
    r(
        "GET",
        "/api/v1/incident-types",
        Permission(P::ReadIncidents),
    ),
    r("GET", "/api/v1/incidents", Permission(P::ReadIncidents)),
    r("POST", "/api/v1/incidents", Permission(P::Dispatch)),
    r(
        "GET",
        "/api/v1/incidents/noincident",
        Permission(P::ReadIncidents),
    ),
    r(
        "PATCH",
        "/api/v1/incidents/noincident",
        Permission(P::Dispatch),
    ),
    r(
        "POST",
        "/api/v1/incidents/noincident/transitions",
        Permission(P::Dispatch),
    ),
    r(
        "POST",
        "/api/v1/incidents/noincident/timeline",
        Permission(P::Dispatch),
    ),
    r(
        "GET",
        "/api/v1/incidents/noincident/contact?purpose=incident_response&reference=INC-x",
        Permission(P::ReadPersonalData),
    ),
    r(
        "GET",
        "/api/v1/incidents/noincident/recommendations",
        Permission(P::ReadIncidents),
    ),
    r(
        "GET",
        "/api/v1/incidents/figures",
        Permission(P::ReadIncidents),
    ),
    r(
        "GET",
        "/api/v1/incidents/figures.csv",
        Permission(P::ReadIncidents),
    ),
    r("GET", "/api/v1/units", Permission(P::ViewMap)),
    r("POST", "/api/v1/units", Permission(P::Dispatch)),
    r("GET", "/api/v1/units/nounit", Permission(P::ViewMap)),
    r(
        "PUT",
        "/api/v1/units/nounit/status",
        Permission(P::Dispatch),
    ),
    r(
        "GET",
        "/api/v1/units/nounit/track",
        Permission(P::ReadIncidents),
    ),
    r("POST", "/api/v1/ingest/position", Device),
];

/// The routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(incidents::router())
        .merge(units::router())
}

//! Plate reads over HTTP: extract (caller first, so the permission check and its ledger entry
//! come before the body is read) → service → typed response. The route table lists each
//! route's access rule; [`From<PlatesError>`] is the one mapping of the capability's errors to
//! problem responses.

mod queries;
mod watch;

use crate::error::PlatesError;
use pingan_core::access::Permission as P;
use pingan_server::capability::{route as r, Access::*, RouteSpec};
use pingan_server::error::ApiError;
use pingan_server::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use queries::{ApprovalDto, Binding, EvidenceRequest, QueryRequest, INGEST_LIMIT_BYTES};
pub use watch::{AckAlert, AlertOutcome, CancelWatch, CreateWatch};

/// Every route of plate reads with the access rule it enforces.
pub const ROUTES: &[RouteSpec] = &[
    r("POST", "/api/v1/ingest/reads", Device),
    r("GET", "/api/v1/plates/checkpoints", Permission(P::ViewMap)),
    r(
        "PUT",
        "/api/v1/plates/checkpoints",
        Permission(P::ManageSensors),
    ),
    r("POST", "/api/v1/plates/query", Permission(P::QueryPlates)),
    r(
        "POST",
        "/api/v1/plates/approvals",
        Permission(P::QueryPlates),
    ),
    // Approvers see every request; QueryPlates alone would see its own (no role has only that).
    r(
        "GET",
        "/api/v1/plates/approvals",
        Permission(P::ApproveWatchlist),
    ),
    r(
        "POST",
        "/api/v1/plates/approvals/noapproval/approve",
        Permission(P::ApproveWatchlist),
    ),
    r(
        "POST",
        "/api/v1/plates/approvals/noapproval/reject",
        Permission(P::ApproveWatchlist),
    ),
    r(
        "POST",
        "/api/v1/plates/approvals/noapproval/run",
        Permission(P::QueryPlates),
    ),
    r(
        "POST",
        "/api/v1/plates/evidence",
        Permission(P::QueryPlates),
    ),
    r("GET", "/api/v1/plates/evidence", Permission(P::QueryPlates)),
    r("GET", "/api/v1/plates/transparency", SignedIn),
    r("GET", "/api/v1/watchlist", Permission(P::HandleAlerts)),
    r("POST", "/api/v1/watchlist", Permission(P::ManageWatchlist)),
    r(
        "POST",
        "/api/v1/watchlist/1/approve",
        Permission(P::ApproveWatchlist),
    ),
    r(
        "POST",
        "/api/v1/watchlist/1/cancel",
        Permission(P::ManageWatchlist),
    ),
    r("GET", "/api/v1/alerts", Permission(P::HandleAlerts)),
    r(
        "POST",
        "/api/v1/alerts/noalert/ack",
        Permission(P::HandleAlerts),
    ),
];

/// The routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(queries::ingest_reads))
        .routes(routes!(queries::list_checkpoints, queries::put_checkpoints))
        .routes(routes!(queries::query))
        .routes(routes!(queries::request_approval, queries::list_approvals))
        .routes(routes!(queries::approve_query))
        .routes(routes!(queries::reject_query))
        .routes(routes!(queries::run_approved))
        .routes(routes!(queries::add_evidence, queries::list_evidence))
        .routes(routes!(queries::transparency))
        .routes(routes!(watch::list_watch, watch::create_watch))
        .routes(routes!(watch::approve_watch))
        .routes(routes!(watch::cancel_watch))
        .routes(routes!(watch::list_alerts))
        .routes(routes!(watch::ack_alert))
}

impl From<PlatesError> for ApiError {
    fn from(e: PlatesError) -> Self {
        match e {
            PlatesError::Invalid(v) => ApiError::Invalid(v),
            PlatesError::Forbidden(reason) => ApiError::Forbidden(reason),
            e @ PlatesError::ApprovalRequired { .. } => ApiError::ApprovalRequired(e.to_string()),
            PlatesError::NotFound { what, id } => ApiError::NotFound { what, id },
            PlatesError::Conflict(reason) => ApiError::Conflict(reason),
            e @ PlatesError::NotLoaded => ApiError::Unavailable(e.to_string()),
            PlatesError::Access(a) => ApiError::from(a),
            PlatesError::Store(s) => ApiError::from(s),
            e @ PlatesError::Internal { .. } => ApiError::internal(e),
        }
    }
}

/// The handlers' result type.
type Result<T> = std::result::Result<T, ApiError>;

//! The platform's routes and those of the capabilities still inside the server, one module per
//! resource, and their route table with the permission each needs (the route × role test walks
//! it together with every capability's table, [`crate::AppState::route_table`]).

pub mod audit;
pub mod auth;
pub mod devices;
pub mod health;
pub mod users;

use crate::AppState;
use pingan_core::access::Permission;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::capability::route as r;
pub use crate::capability::{Access, RouteSpec};

use Access::*;
use Permission as P;

/// Every API route. Keep in step with [`api_router`]; the route × role test fails on a route
/// that is served but missing here, or listed but enforcing another rule.
pub const ROUTES: &[RouteSpec] = &[
    r("POST", "/api/v1/auth/login", Public),
    r("POST", "/api/v1/auth/logout", SignedIn),
    r("GET", "/api/v1/auth/me", SignedIn),
    r("GET", "/api/v1/meta", SignedIn),
    r("GET", "/api/v1/demo/tour", SignedIn),
    r("GET", "/api/v1/users", Permission(P::ManageUsers)),
    r("POST", "/api/v1/users", Permission(P::ManageUsers)),
    r(
        "POST",
        "/api/v1/users/nobody/disable",
        Permission(P::ManageUsers),
    ),
    r(
        "POST",
        "/api/v1/users/nobody/enable",
        Permission(P::ManageUsers),
    ),
    r(
        "PUT",
        "/api/v1/users/nobody/password",
        Permission(P::ManageUsers),
    ),
    r(
        "POST",
        "/api/v1/users/nobody/unlock",
        Permission(P::ManageUsers),
    ),
    r("GET", "/api/v1/devices", Permission(P::ManageDevices)),
    r("POST", "/api/v1/devices", Permission(P::ManageDevices)),
    r(
        "POST",
        "/api/v1/devices/nodevice/disable",
        Permission(P::ManageDevices),
    ),
    r(
        "POST",
        "/api/v1/devices/nodevice/enable",
        Permission(P::ManageDevices),
    ),
    r(
        "POST",
        "/api/v1/devices/nodevice/rotate-key",
        Permission(P::ManageDevices),
    ),
    r("GET", "/api/v1/audit", Permission(P::ReadAudit)),
    r("GET", "/api/v1/audit/verify", Permission(P::ReadAudit)),
    r("PUT", "/api/v1/geography", Permission(P::ImportGeography)),
    r(
        "GET",
        "/api/v1/geography/layers/town",
        Permission(P::ViewMap),
    ),
    r(
        "GET",
        "/api/v1/geography/locate?lon=118.9&lat=35.0",
        Permission(P::ViewMap),
    ),
    r("GET", "/api/v1/stream", Permission(P::ViewStream)),
    r("POST", "/api/v1/ingest/heartbeat", Device),
];

/// The API router with its OpenAPI description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::meta))
        .routes(routes!(auth::demo_tour))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::disable_user))
        .routes(routes!(users::enable_user))
        .routes(routes!(users::set_password))
        .routes(routes!(users::unlock_user))
        .routes(routes!(devices::list_devices, devices::create_device))
        .routes(routes!(devices::disable_device))
        .routes(routes!(devices::enable_device))
        .routes(routes!(devices::rotate_key))
        .routes(routes!(audit::list_audit))
        .routes(routes!(audit::verify_audit))
        .merge(crate::geography::router())
        .merge(crate::stream::router())
        .merge(crate::ingest::router())
}

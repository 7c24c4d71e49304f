//! Roles and what each may do: the single table the whole server consults.
//!
//! Every HTTP route names one [`Permission`]; the server's guard asks [`Role::may`]. The role
//! table of docs/access-and-audit.md is generated from [`permission_table_markdown`] and a test
//! keeps them identical, so documentation cannot drift from the code.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A person's role. One role per account keeps accountability simple: the audit ledger records
/// the role a person acted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the installation: accounts, devices, geography, retention. Reads no plate data.
    Admin,
    /// Command-centre operator: takes alarms, dispatches units, acknowledges alerts.
    Operator,
    /// Patrol officer: own unit's status, field logs.
    Officer,
    /// Investigator: plate queries, watch-lists, cases (with purpose and case reference).
    Investigator,
    /// Grid worker: reports events in their grid.
    GridWorker,
    /// A member of an agency desk (traffic police, flood control, fire service, …).
    AgencyDesk,
    /// Analyst: hotspots, trends, reports; aggregated data only.
    Analyst,
    /// Auditor: reads the audit ledger and transparency reports; changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Operator,
        Role::Officer,
        Role::Investigator,
        Role::GridWorker,
        Role::AgencyDesk,
        Role::Analyst,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Officer => "officer",
            Role::Investigator => "investigator",
            Role::GridWorker => "grid_worker",
            Role::AgencyDesk => "agency_desk",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
        }
    }

    /// Whether this role holds `permission`, by the table below.
    pub fn may(self, permission: Permission) -> bool {
        permission.roles().contains(&self)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = crate::ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                crate::ValidationError::new(
                    "role",
                    format!(
                        "unknown role {s:?}; expected one of {}",
                        Role::ALL.map(Role::as_str).join(", ")
                    ),
                )
            })
    }
}

/// Something a route lets a caller do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the operational map: geography layers, sensors, units and open incidents.
    ViewMap,
    /// Subscribe to the live stream (each topic is filtered further by its own permission).
    ViewStream,
    /// Create, disable and reset accounts.
    ManageUsers,
    /// Register field devices and issue their API keys.
    ManageDevices,
    /// Import or replace the geography.
    ImportGeography,
    /// Read the audit ledger.
    ReadAudit,
    /// Read incidents and the incident queue.
    ReadIncidents,
    /// Create and update incidents, dispatch units.
    Dispatch,
    /// Read personal data attached to records (a caller's contact), with a purpose.
    ReadPersonalData,
    /// Query plate reads (trajectory, co-travel, …), with a purpose and a case reference.
    QueryPlates,
    /// Create and cancel watch-list entries.
    ManageWatchlist,
    /// Approve another person's watch-list entry or query of old data.
    ApproveWatchlist,
    /// Receive and acknowledge watch-list alerts.
    HandleAlerts,
    /// Edit the camera, platform and checkpoint registry.
    ManageSensors,
    /// Run analytics (aggregates only).
    RunAnalytics,
    /// Report grid events.
    ReportGridEvents,
    /// Handle grid events routed to one's agency.
    HandleGridEvents,
    /// Write patrol field logs.
    WritePatrolLog,
    /// Draw up, edit and publish patrol plans.
    PlanPatrols,
    /// Read patrol plans, visits, field logs and the programme's figures.
    ReadPatrols,
}

use Role::*;

impl Permission {
    pub const ALL: [Permission; 20] = [
        Permission::ViewMap,
        Permission::ViewStream,
        Permission::ManageUsers,
        Permission::ManageDevices,
        Permission::ImportGeography,
        Permission::ReadAudit,
        Permission::ReadIncidents,
        Permission::Dispatch,
        Permission::ReadPersonalData,
        Permission::QueryPlates,
        Permission::ManageWatchlist,
        Permission::ApproveWatchlist,
        Permission::HandleAlerts,
        Permission::ManageSensors,
        Permission::RunAnalytics,
        Permission::ReportGridEvents,
        Permission::HandleGridEvents,
        Permission::WritePatrolLog,
        Permission::PlanPatrols,
        Permission::ReadPatrols,
    ];

    /// THE table: which roles hold each permission. Keep it the only place that says so.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Permission::ViewMap | Permission::ViewStream => &[
                Admin,
                Operator,
                Officer,
                Investigator,
                GridWorker,
                AgencyDesk,
                Analyst,
                Auditor,
            ],
            Permission::ManageUsers
            | Permission::ManageDevices
            | Permission::ImportGeography
            | Permission::ManageSensors => &[Admin],
            Permission::ReadAudit => &[Auditor],
            Permission::ReadIncidents => &[Operator, Officer, Investigator, AgencyDesk, Analyst],
            Permission::Dispatch => &[Operator],
            Permission::ReadPersonalData => &[Operator, Investigator],
            Permission::QueryPlates | Permission::ManageWatchlist => &[Investigator],
            Permission::ApproveWatchlist => &[Investigator, Operator],
            Permission::HandleAlerts => &[Operator, Investigator],
            Permission::RunAnalytics => &[Analyst, Investigator, Operator],
            Permission::ReportGridEvents => &[GridWorker, Operator],
            Permission::HandleGridEvents => &[AgencyDesk, Operator],
            Permission::WritePatrolLog => &[Officer],
            Permission::PlanPatrols => &[Operator],
            Permission::ReadPatrols => &[Operator, Officer, Analyst],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ViewMap => "view_map",
            Permission::ViewStream => "view_stream",
            Permission::ManageUsers => "manage_users",
            Permission::ManageDevices => "manage_devices",
            Permission::ImportGeography => "import_geography",
            Permission::ReadAudit => "read_audit",
            Permission::ReadIncidents => "read_incidents",
            Permission::Dispatch => "dispatch",
            Permission::ReadPersonalData => "read_personal_data",
            Permission::QueryPlates => "query_plates",
            Permission::ManageWatchlist => "manage_watchlist",
            Permission::ApproveWatchlist => "approve_watchlist",
            Permission::HandleAlerts => "handle_alerts",
            Permission::ManageSensors => "manage_sensors",
            Permission::RunAnalytics => "run_analytics",
            Permission::ReportGridEvents => "report_grid_events",
            Permission::HandleGridEvents => "handle_grid_events",
            Permission::WritePatrolLog => "write_patrol_log",
            Permission::PlanPatrols => "plan_patrols",
            Permission::ReadPatrols => "read_patrols",
        }
    }
}

/// The permission table as Markdown, for docs/access-and-audit.md (a test keeps the two equal).
pub fn permission_table_markdown() -> String {
    let mut out = String::from("| permission |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str("\n|---|");
    for _ in Role::ALL {
        out.push_str(":-:|");
    }
    out.push('\n');
    for p in Permission::ALL {
        out.push_str(&format!("| `{}` |", p.as_str()));
        for role in Role::ALL {
            out.push_str(if role.may(p) { " ✔ |" } else { "   |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn admin_cannot_read_plates_or_audit() {
        // Separation of duties: running the system does not grant access to what it records.
        assert!(!Admin.may(Permission::QueryPlates));
        assert!(!Admin.may(Permission::ReadAudit));
        assert!(Auditor.may(Permission::ReadAudit));
        assert!(!Auditor.may(Permission::Dispatch));
    }

    #[test]
    fn every_permission_has_a_holder() {
        for p in Permission::ALL {
            assert!(!p.roles().is_empty(), "{p:?}");
        }
    }
}

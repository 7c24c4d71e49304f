//! Events on the live stream: typed by topic, each topic readable by the roles holding its
//! permission. The server's hub fans them out over WebSocket; on PostgreSQL they also cross to
//! every other pingan process on the same database.

use crate::access::{Permission, Role};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Server notices: geography reloaded, retention ran.
    System,
    /// Device online/offline and registry changes.
    Devices,
    /// Incident created, updated, dispatched.
    Incidents,
    /// Unit positions and status.
    Units,
    /// Watch-list hits.
    Alerts,
    /// Camera detection events.
    Detections,
    /// Grid events and their routing.
    GridEvents,
    /// Patrol plans published or cancelled, visits confirmed.
    Patrols,
}

impl Topic {
    pub const ALL: [Topic; 8] = [
        Topic::System,
        Topic::Devices,
        Topic::Incidents,
        Topic::Units,
        Topic::Alerts,
        Topic::Detections,
        Topic::GridEvents,
        Topic::Patrols,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::System => "system",
            Topic::Devices => "devices",
            Topic::Incidents => "incidents",
            Topic::Units => "units",
            Topic::Alerts => "alerts",
            Topic::Detections => "detections",
            Topic::GridEvents => "grid_events",
            Topic::Patrols => "patrols",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The permission a subscriber needs to receive this topic.
    pub fn permission(self) -> Permission {
        match self {
            Topic::System | Topic::Devices | Topic::Units => Permission::ViewMap,
            Topic::Incidents => Permission::ReadIncidents,
            Topic::Alerts => Permission::HandleAlerts,
            // Detections describe people and vehicles (clothing, snapshots): the roles that may
            // read personal data, so the command centre sees them on its map too.
            Topic::Detections => Permission::ReadPersonalData,
            Topic::GridEvents => Permission::HandleGridEvents,
            // Where and when the patrols go: for the roles that read plans.
            Topic::Patrols => Permission::ReadPatrols,
        }
    }

    pub fn visible_to(self, role: Role) -> bool {
        role.may(self.permission())
    }
}

/// One event on the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamEvent {
    pub topic: Topic,
    /// What happened, e.g. `device.offline`, `incident.created`.
    pub kind: String,
    pub at: Timestamp,
    /// Only users in these roles receive the event, on top of the topic's permission (e.g. an
    /// alert addressed to named receivers). Empty means every role allowed by the topic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    pub data: serde_json::Value,
}

impl StreamEvent {
    pub fn new(
        topic: Topic,
        kind: impl Into<String>,
        at: Timestamp,
        data: serde_json::Value,
    ) -> Self {
        Self {
            topic,
            kind: kind.into(),
            at,
            roles: Vec::new(),
            data,
        }
    }

    pub fn visible_to(&self, role: Role) -> bool {
        self.topic.visible_to(role) && (self.roles.is_empty() || self.roles.contains(&role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_not_shown_to_analysts() {
        let e = StreamEvent::new(
            Topic::Alerts,
            "watchlist.hit",
            Timestamp(0),
            serde_json::json!({}),
        );
        assert!(!e.visible_to(Role::Analyst));
        assert!(e.visible_to(Role::Operator));
    }

    #[test]
    fn explicit_receivers_narrow_the_topic() {
        let mut e = StreamEvent::new(
            Topic::Alerts,
            "watchlist.hit",
            Timestamp(0),
            serde_json::json!({}),
        );
        e.roles = vec![Role::Investigator];
        assert!(!e.visible_to(Role::Operator));
        assert!(e.visible_to(Role::Investigator));
    }

    #[test]
    fn detections_reach_the_command_centre_but_not_analysts() {
        assert!(Topic::Detections.visible_to(Role::Operator));
        assert!(Topic::Detections.visible_to(Role::Investigator));
        assert!(!Topic::Detections.visible_to(Role::Analyst));
        assert!(!Topic::Detections.visible_to(Role::GridWorker));
    }
}

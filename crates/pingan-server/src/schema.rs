//! The OpenAPI schemas of the kernel's wire types.
//!
//! `pingan-core` knows nothing of the HTTP edge, so its types carry no schema of their own; they
//! are described here. The enums are built from the core's own lists of values (`Role::ALL`,
//! `Purpose::ALL`, …), so they cannot drift from it; the records are mirrors whose fields a unit
//! test compares with what the core's types serialise to. Handlers and capabilities name them
//! where a core type appears in a documented body or query:
//! `#[schema(value_type = pingan_server::schema::Timestamp)]`.

use pingan_core::access::{Permission, Role as CoreRole};
use pingan_core::account::DeviceKind as CoreDeviceKind;
use pingan_core::audit::Outcome as CoreOutcome;
use pingan_core::event::Topic as CoreTopic;
use pingan_core::purpose::Purpose as CorePurpose;
use std::borrow::Cow;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A string enumeration whose values come from the core.
macro_rules! core_enum {
    ($(#[$doc:meta])* $name:ident, $description:literal, $values:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($description))
                    .enum_values(Some($values))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

/// A string identifier.
macro_rules! core_id {
    ($name:ident, $description:literal) => {
        #[doc = $description]
        #[derive(Debug)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($description))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

core_enum!(
    /// A role.
    Role,
    "An account's role; it decides what the account may do.",
    CoreRole::ALL.map(CoreRole::as_str)
);
core_enum!(
    /// A stated purpose.
    Purpose,
    "Why personal or plate data is read; most purposes need a case or incident reference.",
    CorePurpose::ALL.map(CorePurpose::as_str)
);
core_enum!(
    /// How an audited action ended.
    Outcome,
    "How an audited action ended: `success`, `denied` (refused by access rules) or `failed`.",
    CoreOutcome::ALL.map(CoreOutcome::as_str)
);
core_enum!(
    /// A stream topic.
    Topic,
    "A topic of the live stream; each is readable by the roles holding its permission.",
    CoreTopic::ALL.map(CoreTopic::as_str)
);
core_enum!(
    /// A device kind.
    DeviceKind,
    "What a field device is; it decides which ingest endpoints and topics it may use.",
    CoreDeviceKind::ALL.map(CoreDeviceKind::as_str)
);
core_enum!(
    /// A permission.
    PermissionName,
    "Something a route lets a caller do.",
    Permission::ALL.map(Permission::as_str)
);

core_id!(UserId, "A person's account.");
core_id!(
    DeviceId,
    "A field device (checkpoint, camera platform, recorder, a unit's GPS)."
);
core_id!(
    FeatureId,
    "A geography feature (district, town, grid, key place, road section)."
);

/// A UTC instant.
#[derive(Debug)]
pub struct Timestamp;

impl PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .description(Some("A UTC instant in microseconds since the Unix epoch."))
            .into()
    }
}

impl ToSchema for Timestamp {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Timestamp")
    }
}

/// An account as the API shows it (no hash).
#[derive(Debug, ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// For agency desks: the agency (`traffic_police`, `flood_control`, …).
    pub agency: Option<String>,
    pub disabled: bool,
    pub created_at: Timestamp,
}

/// A registered field device. Its API key lets it ingest for itself and nothing else.
#[derive(Debug, ToSchema)]
pub struct Device {
    pub id: DeviceId,
    pub kind: DeviceKind,
    pub name: String,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub last_seen_at: Option<Timestamp>,
}

/// A ledger entry as stored: numbered and chained.
#[derive(Debug, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub role: Option<Role>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub purpose: Option<Purpose>,
    pub reference: Option<String>,
    pub request_id: Option<String>,
    pub outcome: Outcome,
    /// Parameters and result counts; `null` when the action has none.
    #[schema(value_type = Option<Object>)]
    pub detail: (),
    pub prev_hash: String,
    pub hash: String,
}

/// One event on the live stream.
#[derive(Debug, ToSchema)]
pub struct StreamEvent {
    pub topic: Topic,
    /// What happened, e.g. `device.offline`, `incident.created`.
    pub kind: String,
    pub at: Timestamp,
    /// Only users in these roles receive the event, on top of the topic's permission. Absent
    /// means every role allowed by the topic.
    #[schema(required = false)]
    pub roles: Vec<Role>,
    #[schema(value_type = Object)]
    pub data: (),
}

/// A stated purpose with its reference, as every access to personal or plate data must carry.
#[derive(Debug, ToSchema)]
pub struct StatedPurpose {
    pub purpose: Purpose,
    /// A case number or incident id (`CASE-2015-0042`, `INC-…`).
    pub reference: Option<String>,
    /// Optional free-text detail, recorded in the audit entry.
    pub detail: Option<String>,
}

/// One invalid field of some input.
#[derive(Debug, ToSchema)]
pub struct ValidationError {
    /// A JSON-pointer-like path (`location.lat`, `rows[3].plate`).
    pub field: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use pingan_core::account::{Device as CoreDevice, User as CoreUser};
    use pingan_core::audit::AuditEntry as CoreAuditEntry;
    use pingan_core::event::StreamEvent as CoreStreamEvent;
    use pingan_core::ids::{DeviceId as CoreDeviceId, UserId as CoreUserId};
    use pingan_core::purpose::StatedPurpose as CoreStatedPurpose;
    use pingan_core::{Timestamp as CoreTimestamp, ValidationError as CoreValidationError};
    use serde_json::Value;
    use std::collections::BTreeSet;

    fn properties<T: ToSchema>() -> BTreeSet<String> {
        let schema = serde_json::to_value(T::schema()).expect("schema");
        schema["properties"]
            .as_object()
            .expect("an object schema")
            .keys()
            .cloned()
            .collect()
    }

    fn keys(value: impl serde::Serialize) -> BTreeSet<String> {
        serde_json::to_value(value)
            .expect("serialises")
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn each_mirror_has_the_fields_its_core_type_serialises() {
        let at = CoreTimestamp::from_micros(1);
        let user = CoreUser {
            id: CoreUserId::new("u"),
            username: "u".into(),
            display_name: "U".into(),
            role: CoreRole::Operator,
            agency: None,
            disabled: false,
            created_at: at,
        };
        assert_eq!(keys(&user), properties::<User>());
        let device = CoreDevice {
            id: CoreDeviceId::new("d"),
            kind: CoreDeviceKind::Checkpoint,
            name: "d".into(),
            disabled: false,
            created_at: at,
            last_seen_at: None,
        };
        assert_eq!(keys(&device), properties::<Device>());
        let entry = CoreAuditEntry {
            seq: 1,
            at,
            actor: "a".into(),
            role: None,
            action: "x.y".into(),
            object_type: "x".into(),
            object_id: None,
            purpose: None,
            reference: None,
            request_id: None,
            outcome: CoreOutcome::Success,
            detail: Value::Null,
            prev_hash: String::new(),
            hash: String::new(),
        };
        assert_eq!(keys(&entry), properties::<AuditEntry>());
        let mut event = CoreStreamEvent::new(CoreTopic::System, "k", at, Value::Null);
        event.roles = vec![CoreRole::Admin];
        assert_eq!(keys(&event), properties::<StreamEvent>());
        let stated = CoreStatedPurpose {
            purpose: CorePurpose::Audit,
            reference: None,
            detail: None,
        };
        assert_eq!(keys(&stated), properties::<StatedPurpose>());
        assert_eq!(
            keys(CoreValidationError::new("f", "m")),
            properties::<ValidationError>()
        );
    }

    /// The values an enum schema lists, beside what the core serialises its `ALL` list to.
    fn listed_and_serialised<T: serde::Serialize>(
        schema: RefOr<Schema>,
        all: &[T],
    ) -> (Vec<Value>, Vec<Value>) {
        let listed = serde_json::to_value(schema).expect("schema")["enum"]
            .as_array()
            .expect("an enum")
            .clone();
        let serialised = all
            .iter()
            .map(|v| serde_json::to_value(v).expect("serialises"))
            .collect();
        (listed, serialised)
    }

    #[test]
    fn the_enums_list_what_the_core_serialises() {
        let pairs = [
            listed_and_serialised(Role::schema(), &CoreRole::ALL),
            listed_and_serialised(Purpose::schema(), &CorePurpose::ALL),
            listed_and_serialised(Topic::schema(), &CoreTopic::ALL),
            listed_and_serialised(DeviceKind::schema(), &CoreDeviceKind::ALL),
            listed_and_serialised(Outcome::schema(), &CoreOutcome::ALL),
            listed_and_serialised(PermissionName::schema(), &Permission::ALL),
        ];
        for (listed, serialised) in pairs {
            assert!(!listed.is_empty());
            assert_eq!(listed, serialised);
        }
    }
}

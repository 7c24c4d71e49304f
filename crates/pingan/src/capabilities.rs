//! The one list of capabilities this binary serves, in their declared order: a capability may
//! call only those listed before it, and only through their services (ARCHITECTURE.md). The
//! platform assembles routes, route tables, tasks, device streams and `/meta` from this list.

use crate::config::Config;
use pingan_server::capability::Capability;
use std::sync::Arc;

/// Every capability, configured from `config`.
pub fn all(config: &Config) -> Vec<Arc<dyn Capability>> {
    vec![
        Arc::new(pingan_patrols::PatrolsCapability::new(
            config.patrols_config(),
        )),
        Arc::new(pingan_analytics::AnalyticsCapability),
        Arc::new(pingan_command::CommandCapability::new(
            config.command_config(),
        )),
        Arc::new(pingan_plates::PlatesCapability::new(config.plate_config())),
        Arc::new(pingan_video::VideoCapability::new(config.health_settings())),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn no_two_capabilities_define_one_schema_name_differently() {
        use crate::config::{Config, GlobalArgs, ServeArgs};
        let config = Config::load(&GlobalArgs::default(), &ServeArgs::default()).expect("config");
        let caps = super::all(&config);
        let clashes = pingan_server::openapi::schema_clashes(&caps);
        assert!(clashes.is_empty(), "rename one of each: {clashes:#?}");
    }
}

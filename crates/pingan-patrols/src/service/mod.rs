//! The patrol programme's use cases: plans (draw up, edit, publish, cancel), the field side
//! (duty, the officer's day, positions from the officer's browser, tactics, logs), the dwell
//! that confirms visits from the units' GPS, and the figures. Each returns
//! [`crate::error::PatrolsError`]; each change writes its ledger entry in its own transaction.

pub mod draw;
pub mod dwell;
pub mod effect;
pub mod field;
pub mod figures;
pub mod plans;

use crate::domain::dwell::DwellRules;
use pingan_server::AppState;
use std::sync::{Arc, RwLock};

/// The patrol programme's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PatrolsConfig {
    /// How a visit is confirmed from GPS (the stay that makes it done, jitter, gaps).
    pub dwell: DwellRules,
    /// A unit may arrive this much before or after its planned time and still make the visit
    /// (seconds).
    pub slack_s: i64,
    /// Days of incident history a plan reads by default.
    pub history_days: u32,
    /// The least risk a key place carries when no incident happened around it.
    pub key_place_floor: f64,
    /// Radius of a key place or an added spot when none is given (metres).
    pub spot_radius_m: f64,
    /// The tactics the district's officers may use and record, in the order offered (codes of
    /// [`crate::domain::tactics::CATALOGUE`]).
    pub tactics: Vec<String>,
}

impl Default for PatrolsConfig {
    fn default() -> Self {
        Self {
            dwell: DwellRules::default(),
            slack_s: 30 * 60,
            history_days: 90,
            key_place_floor: 1.0,
            spot_radius_m: 150.0,
            tactics: crate::domain::tactics::CATALOGUE
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
        }
    }
}

/// The capability's in-memory state: its settings.
#[derive(Debug, Default)]
pub struct PatrolsState {
    config: RwLock<PatrolsConfig>,
}

impl PatrolsState {
    pub fn config(&self) -> PatrolsConfig {
        self.config
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn configure(&self, config: PatrolsConfig) {
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = config;
    }
}

/// The capability's state as installed in the app.
pub fn patrols(state: &AppState) -> Arc<PatrolsState> {
    state.parts.get::<PatrolsState>().unwrap_or_default()
}

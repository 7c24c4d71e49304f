//! The command centre's in-memory state: its settings and the road-network router built from
//! the geography in force (rebuilt lazily, off the async workers, the first time it is needed
//! after the geography is replaced: the cache remembers which geography it was built from, so
//! no hook in the import path is needed).

pub mod incidents;
pub mod positions;
pub mod units;

use crate::domain::unit::FixLimits;
use crate::error::{CommandError, CommandResult};
use pingan_server::AppState;
use pingan_spatial::geography::Geography;
use pingan_spatial::routing::{Router, RoutingOptions};
use std::sync::{Arc, Mutex, RwLock, Weak};

/// The command centre's state as installed in the app (a default one when it is not).
pub fn command(state: &AppState) -> Arc<CommandState> {
    state.parts.get::<CommandState>().unwrap_or_default()
}

/// The command centre's settings. The binary may replace the defaults with
/// [`CommandState::configure`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CommandConfig {
    /// A unit's position is stale after this much silence (seconds).
    pub position_stale_after_s: i64,
    /// Track points older than this are purged by [`crate::service::positions::purge_positions`] (seconds).
    pub position_retention_s: i64,
    /// Limits on fix times (stale / future).
    pub fix_limits: FixLimits,
    /// Checkpoints within this distance of an incident are listed with it (metres).
    pub checkpoint_radius_m: f64,
    /// A nearest road further than this is not attached to an incident's location (metres).
    pub road_snap_max_m: f64,
    /// Local time for the by-hour figures: seconds east of UTC (China: +8 h, no DST).
    pub utc_offset_s: i64,
    /// Speeds and snapping for the road network.
    pub routing: RoutingOptions,
}

impl Default for CommandConfig {
    fn default() -> Self {
        Self {
            position_stale_after_s: 120,
            position_retention_s: 90 * 86_400,
            fix_limits: FixLimits::default(),
            checkpoint_radius_m: 2_000.0,
            road_snap_max_m: 1_000.0,
            utc_offset_s: 8 * 3600,
            routing: RoutingOptions::default(),
        }
    }
}

/// The command centre's in-memory state: settings and the road-network router.
#[derive(Debug, Default)]
pub struct CommandState {
    config: RwLock<CommandConfig>,
    /// The router and the geography it was built from (weak, so a replaced geography is freed).
    router: Mutex<Option<(Weak<Geography>, Arc<Router>)>>,
}

impl CommandState {
    pub fn config(&self) -> CommandConfig {
        *self.config.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the settings; the router is rebuilt with the new routing options when next used.
    pub fn configure(&self, config: CommandConfig) {
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = config;
        *self.router.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn cached(&self, geography: &Arc<Geography>) -> Option<Arc<Router>> {
        let guard = self.router.lock().unwrap_or_else(|p| p.into_inner());
        match &*guard {
            Some((g, r)) if g.upgrade().is_some_and(|g| Arc::ptr_eq(&g, geography)) => {
                Some(r.clone())
            }
            _ => None,
        }
    }

    /// The router for the geography in force, building it if the geography changed.
    pub async fn router(&self, state: &AppState) -> CommandResult<Arc<Router>> {
        let geography = state.geography();
        if let Some(r) = self.cached(&geography) {
            return Ok(r);
        }
        let options = self.config().routing;
        let g = geography.clone();
        // Contraction takes tens to hundreds of milliseconds: keep it off the async workers.
        let router = tokio::task::spawn_blocking(move || Router::build(&g, options))
            .await
            .map_err(|e| CommandError::internal("build the road network", e))?
            .map_err(|e| CommandError::internal("build the road network", e))?;
        let router = Arc::new(router);
        *self.router.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Arc::downgrade(&geography), router.clone()));
        Ok(router)
    }
}

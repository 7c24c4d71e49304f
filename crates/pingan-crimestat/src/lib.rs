//! pingan's crime-analytics engine.
//!
//! A pure library: it takes plain slices of [`Event`]s plus typed parameters and returns
//! serde-serialisable results. It performs no I/O, reads no clock or environment and spawns no
//! threads of its own; parallel loops run on rayon's global pool, and every random choice comes
//! from a ChaCha RNG seeded by the caller, so a result is a function of its inputs.
//!
//! Modules, in the order they build on each other:
//!
//! * [`projection`]: lon/lat to local metres (transverse Mercator around the district centre).
//! * [`kde`]: kernel density on a regular metre grid (Gaussian, quartic), exact, plus top-N
//!   hotspot polygons. The Gaussian is computed separably (x and y kernel factors per event)
//!   and truncated only where a contribution is below 1e-17 of a kernel's peak.
//! * [`gistar`]: Getis-Ord Gi* on counts per square cell or H3 hexagon, analytical and
//!   permutation p-values, 90/95/99 % hot/cold classes.
//! * [`knox`]: the near-repeat Knox test in the Near Repeat Calculator's terms.
//! * [`profile`]: hour-of-day × day-of-week tables and a weekly trend with unusual-week flags.
//! * [`pai`]: the prediction accuracy index of a hotspot map against later events.
//! * [`linkage`]: serial-case linkage scores with reasons, series clusters and a calibration
//!   routine on generated data.
//!
//! What this crate deliberately does not do: read or write files, talk HTTP or SQL, cache
//! results (the API layer caches by parameters and data version), render PNGs, or convert
//! GCJ-02 coordinates. Callers project lon/lat themselves with [`projection`] before calling
//! the metric methods.

pub mod error;
pub mod event;
pub mod gistar;
pub mod grid;
pub mod kde;
pub mod knox;
pub mod linkage;
pub mod pai;
mod polygon;
pub mod profile;
pub mod projection;
mod stats;

pub use error::{AnalyticsError, Result, MAX_PERMUTATIONS};
pub use event::{Event, EventId, MICROS_PER_DAY};
pub use grid::GridSpec;

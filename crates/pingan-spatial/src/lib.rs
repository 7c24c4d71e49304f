//! pingan-spatial: the pure spatial engine of pingan.
//!
//! - [`geography`]: GeoJSON import and validation of the district's layers (district, towns,
//!   subdistricts, grids, key places, key road sections, roads), export back to GeoJSON, and point
//!   location (town, grid, nearest road) through R-trees.
//! - [`cameras`]: camera fields of view as sectors, and an index answering "which cameras can see
//!   this point" (nearest first), cameras in a bbox, in a polygon or within a radius.
//! - [`coverage`]: the share of key places (area) and key road sections (length) inside at least
//!   one view, per town and for the district; uncovered road stretches; greedy new camera sites.
//! - [`routing`]: the road graph, a contraction hierarchy over it, and the ranking of units by
//!   travel time to an incident, with a flagged straight-line fallback off the network.
//! - [`projection`]: the local equirectangular projection behind every distance in metres.
//!
//! Design: everything here is a pure function of its inputs. Indexes are built once and are
//! immutable afterwards (`Send + Sync`), so the server can share them behind an `Arc` and rebuild
//! them when the geography or the camera registry changes. Distances are planar metres in a local
//! projection centred on the data (see [`projection`]), within a fraction of a percent of the
//! great-circle distance over a district. Positions are `(lon, lat)` WGS 84 degrees throughout.
//!
//! What this crate does NOT do: no file, network or database access, no clock, no threads, no HTTP
//! types, no logging. Reading GeoJSON files, storing layers and cameras, stream links, and serving
//! any of it belong to the caller. Sight lines (buildings), one-way streets, turn costs and live
//! traffic are not modelled.

pub mod cameras;
pub mod coverage;
pub mod geography;
pub mod projection;
pub mod routing;

//! Pure parts of analytics: the request's events and filter checked into the engine's input
//! (`input`), each method's parameters and its run on the engine (`compute`, `time`), cells and
//! hexagons as GeoJSON (`geo`), and the density surface as a PNG (`png`). No I/O.

pub mod compute;
pub(crate) mod geo;
pub mod input;
pub mod png;
pub(crate) mod time;

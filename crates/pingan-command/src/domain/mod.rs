//! Pure rules and types of the command centre: the incident taxonomy and lifecycle, units and
//! their GPS fixes, the records and figures, and the store's port. No I/O, no clock.

pub mod incident;
pub mod names;
pub mod records;
pub mod requests;
pub mod unit;

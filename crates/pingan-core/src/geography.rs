//! Geography as the store keeps it: one row per feature, geometry as GeoJSON text.
//!
//! Parsing, validation and spatial queries live in `pingan-spatial`; this module is only the
//! storage shape, so that the store need not know any geometry library.

use serde::{Deserialize, Serialize};

/// One geography feature in storage form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureRow {
    pub id: String,
    /// `district`, `town`, `subdistrict`, `grid`, `key_place`, `key_road` or `road`.
    pub kind: String,
    pub name: String,
    pub name_en: Option<String>,
    pub parent: Option<String>,
    pub road_class: Option<String>,
    /// The GeoJSON geometry object as text.
    pub geometry: String,
    /// The feature's other properties as a JSON object, as text.
    pub properties: String,
}

/// Checks a WGS-84 coordinate pair from input.
pub fn check_lon_lat(field: &str, lon: f64, lat: f64) -> Result<(), crate::ValidationError> {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(crate::ValidationError::new(
            format!("{field}.lon"),
            format!("longitude {lon} is outside −180…180"),
        ));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(crate::ValidationError::new(
            format!("{field}.lat"),
            format!("latitude {lat} is outside −90…90"),
        ));
    }
    Ok(())
}

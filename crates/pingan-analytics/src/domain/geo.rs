//! GeoJSON pieces in the request's coordinates (longitude/latitude, or the caller's planar
//! metres): grid cells, H3 hexagons and hotspot rings from the metre grid of the analysis plane.

use crate::domain::input::Plane;
use h3o::CellIndex;
use pingan_crimestat::GridSpec;
use serde_json::{json, Value};
use std::str::FromStr;

/// Rounds degrees to 7 decimals (about 1 cm), which keeps the documents small.
pub fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

fn point(plane: &Plane, x: f64, y: f64) -> [f64; 2] {
    plane.output(x, y)
}

/// The square cell `(ix, iy)` as a GeoJSON Polygon (counter-clockwise, closed).
pub fn cell_polygon(g: &GridSpec, ix: usize, iy: usize, proj: &Plane) -> Value {
    let x0 = g.x0 + ix as f64 * g.cell;
    let y0 = g.y0 + iy as f64 * g.cell;
    let (x1, y1) = (x0 + g.cell, y0 + g.cell);
    let ring = [
        point(proj, x0, y0),
        point(proj, x1, y0),
        point(proj, x1, y1),
        point(proj, x0, y1),
        point(proj, x0, y0),
    ];
    json!({ "type": "Polygon", "coordinates": [ring] })
}

/// An H3 cell (hex string) as a GeoJSON Polygon; `null` geometry for an unparsable index
/// (which the engine never produces).
pub fn hex_polygon(cell: &str) -> Value {
    let Ok(c) = CellIndex::from_str(cell) else {
        return Value::Null;
    };
    let boundary = c.boundary();
    let mut ring: Vec<[f64; 2]> = boundary
        .iter()
        .map(|ll| [round7(ll.lng()), round7(ll.lat())])
        .collect();
    if let Some(first) = ring.first().copied() {
        ring.push(first);
    }
    json!({ "type": "Polygon", "coordinates": [ring] })
}

/// Polygons with rings in metres (as the engine traces hotspots) in the request's coordinates.
pub fn rings(polygons: &[Vec<Vec<[f64; 2]>>], proj: &Plane) -> Value {
    let polys: Vec<Vec<Vec<[f64; 2]>>> = polygons
        .iter()
        .map(|poly| {
            poly.iter()
                .map(|ring| ring.iter().map(|p| point(proj, p[0], p[1])).collect())
                .collect()
        })
        .collect();
    json!(polys)
}

pub fn feature_collection(features: Vec<Value>) -> Value {
    json!({ "type": "FeatureCollection", "features": features })
}

/// The conventional name of a Gi* class.
pub fn class_label(class: i8) -> &'static str {
    match class {
        3 => "hot_99",
        2 => "hot_95",
        1 => "hot_90",
        -1 => "cold_90",
        -2 => "cold_95",
        -3 => "cold_99",
        _ => "not_significant",
    }
}

//! The analyses behind the endpoints and the CLI: parameters with their defaults and checks,
//! the call into `pingan-crimestat`, and the result document (GeoJSON in the request's coordinates: lon/lat for maps, or the caller's
//! planar metres).
//!
//! Every function here is synchronous and CPU-bound; the HTTP layer runs it on the blocking
//! pool. Results are aggregates (cells, tables, weeks, scores between case ids): no personal
//! data leaves this module. Engine errors become field-named 400s ([`engine_error`]).

use super::geo::{cell_polygon, class_label, feature_collection, hex_polygon, rings};
use super::input::{format_time, Input, Plane};
use crate::error::AnalyticsError;
use pingan_crimestat::gistar::{self, ClassBasis, Contiguity, GiStarParams};
use pingan_crimestat::kde::{self, HotspotParams, KdeParams, KdeSurface, Kernel};
use pingan_crimestat::knox::{self, DistanceMetric, KnoxParams};
use pingan_crimestat::linkage::{self, LinkParams, Segmenter};
use pingan_crimestat::{pai, AnalyticsError as EngineError, EventId, GridSpec};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Most permutations the API runs in one request (the engine allows more, for batch work).
pub const MAX_PERMUTATIONS: u32 = 9_999;
/// Most square cells one grid may have in an API answer.
pub const MAX_GRID_CELLS: usize = 250_000;
/// Most hexagons one Gi* answer may have.
pub const MAX_HEX_CELLS: usize = 250_000;
/// The district's offset from UTC by default (China Standard Time, no DST).
pub const DEFAULT_UTC_OFFSET_S: i32 = 8 * 3600;

/// How the Knox band boundaries work, stated with every table.
pub const KNOX_BAND_RULE: &str = "Each pair of events is counted once. Distance band k holds pairs with (k-1)*s < d <= k*s; \
the first band is closed at 0, or same_location_m < d <= s when the same-location row is on (that row holds d <= same_location_m). \
Time bands follow the same rule in days (upper ends inclusive, compared at one-second resolution). The last row and column hold everything beyond. \
expected is the mean over the permutations of the event times; p_sim = (1 + #permutations with count >= observed) / (permutations + 1).";

/// Turns an engine refusal into a field-named 400 (or a 404 for an unknown case).
pub fn engine_error(e: EngineError, input: &Input) -> AnalyticsError {
    match e {
        EngineError::InvalidParameter {
            name,
            value,
            expected,
        } => AnalyticsError::invalid(
            param_field(name),
            format!("{value} is invalid: must be {expected}"),
        ),
        EngineError::EmptyInput => AnalyticsError::invalid("events", "no events to analyse"),
        EngineError::EmptyWindow { .. } => AnalyticsError::invalid(
            "filter",
            "no events fall inside the window or study area of this analysis",
        ),
        EngineError::TooManyPermutations { requested, max } => AnalyticsError::invalid(
            "params.permutations",
            format!("{requested} permutations requested, at most {max} allowed"),
        ),
        EngineError::GridTooLarge { cells, max } => AnalyticsError::invalid(
            "params.cell_m",
            format!("the grid would have {cells} cells, at most {max} allowed: use larger cells"),
        ),
        EngineError::NonFiniteCoordinate { index, .. } => {
            AnalyticsError::invalid(event_field(input, index), "the coordinate is not finite")
        }
        EngineError::InvalidLonLat { index, reason, .. } => {
            AnalyticsError::invalid(event_field(input, index), reason)
        }
        EngineError::UnknownCase { id } => AnalyticsError::NotFound {
            what: "case",
            id: input.id_of(EventId(id)).to_owned(),
        },
    }
}

fn event_field(input: &Input, index: usize) -> String {
    let posted = input.records.get(index).map_or(index, |r| r.index);
    format!("events[{posted}]")
}

/// The request field that carries an engine parameter.
fn param_field(name: &str) -> String {
    match name {
        "bandwidth" => "params.bandwidth_m".into(),
        "grid.cell" | "cell" | "grid.nx/ny" | "grid.x0/y0" => "params.cell_m".into(),
        "resolution" => "params.h3_resolution".into(),
        "events" | "cells" | "t_micros" => "events".into(),
        "window" => "filter".into(),
        "mask" => "params.area_share".into(),
        other => format!("params.{other}"),
    }
}

fn check_permutations(n: u32) -> Result<(), AnalyticsError> {
    if n > MAX_PERMUTATIONS {
        return Err(AnalyticsError::invalid(
            "params.permutations",
            format!("{n} permutations requested, at most {MAX_PERMUTATIONS} allowed"),
        ));
    }
    Ok(())
}

fn check_positive(field: &str, v: f64) -> Result<(), AnalyticsError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(AnalyticsError::invalid(
            field,
            format!("{v} is invalid: must be a number > 0"),
        ))
    }
}

/// A grid of `cell_m` cells around the events, with its edges on `grid_origin` (metres in the
/// analysis plane) when given, refused when it would exceed the API's bound. For lon/lat events
/// a grid origin needs the projection's `origin` too: the plane would otherwise move with the
/// data.
fn grid(
    events: &[pingan_crimestat::Event],
    cell_m: f64,
    margin_m: f64,
    input: &Input,
    origin: Option<[f64; 2]>,
    grid_origin: Option<[f64; 2]>,
) -> Result<GridSpec, AnalyticsError> {
    check_positive("params.cell_m", cell_m)?;
    let mut g = GridSpec::covering(events, cell_m, margin_m).map_err(|e| engine_error(e, input))?;
    if let Some([gx, gy]) = grid_origin {
        if !(gx.is_finite() && gy.is_finite()) {
            return Err(AnalyticsError::invalid(
                "params.grid_origin",
                "must be two finite numbers of metres [x, y]",
            ));
        }
        if !input.crs.is_planar() && origin.is_none() {
            return Err(AnalyticsError::invalid(
                "params.grid_origin",
                "lon/lat events need params.origin as well: the plane's centre would otherwise move with the data",
            ));
        }
        g = align(&g, gx, gy);
    }
    if g.len() > MAX_GRID_CELLS {
        return Err(AnalyticsError::invalid(
            "params.cell_m",
            format!(
                "the grid would have {} cells ({} x {}), at most {MAX_GRID_CELLS} allowed: use a larger cell_m or a narrower filter",
                g.len(),
                g.nx,
                g.ny
            ),
        ));
    }
    Ok(g)
}

/// The smallest grid with edges at `gx + k·cell`, `gy + k·cell` that covers `g`.
fn align(g: &GridSpec, gx: f64, gy: f64) -> GridSpec {
    let snap = |edge: f64, at: f64| at + ((edge - at) / g.cell).floor() * g.cell;
    let x0 = snap(g.x0, gx);
    let y0 = snap(g.y0, gy);
    let count = |from: f64, to: f64| (((to - from) / g.cell).ceil().max(1.0)) as usize;
    GridSpec {
        x0,
        y0,
        cell: g.cell,
        nx: count(x0, g.x0 + g.nx as f64 * g.cell),
        ny: count(y0, g.y0 + g.ny as f64 * g.cell),
    }
}

fn grid_doc(g: &GridSpec, plane: &Plane) -> Value {
    let mut doc = plane.describe();
    let round_mm = |v: f64| (v * 1e3).round() / 1e3;
    doc["cell_m"] = json!(g.cell);
    doc["nx"] = json!(g.nx);
    doc["ny"] = json!(g.ny);
    doc["cells"] = json!(g.len());
    doc["x0_m"] = json!(round_mm(g.x0));
    doc["y0_m"] = json!(round_mm(g.y0));
    doc
}

// ---------------------------------------------------------------------------------------------
// KDE

/// Parameters of kernel density (all optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KdeQuery {
    /// `gaussian` (bandwidth = standard deviation) or `quartic` (bandwidth = radius).
    pub kernel: Kernel,
    pub bandwidth_m: f64,
    pub cell_m: f64,
    /// Space around the events; default 3 bandwidths (Gaussian) or 1 bandwidth (quartic).
    pub margin_m: Option<f64>,
    /// Cells at or above this quantile form hotspots.
    pub quantile: f64,
    pub top_n: usize,
    /// Cells below this share of the peak are left out of the GeoJSON cells (0 keeps all).
    pub cell_floor: f64,
    /// Projection centre `[lon, lat]`; default the centre of the events' bounding box.
    pub origin: Option<[f64; 2]>,
    /// Put the grid's cell edges on this point `[x, y]` (metres in the analysis plane; with
    /// lon/lat events, give `origin` too) so that cells match another tool's cell by cell.
    pub grid_origin: Option<[f64; 2]>,
}

impl Default for KdeQuery {
    fn default() -> Self {
        Self {
            kernel: Kernel::Gaussian,
            bandwidth_m: 200.0,
            cell_m: 50.0,
            margin_m: None,
            quantile: 0.95,
            top_n: 10,
            cell_floor: 0.01,
            origin: None,
            grid_origin: None,
        }
    }
}

/// The density surface of `input` under `q`, with the projection used.
pub fn kde_surface(input: &Input, q: &KdeQuery) -> Result<(Plane, KdeSurface), AnalyticsError> {
    check_positive("params.bandwidth_m", q.bandwidth_m)?;
    let margin = q.margin_m.unwrap_or(match q.kernel {
        Kernel::Gaussian => 3.0 * q.bandwidth_m,
        Kernel::Quartic => q.bandwidth_m,
    });
    if !(margin.is_finite() && margin >= 0.0) {
        return Err(AnalyticsError::invalid(
            "params.margin_m",
            "must be a number >= 0",
        ));
    }
    let plane = input.plane(q.origin)?;
    let events = input.plane_events(&plane);
    let g = grid(&events, q.cell_m, margin, input, q.origin, q.grid_origin)?;
    let surface = kde::kde(
        &events,
        &KdeParams {
            kernel: q.kernel,
            bandwidth: q.bandwidth_m,
            grid: g,
        },
    )
    .map_err(|e| engine_error(e, input))?;
    Ok((plane, surface))
}

/// Density cells and the top-N hotspot polygons as GeoJSON.
pub fn kde(input: &Input, q: &KdeQuery) -> Result<Value, AnalyticsError> {
    if !(q.cell_floor.is_finite() && (0.0..1.0).contains(&q.cell_floor)) {
        return Err(AnalyticsError::invalid(
            "params.cell_floor",
            "must be in [0, 1)",
        ));
    }
    let (plane, s) = kde_surface(input, q)?;
    let hot = kde::hotspots(
        &s,
        &HotspotParams {
            quantile: q.quantile,
            top_n: q.top_n,
        },
    )
    .map_err(|e| engine_error(e, input))?;
    let per_km2 = s.n_events as f64 * 1e6;
    let g = s.grid;
    let mut cells = Vec::new();
    for iy in 0..g.ny {
        for ix in 0..g.nx {
            let v = s.values[iy * g.nx + ix];
            if v <= 0.0 || (s.max > 0.0 && v / s.max < q.cell_floor) {
                continue;
            }
            cells.push(json!({
                "type": "Feature",
                "geometry": cell_polygon(&g, ix, iy, &plane),
                "properties": {
                    "density": v,
                    "events_per_km2": v * per_km2,
                    "share_of_peak": if s.max > 0.0 { v / s.max } else { 0.0 },
                },
            }));
        }
    }
    let hotspots: Vec<Value> = hot
        .iter()
        .map(|h| {
            json!({
                "type": "Feature",
                "geometry": { "type": "MultiPolygon", "coordinates": rings(&h.polygons, &plane) },
                "properties": {
                    "rank": h.rank, "cells": h.cells, "area_m2": h.area_m2, "mass_share": h.mass_share,
                    "peak": plane.output(h.peak[0], h.peak[1]), "peak_events_per_km2": h.peak_value * per_km2,
                },
            })
        })
        .collect();
    Ok(json!({
        "kernel": s.kernel, "bandwidth_m": s.bandwidth, "n_events": s.n_events,
        "grid": grid_doc(&g, &plane),
        "density_unit": "density integrates to 1 over the plane (per m²); events_per_km2 = density × n_events × 10⁶",
        "max_density": s.max, "max_events_per_km2": s.max * per_km2,
        "cells_returned": cells.len(), "cell_floor": q.cell_floor,
        "cells": feature_collection(cells),
        "hotspot_quantile": q.quantile,
        "hotspots": feature_collection(hotspots),
    }))
}

// ---------------------------------------------------------------------------------------------
// Gi*

/// Square cells or H3 hexagons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridKind {
    #[default]
    Square,
    H3,
}

/// Neighbours on the square grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContiguityName {
    #[default]
    Queen,
    DistanceBand,
}

/// Parameters of Getis-Ord Gi* (all optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GiStarQuery {
    pub grid: GridKind,
    /// Square cell side (square grid).
    pub cell_m: f64,
    /// `queen` or `distance_band` (square grid).
    pub contiguity: ContiguityName,
    /// Band radius for `distance_band`; default 1.5 cells.
    pub radius_m: Option<f64>,
    /// H3 resolution (0–15; 9 is about 0.1 km² per hexagon).
    pub h3_resolution: u8,
    /// H3 neighbours within this many steps (1 = the six adjacent hexagons).
    pub k_ring: u32,
    pub permutations: u32,
    pub seed: u64,
    /// `analytical` (normal p, as ArcGIS) or `permutation` (min(1, 2·p_sim)).
    pub class_basis: ClassBasis,
    /// Return only the cells with a hot or cold class.
    pub only_significant: bool,
    pub origin: Option<[f64; 2]>,
    /// Cell edges on this point `[x, y]` (square grid; see [`KdeQuery::grid_origin`]).
    pub grid_origin: Option<[f64; 2]>,
}

impl Default for GiStarQuery {
    fn default() -> Self {
        Self {
            grid: GridKind::Square,
            cell_m: 250.0,
            contiguity: ContiguityName::Queen,
            radius_m: None,
            h3_resolution: 9,
            k_ring: 1,
            permutations: 999,
            seed: 0,
            class_basis: ClassBasis::Analytical,
            only_significant: false,
            origin: None,
            grid_origin: None,
        }
    }
}

/// The square grid's neighbours: queen, or a distance band of at most 20 cells.
fn contiguity(q: &GiStarQuery) -> Result<Contiguity, AnalyticsError> {
    match q.contiguity {
        ContiguityName::Queen => Ok(Contiguity::Queen),
        ContiguityName::DistanceBand => {
            let radius_m = q.radius_m.unwrap_or(1.5 * q.cell_m);
            check_positive("params.radius_m", radius_m)?;
            if radius_m > 20.0 * q.cell_m {
                return Err(AnalyticsError::invalid(
                    "params.radius_m",
                    "at most 20 cells",
                ));
            }
            Ok(Contiguity::DistanceBand { radius_m })
        }
    }
}

/// Gi* z-scores, analytical and permutation p-values and 90/95/99 % classes per cell, as GeoJSON.
pub fn gistar(input: &Input, q: &GiStarQuery) -> Result<Value, AnalyticsError> {
    check_permutations(q.permutations)?;
    let params = GiStarParams {
        permutations: q.permutations,
        seed: q.seed,
        class_basis: q.class_basis,
    };
    let result: gistar::GiStarResult;
    let geometry: Box<dyn Fn(usize) -> Value>;
    let grid_info: Value;
    let mut hex_ids: Option<Vec<String>> = None;
    match q.grid {
        GridKind::Square => {
            let plane = input.plane(q.origin)?;
            let events = input.plane_events(&plane);
            let g = grid(&events, q.cell_m, 0.0, input, q.origin, q.grid_origin)?;
            let r = gistar::gistar_grid(&events, &g, contiguity(q)?, &params)
                .map_err(|e| engine_error(e, input))?;
            grid_info = json!({ "kind": "square", "contiguity": q.contiguity, "events_outside": r.events_outside,
                "grid": grid_doc(&g, &plane) });
            result = r.result;
            geometry = Box::new(move |i| cell_polygon(&g, i % g.nx, i / g.nx, &plane));
        }
        GridKind::H3 => {
            if input.crs.is_planar() {
                return Err(AnalyticsError::invalid(
                    "params.grid",
                    "H3 hexagons need lon/lat events: use the square grid with a planar crs",
                ));
            }
            let events = input.lonlat_events();
            let r = gistar::gistar_h3(&events, q.h3_resolution, q.k_ring, &params)
                .map_err(|e| engine_error(e, input))?;
            if r.cells.len() > MAX_HEX_CELLS {
                return Err(AnalyticsError::invalid(
                    "params.h3_resolution",
                    format!(
                        "{} hexagons, at most {MAX_HEX_CELLS} allowed: use a coarser resolution",
                        r.cells.len()
                    ),
                ));
            }
            grid_info = json!({ "kind": "h3", "resolution": r.resolution, "k_ring": q.k_ring, "cells": r.cells.len() });
            result = r.result;
            let ids = r.cells.clone();
            hex_ids = Some(r.cells);
            geometry = Box::new(move |i| hex_polygon(ids.get(i).map_or("", String::as_str)));
        }
    }
    let mut classes = std::collections::BTreeMap::<&str, usize>::new();
    let mut features = Vec::new();
    for (i, c) in result.cells.iter().enumerate() {
        let label = class_label(c.class);
        *classes.entry(label).or_default() += 1;
        if q.only_significant && c.class == 0 {
            continue;
        }
        let mut props = json!({ "count": c.value, "z": c.z, "p_norm": c.p_norm, "p_sim": c.p_sim,
            "class": c.class, "label": label });
        if let Some(id) = hex_ids.as_ref().and_then(|ids| ids.get(i)) {
            props["h3"] = json!(id);
        }
        features.push(json!({ "type": "Feature", "geometry": geometry(i), "properties": props }));
    }
    Ok(json!({
        "grid": grid_info, "n_events": input.records.len(),
        "mean": result.mean, "sd": result.sd, "permutations": result.permutations, "seed": result.seed,
        "class_basis": q.class_basis,
        "classes": classes,
        "class_rule": "class ±3/±2/±1 = hot/cold at 99/95/90 %: p <= 0.01 / 0.05 / 0.10 (two-sided), sign of z",
        "cells": feature_collection(features),
    }))
}

// ---------------------------------------------------------------------------------------------
// Knox

/// Parameters of the Knox near-repeat test, in the Near Repeat Calculator's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KnoxQuery {
    pub spatial_bandwidth_m: f64,
    pub spatial_bands: u32,
    pub temporal_bandwidth_days: f64,
    pub temporal_bands: u32,
    /// `euclidean` or `manhattan`.
    pub metric: DistanceMetric,
    pub same_location: bool,
    pub same_location_m: f64,
    pub permutations: u32,
    pub seed: u64,
    /// Significance level for the risk zone.
    pub alpha: f64,
    /// Smallest observed/expected ratio for the risk zone.
    pub min_ratio: f64,
    pub origin: Option<[f64; 2]>,
}

impl Default for KnoxQuery {
    fn default() -> Self {
        let d = KnoxParams::default();
        Self {
            spatial_bandwidth_m: d.spatial_bandwidth_m,
            spatial_bands: d.spatial_bands,
            temporal_bandwidth_days: d.temporal_bandwidth_days,
            temporal_bands: d.temporal_bands,
            metric: d.metric,
            same_location: d.same_location,
            same_location_m: d.same_location_m,
            permutations: d.permutations,
            seed: d.seed,
            alpha: d.alpha,
            min_ratio: d.min_ratio,
            origin: None,
        }
    }
}

/// The observed/expected table with p-values and the risk zone.
pub fn knox(input: &Input, q: &KnoxQuery) -> Result<Value, AnalyticsError> {
    check_permutations(q.permutations)?;
    check_positive("params.spatial_bandwidth_m", q.spatial_bandwidth_m)?;
    check_positive("params.temporal_bandwidth_days", q.temporal_bandwidth_days)?;
    if input.records.len() < 2 {
        return Err(AnalyticsError::invalid(
            "events",
            "the Knox test needs at least 2 events",
        ));
    }
    let plane = input.plane(q.origin)?;
    let events = input.plane_events(&plane);
    let params = KnoxParams {
        spatial_bandwidth_m: q.spatial_bandwidth_m,
        spatial_bands: q.spatial_bands,
        temporal_bandwidth_days: q.temporal_bandwidth_days,
        temporal_bands: q.temporal_bands,
        metric: q.metric,
        same_location: q.same_location,
        same_location_m: q.same_location_m,
        permutations: q.permutations,
        seed: q.seed,
        alpha: q.alpha,
        min_ratio: q.min_ratio,
    };
    let r = knox::knox(&events, &params).map_err(|e| engine_error(e, input))?;
    let rows: Vec<Value> = r
        .spatial_bands
        .iter()
        .zip(&r.cells)
        .map(|(band, cells)| json!({ "distance": band, "cells": cells }))
        .collect();
    Ok(json!({
        "n_events": r.n_events, "total_pairs": r.total_pairs, "close_pairs": r.close_pairs,
        "spatial_bands": r.spatial_bands, "temporal_bands": r.temporal_bands,
        "table": rows,
        "risk_zone": r.risk_zone,
        "params": r.params,
        "band_rule": KNOX_BAND_RULE,
    }))
}

// Time profiles live in `time.rs` (re-exported here so that callers see one module).
pub use super::time::{profile, trend, ProfileQuery, TrendQuery};

// ---------------------------------------------------------------------------------------------
// PAI

/// Parameters of the prediction accuracy index: a KDE map of the events before `split_at`,
/// judged against the events from `split_at` (until `until`, if given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaiQuery {
    /// RFC 3339; required.
    pub split_at: Option<String>,
    /// RFC 3339; the end (exclusive) of the later period.
    pub until: Option<String>,
    pub kernel: Kernel,
    pub bandwidth_m: f64,
    pub cell_m: f64,
    /// The densest share of the study area that counts as "hotspot".
    pub area_share: f64,
    pub origin: Option<[f64; 2]>,
    /// Cell edges on this point `[x, y]` (see [`KdeQuery::grid_origin`]).
    pub grid_origin: Option<[f64; 2]>,
}

impl Default for PaiQuery {
    fn default() -> Self {
        Self {
            split_at: None,
            until: None,
            kernel: Kernel::Gaussian,
            bandwidth_m: 200.0,
            cell_m: 50.0,
            area_share: 0.05,
            origin: None,
            grid_origin: None,
        }
    }
}

/// Hit rate over area share of the earlier period's densest cells, against the later period.
pub fn pai(input: &Input, q: &PaiQuery) -> Result<Value, AnalyticsError> {
    let bad = |f: &str| {
        AnalyticsError::invalid(
            f,
            "must be an RFC 3339 time with an offset, e.g. 2026-03-01T00:00:00+08:00",
        )
    };
    let split = q.split_at.as_deref().ok_or_else(|| {
        AnalyticsError::invalid("params.split_at", "required: the start of the later period")
    })?;
    let split = super::input::parse_time(split).ok_or_else(|| bad("params.split_at"))?;
    let until = q
        .until
        .as_deref()
        .map(|u| super::input::parse_time(u).ok_or_else(|| bad("params.until")))
        .transpose()?;
    if until.is_some_and(|u| u <= split) {
        return Err(AnalyticsError::invalid(
            "params.until",
            "must be later than split_at",
        ));
    }
    check_positive("params.bandwidth_m", q.bandwidth_m)?;
    if !(q.area_share > 0.0 && q.area_share <= 1.0) {
        return Err(AnalyticsError::invalid(
            "params.area_share",
            "must be in (0, 1]",
        ));
    }
    // One projection and one grid for both periods, so that the later events are judged on the
    // same cells the map was drawn on.
    let plane = input.plane(q.origin)?;
    let all = input.plane_events(&plane);
    let (before, later): (Vec<_>, Vec<_>) = all
        .into_iter()
        .filter(|e| until.is_none_or(|u| e.t_micros < u))
        .partition(|e| e.t_micros < split);
    if before.is_empty() {
        return Err(AnalyticsError::invalid(
            "params.split_at",
            "no events before split_at to draw the map from",
        ));
    }
    if later.is_empty() {
        return Err(AnalyticsError::invalid(
            "params.split_at",
            "no events at or after split_at to judge the map against",
        ));
    }
    let margin = match q.kernel {
        Kernel::Gaussian => 3.0 * q.bandwidth_m,
        Kernel::Quartic => q.bandwidth_m,
    };
    let both: Vec<_> = before.iter().chain(&later).cloned().collect();
    let g = grid(&both, q.cell_m, margin, input, q.origin, q.grid_origin)?;
    let surface = kde::kde(
        &before,
        &KdeParams {
            kernel: q.kernel,
            bandwidth: q.bandwidth_m,
            grid: g,
        },
    )
    .map_err(|e| engine_error(e, input))?;
    let r =
        pai::pai_top_share(&surface, q.area_share, &later).map_err(|e| engine_error(e, input))?;
    Ok(json!({
        "split_at": format_time(split, DEFAULT_UTC_OFFSET_S),
        "until": until.map(|u| format_time(u, DEFAULT_UTC_OFFSET_S)),
        "events_before": before.len(), "events_later": later.len(),
        "grid": grid_doc(&g, &plane), "kernel": q.kernel, "bandwidth_m": q.bandwidth_m,
        "hits": r.hits, "events": r.events, "events_outside": r.events_outside,
        "hit_rate": r.hit_rate, "area_share": r.area_share, "pai": r.pai,
        "rule": "PAI = (hits / later events) / (flagged cells / all cells); 1 is no better than chance",
    }))
}

// ---------------------------------------------------------------------------------------------
// Linkage

/// Parameters of serial-case linkage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinkageQuery {
    /// Rank the other cases against this one (an event id); optional when `series` is on.
    pub case_id: Option<String>,
    pub top_k: usize,
    pub max_distance_m: f64,
    pub max_gap_days: f64,
    /// Smallest probability that links two cases into a series.
    pub series_threshold: f64,
    /// Also return the clusters of likely series.
    pub series: bool,
    pub origin: Option<[f64; 2]>,
}

impl Default for LinkageQuery {
    fn default() -> Self {
        let d = LinkParams::default();
        Self {
            case_id: None,
            top_k: d.top_k,
            max_distance_m: d.max_distance_m,
            max_gap_days: d.max_gap_days,
            series_threshold: d.series_threshold,
            series: true,
            origin: None,
        }
    }
}

/// The jieba segmenter, built once per process (loading the dictionary takes a fraction of a second).
fn segmenter() -> &'static Segmenter {
    static SEG: OnceLock<Segmenter> = OnceLock::new();
    SEG.get_or_init(Segmenter::new)
}

/// For a case, the others ranked by the probability of a shared offender, with reasons; and
/// clusters of likely series.
pub fn linkage(input: &Input, q: &LinkageQuery) -> Result<Value, AnalyticsError> {
    if q.case_id.is_none() && !q.series {
        return Err(AnalyticsError::invalid(
            "params.case_id",
            "give a case_id, or set series to true",
        ));
    }
    let case = match &q.case_id {
        Some(id) => Some(
            input
                .records
                .iter()
                .position(|r| &r.id == id)
                .ok_or_else(|| AnalyticsError::NotFound {
                    what: "case",
                    id: id.clone(),
                })?,
        ),
        None => None,
    };
    let plane = input.plane(q.origin)?;
    let events = input.plane_events(&plane);
    let params = LinkParams {
        top_k: q.top_k,
        max_distance_m: q.max_distance_m,
        max_gap_days: q.max_gap_days,
        series_threshold: q.series_threshold,
        ..LinkParams::default()
    };
    let prepared =
        linkage::Prepared::new(segmenter(), &events).map_err(|e| engine_error(e, input))?;
    let links = match case {
        Some(i) => {
            let ranked = linkage::rank_links(&prepared, EventId(i as u64), &params)
                .map_err(|e| engine_error(e, input))?;
            ranked
                .into_iter()
                .map(|l| {
                    json!({ "id": input.id_of(l.id), "probability": l.probability,
                        "reasons": l.reasons, "shared_terms": l.shared_terms })
                })
                .collect::<Vec<_>>()
        }
        None => Vec::new(),
    };
    let series = if q.series {
        let s = linkage::series(&prepared, &params).map_err(|e| engine_error(e, input))?;
        s.into_iter()
            .map(|s| {
                let members: Vec<&str> = s.members.iter().map(|m| input.id_of(*m)).collect();
                json!({ "members": members, "size": members.len(), "links": s.links,
                    "mean_probability": s.mean_probability })
            })
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    Ok(json!({
        "case_id": q.case_id, "n_events": input.records.len(),
        "model": params.model,
        "links": links, "series": series,
        "rule": "logistic model on ln(1+km), ln(1+days), same type and MO-text similarity (jieba terms, IDF-weighted Jaccard); \
    reasons give each feature's log-odds contribution; series are single-linkage clusters of pairs at or above series_threshold",
    }))
}

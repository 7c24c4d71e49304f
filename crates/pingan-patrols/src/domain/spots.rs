//! Where a plan may send units: the significant hot cells of the district's own incidents at
//! the shift's hours (Gi* on a square grid, as the analytics capability computes it), the key
//! places the geography marks, and a supervisor's own additions. Each spot says why it is there.

use crate::domain::plan::Spot;
use crate::domain::records::SpotWhy;
use pingan_crimestat::gistar::{gistar_grid, ClassBasis, Contiguity, GiStarParams};
use pingan_crimestat::{Event, EventId, GridSpec};
use pingan_spatial::projection::{haversine_m, LocalProjection};
use std::collections::BTreeMap;

/// An incident of the history, as the selection needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct PastIncident {
    pub lon: f64,
    pub lat: f64,
    pub at_us: i64,
    /// The incident type's code.
    pub kind: String,
}

/// How hot cells are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellChoice {
    /// Side of a cell in metres (HunchLab's boxes are 250 m).
    pub cell_m: f64,
    /// Most cells kept, hottest first.
    pub max_spots: usize,
    /// Least confidence class kept: 1, 2 or 3 for 90, 95 or 99 %.
    pub min_class: i8,
}

impl Default for CellChoice {
    fn default() -> Self {
        Self {
            cell_m: 250.0,
            max_spots: 200,
            min_class: 2,
        }
    }
}

fn top_types<'a>(kinds: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for k in kinds {
        *counts.entry(k).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().map(|(k, n)| (k.to_owned(), n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(3);
    v
}

/// The significant hot cells of `incidents`, hottest (highest z) first, as spots whose risk is
/// the cell's incident count. `area_of` names the area a spot is metered in (its grid).
/// No incidents, or too few cells for Gi*, gives no spots (not an error: key places and
/// additions may still make a plan).
pub fn hot_cells(
    incidents: &[PastIncident],
    projection: &LocalProjection,
    choice: CellChoice,
    area_of: &dyn Fn(f64, f64) -> String,
) -> Vec<(Spot, SpotWhy)> {
    let events: Vec<Event> = incidents
        .iter()
        .enumerate()
        .map(|(i, inc)| {
            let [x, y] = projection.project(inc.lon, inc.lat);
            Event {
                id: EventId(i as u64),
                x,
                y,
                t_micros: inc.at_us,
                kind: inc.kind.clone(),
                town: String::new(),
                text: String::new(),
            }
        })
        .collect();
    let Ok(grid) = GridSpec::covering(&events, choice.cell_m, choice.cell_m) else {
        return Vec::new();
    };
    let params = GiStarParams {
        permutations: 0,
        seed: 0,
        class_basis: ClassBasis::Analytical,
    };
    let Ok(result) = gistar_grid(&events, &grid, Contiguity::Queen, &params) else {
        return Vec::new();
    };
    let mut members: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for e in &events {
        if let Some(c) = grid.cell_of(e.x, e.y) {
            members.entry(c).or_default().push(&e.kind);
        }
    }
    let mut hot: Vec<(usize, f64, i8)> = result
        .result
        .cells
        .iter()
        .enumerate()
        .filter(|(i, c)| c.class >= choice.min_class && members.contains_key(i))
        .map(|(i, c)| (i, c.z, c.class))
        .collect();
    // Gi* marks a cluster and its neighbours alike (each cell's statistic sums its
    // neighbourhood): among the significant cells, the ones with the most incidents of their own
    // come first, then the higher z.
    let own = |i: usize| members.get(&i).map_or(0, Vec::len);
    hot.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then(own(b.0).cmp(&own(a.0)))
            .then(b.1.total_cmp(&a.1))
            .then(a.0.cmp(&b.0))
    });
    hot.truncate(choice.max_spots);
    hot.into_iter()
        .map(|(i, z, class)| {
            let (ix, iy) = (i % grid.nx, i / grid.nx);
            let (lon, lat) = projection.unproject([grid.cx(ix), grid.cy(iy)]);
            let kinds = members.get(&i).cloned().unwrap_or_default();
            let spot = Spot {
                key: format!("cell-{ix}-{iy}"),
                name: String::new(),
                lon,
                lat,
                // The circle through the box's corners, so the whole box counts as inside.
                radius_m: choice.cell_m * std::f64::consts::FRAC_1_SQRT_2,
                risk: kinds.len() as f64,
                area: area_of(lon, lat),
            };
            let why = SpotWhy {
                source: "hot_cell".into(),
                incidents: kinds.len(),
                z: Some(z),
                class: Some(class),
                top_types: top_types(kinds.into_iter()),
            };
            (spot, why)
        })
        .collect()
}

/// Incidents within `radius_m` of a point.
pub fn near<'a>(
    incidents: &'a [PastIncident],
    lon: f64,
    lat: f64,
    radius_m: f64,
) -> impl Iterator<Item = &'a PastIncident> + 'a {
    incidents
        .iter()
        .filter(move |i| haversine_m((lon, lat), (i.lon, i.lat)) <= radius_m)
}

/// A spot at a named point (a key place or a supervisor's addition) whose risk is the incidents
/// around it, at least `floor` (so a quiet key place still has a weight).
#[allow(clippy::too_many_arguments)]
pub fn named_spot(
    key: String,
    name: String,
    (lon, lat): (f64, f64),
    radius_m: f64,
    risk: Option<f64>,
    floor: f64,
    source: &str,
    incidents: &[PastIncident],
    area: String,
) -> (Spot, SpotWhy) {
    let around: Vec<&PastIncident> = near(incidents, lon, lat, radius_m).collect();
    let spot = Spot {
        key,
        name,
        lon,
        lat,
        radius_m,
        risk: risk.unwrap_or((around.len() as f64).max(floor)),
        area,
    };
    let why = SpotWhy {
        source: source.to_owned(),
        incidents: around.len(),
        z: None,
        class: None,
        top_types: top_types(around.iter().map(|i| i.kind.as_str())),
    };
    (spot, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn projection() -> LocalProjection {
        LocalProjection::new(120.0, 30.0)
    }

    #[test]
    fn a_cluster_is_a_hot_cell_and_its_spot_sits_on_it() {
        let p = projection();
        let mut incidents = Vec::new();
        // Background: one incident in each of many cells over 3 km.
        for i in 0..12 {
            for j in 0..12 {
                let (lon, lat) = p.unproject([f64::from(i) * 250.0, f64::from(j) * 250.0]);
                incidents.push(PastIncident {
                    lon,
                    lat,
                    at_us: 0,
                    kind: "fraud".into(),
                });
            }
        }
        // A cluster of thefts inside one cell, around (1630 m, 1610 m).
        for k in 0..30 {
            let (lon, lat) = p.unproject([1610.0 + f64::from(k % 5) * 10.0, 1610.0]);
            incidents.push(PastIncident {
                lon,
                lat,
                at_us: 0,
                kind: "theft_bicycle".into(),
            });
        }
        let spots = hot_cells(&incidents, &p, CellChoice::default(), &|_, _| "g".into());
        assert!(!spots.is_empty());
        let (top, why) = &spots[0];
        let (clon, clat) = p.unproject([1630.0, 1610.0]);
        assert!(haversine_m((top.lon, top.lat), (clon, clat)) < 250.0);
        assert_eq!(why.top_types[0].0, "theft_bicycle");
        assert!(why.class.unwrap_or(0) >= 2);
        assert!(top.risk >= 30.0);
    }

    #[test]
    fn no_incidents_no_hot_cells() {
        assert!(
            hot_cells(&[], &projection(), CellChoice::default(), &|_, _| {
                String::new()
            })
            .is_empty()
        );
    }
}

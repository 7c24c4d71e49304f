//! Travel times over the district's road network, for ranking units by how fast they can reach
//! an incident.
//!
//! [`Router::build`] turns the geography's `road` features into a graph (module `graph`: nodes where
//! roads meet or nearly meet, two-way edges timed by a speed per road class) and contracts it
//! into a hierarchy (module `ch`). [`Router::rank_units`] snaps the incident and every unit to their
//! nearest road edge, computes the exact time from the incident to every junction with one upward
//! search and one linear sweep of the hierarchy (PHAST), and returns the units by estimated time
//! of arrival; each unit then costs a snap and two look-ups. The answer is exact for the
//! model (shortest time over the graph plus the access legs), which the tests check against plain
//! Dijkstra on random networks.
//!
//! The model, deliberately simple: every road is two-way; speeds are per road class, constant;
//! the legs between a position and its snapped point on the road (both the unit's and the
//! incident's) are driven in a straight line at `access_speed_kmh`; a unit farther than
//! `off_network_m` from every road, or with no road route to the incident, gets a straight-line
//! estimate at `fallback_speed_kmh` and is flagged `off_network`. No turn costs, traffic or
//! one-way streets.

mod ch;
mod graph;

use thiserror::Error;

use crate::geography::{FeatureKind, GeoFeature, Geography, RoadClass};
use crate::projection::LocalProjection;
use ch::{Arc, Ch};
use graph::{Graph, Snap};

/// Speeds per road class, in km/h.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speeds {
    /// Arterial roads (default 50).
    pub arterial_kmh: f64,
    /// County roads (default 40).
    pub county_kmh: f64,
    /// Village roads (default 30).
    pub village_kmh: f64,
    /// Other roads (default 20).
    pub other_kmh: f64,
}

impl Default for Speeds {
    fn default() -> Self {
        Self {
            arterial_kmh: 50.0,
            county_kmh: 40.0,
            village_kmh: 30.0,
            other_kmh: 20.0,
        }
    }
}

impl Speeds {
    /// The speed of a class in km/h.
    pub fn kmh(&self, class: RoadClass) -> f64 {
        match class {
            RoadClass::Arterial => self.arterial_kmh,
            RoadClass::County => self.county_kmh,
            RoadClass::Village => self.village_kmh,
            RoadClass::Other => self.other_kmh,
        }
    }
}

/// How the network is built and how units off it are treated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoutingOptions {
    /// Speeds per road class.
    pub speeds: Speeds,
    /// Road positions closer than this (m) are one junction; a road's end this close to another
    /// road's segment joins it (default 2).
    pub snap_tolerance_m: f64,
    /// A unit farther than this (m) from every road is off the network (default 200).
    pub off_network_m: f64,
    /// Speed on the straight legs between a position and the road (default 15 km/h).
    pub access_speed_kmh: f64,
    /// Speed of the straight-line estimate for units off the network (default 30 km/h).
    pub fallback_speed_kmh: f64,
}

impl Default for RoutingOptions {
    fn default() -> Self {
        Self {
            speeds: Speeds::default(),
            snap_tolerance_m: 2.0,
            off_network_m: 200.0,
            access_speed_kmh: 15.0,
            fallback_speed_kmh: 30.0,
        }
    }
}

/// A routing option that cannot be used.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RoutingError {
    /// A speed is not a positive, finite number.
    #[error("speed {name} = {value} km/h must be a positive number")]
    Speed {
        /// Which speed.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A distance is negative or not a number.
    #[error("{name} = {value} m must be a number of metres, 0 or more")]
    Distance {
        /// Which distance.
        name: &'static str,
        /// The value given.
        value: f64,
    },
}

impl RoutingOptions {
    /// Checks every option.
    pub fn validate(&self) -> Result<(), RoutingError> {
        let s = &self.speeds;
        for (name, value) in [
            ("arterial", s.arterial_kmh),
            ("county", s.county_kmh),
            ("village", s.village_kmh),
            ("other", s.other_kmh),
            ("access_speed_kmh", self.access_speed_kmh),
            ("fallback_speed_kmh", self.fallback_speed_kmh),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(RoutingError::Speed { name, value });
            }
        }
        for (name, value) in [
            ("snap_tolerance_m", self.snap_tolerance_m),
            ("off_network_m", self.off_network_m),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(RoutingError::Distance { name, value });
            }
        }
        Ok(())
    }
}

/// One unit's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<K> {
    /// The caller's key.
    pub unit: K,
    /// Estimated travel time in seconds.
    pub eta_s: f64,
    /// Distance travelled in metres (along the roads, or straight when off the network).
    pub distance_m: f64,
    /// The estimate is a straight line: the unit is off the network or has no road route.
    pub off_network: bool,
}

/// A route's time and length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Route {
    /// Seconds.
    pub eta_s: f64,
    /// Metres.
    pub distance_m: f64,
}

/// The routing engine: the road graph and its contraction hierarchy; immutable, `Send + Sync`.
#[derive(Debug)]
pub struct Router {
    projection: LocalProjection,
    options: RoutingOptions,
    graph: Graph,
    ch: Ch,
}

/// A position tied to the network: where it snapped, and its ways onto the graph.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    xy: [f64; 2],
    snap: Option<Snap>,
}

impl Router {
    /// Builds the router from the geography's `road` features (key road sections are overlays
    /// and are not part of the network).
    pub fn build(geography: &Geography, options: RoutingOptions) -> Result<Router, RoutingError> {
        let roads: Vec<&GeoFeature> = geography.features(FeatureKind::Road).collect();
        Self::from_roads(&roads, *geography.projection(), options)
    }

    /// Builds the router from road features and a projection (as [`Router::build`] does).
    pub fn from_roads(
        roads: &[&GeoFeature],
        projection: LocalProjection,
        options: RoutingOptions,
    ) -> Result<Router, RoutingError> {
        options.validate()?;
        let lines = graph::road_lines(roads, &projection);
        let speeds = options.speeds;
        let graph = Graph::build(lines, options.snap_tolerance_m, |c| speeds.kmh(c) / 3.6);
        let ch = Ch::build(
            graph.node_xy.len(),
            graph.edges.iter().map(|e| (e.a, e.b, e.time_s, e.length_m)),
        );
        Ok(Router {
            projection,
            options,
            graph,
            ch,
        })
    }

    /// Junctions and road ends in the graph.
    pub fn node_count(&self) -> usize {
        self.graph.node_xy.len()
    }

    /// Road stretches between nodes.
    pub fn edge_count(&self) -> usize {
        self.graph.edges.len()
    }

    /// Shortcuts the hierarchy added.
    pub fn shortcut_count(&self) -> usize {
        self.ch.shortcut_count()
    }

    fn anchor(&self, lon: f64, lat: f64) -> Anchor {
        let xy = self.projection.project(lon, lat);
        Anchor {
            xy,
            snap: if xy.iter().all(|v| v.is_finite()) {
                self.graph.snap(xy)
            } else {
                None
            },
        }
    }

    /// `(node, seconds, metres)` from the position onto each end of its edge, access leg included.
    fn sources(&self, snap: &Snap) -> [(u32, f64, f64); 2] {
        let access = self.options.access_speed_kmh / 3.6;
        let e = &self.graph.edges[snap.edge as usize];
        let [(na, ta), (nb, tb)] = self.graph.entries(snap);
        let leg_t = snap.distance_m / access;
        [
            (na, leg_t + ta, snap.distance_m + snap.offset_m),
            (
                nb,
                leg_t + tb,
                snap.distance_m + (e.length_m - snap.offset_m).max(0.0),
            ),
        ]
    }

    /// The direct way between two positions snapped to the same edge, without leaving it.
    fn same_edge(&self, u: &Snap, i: &Snap) -> Option<(f64, f64)> {
        (u.edge == i.edge).then(|| {
            let along = (u.offset_m - i.offset_m).abs();
            let access = self.options.access_speed_kmh / 3.6;
            let legs = u.distance_m + i.distance_m;
            (
                along / self.graph.speed_of(u.edge) + legs / access,
                along + legs,
            )
        })
    }

    fn straight(&self, unit: [f64; 2], incident: [f64; 2]) -> (f64, f64) {
        let d = (unit[0] - incident[0]).hypot(unit[1] - incident[1]);
        (d / (self.options.fallback_speed_kmh / 3.6), d)
    }

    fn finish<K: Clone>(&self, mut out: Vec<(usize, Ranked<K>)>) -> Vec<Ranked<K>> {
        out.sort_by(|a, b| a.1.eta_s.total_cmp(&b.1.eta_s).then(a.0.cmp(&b.0)));
        out.into_iter().map(|(_, r)| r).collect()
    }

    /// The units ranked by estimated time to reach the incident at `(lon, lat)`, fastest first
    /// (ties in input order). Units with non-finite positions are ranked last, off the network,
    /// with infinite time.
    pub fn rank_units<K: Clone>(
        &self,
        incident: (f64, f64),
        units: &[(K, f64, f64)],
    ) -> Vec<Ranked<K>> {
        let inc = self.anchor(incident.0, incident.1);
        let from_incident = inc.snap.map(|s| self.ch.distances_from(&self.sources(&s)));
        let out = units
            .iter()
            .enumerate()
            .map(|(i, (key, lon, lat))| {
                let u = self.anchor(*lon, *lat);
                let road = self.on_network(&u, &inc).and_then(|(us, is)| {
                    let (time, len) = from_incident.as_ref()?;
                    best(via(&self.sources(&us), time, len), self.same_edge(&us, &is))
                });
                (i, self.ranked(key, &u, &inc, road))
            })
            .collect();
        self.finish(out)
    }

    /// The same ranking by plain Dijkstra over the graph without the hierarchy: slower, and the
    /// reference the hierarchy is tested against.
    pub fn rank_units_dijkstra<K: Clone>(
        &self,
        incident: (f64, f64),
        units: &[(K, f64, f64)],
    ) -> Vec<Ranked<K>> {
        let inc = self.anchor(incident.0, incident.1);
        let mut adj: Vec<Vec<Arc>> = vec![Vec::new(); self.node_count()];
        for e in &self.graph.edges {
            adj[e.a as usize].push(Arc {
                to: e.b,
                time: e.time_s,
                len: e.length_m,
            });
            adj[e.b as usize].push(Arc {
                to: e.a,
                time: e.time_s,
                len: e.length_m,
            });
        }
        let from_incident = inc.snap.map(|s| ch::dijkstra(&adj, &self.sources(&s)));
        let out = units
            .iter()
            .enumerate()
            .map(|(i, (key, lon, lat))| {
                let u = self.anchor(*lon, *lat);
                let road = self.on_network(&u, &inc).and_then(|(us, is)| {
                    let d = from_incident.as_ref()?;
                    best(
                        via(&self.sources(&us), &d.time, &d.len),
                        self.same_edge(&us, &is),
                    )
                });
                (i, self.ranked(key, &u, &inc, road))
            })
            .collect();
        self.finish(out)
    }

    /// The fastest way between two positions (road or straight-line fallback), as a unit would go.
    pub fn route(&self, from: (f64, f64), to: (f64, f64)) -> Option<Route> {
        self.rank_units(to, &[((), from.0, from.1)])
            .first()
            .filter(|r| r.eta_s.is_finite())
            .map(|r| Route {
                eta_s: r.eta_s,
                distance_m: r.distance_m,
            })
    }

    /// Both snaps when the unit may use the network: the unit within `off_network_m` of a road.
    fn on_network(&self, u: &Anchor, inc: &Anchor) -> Option<(Snap, Snap)> {
        let us = u
            .snap
            .filter(|s| s.distance_m <= self.options.off_network_m)?;
        Some((us, inc.snap?))
    }

    fn ranked<K: Clone>(
        &self,
        key: &K,
        u: &Anchor,
        inc: &Anchor,
        road: Option<(f64, f64)>,
    ) -> Ranked<K> {
        match road {
            Some((eta_s, distance_m)) => Ranked {
                unit: key.clone(),
                eta_s,
                distance_m,
                off_network: false,
            },
            None => {
                let (eta_s, distance_m) = self.straight(u.xy, inc.xy);
                let (eta_s, distance_m) = if eta_s.is_finite() {
                    (eta_s, distance_m)
                } else {
                    (f64::INFINITY, f64::INFINITY)
                };
                Ranked {
                    unit: key.clone(),
                    eta_s,
                    distance_m,
                    off_network: true,
                }
            }
        }
    }
}

/// The best way from a unit's entries onto the network, given the times from the incident.
fn via(sources: &[(u32, f64, f64)], time: &[f64], len: &[f64]) -> Option<(f64, f64)> {
    sources
        .iter()
        .filter(|(n, _, _)| time[*n as usize].is_finite())
        .map(|&(n, t, l)| (t + time[n as usize], l + len[n as usize]))
        .min_by(|a, b| a.0.total_cmp(&b.0))
}

fn best(a: Option<(f64, f64)>, b: Option<(f64, f64)>) -> Option<(f64, f64)> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.0 < x.0 { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests;

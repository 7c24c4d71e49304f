//! Camera fields of view and the index that answers "which cameras can see this point".
//!
//! A view is a circular sector: from the camera's position, `heading ± fov/2` (compass degrees,
//! 0 = north, clockwise), out to `range_m`. PTZ cameras, which can turn, see the full circle of
//! their range. Views are indexed in an R-tree by their exact bounding boxes (in degrees); a query
//! takes the candidate boxes that contain the point and then tests the sector analytically
//! (distance and bearing in a projection centred on the camera), so the answer does not depend on
//! how finely the polygon of [`Camera::view_polygon`] approximates the arc.
//!
//! Sight lines are not modelled: buildings, trees and mounting height do not block or extend a
//! view. The index stores only what geometry needs; stream links and status stay with the caller,
//! keyed by the generic `K`.

use geo::{Contains, Coord, LineString, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use thiserror::Error;

use crate::projection::LocalProjection;

/// The largest step between two vertices of a view polygon's arc, in degrees.
const ARC_STEP_DEG: f64 = 5.0;

/// One camera's position and field of view.
#[derive(Debug, Clone, PartialEq)]
pub struct Camera<K> {
    /// The caller's key (a camera id).
    pub key: K,
    /// Longitude in degrees.
    pub lon: f64,
    /// Latitude in degrees.
    pub lat: f64,
    /// Compass direction of the view's axis in degrees, 0 = north, 90 = east; 0 to 360 inclusive.
    pub heading_deg: f64,
    /// Opening angle in degrees, strictly between 0 and 360. Ignored for PTZ cameras.
    pub fov_deg: f64,
    /// How far the camera sees usefully, in metres; greater than 0.
    pub range_m: f64,
    /// A PTZ camera sees the full circle of its range.
    pub ptz: bool,
}

/// What is wrong with one camera's geometry.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CameraProblem {
    /// The position is not a finite lon/lat within range.
    #[error("position ({lon}, {lat}) is out of range (lon -180..180, lat -90..90)")]
    Position {
        /// The longitude given.
        lon: f64,
        /// The latitude given.
        lat: f64,
    },
    /// The heading is not within 0–360.
    #[error("heading {0} is outside 0–360 degrees")]
    Heading(f64),
    /// The field of view is not strictly between 0 and 360 on a fixed camera.
    #[error("field of view {0} must be greater than 0 and less than 360 degrees (use ptz for a full circle)")]
    FieldOfView(f64),
    /// The range is not a positive number of metres.
    #[error("range {0} m must be greater than 0")]
    Range(f64),
}

/// A camera rejected when building an index: its position in the input and its problem.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("camera {index}: {problem}")]
pub struct CameraError {
    /// The camera's 0-based position in the input.
    pub index: usize,
    /// What is wrong.
    #[source]
    pub problem: CameraProblem,
}

impl<K> Camera<K> {
    /// Every problem with this camera's geometry (empty when valid).
    pub fn problems(&self) -> Vec<CameraProblem> {
        let mut out = Vec::new();
        let lon_ok = self.lon.is_finite() && (-180.0..=180.0).contains(&self.lon);
        let lat_ok = self.lat.is_finite() && (-90.0..=90.0).contains(&self.lat);
        if !(lon_ok && lat_ok) {
            out.push(CameraProblem::Position {
                lon: self.lon,
                lat: self.lat,
            });
        }
        if !(self.heading_deg.is_finite() && (0.0..=360.0).contains(&self.heading_deg)) {
            out.push(CameraProblem::Heading(self.heading_deg));
        }
        let fov_ok = self.fov_deg.is_finite() && self.fov_deg > 0.0 && self.fov_deg < 360.0;
        if !self.ptz && !fov_ok {
            out.push(CameraProblem::FieldOfView(self.fov_deg));
        }
        if !(self.range_m.is_finite() && self.range_m > 0.0) {
            out.push(CameraProblem::Range(self.range_m));
        }
        out
    }

    /// Whether the view is a full circle (PTZ, or a field of view of 360° or more).
    pub fn is_full_circle(&self) -> bool {
        self.ptz || self.fov_deg >= 360.0
    }

    fn sector(&self) -> Sector {
        Sector::new(
            self.lon,
            self.lat,
            self.heading_deg,
            self.fov_deg,
            self.range_m,
            self.is_full_circle(),
        )
    }

    /// The view as a polygon in `(lon, lat)` degrees: the camera's position, then the arc in steps
    /// of at most 5°, closed. A full circle has no apex.
    pub fn view_polygon(&self) -> Polygon<f64> {
        self.sector().polygon()
    }

    /// Whether the view contains the point; the distance in metres when it does.
    pub fn sees(&self, lon: f64, lat: f64) -> Option<f64> {
        self.sector().sees(lon, lat)
    }
}

/// The precomputed geometry of one view.
#[derive(Debug, Clone, Copy)]
struct Sector {
    lon: f64,
    lat: f64,
    /// Axis bearing in radians.
    heading: f64,
    /// Half the opening in radians; π for a full circle.
    half_fov: f64,
    range_m: f64,
    full: bool,
    projection: LocalProjection,
}

impl Sector {
    fn new(lon: f64, lat: f64, heading_deg: f64, fov_deg: f64, range_m: f64, full: bool) -> Self {
        let half_fov = if full {
            std::f64::consts::PI
        } else {
            (fov_deg / 2.0).to_radians()
        };
        Sector {
            lon,
            lat,
            heading: heading_deg.to_radians(),
            half_fov,
            range_m,
            full,
            projection: LocalProjection::new(lon, lat),
        }
    }

    /// The point at a compass bearing (radians) and distance from the camera.
    fn at(&self, bearing: f64, dist: f64) -> (f64, f64) {
        self.projection
            .unproject([dist * bearing.sin(), dist * bearing.cos()])
    }

    fn sees(&self, lon: f64, lat: f64) -> Option<f64> {
        let [dx, dy] = self.projection.project(lon, lat);
        let d = dx.hypot(dy);
        // NaN compares false, so a non-finite input falls out here too.
        if d.is_nan() || d > self.range_m {
            return None;
        }
        if self.full || d == 0.0 {
            return Some(d);
        }
        let bearing = dx.atan2(dy);
        // The smallest angle between the bearing and the axis, in 0..=π.
        let mut diff = (bearing - self.heading).rem_euclid(std::f64::consts::TAU);
        if diff > std::f64::consts::PI {
            diff = std::f64::consts::TAU - diff;
        }
        (diff <= self.half_fov + 1e-12).then_some(d)
    }

    /// The exact bounding box: the apex, the arc's ends, and every compass point the arc passes.
    fn bbox(&self) -> [f64; 4] {
        let mut pts = Vec::with_capacity(7);
        if self.full {
            for k in 0..4 {
                pts.push(self.at(f64::from(k) * std::f64::consts::FRAC_PI_2, self.range_m));
            }
        } else {
            pts.push((self.lon, self.lat));
            pts.push(self.at(self.heading - self.half_fov, self.range_m));
            pts.push(self.at(self.heading + self.half_fov, self.range_m));
            for k in 0..4 {
                let b = f64::from(k) * std::f64::consts::FRAC_PI_2;
                let mut diff = (b - self.heading).rem_euclid(std::f64::consts::TAU);
                if diff > std::f64::consts::PI {
                    diff = std::f64::consts::TAU - diff;
                }
                if diff <= self.half_fov {
                    pts.push(self.at(b, self.range_m));
                }
            }
        }
        // A margin of about a tenth of a millimetre keeps points on the arc inside the box
        // whatever the rounding of the trigonometry.
        const PAD: f64 = 1e-9;
        let b = pts.iter().fold(
            [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ],
            |b, p| [b[0].min(p.0), b[1].min(p.1), b[2].max(p.0), b[3].max(p.1)],
        );
        [b[0] - PAD, b[1] - PAD, b[2] + PAD, b[3] + PAD]
    }

    fn polygon(&self) -> Polygon<f64> {
        let span = 2.0 * self.half_fov;
        let steps = ((span.to_degrees() / ARC_STEP_DEG).ceil() as usize).max(2);
        let start = self.heading - self.half_fov;
        let mut ring: Vec<Coord<f64>> = Vec::with_capacity(steps + 3);
        if !self.full {
            ring.push(Coord {
                x: self.lon,
                y: self.lat,
            });
        }
        let last = if self.full { steps - 1 } else { steps };
        for i in 0..=last {
            let (x, y) = self.at(start + span * (i as f64) / (steps as f64), self.range_m);
            ring.push(Coord { x, y });
        }
        // `Polygon::new` closes the ring.
        Polygon::new(LineString(ring), Vec::new())
    }
}

type ViewEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;
type PositionEntry = GeomWithData<[f64; 2], usize>;

/// An immutable index over camera views and positions; `Send + Sync` when `K` is.
#[derive(Debug)]
pub struct CameraIndex<K> {
    cameras: Vec<Camera<K>>,
    sectors: Vec<Sector>,
    views: RTree<ViewEntry>,
    positions: RTree<PositionEntry>,
}

impl<K: Clone> CameraIndex<K> {
    /// Indexes the cameras, or returns every invalid one (with its position in the input).
    pub fn build(cameras: Vec<Camera<K>>) -> Result<Self, Vec<CameraError>> {
        let (index, errors) = Self::build_lenient(cameras);
        if errors.is_empty() {
            Ok(index)
        } else {
            Err(errors)
        }
    }

    /// Indexes the valid cameras and returns the invalid ones' problems beside the index.
    pub fn build_lenient(cameras: Vec<Camera<K>>) -> (Self, Vec<CameraError>) {
        let mut errors = Vec::new();
        let mut kept = Vec::with_capacity(cameras.len());
        for (index, cam) in cameras.into_iter().enumerate() {
            let problems = cam.problems();
            if problems.is_empty() {
                kept.push(cam);
            } else {
                errors.extend(
                    problems
                        .into_iter()
                        .map(|problem| CameraError { index, problem }),
                );
            }
        }
        let sectors: Vec<Sector> = kept.iter().map(Camera::sector).collect();
        let views = RTree::bulk_load(
            sectors
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let b = s.bbox();
                    GeomWithData::new(Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]), i)
                })
                .collect(),
        );
        let positions = RTree::bulk_load(
            kept.iter()
                .enumerate()
                .map(|(i, c)| GeomWithData::new([c.lon, c.lat], i))
                .collect(),
        );
        (
            CameraIndex {
                cameras: kept,
                sectors,
                views,
                positions,
            },
            errors,
        )
    }

    /// The indexed cameras.
    pub fn cameras(&self) -> &[Camera<K>] {
        &self.cameras
    }

    /// The number of indexed cameras.
    pub fn len(&self) -> usize {
        self.cameras.len()
    }

    /// Whether no camera is indexed.
    pub fn is_empty(&self) -> bool {
        self.cameras.is_empty()
    }

    fn candidates(&self, lon: f64, lat: f64) -> impl Iterator<Item = usize> + '_ {
        self.views
            .locate_in_envelope_intersecting(&AABB::from_point([lon, lat]))
            .map(|e| e.data)
    }

    /// The cameras whose view contains the point, nearest first, with the distance in metres
    /// (ties by input order). Non-finite input sees nothing.
    pub fn visible_from(&self, lon: f64, lat: f64) -> Vec<(K, f64)> {
        if !(lon.is_finite() && lat.is_finite()) {
            return Vec::new();
        }
        let mut hits: Vec<(usize, f64)> = self
            .candidates(lon, lat)
            .filter_map(|i| self.sectors[i].sees(lon, lat).map(|d| (i, d)))
            .collect();
        hits.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        hits.into_iter()
            .map(|(i, d)| (self.cameras[i].key.clone(), d))
            .collect()
    }

    /// Whether at least one view contains the point (stops at the first).
    pub fn is_covered(&self, lon: f64, lat: f64) -> bool {
        lon.is_finite()
            && lat.is_finite()
            && self
                .candidates(lon, lat)
                .any(|i| self.sectors[i].sees(lon, lat).is_some())
    }

    /// Cameras positioned inside `[min_lon, min_lat, max_lon, max_lat]` (edges included), in input order.
    pub fn in_bbox(&self, min_lon: f64, min_lat: f64, max_lon: f64, max_lat: f64) -> Vec<K> {
        let mut idx = self.in_envelope(min_lon, min_lat, max_lon, max_lat);
        idx.sort_unstable();
        idx.into_iter()
            .map(|i| self.cameras[i].key.clone())
            .collect()
    }

    fn in_envelope(&self, min_lon: f64, min_lat: f64, max_lon: f64, max_lat: f64) -> Vec<usize> {
        if ![min_lon, min_lat, max_lon, max_lat]
            .iter()
            .all(|v| !v.is_nan())
            || min_lon > max_lon
            || min_lat > max_lat
        {
            return Vec::new();
        }
        let env = AABB::from_corners([min_lon, min_lat], [max_lon, max_lat]);
        self.positions
            .locate_in_envelope(&env)
            .map(|e| e.data)
            .collect()
    }

    /// Cameras positioned inside the polygon (degrees; boundary excluded), in input order.
    pub fn in_polygon(&self, polygon: &Polygon<f64>) -> Vec<K> {
        let Some(r) = geo::BoundingRect::bounding_rect(polygon) else {
            return Vec::new();
        };
        let mut idx: Vec<usize> = self
            .in_envelope(r.min().x, r.min().y, r.max().x, r.max().y)
            .into_iter()
            .filter(|&i| {
                polygon.contains(&Coord {
                    x: self.cameras[i].lon,
                    y: self.cameras[i].lat,
                })
            })
            .collect();
        idx.sort_unstable();
        idx.into_iter()
            .map(|i| self.cameras[i].key.clone())
            .collect()
    }

    /// Cameras positioned within `radius_m` metres of the point, nearest first, with distances.
    pub fn near(&self, lon: f64, lat: f64, radius_m: f64) -> Vec<(K, f64)> {
        if !(lon.is_finite() && lat.is_finite() && radius_m >= 0.0) {
            return Vec::new();
        }
        let projection = LocalProjection::new(lon, lat);
        let (dlon, dlat) = projection.unproject([radius_m, radius_m]);
        let (wl, wt) = (dlon - lon, dlat - lat);
        let mut hits: Vec<(usize, f64)> = self
            .in_envelope(lon - wl, lat - wt, lon + wl, lat + wt)
            .into_iter()
            .map(|i| {
                (
                    i,
                    projection.distance_m((lon, lat), (self.cameras[i].lon, self.cameras[i].lat)),
                )
            })
            .filter(|&(_, d)| d <= radius_m)
            .collect();
        hits.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        hits.into_iter()
            .map(|(i, d)| (self.cameras[i].key.clone(), d))
            .collect()
    }
}

#[cfg(test)]
mod tests;

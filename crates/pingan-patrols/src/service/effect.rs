//! Whether it worked: the district's own residual-deterrence curve and the difference in
//! differences between visited and unvisited planned spots ([`crate::domain::effect`]), from
//! the stored visits and the command centre's incidents.

use crate::domain::effect::{
    diff_in_diff, koper_curves, BandCurve, ComparedSpot, DiffInDiff, Happening, LeftVisit,
};
use crate::domain::records::VisitRecord;
use crate::error::{PatrolsError, PatrolsResult};
use crate::store;
use pingan_command::domain::records::IncidentFilter;
use pingan_command::service::incidents as command_incidents;
use pingan_core::Timestamp;
use pingan_server::AppState;
use pingan_spatial::projection::haversine_m;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// How long after a visit the curve follows a spot (minutes).
pub const HORIZON_MIN: i64 = 24 * 60;
/// Longest window evaluated (days).
pub const MAX_DAYS: i64 = 366;

/// The evaluation of a window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Effect {
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub from: Timestamp,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub to: Timestamp,
    pub horizon_min: i64,
    /// One Kaplan–Meier curve per dwell band.
    pub koper: Vec<BandCurve>,
    pub did: DiffInDiff,
    /// What the figures assume (codes the page puts into words).
    pub assumptions: Vec<&'static str>,
}

/// The visits the GPS confirmed, with when the unit left.
fn left_visits(visits: &[VisitRecord]) -> Vec<LeftVisit> {
    visits
        .iter()
        .filter(|v| matches!(v.status.as_str(), "done" | "partial"))
        .filter_map(|v| {
            Some(LeftVisit {
                spot: v.spot_key.clone(),
                lon: v.lon,
                lat: v.lat,
                radius_m: v.radius_m,
                left_us: v.left_at?.micros(),
                stay_s: v.longest_stay_s,
            })
        })
        .collect()
}

/// The planned spots, each visited when one of its visits is done.
fn compared(visits: &[VisitRecord]) -> Vec<ComparedSpot> {
    let mut spots: BTreeMap<&str, ComparedSpot> = BTreeMap::new();
    for v in visits {
        let s = spots.entry(v.spot_key.as_str()).or_insert(ComparedSpot {
            lon: v.lon,
            lat: v.lat,
            radius_m: v.radius_m,
            visited: false,
        });
        s.visited |= v.status == "done";
    }
    spots.into_values().collect()
}

/// The evaluation of `[from, to)`.
pub async fn effect(state: &AppState, from: Timestamp, to: Timestamp) -> PatrolsResult<Effect> {
    if from >= to {
        return Err(PatrolsError::invalid("from", "must be before to"));
    }
    if to.micros() - from.micros() > MAX_DAYS * 86_400_000_000 {
        return Err(PatrolsError::invalid(
            "from",
            format!("at most {MAX_DAYS} days"),
        ));
    }
    let now = state.now();
    let visits = store::visits(&state.store, None, None, from, to).await?;
    let span = to.micros() - from.micros();
    let incidents = command_incidents::list(
        state,
        &IncidentFilter {
            from: Some(Timestamp::from_micros(from.micros() - span)),
            to: Some(to.plus_seconds(HORIZON_MIN * 60).min(now)),
            limit: 500_000,
            ..IncidentFilter::default()
        },
    )
    .await?;
    let happenings: Vec<Happening> = incidents
        .iter()
        .map(|i| Happening {
            lon: i.location.lon,
            lat: i.location.lat,
            at_us: i.times.received_at.micros(),
        })
        .collect();
    let left = left_visits(&visits);
    // A visit is followed until the horizon, the next visit to its spot, or now.
    let mut arrivals: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for v in &visits {
        let t = v.entered_at.unwrap_or(v.arrive_at).micros();
        arrivals.entry(v.spot_key.as_str()).or_default().push(t);
    }
    let limit = |v: &LeftVisit| -> i64 {
        let next = arrivals
            .get(v.spot.as_str())
            .and_then(|ts| ts.iter().copied().filter(|&t| t > v.left_us).min())
            .unwrap_or(i64::MAX);
        (v.left_us + HORIZON_MIN * 60_000_000)
            .min(next)
            .min(now.micros())
    };
    let distance = |a: (f64, f64), b: (f64, f64)| haversine_m(a, b);
    let koper = koper_curves(&left, &happenings, &limit, &distance);
    let spots = compared(&visits);
    let did = diff_in_diff(
        &spots,
        &happenings,
        (from.micros(), to.micros().min(now.micros())),
        &distance,
    );
    Ok(Effect {
        from,
        to,
        horizon_min: HORIZON_MIN,
        koper,
        did,
        assumptions: vec![
            "parallel_trends",
            "no_displacement",
            "censored_at_next_visit",
            "few_spots_noise",
        ],
    })
}

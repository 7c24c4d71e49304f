//! Drawing up a plan: the request, its checks, the spots (the district's own incidents at the
//! shift's hours as hot cells, its key places, a supervisor's additions, each with why it is
//! there), the units on duty and their starts, and the travel times over the road network.

use crate::domain::plan::{self, Crew, PlanRules, Spot, TravelMatrix};
use crate::domain::records::{PlanBody, PlanState, Selection, SpotWhy};
use crate::domain::spots::{hot_cells, named_spot, CellChoice, PastIncident};
use crate::error::{PatrolsError, PatrolsResult};
use crate::service::patrols;
use crate::store;
use pingan_command::domain::records::IncidentFilter;
use pingan_command::service::{incidents as command_incidents, units as command_units};
use pingan_core::{Timestamp, ValidationError};
use pingan_server::AppState;
use pingan_spatial::geography::FeatureKind;
use pingan_spatial::geography::Geography;
use serde::Deserialize;
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// Longest shift a plan covers (hours).
pub const MAX_SHIFT_H: i64 = 24;
/// Most units one plan sends out.
pub const MAX_UNITS: usize = 50;
/// Most spots a supervisor adds by hand.
pub const MAX_ADDED: usize = 100;

/// A spot a supervisor adds by hand.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddedSpot {
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// Metres (default 150).
    #[serde(default)]
    pub radius_m: Option<f64>,
    /// Its weight against the hot cells' incident counts (default: the incidents around it).
    #[serde(default)]
    pub risk: Option<f64>,
}

/// What a plan is drawn up from.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlan {
    #[serde(default)]
    pub name: Option<String>,
    /// The shift's start (RFC 3339 or UTC microseconds).
    #[serde(deserialize_with = "pingan_core::time::de::text")]
    pub start: String,
    /// The shift's end.
    #[serde(deserialize_with = "pingan_core::time::de::text")]
    pub end: String,
    /// The units on duty.
    pub units: Vec<String>,
    /// Days of incident history whose hot cells are read (default 90).
    #[serde(default)]
    pub history_days: Option<u32>,
    /// Only these incident types (a category such as `theft` takes its sub-types); all when empty.
    #[serde(default)]
    pub incident_types: Vec<String>,
    /// Side of a hot cell in metres (default 250).
    #[serde(default)]
    pub cell_m: Option<f64>,
    /// Most hot cells (default 200).
    #[serde(default)]
    pub max_hot_cells: Option<usize>,
    /// Take the geography's key places too (default true).
    #[serde(default)]
    pub key_places: Option<bool>,
    #[serde(default)]
    pub added: Vec<AddedSpot>,
    /// Minutes per visit (default 12).
    #[serde(default)]
    pub dwell_min: Option<u32>,
    /// Revisit a spot within this many minutes (default 120).
    #[serde(default)]
    pub revisit_min: Option<u32>,
    #[serde(default)]
    pub max_visits_per_area: Option<u32>,
    #[serde(default)]
    pub max_minutes_per_area: Option<u32>,
    /// The planner's seed; by default a new one, kept with the plan so it can be re-run.
    #[serde(default)]
    pub seed: Option<u64>,
}

/// The shift window, checked.
fn window(req: &CreatePlan, now: Timestamp) -> PatrolsResult<(Timestamp, Timestamp)> {
    let start = Timestamp::parse_field("start", Some(&req.start))?.unwrap_or(now);
    let end = Timestamp::parse_field("end", Some(&req.end))?.unwrap_or(now);
    if end <= start {
        return Err(PatrolsError::invalid("end", "must be after start"));
    }
    if end.micros() - start.micros() > MAX_SHIFT_H * 3_600_000_000 {
        return Err(PatrolsError::invalid(
            "end",
            format!("a shift is at most {MAX_SHIFT_H} hours"),
        ));
    }
    if end <= now {
        return Err(PatrolsError::invalid(
            "end",
            "the shift is over: plan a shift that has not ended",
        ));
    }
    Ok((start, end))
}

fn rules(
    req: &CreatePlan,
    start: Timestamp,
    end: Timestamp,
    seed: u64,
) -> PatrolsResult<PlanRules> {
    let d = PlanRules::default();
    let r = PlanRules {
        start_us: start.micros(),
        end_us: end.micros(),
        dwell_s: req.dwell_min.map_or(d.dwell_s, |m| m.saturating_mul(60)),
        revisit_s: req
            .revisit_min
            .map_or(d.revisit_s, |m| m.saturating_mul(60)),
        deterrence_s: req
            .revisit_min
            .map_or(d.deterrence_s, |m| m.saturating_mul(60)),
        max_visits_per_area: req.max_visits_per_area.unwrap_or(d.max_visits_per_area),
        max_minutes_per_area: req.max_minutes_per_area.unwrap_or(d.max_minutes_per_area),
        seed,
        iterations: d.iterations,
    };
    r.check().map_err(|e| {
        let field = match e.field() {
            "rules.dwell_s" => "dwell_min".to_owned(),
            "rules.revisit_s" | "rules.deterrence_s" => "revisit_min".to_owned(),
            f => f.trim_start_matches("rules.").to_owned(),
        };
        PatrolsError::invalid(field, e.to_string())
    })?;
    Ok(r)
}

/// The units on duty, each checked: registered, not off duty, on no other published plan of an
/// overlapping shift.
async fn crews(
    state: &AppState,
    req: &CreatePlan,
    start: Timestamp,
    end: Timestamp,
    exclude_plan: Option<&str>,
) -> PatrolsResult<Vec<Crew>> {
    if req.units.is_empty() {
        return Err(PatrolsError::invalid(
            "units",
            "no units on duty: name at least one",
        ));
    }
    if req.units.len() > MAX_UNITS {
        return Err(PatrolsError::invalid(
            "units",
            format!("at most {MAX_UNITS} units"),
        ));
    }
    let busy = busy_units(state, start, end, exclude_plan).await?;
    let centre = centre(&state.geography());
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, id) in req.units.iter().enumerate() {
        let field = format!("units[{i}]");
        if !seen.insert(id.as_str()) {
            return Err(PatrolsError::invalid(field, format!("{id} is named twice")));
        }
        let unit = command_units::load_unit(state, id)
            .await
            .map_err(|_| PatrolsError::invalid(&field, format!("no unit {id} is registered")))?;
        if let Some(plan_id) = busy.iter().find(|(u, _)| u == id).map(|(_, p)| p) {
            return Err(PatrolsError::invalid(
                field,
                format!("{id} is already on published plan {plan_id} for an overlapping shift"),
            ));
        }
        let start_at = unit.last_fix.map_or(centre, |f| (f.lon, f.lat));
        out.push(Crew {
            unit: id.clone(),
            start: start_at,
            end: None,
        });
    }
    Ok(out)
}

/// `(unit, plan)` for every unit on a published plan whose shift overlaps the window.
pub async fn busy_units(
    state: &AppState,
    start: Timestamp,
    end: Timestamp,
    exclude_plan: Option<&str>,
) -> PatrolsResult<Vec<(String, String)>> {
    Ok(store::plans(&state.store, start, end, 1000)
        .await?
        .into_iter()
        .filter(|p| p.state == PlanState::Published && Some(p.id.as_str()) != exclude_plan)
        .flat_map(|p| {
            let id = p.id.clone();
            p.body.crews.into_iter().map(move |c| (c.unit, id.clone()))
        })
        .collect())
}

fn centre(g: &Geography) -> (f64, f64) {
    g.bbox()
        .map_or((0.0, 0.0), |b| ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0))
}

/// The local hours (0–23) the shift touches, in the district's offset.
fn shift_hours(start: Timestamp, end: Timestamp, utc_offset_s: i64) -> BTreeSet<i64> {
    let mut hours = BTreeSet::new();
    let mut t = start.micros();
    while t < end.micros() && hours.len() < 24 {
        hours.insert(local_hour(t, utc_offset_s));
        t += 3_600_000_000;
    }
    hours.insert(local_hour(end.micros() - 1, utc_offset_s));
    hours
}

fn local_hour(us: i64, utc_offset_s: i64) -> i64 {
    (us.div_euclid(1_000_000) + utc_offset_s)
        .div_euclid(3600)
        .rem_euclid(24)
}

/// The history's incidents at the shift's hours and of the asked types.
async fn history(
    state: &AppState,
    req: &CreatePlan,
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> PatrolsResult<(Vec<PastIncident>, u32)> {
    let days = req
        .history_days
        .unwrap_or(patrols(state).config().history_days);
    if !(7..=730).contains(&days) {
        return Err(PatrolsError::invalid("history_days", "7 to 730 days"));
    }
    for (i, t) in req.incident_types.iter().enumerate() {
        let known = pingan_command::domain::incident::IncidentType::all()
            .any(|ty| ty.code() == t || ty.category() == t);
        if !known {
            return Err(PatrolsError::invalid(
                format!("incident_types[{i}]"),
                format!("{t:?} is not an incident type (see GET /incident-types)"),
            ));
        }
    }
    let offset = pingan_command::service::command(state)
        .config()
        .utc_offset_s;
    let hours = shift_hours(start, end, offset);
    let filter = IncidentFilter {
        from: Some(now.plus_seconds(-i64::from(days) * 86_400)),
        to: Some(now),
        limit: 200_000,
        ..IncidentFilter::default()
    };
    let incidents = command_incidents::list(state, &filter).await?;
    let past = incidents
        .into_iter()
        .filter(|i| {
            req.incident_types.is_empty()
                || req
                    .incident_types
                    .iter()
                    .any(|t| i.incident_type.code() == t || i.incident_type.category() == t)
        })
        .filter(|i| hours.contains(&local_hour(i.times.received_at.micros(), offset)))
        .map(|i| PastIncident {
            lon: i.location.lon,
            lat: i.location.lat,
            at_us: i.times.received_at.micros(),
            kind: i.incident_type.code().to_owned(),
        })
        .collect();
    Ok((past, days))
}

/// The plan's spots: hot cells, key places, additions (in that order), with why each is there.
fn spots(
    state: &AppState,
    g: &Geography,
    req: &CreatePlan,
    past: &[PastIncident],
) -> PatrolsResult<(Vec<Spot>, Vec<SpotWhy>, Selection)> {
    let config = patrols(state).config();
    let cell_m = req.cell_m.unwrap_or(250.0);
    if !(50.0..=2000.0).contains(&cell_m) {
        return Err(PatrolsError::invalid("cell_m", "50 to 2000 metres"));
    }
    if req.added.len() > MAX_ADDED {
        return Err(PatrolsError::invalid(
            "added",
            format!("at most {MAX_ADDED} spots"),
        ));
    }
    let area_of = |lon: f64, lat: f64| -> String {
        g.grid_at(lon, lat)
            .or_else(|| g.town_at(lon, lat))
            .map_or_else(|| "outside".to_owned(), |f| f.id.clone())
    };
    let choice = CellChoice {
        cell_m,
        max_spots: req.max_hot_cells.unwrap_or(200).min(500),
        ..CellChoice::default()
    };
    let mut all = hot_cells(past, g.projection(), choice, &area_of);
    for (spot, _) in &mut all {
        spot.name = g
            .grid_at(spot.lon, spot.lat)
            .map_or_else(|| spot.key.clone(), |f| f.name.clone());
    }
    let hot = all.len();
    let mut key_places = 0;
    if req.key_places.unwrap_or(true) {
        for f in g.features(FeatureKind::KeyPlace) {
            let Some(c) = centroid(&f.geometry) else {
                continue;
            };
            key_places += 1;
            all.push(named_spot(
                format!("kp-{}", f.id),
                f.name.clone(),
                c,
                config.spot_radius_m,
                None,
                config.key_place_floor,
                "key_place",
                past,
                area_of(c.0, c.1),
            ));
        }
    }
    for (i, a) in req.added.iter().enumerate() {
        let field = format!("added[{i}]");
        check_added(a, &field)?;
        all.push(named_spot(
            format!("add-{i}"),
            a.name.trim().to_owned(),
            (a.lon, a.lat),
            a.radius_m.unwrap_or(config.spot_radius_m),
            a.risk,
            config.key_place_floor,
            "added",
            past,
            area_of(a.lon, a.lat),
        ));
    }
    let selection = Selection {
        incidents: past.len(),
        cell_m,
        hot_cells: hot,
        key_places,
        added: req.added.len(),
        ..Selection::default()
    };
    let (spots, why) = all.into_iter().unzip();
    Ok((spots, why, selection))
}

fn check_added(a: &AddedSpot, field: &str) -> Result<(), ValidationError> {
    if a.name.trim().is_empty() || a.name.chars().count() > 100 {
        return Err(ValidationError::new(
            format!("{field}.name"),
            "1 to 100 characters",
        ));
    }
    if !(-180.0..=180.0).contains(&a.lon) {
        return Err(ValidationError::new(
            format!("{field}.lon"),
            "a longitude in degrees",
        ));
    }
    if !(-90.0..=90.0).contains(&a.lat) {
        return Err(ValidationError::new(
            format!("{field}.lat"),
            "a latitude in degrees",
        ));
    }
    if a.radius_m.is_some_and(|r| !(20.0..=1000.0).contains(&r)) {
        return Err(ValidationError::new(
            format!("{field}.radius_m"),
            "20 to 1000 metres",
        ));
    }
    if a.risk.is_some_and(|r| !(r.is_finite() && r >= 0.0)) {
        return Err(ValidationError::new(
            format!("{field}.risk"),
            "a number ≥ 0",
        ));
    }
    Ok(())
}

fn centroid(g: &geo::Geometry<f64>) -> Option<(f64, f64)> {
    use geo::Centroid;
    g.centroid().map(|p| (p.x(), p.y()))
}

/// Travel seconds between the plan's places over the road network. A spot farther from every
/// road than the router's off-network distance cannot be reached (infinite).
async fn travel(
    state: &AppState,
    g: &Geography,
    spots: &[Spot],
    crews: &[Crew],
) -> PatrolsResult<TravelMatrix> {
    let router = pingan_command::service::command(state)
        .router(state)
        .await?;
    let off = pingan_command::service::command(state)
        .config()
        .routing
        .off_network_m;
    let mut nodes: Vec<(usize, f64, f64)> = spots
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.lon, s.lat))
        .collect();
    let s = spots.len();
    for (j, c) in crews.iter().enumerate() {
        nodes.push((s + j, c.start.0, c.start.1));
    }
    for (j, c) in crews.iter().enumerate() {
        let end = c.end.unwrap_or(c.start);
        nodes.push((s + crews.len() + j, end.0, end.1));
    }
    let off_network: Vec<bool> = nodes
        .iter()
        .map(|&(i, lon, lat)| i < s && g.nearest_road(lon, lat).is_none_or(|r| r.distance_m > off))
        .collect();
    let n = nodes.len();
    tokio::task::spawn_blocking(move || {
        let mut secs = vec![f32::INFINITY; n * n];
        for &(to, lon, lat) in &nodes {
            for r in router.rank_units((lon, lat), &nodes) {
                let from = r.unit;
                let blocked = off_network[from] || off_network[to];
                secs[from * n + to] = if from == to {
                    0.0
                } else if blocked {
                    f32::INFINITY
                } else {
                    r.eta_s as f32
                };
            }
        }
        TravelMatrix::new(n, secs)
    })
    .await
    .map_err(|e| PatrolsError::internal("route the plan's places", e))?
    .map_err(PatrolsError::from)
}

/// Draws up a plan's body from a request: every check first, then the planner (on the
/// blocking pool). A spot a supervisor added that no road reaches is refused by name; a hot
/// cell or key place no road reaches is left out and listed.
pub async fn draw(
    state: &AppState,
    req: &CreatePlan,
    now: Timestamp,
    exclude_plan: Option<&str>,
) -> PatrolsResult<PlanBody> {
    let (start, end) = window(req, now)?;
    let seed = req
        .seed
        .unwrap_or_else(|| u64::from_ne_bytes(now.micros().to_ne_bytes()));
    let rules = rules(req, start, end, seed)?;
    let crews = crews(state, req, start, end, exclude_plan).await?;
    let (past, days) = history(state, req, start, end, now).await?;
    let g = state.geography();
    let (spots, why, mut selection) = spots(state, &g, req, &past)?;
    selection.history_days = days;
    if spots.is_empty() {
        return Err(PatrolsError::invalid(
            "added",
            "no hot spots: no significant hot cell in the history, no key place, nothing added",
        ));
    }
    let travel = travel(state, &g, &spots, &crews).await?;
    let s = spots.len();
    for i in 0..s {
        let reachable = (0..crews.len()).any(|j| travel.get(s + j, i).is_finite());
        if reachable {
            continue;
        }
        if why[i].source == "added" {
            let n = spots[i].key.trim_start_matches("add-");
            return Err(PatrolsError::invalid(
                format!("added[{n}]"),
                format!("{} is not reachable on the road network", spots[i].name),
            ));
        }
        selection.left_out.push(spots[i].name.clone());
    }
    let (plan_spots, plan_crews, plan_travel) = (spots.clone(), crews.clone(), travel.clone());
    let answer = tokio::task::spawn_blocking(move || {
        plan::plan(&plan_spots, &plan_crews, &rules, &plan_travel)
    })
    .await
    .map_err(|e| PatrolsError::internal("plan the shift", e))??;
    Ok(PlanBody {
        rules,
        spots,
        why,
        crews,
        plan: answer,
        selection,
        travel: travel.to_vec(),
    })
}

//! Shift plans: drawn up ([`super::draw`]), edited by a supervisor while a draft, published
//! (the units' orders, on the stream and in the ledger) or cancelled.

use crate::domain::plan::{self, Crew, PlanRules, Route, Spot, TravelMatrix};
use crate::domain::records::{PlanRecord, PlanState, Selection, SpotWhy, VisitRecord};
use crate::domain::tactics::suggest;
use crate::error::{PatrolsError, PatrolsResult};
use crate::service::draw::{self, CreatePlan};
use crate::store;
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::Timestamp;
use pingan_server::auth::UserCaller;
use pingan_server::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// The audit actions of plans.
pub const CREATE: &str = "patrol.plan.create";
pub const EDIT: &str = "patrol.plan.edit";
pub const PUBLISH: &str = "patrol.plan.publish";
pub const CANCEL: &str = "patrol.plan.cancel";

/// A plan as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    pub id: String,
    pub name: String,
    pub state: PlanState,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub start_at: Timestamp,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub end_at: Timestamp,
    pub seed: u64,
    /// The planner's rules (dwell, revisit, deterrence, caps), seconds and minutes.
    #[schema(value_type = Object)]
    pub rules: PlanRules,
    /// The spots, each with why it is there (`why`, same order).
    #[schema(value_type = Vec<Object>)]
    pub spots: Vec<Spot>,
    pub why: Vec<SpotWhy>,
    #[schema(value_type = Vec<Object>)]
    pub crews: Vec<Crew>,
    /// Each unit's visits in order (`spot` indexes `spots`), with the quality and metering.
    #[schema(value_type = Object)]
    pub plan: plan::Plan,
    pub selection: Selection,
    pub created_by: String,
    #[schema(value_type = pingan_server::schema::Timestamp)]
    pub created_at: Timestamp,
    pub published_by: Option<String>,
    #[schema(value_type = Option<pingan_server::schema::Timestamp>)]
    pub published_at: Option<Timestamp>,
    pub version: i64,
}

impl From<PlanRecord> for PlanView {
    fn from(p: PlanRecord) -> Self {
        PlanView {
            id: p.id,
            name: p.name,
            state: p.state,
            start_at: p.start_at,
            end_at: p.end_at,
            seed: p.seed,
            rules: p.body.rules,
            spots: p.body.spots,
            why: p.body.why,
            crews: p.body.crews,
            plan: p.body.plan,
            selection: p.body.selection,
            created_by: p.created_by,
            created_at: p.created_at,
            published_by: p.published_by,
            published_at: p.published_at,
            version: p.version,
        }
    }
}

/// A supervisor's edit of a draft: the routes as they should be.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditPlan {
    /// The version the edit was made on.
    pub version: i64,
    #[serde(default)]
    pub name: Option<String>,
    /// Each unit's visits (same shape as `plan.routes`).
    #[schema(value_type = Vec<Object>)]
    pub routes: Vec<Route>,
}

/// Publishing or cancelling names the version it saw.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionOnly {
    pub version: i64,
}

/// A plan, or `NotFound`.
pub async fn load(state: &AppState, id: &str) -> PatrolsResult<PlanRecord> {
    store::plan(&state.store, id)
        .await?
        .ok_or_else(|| PatrolsError::NotFound {
            what: "patrol plan",
            id: id.to_owned(),
        })
}

/// One plan.
pub async fn get(state: &AppState, id: &str) -> PatrolsResult<PlanView> {
    Ok(load(state, id).await?.into())
}

/// Plans whose shift overlaps `[from, to)`.
pub async fn list(
    state: &AppState,
    from: Timestamp,
    to: Timestamp,
) -> PatrolsResult<Vec<PlanView>> {
    if from >= to {
        return Err(PatrolsError::invalid("from", "must be before to"));
    }
    Ok(store::plans(&state.store, from, to, 500)
        .await?
        .into_iter()
        .map(PlanView::from)
        .collect())
}

/// A new plan id: `PP-` and the time, readable in a list and unique per microsecond.
fn new_id(now: Timestamp) -> String {
    format!("PP-{}", now.micros())
}

/// Draws up a draft plan.
pub async fn create(
    state: &AppState,
    caller: &UserCaller,
    req: CreatePlan,
) -> PatrolsResult<PlanView> {
    let now = state.now();
    let drawn = draw::draw(state, &req, now, None).await?;
    let id = new_id(now);
    let name = req
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| id.clone(), str::to_owned);
    if name.chars().count() > 200 {
        return Err(PatrolsError::invalid("name", "at most 200 characters"));
    }
    let record = PlanRecord {
        id: id.clone(),
        name,
        state: PlanState::Draft,
        start_at: Timestamp::from_micros(drawn.rules.start_us),
        end_at: Timestamp::from_micros(drawn.rules.end_us),
        seed: drawn.rules.seed,
        body: drawn,
        created_by: caller.user.username.clone(),
        created_at: now,
        published_by: None,
        published_at: None,
        version: 1,
        updated_at: now,
    };
    let entry = caller
        .record(state, CREATE)
        .object("patrol_plan", Some(&id))
        .detail(json!({
            "units": record.body.crews.iter().map(|c| &c.unit).collect::<Vec<_>>(),
            "start": record.start_at, "end": record.end_at, "seed": record.seed,
            "spots": record.body.spots.len(), "visits": record.body.plan.quality.visits,
            "risk_covered": record.body.plan.quality.risk_covered,
        }))
        .build();
    store::create_plan(&state.store, &record, vec![entry]).await?;
    state.count_audit(1);
    Ok(record.into())
}

fn stale(p: &PlanRecord, version: i64) -> Option<PatrolsError> {
    if p.state != PlanState::Draft {
        return Some(PatrolsError::conflict(
            "not_draft",
            format!(
                "plan {} is {}: only a draft can change",
                p.id,
                p.state.as_str()
            ),
            serde_json::to_value(PlanView::from(p.clone())).unwrap_or_default(),
        ));
    }
    (p.version != version).then(|| {
        PatrolsError::conflict(
            "conflict",
            format!(
                "plan {} was changed meanwhile (version {} now)",
                p.id, p.version
            ),
            serde_json::to_value(PlanView::from(p.clone())).unwrap_or_default(),
        )
    })
}

/// A supervisor's edit of a draft's routes: refused, naming each problem, unless feasible.
pub async fn edit(
    state: &AppState,
    caller: &UserCaller,
    id: &str,
    req: EditPlan,
) -> PatrolsResult<PlanView> {
    let mut p = load(state, id).await?;
    if let Some(e) = stale(&p, req.version) {
        return Err(e);
    }
    let b = &p.body;
    let travel = TravelMatrix::new(b.spots.len() + 2 * b.crews.len(), b.travel.clone())?;
    let problems = plan::violations(&b.spots, &b.crews, &b.rules, &travel, &req.routes);
    if !problems.is_empty() {
        return Err(PatrolsError::Invalid(
            problems
                .into_iter()
                .map(|m| pingan_core::ValidationError::new("routes", m))
                .collect(),
        ));
    }
    let now = state.now();
    p.body.plan.quality = plan::quality(&b.spots, &b.rules, &req.routes);
    p.body.plan.metering = plan::metering(&p.body.spots, &p.body.rules, &req.routes);
    p.body.plan.routes = req.routes;
    p.body.plan.method = "edited".into();
    if let Some(n) = req.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        p.name = n.chars().take(200).collect();
    }
    let entry = caller
        .record(state, EDIT)
        .object("patrol_plan", Some(id))
        .detail(json!({ "visits": p.body.plan.quality.visits, "risk_covered": p.body.plan.quality.risk_covered }))
        .build();
    store::update_draft(&state.store, id, p.version, &p.body, now, vec![entry]).await?;
    state.count_audit(1);
    get(state, id).await
}

/// The visit rows a published plan gives its units, each with the tactics suggested for it
/// from those the district uses (`utc_offset_s` places the stop's hour).
fn visit_rows(p: &PlanRecord, tactics: &[String], utc_offset_s: i64) -> Vec<VisitRecord> {
    let mut out = Vec::new();
    for route in &p.body.plan.routes {
        for (seq, v) in route.visits.iter().enumerate() {
            let Some(spot) = p.body.spots.get(v.spot) else {
                continue;
            };
            let hour = (v.arrive_us.div_euclid(1_000_000) + utc_offset_s)
                .div_euclid(3600)
                .rem_euclid(24);
            let suggested = p.body.why.get(v.spot).map_or_else(Vec::new, |w| {
                suggest(w, u32::try_from(hour).unwrap_or(0), tactics)
            });
            out.push(VisitRecord {
                plan_id: p.id.clone(),
                unit_id: route.unit.clone(),
                seq: i64::try_from(seq).unwrap_or(i64::MAX),
                spot_key: spot.key.clone(),
                spot_name: spot.name.clone(),
                area: spot.area.clone(),
                lon: spot.lon,
                lat: spot.lat,
                radius_m: spot.radius_m,
                arrive_at: Timestamp::from_micros(v.arrive_us),
                depart_at: Timestamp::from_micros(v.depart_us),
                status: "planned".into(),
                longest_stay_s: 0,
                inside_s: 0,
                entered_at: None,
                left_at: None,
                final_: false,
                suggested,
                tactics_used: Vec::new(),
            });
        }
    }
    out
}

/// Publishes a draft: its visits become the units' orders; on the stream and in the ledger.
pub async fn publish(
    state: &AppState,
    caller: &UserCaller,
    id: &str,
    version: i64,
) -> PatrolsResult<PlanView> {
    let p = load(state, id).await?;
    if let Some(e) = stale(&p, version) {
        return Err(e);
    }
    let now = state.now();
    if p.end_at <= now {
        return Err(PatrolsError::conflict(
            "shift_over",
            format!("plan {id}'s shift is over: draw up a new one"),
            serde_json::to_value(PlanView::from(p.clone())).unwrap_or_default(),
        ));
    }
    let busy = draw::busy_units(state, p.start_at, p.end_at, Some(id)).await?;
    if let Some((unit, other)) = busy
        .iter()
        .find(|(u, _)| p.body.crews.iter().any(|c| &c.unit == u))
    {
        return Err(PatrolsError::conflict(
            "unit_on_other_plan",
            format!("{unit} is already on published plan {other} for an overlapping shift"),
            serde_json::to_value(PlanView::from(p.clone())).unwrap_or_default(),
        ));
    }
    let tactics = crate::service::patrols(state).config().tactics;
    let offset = pingan_command::service::command(state)
        .config()
        .utc_offset_s;
    let visits = visit_rows(&p, &tactics, offset);
    let units: Vec<&str> = p.body.crews.iter().map(|c| c.unit.as_str()).collect();
    let entry = caller
        .record(state, PUBLISH)
        .object("patrol_plan", Some(id))
        .detail(json!({ "units": units, "visits": visits.len(), "seed": p.seed }))
        .build();
    store::publish(
        &state.store,
        &p,
        &visits,
        &caller.user.username,
        now,
        vec![entry],
    )
    .await?;
    state.count_audit(1);
    state
        .publish(StreamEvent::new(
            Topic::Patrols,
            "patrol.plan.published",
            now,
            json!({ "id": id, "name": p.name, "units": units, "start_at": p.start_at, "end_at": p.end_at }),
        ))
        .await;
    get(state, id).await
}

/// Cancels a plan; a published plan's visits stay on record as they were.
pub async fn cancel(
    state: &AppState,
    caller: &UserCaller,
    id: &str,
    version: i64,
) -> PatrolsResult<PlanView> {
    let p = load(state, id).await?;
    if p.state == PlanState::Cancelled || p.version != version {
        return Err(PatrolsError::conflict(
            if p.state == PlanState::Cancelled {
                "cancelled"
            } else {
                "conflict"
            },
            format!("plan {id} is {} at version {}", p.state.as_str(), p.version),
            serde_json::to_value(PlanView::from(p)).unwrap_or_default(),
        ));
    }
    let now = state.now();
    let entry = caller
        .record(state, CANCEL)
        .object("patrol_plan", Some(id))
        .detail(json!({ "was": p.state.as_str() }))
        .build();
    store::cancel(&state.store, id, version, now, vec![entry]).await?;
    state.count_audit(1);
    state
        .publish(StreamEvent::new(
            Topic::Patrols,
            "patrol.plan.cancelled",
            now,
            json!({ "id": id }),
        ))
        .await;
    get(state, id).await
}

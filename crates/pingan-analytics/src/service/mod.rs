//! The analysis use case: the events (posted, or the store's incidents, audited), the cache,
//! and the run on the blocking pool, at most [`MAX_CONCURRENT`] at once. The HTTP edge reads
//! and parses the body under a permit from [`permit`]; the command line calls `domain/` alone.

pub mod cache;

use crate::domain::input::{self, format_time, Crs, EventDto, EventFilter, EventKey, Input};
use crate::error::AnalyticsError;
use cache::{Cached, Key};
use pingan_command::domain::records::{CommandStore, IncidentFilter};
use pingan_core::Timestamp;
use pingan_server::auth::UserCaller;
use pingan_server::AppState;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Analyses running at once; more wait their turn.
pub const MAX_CONCURRENT: usize = 2;

/// The audit action of an analysis over the store's incidents.
pub const RUN_ACTION: &str = "analytics.run";

/// Where the events of an analysis come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The `events` array of the request.
    #[default]
    Events,
    /// The incidents in the store (received in the filter's window; type and town filtered here).
    Incidents,
}

/// The body of every analytics request.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "P: DeserializeOwned + Default")
)]
pub struct AnalyticsRequest<P> {
    #[serde(default)]
    pub source: Source,
    #[serde(default)]
    pub events: Vec<EventDto>,
    /// The events' coordinates: `EPSG:4326` (lon/lat, the default) or the name of a planar CRS
    /// in metres whose `x` and `y` the events carry ([`Crs`]).
    #[serde(default)]
    pub crs: Option<String>,
    #[serde(default)]
    pub filter: EventFilter,
    #[serde(default)]
    pub params: P,
}

/// One finished analysis and how it was obtained.
#[derive(Debug)]
pub struct Done {
    pub value: Arc<Cached>,
    pub cached: bool,
    pub version: String,
    pub given: usize,
    pub used: usize,
    pub filter: EventFilter,
    pub params: Value,
    pub crs: Crs,
}

/// A method's computation on the checked input.
pub type Compute<P> = fn(&Input, &P, &EventFilter) -> Result<Cached, AnalyticsError>;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(MAX_CONCURRENT))
}

/// Waits for one of the [`MAX_CONCURRENT`] analysis slots.
pub async fn permit() -> Result<SemaphorePermit<'static>, AnalyticsError> {
    permits()
        .acquire()
        .await
        .map_err(|e| AnalyticsError::Unavailable(format!("analytics are shutting down: {e}")))
}

/// Loads the incidents (if asked, audited), then filters, looks up the cache and computes on
/// the blocking pool. The caller holds a [`permit`].
pub async fn analyse<P>(
    state: &AppState,
    caller: &UserCaller,
    method: &'static str,
    mut body: AnalyticsRequest<P>,
    compute: Compute<P>,
) -> Result<Done, AnalyticsError>
where
    P: Serialize + Send + 'static,
{
    if body.source == Source::Incidents {
        if !body.events.is_empty() {
            return Err(AnalyticsError::invalid(
                "events",
                "give either events or source \"incidents\", not both",
            ));
        }
        if Crs::parse(body.crs.as_deref())?.is_planar() {
            return Err(AnalyticsError::invalid(
                "crs",
                "the store's incidents are in lon/lat: leave crs out",
            ));
        }
        body.events = incident_events(state, &body.filter).await?;
        let entry = caller
            .record(state, RUN_ACTION)
            .object("incidents", None)
            .detail(
                json!({ "method": method, "filter": body.filter, "incidents": body.events.len() }),
            )
            .build();
        state.audit(vec![entry]).await?;
    }
    tokio::task::spawn_blocking(move || run_blocking(method, body, compute))
        .await
        .map_err(AnalyticsError::internal)?
}

/// The incidents received in the filter's window, as events (type = the taxonomy code, town =
/// the resolved town's name, text = the description; the caller's contact is never read).
async fn incident_events(
    state: &AppState,
    filter: &EventFilter,
) -> Result<Vec<EventDto>, AnalyticsError> {
    let w = filter.window()?;
    let limit = u32::try_from(input::MAX_EVENTS + 1).unwrap_or(u32::MAX);
    let incidents = state
        .store
        .incidents(&IncidentFilter {
            from: w.from_micros.map(Timestamp::from_micros),
            to: w.to_micros.map(Timestamp::from_micros),
            limit,
            ..IncidentFilter::default()
        })
        .await?;
    if incidents.len() > input::MAX_EVENTS {
        return Err(AnalyticsError::invalid(
            "filter",
            format!(
                "more than {} incidents fall in the window: narrow it",
                input::MAX_EVENTS
            ),
        ));
    }
    if incidents.is_empty() {
        return Err(AnalyticsError::invalid(
            "filter",
            "no incidents in the store fall in the window",
        ));
    }
    Ok(incidents
        .into_iter()
        .map(|i| EventDto {
            id: EventKey::Text(i.id.0),
            lon: Some(i.location.lon),
            lat: Some(i.location.lat),
            x: None,
            y: None,
            time: format_time(i.times.received_at.micros(), 0),
            kind: i.incident_type.code().to_owned(),
            town: i.location.town_name.unwrap_or_default(),
            text: i.description,
        })
        .collect())
}

fn run_blocking<P>(
    method: &'static str,
    body: AnalyticsRequest<P>,
    compute: Compute<P>,
) -> Result<Done, AnalyticsError>
where
    P: Serialize,
{
    let crs = Crs::parse(body.crs.as_deref())?;
    let input = Input::new(body.events, &body.filter, crs)?;
    let params = serde_json::to_value(&body.params).map_err(AnalyticsError::internal)?;
    let key = Key::new(
        method,
        &json!({ "params": params, "filter": body.filter }),
        &input.version,
    );
    let (value, cached) = match cache::get(&key) {
        Some(hit) => (hit, true),
        None => {
            let value = Arc::new(compute(&input, &body.params, &body.filter)?);
            cache::put(key, value.clone());
            (value, false)
        }
    };
    Ok(Done {
        value,
        cached,
        given: input.given,
        used: input.records.len(),
        version: input.version,
        filter: body.filter,
        params,
        crs: input.crs,
    })
}

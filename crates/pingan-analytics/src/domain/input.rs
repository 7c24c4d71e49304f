//! The events an analysis runs on: parsing, validation with field-named errors, filtering,
//! projection and the data version used as part of the cache key.
//!
//! Events arrive as [`EventDto`]s (a JSON array in the request, or rows of a CSV/GeoJSON file in
//! the CLI). They are checked one by one so that an error names the event (`events[12].lon`),
//! then filtered by type, town and time window. The engine sees [`Event`]s whose id is the
//! record's position; [`Input::ids`] maps results back to the caller's ids.

use crate::error::AnalyticsError;
use chrono::{DateTime, FixedOffset, Offset, SecondsFormat, Utc};
use pingan_core::ValidationError;
use pingan_crimestat::projection::{LocalProjection, ProjectionKind};
use pingan_crimestat::{Event, EventId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use utoipa::ToSchema;

/// Most events one request may carry (the body limit is the other bound).
pub const MAX_EVENTS: usize = 50_000;
/// Longest accepted id, type or town, in characters.
const MAX_LABEL_CHARS: usize = 128;
/// Longest accepted modus-operandi text, in characters.
const MAX_TEXT_CHARS: usize = 4_000;
/// At most this many field errors are reported for one request.
const MAX_REPORTED_ERRORS: usize = 20;

/// An event's id as posted: a string or a non-negative integer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EventKey {
    Text(String),
    Number(u64),
}

impl EventKey {
    fn into_string(self) -> String {
        match self {
            EventKey::Text(s) => s,
            EventKey::Number(n) => n.to_string(),
        }
    }
}

/// One event as posted: `{id, lon, lat, time (RFC 3339), type, town, text}`, or with `x`
/// and `y` in metres instead of `lon` and `lat` when the request names a planar `crs`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDto {
    pub id: EventKey,
    /// WGS 84 longitude in degrees (requests in lon/lat, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// WGS 84 latitude in degrees (requests in lon/lat, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// Metres east in the request's planar `crs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    /// Metres north in the request's planar `crs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
    /// When it happened, RFC 3339 with an offset (`2026-03-01T21:15:00+08:00`).
    pub time: String,
    /// Offence type; empty when unknown.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Town or sub-district; empty when unknown.
    #[serde(default)]
    pub town: String,
    /// Modus-operandi text (used by linkage only).
    #[serde(default)]
    pub text: String,
}

/// Which events to keep: every given condition must hold. Times are RFC 3339; `from` is
/// inclusive and `to` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventFilter {
    /// Keep only these offence types (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// Keep only these towns (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub towns: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "pingan_core::time::de::text_opt"
    )]
    pub from: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "pingan_core::time::de::text_opt"
    )]
    pub to: Option<String>,
}

/// The filter with its times parsed (UTC microseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    pub from_micros: Option<i64>,
    pub to_micros: Option<i64>,
}

impl EventFilter {
    /// Parses and checks the window.
    ///
    /// # Errors
    /// A time that is not RFC 3339 (`filter.from`) or `from` not before `to` (`filter.to`).
    pub fn window(&self) -> Result<TimeWindow, AnalyticsError> {
        let from = self
            .from
            .as_deref()
            .map(|s| parse_time(s).ok_or_else(|| bad_time("filter.from")))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|s| parse_time(s).ok_or_else(|| bad_time("filter.to")))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if t <= f {
                return Err(AnalyticsError::invalid(
                    "filter.to",
                    "must be later than filter.from",
                ));
            }
        }
        Ok(TimeWindow {
            from_micros: from,
            to_micros: to,
        })
    }
}

fn bad_time(field: &str) -> AnalyticsError {
    AnalyticsError::invalid(
        field,
        "must be an RFC 3339 time with an offset (e.g. 2026-03-01T21:15:00+08:00) or UTC microseconds",
    )
}

/// A time as the API takes it (RFC 3339 with an offset, or UTC microseconds) as UTC
/// microseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    pingan_core::Timestamp::parse_api(s).map(|t| t.0)
}

/// UTC microseconds as RFC 3339 at a fixed offset (seconds east of UTC).
pub fn format_time(micros: i64, utc_offset_s: i32) -> String {
    let offset = FixedOffset::east_opt(utc_offset_s).unwrap_or_else(|| Utc.fix());
    DateTime::from_timestamp_micros(micros)
        .map(|t| {
            t.with_timezone(&offset)
                .to_rfc3339_opts(SecondsFormat::AutoSi, true)
        })
        .unwrap_or_default()
}

/// The coordinates a request's events are in (`crs`): WGS 84 longitude and latitude (the
/// default; `EPSG:4326`, `CRS84` and `OGC:CRS84` name it too), or any planar coordinate
/// reference system in metres, named by the caller (`EPSG:4547`, `local`), whose `x` and `y`
/// are used as given: distances are then exact in the caller's plane and grid cells can be
/// compared one by one with another tool's on the same plane and grid origin.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(untagged)]
pub enum Crs {
    #[default]
    #[serde(serialize_with = "lonlat_name")]
    LonLat,
    Planar(String),
}

fn lonlat_name<S: serde::Serializer>(s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("EPSG:4326")
}

/// Largest accepted planar coordinate, in metres (a projected CRS's false easting is well
/// under this).
const MAX_PLANAR_M: f64 = 1e8;

impl Crs {
    /// Reads the request's `crs`.
    ///
    /// # Errors
    /// A name that is empty, longer than 64 characters or not `[A-Za-z0-9:._ -]` (`crs`).
    pub fn parse(name: Option<&str>) -> Result<Self, ValidationError> {
        let Some(n) = name.map(str::trim) else {
            return Ok(Crs::LonLat);
        };
        if matches!(
            n.to_ascii_uppercase().as_str(),
            "EPSG:4326" | "CRS84" | "OGC:CRS84" | "WGS84"
        ) {
            return Ok(Crs::LonLat);
        }
        let ok = !n.is_empty()
            && n.chars().count() <= 64
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | ' ' | '-'));
        if !ok {
            return Err(ValidationError::new(
                "crs",
                "must be EPSG:4326 (lon/lat, the default) or the name of a planar CRS in metres (1–64 of A–Z a–z 0–9 : . _ - and space)",
            ));
        }
        Ok(Crs::Planar(n.to_owned()))
    }

    pub fn is_planar(&self) -> bool {
        matches!(self, Crs::Planar(_))
    }
}

/// The plane an analysis measures in: the local transverse Mercator plane of lon/lat events, or
/// the caller's own plane. Results come back in the request's coordinates.
#[derive(Debug, Clone)]
pub enum Plane {
    Projected(LocalProjection),
    Given(String),
}

impl Plane {
    /// A point of the plane (metres) in the request's coordinates: lon/lat to 7 decimals
    /// (about 1 cm), or metres to the millimetre.
    pub fn output(&self, x: f64, y: f64) -> [f64; 2] {
        match self {
            Plane::Projected(p) => {
                let (lon, lat) = p.inverse(x, y);
                [round_to(lon, 1e7), round_to(lat, 1e7)]
            }
            Plane::Given(_) => [round_to(x, 1e3), round_to(y, 1e3)],
        }
    }

    /// The name of the request's coordinates.
    pub fn crs_name(&self) -> &str {
        match self {
            Plane::Projected(_) => "EPSG:4326",
            Plane::Given(name) => name,
        }
    }

    /// How the plane is described in a result's `grid`.
    pub fn describe(&self) -> serde_json::Value {
        match self {
            Plane::Projected(p) => {
                let (lon0, lat0) = p.origin();
                serde_json::json!({
                    "crs": self.crs_name(), "projection": "transverse_mercator",
                    "origin": [round_to(lon0, 1e7), round_to(lat0, 1e7)],
                })
            }
            Plane::Given(_) => serde_json::json!({ "crs": self.crs_name(), "projection": "none" }),
        }
    }
}

fn round_to(v: f64, scale: f64) -> f64 {
    (v * scale).round() / scale
}

/// One checked event.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Position in the posted list (for error messages).
    pub index: usize,
    pub id: String,
    /// Longitude in degrees, or metres east in a planar CRS.
    pub lon: f64,
    /// Latitude in degrees, or metres north in a planar CRS.
    pub lat: f64,
    pub t_micros: i64,
    pub kind: String,
    pub town: String,
    pub text: String,
}

/// The checked, filtered events of one analysis and their data version.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub records: Vec<Record>,
    /// What the records' coordinates are.
    pub crs: Crs,
    /// How many events were given before filtering.
    pub given: usize,
    /// Hex SHA-256 of the filtered events: the "data version" of the cache key.
    pub version: String,
}

impl Input {
    /// Checks every event (reporting up to 20 field errors at once), then applies the filter.
    ///
    /// # Errors
    /// Field-named errors for bad events, too many events, no events, or a filter that leaves
    /// none (explained with the count before filtering).
    pub fn new(
        events: Vec<EventDto>,
        filter: &EventFilter,
        crs: Crs,
    ) -> Result<Self, AnalyticsError> {
        if events.is_empty() {
            return Err(AnalyticsError::invalid(
                "events",
                "at least one event is needed",
            ));
        }
        if events.len() > MAX_EVENTS {
            return Err(AnalyticsError::invalid(
                "events",
                format!(
                    "{} events given, at most {MAX_EVENTS} allowed",
                    events.len()
                ),
            ));
        }
        let window = filter.window()?;
        let given = events.len();
        let mut errors = Vec::new();
        let mut seen = HashSet::with_capacity(events.len());
        let mut records = Vec::with_capacity(events.len());
        for (index, e) in events.into_iter().enumerate() {
            match check_event(index, e, &mut seen, &crs) {
                Ok(r) => records.push(r),
                Err(err) => {
                    if errors.len() < MAX_REPORTED_ERRORS {
                        errors.push(err);
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(AnalyticsError::Invalid(errors));
        }
        records.retain(|r| {
            (filter.types.is_empty() || filter.types.contains(&r.kind))
                && (filter.towns.is_empty() || filter.towns.contains(&r.town))
                && window.from_micros.is_none_or(|f| r.t_micros >= f)
                && window.to_micros.is_none_or(|t| r.t_micros < t)
        });
        if records.is_empty() {
            return Err(AnalyticsError::invalid(
                "filter",
                format!("no events match the filter ({given} event(s) before filtering, 0 after)"),
            ));
        }
        let version = data_version(&records, &crs);
        Ok(Self {
            records,
            crs,
            given,
            version,
        })
    }

    /// The caller's id of engine event `id`.
    pub fn id_of(&self, id: EventId) -> &str {
        usize::try_from(id.0)
            .ok()
            .and_then(|i| self.records.get(i))
            .map_or("", |r| r.id.as_str())
    }

    /// Engine events with `x` = longitude and `y` = latitude (for H3 and the time methods); in
    /// a planar CRS, `x` and `y` as given.
    pub fn lonlat_events(&self) -> Vec<Event> {
        self.records
            .iter()
            .enumerate()
            .map(|(i, r)| Event {
                id: EventId(i as u64),
                x: r.lon,
                y: r.lat,
                t_micros: r.t_micros,
                kind: r.kind.clone(),
                town: r.town.clone(),
                text: r.text.clone(),
            })
            .collect()
    }

    /// The plane of the analysis: the caller's, for planar events; for lon/lat events the local
    /// projection centred on `origin`, or on the centre of the events' bounding box.
    ///
    /// # Errors
    /// An origin outside the valid range, or given for planar events (`params.origin`).
    pub fn plane(&self, origin: Option<[f64; 2]>) -> Result<Plane, AnalyticsError> {
        match &self.crs {
            Crs::LonLat => Ok(Plane::Projected(self.projection(origin)?)),
            Crs::Planar(name) if origin.is_some() => Err(AnalyticsError::invalid(
                "params.origin",
                format!("the events are planar ({name}): there is no projection to centre"),
            )),
            Crs::Planar(name) => Ok(Plane::Given(name.clone())),
        }
    }

    /// Engine events in metres of `plane`.
    pub fn plane_events(&self, plane: &Plane) -> Vec<Event> {
        match plane {
            Plane::Projected(p) => self.projected_events(p),
            Plane::Given(_) => self.lonlat_events(),
        }
    }

    /// The local projection centred on `origin`, or on the centre of the events' bounding box.
    ///
    /// # Errors
    /// An origin outside the valid range (`params.origin`).
    pub fn projection(&self, origin: Option<[f64; 2]>) -> Result<LocalProjection, AnalyticsError> {
        let [lon0, lat0] = origin.unwrap_or_else(|| {
            let (mut lo, mut la, mut hi, mut ha) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for r in &self.records {
                lo = lo.min(r.lon);
                hi = hi.max(r.lon);
                la = la.min(r.lat);
                ha = ha.max(r.lat);
            }
            [(lo + hi) / 2.0, (la + ha) / 2.0]
        });
        LocalProjection::new(ProjectionKind::TransverseMercator, lon0, lat0)
            .map_err(|e| AnalyticsError::invalid("params.origin", e.to_string()))
    }

    /// Engine events in metres east/north of the projection's origin.
    pub fn projected_events(&self, proj: &LocalProjection) -> Vec<Event> {
        let mut events = self.lonlat_events();
        for e in &mut events {
            let (x, y) = proj.forward(e.x, e.y);
            e.x = x;
            e.y = y;
        }
        events
    }
}

/// The event's two coordinates in the request's CRS, each checked by name.
fn coordinates(
    e: &EventDto,
    crs: &Crs,
    field: &dyn Fn(&str) -> String,
) -> Result<(f64, f64), ValidationError> {
    let (a, b, other) = match crs {
        Crs::LonLat => (("lon", e.lon), ("lat", e.lat), [("x", e.x), ("y", e.y)]),
        Crs::Planar(_) => (("x", e.x), ("y", e.y), [("lon", e.lon), ("lat", e.lat)]),
    };
    if let Some((name, _)) = other.iter().find(|(_, v)| v.is_some()) {
        let want = if crs.is_planar() {
            "x and y"
        } else {
            "lon and lat"
        };
        return Err(ValidationError::new(
            field(name),
            format!("the request's crs takes {want}, not {name}"),
        ));
    }
    let (Some(u), Some(v)) = (a.1, b.1) else {
        let missing = if a.1.is_none() { a.0 } else { b.0 };
        return Err(ValidationError::new(field(missing), "is required"));
    };
    if crs.is_planar() {
        for (name, v) in [(a.0, u), (b.0, v)] {
            if !(v.is_finite() && v.abs() < MAX_PLANAR_M) {
                return Err(ValidationError::new(
                    field(name),
                    "must be a finite number of metres under 10⁸ in magnitude",
                ));
            }
        }
        return Ok((u, v));
    }
    if !(u.is_finite() && (-180.0..=180.0).contains(&u)) {
        return Err(ValidationError::new(
            field("lon"),
            "must be a longitude in [-180, 180]",
        ));
    }
    if !(v.is_finite() && v.abs() < 85.0) {
        return Err(ValidationError::new(
            field("lat"),
            "must be a latitude in (-85, 85)",
        ));
    }
    Ok((u, v))
}

fn check_event(
    index: usize,
    e: EventDto,
    seen: &mut HashSet<String>,
    crs: &Crs,
) -> Result<Record, ValidationError> {
    let field = |name: &str| format!("events[{index}].{name}");
    let id = e.id.clone().into_string();
    if id.trim().is_empty() || id.chars().count() > MAX_LABEL_CHARS {
        return Err(ValidationError::new(
            field("id"),
            "must be 1–128 characters",
        ));
    }
    if !seen.insert(id.clone()) {
        return Err(ValidationError::new(
            field("id"),
            format!("duplicate id {id:?}"),
        ));
    }
    let (lon, lat) = coordinates(&e, crs, &field)?;
    let t_micros = parse_time(&e.time).ok_or_else(|| {
        ValidationError::new(
            field("time"),
            "must be an RFC 3339 time with an offset, e.g. 2026-03-01T21:15:00+08:00",
        )
    })?;
    if e.kind.chars().count() > MAX_LABEL_CHARS {
        return Err(ValidationError::new(
            field("type"),
            "at most 128 characters",
        ));
    }
    if e.town.chars().count() > MAX_LABEL_CHARS {
        return Err(ValidationError::new(
            field("town"),
            "at most 128 characters",
        ));
    }
    if e.text.chars().count() > MAX_TEXT_CHARS {
        return Err(ValidationError::new(
            field("text"),
            "at most 4000 characters",
        ));
    }
    Ok(Record {
        index,
        id,
        lon,
        lat,
        t_micros,
        kind: e.kind.trim().to_owned(),
        town: e.town.trim().to_owned(),
        text: e.text,
    })
}

/// SHA-256 over every field of every record, length-prefixed so that fields cannot run together.
fn data_version(records: &[Record], crs: &Crs) -> String {
    let mut h = Sha256::new();
    if let Crs::Planar(name) = crs {
        h.update(b"planar:");
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
    }
    for r in records {
        for s in [&r.id, &r.kind, &r.town, &r.text] {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
        h.update(r.lon.to_bits().to_le_bytes());
        h.update(r.lat.to_bits().to_le_bytes());
        h.update(r.t_micros.to_le_bytes());
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dto(id: &str, lon: f64, time: &str) -> EventDto {
        EventDto {
            id: EventKey::Text(id.into()),
            lon: Some(lon),
            lat: Some(35.0),
            x: None,
            y: None,
            time: time.into(),
            kind: "theft".into(),
            town: "A".into(),
            text: String::new(),
        }
    }

    fn fields(e: AnalyticsError) -> Vec<String> {
        match e {
            AnalyticsError::Invalid(errs) => errs.into_iter().map(|e| e.field).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_event_and_field() {
        let events = vec![
            dto("a", 118.9, "2026-03-01T10:00:00+08:00"),
            dto("b", 200.0, "2026-03-01T10:00:00+08:00"),
            dto("c", 118.9, "yesterday"),
            dto("a", 118.9, "2026-03-01T10:00:00+08:00"),
        ];
        let e = Input::new(events, &EventFilter::default(), Crs::LonLat).unwrap_err();
        assert_eq!(
            fields(e),
            ["events[1].lon", "events[2].time", "events[3].id"]
        );
    }

    #[test]
    fn an_empty_window_is_explained() {
        let events = vec![dto("a", 118.9, "2026-03-01T10:00:00+08:00")];
        let filter = EventFilter {
            from: Some("2027-01-01T00:00:00+08:00".into()),
            ..EventFilter::default()
        };
        let e = Input::new(events, &filter, Crs::LonLat).unwrap_err();
        assert!(e.to_string().contains("1 event(s) before filtering"), "{e}");
    }

    #[test]
    fn the_version_follows_the_data() {
        let a = Input::new(
            vec![dto("a", 118.9, "2026-03-01T10:00:00+08:00")],
            &EventFilter::default(),
            Crs::LonLat,
        )
        .unwrap();
        let b = Input::new(
            vec![dto("a", 118.91, "2026-03-01T10:00:00+08:00")],
            &EventFilter::default(),
            Crs::LonLat,
        )
        .unwrap();
        assert_ne!(a.version, b.version);
        assert_eq!(
            a.version,
            Input::new(
                vec![dto("a", 118.9, "2026-03-01T10:00:00+08:00")],
                &EventFilter::default(),
                Crs::LonLat
            )
            .unwrap()
            .version
        );
    }

    #[test]
    fn planar_events_take_x_and_y_and_name_what_is_wrong() {
        let planar = Crs::parse(Some("EPSG:4547")).unwrap();
        assert_eq!(Crs::parse(Some("epsg:4326")).unwrap(), Crs::LonLat);
        assert_eq!(Crs::parse(None).unwrap(), Crs::LonLat);
        assert_eq!(Crs::parse(Some("<script>")).unwrap_err().field, "crs");
        let mut a = dto("a", 118.9, "2026-03-01T10:00:00+08:00");
        (a.lon, a.lat, a.x, a.y) = (None, None, Some(500_000.0), Some(3_880_000.0));
        let mut b = a.clone();
        b.id = EventKey::Text("b".into());
        b.lon = Some(118.9);
        let mut c = a.clone();
        c.id = EventKey::Text("c".into());
        c.y = None;
        let mut d = a.clone();
        d.id = EventKey::Text("d".into());
        d.x = Some(f64::INFINITY);
        let e = Input::new(
            vec![a.clone(), b, c, d],
            &EventFilter::default(),
            planar.clone(),
        )
        .unwrap_err();
        assert_eq!(fields(e), ["events[1].lon", "events[2].y", "events[3].x"]);
        let input = Input::new(vec![a.clone()], &EventFilter::default(), planar.clone()).unwrap();
        assert_eq!(
            (input.records[0].lon, input.records[0].lat),
            (500_000.0, 3_880_000.0)
        );
        assert_eq!(
            fields(input.plane(Some([117.0, 35.0])).unwrap_err()),
            ["params.origin"]
        );
        let plane = input.plane(None).unwrap();
        assert_eq!(plane.output(500_000.123_4, 1.0), [500_000.123, 1.0]);
        // The same numbers as lon/lat are refused (x and y belong to a planar CRS) …
        let e = Input::new(vec![a], &EventFilter::default(), Crs::LonLat).unwrap_err();
        assert_eq!(fields(e), ["events[0].x"]);
        // … and the CRS is part of the data version.
        let ll = Input::new(
            vec![dto("a", 118.9, "2026-03-01T10:00:00+08:00")],
            &EventFilter::default(),
            Crs::LonLat,
        )
        .unwrap();
        let mut same = dto("a", 0.0, "2026-03-01T10:00:00+08:00");
        (same.lon, same.lat, same.x, same.y) = (None, None, Some(118.9), Some(35.0));
        let pl = Input::new(vec![same], &EventFilter::default(), planar).unwrap();
        assert_ne!(ll.version, pl.version);
    }

    #[test]
    fn times_round_trip() {
        let t = parse_time("2026-03-01T10:00:00+08:00").unwrap();
        assert_eq!(format_time(t, 28_800), "2026-03-01T10:00:00+08:00");
    }
}

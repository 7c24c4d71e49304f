//! The investigative queries Q1–Q7: their request shape, the caps that keep them proportionate,
//! and their execution on the in-memory index. Authorisation, purpose, approval and audit are
//! the service's (`service/queries.rs`).

use crate::config::PlateConfig;
use crate::domain::records::CheckpointBinding;
use crate::error::PlatesError;
use pingan_reads::index::{
    Bucket, CoTravelParams, PartialPlateParams, ReadIndex, ReadRow, Scene, Window, HOUR_US,
};
use pingan_reads::pattern::PlatePattern;
use pingan_reads::plate::{Plate, PlateColour, PlateStatus, PlateType};
use pingan_reads::read::CheckpointId;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// One scene of Q4: checkpoints given by code, or every bound checkpoint within `radius_m` of
/// a point, during a window.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SceneSpec {
    #[serde(default)]
    pub checkpoints: Vec<u32>,
    #[serde(default)]
    pub near: Option<Near>,
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Near {
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowBucket {
    Hour,
    Day,
}

/// A query; times are UTC microseconds, windows `[from, to)`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PlateQuery {
    /// Q1: a plate's reads in a window, time-ordered, with checkpoint positions.
    Trajectory {
        plate: String,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        from: i64,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        to: i64,
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Q2: reads at checkpoints in a window.
    AtCheckpoints {
        checkpoints: Vec<u32>,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        from: i64,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        to: i64,
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Q3: co-travel (伴随).
    CoTravel {
        plate: String,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        from: i64,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        to: i64,
        delta_s: u32,
        min_occasions: u32,
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Q4: multi-scene intersection (碰撞).
    MultiScene {
        scenes: Vec<SceneSpec>,
        #[serde(default)]
        min_scenes: Option<usize>,
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Q5: partial plate.
    PartialPlate {
        pattern: String,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        from: i64,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        to: i64,
        #[serde(default)]
        expand_confusables: bool,
        #[serde(default)]
        plate_colour: Option<String>,
        #[serde(default)]
        plate_type: Option<u8>,
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Q6: reads per checkpoint per hour or (district) day.
    Flows {
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        from: i64,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        to: i64,
        bucket: FlowBucket,
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Q7: plates whose first retained read falls in the window.
    FirstSeen {
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        from: i64,
        #[serde(deserialize_with = "pingan_core::time::de::micros")]
        to: i64,
        #[serde(default)]
        limit: Option<usize>,
    },
}

/// The district's UTC offset for day buckets (China Standard Time has no daylight saving).
pub const DAY_BUCKET_OFFSET_US: i64 = 8 * HOUR_US;

impl PlateQuery {
    pub fn name(&self) -> &'static str {
        match self {
            PlateQuery::Trajectory { .. } => "trajectory",
            PlateQuery::AtCheckpoints { .. } => "at_checkpoints",
            PlateQuery::CoTravel { .. } => "co_travel",
            PlateQuery::MultiScene { .. } => "multi_scene",
            PlateQuery::PartialPlate { .. } => "partial_plate",
            PlateQuery::Flows { .. } => "flows",
            PlateQuery::FirstSeen { .. } => "first_seen",
        }
    }

    fn windows(&self) -> Vec<(i64, i64)> {
        match self {
            PlateQuery::Trajectory { from, to, .. }
            | PlateQuery::AtCheckpoints { from, to, .. }
            | PlateQuery::CoTravel { from, to, .. }
            | PlateQuery::PartialPlate { from, to, .. }
            | PlateQuery::Flows { from, to, .. }
            | PlateQuery::FirstSeen { from, to, .. } => vec![(*from, *to)],
            PlateQuery::MultiScene { scenes, .. } => {
                scenes.iter().map(|s| (s.from, s.to)).collect()
            }
        }
    }

    fn limit(&self) -> Option<usize> {
        match self {
            PlateQuery::Trajectory { limit, .. }
            | PlateQuery::AtCheckpoints { limit, .. }
            | PlateQuery::CoTravel { limit, .. }
            | PlateQuery::MultiScene { limit, .. }
            | PlateQuery::PartialPlate { limit, .. }
            | PlateQuery::Flows { limit, .. }
            | PlateQuery::FirstSeen { limit, .. } => *limit,
        }
    }

    /// The earliest instant the query reaches (for the second-approval rule).
    pub fn earliest(&self) -> i64 {
        self.windows().iter().map(|w| w.0).min().unwrap_or(i64::MAX)
    }

    /// Checks windows and sizes against the caps; returns the effective result limit.
    pub fn check(&self, c: &PlateConfig) -> Result<usize, PlatesError> {
        let max_window = if matches!(self, PlateQuery::MultiScene { .. }) {
            c.max_scene_window_us()
        } else {
            c.max_window_us()
        };
        for (i, (from, to)) in self.windows().into_iter().enumerate() {
            let field = if matches!(self, PlateQuery::MultiScene { .. }) {
                format!("query.scenes[{i}].to")
            } else {
                "query.to".to_owned()
            };
            if to <= from {
                return Err(PlatesError::invalid(field, "must be later than from"));
            }
            if to.saturating_sub(from) > max_window {
                return Err(PlatesError::invalid(
                    field,
                    format!(
                        "the window is longer than the {} s cap",
                        max_window / 1_000_000
                    ),
                ));
            }
        }
        self.check_shape(c)?;
        let limit = self.limit().unwrap_or(c.default_limit);
        if limit == 0 || limit > c.max_limit {
            return Err(PlatesError::invalid(
                "query.limit",
                format!("must be 1–{}", c.max_limit),
            ));
        }
        Ok(limit)
    }

    /// Checks the parameters particular to each kind (co-travel's Δt, the scenes of Q4, the
    /// checkpoints of Q2).
    fn check_shape(&self, c: &PlateConfig) -> Result<(), PlatesError> {
        match self {
            PlateQuery::CoTravel {
                delta_s,
                min_occasions,
                ..
            } => {
                if i64::from(*delta_s) * 1_000_000 > c.max_delta_us() || *delta_s == 0 {
                    return Err(PlatesError::invalid(
                        "query.delta_s",
                        format!("must be 1–{} s", c.max_delta_us() / 1_000_000),
                    ));
                }
                if *min_occasions == 0 {
                    return Err(PlatesError::invalid(
                        "query.min_occasions",
                        "must be at least 1",
                    ));
                }
            }
            PlateQuery::MultiScene {
                scenes, min_scenes, ..
            } => {
                if !(2..=5).contains(&scenes.len()) {
                    return Err(PlatesError::invalid("query.scenes", "give 2–5 scenes"));
                }
                for (i, s) in scenes.iter().enumerate() {
                    if let Some(n) = s.near {
                        if !(n.radius_m > 0.0 && n.radius_m <= c.max_radius_m) {
                            return Err(PlatesError::invalid(
                                format!("query.scenes[{i}].near.radius_m"),
                                format!("must be in (0, {}] metres", c.max_radius_m),
                            ));
                        }
                    } else if s.checkpoints.is_empty() {
                        return Err(PlatesError::invalid(
                            format!("query.scenes[{i}]"),
                            "give checkpoints or near",
                        ));
                    }
                }
                if let Some(m) = min_scenes {
                    if *m < 1 || *m > scenes.len() {
                        return Err(PlatesError::invalid(
                            "query.min_scenes",
                            "must be 1..number of scenes",
                        ));
                    }
                }
            }
            PlateQuery::AtCheckpoints { checkpoints, .. }
                if checkpoints.is_empty() || checkpoints.len() > 64 =>
            {
                return Err(PlatesError::invalid(
                    "query.checkpoints",
                    "give 1–64 checkpoints",
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

fn row_json(r: &ReadRow<'_>) -> Value {
    json!({
        "read_id": r.read_id.0, "plate": r.plate, "plate_status": PlateStatus::of(r.plate).as_str(),
        "checkpoint": r.checkpoint.0, "lane": r.lane,
        "direction": r.direction.as_str(), "ts": r.ts_us, "vehicle_colour": r.vehicle_colour,
        "vehicle_type": r.vehicle_type, "vehicle_brand": r.vehicle_brand,
        "plate_colour": r.plate_colour.map(PlateColour::name), "plate_type": r.plate_type.map(PlateType::code),
        "confidence": r.confidence.as_f64(),
    })
}

fn plate(field: &str, text: &str) -> Result<String, PlatesError> {
    Plate::parse(text)
        .map(|p| p.as_str().to_owned())
        .map_err(|e| PlatesError::invalid(field, e.to_string()))
}

fn index_err(e: pingan_reads::index::IndexError) -> PlatesError {
    PlatesError::invalid("query", e.to_string())
}

/// Runs a checked query; returns the JSON answer and its row count.
pub fn run(
    index: &ReadIndex,
    q: &PlateQuery,
    limit: usize,
    bindings: &[CheckpointBinding],
) -> Result<(Value, usize), PlatesError> {
    let (rows, truncated, extra) = match q {
        PlateQuery::Trajectory {
            plate: p, from, to, ..
        } => trajectory(index, p, from, to, limit, bindings)?,
        PlateQuery::AtCheckpoints {
            checkpoints,
            from,
            to,
            ..
        } => at_checkpoints(index, checkpoints, from, to, limit)?,
        PlateQuery::CoTravel {
            plate: p,
            from,
            to,
            delta_s,
            min_occasions,
            ..
        } => co_travel(index, p, from, to, delta_s, min_occasions, limit)?,
        PlateQuery::MultiScene {
            scenes, min_scenes, ..
        } => multi_scene(index, scenes, min_scenes, limit, bindings)?,
        PlateQuery::PartialPlate {
            pattern,
            from,
            to,
            expand_confusables,
            plate_colour,
            plate_type,
            ..
        } => partial_plate(
            index,
            pattern,
            from,
            to,
            expand_confusables,
            plate_colour,
            plate_type,
            limit,
        )?,
        PlateQuery::Flows {
            from, to, bucket, ..
        } => flows(index, from, to, bucket, limit)?,
        PlateQuery::FirstSeen { from, to, .. } => first_seen(index, from, to, limit)?,
    };
    let n = rows.len();
    let mut out = json!({ "kind": q.name(), "count": n, "truncated": truncated, "rows": rows });
    if let Some(Value::Object(extra)) = extra {
        for (k, v) in extra {
            out[k] = v;
        }
    }
    Ok((out, n))
}

/// Rows, whether they were cut at the limit, and extra members of the answer.
type Answer = (Vec<Value>, bool, Option<Value>);

/// Trajectory: see [`PlateQuery::Trajectory`].
fn trajectory(
    index: &ReadIndex,
    p: &str,
    from: &i64,
    to: &i64,
    limit: usize,
    bindings: &[CheckpointBinding],
) -> Result<Answer, PlatesError> {
    let p = plate("query.plate", p)?;
    let res = index.trajectory(&p, Window::new(*from, *to), limit);
    let used: std::collections::BTreeSet<u32> = res.rows.iter().map(|r| r.checkpoint.0).collect();
    let positions: serde_json::Map<String, Value> = bindings
        .iter()
        .filter(|b| used.contains(&b.code))
        .map(|b| {
            (
                b.code.to_string(),
                json!({ "checkpoint_id": b.checkpoint_id, "name": b.name, "lon": b.lon, "lat": b.lat }),
            )
        })
        .collect();
    Ok((
        res.rows.iter().map(row_json).collect(),
        res.truncated,
        Some(json!({ "checkpoints": positions })),
    ))
}

/// AtCheckpoints: see [`PlateQuery::AtCheckpoints`].
fn at_checkpoints(
    index: &ReadIndex,
    checkpoints: &[u32],
    from: &i64,
    to: &i64,
    limit: usize,
) -> Result<Answer, PlatesError> {
    let cps: Vec<CheckpointId> = checkpoints.iter().map(|c| CheckpointId(*c)).collect();
    let res = index.at_checkpoints(&cps, Window::new(*from, *to), limit);
    Ok((res.rows.iter().map(row_json).collect(), res.truncated, None))
}

/// CoTravel: see [`PlateQuery::CoTravel`].
fn co_travel(
    index: &ReadIndex,
    p: &str,
    from: &i64,
    to: &i64,
    delta_s: &u32,
    min_occasions: &u32,
    limit: usize,
) -> Result<Answer, PlatesError> {
    let p = plate("query.plate", p)?;
    let res = index
        .co_travel(&CoTravelParams {
            plate: &p,
            window: Window::new(*from, *to),
            delta_us: i64::from(*delta_s) * 1_000_000,
            min_occasions: *min_occasions,
            limit,
        })
        .map_err(index_err)?;
    let rows = res
        .rows
        .iter()
        .map(|c| {
            json!({
                "plate": c.plate, "plate_status": PlateStatus::of(c.plate).as_str(), "occasions": c.occasions,
                "passes": c.passes.iter().map(|o| json!({
                    "target_read": o.target_read.0, "checkpoint": o.checkpoint.0,
                    "target_ts": o.target_ts_us, "companion_read": o.companion_read.0,
                    "companion_ts": o.companion_ts_us,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok((rows, res.truncated, None))
}

/// MultiScene: see [`PlateQuery::MultiScene`].
fn multi_scene(
    index: &ReadIndex,
    scenes: &[SceneSpec],
    min_scenes: &Option<usize>,
    limit: usize,
    bindings: &[CheckpointBinding],
) -> Result<Answer, PlatesError> {
    let mut resolved = Vec::with_capacity(scenes.len());
    for s in scenes {
        let mut cps: Vec<CheckpointId> = s.checkpoints.iter().map(|c| CheckpointId(*c)).collect();
        if let Some(n) = s.near {
            cps.extend(
                bindings
                    .iter()
                    .filter(|b| match (b.lon, b.lat) {
                        (Some(lon), Some(lat)) => {
                            pingan_spatial::projection::haversine_m((n.lon, n.lat), (lon, lat))
                                <= n.radius_m
                        }
                        _ => false,
                    })
                    .map(|b| CheckpointId(b.code)),
            );
        }
        cps.sort_unstable();
        cps.dedup();
        resolved.push(Scene {
            checkpoints: cps,
            window: Window::new(s.from, s.to),
        });
    }
    let res = index
        .multi_scene(&resolved, *min_scenes, limit)
        .map_err(index_err)?;
    let rows = res
        .rows
        .iter()
        .map(|h| {
            let scenes: Vec<usize> = (0..resolved.len())
                .filter(|i| h.scenes & (1 << i) != 0)
                .collect();
            json!({ "plate": h.plate, "plate_status": PlateStatus::of(h.plate).as_str(), "scenes": scenes })
        })
        .collect();
    Ok((rows, res.truncated, None))
}

/// PartialPlate: see [`PlateQuery::PartialPlate`].
#[expect(
    clippy::too_many_arguments,
    reason = "the query's own fields, passed as they are matched"
)]
fn partial_plate(
    index: &ReadIndex,
    pattern: &str,
    from: &i64,
    to: &i64,
    expand_confusables: &bool,
    plate_colour: &Option<String>,
    plate_type: &Option<u8>,
    limit: usize,
) -> Result<Answer, PlatesError> {
    let pattern = PlatePattern::parse(pattern)
        .map_err(|e| PlatesError::invalid("query.pattern", e.to_string()))?;
    let colour = plate_colour
        .as_deref()
        .map(|c| {
            PlateColour::parse(c)
                .ok_or_else(|| PlatesError::invalid("query.plate_colour", "unknown colour"))
        })
        .transpose()?;
    let ptype = plate_type
        .map(|t| {
            PlateType::from_code(t)
                .ok_or_else(|| PlatesError::invalid("query.plate_type", "unknown type code"))
        })
        .transpose()?;
    let res = index.partial_plate(&PartialPlateParams {
        pattern: &pattern,
        window: Window::new(*from, *to),
        expand_confusables: *expand_confusables,
        plate_colour: colour,
        plate_type: ptype,
        limit,
    });
    let rows = res
        .rows
        .iter()
        .map(|c| json!({ "plate": c.plate, "plate_status": PlateStatus::of(c.plate).as_str(), "reads": c.reads }))
        .collect();
    Ok((rows, res.truncated, None))
}

/// Flows: see [`PlateQuery::Flows`].
fn flows(
    index: &ReadIndex,
    from: &i64,
    to: &i64,
    bucket: &FlowBucket,
    limit: usize,
) -> Result<Answer, PlatesError> {
    let b = match bucket {
        FlowBucket::Hour => Bucket::Hour,
        FlowBucket::Day => Bucket::Day {
            utc_offset_us: DAY_BUCKET_OFFSET_US,
        },
    };
    let res = index
        .flows(b, Window::new(*from, *to), limit)
        .map_err(index_err)?;
    let rows = res
        .rows
        .iter()
        .map(|f| json!({ "checkpoint": f.checkpoint.0, "bucket_start": f.bucket_start_us, "reads": f.reads }))
        .collect();
    Ok((rows, res.truncated, None))
}

/// FirstSeen: see [`PlateQuery::FirstSeen`].
fn first_seen(
    index: &ReadIndex,
    from: &i64,
    to: &i64,
    limit: usize,
) -> Result<Answer, PlatesError> {
    let res = index.first_seen(Window::new(*from, *to), limit);
    let rows = res
        .rows
        .iter()
        .map(|f| json!({ "plate": f.plate, "plate_status": PlateStatus::of(f.plate).as_str(), "first_ts": f.first_ts_us, "reads": f.reads }))
        .collect();
    Ok((rows, res.truncated, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_by_kind_and_refuse_unknown_fields() {
        let q: PlateQuery =
            serde_json::from_str(r#"{"kind":"trajectory","plate":"鲁Q12345","from":0,"to":10}"#)
                .unwrap();
        assert_eq!(q.name(), "trajectory");
        assert!(serde_json::from_str::<PlateQuery>(
            r#"{"kind":"trajectory","plate":"x","from":0,"to":1,"x":1}"#
        )
        .is_err());
    }

    #[test]
    fn caps_refuse_long_windows() {
        let c = PlateConfig::default();
        let q = PlateQuery::FirstSeen {
            from: 0,
            to: c.max_window_us() + 1,
            limit: None,
        };
        assert!(q.check(&c).is_err());
        let q = PlateQuery::FirstSeen {
            from: 0,
            to: 10,
            limit: Some(c.max_limit + 1),
        };
        assert!(q.check(&c).is_err());
    }
}

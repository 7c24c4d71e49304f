//! The patrol cars' field logs over the history, to the report's figures: over 90 services to
//! the public and 31 disputes mediated or cases solved on patrol, beside stops and checks, found
//! property and hazards. Each log falls inside one of the roster's shifts, at a key place of that
//! shift's route (a few tens of metres off), and names no one.

use crate::model::{DutyShift, FieldLog, KeyPlace};
use crate::rng::stream;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::json;

/// How many of each kind the history holds (the report: 90+ services; 31 disputes mediated or
/// cases solved).
pub const COUNTS: [(&str, usize); 6] = [
    ("service", 93),
    ("mediation", 17),
    ("case_solved", 14),
    ("stop_check", 180),
    ("found_property", 11),
    ("hazard", 9),
];

const SERVICES: [&str; 6] = [
    "directions",
    "elderly_help",
    "lost_child",
    "vehicle_breakdown",
    "medical_help",
    "escort",
];
const DISPUTES: [&str; 5] = ["neighbours", "traffic", "commercial", "family", "labour"];
const STOP_OUTCOMES: [&str; 4] = ["no_action", "advised", "warned", "item_seized"];
const STOP_REASONS: [&str; 4] = [
    "suspicious_behaviour",
    "suspicious_goods",
    "matches_description",
    "traffic",
];
const HAZARDS: [&str; 4] = ["road_damage", "fallen_tree", "flooding", "fire_risk"];
const ITEMS: [&str; 4] = ["钱包", "手机", "钥匙", "电动车电瓶"];

fn detail(kind: &str, rng: &mut impl Rng, n: usize) -> serde_json::Value {
    let pick = |rng: &mut dyn rand::RngCore, xs: &[&str]| xs[rng.gen_range(0..xs.len())].to_owned();
    match kind {
        "service" => json!({ "service": pick(rng, &SERVICES) }),
        "mediation" => json!({
            "parties": rng.gen_range(2..=4), "dispute": pick(rng, &DISPUTES),
            "outcome": if rng.gen_bool(0.85) { "resolved" } else { "referred" },
        }),
        "case_solved" => json!({ "reference": format!("CASE-PATROL-{n:03}") }),
        "stop_check" => {
            json!({ "outcome": pick(rng, &STOP_OUTCOMES), "reason": pick(rng, &STOP_REASONS) })
        }
        "found_property" => json!({ "item": pick(rng, &ITEMS) }),
        _ => json!({ "hazard": pick(rng, &HAZARDS) }),
    }
}

/// The logs of the shifts that ended before `until`, oldest first.
pub(crate) fn logs(
    seed: u64,
    duty: &[DutyShift],
    key_places: &[KeyPlace],
    until: i64,
) -> Vec<FieldLog> {
    let mut rng = stream(seed, "fieldlogs");
    let shifts: Vec<&DutyShift> = duty
        .iter()
        .filter(|s| s.end <= until && !s.route.is_empty())
        .collect();
    if shifts.is_empty() || key_places.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (kind, count) in COUNTS {
        for n in 0..count {
            let Some(shift) = shifts.choose(&mut rng) else {
                break;
            };
            let at = rng.gen_range(shift.start..shift.end);
            let kp_id = &shift.route[rng.gen_range(0..shift.route.len())];
            let kp = key_places
                .iter()
                .find(|k| &k.id == kp_id)
                .unwrap_or(&key_places[0]);
            let (dx, dy): (f64, f64) = (
                rng.gen_range(-0.0004..0.0004),
                rng.gen_range(-0.0004..0.0004),
            );
            out.push(FieldLog {
                id: String::new(),
                at,
                unit: shift.unit.clone(),
                kind: kind.to_owned(),
                detail: detail(kind, &mut rng, n + 1),
                position: (kp.position.0 + dx, kp.position.1 + dy),
            });
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.unit.cmp(&b.unit)));
    for (i, l) in out.iter_mut().enumerate() {
        l.id = format!("PL-DEMO-{:05}", i + 1);
    }
    out
}

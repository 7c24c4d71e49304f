//! The patrol side of `pingan demo`'s live world: plans drawn up and published through the API
//! for the cars on patrol, and the simulated cars sent along their stops.

use super::demo::Desk;
use pingan_demo::LiveSim;

/// The patrol side of the live world: the command centre draws up and publishes a plan for the
/// units on patrol for the next eight hours, through the API as a person would; the simulated
/// cars then drive to its stops and stay their planned minutes, so their GPS confirms the visits.
#[derive(Debug, Default)]
pub(super) struct Patrols {
    /// The end of the shift the cars have their stops for (UTC µs).
    until: i64,
    /// When to look again (UTC µs).
    next_look: i64,
}

/// The demo's shift length.
const SHIFT_US: i64 = 8 * 3_600_000_000;

impl Patrols {
    pub(super) async fn ensure(
        &mut self,
        desk: &mut Desk,
        client: &reqwest::Client,
        base: &str,
        sim: &mut LiveSim,
        (start, speed): (i64, f64),
    ) {
        let now = super::now().micros();
        if now < self.next_look || now < self.until - 30 * 60_000_000 {
            return;
        }
        self.next_look = now + 10 * 60_000_000;
        let units = sim.patrol_units();
        let body = serde_json::json!({
            "name": "演示巡逻班次", "start": pingan_core::Timestamp(now).to_rfc3339(),
            "end": pingan_core::Timestamp(now + SHIFT_US).to_rfc3339(),
            "units": units, "history_days": 90, "max_hot_cells": 60,
        });
        let plan = match desk.post(client, base, "/patrols/plans", body).await {
            Some(draft) => {
                let id = draft["id"].as_str().unwrap_or_default().to_owned();
                let version = serde_json::json!({ "version": draft["version"] });
                desk.post(
                    client,
                    base,
                    &format!("/patrols/plans/{id}/publish"),
                    version,
                )
                .await
            }
            // The cars are already on a published plan (a restarted demo): follow that one.
            None => desk
                .get(client, base, "/patrols/plans")
                .await
                .and_then(|plans| {
                    plans
                        .as_array()?
                        .iter()
                        .rev()
                        .find(|p| {
                            p["state"] == "published"
                                && p["end_at"].as_i64().is_some_and(|e| e > now)
                        })
                        .cloned()
                }),
        };
        let Some(plan) = plan else { return };
        self.until = plan["end_at"].as_i64().unwrap_or(now + SHIFT_US);
        // The simulation's clock runs `speed` times as fast as the wall clock from `start`.
        let sim_time = |wall: i64| start + ((wall - start) as f64 * speed) as i64;
        let spots = plan["spots"].as_array().cloned().unwrap_or_default();
        for route in plan["plan"]["routes"].as_array().into_iter().flatten() {
            let stops: Vec<((f64, f64), i64)> = route["visits"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| {
                    let spot = spots.get(usize::try_from(v["spot"].as_u64()?).ok()?)?;
                    Some((
                        (spot["lon"].as_f64()?, spot["lat"].as_f64()?),
                        sim_time(v["depart_us"].as_i64()?),
                    ))
                })
                .collect();
            sim.set_orders(route["unit"].as_str().unwrap_or_default(), &stops);
        }
    }
}

/// Loads the patrol cars' field logs of the history (one ledger entry for the batch), each
/// placed in its town and grid, written by the demo's officer; and the roster's past shifts.
pub(super) async fn load_logs(
    store: &pingan_db::Store,
    district: &pingan_demo::District,
    geography: &pingan_spatial::geography::Geography,
) -> anyhow::Result<()> {
    use pingan_core::Timestamp;
    use pingan_patrols::domain::logs::{LogDetail, LogKind};
    use pingan_patrols::domain::records::LogRecord;
    let mut rows = Vec::with_capacity(district.field_logs.len());
    for l in &district.field_logs {
        let kind = LogKind::parse(&l.kind)
            .ok_or_else(|| anyhow::anyhow!("demo field log {}: unknown kind {}", l.id, l.kind))?;
        let detail: LogDetail = serde_json::from_value(l.detail.clone())?;
        detail
            .check(kind)
            .map_err(|e| anyhow::anyhow!("demo field log {}: {e}", l.id))?;
        let loc = geography.locate(l.position.0, l.position.1);
        rows.push(LogRecord {
            id: l.id.clone(),
            at: Timestamp(l.at),
            unit_id: l.unit.0.clone(),
            officer: "officer".into(),
            kind,
            detail,
            lon: l.position.0,
            lat: l.position.1,
            town_id: loc.town.map(|t| t.0),
            grid_id: loc.grid.map(|g| g.0),
            plan_id: None,
            visit_seq: None,
            corrects: None,
            recorded_at: Timestamp(l.at),
        });
    }
    let entry = super::demo_load::demo_import("patrol_log", rows.len());
    let n = pingan_patrols::store::import_logs(store, &rows, entry).await?;
    // The roster's past shifts are the patrol hours (each car's crew signed on for its shift).
    let duties: Vec<pingan_patrols::domain::records::Duty> = district
        .duty
        .iter()
        .filter(|s| s.end <= district.config.start_day)
        .map(|s| pingan_patrols::domain::records::Duty {
            officer: format!("crew-{}", s.unit.0),
            unit_id: s.unit.0.clone(),
            start_at: Timestamp(s.start),
            end_at: Some(Timestamp(s.end)),
        })
        .collect();
    let entry = super::demo_load::demo_import("patrol_duty", duties.len());
    let shifts = pingan_patrols::store::import_duties(store, &duties, entry).await?;
    tracing::info!(logs = n, shifts, "patrol field logs and shifts loaded");
    Ok(())
}

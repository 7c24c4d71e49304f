//! The patrol side of `pingan demo`'s live world: plans drawn up and published through the API
//! for the cars on patrol, and the simulated cars sent along their stops.

use super::demo::Desk;
use pingan_demo::LiveSim;

/// The patrol side of the live world: the command centre draws up and publishes a plan for the
/// units on patrol for the next eight hours, through the API as a person would; the simulated
/// cars then drive to its stops and stay their planned minutes, so their GPS confirms the visits.
///
/// Drawing up a plan takes a while (the history, the road network, the planner), so it runs in
/// a task of its own with its own sign-in: the live world goes on meanwhile, and the cars get
/// their stops on the first step after the plan is published.
#[derive(Debug, Default)]
pub(super) struct Patrols {
    /// The end of the shift the cars have their stops for (UTC µs).
    until: i64,
    /// When to look again (UTC µs).
    next_look: i64,
    /// The plan being drawn up and published, arriving here when it is.
    pending: Option<tokio::sync::oneshot::Receiver<Option<serde_json::Value>>>,
}

/// The demo's shift length.
const SHIFT_US: i64 = 8 * 3_600_000_000;

/// Draws up a plan for `units` from `now` and publishes it; or, when the cars are already on a
/// published plan (a restarted demo), that plan.
async fn publish_plan(base: String, units: Vec<String>, now: i64) -> Option<serde_json::Value> {
    let client = reqwest::Client::new();
    let mut desk = Desk::default();
    let body = serde_json::json!({
        "name": "演示巡逻班次", "start": pingan_core::Timestamp(now).to_rfc3339(),
        "end": pingan_core::Timestamp(now + SHIFT_US).to_rfc3339(),
        "units": units, "history_days": 90, "max_hot_cells": 60,
    });
    match desk.post(&client, &base, "/patrols/plans", body).await {
        Some(draft) => {
            let id = draft["id"].as_str().unwrap_or_default().to_owned();
            let version = serde_json::json!({ "version": draft["version"] });
            desk.post(
                &client,
                &base,
                &format!("/patrols/plans/{id}/publish"),
                version,
            )
            .await
        }
        None => desk
            .get(&client, &base, "/patrols/plans")
            .await
            .and_then(|plans| {
                plans
                    .as_array()?
                    .iter()
                    .rev()
                    .find(|p| {
                        p["state"] == "published" && p["end_at"].as_i64().is_some_and(|e| e > now)
                    })
                    .cloned()
            }),
    }
}

impl Patrols {
    /// Starts drawing up the next shift's plan when it is time, and gives the cars the stops of
    /// a plan that has been published since the last step.
    pub(super) fn ensure(&mut self, base: &str, sim: &mut LiveSim, (start, speed): (i64, f64)) {
        let now = super::now().micros();
        if let Some(rx) = self.pending.as_mut() {
            match rx.try_recv() {
                Ok(plan) => {
                    self.pending = None;
                    if let Some(plan) = plan {
                        self.follow(&plan, sim, now, (start, speed));
                    }
                }
                Err(tokio::sync::oneshot::error::TryRecvError::Empty) => {}
                Err(tokio::sync::oneshot::error::TryRecvError::Closed) => self.pending = None,
            }
        }
        if self.pending.is_some() || now < self.next_look || now < self.until - 30 * 60_000_000 {
            return;
        }
        self.next_look = now + 10 * 60_000_000;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (base, units) = (base.to_owned(), sim.patrol_units());
        tokio::spawn(async move {
            // The live loop may be gone by then; the plan stays published either way.
            let _ = tx.send(publish_plan(base, units, now).await);
        });
        self.pending = Some(rx);
    }

    /// Sends the cars along a published plan's stops.
    fn follow(
        &mut self,
        plan: &serde_json::Value,
        sim: &mut LiveSim,
        now: i64,
        (start, speed): (i64, f64),
    ) {
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

//! The watch-list (布控): entries created with a purpose and case, approved by a second person,
//! cancelled (撤控) with a reason; and the alerts they raise, acknowledged (签收) with an outcome.
//! An entry matches only once approved, until cancelled, within its validity window.

use super::{write, Plates};
use crate::domain::names::{Action, Event};
use crate::domain::records::{AlertRecord, WatchRecord};
use crate::domain::watch::{alert_json, WatchDraft, WatchView};
use crate::error::{PlatesError, PlatesResult};
use pingan_core::access::Permission;
use pingan_core::event::{StreamEvent, Topic};
use pingan_core::purpose::StatedPurpose;
use pingan_server::auth::{new_id, UserCaller};
use pingan_server::AppState;
use serde_json::{json, Value};

impl Plates {
    /// Every entry, newest first.
    pub async fn watch_entries(&self, state: &AppState) -> PlatesResult<Vec<WatchView>> {
        let now = state.now().micros();
        Ok(self
            .records(state)
            .watch_entries()
            .await?
            .into_iter()
            .map(|w| WatchView::of(w, now))
            .collect())
    }

    /// Creates a pending entry; it matches once another person approves it.
    pub async fn create_watch(
        &self,
        state: &AppState,
        caller: &UserCaller,
        purpose: Option<&StatedPurpose>,
        draft: &WatchDraft,
    ) -> PlatesResult<WatchView> {
        let purpose = caller
            .require_purpose(state, Permission::ManageWatchlist, purpose)
            .await?;
        let case_ref = purpose.reference.clone().ok_or_else(|| {
            PlatesError::invalid(
                "purpose.reference",
                "a watch-list entry needs a case reference",
            )
        })?;
        let now = state.now().micros();
        let checked = draft.check(now)?;
        // A random 46-bit id: numeric because the matcher keys entries by integer.
        let id = new_id("")
            .get(..12)
            .and_then(|h| i64::from_str_radix(h, 16).ok())
            .unwrap_or(now)
            & 0x3FFF_FFFF_FFFF;
        let w = WatchRecord {
            id,
            target: checked.target,
            reason: draft.reason.as_str().to_owned(),
            case_ref,
            note: draft.note.clone(),
            valid_from: checked.valid_from,
            valid_to: draft.valid_to,
            receivers: json!({ "roles": checked.roles, "users": draft.receivers.users }),
            created_by: caller.user.username.clone(),
            created_at: now,
            approved_by: None,
            approved_at: None,
            cancelled_by: None,
            cancelled_at: None,
            cancel_reason: None,
        };
        let entry = caller
            .record(state, Action::CreateWatch.as_str())
            .object("watch_entry", Some(&id.to_string()))
            .purpose(&purpose)
            .detail(json!({ "target": w.target, "reason": w.reason, "valid_from": w.valid_from, "valid_to": w.valid_to }))
            .build();
        let n = self.records(state).create_watch(&w, entry).await?;
        state.count_audit(n);
        Ok(self.announce_watch(state, Event::WatchCreated, w).await)
    }

    /// Approves another person's pending entry; it starts matching at once.
    pub async fn approve_watch(
        &self,
        state: &AppState,
        caller: &UserCaller,
        id: i64,
    ) -> PlatesResult<WatchView> {
        let records = self.records(state);
        let current = records.watch_entry(id).await?;
        if current.created_by == caller.user.username {
            return Err(PlatesError::Forbidden(
                "the approver must be a different person from the creator".into(),
            ));
        }
        let entry = caller
            .record(state, Action::ApproveWatch.as_str())
            .object("watch_entry", Some(&id.to_string()))
            .detail(json!({ "created_by": current.created_by, "case_ref": current.case_ref }))
            .build();
        let w = records
            .approve_watch(id, &caller.user.username, state.now().micros(), entry)
            .await?
            .ok_or_else(|| {
                PlatesError::Conflict(format!("watch-list entry {id} is not pending"))
            })?;
        state.count_audit(1);
        write(&self.watch).apply(&w);
        Ok(self.announce_watch(state, Event::WatchApproved, w).await)
    }

    /// Cancels (撤控) an entry; it stops matching at once.
    pub async fn cancel_watch(
        &self,
        state: &AppState,
        caller: &UserCaller,
        id: i64,
        reason: &str,
    ) -> PlatesResult<WatchView> {
        let reason = reason.trim();
        let n = reason.chars().count();
        if n == 0 || n > 500 {
            return Err(PlatesError::invalid("reason", "must be 1–500 characters"));
        }
        let records = self.records(state);
        let current = records.watch_entry(id).await?;
        let entry = caller
            .record(state, Action::CancelWatch.as_str())
            .object("watch_entry", Some(&id.to_string()))
            .detail(json!({ "reason": reason, "case_ref": current.case_ref }))
            .build();
        let w = records
            .cancel_watch(
                id,
                &caller.user.username,
                state.now().micros(),
                reason,
                entry,
            )
            .await?
            .ok_or_else(|| {
                PlatesError::Conflict(format!("watch-list entry {id} is already cancelled"))
            })?;
        state.count_audit(1);
        write(&self.watch).apply(&w);
        Ok(self.announce_watch(state, Event::WatchCancelled, w).await)
    }

    /// Alerts, newest first, each with the entry it hit (as the stream shows it).
    pub async fn alerts(
        &self,
        state: &AppState,
        open_only: bool,
        limit: u32,
    ) -> PlatesResult<Vec<Value>> {
        let records = self.records(state);
        let rows = records.alerts(open_only, limit).await?;
        let entries: std::collections::HashMap<i64, Value> = records
            .watch_entries()
            .await?
            .into_iter()
            .map(|w| {
                let entry =
                    json!({ "target": w.target, "reason": w.reason, "case_ref": w.case_ref });
                (w.id, entry)
            })
            .collect();
        Ok(rows
            .iter()
            .map(|a| alert_json(a, entries.get(&a.entry_id).cloned()))
            .collect())
    }

    /// Acknowledges (签收) an alert with its outcome, and tells the other handlers.
    pub async fn ack_alert(
        &self,
        state: &AppState,
        caller: &UserCaller,
        id: &str,
        outcome: &str,
        note: Option<&str>,
    ) -> PlatesResult<AlertRecord> {
        if note.is_some_and(|n| n.chars().count() > 500) {
            return Err(PlatesError::invalid("note", "at most 500 characters"));
        }
        let now = state.now();
        let entry = caller
            .record(state, Action::AckAlert.as_str())
            .object("alert", Some(id))
            .detail(json!({ "outcome": outcome }))
            .build();
        let a = self
            .records(state)
            .ack_alert(
                id,
                &caller.user.username,
                now.micros(),
                outcome,
                note,
                entry,
            )
            .await?
            .ok_or_else(|| PlatesError::Conflict(format!("alert {id} is already acknowledged")))?;
        state.count_audit(1);
        state
            .publish(StreamEvent::new(
                Topic::Alerts,
                Event::AlertAcked.as_str(),
                now,
                alert_json(&a, None),
            ))
            .await;
        Ok(a)
    }

    /// Tells alert handlers (the `alerts` topic) that the watch-list changed, so their lists
    /// follow; returns the entry as shown.
    async fn announce_watch(&self, state: &AppState, event: Event, w: WatchRecord) -> WatchView {
        let now = state.now();
        let view = WatchView::of(w, now.micros());
        let data = serde_json::to_value(&view).unwrap_or_default();
        state
            .publish(StreamEvent::new(Topic::Alerts, event.as_str(), now, data))
            .await;
        view
    }
}

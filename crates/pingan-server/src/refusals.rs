//! Repeated refusals from one source become one counted ledger entry per window, so that nobody
//! without an account can fill the disk through the ledger (whose rows cannot be deleted).
//!
//! The first refusal of a source in a window is written in full; later ones in the same window
//! are only counted; when the window has passed, one summary entry records how many there were,
//! from when to when, and a few of the names tried. Pending counts are written by
//! [`Refusals::flush`], which the server runs every window and at shutdown.

use pingan_core::audit::NewAuditEntry;
use pingan_core::Timestamp;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

/// Sources tracked at once; past this, new sources share one bucket (`*`).
const MAX_SOURCES: usize = 10_000;
/// Names kept in a summary (the count is always exact).
const MAX_NAMES: usize = 10;

#[derive(Debug)]
struct Pending {
    since: Timestamp,
    /// The first refusal of the window, written in full; the summary is built from it.
    first: NewAuditEntry,
    counted: u64,
    names: BTreeSet<String>,
}

#[derive(Debug)]
pub struct Refusals {
    window_us: i64,
    pending: Mutex<HashMap<String, Pending>>,
}

impl Refusals {
    pub fn new(window: std::time::Duration) -> Self {
        Self {
            window_us: i64::try_from(window.as_micros()).unwrap_or(i64::MAX).max(1),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Notes one refusal from `source` (an address); returns the entries to write now: the
    /// refusal itself when it opens a window, plus the summary of a window it closes.
    pub fn note(&self, source: &str, entry: NewAuditEntry) -> Vec<NewAuditEntry> {
        let now = entry.at;
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let key = if map.len() >= MAX_SOURCES && !map.contains_key(source) {
            "*".to_owned()
        } else {
            source.to_owned()
        };
        let mut out = Vec::new();
        if let Some(p) = map.get_mut(&key) {
            if now.micros() - p.since.micros() < self.window_us {
                p.counted += 1;
                if p.names.len() < MAX_NAMES {
                    p.names.insert(entry.actor.clone());
                }
                return out;
            }
            if let Some(p) = map.remove(&key) {
                out.extend(summary(p, now));
            }
        }
        map.insert(
            key,
            Pending {
                since: now,
                first: entry.clone(),
                counted: 0,
                names: BTreeSet::new(),
            },
        );
        out.push(entry);
        out
    }

    /// Summaries of every window that has passed by `now` (all of them when `all`), removed.
    pub fn flush(&self, now: Timestamp, all: bool) -> Vec<NewAuditEntry> {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let due: Vec<String> = map
            .iter()
            .filter(|(_, p)| all || now.micros() - p.since.micros() >= self.window_us)
            .map(|(k, _)| k.clone())
            .collect();
        due.into_iter()
            .filter_map(|k| map.remove(&k))
            .filter_map(|p| summary(p, now))
            .collect()
    }
}

/// The counted entry of a window, when anything was counted after its first refusal.
fn summary(p: Pending, now: Timestamp) -> Option<NewAuditEntry> {
    (p.counted > 0).then(|| NewAuditEntry {
        at: now,
        actor: "(repeated)".into(),
        request_id: None,
        detail: serde_json::json!({
            "repeated": p.counted,
            "from": p.since,
            "to": now,
            "names": p.names,
            "first": p.first.detail,
        }),
        ..p.first
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pingan_core::audit::AuditBuilder;

    fn refusal(at_s: i64, name: &str) -> NewAuditEntry {
        AuditBuilder::new(Timestamp(at_s * 1_000_000), name, None, "auth.login")
            .object("session", None)
            .build()
    }

    #[test]
    fn a_flood_from_one_source_is_one_entry_and_one_count_per_window() {
        let r = Refusals::new(std::time::Duration::from_secs(60));
        let mut written = Vec::new();
        for i in 0..2_000 {
            written.extend(r.note("10.0.0.9", refusal(i / 100, &format!("u{i}"))));
        }
        // 2,000 refusals within 20 s: the first, nothing else until the window ends.
        assert_eq!(written.len(), 1);
        let flushed = r.flush(Timestamp(61_000_000), false);
        assert_eq!(flushed.len(), 1);
        assert_eq!(flushed[0].detail["repeated"], 1_999);
        assert_eq!(
            flushed[0].detail["names"].as_array().map(Vec::len),
            Some(MAX_NAMES)
        );
        // Another source is its own window.
        assert_eq!(r.note("10.0.0.8", refusal(70, "x")).len(), 1);
        // A refusal after the window opens a new one and closes the old.
        let again = r.note("10.0.0.8", refusal(71, "x"));
        assert!(again.is_empty());
        let next = r.note("10.0.0.8", refusal(200, "x"));
        assert_eq!(next.len(), 2, "{next:?}");
        assert!(r.flush(Timestamp(201_000_000), true).is_empty());
    }
}

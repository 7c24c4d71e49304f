//! The audit ledger's maths: entries, their hash chain, and verification.
//!
//! Each entry carries `prev_hash` (the previous entry's hash; the genesis value for the first)
//! and `hash = SHA-256(canonical bytes of the entry including prev_hash)`. Editing an entry
//! breaks its own hash; deleting or reordering entries breaks the next entry's `prev_hash` or the
//! sequence. [`verify_chain`] names the first entry where the chain breaks.
//!
//! What this does not protect against: someone with write access to the database who rewrites
//! the *whole* tail of the chain consistently, or truncates it. `pingan audit verify` prints the
//! head hash so that it can be recorded elsewhere (a signed report, a second system) and compared.

use crate::access::Role;
use crate::purpose::Purpose;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    /// Refused by access rules (no permission, no purpose, no reference).
    Denied,
    /// Attempted and failed (bad password, invalid input, error).
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Success, Outcome::Denied, Outcome::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "success" => Some(Outcome::Success),
            "denied" => Some(Outcome::Denied),
            "failed" => Some(Outcome::Failed),
            _ => None,
        }
    }
}

/// An entry as the caller describes it, before the ledger numbers and chains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    pub at: Timestamp,
    /// The user name, `device:<id>`, or `system`.
    pub actor: String,
    pub role: Option<Role>,
    /// A dotted verb such as `user.create`, `auth.login`, `plates.trajectory`.
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub purpose: Option<Purpose>,
    /// The case or incident reference stated for the access.
    pub reference: Option<String>,
    pub request_id: Option<String>,
    pub outcome: Outcome,
    /// Parameters, result counts, free-text detail. Never the personal data itself.
    pub detail: serde_json::Value,
}

/// Builds a [`NewAuditEntry`] by name instead of six positional strings:
/// `AuditBuilder::new(at, actor, role, Action::Query.as_str()).object("plate_query", Some(id))
/// .purpose(&stated).detail(json!({…})).build()`.
#[derive(Debug, Clone)]
pub struct AuditBuilder {
    entry: NewAuditEntry,
    /// The stated purpose's free-text detail, wrapped around the detail at build time.
    purpose_detail: Option<String>,
}

impl AuditBuilder {
    /// A successful action by `actor` with no object, purpose or detail yet.
    pub fn new(at: Timestamp, actor: impl Into<String>, role: Option<Role>, action: &str) -> Self {
        Self {
            entry: NewAuditEntry {
                at,
                actor: actor.into(),
                role,
                action: action.to_owned(),
                object_type: String::new(),
                object_id: None,
                purpose: None,
                reference: None,
                request_id: None,
                outcome: Outcome::Success,
                detail: serde_json::Value::Null,
            },
            purpose_detail: None,
        }
    }

    /// What the action was on.
    #[must_use]
    pub fn object(mut self, object_type: &str, object_id: Option<&str>) -> Self {
        self.entry.object_type = object_type.to_owned();
        self.entry.object_id = object_id.map(str::to_owned);
        self
    }

    /// The purpose and reference stated for the access (its free-text detail is kept too).
    #[must_use]
    pub fn purpose(mut self, p: &crate::purpose::StatedPurpose) -> Self {
        self.entry.purpose = Some(p.purpose);
        self.entry.reference = p.reference.clone();
        self.purpose_detail = p.detail.clone();
        self
    }

    /// Parameters and counts (never the personal data itself).
    #[must_use]
    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.entry.detail = detail;
        self
    }

    #[must_use]
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.entry.outcome = outcome;
        self
    }

    #[must_use]
    pub fn request_id(mut self, id: Option<String>) -> Self {
        self.entry.request_id = id;
        self
    }

    pub fn build(self) -> NewAuditEntry {
        let mut e = self.entry;
        if let Some(d) = self.purpose_detail {
            e.detail = serde_json::json!({ "detail": d, "result": e.detail });
        }
        e
    }
}

/// An entry as stored: numbered and chained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub role: Option<Role>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub purpose: Option<Purpose>,
    pub reference: Option<String>,
    pub request_id: Option<String>,
    pub outcome: Outcome,
    /// Parameters and result counts; `null` when the action has none.
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl NewAuditEntry {
    /// Numbers and chains this entry after `prev` (`None` for the first entry).
    pub fn chain(self, prev: Option<(i64, &str)>) -> AuditEntry {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let mut entry = AuditEntry {
            seq,
            at: self.at,
            actor: self.actor,
            role: self.role,
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            purpose: self.purpose,
            reference: self.reference,
            request_id: self.request_id,
            outcome: self.outcome,
            detail: self.detail,
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }
}

impl AuditEntry {
    /// SHA-256 over an unambiguous encoding of every field but `hash`: each field is written as
    /// its byte length and its bytes, so no two different entries encode alike.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(b"pingan-audit-v1");
        field(&self.seq.to_be_bytes());
        field(&self.at.micros().to_be_bytes());
        field(self.actor.as_bytes());
        field(self.role.map(Role::as_str).unwrap_or("").as_bytes());
        field(self.action.as_bytes());
        field(self.object_type.as_bytes());
        field(self.object_id.as_deref().unwrap_or("").as_bytes());
        field(self.purpose.map(Purpose::as_str).unwrap_or("").as_bytes());
        field(self.reference.as_deref().unwrap_or("").as_bytes());
        field(self.request_id.as_deref().unwrap_or("").as_bytes());
        field(self.outcome.as_str().as_bytes());
        // serde_json writes object keys in a stable (sorted) order without the
        // `preserve_order` feature, so the same value always hashes alike.
        field(self.detail.to_string().as_bytes());
        field(self.prev_hash.as_bytes());
        hex::encode(h.finalize())
    }
}

/// Where and why a chain stopped verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first entry that does not verify.
    pub seq: i64,
    pub reason: BreakReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// The entry's contents do not match its hash: it was edited.
    HashMismatch,
    /// The entry does not point at the entry before it: something before it was removed,
    /// inserted or reordered.
    PrevHashMismatch,
    /// Sequence numbers are not consecutive: an entry is missing or out of order.
    SequenceGap { expected: i64 },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            BreakReason::HashMismatch => write!(
                f,
                "entry {} was altered: its contents no longer match its hash",
                self.seq
            ),
            BreakReason::PrevHashMismatch => write!(
                f,
                "entry {} does not follow the entry before it (an entry was removed, inserted or reordered)",
                self.seq
            ),
            BreakReason::SequenceGap { expected } => write!(
                f,
                "entry {} found where entry {expected} was expected (entries missing or reordered)",
                self.seq
            ),
        }
    }
}

/// Incremental verifier, so that a ledger of millions of entries can be checked page by page.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    last: Option<(i64, String)>,
    checked: u64,
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next entry in storage order.
    pub fn push(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        let (expected_seq, expected_prev) = match &self.last {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS_HASH),
        };
        if entry.seq != expected_seq {
            return Err(ChainBreak {
                seq: entry.seq,
                reason: BreakReason::SequenceGap {
                    expected: expected_seq,
                },
            });
        }
        if entry.prev_hash != expected_prev {
            return Err(ChainBreak {
                seq: entry.seq,
                reason: BreakReason::PrevHashMismatch,
            });
        }
        if entry.compute_hash() != entry.hash {
            return Err(ChainBreak {
                seq: entry.seq,
                reason: BreakReason::HashMismatch,
            });
        }
        self.last = Some((entry.seq, entry.hash.clone()));
        self.checked += 1;
        Ok(())
    }

    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The hash of the last verified entry: record it elsewhere to detect truncation later.
    pub fn head(&self) -> Option<(i64, &str)> {
        self.last.as_ref().map(|(s, h)| (*s, h.as_str()))
    }
}

/// Verifies a whole chain held in memory.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<u64, ChainBreak> {
    let mut v = ChainVerifier::new();
    for e in entries {
        v.push(e)?;
    }
    Ok(v.checked())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: i64) -> NewAuditEntry {
        NewAuditEntry {
            at: Timestamp(1_000_000 * i),
            actor: format!("user{i}"),
            role: Some(Role::Investigator),
            action: "plates.trajectory".into(),
            object_type: "plate".into(),
            object_id: Some("鲁Q12345".into()),
            purpose: Some(Purpose::CriminalInvestigation),
            reference: Some("CASE-1".into()),
            request_id: None,
            outcome: Outcome::Success,
            detail: serde_json::json!({"rows": i}),
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|e| (e.seq, e.hash.as_str()));
            let e = entry(i).chain(prev);
            out.push(e);
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
    }

    #[test]
    fn an_edit_is_named() {
        let mut c = chain(5);
        c[2].actor = "someone else".into();
        assert_eq!(
            verify_chain(&c).unwrap_err(),
            ChainBreak {
                seq: 3,
                reason: BreakReason::HashMismatch
            }
        );
    }

    #[test]
    fn a_deletion_is_named() {
        let mut c = chain(5);
        c.remove(1);
        let err = verify_chain(&c).unwrap_err();
        assert_eq!(err.seq, 3);
    }

    #[test]
    fn a_reorder_is_named() {
        let mut c = chain(5);
        c.swap(1, 2);
        assert_eq!(verify_chain(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn a_renumbered_deletion_is_caught_by_prev_hash() {
        let mut c = chain(5);
        c.remove(1);
        for (i, e) in c.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        let err = verify_chain(&c).unwrap_err();
        assert_eq!(err.seq, 2);
        assert_eq!(err.reason, BreakReason::PrevHashMismatch);
    }
}

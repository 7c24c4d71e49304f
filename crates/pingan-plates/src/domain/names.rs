//! The capability's names on the wire and in the ledger: audit actions and stream event kinds,
//! typed so that a handler cannot misspell one and a reader finds every use of each.
//!
//! The strings are those ledgers already hold (`plates.query` is counted by the transparency
//! report; `watchlist.*` and `alert.ack` predate the one-noun rule and stay so that old entries
//! and new ones read alike).

/// An audit action of plate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// One of Q1–Q7 ran (the transparency report counts these).
    Query,
    BindCheckpoints,
    RequestApproval,
    ApproveQuery,
    RejectQuery,
    AddEvidence,
    ReadEvidence,
    CreateWatch,
    ApproveWatch,
    CancelWatch,
    AckAlert,
}

impl Action {
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Query => "plates.query",
            Action::BindCheckpoints => "plates.checkpoints.bind",
            Action::RequestApproval => "plates.approval.request",
            Action::ApproveQuery => "plates.approval.approve",
            Action::RejectQuery => "plates.approval.reject",
            Action::AddEvidence => "plates.evidence.add",
            Action::ReadEvidence => "plates.evidence.read",
            Action::CreateWatch => "watchlist.create",
            Action::ApproveWatch => "watchlist.approve",
            Action::CancelWatch => "watchlist.cancel",
            Action::AckAlert => "alert.ack",
        }
    }
}

/// A stream event kind of plate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A read matched a watch-list entry (to the entry's receiving roles).
    Hit,
    WatchCreated,
    WatchApproved,
    WatchCancelled,
    AlertAcked,
    /// A retention pass ran.
    Retention,
}

impl Event {
    pub const fn as_str(self) -> &'static str {
        match self {
            Event::Hit => "watchlist.hit",
            Event::WatchCreated => "watchlist.created",
            Event::WatchApproved => "watchlist.approved",
            Event::WatchCancelled => "watchlist.cancelled",
            Event::AlertAcked => "watchlist.ack",
            Event::Retention => "plates.retention",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dotted_and_distinct() {
        let actions = [
            Action::Query,
            Action::BindCheckpoints,
            Action::RequestApproval,
            Action::ApproveQuery,
            Action::RejectQuery,
            Action::AddEvidence,
            Action::ReadEvidence,
            Action::CreateWatch,
            Action::ApproveWatch,
            Action::CancelWatch,
            Action::AckAlert,
        ];
        let names: std::collections::BTreeSet<_> = actions.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), actions.len());
        assert!(names.iter().all(|n| n.contains('.')));
    }
}

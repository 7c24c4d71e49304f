//! The video network's names in the ledger and on the stream, typed so that a handler cannot
//! misspell one. The strings are those ledgers already hold.

/// A kind of registry record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Platform,
    Camera,
    Checkpoint,
}

impl Record {
    pub const fn as_str(self) -> &'static str {
        match self {
            Record::Platform => "platform",
            Record::Camera => "camera",
            Record::Checkpoint => "checkpoint",
        }
    }
}

/// What was done to a registry record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Create,
    Update,
    Delete,
    Import,
}

impl Verb {
    pub const fn as_str(self) -> &'static str {
        match self {
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Delete => "delete",
            Verb::Import => "import",
        }
    }
}

/// An audit action of the video network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `{record}.{verb}`: `camera.create`, `checkpoint.import`, …
    Registry(Record, Verb),
    /// A search of detection events (behind a purpose).
    SearchDetections,
}

impl Action {
    pub fn name(self) -> String {
        match self {
            Action::Registry(r, v) => format!("{}.{}", r.as_str(), v.as_str()),
            Action::SearchDetections => "detections.search".to_owned(),
        }
    }
}

/// A stream event kind of the video network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// `registry.{record}.changed|deleted|imported`.
    Registry(Record, Verb),
    DeviceOnline,
    DeviceOffline,
    Detection,
}

impl Event {
    pub fn name(self) -> String {
        match self {
            Event::Registry(r, v) => format!(
                "registry.{}.{}",
                r.as_str(),
                match v {
                    Verb::Create | Verb::Update => "changed",
                    Verb::Delete => "deleted",
                    Verb::Import => "imported",
                }
            ),
            Event::DeviceOnline => "device.online".to_owned(),
            Event::DeviceOffline => "device.offline".to_owned(),
            Event::Detection => "detection".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_those_the_ledger_and_the_stream_already_hold() {
        assert_eq!(
            Action::Registry(Record::Camera, Verb::Create).name(),
            "camera.create"
        );
        assert_eq!(
            Action::Registry(Record::Checkpoint, Verb::Import).name(),
            "checkpoint.import"
        );
        assert_eq!(Action::SearchDetections.name(), "detections.search");
        assert_eq!(
            Event::Registry(Record::Platform, Verb::Update).name(),
            "registry.platform.changed"
        );
        assert_eq!(
            Event::Registry(Record::Camera, Verb::Delete).name(),
            "registry.camera.deleted"
        );
        assert_eq!(
            Event::Registry(Record::Checkpoint, Verb::Import).name(),
            "registry.checkpoint.imported"
        );
    }
}

//! The documented MQTT topic layout: `pingan/v1/{device_kind}/{device_id}/{stream}`.
//!
//! Every device publishes under its own kind and id, so the broker's ACL can confine a device to
//! its topics with one pattern (`pattern write pingan/v1/+/%u/#`) and pingan can check the kind
//! and id against its device registry. Parsing never panics on any input (a property test checks
//! it) and names the part that is wrong.

use std::fmt;
use std::str::FromStr;

use pingan_core::account::DeviceKind;
use pingan_core::ids::{check_id, DeviceId};

/// The first two levels of every pingan topic; the version lets a later layout live beside this one.
pub const TOPIC_PREFIX: &str = "pingan/v1";

/// The topic filter that matches every device topic of this layout version.
pub const ALL_DEVICE_TOPICS: &str = "pingan/v1/#";

/// Longest topic text copied into an error, so that a hostile 64 KiB topic does not flood logs.
const MAX_ECHO: usize = 96;

/// What a device publishes on a topic. Add a variant when a capability adds a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Plate reads from a checkpoint.
    Reads,
    /// Liveness of a camera, platform or recorder.
    Heartbeat,
    /// GPS fixes of a patrol unit.
    Position,
    /// Detection events from a recorder or platform.
    Detections,
}

impl Stream {
    /// Every stream, in documentation order.
    pub const ALL: [Stream; 4] = [
        Stream::Reads,
        Stream::Heartbeat,
        Stream::Position,
        Stream::Detections,
    ];

    /// The topic level that names this stream.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Reads => "reads",
            Stream::Heartbeat => "heartbeat",
            Stream::Position => "position",
            Stream::Detections => "detections",
        }
    }

    /// Parses a topic level; `None` when no stream has that name.
    pub fn parse(level: &str) -> Option<Stream> {
        Stream::ALL.into_iter().find(|s| s.as_str() == level)
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed device topic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Topic {
    /// The kind named in the topic; the handler checks it matches the registered device.
    pub kind: DeviceKind,
    /// The device the topic belongs to; the broker lets only that device publish here.
    pub device_id: DeviceId,
    /// What the payload carries.
    pub stream: Stream,
}

/// Why a topic does not follow the layout. Each variant carries the offending part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    /// The topic does not start with `pingan/v1/`.
    #[error("topic `{topic}` does not start with `{TOPIC_PREFIX}/`")]
    WrongPrefix { topic: String },
    /// The topic has the prefix but not exactly three more levels.
    #[error("topic `{topic}` has {levels} levels; the layout is pingan/v1/KIND/DEVICE_ID/STREAM")]
    WrongLevels { topic: String, levels: usize },
    /// The kind level is not a known device kind.
    #[error("unknown device kind `{kind}` in topic")]
    UnknownKind { kind: String },
    /// The device id level is not a valid id.
    #[error("invalid device id `{device_id}` in topic: 1-64 characters of letters, digits, '-', '_', '.' or ':'")]
    InvalidDeviceId { device_id: String },
    /// The stream level is not a known stream.
    #[error("unknown stream `{stream}` in topic")]
    UnknownStream { stream: String },
}

impl Topic {
    /// Builds a topic, validating the device id the same way parsing does.
    pub fn new(kind: DeviceKind, device_id: DeviceId, stream: Stream) -> Result<Topic, TopicError> {
        if check_id("device_id", device_id.as_str()).is_err() {
            return Err(TopicError::InvalidDeviceId {
                device_id: echo(device_id.as_str()),
            });
        }
        Ok(Topic {
            kind,
            device_id,
            stream,
        })
    }

    /// Parses a topic name as received from the broker.
    pub fn parse(topic: &str) -> Result<Topic, TopicError> {
        let Some(rest) = topic
            .strip_prefix(TOPIC_PREFIX)
            .and_then(|r| r.strip_prefix('/'))
        else {
            return Err(TopicError::WrongPrefix { topic: echo(topic) });
        };
        let levels: Vec<&str> = rest.split('/').collect();
        let [kind, device_id, stream] = levels.as_slice() else {
            return Err(TopicError::WrongLevels {
                topic: echo(topic),
                levels: levels.len() + 2,
            });
        };
        let kind =
            DeviceKind::parse(kind).ok_or_else(|| TopicError::UnknownKind { kind: echo(kind) })?;
        if check_id("device_id", device_id).is_err() {
            return Err(TopicError::InvalidDeviceId {
                device_id: echo(device_id),
            });
        }
        let stream = Stream::parse(stream).ok_or_else(|| TopicError::UnknownStream {
            stream: echo(stream),
        })?;
        Ok(Topic {
            kind,
            device_id: DeviceId::new(*device_id),
            stream,
        })
    }
}

impl FromStr for Topic {
    type Err = TopicError;

    fn from_str(s: &str) -> Result<Topic, TopicError> {
        Topic::parse(s)
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{TOPIC_PREFIX}/{}/{}/{}",
            self.kind.as_str(),
            self.device_id,
            self.stream
        )
    }
}

/// Copies at most `MAX_ECHO` characters of untrusted text into an error.
fn echo(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_documented_layout() {
        let topic = Topic::parse("pingan/v1/checkpoint/cp-01/reads").unwrap();
        assert_eq!(topic.kind, DeviceKind::Checkpoint);
        assert_eq!(topic.device_id.as_str(), "cp-01");
        assert_eq!(topic.stream, Stream::Reads);
        assert_eq!(topic.to_string(), "pingan/v1/checkpoint/cp-01/reads");
    }

    #[test]
    fn every_kind_and_stream_round_trips() {
        for kind in DeviceKind::ALL {
            for stream in Stream::ALL {
                let topic = Topic::new(kind, DeviceId::new("dev:1.a_b-c"), stream).unwrap();
                assert_eq!(Topic::parse(&topic.to_string()), Ok(topic));
            }
        }
    }

    #[test]
    fn names_the_wrong_part() {
        assert!(matches!(
            Topic::parse("other/v1/unit/u1/position"),
            Err(TopicError::WrongPrefix { .. })
        ));
        assert!(matches!(
            Topic::parse("pingan/v1x/unit/u1/position"),
            Err(TopicError::WrongPrefix { .. })
        ));
        assert_eq!(
            Topic::parse("pingan/v1/unit/u1/position/extra"),
            Err(TopicError::WrongLevels {
                topic: "pingan/v1/unit/u1/position/extra".into(),
                levels: 6
            })
        );
        assert_eq!(
            Topic::parse("pingan/v1/drone/d1/position"),
            Err(TopicError::UnknownKind {
                kind: "drone".into()
            })
        );
        assert_eq!(
            Topic::parse("pingan/v1/unit/+/position"),
            Err(TopicError::InvalidDeviceId {
                device_id: "+".into()
            })
        );
        assert_eq!(
            Topic::parse("pingan/v1/unit//position"),
            Err(TopicError::InvalidDeviceId {
                device_id: String::new()
            })
        );
        assert_eq!(
            Topic::parse("pingan/v1/unit/u1/video"),
            Err(TopicError::UnknownStream {
                stream: "video".into()
            })
        );
        assert!(Topic::new(DeviceKind::Unit, DeviceId::new("a/b"), Stream::Position).is_err());
    }

    #[test]
    fn long_topics_are_cut_in_errors() {
        let long = format!("x/{}", "é".repeat(10_000));
        let Err(TopicError::WrongPrefix { topic }) = Topic::parse(&long) else {
            panic!("expected a prefix error");
        };
        assert!(topic.chars().count() <= MAX_ECHO + 1);
    }

    proptest! {
        #[test]
        fn parse_never_panics(topic in "\\PC{0,80}") {
            let _ = Topic::parse(&topic);
        }

        #[test]
        fn parse_never_panics_near_the_layout(
            kind in "[a-z+#]{0,12}",
            id in "[A-Za-z0-9:._+#/-]{0,70}",
            stream in "[a-z/]{0,12}",
        ) {
            let text = format!("pingan/v1/{kind}/{id}/{stream}");
            if let Ok(topic) = Topic::parse(&text) {
                prop_assert_eq!(topic.to_string(), text);
            }
        }
    }
}

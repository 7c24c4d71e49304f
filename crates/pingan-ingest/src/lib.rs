//! pingan's device ingest runtime: field devices publish over MQTT, pingan subscribes.
//!
//! # What it does
//!
//! [`IngestRuntime::spawn`] connects to the broker named by [`MqttConfig`] (from
//! `PINGAN_MQTT_URL`), subscribes with QoS 1, and hands every message to a [`MessageHandler`] as
//! a [`DeviceMessage`] whose [`Topic`] is already parsed. It
//!
//! - **reconnects on its own** with exponential backoff (`reconnect_min` doubling up to
//!   `reconnect_max`) and subscribes again after every CONNACK, so a restarted broker without
//!   persistence is handled like one that kept the session;
//! - **acknowledges late**: manual acks, a PUBACK only after the handler returned. With the default
//!   `clean_session=false` the broker keeps unacknowledged and newly published QoS 1 messages
//!   while pingan is away and redelivers them to the same client id, so delivery is *at least
//!   once* and **handlers must be idempotent** (key writes on the device's own message id or
//!   timestamp so a redelivered message changes nothing);
//! - **applies back-pressure** through a bounded queue between the event loop and `workers`
//!   handler tasks: when the queue is full the event loop stops reading the socket and the broker
//!   holds the rest (it also caps unacknowledged messages per client; Mosquitto's
//!   `max_inflight_messages` is 20 by default);
//! - **counts** received, handled, failed, retried messages and reconnects in [`IngestMetrics`]
//!   for `/metrics`.
//!
//! # Failed messages are acknowledged
//!
//! MQTT 3.1.1 has no negative acknowledgement: an unacknowledged message blocks one of the
//! broker's in-flight slots until the next reconnect and then comes back, forever if it can never
//! succeed. So a message is always acknowledged once the runtime is done with it:
//! a topic outside the layout or [`HandlerError::Rejected`] is logged (with the topic), counted
//! as failed and acknowledged at once; [`HandlerError::Transient`] is retried in place up to
//! [`MAX_ATTEMPTS`] calls with a growing delay, then acknowledged and counted as failed. Only a
//! crash or a shutdown in the middle of a call leaves a message unacknowledged for redelivery.
//!
//! # Topics and device authorisation
//!
//! Every device publishes on `pingan/v1/{device_kind}/{device_id}/{stream}` (see [`Topic`];
//! kinds: checkpoint, camera, platform, unit, recorder; streams: reads, heartbeat, position,
//! detections). Two checks keep a device to its own topics:
//!
//! 1. **The broker authenticates and confines each device.** The device connects with user name
//!    = its device id and password = its pingan API key, and the broker's ACL grants it only its
//!    own subtree. For Mosquitto (`password_file` + `acl_file`):
//!
//!    ```text
//!    # pingan's own service account reads everything under the layout.
//!    user pingan
//!    topic read pingan/v1/#
//!
//!    # Every other user may write only below its own id (%u is the user name).
//!    pattern write pingan/v1/+/%u/#
//!    ```
//!
//!    A device publishing to another device's topic is dropped by the broker (MQTT 3.1.1 still
//!    gets its PUBACK) and never reaches pingan; the integration tests show it with a real
//!    Mosquitto.
//! 2. **pingan checks the registry.** The ACL cannot know the device's kind or whether it was
//!    disabled, so the handler checks that the topic's device id is a registered, enabled
//!    device of the topic's kind, and answers [`HandlerError::Rejected`] otherwise.
//!
//! # What this crate does not do
//!
//! It does not decode payloads or touch storage (handlers do), it speaks no TLS (the build
//! carries no TLS stack; reach a remote broker through a tunnel or a local bridge), it does not
//! run a broker, and it reads no environment: the binary passes the URL in.
//!
//! Several pingan processes need distinct client ids; to share the load instead of each getting
//! every message, subscribe them to a shared subscription such as `$share/pingan/pingan/v1/#`.

mod config;
mod metrics;
mod publish;
mod runtime;
mod topic;

pub use config::{ConfigError, Credentials, MqttConfig, DEFAULT_PORT};
pub use metrics::{IngestCounters, IngestMetrics};
pub use publish::{PublishError, Publisher};
pub use runtime::{
    DeviceMessage, HandlerError, IngestError, IngestRuntime, MessageHandler, MAX_ATTEMPTS,
};
pub use tokio_util::sync::CancellationToken;
pub use topic::{Stream, Topic, TopicError, ALL_DEVICE_TOPICS, TOPIC_PREFIX};

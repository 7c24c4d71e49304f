//! The broker connection, parsed once from a URL such as
//! `mqtt://pingan:secret@127.0.0.1:1883?client_id=pingan-1&sub=pingan/v1/%23&queue=256`.
//!
//! Query parameters (all optional; an unknown one is an error so that a typo never passes
//! silently):
//!
//! | parameter | meaning | default |
//! | --- | --- | --- |
//! | `client_id` | MQTT client id; must be unique per pingan process | `pingan` |
//! | `sub` | a topic filter; repeat for several (`#` written as `%23`) | `pingan/v1/#` |
//! | `queue` | bounded queue between the event loop and the handler workers | 256 |
//! | `workers` | concurrent handler calls | 4 |
//! | `keep_alive` | seconds between pings, at least 1 | 30 |
//! | `max_packet` | largest packet in bytes, in or out | 262144 |
//! | `clean_session` | `true` drops the broker-side session on disconnect | `false` |
//!
//! Only plain `mqtt://` (alias `tcp://`) is supported: the build carries no TLS stack, so a broker
//! on another host is reached through a TLS-terminating tunnel or a local bridge.

use std::fmt;
use std::time::Duration;

use crate::topic::ALL_DEVICE_TOPICS;

/// Default MQTT port.
pub const DEFAULT_PORT: u16 = 1883;

/// A broker connection and the runtime's limits. Build it with [`MqttConfig::from_url`] or
/// [`MqttConfig::new`] and adjust the public fields.
#[derive(Clone, PartialEq, Eq)]
pub struct MqttConfig {
    /// Broker host name or address.
    pub host: String,
    /// Broker TCP port.
    pub port: u16,
    /// User name and password sent in CONNECT, if any.
    pub credentials: Option<Credentials>,
    /// MQTT client id. The broker keeps the session (subscriptions and unacknowledged QoS 1
    /// messages) under this id while pingan is away, so it must be stable and unique per process.
    pub client_id: String,
    /// Topic filters subscribed with QoS 1 after every (re)connect.
    pub subscriptions: Vec<String>,
    /// Capacity of the queue between the event loop and the handler workers.
    pub queue_capacity: usize,
    /// Number of handler calls that may run at the same time.
    pub workers: usize,
    /// Interval of keep-alive pings.
    pub keep_alive: Duration,
    /// Largest packet accepted or sent, in bytes.
    pub max_packet_size: usize,
    /// Whether the broker forgets the session on disconnect. `false` (the default) lets QoS 1
    /// messages published while pingan is away wait at the broker.
    pub clean_session: bool,
    /// First delay before reconnecting; it doubles on each failure up to `reconnect_max`.
    pub reconnect_min: Duration,
    /// Longest delay between reconnect attempts.
    pub reconnect_max: Duration,
}

/// A user name and password; the password never appears in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Why a broker URL was refused. The password is never part of the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The URL has no `scheme://`.
    #[error("broker URL must look like mqtt://[user[:password]@]host[:port][?params]")]
    NotAUrl,
    /// The scheme is not `mqtt` or `tcp`.
    #[error("unsupported broker URL scheme `{scheme}`: only mqtt:// (or tcp://) is built in; use a TLS tunnel for mqtts")]
    UnsupportedScheme { scheme: String },
    /// The host part is empty.
    #[error("broker URL has no host")]
    MissingHost,
    /// The port is not a number in 1..=65535.
    #[error("invalid broker port `{value}`")]
    InvalidPort { value: String },
    /// The URL has a path, which MQTT has no use for.
    #[error("broker URL must not have a path (got `{path}`)")]
    UnexpectedPath { path: String },
    /// A percent escape is malformed or decodes to invalid UTF-8.
    #[error("invalid percent-encoding in the {part} of the broker URL")]
    Encoding { part: &'static str },
    /// A query parameter has a value that cannot be used.
    #[error("invalid value `{value}` for broker URL parameter `{name}`: {reason}")]
    InvalidParam {
        name: String,
        value: String,
        reason: &'static str,
    },
    /// A query parameter is not one of those documented.
    #[error("unknown broker URL parameter `{name}`")]
    UnknownParam { name: String },
}

impl MqttConfig {
    /// A configuration for `host:port` with the documented defaults.
    pub fn new(host: impl Into<String>, port: u16) -> MqttConfig {
        MqttConfig {
            host: host.into(),
            port,
            credentials: None,
            client_id: "pingan".to_owned(),
            subscriptions: vec![ALL_DEVICE_TOPICS.to_owned()],
            queue_capacity: 256,
            workers: 4,
            keep_alive: Duration::from_secs(30),
            max_packet_size: 256 * 1024,
            clean_session: false,
            reconnect_min: Duration::from_millis(100),
            reconnect_max: Duration::from_secs(30),
        }
    }

    /// Parses a broker URL (see the module documentation for the parameters).
    pub fn from_url(url: &str) -> Result<MqttConfig, ConfigError> {
        let (scheme, rest) = url.split_once("://").ok_or(ConfigError::NotAUrl)?;
        if !matches!(scheme.to_ascii_lowercase().as_str(), "mqtt" | "tcp") {
            return Err(ConfigError::UnsupportedScheme {
                scheme: scheme.to_owned(),
            });
        }
        let (authority_path, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match authority_path.find('/') {
            Some(i) => authority_path.split_at(i),
            None => (authority_path, ""),
        };
        if !path.is_empty() && path != "/" {
            return Err(ConfigError::UnexpectedPath {
                path: path.to_owned(),
            });
        }
        // The last `@` separates user information, since a raw `@` cannot appear in a host.
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (host, port) = split_host_port(hostport)?;
        let mut config = MqttConfig::new(host, port);
        if let Some(userinfo) = userinfo {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            config.credentials = Some(Credentials {
                username: percent_decode(user, "user name")?,
                password: percent_decode(password, "password")?,
            });
        }
        if let Some(query) = query {
            config.apply_query(query)?;
        }
        Ok(config)
    }

    fn apply_query(&mut self, query: &str) -> Result<(), ConfigError> {
        let mut subscriptions = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(raw, "query")?;
            let invalid = |reason| ConfigError::InvalidParam {
                name: name.to_owned(),
                value: value.clone(),
                reason,
            };
            match name {
                "client_id" => {
                    if value.is_empty() || value.len() > 128 {
                        return Err(invalid("1-128 characters"));
                    }
                    self.client_id = value.clone();
                }
                "sub" => {
                    if !valid_filter(&value) {
                        return Err(invalid("not a valid MQTT topic filter"));
                    }
                    subscriptions.push(value.clone());
                }
                "queue" => {
                    self.queue_capacity =
                        positive(&value).ok_or_else(|| invalid("a positive integer"))?
                }
                "workers" => {
                    self.workers = positive(&value).ok_or_else(|| invalid("a positive integer"))?
                }
                "keep_alive" => {
                    let secs =
                        positive(&value).ok_or_else(|| invalid("whole seconds, at least 1"))?;
                    self.keep_alive = Duration::from_secs(secs as u64);
                }
                "max_packet" => {
                    self.max_packet_size = positive(&value)
                        .filter(|n| *n <= 256 * 1024 * 1024)
                        .ok_or_else(|| invalid("bytes, 1 to 268435456"))?;
                }
                "clean_session" => {
                    self.clean_session = match value.as_str() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(invalid("true or false")),
                    }
                }
                _ => {
                    return Err(ConfigError::UnknownParam {
                        name: name.to_owned(),
                    })
                }
            }
        }
        if !subscriptions.is_empty() {
            self.subscriptions = subscriptions;
        }
        Ok(())
    }

    /// The URL with the password replaced by `***`, for logs and `--print-config`.
    pub fn redacted_url(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for MqttConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mqtt://")?;
        if let Some(c) = &self.credentials {
            write!(f, "{}:***@", percent_encode(&c.username))?;
        }
        write!(
            f,
            "{}:{}?client_id={}",
            self.host,
            self.port,
            percent_encode(&self.client_id)
        )?;
        for sub in &self.subscriptions {
            write!(f, "&sub={}", percent_encode(sub))?;
        }
        write!(
            f,
            "&queue={}&workers={}&keep_alive={}&max_packet={}&clean_session={}",
            self.queue_capacity,
            self.workers,
            self.keep_alive.as_secs(),
            self.max_packet_size,
            self.clean_session
        )
    }
}

impl fmt::Debug for MqttConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MqttConfig")
            .field("url", &self.to_string())
            .field("reconnect_min", &self.reconnect_min)
            .field("reconnect_max", &self.reconnect_max)
            .finish()
    }
}

fn split_host_port(hostport: &str) -> Result<(String, u16), ConfigError> {
    // Bracketed IPv6 literals keep their colons inside the brackets.
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or(ConfigError::MissingHost)?;
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => {
                return Err(ConfigError::InvalidPort {
                    value: after.to_owned(),
                })
            }
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(ConfigError::MissingHost);
    }
    let port =
        match port {
            None => DEFAULT_PORT,
            Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
                ConfigError::InvalidPort {
                    value: p.to_owned(),
                }
            })?,
        };
    Ok((host.to_owned(), port))
}

fn positive(value: &str) -> Option<usize> {
    value.parse::<usize>().ok().filter(|n| *n > 0)
}

/// A topic filter is valid when `#` is only a whole last level and `+` only a whole level.
pub(crate) fn valid_filter(filter: &str) -> bool {
    if filter.is_empty() || filter.contains('\0') {
        return false;
    }
    let levels: Vec<&str> = filter.split('/').collect();
    let last = levels.len() - 1;
    levels.iter().enumerate().all(|(i, level)| {
        (*level == "#" && i == last)
            || *level == "+"
            || (!level.contains('#') && !level.contains('+'))
    })
}

fn percent_decode(text: &str, part: &'static str) -> Result<String, ConfigError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or(ConfigError::Encoding { part })?;
                out.push(hex);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| ConfigError::Encoding { part })
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/' | b'+') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn defaults_from_a_bare_url() {
        let config = MqttConfig::from_url("mqtt://broker.local").unwrap();
        assert_eq!(config, MqttConfig::new("broker.local", 1883));
        assert_eq!(config.subscriptions, vec!["pingan/v1/#".to_owned()]);
    }

    #[test]
    fn parses_everything() {
        let config = MqttConfig::from_url(
            "mqtt://svc%40pingan:p%3Ass@127.0.0.1:18830/?client_id=pingan-2&sub=pingan/v1/unit/%2B/position&sub=pingan/v1/checkpoint/%23&queue=2&workers=1&keep_alive=5&max_packet=1024&clean_session=true",
        )
        .unwrap();
        let credentials = config.credentials.clone().unwrap();
        assert_eq!(credentials.username, "svc@pingan");
        assert_eq!(credentials.password, "p:ss");
        assert_eq!(config.host, "127.0.0.1");
        assert_eq!(config.port, 18830);
        assert_eq!(config.client_id, "pingan-2");
        assert_eq!(
            config.subscriptions,
            vec!["pingan/v1/unit/+/position", "pingan/v1/checkpoint/#"]
        );
        assert_eq!(config.queue_capacity, 2);
        assert_eq!(config.workers, 1);
        assert_eq!(config.keep_alive, Duration::from_secs(5));
        assert_eq!(config.max_packet_size, 1024);
        assert!(config.clean_session);
        // The display form parses back to the same configuration, less the password.
        let again = MqttConfig::from_url(&config.to_string()).unwrap();
        assert_eq!(again.subscriptions, config.subscriptions);
        assert_eq!(again.credentials.unwrap().password, "***");
    }

    #[test]
    fn ipv6_hosts() {
        let config = MqttConfig::from_url("mqtt://[::1]:1884").unwrap();
        assert_eq!((config.host.as_str(), config.port), ("::1", 1884));
    }

    #[test]
    fn secrets_stay_out_of_debug_and_display() {
        let config = MqttConfig::from_url("mqtt://dev:hunter2@h").unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(!config.to_string().contains("hunter2"));
        assert!(!format!("{:?}", config.credentials).contains("hunter2"));
    }

    #[test]
    fn refuses_with_a_reason() {
        use ConfigError::*;
        let err = |url: &str| MqttConfig::from_url(url).unwrap_err();
        assert_eq!(err("broker:1883"), NotAUrl);
        assert!(matches!(err("mqtts://h"), UnsupportedScheme { .. }));
        assert_eq!(err("mqtt://:1883"), MissingHost);
        assert!(matches!(err("mqtt://h:0"), InvalidPort { .. }));
        assert!(matches!(err("mqtt://h:99999"), InvalidPort { .. }));
        assert!(matches!(err("mqtt://h/x"), UnexpectedPath { .. }));
        assert!(matches!(
            err("mqtt://u:%zz@h"),
            Encoding { part: "password" }
        ));
        assert!(matches!(err("mqtt://h?queue=0"), InvalidParam { .. }));
        assert!(matches!(err("mqtt://h?sub=a/%23/b"), InvalidParam { .. }));
        assert!(matches!(err("mqtt://h?keep_alive=x"), InvalidParam { .. }));
        assert_eq!(
            err("mqtt://h?qeue=2"),
            UnknownParam {
                name: "qeue".into()
            }
        );
    }

    #[test]
    fn filters() {
        assert!(valid_filter("pingan/v1/#"));
        assert!(valid_filter("pingan/+/x"));
        assert!(valid_filter("#"));
        assert!(!valid_filter("pingan/#/x"));
        assert!(!valid_filter("pingan/a+"));
        assert!(!valid_filter(""));
    }

    proptest! {
        #[test]
        fn from_url_never_panics(url in "(mqtt://)?\\PC{0,60}") {
            let _ = MqttConfig::from_url(&url);
        }
    }
}

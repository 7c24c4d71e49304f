//! A temporary Mosquitto broker, open to anyone or with per-device passwords and the ACL that
//! pingan documents for device topics.
//!
//! The broker listens on a free loopback port with persistence off. [`TempMosquitto::stop`] and
//! [`TempMosquitto::restart`] keep the port, so tests can show that clients reconnect to a
//! restarted broker.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{
    free_port, give_to, reap_orphans, run_as, run_checked, server_command, temp_base,
    wait_until_ready, Kept, RunAs, ServiceError,
};

const INSTALL_HINT: &str = "apt-get install mosquitto";
const START_TIMEOUT: Duration = Duration::from_secs(20);
const DIR_PREFIX: &str = "pingan-mqtt-";

/// The ACL pingan documents: its service account reads every device topic, and every other user
/// (a device, authenticated with user name = device id and password = its API key) may write
/// only below its own id.
pub fn pingan_acl(service_user: &str) -> String {
    format!("user {service_user}\ntopic read pingan/v1/#\n\npattern write pingan/v1/+/%u/#\n")
}

/// Users, passwords and an ACL for a broker that refuses anonymous clients.
#[derive(Debug, Clone, Default)]
pub struct MosquittoAuth {
    /// (user name, password) pairs.
    pub users: Vec<(String, String)>,
    /// Mosquitto `acl_file` contents.
    pub acl: String,
}

impl MosquittoAuth {
    /// pingan's service account with [`pingan_acl`]; add devices with [`MosquittoAuth::device`].
    pub fn pingan(service_user: &str, service_password: &str) -> MosquittoAuth {
        MosquittoAuth {
            users: vec![(service_user.to_owned(), service_password.to_owned())],
            acl: pingan_acl(service_user),
        }
    }

    /// Adds a device whose user name is its id and whose password is its API key.
    pub fn device(mut self, device_id: &str, api_key: &str) -> MosquittoAuth {
        self.users.push((device_id.to_owned(), api_key.to_owned()));
        self
    }
}

/// A running broker. Dropping it stops the broker and removes its directory.
#[derive(Debug)]
pub struct TempMosquitto {
    port: u16,
    binary: PathBuf,
    user: Option<RunAs>,
    server: Option<Kept>,
    dir: tempfile::TempDir,
}

impl TempMosquitto {
    /// A broker that accepts anonymous clients.
    pub fn start() -> Result<TempMosquitto, ServiceError> {
        TempMosquitto::launch(None)
    }

    /// A broker that requires the given users and enforces the ACL.
    pub fn start_with_auth(auth: &MosquittoAuth) -> Result<TempMosquitto, ServiceError> {
        TempMosquitto::launch(Some(auth))
    }

    fn launch(auth: Option<&MosquittoAuth>) -> Result<TempMosquitto, ServiceError> {
        let binary = super::find_binary("mosquitto", &[PathBuf::from("/usr/sbin")]).ok_or(
            ServiceError::Missing {
                what: "Mosquitto",
                install_hint: INSTALL_HINT,
            },
        )?;
        let user = run_as()?;
        let base = temp_base(user.as_ref());
        reap_orphans(&base, DIR_PREFIX);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{DIR_PREFIX}{}-", std::process::id()))
            .tempdir_in(&base)
            .map_err(|e| {
                ServiceError::io(format!("create a directory in {}", base.display()), e)
            })?;
        give_to(dir.path(), user.as_ref())?;
        if let Some(auth) = auth {
            write_auth(dir.path(), auth, user.as_ref())?;
        }
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            write_config(dir.path(), port, auth.is_some())?;
            match spawn_broker(&binary, user.as_ref(), dir.path(), port) {
                Ok(server) => {
                    return Ok(TempMosquitto {
                        port,
                        binary,
                        user,
                        server: Some(server),
                        dir,
                    })
                }
                // Someone took the port between the probe and the bind: try another.
                Err(e @ ServiceError::Exited { .. }) => last_error = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_error.unwrap_or(ServiceError::NotReady {
            what: "mosquitto",
            timeout: START_TIMEOUT,
            log_tail: String::new(),
        }))
    }

    /// `mqtt://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    /// `mqtt://USER:PASSWORD@127.0.0.1:PORT`, for a user of the auth variant (plain characters
    /// only; percent-encode anything else yourself).
    pub fn url_for(&self, user: &str, password: &str) -> String {
        format!("mqtt://{user}:{password}@127.0.0.1:{}", self.port)
    }

    /// The loopback port, kept across [`TempMosquitto::restart`].
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The broker's log so far (connections, refusals, ACL denials).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mosquitto.log")).unwrap_or_default()
    }

    /// Stops the broker (SIGTERM); clients see the connection drop. Idempotent.
    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop("TERM", Duration::from_secs(5));
        }
    }

    /// Starts the broker again on the same port with the same configuration (stopping it first
    /// if it runs). Without persistence it starts with no sessions and no queued messages.
    pub fn restart(&mut self) -> Result<(), ServiceError> {
        self.stop();
        let server = spawn_broker(&self.binary, self.user.as_ref(), self.dir.path(), self.port)?;
        self.server = Some(server);
        Ok(())
    }
}

fn spawn_broker(
    binary: &Path,
    user: Option<&RunAs>,
    dir: &Path,
    port: u16,
) -> Result<Kept, ServiceError> {
    let log = dir.join("mosquitto.log");
    let mut cmd = server_command(binary, user, "TERM")?;
    cmd.current_dir(dir)
        .arg("-c")
        .arg(dir.join("mosquitto.conf"));
    let server = Kept::spawn(cmd, &log)?;
    match wait_until_ready("mosquitto", &server, port, &log, START_TIMEOUT, || true) {
        Ok(()) => Ok(server),
        Err(e) => {
            server.stop("KILL", Duration::from_secs(2));
            Err(e)
        }
    }
}

impl Drop for TempMosquitto {
    fn drop(&mut self) {
        self.stop();
    }
}

fn write_config(dir: &Path, port: u16, with_auth: bool) -> Result<(), ServiceError> {
    let mut config = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(config, "listener {port} 127.0.0.1");
    let _ = writeln!(config, "persistence false");
    // Enough room for the back-pressure tests; the broker drops QoS 1 messages past this.
    let _ = writeln!(config, "max_queued_messages 100000");
    let _ = writeln!(config, "log_dest stderr");
    for kind in ["error", "warning", "notice", "information", "subscribe"] {
        let _ = writeln!(config, "log_type {kind}");
    }
    if with_auth {
        let _ = writeln!(config, "allow_anonymous false");
        let _ = writeln!(config, "password_file {}", dir.join("passwd").display());
        let _ = writeln!(config, "acl_file {}", dir.join("acl").display());
    } else {
        let _ = writeln!(config, "allow_anonymous true");
    }
    let path = dir.join("mosquitto.conf");
    std::fs::write(&path, config)
        .map_err(|e| ServiceError::io(format!("write {}", path.display()), e))
}

fn write_auth(dir: &Path, auth: &MosquittoAuth, user: Option<&RunAs>) -> Result<(), ServiceError> {
    let tool = super::find_binary("mosquitto_passwd", &[PathBuf::from("/usr/bin")]).ok_or(
        ServiceError::Missing {
            what: "mosquitto_passwd",
            install_hint: INSTALL_HINT,
        },
    )?;
    let passwd = dir.join("passwd");
    for (i, (name, password)) in auth.users.iter().enumerate() {
        let mut cmd = std::process::Command::new(&tool);
        cmd.arg("-b");
        if i == 0 {
            cmd.arg("-c");
        }
        cmd.arg(&passwd).arg(name).arg(password);
        run_checked(cmd)?;
    }
    let acl = dir.join("acl");
    std::fs::write(&acl, &auth.acl)
        .map_err(|e| ServiceError::io(format!("write {}", acl.display()), e))?;
    give_to(&passwd, user)?;
    give_to(&acl, user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::service_or_skip;
    use std::net::TcpStream;

    fn accepts(port: u16) -> bool {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    }

    #[test]
    fn starts_stops_and_restarts_on_the_same_port() {
        let Some(mut broker) = service_or_skip(TempMosquitto::start()) else {
            return;
        };
        let port = broker.port();
        assert_eq!(broker.url(), format!("mqtt://127.0.0.1:{port}"));
        assert!(accepts(port));
        broker.stop();
        assert!(!accepts(port));
        broker.restart().unwrap();
        assert_eq!(broker.port(), port);
        assert!(accepts(port));
        let dir = broker.dir.path().to_path_buf();
        drop(broker);
        assert!(!accepts(port));
        assert!(!dir.exists());
    }

    #[test]
    fn the_auth_variant_writes_users_and_acl() {
        let auth = MosquittoAuth::pingan("pingan", "s3cret").device("cp-01", "key-01");
        let Some(broker) = service_or_skip(TempMosquitto::start_with_auth(&auth)) else {
            return;
        };
        let passwd = std::fs::read_to_string(broker.dir.path().join("passwd")).unwrap();
        assert!(passwd.starts_with("pingan:$"));
        assert!(passwd.contains("\ncp-01:$"));
        assert!(!passwd.contains("key-01"), "passwords are stored hashed");
        assert_eq!(
            broker.url_for("cp-01", "key-01"),
            format!("mqtt://cp-01:key-01@127.0.0.1:{}", broker.port())
        );
    }
}

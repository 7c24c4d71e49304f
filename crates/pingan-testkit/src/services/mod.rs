//! Real services for tests, started from the machine's own binaries: a temporary PostgreSQL
//! cluster ([`TempPostgres`]) and a Mosquitto broker ([`TempMosquitto`]).
//!
//! Every service lives in a fresh temporary directory on a loopback port picked by binding port
//! 0, so test runs never collide with each other or with a system service. Each server process is
//! started through `setpriv --pdeathsig` from a dedicated keeper thread: when the test process
//! ends in any way (success, panic, abort, SIGKILL) the kernel signals the server, so no server
//! outlives its test binary. When the tests run as root, the servers run as an unprivileged user
//! (`pingan-test` if `scripts/ensure-test-deps.sh` created it, else `nobody`), because `initdb`
//! refuses to run as root.
//!
//! A missing binary is [`ServiceError::Missing`] with the package to install. Whether a test may
//! then skip is the caller's choice through [`service_or_skip`]: with
//! `PINGAN_TEST_REQUIRE_SERVICES=1` (set by `.ci/run`) or `CI=true` a missing service fails the
//! test instead.
//!
//! These helpers block the calling thread while a server starts (a second at most, typically);
//! they are meant for test set-up, not for use inside a hot async path.

pub mod mosquitto;
pub mod postgres;

pub use mosquitto::{MosquittoAuth, TempMosquitto};
pub use postgres::TempPostgres;

use std::fs;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Why a service could not be started or used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    /// The service's binaries are not installed.
    #[error("{what} is not installed: run `{install_hint}` (or scripts/ensure-test-deps.sh)")]
    Missing {
        what: &'static str,
        install_hint: &'static str,
    },
    /// A file-system or process operation failed.
    #[error("could not {action}: {source}")]
    Io {
        action: String,
        #[source]
        source: Arc<io::Error>,
    },
    /// A helper command (initdb, createdb, mosquitto_passwd) failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    Command {
        command: String,
        status: String,
        output: String,
    },
    /// The server exited while starting.
    #[error("{what} exited during start-up ({status}); log tail:\n{log_tail}")]
    Exited {
        what: &'static str,
        status: String,
        log_tail: String,
    },
    /// The server did not accept connections in time.
    #[error("{what} did not accept connections within {timeout:?}; log tail:\n{log_tail}")]
    NotReady {
        what: &'static str,
        timeout: Duration,
        log_tail: String,
    },
    /// A name given by the test cannot be used (for example a database name).
    #[error("invalid {what} `{name}`: {reason}")]
    InvalidName {
        what: &'static str,
        name: String,
        reason: &'static str,
    },
}

impl ServiceError {
    pub(crate) fn io(action: impl Into<String>, source: io::Error) -> ServiceError {
        ServiceError::Io {
            action: action.into(),
            source: Arc::new(source),
        }
    }
}

/// Whether a missing service must fail the tests instead of skipping them:
/// `PINGAN_TEST_REQUIRE_SERVICES=1` (or `true`), or `CI=true`.
#[expect(
    clippy::disallowed_methods,
    reason = "the test kit reads the switch that CI sets; production code never calls this"
)]
pub fn require_services() -> bool {
    let on = |name: &str| {
        std::env::var(name)
            .map(|v| matches!(v.trim(), "1" | "true" | "yes"))
            .unwrap_or(false)
    };
    on("PINGAN_TEST_REQUIRE_SERVICES") || on("CI")
}

/// Turns a service start-up result into `Some(service)`, or `None` when the service is missing
/// and skipping is allowed (a line on stderr says so). Panics on any other error, and on a
/// missing service when [`require_services`] is set, so CI never passes by skipping.
///
/// ```text
/// let Some(pg) = service_or_skip(TempPostgres::shared()) else { return };
/// ```
pub fn service_or_skip<T>(result: Result<T, ServiceError>) -> Option<T> {
    match result {
        Ok(service) => Some(service),
        Err(e @ ServiceError::Missing { .. }) if !require_services() => {
            eprintln!("skipping: {e}");
            None
        }
        Err(e) => panic!("test service unavailable: {e}"),
    }
}

/// A free loopback TCP port. Another process may take it before the server binds it; the
/// starters retry with a new port when that happens.
pub fn free_port() -> Result<u16, ServiceError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| ServiceError::io("bind a loopback port", e))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| ServiceError::io("read the bound port", e))
}

/// Finds `name` on PATH, then in `extra` directories.
pub(crate) fn find_binary(name: &str, extra: &[PathBuf]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra.iter().cloned())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The unprivileged account servers run as when the tests run as root.
#[derive(Debug, Clone)]
pub(crate) struct RunAs {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// `None` when the process is not root (servers then run as the current user).
pub(crate) fn run_as() -> Result<Option<RunAs>, ServiceError> {
    let status = fs::read_to_string("/proc/self/status")
        .map_err(|e| ServiceError::io("read /proc/self/status", e))?;
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|id| id.parse::<u32>().ok());
    if euid != Some(0) {
        return Ok(None);
    }
    let passwd =
        fs::read_to_string("/etc/passwd").map_err(|e| ServiceError::io("read /etc/passwd", e))?;
    let entry = |wanted: &str| {
        passwd.lines().find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            match fields.as_slice() {
                [name, _, uid, gid, ..] if *name == wanted => Some(RunAs {
                    name: (*name).to_owned(),
                    uid: uid.parse().ok()?,
                    gid: gid.parse().ok()?,
                }),
                _ => None,
            }
        })
    };
    entry("pingan-test")
        .or_else(|| entry("nobody"))
        .map(Some)
        .ok_or(ServiceError::Missing {
            what: "an unprivileged user to run test servers as root",
            install_hint: "useradd --system pingan-test",
        })
}

/// Gives `path` to the server's user so that it can write there.
pub(crate) fn give_to(path: &Path, user: Option<&RunAs>) -> Result<(), ServiceError> {
    if let Some(user) = user {
        std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid)).map_err(|e| {
            ServiceError::io(format!("chown {} to {}", path.display(), user.name), e)
        })?;
    }
    Ok(())
}

/// A command that runs `program` as the server user (when root) and receives `death_signal` when
/// the thread that spawned it ends.
pub(crate) fn server_command(
    program: &Path,
    user: Option<&RunAs>,
    death_signal: &str,
) -> Result<Command, ServiceError> {
    let setpriv =
        find_binary("setpriv", &[PathBuf::from("/usr/bin")]).ok_or(ServiceError::Missing {
            what: "setpriv (util-linux)",
            install_hint: "apt-get install util-linux",
        })?;
    let mut cmd = Command::new(setpriv);
    if let Some(user) = user {
        cmd.arg(format!("--reuid={}", user.uid))
            .arg(format!("--regid={}", user.gid))
            .arg("--clear-groups");
    }
    cmd.arg(format!("--pdeathsig={death_signal}"))
        .arg("--")
        .arg(program);
    Ok(cmd)
}

/// Runs a short helper command to completion, turning a failure into [`ServiceError::Command`].
pub(crate) fn run_checked(mut cmd: Command) -> Result<(), ServiceError> {
    let shown = format!("{cmd:?}");
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| ServiceError::io(format!("run {shown}"), e))?;
    if output.status.success() {
        return Ok(());
    }
    Err(ServiceError::Command {
        command: shown,
        status: output.status.to_string(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}

/// A server process owned by a keeper thread that lives exactly as long as the process. The
/// keeper is the thread the parent-death signal is tied to, so short-lived test threads can start
/// and drop servers freely.
#[derive(Debug)]
pub(crate) struct Kept {
    pid: u32,
    exit: Arc<(Mutex<Option<ExitStatus>>, Condvar)>,
}

impl Kept {
    /// Spawns `cmd` (stdout and stderr to `log`) from a new keeper thread.
    pub fn spawn(mut cmd: Command, log: &Path) -> Result<Kept, ServiceError> {
        // Appending keeps the log of earlier runs of a restarted server.
        let out = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| ServiceError::io(format!("open {}", log.display()), e))?;
        let err = out
            .try_clone()
            .map_err(|e| ServiceError::io("duplicate the log handle", e))?;
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let exit = Arc::new((Mutex::new(None), Condvar::new()));
        let keeper_exit = Arc::clone(&exit);
        let (pid_tx, pid_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("pingan-testkit-keeper".into())
            .spawn(move || {
                let mut child = match cmd.spawn() {
                    Ok(child) => child,
                    Err(e) => {
                        let _ = pid_tx.send(Err(e));
                        return;
                    }
                };
                let _ = pid_tx.send(Ok(child.id()));
                let status = child.wait();
                let (slot, changed) = &*keeper_exit;
                if let Ok(mut slot) = slot.lock() {
                    // A failed wait means the child is gone all the same; report it as killed.
                    *slot = Some(status.unwrap_or_else(|_| killed_status()));
                    changed.notify_all();
                }
            })
            .map_err(|e| ServiceError::io("start a keeper thread", e))?;
        let pid = pid_rx
            .recv()
            .map_err(|_| {
                ServiceError::io("start a server", io::Error::other("keeper thread died"))
            })?
            .map_err(|e| ServiceError::io("start a server", e))?;
        Ok(Kept { pid, exit })
    }

    /// Waits up to `timeout` for the process to exit; `Some(status)` once it has. Start-up polls
    /// use this as their pause, so they wake at once if the server dies.
    pub fn wait_exit(&self, timeout: Duration) -> Option<ExitStatus> {
        let (slot, changed) = &*self.exit;
        let guard = slot.lock().ok()?;
        let (guard, _) = changed
            .wait_timeout_while(guard, timeout, |status| status.is_none())
            .ok()?;
        *guard
    }

    /// Sends `signal` (a name such as `TERM`), waits up to `grace`, then kills.
    pub fn stop(&self, signal: &str, grace: Duration) {
        if self.wait_exit(Duration::ZERO).is_some() {
            return;
        }
        signal_pid(self.pid, signal);
        if self.wait_exit(grace).is_none() {
            signal_pid(self.pid, "KILL");
            let _ = self.wait_exit(Duration::from_secs(5));
        }
    }
}

fn signal_pid(pid: u32, signal: &str) {
    // `kill` from procps or util-linux; a failure means the process is already gone.
    let _ = Command::new("kill")
        .args(["-s", signal, &pid.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn killed_status() -> ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    ExitStatus::from_raw(9)
}

/// Polls until a TCP connection to `127.0.0.1:port` succeeds and `ready` agrees, the process
/// exits, or `timeout` passes.
pub(crate) fn wait_until_ready(
    what: &'static str,
    kept: &Kept,
    port: u16,
    log: &Path,
    timeout: Duration,
    ready: impl Fn() -> bool,
) -> Result<(), ServiceError> {
    let deadline = Instant::now() + timeout;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    loop {
        if ready() && TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Some(status) = kept.wait_exit(Duration::from_millis(25)) {
            return Err(ServiceError::Exited {
                what,
                status: status.to_string(),
                log_tail: log_tail(log),
            });
        }
        if Instant::now() >= deadline {
            return Err(ServiceError::NotReady {
                what,
                timeout,
                log_tail: log_tail(log),
            });
        }
    }
}

/// The last lines of a server log, for error messages.
pub(crate) fn log_tail(log: &Path) -> String {
    match fs::read_to_string(log) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(20)..].join("\n")
        }
        Err(e) => format!("(no log at {}: {e})", log.display()),
    }
}

/// The directory temporary servers live under: `/tmp` when root (so that the unprivileged
/// server user can reach it whatever TMPDIR says), else the usual temporary directory.
pub(crate) fn temp_base(user: Option<&RunAs>) -> PathBuf {
    if user.is_some() {
        PathBuf::from("/tmp")
    } else {
        std::env::temp_dir()
    }
}

/// Removes server directories named `{prefix}{pid}-…` whose owning test process is gone.
/// Shared servers cannot be cleaned up at exit (statics are never dropped), so the next run
/// sweeps their directories; the servers themselves died with their process.
pub(crate) fn reap_orphans(base: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

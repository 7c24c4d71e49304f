//! A temporary PostgreSQL cluster from the machine's own binaries.
//!
//! `initdb` makes a throw-away cluster (trust authentication for the superuser `pingan`, UTF8,
//! C locale) in a fresh directory, and `postgres` serves it on a private Unix socket in that
//! directory and on a free loopback port, with durability switched off for speed (`fsync`,
//! `synchronous_commit` and `full_page_writes` off: a crash loses a test database, nothing else).
//!
//! Start one cluster per test binary with [`TempPostgres::shared`] and give every test its own
//! database with [`TempPostgres::fresh_database`]; [`TempPostgres::start`] gives a private
//! cluster that is stopped and removed on drop.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use super::{
    free_port, give_to, reap_orphans, run_as, run_checked, server_command, temp_base,
    wait_until_ready, Kept, RunAs, ServiceError,
};

/// The superuser that initdb creates and the URLs name.
pub const SUPERUSER: &str = "pingan";

const INSTALL_HINT: &str = "apt-get install postgresql";
const DIR_PREFIX: &str = "pingan-pg-";
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running temporary cluster. Dropping it stops the server and removes its directory.
#[derive(Debug)]
pub struct TempPostgres {
    port: u16,
    bin_dir: PathBuf,
    server: Kept,
    next_db: AtomicU32,
    // Declared last so that the server stops before its directory is removed.
    dir: tempfile::TempDir,
}

impl TempPostgres {
    /// Creates and starts a new cluster. Takes about a second (mostly initdb).
    pub fn start() -> Result<TempPostgres, ServiceError> {
        let bin_dir = bin_dir()?;
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
        initdb(&bin_dir, dir.path(), user.as_ref())?;

        // Another process may grab the port between our probe and the server's bind; then the
        // server exits at once and we try a new port.
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            match serve(&bin_dir, dir.path(), port, user.as_ref()) {
                Ok(server) => {
                    return Ok(TempPostgres {
                        port,
                        bin_dir,
                        server,
                        next_db: AtomicU32::new(0),
                        dir,
                    })
                }
                Err(e @ ServiceError::Exited { .. }) => last_error = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_error.unwrap_or(ServiceError::NotReady {
            what: "postgres",
            timeout: START_TIMEOUT,
            log_tail: String::new(),
        }))
    }

    /// The cluster shared by every test of this test binary, started on first use. It is never
    /// dropped: when the test binary exits the server receives SIGINT (fast shutdown) through its
    /// parent-death signal, and the next run removes the directory it left behind.
    pub fn shared() -> Result<&'static TempPostgres, ServiceError> {
        static SHARED: OnceLock<Result<TempPostgres, ServiceError>> = OnceLock::new();
        SHARED
            .get_or_init(TempPostgres::start)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// `postgres://pingan@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        self.database_url("postgres")
    }

    /// The URL of database `name` on this cluster.
    pub fn database_url(&self, name: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory holding the cluster (`data/`), its socket and its log (`postgres.log`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Creates database `name` (lower-case letters, digits and `_`, at most 63 characters) and
    /// returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, ServiceError> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !name.as_bytes()[0].is_ascii_digit();
        if !valid {
            return Err(ServiceError::InvalidName {
                what: "database name",
                name: name.to_owned(),
                reason: "use 1-63 characters of a-z, 0-9 and _, not starting with a digit",
            });
        }
        let mut cmd = std::process::Command::new(self.bin_dir.join("createdb"));
        cmd.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            SUPERUSER,
            name,
        ]);
        run_checked(cmd)?;
        Ok(self.database_url(name))
    }

    /// Creates a database with a name unique in this cluster (`t1`, `t2`, …) and returns its URL.
    pub fn fresh_database(&self) -> Result<String, ServiceError> {
        let n = self.next_db.fetch_add(1, Ordering::Relaxed) + 1;
        self.create_database(&format!("t{n}"))
    }

    /// Whether the server still accepts TCP connections.
    pub fn is_running(&self) -> bool {
        self.server.wait_exit(Duration::ZERO).is_none()
            && TcpStream::connect_timeout(
                &SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)),
                Duration::from_secs(1),
            )
            .is_ok()
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown: open sessions are cut, nothing is waited for.
        self.server.stop("INT", Duration::from_secs(10));
    }
}

/// The directory with `initdb` and `postgres`: PATH first, then the newest
/// `/usr/lib/postgresql/*/bin`.
fn bin_dir() -> Result<PathBuf, ServiceError> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path().join("bin"))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    // Newest major version first; names are plain numbers such as 15 or 16.
    candidates.sort_by_key(|p| {
        std::cmp::Reverse(
            p.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str())
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    let initdb = super::find_binary("initdb", &candidates).ok_or(ServiceError::Missing {
        what: "PostgreSQL (initdb)",
        install_hint: INSTALL_HINT,
    })?;
    // PATH often holds symlinks (/usr/local/bin/initdb); the real directory also has postgres,
    // createdb and the share files.
    let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
    let dir = real
        .parent()
        .map(Path::to_path_buf)
        .ok_or(ServiceError::Missing {
            what: "PostgreSQL (initdb)",
            install_hint: INSTALL_HINT,
        })?;
    for needed in ["postgres", "createdb"] {
        if !dir.join(needed).is_file() {
            return Err(ServiceError::Missing {
                what: if needed == "postgres" {
                    "PostgreSQL (postgres)"
                } else {
                    "PostgreSQL client (createdb)"
                },
                install_hint: INSTALL_HINT,
            });
        }
    }
    Ok(dir)
}

fn initdb(bin_dir: &Path, dir: &Path, user: Option<&RunAs>) -> Result<(), ServiceError> {
    let mut cmd = server_command(&bin_dir.join("initdb"), user, "KILL")?;
    cmd.current_dir(dir).arg("-D").arg(dir.join("data")).args([
        "-U",
        SUPERUSER,
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
        "--no-instructions",
    ]);
    run_checked(cmd)
}

fn serve(
    bin_dir: &Path,
    dir: &Path,
    port: u16,
    user: Option<&RunAs>,
) -> Result<Kept, ServiceError> {
    let data = dir.join("data");
    let log = dir.join("postgres.log");
    let mut cmd = server_command(&bin_dir.join("postgres"), user, "INT")?;
    cmd.current_dir(dir)
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(dir)
        .args(["-p", &port.to_string()])
        .args(["-c", "listen_addresses=127.0.0.1"])
        .args(["-c", "fsync=off"])
        .args(["-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off"])
        .args(["-c", "max_connections=200"])
        .args(["-c", "log_min_messages=warning"]);
    let server = Kept::spawn(cmd, &log)?;
    // The postmaster writes "ready" on the eighth line of postmaster.pid once it accepts
    // connections; a TCP connect alone would also succeed during recovery.
    let pid_file = data.join("postmaster.pid");
    let ready = || {
        std::fs::read_to_string(&pid_file)
            .map(|t| t.lines().nth(7).map(str::trim) == Some("ready"))
            .unwrap_or(false)
    };
    match wait_until_ready("postgres", &server, port, &log, START_TIMEOUT, ready) {
        Ok(()) => Ok(server),
        Err(e) => {
            server.stop("INT", Duration::from_secs(5));
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::service_or_skip;

    fn psql(pg: &TempPostgres, url: &str, sql: &str) -> String {
        let out = std::process::Command::new(pg.bin_dir.join("psql"))
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    #[test]
    fn a_private_cluster_serves_databases_and_goes_away() {
        let Some(pg) = service_or_skip(TempPostgres::start()) else {
            return;
        };
        let dir = pg.dir().to_path_buf();
        let url = pg.create_database("orders_1").unwrap();
        assert_eq!(
            url,
            format!("postgres://pingan@127.0.0.1:{}/orders_1", pg.port())
        );
        assert_eq!(psql(&pg, &url, "SHOW server_encoding"), "UTF8");
        assert_eq!(psql(&pg, &url, "SHOW fsync"), "off");
        assert_eq!(psql(&pg, &url, "SELECT current_database()"), "orders_1");
        assert!(matches!(
            pg.create_database("Bad-Name"),
            Err(ServiceError::InvalidName { .. })
        ));
        assert!(
            pg.create_database("orders_1").is_err(),
            "duplicates are refused"
        );
        drop(pg);
        assert!(!dir.exists(), "the cluster directory is removed on drop");
    }

    #[test]
    fn the_shared_cluster_is_started_once() {
        let Some(a) = service_or_skip(TempPostgres::shared()) else {
            return;
        };
        let b = TempPostgres::shared().unwrap();
        assert!(std::ptr::eq(a, b));
        let first = a.fresh_database().unwrap();
        let second = b.fresh_database().unwrap();
        assert_ne!(first, second);
        assert!(a.is_running());
        assert_eq!(psql(a, &second, "SELECT 1"), "1");
    }
}

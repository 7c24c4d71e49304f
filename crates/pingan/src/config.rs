//! Configuration, parsed twice: raw layers (defaults, `pingan.toml`, `PINGAN_*` environment,
//! flags), then one validated [`Config`]. Only the binary reads configuration; every other crate
//! receives typed values.

use anyhow::{bail, Context};
use clap::Args;
use pingan_db::DatabaseUrl;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Options every command shares. Each may also come from the environment or `pingan.toml`.
#[derive(Debug, Clone, Args, Default)]
pub struct GlobalArgs {
    /// Configuration file [default: ./pingan.toml when present].
    #[arg(long, env = "PINGAN_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Data directory (SQLite database, demo data) [default: ./data].
    #[arg(long, env = "PINGAN_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER:PASS@HOST/DB [default: SQLite in the data directory].
    #[arg(
        long,
        env = "PINGAN_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Log filter, e.g. `info` or `pingan=debug,tower_http=info` [default: info].
    #[arg(long, env = "PINGAN_LOG", global = true)]
    pub log: Option<String>,
}

/// Options of `pingan serve` (and `pingan demo`).
#[derive(Debug, Clone, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "PINGAN_LISTEN")]
    pub listen: Option<String>,
    /// MQTT broker for field devices, e.g. mqtt://pingan:SECRET@127.0.0.1:1883 [default: none].
    #[arg(long, env = "PINGAN_MQTT_URL", hide_env_values = true)]
    pub mqtt_url: Option<String>,
    /// The first admin's password, used only when no admin exists yet [default: random, printed once].
    #[arg(long, env = "PINGAN_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Serve the web UI from this folder instead of the copy built into the binary (for UI
    /// development: edit `web/` and reload the page) [default: the built-in copy].
    #[arg(long, env = "PINGAN_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Print the effective configuration (secrets redacted) and exit.
    #[arg(long)]
    pub print_config: bool,
}

/// The default log filter: informative, without sqlx's per-statement slow-query warnings (bulk
/// loads at start trip them by design).
pub const DEFAULT_LOG: &str = "info,sqlx::query=error";

/// The file's shape: every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    log: Option<String>,
    mqtt_url: Option<String>,
    admin_password: Option<String>,
    session_ttl_hours: Option<u64>,
    cookie_secure: Option<bool>,
    login_max_failures: Option<u32>,
    login_window_minutes: Option<u64>,
    time_zone: Option<String>,
    plate_retention_days: Option<u32>,
    position_retention_days: Option<u32>,
    position_stale_after_s: Option<u32>,
    device_heartbeat_interval_s: Option<u32>,
    device_missed_beats: Option<u32>,
    web_dir: Option<PathBuf>,
    patrol_tactics: Option<Vec<String>>,
}

/// The validated configuration.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub log: String,
    pub mqtt_url: Option<String>,
    pub admin_password: Option<String>,
    pub session_ttl: Duration,
    pub cookie_secure: bool,
    pub login_max_failures: u32,
    pub login_window: Duration,
    pub time_zone: String,
    /// Plate reads older than this are purged (evidence copied into cases is kept).
    pub plate_retention_days: u32,
    /// Unit GPS tracks older than this are purged.
    pub position_retention_days: u32,
    /// A unit's last position is stale after this much silence.
    pub position_stale_after_s: u32,
    /// Devices are expected to beat this often…
    pub device_heartbeat_interval_s: u32,
    /// …and are offline after this many missed beats.
    pub device_missed_beats: u32,
    /// Serve the web UI from this folder rather than the built-in copy.
    pub web_dir: Option<PathBuf>,
    /// The tactics officers may use and record on patrol, in the order offered.
    pub patrol_tactics: Vec<String>,
    /// The guided tour of the demo district (set by `pingan demo`, never by configuration).
    pub demo_tour: Option<serde_json::Value>,
    /// Where the file layer came from, if anywhere.
    pub source_file: Option<PathBuf>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_toml())
    }
}

/// The effective configuration as printed by `--print-config` (secrets redacted).
#[derive(Serialize)]
struct Printed<'a> {
    listen: String,
    data_dir: String,
    database_url: String,
    log: &'a str,
    mqtt_url: Option<String>,
    admin_password: Option<&'static str>,
    session_ttl_hours: u64,
    cookie_secure: bool,
    login_max_failures: u32,
    login_window_minutes: u64,
    time_zone: &'a str,
    plate_retention_days: u32,
    position_retention_days: u32,
    position_stale_after_s: u32,
    device_heartbeat_interval_s: u32,
    device_missed_beats: u32,
    web_dir: Option<String>,
    patrol_tactics: Vec<String>,
}

/// Replaces the password in `scheme://user:password@host`.
fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    match (rest.find('@'), rest.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!(
                "{}{}:***{}",
                &url[..scheme_end + 3],
                &rest[..colon],
                &rest[at..]
            )
        }
        _ => url.to_owned(),
    }
}

impl Config {
    pub fn to_toml(&self) -> String {
        let printed = Printed {
            listen: self.listen.to_string(),
            data_dir: self.data_dir.display().to_string(),
            database_url: self.database_url.redacted(),
            log: &self.log,
            mqtt_url: self.mqtt_url.as_deref().map(redact_url),
            admin_password: self.admin_password.as_ref().map(|_| "***"),
            session_ttl_hours: self.session_ttl.as_secs() / 3600,
            cookie_secure: self.cookie_secure,
            login_max_failures: self.login_max_failures,
            login_window_minutes: self.login_window.as_secs() / 60,
            time_zone: &self.time_zone,
            plate_retention_days: self.plate_retention_days,
            position_retention_days: self.position_retention_days,
            position_stale_after_s: self.position_stale_after_s,
            device_heartbeat_interval_s: self.device_heartbeat_interval_s,
            device_missed_beats: self.device_missed_beats,
            patrol_tactics: self.patrol_tactics.clone(),
            web_dir: self.web_dir.as_ref().map(|p| p.display().to_string()),
        };
        let origin = match &self.source_file {
            Some(p) => format!("# effective configuration (file layer: {})\n", p.display()),
            None => "# effective configuration (no configuration file)\n".to_owned(),
        };
        origin + &toml::to_string(&printed).unwrap_or_else(|e| format!("# cannot print: {e}"))
    }

    /// Merges the layers: flags and environment (clap already merged those), then the file,
    /// then defaults; then validates.
    #[expect(
        clippy::too_many_lines,
        reason = "one procedure whose steps read in order; split when it next grows"
    )]
    pub fn load(global: &GlobalArgs, serve: &ServeArgs) -> anyhow::Result<Self> {
        let (file, source_file) = read_file(global.config.as_deref())?;
        let data_dir = global
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let listen_text = serve
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_text.parse().with_context(|| {
            format!("listen address {listen_text:?} is not HOST:PORT (e.g. 127.0.0.1:8080)")
        })?;
        let database_url = match global.database_url.clone().or(file.database_url) {
            Some(url) => DatabaseUrl::parse(&url).context("database_url")?,
            None => DatabaseUrl::sqlite_file(&data_dir.join("pingan.db")),
        };
        let session_ttl_hours = file.session_ttl_hours.unwrap_or(12);
        if !(1..=24 * 30).contains(&session_ttl_hours) {
            bail!("session_ttl_hours must be 1–720, not {session_ttl_hours}");
        }
        let login_max_failures = file.login_max_failures.unwrap_or(5);
        if login_max_failures == 0 {
            bail!("login_max_failures must be at least 1");
        }
        let login_window_minutes = file.login_window_minutes.unwrap_or(15);
        if login_window_minutes == 0 {
            bail!("login_window_minutes must be at least 1");
        }
        let time_zone = file.time_zone.unwrap_or_else(|| "Asia/Shanghai".into());
        if !time_zone.contains('/') && time_zone != "UTC" {
            bail!("time_zone must be an IANA name such as Asia/Shanghai, not {time_zone:?}");
        }
        let plate_retention_days = file.plate_retention_days.unwrap_or(30);
        if !(1..=3650).contains(&plate_retention_days) {
            bail!("plate_retention_days must be 1–3650, not {plate_retention_days}");
        }
        let ranged =
            |name: &str, v: Option<u32>, default: u32, range: std::ops::RangeInclusive<u32>| {
                let v = v.unwrap_or(default);
                if range.contains(&v) {
                    Ok(v)
                } else {
                    Err(anyhow::anyhow!(
                        "{name} must be {}–{}, not {v}",
                        range.start(),
                        range.end()
                    ))
                }
            };
        let position_retention_days = ranged(
            "position_retention_days",
            file.position_retention_days,
            90,
            1..=3650,
        )?;
        let position_stale_after_s = ranged(
            "position_stale_after_s",
            file.position_stale_after_s,
            120,
            10..=86_400,
        )?;
        let device_heartbeat_interval_s = ranged(
            "device_heartbeat_interval_s",
            file.device_heartbeat_interval_s,
            60,
            5..=86_400,
        )?;
        let device_missed_beats =
            ranged("device_missed_beats", file.device_missed_beats, 3, 1..=100)?;
        let patrol_tactics = match file.patrol_tactics {
            Some(list) => {
                pingan_patrols::domain::tactics::check_list(&list)
                    .map_err(|e| anyhow::anyhow!(e))?;
                list
            }
            None => pingan_patrols::PatrolsConfig::default().tactics,
        };
        let web_dir = serve.web_dir.clone().or(file.web_dir);
        if let Some(dir) = &web_dir {
            if !dir.join("index.html").is_file() {
                bail!("web_dir {} has no index.html", dir.display());
            }
        }
        let mqtt_url = serve.mqtt_url.clone().or(file.mqtt_url);
        if let Some(url) = &mqtt_url {
            pingan_ingest::MqttConfig::from_url(url).context("mqtt_url")?;
        }
        let admin_password = serve.admin_password.clone().or(file.admin_password);
        if let Some(pw) = &admin_password {
            pingan_core::account::check_password(pw)
                .map_err(|e| anyhow::anyhow!("admin password: {e}"))?;
        }
        Ok(Self {
            listen,
            data_dir,
            database_url,
            log: global
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| DEFAULT_LOG.into()),
            mqtt_url,
            admin_password,
            session_ttl: Duration::from_secs(session_ttl_hours * 3600),
            cookie_secure: file.cookie_secure.unwrap_or(false),
            login_max_failures,
            login_window: Duration::from_secs(login_window_minutes * 60),
            time_zone,
            plate_retention_days,
            position_retention_days,
            position_stale_after_s,
            device_heartbeat_interval_s,
            device_missed_beats,
            web_dir,
            patrol_tactics,
            demo_tour: None,
            source_file,
        })
    }

    /// The patrol programme's settings this configuration implies.
    pub fn patrols_config(&self) -> pingan_patrols::PatrolsConfig {
        pingan_patrols::PatrolsConfig {
            tactics: self.patrol_tactics.clone(),
            ..pingan_patrols::PatrolsConfig::default()
        }
    }

    /// The plate-read settings this configuration implies.
    pub fn plate_config(&self) -> pingan_plates::PlateConfig {
        pingan_plates::PlateConfig {
            retention: Duration::from_secs(u64::from(self.plate_retention_days) * 86_400),
            ..pingan_plates::PlateConfig::default()
        }
    }

    /// The video network's liveness settings this configuration implies.
    pub fn health_settings(&self) -> pingan_video::HealthSettings {
        pingan_video::HealthSettings {
            interval_s: self.device_heartbeat_interval_s.into(),
            missed_beats: self.device_missed_beats,
        }
    }

    /// The command centre's settings this configuration implies.
    pub fn command_config(&self) -> pingan_command::CommandConfig {
        pingan_command::CommandConfig {
            position_stale_after_s: i64::from(self.position_stale_after_s),
            position_retention_s: i64::from(self.position_retention_days) * 86_400,
            ..pingan_command::CommandConfig::default()
        }
    }

    pub fn server_config(&self) -> pingan_server::ServerConfig {
        pingan_server::ServerConfig {
            session_ttl: self.session_ttl,
            cookie_secure: self.cookie_secure,
            login_max_failures: self.login_max_failures,
            login_window: self.login_window,
            time_zone: self.time_zone.clone(),
            web_dir: self.web_dir.clone(),
            demo_tour: self.demo_tour.clone(),
        }
    }
}

fn read_file(explicit: Option<&Path>) -> anyhow::Result<(FileConfig, Option<PathBuf>)> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let default = PathBuf::from("pingan.toml");
            if !default.exists() {
                return Ok((FileConfig::default(), None));
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read configuration file {}", path.display()))?;
    let file: FileConfig = toml::from_str(&text)
        .with_context(|| format!("configuration file {} is invalid", path.display()))?;
    Ok((file, Some(path)))
}

/// Creates the data directory readable by its owner only.
pub fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict the data directory {}", dir.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("mqtt://pingan:s3cret@h:1883"),
            "mqtt://pingan:***@h:1883"
        );
        assert_eq!(redact_url("mqtt://h:1883"), "mqtt://h:1883");
    }

    #[test]
    fn defaults_apply_and_secrets_do_not_print() {
        let serve = ServeArgs {
            admin_password: Some("a long admin password".into()),
            ..ServeArgs::default()
        };
        let global = GlobalArgs {
            config: Some(PathBuf::from("/nonexistent/pingan.toml")),
            ..GlobalArgs::default()
        };
        assert!(Config::load(&global, &serve).is_err());
        let global = GlobalArgs::default();
        let c = Config::load(&global, &serve).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        let printed = c.to_toml();
        assert!(!printed.contains("a long admin password"));
        assert!(printed.contains("***"));
    }

    #[test]
    fn patrol_tactics_are_chosen_from_the_catalogue_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pingan.toml");
        let load = |text: &str| {
            std::fs::write(&path, text).unwrap();
            let global = GlobalArgs {
                config: Some(path.clone()),
                ..GlobalArgs::default()
            };
            Config::load(&global, &ServeArgs::default())
        };
        let c = load("patrol_tactics = [\"night_walk_route\", \"visible_presence\"]\n").unwrap();
        assert_eq!(
            c.patrols_config().tactics,
            ["night_walk_route", "visible_presence"]
        );
        let err = load("patrol_tactics = [\"visible_presence\", \"karaoke\"]\n").unwrap_err();
        assert!(err.to_string().contains("patrol_tactics[1]"), "{err}");
        let all = Config::load(&GlobalArgs::default(), &ServeArgs::default()).unwrap();
        assert_eq!(all.patrols_config().tactics.len(), 6);
        assert!(all.to_toml().contains("patrol_tactics"));
    }

    #[test]
    fn a_bad_listen_address_is_named() {
        let serve = ServeArgs {
            listen: Some("localhost".into()),
            ..ServeArgs::default()
        };
        let err = Config::load(&GlobalArgs::default(), &serve).unwrap_err();
        assert!(format!("{err:#}").contains("listen address"));
    }
}

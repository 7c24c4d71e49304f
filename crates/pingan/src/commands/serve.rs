//! `pingan serve`: wires the store, the server, the MQTT runtime and background tasks.

use crate::config::Config;
use anyhow::Context;
use pingan_core::access::Role;
use pingan_core::ids::UserId;
use pingan_core::ports::{AccountStore, NewUser};
use pingan_db::Store;
use pingan_server::auth::{hash_password, new_id, new_secret};
use pingan_server::hub::EventHub;
use pingan_server::{AppState, MetricSource};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Creates the first admin when there is none; prints its password once when generated.
pub async fn ensure_admin(store: &Store, password: Option<&str>) -> anyhow::Result<()> {
    if store.has_admin().await? {
        return Ok(());
    }
    let (password, generated) = match password {
        Some(p) => (p.to_owned(), false),
        None => (new_secret(""), true),
    };
    let hash = hash_password(password.clone()).await?;
    let username = if store.user_by_username("admin").await?.is_some() {
        format!("admin-{}", &new_id("")[..4])
    } else {
        "admin".to_owned()
    };
    let entry = super::local_entry(
        "system",
        "user.create",
        "user",
        &username,
        serde_json::json!({ "role": "admin", "first_start": true }),
    );
    store
        .create_user(
            &NewUser {
                id: UserId(new_id("u-")),
                username: username.clone(),
                display_name: "Administrator 管理员".into(),
                role: Role::Admin,
                agency: None,
                password_hash: hash,
                created_at: super::now(),
            },
            vec![entry],
        )
        .await?;
    if generated {
        eprintln!("\n  First start: created the admin account.\n    user name: {username}\n    password:  {password}\n  This password is shown only once; change it with `pingan user passwd {username}`.\n");
    } else {
        tracing::info!(
            username,
            "created the first admin account from PINGAN_ADMIN_PASSWORD"
        );
    }
    Ok(())
}

#[derive(Debug)]
struct MqttMetrics(Arc<pingan_ingest::IngestMetrics>);

impl MetricSource for MqttMetrics {
    fn metrics(&self) -> Vec<(&'static str, &'static str, &'static str, u64)> {
        let c = self.0.snapshot();
        vec![
            (
                "pingan_mqtt_received_total",
                "MQTT messages received.",
                "counter",
                c.received,
            ),
            (
                "pingan_mqtt_handled_total",
                "MQTT messages handled.",
                "counter",
                c.handled,
            ),
            (
                "pingan_mqtt_failed_total",
                "MQTT messages that failed.",
                "counter",
                c.failed,
            ),
            (
                "pingan_mqtt_reconnects_total",
                "MQTT reconnections.",
                "counter",
                c.reconnects,
            ),
            (
                "pingan_mqtt_connected",
                "1 while connected to the broker.",
                "gauge",
                u64::from(c.connected),
            ),
        ]
    }
}

/// Everything `serve` starts, so that `demo` can reuse it.
pub struct Running {
    pub state: AppState,
    pub addr: SocketAddr,
    shutdown_tx: tokio::sync::watch::Sender<bool>,
    mqtt_cancel: pingan_ingest::CancellationToken,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Opens the store, prepares the state and starts serving; returns once listening.
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub async fn start(config: &Config) -> anyhow::Result<Running> {
    let store = super::open_store(config).await?;
    ensure_admin(&store, config.admin_password.as_deref()).await?;
    let geography = pingan_server::geography::load_geography(&store)
        .await
        .context("loading the geography")?;
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let hub = EventHub::for_store(&store, shutdown_rx.clone())
        .await
        .context("starting the event hub")?;
    let state = AppState::new(
        store.clone(),
        config.server_config(),
        hub,
        geography,
        crate::capabilities::all(config),
    );
    // Each capability rebuilds its in-memory state from the store (the source of truth), then
    // its background jobs start.
    for c in state.capabilities.iter() {
        c.load(&state)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("loading {}", c.name()))?;
        for (name, task) in c.tasks(&state, shutdown_rx.clone()) {
            tracing::debug!(task = name, "background task started");
            tokio::spawn(task);
        }
    }
    // Counted refusals are written when their window has passed, and all at shutdown.
    {
        let state = state.clone();
        let mut stop = shutdown_rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(pingan_server::REFUSAL_WINDOW);
            loop {
                tokio::select! {
                    _ = stop.changed() => {
                        if let Err(e) = state.flush_refusals(true).await {
                            tracing::warn!(error = %e, "could not write counted refusals");
                        }
                        break;
                    }
                    _ = tick.tick() => {
                        if let Err(e) = state.flush_refusals(false).await {
                            tracing::warn!(error = %e, "could not write counted refusals");
                        }
                    }
                }
            }
        });
    }
    // Expired sessions are removed hourly.
    {
        let store = store.clone();
        let mut stop = shutdown_rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    _ = tick.tick() => {
                        match store.purge_sessions(super::now()).await {
                            Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e, "could not purge sessions"),
                        }
                    }
                }
            }
        });
    }

    let mqtt_cancel = pingan_ingest::CancellationToken::new();
    if let Some(url) = &config.mqtt_url {
        let mut mqtt = pingan_ingest::MqttConfig::from_url(url).context("mqtt_url")?;
        if mqtt.subscriptions.is_empty() {
            mqtt.subscriptions = vec![pingan_ingest::ALL_DEVICE_TOPICS.to_owned()];
        }
        let handler = Arc::new(pingan_server::ingest::DeviceMessages::new(state.clone()));
        let runtime = pingan_ingest::IngestRuntime::spawn(mqtt, handler, mqtt_cancel.clone())
            .context("starting the MQTT ingest runtime")?;
        state
            .metric_sources
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::new(MqttMetrics(runtime.metrics().clone())));
        tracing::info!("MQTT ingest runtime started");
    }

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let app =
        pingan_server::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let mut stop = shutdown_rx;
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.changed().await;
            })
            .await
    });
    Ok(Running {
        state,
        addr,
        shutdown_tx,
        mqtt_cancel,
        server,
    })
}

impl Running {
    /// Stops accepting, lets requests finish, stops the MQTT runtime and closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown_tx.send(true);
        self.mqtt_cancel.cancel();
        self.server.await.context("server task")??;
        self.state.store.close().await;
        Ok(())
    }
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let running = start(&config).await?;
    tracing::info!(address = %running.addr, backend = running.state.store.backend().as_str(), "pingan is serving");
    eprintln!("pingan is serving on http://{}/", running.addr);
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await
}

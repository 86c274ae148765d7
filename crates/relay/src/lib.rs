//! The relay server of the local-first CRM (DESIGN.md sections 5, 7, 9; the endpoint
//! contract is docs/CONTRACTS.md). It stores each workspace's sealed chunks by
//! (device, seq) in SQLite, acknowledges them once durable, forwards new ones to the
//! workspace's other connected members, and catches reconnecting members up by version
//! vector. It authenticates by a token hash and never sees a key or a plaintext byte.
//!
//! This file owns the HTTP surface: the [`Config`], the shared [`AppState`], the router
//! (`/sync/<workspace-id>`, `/healthz`, key rotation and invites under `/workspaces/<id>/`
//! and `/invites/<id>` (`members.rs`), and the built app from `--dist` for everything
//! else) and the [`serve`] entry point the binary calls.

pub mod auth;
pub mod error;
pub mod hub;
pub mod limits;
pub mod members;
pub mod static_files;
pub mod store;
pub mod ws;

use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::serve::ListenerExt;
use axum::Router;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;

/// How long a stopping relay waits for its sync connections to close.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

pub use error::AppError;
pub use store::{Store, StoreError};

/// How the relay runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Interface to bind, e.g. `127.0.0.1` or `0.0.0.0`.
    pub host: String,
    /// TCP port; 0 picks a free one (the printed URL says which).
    pub port: u16,
    /// Directory holding `relay.sqlite3`; created if missing.
    pub data_dir: PathBuf,
    /// The built app to serve, if any.
    pub dist: Option<PathBuf>,
    /// Rate and storage limits.
    pub limits: limits::Limits,
    /// How long a snapshot is kept beside the chunks it covers before they are dropped.
    pub retention: std::time::Duration,
    /// How often the relay looks for snapshots whose retention window has passed.
    pub sweep_every: std::time::Duration,
}

/// Default retention window: a month, so a recent mistake in a snapshot can still be undone
/// from the chunks it replaced.
pub const DEFAULT_RETENTION: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);
/// Default sweep interval.
pub const DEFAULT_SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Shared by every request and connection.
pub struct AppState {
    pub store: Store,
    pub limits: limits::Limits,
    pub hubs: hub::Hubs,
    /// Set to true when the relay shuts down: connections close with 1001.
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    pub fn new(store: Store, limits: limits::Limits) -> AppState {
        AppState { store, limits, hubs: hub::Hubs::default(), shutdown: tokio::sync::watch::Sender::new(false) }
    }
}

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// The relay's routes over `state`, with the app from `dist` (if given) for everything else.
pub fn router(state: Arc<AppState>, dist: Option<PathBuf>) -> Router {
    let api = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        // open sync connections, for operators and tests (no workspace is named)
        .route(
            "/stats",
            get(|axum::extract::State(s): axum::extract::State<Arc<AppState>>| async move {
                format!("{{\"connections\":{}}}", s.hubs.connections())
            }),
        )
        .route("/sync/{workspace}", get(ws::handler))
        .route("/workspaces/{workspace}/rotate", post(members::rotate))
        .route("/workspaces/{workspace}/key", get(members::key))
        .route("/workspaces/{workspace}/invites", post(members::create_invite).get(members::list_invites))
        .route("/workspaces/{workspace}/invites/{id}", delete(members::revoke_invite))
        .route("/invites/{id}", get(members::redeem_invite))
        .layer(axum::extract::DefaultBodyLimit::max(members::MAX_BODY))
        .with_state(state);
    match dist {
        Some(dist) => api.fallback_service(static_files::router(dist)),
        None => api.fallback(|| async { (StatusCode::NOT_FOUND, "not found") }),
    }
}

/// A relay whose socket is bound but which is not yet serving.
pub struct Relay {
    listener: TcpListener,
    router: Router,
    state: Arc<AppState>,
    host: String,
    retention: std::time::Duration,
    sweep_every: std::time::Duration,
}

impl Relay {
    /// Opens the database and binds the socket.
    pub async fn bind(config: Config) -> Result<Relay, StartError> {
        let store = Store::open(&config.data_dir)?;
        let state = Arc::new(AppState::new(store, config.limits.clone()));
        let listener = TcpListener::bind((config.host.as_str(), config.port))
            .await
            .map_err(|e| StartError::Bind(format!("{}:{}", config.host, config.port), e))?;
        Ok(Relay {
            listener,
            router: router(state.clone(), config.dist),
            state,
            host: config.host,
            retention: config.retention,
            sweep_every: config.sweep_every,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// `http://HOST:PORT/`, with the port actually bound.
    pub fn url(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("http://{host}:{}/", self.local_addr().port())
    }

    /// Serves until Ctrl-C or SIGTERM, then closes open sync connections (1001) and waits
    /// briefly for them to finish.
    pub async fn run(self) -> Result<(), StartError> {
        let state = self.state.clone();
        let stop = async move {
            shutdown_signal().await;
            state.shutdown.send_replace(true);
        };
        // small frames (acks, live pushes) must not wait for Nagle's algorithm
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("cannot set TCP_NODELAY: {e}");
            }
        });
        let sweeper = tokio::spawn(sweep_loop(self.state.clone(), self.retention, self.sweep_every));
        let served = axum::serve(listener, self.router).with_graceful_shutdown(stop).await;
        sweeper.abort();
        served.map_err(StartError::Serve)?;
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, self.state.hubs.wait_idle()).await;
        Ok(())
    }
}

/// Drops, every `every`, the chunks that snapshots older than `retention` cover (starting at
/// once, so a relay restarted after a long stop catches up).
async fn sweep_loop(state: Arc<AppState>, retention: std::time::Duration, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every.max(std::time::Duration::from_millis(100)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match sweep_once(&state, store::now_millis(), retention).await {
            Ok(s) if s.chunks > 0 => tracing::info!(chunks = s.chunks, bytes = s.bytes, "dropped chunks covered by snapshots"),
            Ok(_) => {}
            // the next sweep tries again; nothing was dropped by a failed transaction
            Err(e) => tracing::error!("retention sweep failed: {e}"),
        }
    }
}

/// One retention sweep over every workspace with snapshots whose window has passed at `now`
/// (milliseconds since the epoch).
pub async fn sweep_once(state: &AppState, now: i64, retention: std::time::Duration) -> Result<store::Swept, StoreError> {
    let mut total = store::Swept::default();
    for workspace in state.store.ripe_workspaces(now, retention).await? {
        let swept = state.store.sweep(workspace, now, retention).await?;
        if let Some(hub) = state.hubs.get(&workspace) {
            hub.swept(swept.bytes).await;
        }
        total.chunks += swept.chunks;
        total.bytes += swept.bytes;
    }
    Ok(total)
}

/// Binds, prints `Relay listening on http://HOST:PORT/` on stdout, then serves.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let relay = Relay::bind(config).await?;
    let mut out = std::io::stdout().lock();
    // a closed stdout must not stop the relay
    let _ = writeln!(out, "Relay listening on {}", relay.url());
    let _ = out.flush();
    drop(out);
    tracing::info!("serving on {}", relay.local_addr());
    relay.run().await
}

async fn shutdown_signal() {
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
    tracing::info!("shutting down");
}

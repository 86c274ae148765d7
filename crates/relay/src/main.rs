//! The `crm-relay` command: parses the command line, sets up logging (to stderr, so stdout
//! carries only the one `Relay listening on ...` line) and runs [`crm_relay::serve`].

use clap::Parser;
use crm_relay::limits::Limits;
use crm_relay::Config;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Relay server of the local-first CRM: stores sealed chunks and forwards them between a
/// workspace's devices; optionally serves the built web app.
#[derive(Debug, Parser)]
#[command(name = "crm-relay", version)]
struct Cli {
    /// Interface to listen on
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free port; the printed URL shows it)
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Data directory (created if missing); holds relay.sqlite3
    #[arg(long = "data", value_name = "DIR", default_value = "./data")]
    data: PathBuf,
    /// Directory of the built web app to serve [default: dist, if it exists]
    #[arg(long, value_name = "DIR")]
    dist: Option<PathBuf>,
    /// Bytes a second one connection may send (over it, the relay reads it slower)
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().conn_bytes_per_sec)]
    conn_bytes_per_sec: u64,
    /// Messages a second one connection may send
    #[arg(long, value_name = "N", default_value_t = Limits::default().conn_msgs_per_sec)]
    conn_msgs_per_sec: u64,
    /// Bytes a second all connections of one workspace together may send
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().workspace_bytes_per_sec)]
    workspace_bytes_per_sec: u64,
    /// Bytes of chunks one workspace may store; a push beyond it is refused with a reason
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().workspace_quota)]
    workspace_quota: u64,
    /// Days a snapshot is kept beside the chunks it covers before they are dropped
    #[arg(long, value_name = "DAYS", default_value_t = crm_relay::DEFAULT_RETENTION.as_secs() / 86_400)]
    retention_days: u64,
    /// The retention window in seconds instead of days (tests, tuning)
    #[arg(long, value_name = "SECS", conflicts_with = "retention_days")]
    retention_secs: Option<u64>,
    /// Seconds between looks for snapshots whose retention window has passed
    #[arg(long, value_name = "SECS", default_value_t = crm_relay::DEFAULT_SWEEP_EVERY.as_secs())]
    sweep_every_secs: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "crm_relay=info,warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let dist = cli.dist.or_else(|| Some(PathBuf::from("dist")).filter(|d| d.is_dir()));
    let limits = Limits {
        conn_bytes_per_sec: cli.conn_bytes_per_sec,
        conn_msgs_per_sec: cli.conn_msgs_per_sec,
        workspace_bytes_per_sec: cli.workspace_bytes_per_sec,
        workspace_quota: cli.workspace_quota,
    };
    let retention = Duration::from_secs(cli.retention_secs.unwrap_or(cli.retention_days.saturating_mul(86_400)));
    let config = Config {
        host: cli.host,
        port: cli.port,
        data_dir: cli.data,
        dist,
        limits,
        retention,
        sweep_every: Duration::from_secs(cli.sweep_every_secs),
    };
    match crm_relay::serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crm-relay: {e}");
            ExitCode::FAILURE
        }
    }
}

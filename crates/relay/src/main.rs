//! The `crm-relay` command: parses the command line, sets up logging (to stderr, so stdout
//! carries only the one `Relay listening on ...` line) and runs [`crm_relay::serve`].

use clap::Parser;
use crm_relay::Config;
use std::path::PathBuf;
use std::process::ExitCode;

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
    let config = Config { host: cli.host, port: cli.port, data_dir: cli.data, dist };
    match crm_relay::serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crm-relay: {e}");
            ExitCode::FAILURE
        }
    }
}

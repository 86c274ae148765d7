//! `cargo xtask <command>`: developer tasks for the local-first CRM.
//!
//! - `cargo xtask run`  installs missing tools, builds the app (release) and the relay, and
//!   serves the app from the relay on 127.0.0.1.
//! - `cargo xtask test` installs missing tools and browsers, then runs the native tests, the
//!   in-browser wasm tests and the end-to-end suite, failing fast.
//! - `cargo xtask bench` builds as `run` does, then measures the app against the performance
//!   budgets (DESIGN.md section 10) beside automerge-repo, and writes every figure to
//!   bench/results/latest.json.

mod bench;
mod build;
mod compress;
mod run;
mod test;
mod tools;
mod util;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Developer tasks for the local-first CRM")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install missing tools, build the app in release mode and serve it from the relay.
    Run {
        /// Port of the relay on 127.0.0.1.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Directory of the relay's data (one SQLite file). Default: ./data in the repository.
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Install what the tests need, then run native, in-browser (wasm) and end-to-end tests.
    Test,
    /// Release build, then only the end-to-end tests whose file names contain one of FILTERS
    /// (all when none): the quick loop while working on one screen. Builds are serialised
    /// between concurrent runs and each run tests its own copy of dist/.
    E2e {
        filters: Vec<String>,
    },
    /// Build (release), then measure the app against its performance budgets: prints each
    /// figure beside automerge-repo's and its budget, and writes them all to
    /// bench/results/latest.json (bench/README.md).
    Bench {
        /// Workspace sizes (customers) to measure start-up, search, opening and heap at.
        #[arg(long, default_value = "1000,10000")]
        sizes: String,
        /// Workspace sizes built by importing a CSV through the Import page (the import is
        /// measured too), e.g. 100000 (about 6 minutes more); "" for none.
        #[arg(long, default_value = "")]
        import_sizes: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { port, data } => run::run(port, data),
        Command::Test => test::test(),
        Command::E2e { filters } => test::e2e(&filters),
        Command::Bench { sizes, import_sizes } => bench::bench(&sizes, &import_sizes),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("\nxtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

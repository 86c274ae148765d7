//! `cargo xtask run`: bootstrap, release build, then serve dist/ from the relay.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result};

use crate::util::{info, root, step};
use crate::{build, tools};

pub fn run(port: u16, data: Option<PathBuf>) -> Result<ExitCode> {
    // A relative --data is relative to where the command was typed; the default is ./data in
    // the repository.
    let data = match data {
        Some(d) if d.is_absolute() => d,
        Some(d) => std::env::current_dir()?.join(d),
        None => root().join("data"),
    };
    std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;

    let tools = tools::ensure_build_tools()?;
    let built = build::release(&tools)?;

    step(format!("Starting the relay on 127.0.0.1:{port} (data: {})", data.display()));
    let mut child = Command::new(&built.relay)
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--data"])
        .arg(&data)
        .arg("--dist")
        .arg(&built.dist)
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", built.relay.display()))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let url = format!("http://127.0.0.1:{port}/");
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        println!("{line}");
        if line.contains("Relay listening on") {
            step(format!("The CRM is running: open {url}   (Ctrl-C stops it)"));
        }
    }
    let status = child.wait()?;
    info(format!("relay exited: {status}"));
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

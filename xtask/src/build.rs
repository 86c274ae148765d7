//! The release build shared by `run` and `test`: fetch crates, `trunk build --release` into
//! dist/, and the relay binary.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Result};

use crate::tools::Tools;
use crate::util::{self, info, root, step, target_dir};

/// Paths of what the release build produced.
pub struct Built {
    pub relay: PathBuf,
    pub dist: PathBuf,
    /// brotli bytes of the wasm, js and css a browser downloads
    pub download: u64,
}

pub fn release(tools: &Tools) -> Result<Built> {
    let root = root();

    step("Fetching crates (cargo fetch; trunk builds offline)");
    let mut cmd = tools.cmd("cargo");
    cmd.current_dir(&root).arg("fetch");
    util::run(&mut cmd)?;

    step("Building the web app: trunk build --release -> dist/ (a cold build takes a few minutes)");
    let started = Instant::now();
    let mut cmd = tools.cmd("trunk");
    cmd.current_dir(&root).args(["build", "--release"]);
    util::run(&mut cmd)?;
    let dist = root.join("dist");
    if !dist.join("index.html").is_file() {
        bail!("trunk build succeeded but {} is missing", dist.join("index.html").display());
    }
    info(format!("app built in {}", util::fmt_duration(started.elapsed())));
    let c = crate::compress::precompress(&dist)?;
    let over = if c.download > crate::compress::DOWNLOAD_BUDGET { "  OVER BUDGET" } else { "" };
    info(format!(
        "precompressed dist/ (brotli, gzip): download wasm+js+css {} kB, budget {} kB{over}",
        c.download / 1024,
        crate::compress::DOWNLOAD_BUDGET / 1024
    ));

    step("Building the relay: cargo build --release -p crm-relay");
    let mut cmd = tools.cmd("cargo");
    cmd.current_dir(&root).args(["build", "--release", "-p", "crm-relay"]);
    util::run(&mut cmd)?;
    let relay = target_dir().join("release").join("crm-relay");
    if !relay.is_file() {
        bail!("the relay build succeeded but {} is missing", relay.display());
    }
    Ok(Built { relay, dist, download: c.download })
}

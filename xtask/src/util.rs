//! Small helpers: repository paths, step messages, running commands.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().expect("xtask lives in the repository root").to_path_buf()
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` if set, else `<root>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        _ => root().join("target"),
    }
}

/// A headline for one step of the task.
pub fn step(msg: impl AsRef<str>) {
    println!("\n==> {}", msg.as_ref());
    let _ = std::io::stdout().flush();
}

/// A detail line under a step.
pub fn info(msg: impl AsRef<str>) {
    println!("    {}", msg.as_ref());
    let _ = std::io::stdout().flush();
}

pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// `PATH` with `dirs` prepended (those not already in it).
pub fn path_with(dirs: &[PathBuf]) -> OsString {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let mut parts: Vec<PathBuf> = Vec::new();
    let existing: Vec<PathBuf> = std::env::split_paths(&current).collect();
    for d in dirs {
        if !existing.contains(d) && !parts.contains(d) {
            parts.push(d.clone());
        }
    }
    parts.extend(existing);
    std::env::join_paths(parts).expect("PATH entries contain no separator")
}

/// Find an executable on `path`.
pub fn which(name: &str, path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.contains(' ') || a.is_empty() {
            s.push_str(&format!(" '{a}'"));
        } else {
            s.push(' ');
            s.push_str(&a);
        }
    }
    s
}

/// Run a command with inherited stdio (its progress output is shown as it comes); fail if it
/// does not succeed.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = run_status(cmd)?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(cmd));
    }
    Ok(())
}

/// Run a command with inherited stdio and return its status.
pub fn run_status(cmd: &mut Command) -> Result<ExitStatus> {
    let desc = describe(cmd);
    info(format!("$ {desc}"));
    let started = Instant::now();
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{desc}`"))?;
    info(format!("({} in {})", status, fmt_duration(started.elapsed())));
    Ok(status)
}

/// Run a command quietly and return its trimmed stdout (and stderr, if stdout is empty) when it
/// succeeds; `None` if it cannot be started or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stdin(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let mut text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if text.is_empty() {
        text = String::from_utf8_lossy(&out.stderr).trim().to_string();
    }
    Some(text)
}

/// Run a command, streaming its stdout line by line to ours (stderr inherited) and also
/// returning it, so the caller can read test counts from it.
pub fn run_tee(cmd: &mut Command) -> Result<(ExitStatus, String)> {
    let desc = describe(cmd);
    info(format!("$ {desc}"));
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{desc}`"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut captured = String::new();
    let mut out = std::io::stdout();
    for line in BufReader::new(stdout).lines() {
        let line = match line {
            Ok(l) => l,
            Err(_) => continue,
        };
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
        captured.push_str(&line);
        captured.push('\n');
    }
    let status = child.wait()?;
    Ok((status, captured))
}

/// Are we root (so apt-get needs no sudo)?
pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

//! Tool bootstrap: installs what is missing, checks versions of what is there.
//!
//! Pinned here (see ../shared/TOOLCHAIN.md for why):
//! - the `wasm32-unknown-unknown` rustup target,
//! - trunk 0.21.14 (`cargo install --locked`; newer ones need a newer rustc),
//! - wasm-bindgen-cli at exactly the version of `wasm-bindgen` in Cargo.lock,
//! - wasm-opt from the npm package `binaryen@132.0.0` (Debian's binaryen 108 miscompiles),
//!   installed into a cache directory outside the repository,
//! - Chromium and ChromeDriver from Debian (tests only), and the e2e suite's npm packages.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::util::{self, info, output, path_with, root, step, which};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132.0.0";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What the build and test steps need to find the tools.
pub struct Tools {
    /// `PATH` with cargo's bin dir and wasm-opt's dir in front.
    pub path: OsString,
}

impl Tools {
    pub fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("PATH", &self.path);
        c
    }
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

fn cargo_bin_dir() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"))
        .join("bin")
}

/// Where tools that are not cargo binaries live (outside the repository, reused across clones).
fn cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache"))
        .join("crm-tools")
}

fn binaryen_dir() -> PathBuf {
    cache_dir().join(format!("binaryen-{BINARYEN_VERSION}"))
}

fn binaryen_bin_dir() -> PathBuf {
    binaryen_dir().join("node_modules").join(".bin")
}

/// The `version` of package `name` in Cargo.lock.
pub fn locked_version(name: &str) -> Result<String> {
    let lock = fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let needle = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == needle {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = ")) {
                return Ok(v.trim_matches('"').to_string());
            }
        }
    }
    bail!("package `{name}` is not in Cargo.lock")
}

/// A `key = "value"` from Trunk.toml (flat look-up; Trunk.toml is small).
fn trunk_toml_value(key: &str) -> Option<String> {
    let text = fs::read_to_string(root().join("Trunk.toml")).ok()?;
    text.lines().find_map(|l| {
        let l = l.split('#').next()?.trim();
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The first `x.y.z` (or `version_N` / `version N`) number in a `--version` output.
fn version_of(path: &OsString, program: &str) -> Option<String> {
    let mut cmd = Command::new(program);
    cmd.arg("--version").env("PATH", path);
    output(&mut cmd)
}

/// Other `cargo install` processes for `krate` running on this machine (pid, command line).
fn other_cargo_installs(krate: &str) -> Vec<(u32, String)> {
    let me = std::process::id();
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else { return found };
    for e in entries.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        if pid == me {
            continue;
        }
        let Ok(raw) = fs::read(e.path().join("cmdline")) else { continue };
        let args: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let is_cargo = args
            .first()
            .map(|a| Path::new(a).file_name().is_some_and(|f| f == "cargo"))
            .unwrap_or(false);
        let installs = args.iter().any(|a| a == "install")
            && args.iter().any(|a| a == krate || a.starts_with(&format!("{krate}@")));
        if is_cargo && installs {
            found.push((pid, args.join(" ")));
        }
    }
    found
}

/// If another process is already installing `krate`, wait for it instead of building twice.
fn wait_for_other_install(krate: &str) {
    let started = Instant::now();
    let mut last_note = None::<Instant>;
    loop {
        let others = other_cargo_installs(krate);
        let Some((pid, cmdline)) = others.first() else { return };
        if last_note.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
            info(format!(
                "another install is running (pid {pid}: `{cmdline}`); waiting for it ({} so far)",
                util::fmt_duration(started.elapsed())
            ));
            last_note = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_secs(5));
    }
}

fn ensure_wasm_target() -> Result<()> {
    step(format!("Rust target {WASM_TARGET}"));
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => {
            info("installed");
            Ok(())
        }
        Some(_) => util::run(Command::new("rustup").args(["target", "add", WASM_TARGET])),
        None => {
            // No rustup: accept a toolchain that ships the target's standard library.
            let sysroot = output(Command::new("rustc").args(["--print", "sysroot"]))
                .context("neither rustup nor rustc found")?;
            let lib = Path::new(&sysroot).join("lib/rustlib").join(WASM_TARGET);
            if lib.is_dir() {
                info(format!("installed ({})", lib.display()));
                Ok(())
            } else {
                bail!("rustup is not available and {} is missing: install the {WASM_TARGET} target", lib.display())
            }
        }
    }
}

/// `cargo install` a crate unless `program --version` already reports `version`.
fn ensure_cargo_tool(
    path: &OsString,
    program: &str,
    krate: &str,
    version: &str,
    locked: bool,
    expected_time: &str,
) -> Result<()> {
    step(format!("{program} {version}"));
    let want = format!("{program} {version}");
    let check = |path: &OsString| version_of(path, program);
    let mut current = check(path);
    if current.as_deref().is_some_and(|v| v.starts_with(&want)) {
        info(format!("installed: {}", current.unwrap_or_default()));
        return Ok(());
    }
    wait_for_other_install(krate);
    current = check(path);
    if current.as_deref().is_some_and(|v| v.starts_with(&want)) {
        info(format!("installed: {}", current.unwrap_or_default()));
        return Ok(());
    }
    match &current {
        Some(v) => info(format!("found `{v}`, need {version}: reinstalling")),
        None => info("not installed"),
    }
    info(format!("building {krate}@{version} from crates.io (takes {expected_time} on 2 cores)"));
    let mut cmd = Command::new("cargo");
    cmd.env("PATH", path).arg("install");
    if locked {
        cmd.arg("--locked");
    }
    // Build tools in their own target dir, never the workspace's.
    cmd.env_remove("CARGO_TARGET_DIR");
    cmd.arg(format!("{krate}@{version}"));
    util::run(&mut cmd)?;
    match check(path) {
        Some(v) if v.starts_with(&want) => {
            info(format!("installed: {v}"));
            Ok(())
        }
        other => bail!(
            "after installing {krate}@{version}, `{program} --version` reports {:?} (is {} first on PATH?)",
            other,
            cargo_bin_dir().display()
        ),
    }
}

fn ensure_npm(path: &OsString) -> Result<()> {
    if which("npm", path).is_some() && which("node", path).is_some() {
        return Ok(());
    }
    info("node/npm missing: installing Debian's nodejs and npm");
    apt_install(&["nodejs", "npm"])
}

fn ensure_wasm_opt(path: &OsString) -> Result<()> {
    let major = BINARYEN_VERSION.split('.').next().unwrap_or(BINARYEN_VERSION);
    step(format!("wasm-opt (npm binaryen@{BINARYEN_VERSION}) in {}", binaryen_dir().display()));
    let check = || {
        let exe = binaryen_bin_dir().join("wasm-opt");
        if !exe.exists() {
            return None;
        }
        let mut cmd = Command::new(&exe);
        cmd.arg("--version").env("PATH", path);
        output(&mut cmd)
    };
    let is_ok = |v: &str| v.contains(&format!("version {major}")) || v.contains(&format!("version_{major}"));
    if let Some(v) = check() {
        if is_ok(&v) {
            info(format!("installed: {v}"));
            return Ok(());
        }
        info(format!("found `{v}`, need {major}: reinstalling"));
    }
    ensure_npm(path)?;
    fs::create_dir_all(binaryen_dir())?;
    let mut cmd = Command::new("npm");
    cmd.env("PATH", path)
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(binaryen_dir())
        .arg(format!("binaryen@{BINARYEN_VERSION}"));
    util::run(&mut cmd)?;
    match check() {
        Some(v) if is_ok(&v) => {
            info(format!("installed: {v}"));
            Ok(())
        }
        other => bail!("wasm-opt from binaryen@{BINARYEN_VERSION} reports {other:?}"),
    }
}

/// Check that Trunk.toml pins the tool versions we installed (trunk would otherwise try to
/// download its own, which fails offline).
fn check_trunk_toml(wasm_bindgen: &str) -> Result<()> {
    let major = BINARYEN_VERSION.split('.').next().unwrap_or(BINARYEN_VERSION);
    let want_opt = format!("version_{major}");
    match trunk_toml_value("wasm_bindgen") {
        Some(v) if v == wasm_bindgen => {}
        other => bail!(
            "Trunk.toml [tools] wasm_bindgen is {other:?} but Cargo.lock has wasm-bindgen {wasm_bindgen}: \
             set `wasm_bindgen = \"{wasm_bindgen}\"` in Trunk.toml"
        ),
    }
    match trunk_toml_value("wasm_opt") {
        Some(v) if v == want_opt => {}
        other => bail!("Trunk.toml [tools] wasm_opt is {other:?}: set `wasm_opt = \"{want_opt}\"`"),
    }
    Ok(())
}

/// Everything `trunk build` and the wasm tests need: rust target, trunk, wasm-bindgen-cli,
/// wasm-opt. Returns the `PATH` to build with.
pub fn ensure_build_tools() -> Result<Tools> {
    let started = Instant::now();
    let path = path_with(&[cargo_bin_dir(), binaryen_bin_dir()]);
    ensure_wasm_target()?;
    ensure_cargo_tool(&path, "trunk", "trunk", TRUNK_VERSION, true, "10-20 minutes")?;
    let wb = locked_version("wasm-bindgen")?;
    // wasm-bindgen-cli's own lockfile pins a crate the registry may lack: no --locked.
    ensure_cargo_tool(&path, "wasm-bindgen", "wasm-bindgen-cli", &wb, false, "3-6 minutes")?;
    if which("wasm-bindgen-test-runner", &path).is_none() {
        bail!("wasm-bindgen-test-runner is missing although wasm-bindgen-cli {wb} is installed");
    }
    ensure_wasm_opt(&path)?;
    check_trunk_toml(&wb)?;
    info(format!("tools ready in {}", util::fmt_duration(started.elapsed())));
    Ok(Tools { path })
}

pub fn apt_install(packages: &[&str]) -> Result<()> {
    let sudo = !util::is_root();
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        } else {
            Command::new("apt-get")
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        cmd
    };
    util::run(&mut apt(&["update"]))?;
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend_from_slice(packages);
    util::run(&mut apt(&args))
}

/// Debian's Chromium and ChromeDriver (the in-browser and end-to-end tests drive them).
pub fn ensure_browser() -> Result<()> {
    step("Chromium and ChromeDriver (Debian)");
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        info("missing: installing chromium and chromium-driver");
        apt_install(&["chromium", "chromium-driver"])?;
    }
    for exe in [CHROMIUM, CHROMEDRIVER] {
        let v = output(Command::new(exe).arg("--version"))
            .with_context(|| format!("{exe} --version failed"))?;
        info(format!("{exe}: {}", v.lines().last().unwrap_or_default()));
    }
    Ok(())
}

/// `npm ci` in tests/e2e unless node_modules already holds the locked playwright-core.
pub fn ensure_e2e_packages(tools: &Tools) -> Result<()> {
    ensure_npm_packages(tools, "tests/e2e", "the e2e suite", "playwright-core", &["ci"])
}

/// `npm ci` in bench/comparator (automerge-repo, its sync server, esbuild, Lighthouse) unless
/// node_modules already holds the locked automerge-repo.
pub fn ensure_comparator_packages(tools: &Tools) -> Result<()> {
    // `npm ci` refuses this lock: it cannot list cbor-x's optional native packages, which the
    // registry these machines reach does not serve; `install --no-save` follows the lock anyway
    ensure_npm_packages(tools, "bench/comparator", "the bench's comparator", "@automerge/automerge-repo", &["install", "--no-save"])
}

/// `npm <how>` in `dir` (relative to the root) unless `key` is installed at its locked version.
fn ensure_npm_packages(tools: &Tools, dir: &str, what: &str, key: &str, how: &[&str]) -> Result<()> {
    let path = root().join(dir);
    step(format!("npm packages of {what} ({dir})"));
    ensure_npm(&tools.path)?;
    let lock = fs::read_to_string(path.join("package-lock.json")).with_context(|| format!("reading {dir}/package-lock.json"))?;
    let locked = json_version_after(&lock, &format!("\"node_modules/{key}\""));
    let installed = fs::read_to_string(path.join("node_modules").join(key).join("package.json"))
        .ok()
        .and_then(|t| json_version_after(&t, "\"name\""));
    if locked.is_some() && locked == installed {
        info(format!("installed: {key} {}", installed.unwrap_or_default()));
        return Ok(());
    }
    let mut cmd = tools.cmd("npm");
    cmd.current_dir(&path).args(how).args(["--no-audit", "--no-fund"]);
    util::run(&mut cmd)
}

/// The first `"version": "..."` after `anchor` in a JSON text (enough for package files).
fn json_version_after(text: &str, anchor: &str) -> Option<String> {
    let rest = &text[text.find(anchor)?..];
    let rest = &rest[rest.find("\"version\"")? + "\"version\"".len()..];
    let start = rest.find('"')? + 1;
    let end = start + rest[start..].find('"')?;
    Some(rest[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wasm_bindgen_from_cargo_lock() {
        let v = locked_version("wasm-bindgen").unwrap();
        assert!(v.split('.').count() == 3, "{v}");
    }

    #[test]
    fn trunk_toml_pins_the_locked_wasm_bindgen() {
        check_trunk_toml(&locked_version("wasm-bindgen").unwrap()).unwrap();
    }

    #[test]
    fn sees_another_cargo_install_of_the_same_crate() {
        use std::os::unix::process::CommandExt;
        // A stand-in process whose command line reads `cargo -c 'sleep 30' install <crate>`.
        let mut child = Command::new("/bin/sh")
            .arg0("cargo")
            .args(["-c", "sleep 30", "install", "xtask-test-crate@1.0.0"])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let found = other_cargo_installs("xtask-test-crate");
        let _ = child.kill();
        let _ = child.wait();
        assert!(found.iter().any(|(pid, _)| *pid == child.id()), "{found:?}");
        assert!(other_cargo_installs("xtask-other-crate").is_empty());
    }

    #[test]
    fn json_version_lookup() {
        let lock = r#"{"packages": {"": {"version": "1.0.0"}, "node_modules/playwright-core": {"version": "1.2.3"}}}"#;
        assert_eq!(json_version_after(lock, "\"node_modules/playwright-core\"").as_deref(), Some("1.2.3"));
    }
}

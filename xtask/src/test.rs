//! `cargo xtask test`: install what the tests need, then run, failing fast:
//! 1. native tests (`cargo test --workspace`: core, relay, xtask),
//! 2. in-browser wasm tests (`cargo test -p crm-web --target wasm32-unknown-unknown` in
//!    headless Chromium through ChromeDriver),
//! 3. the fuzz target of the relay's frame decoding for a bounded time (`cargo +nightly fuzz`,
//!    crates/relay/fuzz; nightly and cargo-fuzz are installed when missing),
//! 4. the release build and the end-to-end suite (`node --test` in tests/e2e) against the real
//!    relay binary and dist/.

use std::process::{Command, ExitCode, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::tools::{self, Tools, CHROMEDRIVER, CHROMIUM};
use crate::util::{self, fmt_duration, root, step};
use crate::build;

struct Suite {
    name: &'static str,
    passed: u32,
    failed: u32,
    ok: bool,
    time: Duration,
}

/// Sum the counts of every `test result: ok. N passed; M failed; ...` line (cargo test and
/// wasm-bindgen-test-runner) and every `pass N` / `fail N` summary line (node --test).
fn count(output: &str) -> (u32, u32) {
    let (mut passed, mut failed) = (0, 0);
    let num = |s: Option<&str>| s.and_then(|s| s.trim().parse::<u32>().ok()).unwrap_or(0);
    for line in output.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result:") {
            for part in rest.split(';') {
                let part = part.trim().trim_start_matches("ok.").trim_start_matches("FAILED.").trim();
                if let Some(n) = part.strip_suffix(" passed") {
                    passed += num(Some(n));
                } else if let Some(n) = part.strip_suffix(" failed") {
                    failed += num(Some(n));
                }
            }
            continue;
        }
        // node --test: TAP ("# pass 5") or spec ("ℹ pass 5") summary lines.
        let bare = line.trim_start_matches('#').trim_start_matches('ℹ').trim();
        if let Some(n) = bare.strip_prefix("pass ") {
            passed += num(Some(n));
        } else if let Some(n) = bare.strip_prefix("fail ") {
            failed += num(Some(n));
        }
    }
    (passed, failed)
}

fn run_suite(name: &'static str, cmd: &mut Command) -> Result<(Suite, ExitStatus)> {
    step(format!("Test suite: {name}"));
    let started = Instant::now();
    let (status, out) = util::run_tee(cmd)?;
    let (passed, failed) = count(&out);
    let suite = Suite { name, passed, failed, ok: status.success() && failed == 0, time: started.elapsed() };
    Ok((suite, status))
}

/// The table of suites, then as the very last line `N passed, N failed`.
fn summary(suites: &[Suite], not_run: &[&str], total: Duration) {
    step("Summary");
    let (mut p, mut f) = (0, 0);
    for s in suites {
        util::info(format!(
            "{:<6} {:<34} {:>4} passed, {:>3} failed  ({})",
            if s.ok { "ok" } else { "FAILED" },
            s.name,
            s.passed,
            s.failed,
            fmt_duration(s.time)
        ));
        p += s.passed;
        f += s.failed;
    }
    for n in not_run {
        util::info(format!("{:<6} {n} (not run)", "-"));
    }
    util::info(format!("total time {}", fmt_duration(total)));
    println!("{p} passed, {f} failed");
}

/// Write the capabilities file wasm-bindgen-test-runner reads from its working directory, so
/// headless Chromium works as root and on a machine without network (see TOOLCHAIN.md).
/// It is committed; this only restores it if it is missing.
fn ensure_webdriver_json() -> Result<()> {
    let path = root().join("webdriver.json");
    if !path.exists() {
        std::fs::write(&path, WEBDRIVER_JSON)?;
    }
    Ok(())
}

pub const WEBDRIVER_JSON: &str = r#"{
  "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  }
}
"#;

/// How long CI fuzzes the frame decoding.
const FUZZ_SECONDS: u32 = 60;
/// cargo-fuzz, pinned.
const CARGO_FUZZ: &str = "0.13.1";

/// The nightly toolchain (libFuzzer needs its sanitizer flags), a C++ compiler (libfuzzer-sys
/// builds libFuzzer) and cargo-fuzz, installed when missing.
fn ensure_fuzz_tools(tools: &Tools) -> Result<()> {
    let has_cxx = Command::new("c++").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if !has_cxx {
        tools::apt_install(&["g++"])?;
    }
    let has_nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_nightly {
        util::run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))?;
    }
    let version = tools.cmd("cargo").args(["fuzz", "--version"]).output().ok().filter(|o| o.status.success());
    let have = version.map(|o| String::from_utf8_lossy(&o.stdout).contains(CARGO_FUZZ)).unwrap_or(false);
    if !have {
        util::run(tools.cmd("cargo").args(["install", "cargo-fuzz", "--version", CARGO_FUZZ, "--locked"]))?;
    }
    Ok(())
}

pub fn test() -> Result<ExitCode> {
    let total = Instant::now();
    let root = root();
    let tools: Tools = tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    tools::ensure_e2e_packages(&tools)?;
    ensure_webdriver_json()?;

    let names = [
        "native (cargo test --workspace)",
        "in-browser wasm (crm-web)",
        "fuzz: relay frame decoding",
        "end-to-end (tests/e2e)",
    ];
    let mut suites = Vec::new();
    let fail = |suites: &[Suite], idx: usize, why: String| -> Result<ExitCode> {
        eprintln!("\nxtask test: FAILED: {} — {why}", names[idx]);
        summary(suites, &names[idx + 1..], total.elapsed());
        Ok(ExitCode::FAILURE)
    };

    // 1. native
    let mut cmd = tools.cmd("cargo");
    cmd.current_dir(&root).args(["test", "--workspace"]);
    let (suite, status) = run_suite(names[0], &mut cmd)?;
    let ok = suite.ok;
    suites.push(suite);
    if !ok {
        return fail(&suites, 0, format!("`cargo test --workspace` exited with {status}"));
    }

    // 2. wasm in headless Chromium
    let mut cmd = tools.cmd("cargo");
    cmd.current_dir(&root)
        .args(["test", "-p", "crm-web", "--target", "wasm32-unknown-unknown"])
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", root.join("webdriver.json"))
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    let (suite, status) = run_suite(names[1], &mut cmd)?;
    let ok = suite.ok;
    suites.push(suite);
    if !ok {
        return fail(&suites, 1, format!("the wasm tests exited with {status}"));
    }

    // 3. the relay's frame decoding under libFuzzer, for a bounded time
    step(format!("Fuzzing the relay's frame decoding for {FUZZ_SECONDS} s"));
    let started = Instant::now();
    let (status, out) = match ensure_fuzz_tools(&tools) {
        Ok(()) => {
            let mut cmd = tools.cmd("cargo");
            cmd.current_dir(&root)
                .args(["+nightly", "fuzz", "run", "frame_decode", "--fuzz-dir", "crates/relay/fuzz", "--"])
                .arg(format!("-max_total_time={FUZZ_SECONDS}"));
            util::run_tee(&mut cmd)?
        }
        Err(e) => {
            suites.push(Suite { name: names[2], passed: 0, failed: 1, ok: false, time: started.elapsed() });
            return fail(&suites, 2, format!("could not install the fuzzing tools: {e:#}"));
        }
    };
    let _ = out; // libFuzzer reports on stderr, shown as it runs ("Done N runs in 60 second(s)")
    let ok = status.success();
    suites.push(Suite { name: names[2], passed: ok as u32, failed: (!ok) as u32, ok, time: started.elapsed() });
    if !ok {
        return fail(&suites, 2, format!("the fuzzer found a failing input (crates/relay/fuzz/artifacts/): {status}"));
    }
    util::info(format!("no failing input in {FUZZ_SECONDS} s (libFuzzer's count of runs is above)"));

    // 4. release build, then e2e against the real relay binary and dist/
    step("Release build for the end-to-end suite");
    let started = Instant::now();
    let built = match build::release(&tools) {
        Ok(b) => b,
        Err(e) => {
            suites.push(Suite { name: names[3], passed: 0, failed: 0, ok: false, time: started.elapsed() });
            return fail(&suites, 3, format!("release build failed: {e:#}"));
        }
    };
    util::info(format!("release build took {}", fmt_duration(started.elapsed())));
    let e2e = root.join("tests/e2e");
    let mut cmd = tools.cmd("node");
    cmd.current_dir(&e2e)
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .env("CRM_RELAY_BIN", &built.relay)
        .env("CRM_DIST", &built.dist)
        .env("CRM_CHROMIUM", CHROMIUM);
    let (suite, status) = run_suite(names[3], &mut cmd)?;
    let ok = suite.ok;
    suites.push(suite);
    if !ok {
        return fail(&suites, 3, format!("`node --test` exited with {status}; screenshots in tests/e2e/test-results/"));
    }

    summary(&suites, &[], total.elapsed());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_cargo_and_node_summaries() {
        let out = "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured\n\
                   test result: FAILED. 3 passed; 2 failed; 0 ignored\n\
                   ℹ tests 4\nℹ pass 3\nℹ fail 1\n# pass 2\n# fail 0\n";
        assert_eq!(count(out), (20, 3));
    }
}

/// `cargo xtask e2e [FILTERS]`: see main.rs.
pub fn e2e(filters: &[String]) -> Result<ExitCode> {
    let root = root();
    let tools: Tools = tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    tools::ensure_e2e_packages(&tools)?;
    let copy = std::env::temp_dir().join(format!("crm-dist-{}", std::process::id()));
    let built = {
        // one build at a time in this checkout; each run then tests its own copy of dist/
        let lock = std::fs::File::create(crate::util::target_dir().join("xtask-e2e.lock"))?;
        lock.lock()?;
        let built = build::release(&tools)?;
        let _ = std::fs::remove_dir_all(&copy);
        copy_dir(&built.dist, &copy)?;
        built
    };
    let e2e = root.join("tests/e2e");
    let mut files: Vec<String> = std::fs::read_dir(&e2e)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".test.mjs"))
        .filter(|n| filters.is_empty() || filters.iter().any(|f| n.contains(f.as_str())))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("no tests/e2e/*.test.mjs matches {filters:?}");
    }
    let mut cmd = tools.cmd("node");
    cmd.current_dir(&e2e)
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(&files)
        .env("CRM_RELAY_BIN", &built.relay)
        .env("CRM_DIST", &copy)
        .env("CRM_CHROMIUM", CHROMIUM);
    let status = crate::util::run_status(&mut cmd)?;
    let _ = std::fs::remove_dir_all(&copy);
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &dest)?;
        } else {
            std::fs::copy(e.path(), dest)?;
        }
    }
    Ok(())
}

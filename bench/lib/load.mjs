// The "relay under load" figures of `cargo xtask bench` (issue 6; bench/README.md, "Relay under load"):
// for each N, our relay and then @automerge/automerge-repo-sync-server are started fresh (free
// port on 127.0.0.1, new data dir) and `crm-load` (bench/load) runs N WebSocket clients in
// teams of 10 against each. Returns figures { id, name, unit, ours, comparator, note, extra }:
// throughput (edits/s fanned out to the whole team), fan-out p99 (ms) and the server's peak
// RSS (bytes). A value that could not be measured is null, with the reason in the note. Every
// process it starts is killed afterwards, also on failure; it stops by itself within
// timeLeftMs.
//
// By hand (builds nothing; uses target/release/crm-relay and crm-load under $CARGO_TARGET_DIR
// or target/):   node bench/lib/load.mjs [100,1000]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { Relay, freePort } from '../../tests/e2e/lib/relay.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

const SYNC_SERVER = path.join('node_modules', '@automerge', 'automerge-repo-sync-server', 'src', 'index.js');
// crm-load's defaults, repeated for the notes: one edit per client a second for 10 s, then a
// drain of at most 5 s
const SECONDS = 10;
const DRAIN_S = 5;
// at most, starting a server; kept back for killing it and removing its data
const START_MS = 30_000;
const CLEANUP_MS = 5_000;

/** Processes started here and still running: killed by stopLoad() (and on the way out). */
const live = new Set();

/** Kills every server and load generator this module started (for a Ctrl-C handler). */
export function stopLoad() {
  for (const p of live) p.kill('SIGKILL');
}

/** About how long one run needs: starting the server, the setup (1,000 clients connect in a
 *  few seconds), the edit window, the drain, closing, and a margin. A run is not started with
 *  less time left; one that has started gets all the time left (crm-load's own timeout). */
const needMs = (n) => (SECONDS + DRAIN_S + 10 + n / 100) * 1000;

/**
 * @param {{relayBin: string, loadBin: string, comparatorDir: string, ns?: number[], timeLeftMs: number,
 *          log?: (line: string) => void}} opts
 */
export async function measureLoad({ relayBin, loadBin, comparatorDir, ns = [100, 1000], timeLeftMs, log = console.error }) {
  const deadline = Date.now() + timeLeftMs;
  const left = () => deadline - Date.now();
  const figures = [];
  const missing = [
    [relayBin, 'our relay binary'],
    [loadBin, 'the load generator crm-load (cargo build --release -p crm-load)'],
    [path.join(comparatorDir, SYNC_SERVER), `the sync server (npm install in ${comparatorDir})`],
  ].filter(([f]) => !existsSync(f));
  for (const n of ns) {
    const runs = {};
    for (const target of ['ours', 'automerge']) {
      const need = needMs(n) + CLEANUP_MS;
      if (missing.length) {
        runs[target] = { error: `not measured: ${missing.map(([f, what]) => `${what} is missing (${f})`).join('; ')}` };
      } else if (left() < need) {
        runs[target] = { error: `not measured: no time left (needs about ${Math.round(need / 1000)} s, ${Math.max(0, Math.round(left() / 1000))} s left)` };
      } else {
        log(`load: ${n} clients against ${target === 'ours' ? 'our relay' : 'automerge-repo-sync-server'}`);
        runs[target] = await runOne({ target, n, relayBin, loadBin, comparatorDir, limitMs: left() - CLEANUP_MS, log });
        log(`load: ${summary(runs[target])}`);
      }
    }
    figures.push(...figuresFor(n, runs.ours, runs.automerge));
  }
  return figures;
}

/** One server, one crm-load run: crm-load's JSON, or { error } when there is none. */
async function runOne({ target, n, relayBin, loadBin, comparatorDir, limitMs, log }) {
  const started = Date.now();
  let server;
  try {
    server = target === 'ours' ? await startRelay(relayBin, Math.min(START_MS, limitMs)) : await startSyncServer(comparatorDir, Math.min(START_MS, limitMs));
    // crm-load stops itself and reports what it measured; killed 3 s after that, at the latest
    const timeoutS = Math.max(5, Math.floor((limitMs - (Date.now() - started)) / 1000) - 3);
    const args = ['--target', target, '--url', server.url, '--clients', String(n), '--pid', String(server.pid), '--timeout-s', String(timeoutS)];
    const out = await runLoad(loadBin, args, (timeoutS + 3) * 1000);
    if (!out.json) {
      return { error: `crm-load ${out.exit}: ${out.stderr.trim().split('\n').slice(-3).join(' / ') || 'no output'}` };
    }
    if (!server.running()) out.json.server_exited = true;
    return out.json;
  } catch (e) {
    log(`load: ${target}, ${n} clients failed: ${e.message}`);
    return { error: e.message };
  } finally {
    if (server) await server.dispose().catch(() => {});
  }
}

/** Our relay through the e2e harness (real binary, free port, fresh data dir), default limits. */
async function startRelay(bin, timeoutMs) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'crm-load-relay-'));
  const relay = new Relay({ port: await freePort(), dataDir, dist: null, bin });
  try {
    await relay.start({ timeoutMs });
  } catch (e) {
    await relay.dispose().catch(() => {});
    throw e;
  }
  live.add(relay.proc);
  const proc = relay.proc;
  return {
    url: `http://127.0.0.1:${relay.port}`,
    pid: proc.pid,
    running: () => proc.exitCode === null && proc.signalCode === null,
    dispose: async () => {
      await relay.dispose();
      live.delete(proc);
    },
  };
}

/** automerge-repo-sync-server 0.2.8 (PORT, DATA_DIR) on a free port with a fresh data dir. */
async function startSyncServer(comparatorDir, timeoutMs) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'crm-load-sync-server-'));
  const port = await freePort();
  const proc = spawn(process.execPath, [path.join(comparatorDir, SYNC_SERVER)], {
    cwd: comparatorDir,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  const output = [];
  const exited = new Promise((resolve) => proc.once('exit', (code, sig) => resolve(code ?? sig)));
  const dispose = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    live.delete(proc);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sync server did not say "Listening on port" within ${timeoutMs} ms`)), timeoutMs);
      const onData = (d) => {
        output.push(String(d));
        if (output.join('').includes('Listening on port')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', (d) => output.push(String(d)));
      proc.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`the sync server exited (${how}): ${output.join('').trim().slice(-500)}`));
      });
    });
  } catch (e) {
    await dispose();
    throw e;
  }
  return {
    url: `ws://127.0.0.1:${port}`,
    pid: proc.pid,
    running: () => proc.exitCode === null && proc.signalCode === null,
    dispose,
  };
}

/** Runs crm-load; its JSON (it prints one object also when the run failed), exit and stderr. */
function runLoad(bin, args, killAfterMs) {
  return new Promise((resolve) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(p);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    const timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    const done = (exit) => {
      clearTimeout(timer);
      live.delete(p);
      let json = null;
      try {
        json = JSON.parse(out.trim().split('\n').pop());
      } catch (_) {
        /* no JSON: reported with stderr */
      }
      resolve({ json, exit, stderr: err });
    };
    p.once('error', (e) => {
      err += String(e);
      done('failed to start');
    });
    p.once('exit', (code, sig) => done(sig ? `killed by ${sig}` : `exit ${code}`));
  });
}

const round = (x, places = 1) => (x == null ? null : Math.round(x * 10 ** places) / 10 ** places);
const pct = (a, b) => (b ? `${round((100 * a) / b, 1)}%` : '0%');
const mb = (b) => (b == null ? '?' : `${(b / 1024 / 1024).toFixed(1)} MB`);

/** One line about a run, for the log. */
function summary(r) {
  if (!r.edits_sent) return `not measured: ${r.error}`;
  return `${r.achieved_edits_per_s} edits/s of ${r.offered_edits_per_s} offered, fan-out p50 ${r.fanout_ms.p50} ms p99 ${r.fanout_ms.p99} ms, ` +
    `${r.deliveries_missing} of ${r.deliveries_expected} deliveries missing, peak RSS ${mb(r.server?.rss_peak)}` +
    `${r.errors ? `, ${r.errors} errors` : ''}${r.error ? `, error: ${r.error}` : ''}`;
}

/** Why a side has no value (or what to know about it), for the notes. */
function problems(r) {
  const p = [];
  if (r.error) p.push(`run error: ${r.error}`);
  if (r.errors) p.push(`${r.errors} client errors (first: ${r.error_samples?.[0]})`);
  if (r.server_exited) p.push('the server exited during the run');
  if (r.connect?.failed) p.push(`${r.connect.failed} of ${r.clients} clients failed to connect`);
  if (r.connect?.retries) p.push(`${r.connect.retries} setups retried (first: ${r.connect.retry_samples?.[0]})`);
  return p;
}

function figuresFor(n, ours, am) {
  const who = { ours: 'our relay', comparator: 'sync server' };
  const sides = { ours, comparator: am };
  // edits went out (the setup did not fail)
  const measured = (r) => r.edits_sent > 0;
  // throughput
  const tp = (r) => (measured(r) ? r.achieved_edits_per_s : null);
  const tpNote = Object.entries(sides).map(([k, r]) => {
    if (!measured(r)) return `${who[k]}: ${r.error ?? 'no edit was sent'}`;
    const extra = [
      `${r.deliveries_per_s} deliveries/s`,
      r.deliveries_missing ? `${r.deliveries_missing} of ${r.deliveries_expected} deliveries (${pct(r.deliveries_missing, r.deliveries_expected)}) missing after the ${DRAIN_S} s drain` : 'every delivery arrived',
      `server CPU ${r.server?.cpu_pct_window ?? '?'}% of a core, load generator ${r.loadgen?.cpu_pct_window ?? '?'}%`,
      // other work on the machine shows here (so does the run's own: both processes share it)
      `load average ${r.machine?.loadavg_1m_before ?? '?'} before, CPU pressure ${r.machine?.cpu_pressure_pct_window ?? '?'}% during the window`,
      ...problems(r),
    ];
    return `${who[k]}: ${extra.join(', ')}`;
  });
  const offered = ours.offered_edits_per_s ?? am.offered_edits_per_s ?? n;
  const shape = `${n} clients in teams of 10 (one shared customer each), one edit per client a second for ${SECONDS} s (${offered} edits/s offered)`;
  const relayFlags = ours.relay_limits
    ? `our relay with its default limits, no flags (offered load within them: ${ours.relay_limits.offered_within_defaults ? 'yes' : 'NO, the relay may have throttled it'})`
    : 'our relay with its default limits, no flags';
  // fan-out p99, with deliveries that never arrived counted as slower than every one that did
  const p99 = (r) => (measured(r) ? r.fanout_ms_p99_censored : null);
  const p99Note = Object.entries(sides).map(([k, r]) => {
    if (!measured(r)) return `${who[k]}: ${r.error ?? 'no edit was sent'}`;
    const d = r.fanout_ms;
    const s = `p50 ${d.p50} ms, p95 ${d.p95} ms, max ${d.max} ms over ${d.count} deliveries`;
    if (r.fanout_ms_p99_censored == null && r.deliveries_missing) {
      return `${who[k]}: p99 not reached — ${pct(r.deliveries_missing, r.deliveries_expected)} of deliveries had not arrived ${DRAIN_S} s after the last edit (p99 of those that did: ${d.p99} ms; ${s})`;
    }
    return `${who[k]}: ${s}${r.deliveries_missing ? `, ${r.deliveries_missing} missing` : ''}`;
  });
  // the server's peak resident set: VmHWM at the end, or the highest 50 ms sample
  const mem = (r) => r.server?.rss_peak ?? null;
  const memNote = Object.entries(sides).map(([k, r]) => {
    if (mem(r) == null) return `${who[k]}: ${r.error ?? 'no /proc reading of the server'}`;
    const s = r.server;
    return `${who[k]}: ${mb(s.at_start?.rss)} at start, ${mb(s.after_setup?.rss)} with ${n} clients connected, peak ${mb(s.rss_peak)}`;
  });
  const pick = (r, keys) => Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));
  return [
    {
      id: `load_${n}_throughput`,
      name: `relay under load, ${n} clients: edits/s fanned out to the whole team`,
      unit: 'edits/s',
      ours: tp(ours),
      comparator: tp(am),
      note: `${shape}; ${relayFlags}. ${tpNote.join('; ')}`,
      extra: { ours, comparator: am },
    },
    {
      id: `load_${n}_fanout_p99`,
      name: `relay under load, ${n} clients: fan-out latency p99`,
      unit: 'ms',
      ours: p99(ours),
      comparator: p99(am),
      note: p99Note.join('; '),
      extra: { ours: pick(ours, ['fanout_ms', 'fanout_ms_p99_censored', 'deliveries_missing', 'send_lag_ms', 'ack_ms']), comparator: pick(am, ['fanout_ms', 'fanout_ms_p99_censored', 'deliveries_missing', 'send_lag_ms']) },
    },
    {
      id: `load_${n}_relay_memory`,
      name: `relay under load, ${n} clients: server peak RSS`,
      unit: 'bytes',
      ours: mem(ours),
      comparator: mem(am),
      note: memNote.join('; '),
      extra: { ours: ours.server ?? null, comparator: am.server ?? null },
    },
  ];
}

// ---- by hand ---------------------------------------------------------------------------------

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(repo, 'target');
  const ns = (process.argv[2] || '100,1000').split(',').map(Number).filter((x) => x > 0);
  const stop = () => {
    stopLoad();
    process.exit(130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const figures = await measureLoad({
    relayBin: process.env.CRM_RELAY_BIN || path.join(target, 'release', 'crm-relay'),
    loadBin: process.env.CRM_LOAD_BIN || path.join(target, 'release', 'crm-load'),
    comparatorDir: path.join(repo, 'bench', 'comparator'),
    ns,
    timeLeftMs: Number(process.env.CRM_LOAD_TIME_LEFT_S || 600) * 1000,
  });
  const show = (v, unit) => (v == null ? 'n/a' : unit === 'bytes' ? mb(v) : `${v} ${unit}`);
  console.log(`\n${'figure'.padEnd(70)}  ${'ours'.padStart(12)}  ${'sync server'.padStart(12)}`);
  for (const f of figures) console.log(`${f.name.padEnd(70)}  ${show(f.ours, f.unit).padStart(12)}  ${show(f.comparator, f.unit).padStart(12)}`);
  console.log();
  for (const f of figures) console.log(`${f.id}: ${f.note}`);
  console.log(`\n${JSON.stringify(figures.map(({ extra, ...f }) => f), null, 1)}`);
}

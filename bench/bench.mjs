// `cargo xtask bench`, the part that runs things: the real relay binary, Debian Chromium
// (through the e2e suite's harness) and the native sync client `crm-bench`
// (bench/native). It MEASURES and never asserts: each figure is printed beside its budget
// (DESIGN.md section 10) and marked OVER when it exceeds it, and all figures go to a JSON file.
// Every step has a time limit and the whole run a deadline; what does not fit is reported as
// not measured, with the reason. See bench/README.md for how to read the results.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CHROMIUM, Scenario } from '../tests/e2e/lib/harness.mjs';
import {
  createCustomer, joinWith, openApp, openCustomer, readInviteLink, sleep, waitCustomerListed, waitSynced,
} from '../tests/e2e/lib/ui.mjs';
import { lighthouse } from './lib/lighthouse.mjs';
import { measureLoad, stopLoad } from './lib/load.mjs';
import * as cmp from './comparator/comparator.mjs';
import { coldStartProbe, installHelpers } from './lib/page.mjs';
import { fmt, KB, MB, pct, Results } from './lib/results.mjs';
import { within } from './lib/within.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

const env = process.env;
const BENCH_BIN = env.CRM_BENCH_BIN || path.join(repo, 'target', 'release', 'crm-bench');
const LOAD_BIN = path.join(path.dirname(BENCH_BIN), 'crm-load');
const RELAY_BIN = env.CRM_RELAY_BIN || path.join(path.dirname(BENCH_BIN), 'crm-relay');
const COMPARATOR_DIR = path.join(here, 'comparator');
const OUT = env.CRM_BENCH_OUT || path.join(here, 'results', 'latest.json');
// workspaces built by importing a CSV through the Import page (first sync is too slow for
// these): the import itself is measured, then the same figures as for synced sizes
const IMPORT_SIZES = (env.CRM_BENCH_IMPORT_SIZES ?? '').split(',').map(Number).filter((n) => n > 0);
// analytics: the CDNOW sample repeated to this many customers (10 copies = 23,570 customers,
// 69,190 orders: the size issue 4 names); 0 = skip
const ANALYTICS_CUSTOMERS = Number(env.CRM_BENCH_ANALYTICS ?? 23_570);
const CDNOW = env.CRM_CDNOW || path.resolve(repo, '../shared/data/cdnow_sample_orders.csv');
const SIZES = (env.CRM_BENCH_SIZES || '1000,10000').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
const DEADLINE_S = Number(env.CRM_BENCH_DEADLINE_S || 480);
// a directory: CPU profiles (Chrome DevTools .cpuprofile) of the keystrokes and the opens go there
const PROFILE_DIR = env.CRM_BENCH_PROFILE || null;
// steps to leave out, by the first word of their name: lighthouse, reconnect, edit, tab, peer,
// load, 1k, 10k, analytics, 100k ... (while working on one figure)
const SKIP = new Set((env.CRM_BENCH_SKIP || '').split(',').map((w) => w.trim()).filter(Boolean));

const sizeLabel = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));

// Every figure: [name, unit, budget, better ('lower' unless said)]. Budgets are DESIGN.md section 10's 10k-customer column
// (smaller workspaces are held to it too); null = shown without a budget.
const results = new Results();
results.define({
  download: ['compressed download (wasm+js+css)', 'bytes', Number(env.CRM_BENCH_DOWNLOAD_BUDGET || 500 * KB)],
  download_served: ['download as served to Chromium (first visit)', 'bytes', null],
  reconnect_bytes: ['reconnect, nothing new: bytes', 'bytes', 2 * KB],
  reconnect_round_trips: ['reconnect, nothing new: round trips', '', 1],
  reconnect_changed_bytes: ['reconnect, 1% of customers changed: bytes', 'bytes', null],
  reconnect_changed_round_trips: ['reconnect, 1% of customers changed: round trips', '', null],
  edit_p50: ['edit visible on a 2nd device: p50', 'ms', null],
  edit_p95: ['edit visible on a 2nd device: p95', 'ms', 300],
  lighthouse_performance: ['Lighthouse performance (mobile, simulated slow 4G)', '/100', null, 'higher'],
  lighthouse_accessibility: ['Lighthouse accessibility', '/100', null, 'higher'],
  lighthouse_best_practices: ['Lighthouse best practices', '/100', null, 'higher'],
  storage_device_10: ['storage of one customer after 10 edits, on the device', 'bytes', null],
  storage_relay_10: ['storage of one customer after 10 edits, on the relay', 'bytes', null],
  storage_device_10000: ['storage of one customer after 10,000 edits, on the device', 'bytes', null],
  storage_relay_10000: ['… on the relay, within its 30-day retention window', 'bytes', null],
  storage_relay_10000_after: ['… on the relay, after the window', 'bytes', null],
  tab_p95: ['edit visible in another tab (BroadcastChannel): p95', 'ms', 100],
  peer_p95: ['edit visible on a 2nd device over WebRTC, relay stopped: p95', 'ms', 300],
});
/** The figures measured at one workspace size; returns their ids. */
function sizeFigures(k, n = 0, how = 'sync') {
  // DESIGN.md section 10: the 100k column for workspaces above 10k
  const big = n > 10_000;
  const mine = {
    ...(how === 'sync'
      ? {
        [`sync_in_${k}`]: [`first sync of ${k} customers (new device)`, 'ms', null],
        [`sync_in_${k}_bytes`]: [`first sync of ${k} customers: bytes`, 'bytes', null],
      }
      : { [`import_${k}`]: [`import of ${k} CSV rows through the Import page`, 'ms', null] }),
    [`cold_start_${k}`]: [`cold start to a searchable list, ${k}`, 'ms', big ? 1500 : 800],
    [`keystroke_${k}_p50`]: [`keystroke to painted results, ${k}: p50`, 'ms', null],
    [`keystroke_${k}`]: [`keystroke to painted results, ${k}: p95`, 'ms', big ? 33 : 16],
    [`open_${k}_p50`]: [`open one customer, ${k}: p50`, 'ms', null],
    [`open_${k}`]: [`open one customer, ${k}: p95`, 'ms', 50],
    [`saved_${k}_p50`]: [`edit one field until it is saved, ${k}: p50`, 'ms', null],
    [`saved_${k}`]: [`edit one field until it is saved, ${k}: p95`, 'ms', null],
    [`heap_${k}`]: [`heap (JS + wasm), ${k}`, 'bytes', big ? 250 * MB : 100 * MB],
  };
  return results.define(mine);
}
const EDIT_SAMPLES = 100;
// when the seeded workspace names none (an imported one): queries that hit the generated CSV
const FALLBACK_QUERIES = [
  { query: 'Harbor', kind: 'latin' }, { query: 'probe', kind: 'latin' },
  { query: '王', kind: 'chinese' }, { query: '杭州', kind: 'chinese' },
  { query: 'wang', kind: 'pinyin' }, { query: 'hangzhou', kind: 'pinyin' },
];
const OPEN_SAMPLES = 10;
const SAVE_SAMPLES = 10;
const COLD_RUNS = 3; // after one warm-up start
// the reconnect workspace: 30,000 chunks of 10,000 customers written by 10 devices; then
// 1% of the customers changed while the device was away
const RECONNECT = { devices: 10, customers: 10_000, chunksPerCustomer: 3, changedPercent: 1 };

// the comparator's sync server of the growing workspace, and its harness build
const comparator = { server: null, harness: null, error: null };
// set the comparator's side of figure `id` from a result { value, note, samples } (null: n/a)
const cmpSide = (id, value, note, samples) => results.comparator(id, value ?? null, { note, samples });

const started = Date.now();
let deadline = started + DEADLINE_S * 1000; // a signal moves it to now
let stoppedBy = null;
const remaining = () => deadline - Date.now();

function step(msg) {
  console.log(`\n==> ${msg}   [${((Date.now() - started) / 1000).toFixed(0)} s]`);
}

/** Runs `body` within `ms` and the run's deadline; rejects with a message that says which. */
async function bounded(what, ms, body) {
  const limit = Math.min(ms, remaining());
  if (limit <= 1000) throw new Error(`${what}: ${stoppedBy ? `not started, the run was stopped by ${stoppedBy}` : `no time left before the run's ${DEADLINE_S} s deadline`}`);
  return within(what, limit, body);
}

/** Runs the native client; its one line of stdout is JSON. */
function native(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const p = spawn(BENCH_BIN, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('exit', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`crm-bench ${args[0]} exited with ${code ?? sig}`));
    });
  });
}

// ---- measurements --------------------------------------------------------------------------

async function measureReconnect(s) {
  const R = RECONNECT;
  step(`Reconnect after offline: ${R.customers * R.chunksPerCustomer} chunks of ${R.customers} customers from ${R.devices} devices; nothing new, then ${R.changedPercent}% changed; native client`);
  const relay = await s.relay();
  const r = await native(
    ['reconnect', '--url', relay.url, '--devices', String(R.devices), '--customers', String(R.customers),
      '--chunks-per-customer', String(R.chunksPerCustomer), '--changed-percent', String(R.changedPercent)],
    Math.min(240_000, remaining()),
  );
  console.log(`    workspace filled with ${r.chunks} chunks in ${(r.fill_ms / 1000).toFixed(1)} s; ${r.runs.length} + ${r.changed_runs.length} reconnects`);
  const worst = (runs, k) => Math.max(...runs.map((x) => x[k]));
  const how = (runs) => `sync exchange on the socket (WebSocket frames, both ways) until the relay's reply + ${r.quiet_ms} ms quiet; the HTTP upgrade adds ${worst(runs, 'handshake_bytes')} B (not in the figure); ${worst(runs, 'chunks_received')} chunks received`;
  results.record('reconnect_bytes', { value: worst(r.runs, 'bytes'), stat: 'max of runs', samples: r.runs.map((x) => x.bytes), note: how(r.runs), extra: r });
  results.record('reconnect_round_trips', { value: worst(r.runs, 'round_trips'), stat: 'max of runs' });
  const c = r.changed_runs;
  results.record('reconnect_changed_bytes', { value: worst(c, 'bytes'), stat: 'max of runs', samples: c.map((x) => x.bytes), note: `${r.changed_customers} customers changed by teammates, one chunk each; ${how(c)}` });
  results.record('reconnect_changed_round_trips', { value: worst(c, 'round_trips'), stat: 'max of runs' });
  await relay.dispose();
}

async function measureEdits(s) {
  step(`An edit visible in a second browser via the relay: ${EDIT_SAMPLES} edits`);
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'edit A');
  const b = await s.device(browser, 'edit B');
  await openApp(a.page, relay.url);
  // what Chromium downloaded on this first visit (nothing cached yet): a check on the build's figure
  const served = await a.page.evaluate(() =>
    performance.getEntriesByType('resource')
      .filter((e) => /\.(wasm|js|css)$/.test(new URL(e.name).pathname) && !e.name.endsWith('/sw.js'))
      .map((e) => ({ path: new URL(e.name).pathname, encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
  );
  results.record('download_served', {
    value: served.reduce((n, e) => n + e.encoded, 0),
    note: `response bodies of ${served.length} wasm/js/css files as transferred (Resource Timing encodedBodySize)`,
    extra: served,
  });
  await joinWith(b.page, await readInviteLink(a.page));
  await waitSynced(a.page, { label: 'A' });
  await waitSynced(b.page, { label: 'B' });
  const name = 'Latency Probe Ltd';
  await createCustomer(a.page, name);
  await waitCustomerListed(b.page, name, { timeout: 20_000 });
  await openCustomer(b.page, name);
  await waitSynced(a.page, { label: 'A' });
  await installHelpers(a.page);
  await installHelpers(b.page);

  const { samples, note } = await editLatency(a.page, b.page);
  results.record('edit_p50', { value: pct(samples, 50), stat: 'p50', samples });
  results.record('edit_p95', { value: pct(samples, 95), stat: 'p95', note });
  await a.context.close();
  await b.context.close();

  // the comparator: two devices of a one-customer workspace, the same edits
  step(`An edit visible in a second browser via the sync server (automerge-repo): ${EDIT_SAMPLES} edits`);
  const server = await cmp.startComparator(s);
  try {
    const saves = path.join(await s.userDataDir(), 'one.saves');
    await native(['seed', '--secret', randomBytes(32).toString('hex'), '--first', '1', '--count', '1', '--saves', saves], 60_000);
    const seeded = await cmp.seed(server, saves, 1, { timeoutMs: 60_000 });
    if (seeded.ms == null) throw new Error(seeded.note);
    const ca = await s.device(browser, 'cmp edit A');
    const cb = await s.device(browser, 'cmp edit B');
    for (const d of [ca, cb]) {
      const r = await cmp.firstSync(d, server, 1, { timeoutMs: 60_000 });
      if (r.ms == null) throw new Error(r.note);
    }
    const r = await cmp.editVisible(ca.page, cb.page, EDIT_SAMPLES, { timeoutMs: Math.min(180_000, remaining()) });
    cmpSide('edit_p50', r.samples && pct(r.samples, 50), r.note, r.samples);
    cmpSide('edit_p95', r.samples && pct(r.samples, 95), r.note);

    step('Storage of one customer after 10 and 10,000 edits (automerge-repo, in the browser and on the sync server)');
    const blank = path.join(await s.userDataDir(), 'blank.save');
    await native(['blank', '--name', 'Acme Trading Co.', '--out', blank], 30_000);
    const st = await cmp.storage(ca.page, server, blank, { edits: [10, 10_000], timeoutMs: Math.min(300_000, remaining()) });
    const at = (e) => st.points?.find((p) => p.edits === e);
    for (const [id, e, side] of [
      ['storage_device_10', 10, 'deviceBytes'], ['storage_relay_10', 10, 'relayBytes'],
      ['storage_device_10000', 10_000, 'deviceBytes'], ['storage_relay_10000', 10_000, 'relayBytes'],
      ['storage_relay_10000_after', 10_000, 'relayBytes'],
    ]) {
      const p = at(e);
      cmpSide(id, p?.[side], p ? `${st.note}; the document's Automerge save ${fmt(p.automergeSave, 'bytes')}${id.endsWith('after') ? '; the sync server keeps no window: the same bytes' : ''}` : st.note);
    }
    await ca.context.close();
    await cb.context.close();
  } finally {
    await server.stop();
  }
  await browser.close();
  await relay.dispose();
}

/**
 * Times `EDIT_SAMPLES` edits of "Phone" on page `a` until page `b` has painted them (after 3
 * warm-up edits). Both pages are on a customer and have `installHelpers`.
 */
async function editLatency(aPage, bPage) {
  const [a, b] = [{ page: aPage }, { page: bPage }];
  const samples = [];
  const viaNode = [];
  let failed = 0;
  for (let i = 0; i < EDIT_SAMPLES + 3; i++) {
    const value = `+1 555 01${String(i).padStart(2, '0')}`;
    // B watches its "Phone" field every frame; the time is taken after the frame that shows it
    await b.page.evaluate((v) => {
      window.__seen = new Promise((resolve) => {
        const tick = () => {
          if (window.__bench.labelled('Phone')?.value === v) window.__bench.afterPaint(() => resolve(performance.timeOrigin + performance.now()));
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
    }, value);
    const n0 = performance.now();
    // A: input, then change (commits at once instead of after the typing debounce)
    const t0 = await a.page.evaluate((v) => {
      const el = window.__bench.labelled('Phone');
      el.value = v;
      const t = performance.timeOrigin + performance.now();
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return t;
    }, value);
    try {
      const t1 = await b.page.evaluate(() => Promise.race([window.__seen, new Promise((r) => setTimeout(() => r(null), 10_000))]));
      if (t1 == null) throw new Error('not seen within 10 s');
      if (i >= 3) {
        samples.push(t1 - t0);
        viaNode.push(performance.now() - n0);
      }
    } catch (_) {
      failed++;
    }
    await sleep(50);
  }
  const note = `p50 ${pct(samples, 50).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms over ${samples.length} edits${failed ? `, ${failed} not seen within 10 s` : ''}; page clocks (timeOrigin + now); seen from the test process: p95 ${pct(viaNode, 95).toFixed(1)} ms`;
  return { samples, note };
}

/** Lighthouse's scores of the app as the relay serves it, on a first visit. */
async function measureLighthouse(s) {
  step('Lighthouse: performance, accessibility and best practices of the served app (first visit)');
  const relay = await s.relay();
  try {
    const r = await lighthouse(`${relay.url}/`, { chromium: CHROMIUM, timeoutMs: Math.min(150_000, remaining()) });
    const why = (c) => (r.failing[c].length ? `below 90: ${r.failing[c].join('; ')}` : 'every weighted audit at 90 or more');
    const cmp = 'the comparator is a harness page, not an app: not scored';
    const m = r.metrics;
    results.record('lighthouse_performance', {
      value: r.performance, comparator_note: cmp, extra: r.metrics,
      note: `Lighthouse ${r.version}: FCP ${fmt(m.first_contentful_paint_ms, 'ms')}, LCP ${fmt(m.largest_contentful_paint_ms, 'ms')}, TBT ${fmt(m.total_blocking_time_ms, 'ms')}; ${why('performance')}`,
    });
    results.record('lighthouse_accessibility', { value: r.accessibility, note: why('accessibility'), comparator_note: cmp });
    results.record('lighthouse_best_practices', { value: r.best_practices, note: why('best-practices'), comparator_note: cmp });
  } finally {
    await relay.dispose();
  }
}

/** An edit in one tab shown in another tab of the same browser (no network involved). */
async function measureTabs(s) {
  step(`An edit visible in another tab of the same browser: ${EDIT_SAMPLES} edits`);
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'tab 1');
  await openApp(a.page, relay.url);
  const second = await a.context.newPage();
  await openApp(second, relay.url);
  const name = 'Tab Latency Probe';
  await createCustomer(a.page, name);
  await waitCustomerListed(second, name, { timeout: 20_000 });
  await openCustomer(second, name);
  await installHelpers(a.page);
  await installHelpers(second);
  const { samples, note } = await editLatency(a.page, second);
  results.record('tab_p95', { value: pct(samples, 95), stat: 'p95', note, samples, comparator_note: 'n/a: the stack as named (IndexedDB + WebSocket adapters) has no tab-to-tab channel' });
  await a.context.close();
  await browser.close();
  await relay.dispose();
}

/** An edit on one device shown on another over their direct WebRTC connection, relay stopped. */
async function measurePeers(s) {
  step(`An edit visible on a second device over WebRTC with the relay stopped: ${EDIT_SAMPLES} edits`);
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'peer A', { p2p: true });
  const b = await s.device(browser, 'peer B', { p2p: true });
  await openApp(a.page, relay.url);
  await joinWith(b.page, await readInviteLink(a.page));
  const name = 'Peer Latency Probe';
  await createCustomer(a.page, name);
  await waitCustomerListed(b.page, name, { timeout: 20_000 });
  await openCustomer(b.page, name);
  const peers = (p) => p.evaluate(() => Number(document.querySelector('.sync-status')?.dataset.peers ?? 0));
  const until = Date.now() + 60_000;
  while ((await peers(a.page)) < 1 || (await peers(b.page)) < 1) {
    if (Date.now() > until) throw new Error('the two devices did not connect directly within 60 s');
    await sleep(200);
  }
  await relay.stop();
  await installHelpers(a.page);
  await installHelpers(b.page);
  const { samples, note } = await editLatency(a.page, b.page);
  results.record('peer_p95', { value: pct(samples, 95), stat: 'p95', note, samples, comparator_note: 'n/a: the stack as named has no direct (WebRTC) connection' });
  await a.context.close();
  await b.context.close();
  await browser.close();
  await relay.dispose();
}

/** A workspace of `n` customers: first sync, cold starts, keystrokes, opening one, heap. */
async function measureSize(s, relay, invite, n, probe, last) {
  const k = sizeLabel(n);
  step(`${n} customers: first sync into a new device`);
  const dir = await s.userDataDir();
  const dev = await s.persistentDevice(dir, `device ${k}`);
  const page = dev.page;
  // what crosses the device's WebSocket, both ways (payloads, as the socket count of the
  // native client counts frames): CDP sees every frame of the page's sockets
  const net = await dev.context.newCDPSession(page);
  await net.send('Network.enable');
  let wsBytes = 0;
  let wsFrames = 0;
  const count = ({ response: r }) => {
    wsFrames++;
    wsBytes += r.opcode === 2 ? Buffer.from(r.payloadData, 'base64').length : Buffer.byteLength(r.payloadData);
  };
  net.on('Network.webSocketFrameReceived', count);
  net.on('Network.webSocketFrameSent', count);
  try {
    const syncMs = await bounded(`first sync of ${n} customers`, n <= 1000 ? 120_000 : 360_000, async (limit) => {
      await page.goto(invite, { waitUntil: 'commit' });
      return page.waitForFunction(
        (total) => {
          const st = document.querySelector('[role="status"][aria-label="Sync status"]');
          const c = document.querySelector('p.count')?.textContent.trim();
          // the count is formatted for the reader's locale: "10,000 customers"
          return c?.replace(/,/g, '') === `${total} customers` && st?.dataset.state === 'synced' && performance.now();
        },
        n,
        { timeout: limit, polling: 200 },
      ).then((h) => h.jsonValue());
    });
    results.record(`sync_in_${k}`, { value: syncMs, note: 'from opening the invite link to the list counting them all and the status "synced"' });
    await net.detach();
    results.record(`sync_in_${k}_bytes`, { value: wsBytes, note: `WebSocket payloads both ways, ${wsFrames} frames (CDP Network.webSocketFrameSent/Received); the HTTP upgrade not counted` });
    const other = await comparatorDevice(s, n, probe);
    try {
      await measureLoaded(dev, relay, n, probe, other);
      if (other && last) await comparatorReconnect(other, n);
    } finally {
      await other?.context.close().catch(() => {});
    }
    return syncMs;
  } finally {
    await dev.context.close().catch(() => {});
  }
}

/**
 * The comparator's device for a workspace of `n` customers (seeded from `probe.saves`, the
 * same documents as ours): a new device that syncs them all in. Its first-sync figures are
 * set here; null when the comparator could not get there (the figures then say why).
 */
async function comparatorDevice(s, n, probe) {
  const k = sizeLabel(n);
  const why = (msg) => {
    for (const id of [`sync_in_${k}`, `sync_in_${k}_bytes`, `cold_start_${k}`, `keystroke_${k}_p50`, `keystroke_${k}`, `open_${k}_p50`, `open_${k}`, `saved_${k}_p50`, `saved_${k}`, `heap_${k}`]) cmpSide(id, null, msg);
    return null;
  };
  if (comparator.error) return why(comparator.error);
  if (!probe.saves) return why('the seed wrote no saves for the comparator');
  step(`${n} customers, automerge-repo: seeding the sync server with the same documents, then a first sync into a new device`);
  const seeded = await cmp.seed(comparator.server, probe.saves, probe.customers, { timeoutMs: Math.min(600_000, remaining()) });
  if (seeded.ms == null) return why(`seeding the sync server: ${seeded.note}`);
  console.log(`    seeded in ${(seeded.ms / 1000).toFixed(1)} s: ${seeded.note}`);
  const dev = await s.persistentDevice(await s.userDataDir(), `cmp device ${k}`);
  const r = await cmp.firstSync(dev, comparator.server, n, { timeoutMs: Math.min(n <= 1000 ? 180_000 : 600_000, remaining()) });
  cmpSide(`sync_in_${k}`, r.ms, r.note);
  cmpSide(`sync_in_${k}_bytes`, r.bytes, r.note);
  console.log(`    automerge-repo first sync: ${fmt(r.ms, 'ms')}, ${fmt(r.bytes, 'bytes')}`);
  if (r.ms == null) {
    await dev.context.close().catch(() => {});
    return why(`its first sync did not finish: ${r.note}`);
  }
  return dev;
}

/** The comparator's reconnects, on its device holding the largest workspace. */
async function comparatorReconnect(other, n) {
  step(`Reconnect after offline, automerge-repo: its device holding ${n} customers; nothing new, then 1% changed`);
  await other.page.goto(comparator.server.url);
  await other.page.waitForFunction((n) => window.__cmp?.state().listed >= n, n, { timeout: 120_000 });
  const none = await cmp.reconnect(other.page, n, { timeoutMs: Math.min(180_000, remaining()) });
  cmpSide('reconnect_bytes', none.bytes, `${n} customers; ${none.note}`);
  cmpSide('reconnect_round_trips', none.roundTrips, none.note);
  const some = await cmp.reconnect(other.page, n, { changedFraction: 0.01, timeoutMs: Math.min(180_000, remaining()) });
  cmpSide('reconnect_changed_bytes', some.bytes, `${n} customers; ${some.note}`);
  cmpSide('reconnect_changed_round_trips', some.roundTrips, some.note);
}

/** A CSV of `n` customers, Chinese and Latin names, and one probe customer to search for. */
function customersCsv(n) {
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
  const given = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆';
  const latin = ['Acme', 'Bolt', 'Cedar', 'Delta', 'Ember', 'Fjord', 'Granite', 'Harbor', 'Iris', 'Juniper'];
  const kinds = ['Trading', 'Foods', 'Motors', 'Logistics', 'Textiles', 'Software', 'Ceramics'];
  const cities = ['杭州', '北京', '上海', '深圳', 'Shanghai', 'Chengdu', '广州'];
  const rows = ['Name,Email,Phone,Owner,City,Tags'];
  rows.push(`Zyxwvut Probe 探针,probe@bench.example,+86 139 0000 0000,Li,杭州,probe`);
  for (let i = 1; i < n; i++) {
    const chinese = i % 2 === 0;
    const name = chinese
      ? `${surnames[i % surnames.length]}${given[(i * 7) % given.length]}${i % 3 ? given[(i * 13) % given.length] : ''}`
      : `${latin[i % latin.length]} ${kinds[(i * 3) % kinds.length]} ${i}`;
    rows.push(`${name},c${i}@bench.example,+86 138 ${String(i).padStart(8, '0').replace(/(\d{4})(\d{4})/, '$1 $2')},${['Li', 'Wang', 'Chen'][i % 3]},${cities[i % cities.length]},"t${i % 20},vip"`);
  }
  return { csv: `${rows.join('\r\n')}\r\n`, probe: { probe_query: 'zyxwvut', probe_name: 'Zyxwvut Probe' } };
}

async function measureImport(s, relay, n) {
  const k = sizeLabel(n);
  step(`${n} customers: import a CSV of ${n} rows through the Import page (new device)`);
  const { csv, probe } = customersCsv(n);
  const file = path.join(await s.userDataDir(), `customers-${k}.csv`);
  await writeFile(file, csv);
  const dir = await s.userDataDir();
  const dev = await s.persistentDevice(dir, `import device ${k}`);
  const page = dev.page;
  try {
    await page.goto(relay.url);
    await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Import', exact: true }).click();
    await page.getByRole('radio', { name: 'Customers', exact: true }).check();
    await page.getByLabel('CSV file', { exact: true }).setInputFiles(file);
    const go = page.getByRole('button', { name: 'Import', exact: true });
    await go.waitFor({ timeout: 60_000 });
    const ms = await bounded(`import of ${n} rows`, Math.min(900_000, remaining()), async (limit) => {
      const t0 = Date.now();
      await go.click();
      await page.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: limit });
      return Date.now() - t0;
    });
    results.record(`import_${k}`, { value: ms, note: 'from "Import" to "Import finished" (read, check, write in one IndexedDB transaction)' });
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await measureLoaded(dev, relay, n, probe);
    return ms;
  } finally {
    await dev.context.close().catch(() => {});
  }
}

/** The CDNOW orders repeated until `n` customers (copy k's customers are "<id>-k"). */
async function cdnowOrders(n) {
  const lines = (await readFile(CDNOW, 'utf8')).trim().split(/\r?\n/);
  const rows = lines.slice(1);
  const per = new Set(rows.map((r) => r.split(',')[0])).size;
  const copies = Math.max(1, Math.round(n / per));
  const out = [lines[0]];
  for (let k = 0; k < copies; k++) for (const r of rows) out.push(r.replace(/^([^,]+)/, `$1-${k}`));
  return { csv: `${out.join('\n')}\n`, customers: per * copies, orders: rows.length * copies };
}

/** Imports CDNOW x10 as orders, then times the analysis (fit + scoring) on the Analytics page
 * and the longest main-thread task while it runs: the page must not freeze (DESIGN.md 10). */
async function measureAnalytics(s, relay, n) {
  const { csv, customers, orders } = await cdnowOrders(n);
  const k = sizeLabel(customers);
  step(`analytics: import ${orders} CDNOW orders of ${customers} customers, then fit and score them`);
  const file = path.join(await s.userDataDir(), `orders-${k}.csv`);
  await writeFile(file, csv);
  const dev = await s.persistentDevice(await s.userDataDir(), `analytics device ${k}`);
  const page = dev.page;
  try {
    await page.goto(relay.url);
    await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Import', exact: true }).click();
    await page.getByRole('radio', { name: 'Orders', exact: true }).check();
    await page.getByLabel('CSV file', { exact: true }).setInputFiles(file);
    const go = page.getByRole('button', { name: 'Import', exact: true });
    await go.waitFor({ timeout: 60_000 });
    await page.getByRole('combobox', { name: 'Currency of amounts without one' }).selectOption('USD');
    const importMs = await bounded(`import of ${orders} orders`, Math.min(900_000, remaining()), async (limit) => {
      const t0 = Date.now();
      await go.click();
      await page.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: limit });
      return Date.now() - t0;
    });
    results.record(`import_orders_${k}`, { value: importMs, note: `${orders} order rows creating ${customers} customers` });

    await page.getByRole('link', { name: 'Analytics', exact: true }).click();
    await page.getByRole('heading', { name: 'Analytics', exact: true }).waitFor({ timeout: 60_000 });
    // the first analysis (as of today) runs on arrival; let it finish, then time one as of
    // the CDNOW calibration date with long tasks observed
    await page.locator('td[data-param="r"]').first().waitFor({ timeout: Math.min(600_000, remaining()) });
    await page.evaluate(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
        .observe({ type: 'longtask', buffered: false });
    });
    const ms = await bounded('analysis', Math.min(600_000, remaining()), async (limit) => {
      const t0 = Date.now();
      await page.getByLabel('As of', { exact: true }).fill('1997-09-30');
      await page.getByLabel('As of', { exact: true }).dispatchEvent('change');
      await page.getByRole('progressbar').first().waitFor({ timeout: 10_000 }).catch(() => {});
      await page.getByRole('progressbar').first().waitFor({ state: 'detached', timeout: limit });
      await page.locator('td[data-param="r"]').first().waitFor({ timeout: limit });
      return Date.now() - t0;
    });
    const longest = await page.evaluate(() => Math.max(0, ...window.__longTasks));
    const r = (await page.locator('td[data-param="r"]').first().textContent()).trim();
    results.record(`analytics_${k}`, { value: ms, note: `as of 1997-09-30: read ${customers} rows, fit BG/NBD + Gamma-Gamma, score everyone, sum up (fitted r = ${r})` });
    results.record(`analytics_${k}_longest_task`, { value: longest, note: 'longest main-thread task (PerformanceObserver "longtask", >= 50 ms only) during that analysis; 0 = none' });
  } finally {
    await dev.context.close().catch(() => {});
  }
}

/** Cold start, keystrokes, opening customers and heap on a device holding `n` customers. */
async function measureLoaded(dev, relay, n, probe, other = null) {
  const k = sizeLabel(n);
  const page = dev.page;
  {
    // let the service worker finish caching the app shell before the cold starts
    await bounded('the service worker', 20_000, () => page.evaluate(() => navigator.serviceWorker.ready.then(() => true)));

    step(`${n} customers: cold start (app cached) to a searchable list, ${COLD_RUNS} starts after a warm-up`);
    await installHelpers(page);
    await page.addInitScript(coldStartProbe, { query: probe.probe_query, name: probe.probe_name });
    const starts = [];
    for (let i = 0; i <= COLD_RUNS; i++) {
      const r = await bounded('a cold start', 60_000, async (limit) => {
        await page.goto(relay.url, { waitUntil: 'commit' });
        await page.waitForFunction(() => window.__cold?.done, null, { timeout: limit, polling: 50 });
        return page.evaluate(() => ({ listed: window.__cold.listed, searchable: window.__cold.searchable }));
      });
      if (i > 0) starts.push(r);
    }
    // the comparator's cold starts, the same probe, right after ours
    // (one run after its warm-up above 1k: each takes most of a minute at 10k)
    const cc = other ? await cmp.coldStart(other.page, n, probe, { runs: n > 1000 ? 1 : COLD_RUNS, timeoutMs: Math.min(240_000, remaining()) }) : null;
    const searchable = starts.map((r) => r.searchable);
    results.record(`cold_start_${k}`, {
      comparator: cc?.ms, comparator_samples: cc?.samples, comparator_note: cc?.note,
      value: pct(searchable, 50), stat: 'median', samples: searchable,
      note: `from navigation start; rows shown at ${pct(starts.map((r) => r.listed), 50).toFixed(0)} ms, then the query "${probe.probe_query}" answered`,
    });

    const queries = probe.search_queries?.length ? probe.search_queries : FALLBACK_QUERIES;
    step(`${n} customers: keystroke to painted search results: ${queries.length} queries (${queries.map((q) => q.query).join(', ')})`);
    const profiler = await startProfile(dev.context, page);
    const keys = [];
    const doms = [];
    const byScript = {};
    // the comparator's keystrokes on the same queries, query by query after ours
    const theirs = [];
    const theirNotes = [];
    for (const { query, kind } of queries) {
      for (const r of await typeQuery(page, query, kind)) {
        keys.push(r.ms);
        doms.push(r.dom ?? r.ms);
        (byScript[kind] ??= []).push(r.ms);
      }
      if (other) {
        const [c] = await cmp.search(other.page, [{ query, kind }], { timeoutMs: Math.min(60_000, remaining()) });
        if (c.samples) theirs.push(...c.samples);
        else theirNotes.push(`"${query}" (${kind}): ${c.note}`);
      }
    }
    await profiler?.stop(`keystrokes-${k}`);
    const scripts = Object.entries(byScript).map(([sc, xs]) => `${sc} p95 ${pct(xs, 95).toFixed(1)} ms`).join(', ');
    const cmpKeys = theirs.length ? theirs : null;
    const cmpKeyNote = other ? `${theirs.length} keystrokes on the harness's substring search${theirNotes.length ? `; not measured: ${theirNotes.join('; ')}` : ''}` : undefined;
    results.record(`keystroke_${k}_p50`, { value: pct(keys, 50), stat: 'p50', samples: keys, comparator: cmpKeys && pct(cmpKeys, 50), comparator_samples: cmpKeys, comparator_note: cmpKeyNote });
    results.record(`keystroke_${k}`, {
      value: pct(keys, 95), stat: 'p95', comparator: cmpKeys && pct(cmpKeys, 95), comparator_note: cmpKeyNote,
      note: `${keys.length} keystrokes into "Search customers" (Latin and pinyin a letter at a time, Chinese as one input-method commit), each at the start of a frame, until the painted count line answers it (${scripts}); DOM updated after p50 ${pct(doms, 50).toFixed(1)} / p95 ${pct(doms, 95).toFixed(1)} ms (the rest is style, layout, paint)`,
      extra: { queries, dom_updated_ms: doms.map((x) => Math.round(x * 100) / 100) },
    });

    step(`${n} customers: open one customer, ${OPEN_SAMPLES} times`);
    await page.evaluate(() => window.__bench.setValue(window.__bench.labelled('Search customers'), ''));
    await page.waitForFunction(() => !/match/.test(window.__bench.count()), null, { timeout: 20_000 });
    const opens = [];
    const theirOpens = [];
    let theirOpenNote = null;
    const openProfiler = await startProfile(dev.context, page);
    for (let i = 0; i < OPEN_SAMPLES; i++) {
      // the comparator's opens alternate with ours, half at a time
      if (other && i % (OPEN_SAMPLES / 2) === 0) {
        const c = await cmp.openCustomer(other.page, { samples: OPEN_SAMPLES / 2, timeoutMs: Math.min(60_000, remaining()) });
        if (c.samples) theirOpens.push(...c.samples);
        theirOpenNote = c.note;
      }
      opens.push(
        await page.evaluate((i) => {
          const b = window.__bench;
          const links = b.list().querySelectorAll('a');
          const link = links[(i * 37) % links.length];
          const name = (link.querySelector('.name') ?? link).textContent.trim();
          return b.timeToPaint(() => link.click(), () => b.labelled('Name')?.value === name);
        }, i),
      );
      // untimed: back to the list
      await page.goBack();
      await page.waitForFunction(() => window.__bench.list()?.querySelector('a'), null, { timeout: 20_000 });
    }
    await openProfiler?.stop(`open-${k}`);
    const co = theirOpens.length ? theirOpens : null;
    results.record(`open_${k}_p50`, { value: pct(opens, 50), stat: 'p50', samples: opens, comparator: co && pct(co, 50), comparator_samples: co, comparator_note: theirOpenNote ?? undefined });
    results.record(`open_${k}`, {
      value: pct(opens, 95), stat: 'p95', comparator: co && pct(co, 95), comparator_note: theirOpenNote ?? undefined,
      note: 'click on a list row until its "Name" field holds the name, painted',
    });

    step(`${n} customers: edit one field until the page says it is saved, ${SAVE_SAMPLES} edits`);
    const saves = [];
    const theirSaves = [];
    let theirSaveNote;
    for (let half = 0; half < 2; half++) {
      saves.push(...(await editSaved(page, SAVE_SAMPLES / 2)));
      if (other) {
        const c = await cmp.editSaved(other.page, { samples: SAVE_SAMPLES / 2, timeoutMs: Math.min(60_000, remaining()) });
        if (c.samples) theirSaves.push(...c.samples);
        theirSaveNote = c.note;
      }
    }
    const cs = theirSaves.length ? theirSaves : null;
    results.record(`saved_${k}_p50`, { value: pct(saves, 50), stat: 'p50', samples: saves, comparator: cs && pct(cs, 50), comparator_samples: cs, comparator_note: theirSaveNote });
    results.record(`saved_${k}`, {
      value: pct(saves, 95), stat: 'p95', comparator: cs && pct(cs, 95), comparator_note: theirSaveNote,
      note: 'a new "Phone" (input + change) until the painted save line says "Saved on this device": the edit is in IndexedDB',
    });

    step(`${n} customers: heap (JS + wasm), after a garbage collection`);
    const cdp = await dev.context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const usage = await cdp.send('Runtime.getHeapUsage');
    const { result: proto } = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
    const { objects } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.objectId });
    const { result: sizes } = await cdp.send('Runtime.callFunctionOn', {
      objectId: objects.objectId,
      functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength); }',
      returnByValue: true,
    });
    const wasm = sizes.value.reduce((a, b) => a + b, 0);
    await cdp.detach();
    let ch = null;
    if (other) {
      // back to its list, all loaded, as ours is after its cold starts
      await other.page.goto(comparator.server.url);
      await other.page.waitForFunction((n) => window.__cmp?.state().listed >= n, n, { timeout: 120_000 }).catch(() => {});
      ch = await cmp.heap(other.page);
    }
    results.record(`heap_${k}`, {
      comparator: ch?.bytes, comparator_note: ch?.note,
      value: usage.usedSize + wasm,
      note: `JS heap used ${fmt(usage.usedSize, 'bytes')} (CDP Runtime.getHeapUsage) + wasm memory ${fmt(wasm, 'bytes')} (${sizes.value.length} WebAssembly.Memory, found with Runtime.queryObjects)`,
      extra: { js_used: usage.usedSize, js_total: usage.totalSize, wasm_memories: sizes.value },
    });
  }
}

/**
 * From an empty "Search customers" (untimed), types `query`: a letter at a time, or Chinese
 * as one input-method commit. Each keystroke is timed from the start of a frame until the
 * painted frame whose count line answers what the box holds (`data-query`,
 * docs/CONTRACTS.md). Returns [{ ms, dom }] per keystroke.
 */
async function typeQuery(page, query, kind) {
  await page.evaluate(() => window.__bench.setValue(window.__bench.labelled('Search customers'), ''));
  await page.waitForFunction(() => document.querySelector('p.count')?.dataset.query === '', null, { timeout: 20_000 });
  const out = [];
  const chars = kind === 'chinese' ? [query] : [...query];
  for (let i = 1; i <= chars.length; i++) {
    const prefix = chars.slice(0, i).join('');
    out.push(await page.evaluate(async ({ prefix, ch }) => {
      const b = window.__bench;
      const box = b.labelled('Search customers');
      const count = document.querySelector('p.count');
      // when the count line answered in the DOM (the app's work, before style/layout/paint)
      let t0 = 0;
      let dom = null;
      const mo = new MutationObserver(() => {
        if (dom == null && count.dataset.query === prefix) dom = performance.now() - t0;
      });
      mo.observe(count, { attributes: true, childList: true, characterData: true, subtree: true });
      const ms = await b.timeToPaint(() => {
        t0 = performance.now();
        box.value = prefix;
        box.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: ch }));
      }, () => count.dataset.query === prefix);
      mo.disconnect();
      return { ms, dom };
    }, { prefix, ch: chars[i - 1] }));
  }
  return out;
}

/** With CRM_BENCH_PROFILE set: a CPU profile of `page` until `stop(name)` writes it there. */
async function startProfile(context, page) {
  if (!PROFILE_DIR) return null;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  return {
    async stop(name) {
      const { profile } = await cdp.send('Profiler.stop');
      await cdp.detach();
      const { mkdir } = await import('node:fs/promises');
      await mkdir(PROFILE_DIR, { recursive: true });
      const file = path.join(PROFILE_DIR, `${name}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      console.log(`    CPU profile: ${file}`);
    },
  };
}

/**
 * On the list: opens a customer, then times `SAVE_SAMPLES` edits of "Phone", each from the
 * change until the frame that paints the save line's return to "saved" (docs/CONTRACTS.md).
 */
let saveSeq = 1000;
async function editSaved(page, count = SAVE_SAMPLES) {
  await page.evaluate(() => window.__bench.list().querySelector('a').click());
  await page.waitForFunction(() => window.__bench.labelled('Phone'), null, { timeout: 20_000 });
  const samples = [];
  for (let i = 0; i < count; i++) {
    samples.push(await page.evaluate((v) => {
      const b = window.__bench;
      const line = document.querySelector('p.save-state');
      // the edit is saved once the line has said "saving" and then "saved" again
      let wrote = false;
      const mo = new MutationObserver(() => {
        if (line.dataset.state === 'saving') wrote = true;
      });
      mo.observe(line, { attributes: true, attributeFilter: ['data-state'] });
      return b.timeToPaint(() => {
        const el = b.labelled('Phone');
        el.value = v;
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
        if (line.dataset.state === 'saving') wrote = true;
      }, () => wrote && line.dataset.state === 'saved').finally(() => mo.disconnect());
    }, `+86 571 8000 ${String(saveSeq++).padStart(4, '0')}`));
  }
  await page.goBack();
  await page.waitForFunction(() => window.__bench.list()?.querySelector('a'), null, { timeout: 20_000 });
  return samples;
}

// ---- the run -------------------------------------------------------------------------------

function machine(chromium) {
  const cpus = os.cpus();
  const git = (...a) => {
    try {
      return execFileSync('git', a, { cwd: repo, encoding: 'utf8' }).trim();
    } catch (_) {
      return null;
    }
  };
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : cpus.length,
    cpu: cpus[0]?.model ?? null,
    memory_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    chromium,
    node: process.version,
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain') ? true : false,
  };
}

function chromiumVersion() {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (_) {
    return null;
  }
}

async function finish(s, problems) {
  // the served download is measured with the edits but belongs beside the build's figure
  const figures = results.figures;
  const rank = (f) => (f.id === 'download_served' ? figures.findIndex((x) => x.id === 'download') + 0.5 : figures.indexOf(f));
  figures.sort((a, b) => rank(a) - rank(b));
  const run = {
    date: new Date(started).toISOString(),
    commit: machine(null).commit,
    machine: machine(chromiumVersion()),
    duration_s: Math.round((Date.now() - started) / 100) / 10,
    budgets_from: 'DESIGN.md section 10 (10k customers column; the 100k column above 10k)',
    comparator: 'automerge-repo 2.5.6 (IndexedDB + WebSocket adapters) in the same Chromium, automerge-repo-sync-server 0.2.8 as its relay',
    sizes: SIZES,
  };
  await results.write(OUT, run, problems);
  await s.dispose();
  results.table();
  console.log(`\n    all figures: ${path.relative(process.cwd(), OUT) || OUT}   (measuring took ${run.duration_s} s)`);
}

async function main() {
  const s = new Scenario('bench');
  const problems = [];
  // a signal ends the run early: no new step starts, the running one fails fast as its
  // relay and browsers go away, and what was measured is still written
  const stop = (sig) => {
    console.error(`\nbench: ${sig}: stopping the relay and browsers, writing what was measured`);
    problems.push(`stopped by ${sig}`);
    stoppedBy = sig;
    deadline = Date.now();
    stopLoad();
    s.dispose();
    setTimeout(() => process.exit(130), 20_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // a step that fails leaves its figures "not measured" and the run goes on
  const attempt = async (what, ids, body) => {
    if (SKIP.has(what.split(' ')[0])) return results.notMeasured(ids, 'skipped (CRM_BENCH_SKIP)');
    try {
      await body();
    } catch (err) {
      problems.push(`${what}: ${err.message}`);
      console.error(`    ${what} failed: ${err.stack || err}`);
      await s.saveArtifacts(err).catch(() => {});
      results.notMeasured(ids, err.message.split('\n')[0]);
    }
  };

  try {
    step('Compressed download (wasm + js + css, brotli as served), from the build');
    const download = env.CRM_BENCH_DOWNLOAD ? Number(env.CRM_BENCH_DOWNLOAD) : null;
    results.record('download', {
      value: download,
      note: download == null ? 'CRM_BENCH_DOWNLOAD not set: run through `cargo xtask bench`' : 'brotli siblings written by the release build (xtask/src/compress.rs)',
    });
    step('The comparator: the automerge-repo harness page (esbuild), and its download');
    try {
      comparator.harness = await cmp.buildHarness();
      cmpSide('download', comparator.harness.downloadBytes, comparator.harness.note);
    } catch (err) {
      comparator.error = `the comparator's harness did not build: ${err.message.split('\n')[0]}`;
      problems.push(comparator.error);
      console.error(`    ${comparator.error}`);
    }

    step('Storage of one customer after 10 and 10,000 edits (from `cargo xtask bench`: crates/core/examples/compaction_bytes.rs)');
    const compaction = JSON.parse(env.CRM_BENCH_COMPACTION || '{}');
    const why = env.CRM_BENCH_COMPACTION ? 'the example printed no such line' : 'CRM_BENCH_COMPACTION not set: run through `cargo xtask bench`';
    for (const [id, line, edits] of [
      ['storage_device_10', 'device after compaction', 10],
      ['storage_relay_10', 'relay within retention', 10],
      ['storage_device_10000', 'device after compaction', 10_000],
      ['storage_relay_10000', 'relay within retention', 10_000],
      ['storage_relay_10000_after', 'relay after retention', 10_000],
    ]) {
      const v = compaction[`${line}, ${edits} edits`];
      const note = `the device's and relay's storage code driven natively (crm_core::replica with the default compaction policy); uncompacted chunks ${fmt(compaction[`uncompacted chunks, ${edits} edits`], 'bytes')}, the document's Automerge save ${fmt(compaction[`automerge save, ${edits} edits`], 'bytes')}`;
      results.record(id, v == null ? { value: null, note: why } : { value: v, note });
    }

    await attempt('lighthouse', ['lighthouse_performance', 'lighthouse_accessibility', 'lighthouse_best_practices'], () => bounded('lighthouse', 180_000, () => measureLighthouse(s)));

    await attempt('reconnect', ['reconnect_bytes', 'reconnect_round_trips', 'reconnect_changed_bytes', 'reconnect_changed_round_trips'], () => bounded('reconnect', 300_000, () => measureReconnect(s)));

    const loadIds = results.define(Object.fromEntries([100, 1000].flatMap((n) => [
      [`load_${n}_throughput`, [`relay under load, ${n} clients: edits/s fanned out to the whole team`, 'edits/s', null, 'higher']],
      [`load_${n}_fanout_p99`, [`relay under load, ${n} clients: fan-out latency p99`, 'ms', null]],
      [`load_${n}_relay_memory`, [`relay under load, ${n} clients: server peak RSS`, 'bytes', null]],
    ])));
    await attempt('load', loadIds, async () => {
      step('Relay under load: 100 and 1,000 clients in teams of 10, one edit each a second; our relay, then automerge-repo-sync-server (bench/lib/load.mjs, crm-load)');
      const figs = await measureLoad({ relayBin: RELAY_BIN, loadBin: LOAD_BIN, comparatorDir: COMPARATOR_DIR, timeLeftMs: Math.min(240_000, remaining()), log: (l) => console.log(`    ${l}`) });
      for (const f of figs) results.add(f);
    });
    await attempt('edit latency', ['download_served', 'edit_p50', 'edit_p95'], () => bounded('edit latency', 180_000, () => measureEdits(s)));
    await attempt('tab latency', ['tab_p95'], () => bounded('tab latency', 180_000, () => measureTabs(s)));
    await attempt('peer latency', ['peer_p95'], () => bounded('peer latency', 180_000, () => measurePeers(s)));

    // one workspace grows through the sizes; each size is synced into a new device
    let relay = null;
    const secret = randomBytes(32).toString('hex');
    let seeded = 0;
    let lastSync = null;
    for (const n of SIZES) {
      const k = sizeLabel(n);
      const ids = sizeFigures(k, n);
      // the first sync grows at least linearly: skip a size that cannot finish in time
      if (lastSync != null) {
        const estimate = lastSync.ms * (n / lastSync.n) + 60_000;
        if (estimate > remaining()) {
          const why = `skipped: its first sync would take about ${(estimate / 1000).toFixed(0)} s (from ${lastSync.n}), ${(remaining() / 1000).toFixed(0)} s left of the ${DEADLINE_S} s run`;
          results.notMeasured(ids, why);
          continue;
        }
      }
      await attempt(`${k} customers`, ids, () => bounded(`${k} customers`, Infinity, async () => {
        relay ??= await s.relay();
        const invite = `${relay.url}#join=${secret}`;
        step(`${n} customers: seeding the workspace through the relay (${n - seeded} sealed chunks, native client)`);
        const saves = path.join(await s.userDataDir(), `customers-${k}.saves`);
        const probe = await native(['seed', '--url', relay.url, '--secret', secret, '--first', String(seeded + 1), '--count', String(n - seeded), '--saves', saves], Math.min(180_000, remaining()));
        seeded = n;
        console.log(`    pushed ${probe.chunks} chunks (${fmt(probe.bytes_sent, 'bytes')}) in ${(probe.total_ms / 1000).toFixed(1)} s; ${probe.contacts} contacts, ${probe.deals} deals, ${probe.interactions} interactions, ${probe.orders} orders`);
        if (!comparator.error && !comparator.server) {
          comparator.server = await cmp.startComparator(s).catch((err) => {
            comparator.error = `the sync server did not start: ${err.message}`;
            return null;
          });
        }
        const ms = await measureSize(s, relay, invite, n, probe, n === SIZES[SIZES.length - 1]);
        lastSync = { n, ms };
      }));
    }
    if (ANALYTICS_CUSTOMERS > 0) {
      const k = sizeLabel(ANALYTICS_CUSTOMERS);
      results.define({
        [`import_orders_${k}`]: [`import of the CDNOW orders x10 (${k} customers)`, 'ms', null],
        [`analytics_${k}`]: [`analytics (fit + score), ${k} customers / 69k orders`, 'ms', null],
        [`analytics_${k}_longest_task`]: [`analytics: longest main-thread task`, 'ms', 50],
      });
      await attempt('analytics', [`import_orders_${k}`, `analytics_${k}`, `analytics_${k}_longest_task`], () => bounded('analytics', Infinity, async () => {
        relay ??= await s.relay();
        await measureAnalytics(s, relay, ANALYTICS_CUSTOMERS);
      }));
    }
    for (const n of IMPORT_SIZES) {
      const k = sizeLabel(n);
      const ids = sizeFigures(k, n, 'import');
      await attempt(`${k} customers imported`, ids, () => bounded(`${k} customers imported`, Infinity, async () => {
        relay ??= await s.relay();
        await measureImport(s, relay, n);
      }));
    }
  } finally {
    await finish(s, problems);
  }
}

main().then(
  () => process.exit(stoppedBy ? 130 : 0),
  (err) => {
    console.error(`bench: ${err.stack || err}`);
    process.exit(1);
  },
);

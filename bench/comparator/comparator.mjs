// The comparator of `cargo xtask bench` (README.md here): the reference local-first stack a
// team would otherwise pick, automerge-repo in the browser (IndexedDB + WebSocket adapters)
// and automerge-repo-sync-server as its relay, measured the way bench/bench.mjs measures our
// app: the same Chromium and Playwright harness (tests/e2e/lib), the same page clocks, the
// same "after paint" rule, the same documents (the `--saves` file of `crm-bench seed`).
//
// Every function is bounded in time and returns raw numbers and a note. What cannot be
// measured (pinyin search, a first sync that does not finish in time) comes back as null with
// the reason; nothing here throws for that. bench.mjs computes the statistics and ratios.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import { decode as cborDecode } from 'cbor-x';
import * as esbuild from 'esbuild';

import { freePort } from '../../tests/e2e/lib/relay.mjs';
import { sleep } from '../../tests/e2e/lib/ui.mjs';
import { coldStartProbe, installHelpers } from '../lib/page.mjs';
import { pct } from '../lib/results.mjs';
import { within } from '../lib/within.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the harness is built; the sync server serves it as its `public/` (git-ignored). */
export const PUBLIC = path.join(here, 'public');
const SERVER = path.join(here, 'node_modules', '@automerge', 'automerge-repo-sync-server', 'src', 'index.js');
const SEEDER = path.join(here, 'seed.mjs');

const round = (x) => (x == null ? null : Math.round(x * 100) / 100);

/**
 * WebSocket frame bytes on the wire for a payload of `n` bytes: RFC 6455 headers (2 bytes, 2 or
 * 8 more for lengths of 126+ / 65536+, and a 4-byte mask on frames a client sends), which the
 * native client of our relay counts too (it counts the socket). The server negotiates no
 * compression (ws's default), so the payload is what crosses.
 */
const wire = (n, fromClient) => n + 2 + (n >= 65536 ? 8 : n >= 126 ? 2 : 0) + (fromClient ? 4 : 0);

// ---- build and serve -----------------------------------------------------------------------

/** The files a browser downloads to start the harness (index.html aside), as our figure counts wasm+js+css. */
const DOWNLOAD = ['main.js', 'main.css', 'automerge.wasm'];

/**
 * Bundles harness/ with esbuild (minified ES module) into `dir` with automerge's wasm, the
 * page and its css. `downloadBytes` is the brotli size (quality 11, window 22, as
 * xtask/src/compress.rs) of main.js + main.css + automerge.wasm. The sync server serves them
 * uncompressed (express.static); `servedBytes` says what that costs.
 */
export async function buildHarness({ dir = PUBLIC } = {}) {
  await mkdir(dir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(here, 'harness', 'main.js')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    outfile: path.join(dir, 'main.js'),
    logLevel: 'warning',
  });
  await copyFile(path.join(here, 'harness', 'index.html'), path.join(dir, 'index.html'));
  await copyFile(path.join(here, 'harness', 'main.css'), path.join(dir, 'main.css'));
  await copyFile(path.join(here, 'node_modules', '@automerge', 'automerge', 'dist', 'automerge.wasm'), path.join(dir, 'automerge.wasm'));
  const files = [];
  for (const file of DOWNLOAD) {
    const data = await readFile(path.join(dir, file));
    const br = zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 22, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    });
    files.push({ file, bytes: data.length, brotli: br.length });
  }
  return {
    dir,
    downloadBytes: files.reduce((n, f) => n + f.brotli, 0),
    servedBytes: files.reduce((n, f) => n + f.bytes, 0),
    files,
    note: `brotli (q11) of ${DOWNLOAD.join(' + ')}; automerge-repo-sync-server serves them uncompressed (express.static)`,
  };
}

/**
 * Starts automerge-repo-sync-server (as published: `node src/index.js`, PORT and DATA_DIR)
 * on a free port with a fresh data directory, its cwd here so that its `public/` is the
 * built harness. With the e2e `scenario`, it is stopped and its directory removed with the
 * scenario's relays, and its log goes with the scenario's artifacts.
 */
export async function startComparator(scenario = null, { timeoutMs = 30_000 } = {}) {
  if (!existsSync(path.join(PUBLIC, 'index.html'))) throw new Error(`${PUBLIC}/index.html is missing: call buildHarness() first`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'crm-cmp-sync-'));
  const port = await freePort();
  const proc = spawn(process.execPath, [SERVER], {
    cwd: here,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  const onData = (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line) log.push(line);
    if (log.length > 2000) log.splice(0, log.length - 2000);
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const url = `http://127.0.0.1:${port}/`;
  const server = {
    url,
    pid: proc.pid,
    dataDir,
    log,
    /** the workspace's index document, once seeded */
    indexUrl: null,
    /** customers seeded so far */
    seeded: 0,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  server.dispose = server.stop;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the sync server exited (${proc.exitCode ?? proc.signalCode}): ${log.slice(-5).join(' | ')}`);
    try {
      const res = await fetch(url);
      if (res.ok && /automerge/i.test(await res.text())) break;
    } catch (_) {
      /* not yet */
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`the sync server did not answer on ${url} within ${timeoutMs / 1000} s`);
    }
    await sleep(100);
  }
  scenario?.relays.push(server);
  return server;
}

/** Runs seed.mjs (a child process), killed at `timeoutMs`; its one line of stdout is JSON. */
function seeder(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [SEEDER, ...args], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('exit', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out));
      else if (sig === 'SIGKILL') reject(new Error(`seed.mjs ${args[0]} did not finish within ${(timeoutMs / 1000).toFixed(0)} s`));
      else reject(new Error(`seed.mjs ${args[0]} exited with ${code ?? sig}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/**
 * Puts the first `count` customers of `savesFile` on the server, as a node automerge-repo
 * client pushing them over WebSocket (`repo.import` of each save), and lists them in the
 * workspace's index document (created on the first call, appended to afterwards). Waits until
 * the server's sync state has every document and its data directory holds them.
 * Returns { ms, customers, indexUrl, note } (ms null when it did not finish, note says why).
 */
export async function seed(server, savesFile, count, { timeoutMs = 600_000 } = {}) {
  const t0 = performance.now();
  const args = ['seed', '--url', server.url, '--saves', savesFile, '--count', String(count), '--data-dir', server.dataDir];
  if (server.indexUrl) args.push('--index', server.indexUrl);
  try {
    const r = await seeder(args, timeoutMs);
    server.indexUrl = r.index_url;
    server.seeded = r.listed;
    return {
      ms: Math.round(performance.now() - t0),
      customers: r.customers,
      listed: r.listed,
      indexUrl: r.index_url,
      extra: r,
      note: `repo.import of ${r.customers} saves (${r.save_bytes} B) over WebSocket, ${r.synced_ms} ms until the server's sync state had them all, ${r.stored_ms} ms until its data directory did`,
    };
  } catch (e) {
    return { ms: null, customers: null, listed: null, indexUrl: server.indexUrl, note: e.message };
  }
}

// ---- in-page helpers (bench/lib/page.mjs, shared with bench.mjs) and the comparator's own ----

/** Counts the bytes of every WebSocket message the page sends and receives (payloads). */
function wsCounter() {
  if (window.__ws) return;
  const c = { sent: 0, received: 0, framesSent: 0, framesReceived: 0, wireSent: 0, wireReceived: 0 };
  window.__ws = c;
  const wire = (n, fromClient) => n + 2 + (n >= 65536 ? 8 : n >= 126 ? 2 : 0) + (fromClient ? 4 : 0);
  const size = (d) => (typeof d === 'string' ? new TextEncoder().encode(d).length : d.byteLength ?? d.size ?? 0);
  const Native = window.WebSocket;
  const send = Native.prototype.send;
  Native.prototype.send = function (data) {
    const n = size(data);
    c.sent += n;
    c.wireSent += wire(n, true);
    c.framesSent++;
    return send.call(this, data);
  };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const n = size(e.data);
        c.received += n;
        c.wireReceived += wire(n, false);
        c.framesReceived++;
      });
    }
  };
}

/**
 * Keeps every WebAssembly.Memory the page creates (instantiated modules' exported memories
 * and constructed ones) in `window.__wasmMemories`. CDP Runtime.queryObjects, which bench.mjs
 * uses to find them in our app, never returns once automerge's wasm is loaded (Chromium
 * hangs the page's inspector; tried with ArrayBuffer.prototype too), so the comparator's
 * memories are collected as they are made.
 */
function wasmMemories() {
  if (window.__wasmMemories) return;
  const mems = new Set();
  window.__wasmMemories = mems;
  const grab = (inst) => {
    for (const v of Object.values(inst?.exports ?? {})) if (v instanceof WebAssembly.Memory) mems.add(v);
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (...args) {
    return instantiate.apply(this, args).then((r) => {
      grab(r.instance ?? r);
      return r;
    });
  };
  const streaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = function (...args) {
    return streaming.apply(this, args).then((r) => {
      grab(r.instance);
      return r;
    });
  };
  WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
    construct(target, args) {
      const inst = new target(...args);
      grab(inst);
      return inst;
    },
  });
  WebAssembly.Memory = new Proxy(WebAssembly.Memory, {
    construct(target, args) {
      const m = new target(...args);
      mems.add(m);
      return m;
    },
  });
}

/**
 * What the comparator's measurements observe in a device's pages, installed before they load:
 * WebSocket bytes (firstSync) and the wasm memories (heap). firstSync calls it.
 */
export async function instrument(context) {
  if (context.__cmpInstrumented) return;
  context.__cmpInstrumented = true;
  await context.addInitScript(wsCounter);
  await context.addInitScript(wasmMemories);
}

const countIs = (n) => (total) => {
  const c = document.querySelector('p.count')?.textContent.trim();
  return c?.replace(/,/g, '') === `${total} customers` && performance.now();
};

const origin = (page) => `${new URL(page.url()).origin}/`;

// ---- measurements --------------------------------------------------------------------------

/**
 * A new device (`device` = { context, page }, a fresh persistent profile) opens the workspace
 * (`<server>#index=<url>`, as our invite link) and finds the index and every customer it lists
 * until the list counts all `n`. `ms` is the page's clock from navigation start, as ours.
 * `bytes` are the WebSocket frames both ways (payloads counted in the page plus RFC 6455
 * headers); `storedMs` is when IndexedDB had committed every customer (automerge-repo saves
 * at most every 100 ms per document).
 * Returns { ms, bytes, bytesSent, bytesReceived, payloadBytes, frames, storedMs, note }.
 */
export async function firstSync(device, server, n, { timeoutMs = n <= 1000 ? 120_000 : 360_000 } = {}) {
  const { page } = device;
  await instrument(device.context);
  const fail = async (e) => {
    const st = await page.evaluate(() => window.__cmp?.state()).catch(() => null);
    return {
      ms: null, bytes: null, storedMs: null,
      note: `${e.message}${st ? `; ${st.listed} of ${st.total} customers found by then (${st.late} of them still awaited after automerge-repo's 60 s request timeout)` : ''}`,
    };
  };
  try {
    const ms = await within(`first sync of ${n} customers`, timeoutMs, async (limit) => {
      await page.goto(`${server.url}#index=${server.indexUrl}`, { waitUntil: 'commit' });
      return page.waitForFunction(countIs(n), n, { timeout: limit, polling: 200 }).then((h) => h.jsonValue());
    });
    const storedMs = await within('IndexedDB holding every customer', 60_000, (limit) =>
      page.waitForFunction((total) => window.__cmp.storedDocs() >= total && performance.now(), n, { timeout: limit, polling: 100 }).then((h) => h.jsonValue()),
    ).catch(() => null);
    const ws = await page.evaluate(() => window.__ws);
    const st = await page.evaluate(() => window.__cmp.state());
    return {
      ms: round(ms),
      timedOut: st.lateEver,
      bytes: ws.wireSent + ws.wireReceived,
      bytesSent: ws.wireSent,
      bytesReceived: ws.wireReceived,
      payloadBytes: ws.sent + ws.received,
      frames: { sent: ws.framesSent, received: ws.framesReceived },
      storedMs: round(storedMs),
      note: `from navigation to ${server.url}#index=… until the list counts ${n} customers (index found, then every customer found with repo.find${st.lateEver ? `; ${st.lateEver} finds gave up after automerge-repo's 60 s request timeout and the harness waited for those documents to arrive` : ''}); bytes: WebSocket payloads counted in the page + frame headers, both ways, ${ws.framesSent + ws.framesReceived} frames; IndexedDB held all ${n} at ${storedMs == null ? 'n/a (not within 60 s)' : `${storedMs.toFixed(0)} ms`}`,
    };
  } catch (e) {
    return fail(e);
  }
}

/**
 * Cold start, as ours: the same device navigates to the harness (its code in the HTTP cache:
 * express.static revalidates it with 304s, there is no service worker) and a probe measures
 * from navigation start until the list shows rows, then types `probe.probe_query` and stops
 * when the list holds only `probe.probe_name`, painted. One warm-up start, then `runs`.
 * Returns { ms (median), samples, listedMs, note }.
 */
export async function coldStart(page, n, probe, { runs = 3, timeoutMs = 120_000 } = {}) {
  const url = origin(page);
  try {
    await installHelpers(page);
    await page.addInitScript(coldStartProbe, { query: probe.probe_query, name: probe.probe_name });
    const starts = [];
    for (let i = 0; i <= runs; i++) {
      const r = await within('a cold start', timeoutMs, async (limit) => {
        await page.goto(url, { waitUntil: 'commit' });
        await page.waitForFunction(() => window.__cold?.done, null, { timeout: limit, polling: 50 });
        return page.evaluate(() => ({ listed: window.__cold.listed, searchable: window.__cold.searchable }));
      });
      if (i > 0) starts.push(r);
    }
    const searchable = starts.map((r) => round(r.searchable));
    return {
      ms: pct(searchable, 50),
      samples: searchable,
      listedMs: round(pct(starts.map((r) => r.listed), 50)),
      note: `from navigation start; rows shown at ${pct(starts.map((r) => r.listed), 50).toFixed(0)} ms (once all ${n} customers are found in IndexedDB), then the query "${probe.probe_query}" answered`,
    };
  } catch (e) {
    return { ms: null, samples: null, listedMs: null, note: e.message };
  }
}

/**
 * Waits until the page has been quiet for `quietMs`: no WebSocket frame (needs `instrument`)
 * and no IndexedDB write. After a start, automerge-repo keeps syncing every document with the
 * server and saving sync states for a while (a minute at 10k customers); the interactive
 * figures are taken after that, as ours are taken once our app is idle. Returns ms waited.
 */
export async function settle(page, { quietMs = 2000, timeoutMs = 180_000 } = {}) {
  const t0 = Date.now();
  const activity = () => page.evaluate(() => (window.__ws ? window.__ws.framesSent + window.__ws.framesReceived : 0) + (window.__cmp?.writes() ?? 0));
  let last = await activity();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`the page was still syncing or saving after ${timeoutMs / 1000} s`);
    await sleep(200);
    const now = await activity();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return Date.now() - t0 - quietMs;
}

/** Back to the empty query and its full list (untimed). */
async function clearSearch(page) {
  await page.evaluate(() => window.__bench.setValue(window.__bench.labelled('Search customers'), ''));
  await page.waitForFunction(() => !/match/.test(window.__bench.count()), null, { timeout: 20_000 });
}

/**
 * Our single-character figure: from an empty query, one character typed (an `input` event)
 * at the start of a frame, until the first painted frame whose count line changed. The same
 * 20 characters as bench.mjs. Returns { samples, dom, chars }.
 */
export async function keystrokes(page, { chars = 'aeiorstnlh0123456789'.split(''), timeoutMs = 120_000 } = {}) {
  try {
    await installHelpers(page);
    const settled = await settle(page);
    return await within('keystrokes', timeoutMs, async () => {
      const samples = [];
      const dom = [];
      for (const ch of chars) {
        await clearSearch(page);
        const r = await page.evaluate(typeOne, { text: ch });
        samples.push(round(r.ms));
        dom.push(round(r.dom ?? r.ms));
      }
      return { samples, dom, chars, settledMs: settled, note: `one character into an empty "Search customers", typed at the start of a frame, until the painted count changes (as bench.mjs); started once the page had synced and saved for ${settled} ms more` };
    });
  } catch (e) {
    return { samples: null, dom: null, chars, note: e.message };
  }
}

/**
 * In the page: sets the search box to `text` (one `input` event) at the start of a frame and
 * times it until the first painted frame that shows the result for it: the count line changed,
 * or the list says it shows `text` (the harness sets data-query when it has filtered; typing on
 * can leave the count as it was).
 */
async function typeOne({ text }) {
  const b = window.__bench;
  const box = b.labelled('Search customers');
  const before = b.count();
  const list = b.list();
  let t0 = 0;
  let dom = null;
  const shows = () => b.count() !== before || list.dataset.query === text;
  const mo = new MutationObserver(() => {
    if (dom == null && shows()) dom = performance.now() - t0;
  });
  mo.observe(document.querySelector('p.count'), { childList: true, characterData: true, subtree: true });
  mo.observe(list, { attributes: true, attributeFilter: ['data-query'] });
  const ms = await b.timeToPaint(() => {
    t0 = performance.now();
    box.value = text;
    box.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text.slice(-1) }));
  }, shows);
  mo.disconnect();
  return { ms, dom, count: b.count() };
}

/**
 * The search queries of `crm-bench seed` ({ query, kind }), typed into an empty "Search
 * customers": Latin one letter per keystroke, Chinese as one input method commit. Each
 * keystroke is timed like ours (start of a frame to the painted result). Pinyin: null, the
 * harness's substring search cannot find 杭州 from "hangzhou" (automerge-repo has no search;
 * a team would have to add a pinyin table).
 * Returns [{ query, kind, samples, dom, matches, note }].
 */
export async function search(page, queries, { timeoutMs = 120_000 } = {}) {
  await installHelpers(page);
  await settle(page).catch(() => {});
  const out = [];
  const deadline = Date.now() + timeoutMs;
  for (const { query, kind } of queries) {
    if (kind === 'pinyin') {
      out.push({ query, kind, samples: null, dom: null, matches: null, note: 'pinyin: the substring search of a plain automerge-repo app cannot match Chinese text by its pinyin' });
      continue;
    }
    try {
      const left = deadline - Date.now();
      if (left < 1000) throw new Error(`no time left of the ${timeoutMs / 1000} s for searches`);
      const r = await within(`search "${query}"`, left, async () => {
        await clearSearch(page);
        const steps = kind === 'chinese' ? [query] : [...query].map((_, i) => query.slice(0, i + 1));
        const samples = [];
        const dom = [];
        let count = '';
        for (const text of steps) {
          const s = await page.evaluate(typeOne, { text });
          samples.push(round(s.ms));
          dom.push(round(s.dom ?? s.ms));
          count = s.count;
        }
        return { samples, dom, count };
      });
      const m = r.count.replace(/,/g, '').match(/^(\d+) of/);
      out.push({
        query, kind, samples: r.samples, dom: r.dom, matches: m ? Number(m[1]) : null,
        note: `${kind === 'chinese' ? 'one input method commit' : `${query.length} keystrokes`}, each from the start of a frame to the painted result; substring of name, e-mails, phones, contacts, tags, owner, city, province, industry`,
      });
    } catch (e) {
      out.push({ query, kind, samples: null, dom: null, matches: null, note: e.message });
    }
  }
  return out;
}

/**
 * Open one customer, as ours: click a row of the list; the clock stops after the first painted
 * frame whose "Name" field holds that customer's name. Returns { samples, note }.
 */
export async function openCustomer(page, { samples: count = 10, timeoutMs = 120_000 } = {}) {
  try {
    await installHelpers(page);
    await settle(page);
    return await within('opening customers', timeoutMs, async () => {
      await clearSearch(page);
      const samples = [];
      for (let i = 0; i < count; i++) {
        samples.push(round(await page.evaluate((i) => {
          const b = window.__bench;
          const links = b.list().querySelectorAll('a');
          const link = links[(i * 37) % links.length];
          const name = (link.querySelector('.name') ?? link).textContent.trim();
          return b.timeToPaint(() => link.click(), () => b.labelled('Name')?.value === name);
        }, i)));
        await page.goBack();
        await page.waitForFunction(() => window.__bench.list()?.querySelector('a'), null, { timeout: 20_000 });
      }
      return { samples, note: 'click on a list row until its "Name" field holds the name, painted (the document is already in memory: the list found them all)' };
    });
  } catch (e) {
    return { samples: null, note: e.message };
  }
}

/** Opens the customer `docId` (or the list's first) on `page`; returns its id. */
async function showCustomer(page, docId = null) {
  const id = docId ?? (await page.evaluate(() => window.__cmp.docIds()[0]));
  await page.evaluate((id) => {
    location.hash = `#/c/${id}`;
  }, id);
  await page.waitForFunction(() => window.__bench.labelled('Phone'), null, { timeout: 20_000 });
  return id;
}

/**
 * An edit saved on the device: on a customer, "Phone" set and `change` dispatched (the
 * harness writes with handle.change on change) at the start of a frame, until IndexedDB has
 * committed a save holding that change: the harness's storage adapter is automerge-repo's
 * IndexedDBStorageAdapter, whose save() resolves on the transaction's `complete`; the harness
 * pairs that with the heads of automerge-repo's own "doc-saved"/"doc-compacted" event.
 * automerge-repo saves a document at most every 100 ms (saveDebounceRate); the edits here are
 * 300 ms apart. Returns { samples, note }.
 */
export async function editSaved(page, { samples: count = 10, timeoutMs = 60_000 } = {}) {
  try {
    await installHelpers(page);
    await settle(page);
    return await within('edits saved', timeoutMs, async () => {
      const docId = await showCustomer(page);
      const samples = [];
      for (let i = 0; i < count; i++) {
        samples.push(round(await page.evaluate(({ docId, v }) => new Promise((resolve, reject) => {
          requestAnimationFrame(() => {
            const el = window.__bench.labelled('Phone');
            const t0 = performance.now();
            el.value = v;
            el.dispatchEvent(new Event('input', { bubbles: true }));
            el.dispatchEvent(new Event('change', { bubbles: true }));
            const heads = window.__cmp.heads(docId);
            window.__cmp.whenStored(docId, heads).then((t1) => resolve(t1 - t0), reject);
          });
        }), { docId, v: `+1 555 02${String(i).padStart(2, '0')}` })));
        await sleep(300);
      }
      return { samples, note: 'set "Phone" + change at the start of a frame, until IndexedDB committed a save (automerge-repo StorageSubsystem, saves throttled to every 100 ms) holding the change' };
    });
  } catch (e) {
    return { samples: null, note: e.message };
  }
}

/**
 * An edit on device A seen painted on device B through the sync server, as ours: both on one
 * customer; A sets "Phone" and sends `input` then `change`; B checks every frame and takes the
 * time after the frame that shows the value. Page clocks (timeOrigin + now). 3 warm-ups, then
 * `count` edits, 50 ms apart. Returns { samples, viaNode, failed, note }.
 */
export async function editVisible(pageA, pageB, count = 30, { timeoutMs = 300_000 } = {}) {
  try {
    await installHelpers(pageA);
    await installHelpers(pageB);
    return await within('edits seen on a 2nd device', timeoutMs, async () => {
      const docId = await showCustomer(pageA);
      await showCustomer(pageB, docId);
      const samples = [];
      const viaNode = [];
      let failed = 0;
      for (let i = 0; i < count + 3; i++) {
        const value = `+1 555 01${String(i).padStart(3, '0')}`;
        await pageB.evaluate((v) => {
          window.__seen = new Promise((resolve) => {
            const tick = () => {
              if (window.__bench.labelled('Phone')?.value === v) window.__bench.afterPaint(() => resolve(performance.timeOrigin + performance.now()));
              else requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
          });
        }, value);
        const n0 = performance.now();
        const t0 = await pageA.evaluate((v) => {
          const el = window.__bench.labelled('Phone');
          el.value = v;
          const t = performance.timeOrigin + performance.now();
          el.dispatchEvent(new Event('input', { bubbles: true }));
          el.dispatchEvent(new Event('change', { bubbles: true }));
          return t;
        }, value);
        const t1 = await pageB.evaluate(() => Promise.race([window.__seen, new Promise((r) => setTimeout(() => r(null), 10_000))]));
        if (t1 == null) failed++;
        else if (i >= 3) {
          samples.push(round(t1 - t0));
          viaNode.push(round(performance.now() - n0));
        }
        await sleep(50);
      }
      return {
        samples, viaNode, failed,
        note: `p50 ${pct(samples, 50)} ms, max ${Math.max(...samples)} ms over ${samples.length} edits${failed ? `, ${failed} not seen within 10 s` : ''}; page clocks (timeOrigin + now); seen from the test process: p95 ${pct(viaNode, 95)} ms; automerge-repo sends a document's changes at most every 100 ms (syncDebounceRate), on the device and on the server`,
      };
    });
  } catch (e) {
    return { samples: null, viaNode: null, failed: null, note: e.message };
  }
}

/** Decodes a frame's payload (base64 from CDP) into an automerge-repo message, or null. */
function message(payloadData) {
  try {
    return cborDecode(Buffer.from(payloadData, 'base64'));
  } catch (_) {
    return null;
  }
}

/**
 * Reconnect after being offline. The device (its page, or its context's first page; holding
 * all `n` customers, listed) drops
 * its connection (the WebSocket adapter's disconnect), then, with `changedFraction` > 0,
 * another device changes "Phone" of that share of the customers through the server (seed.mjs
 * edit), then the device connects again (the adapter's connect, as its retry does). Counted
 * from the reconnect until the device shows every changed value and no frame came for
 * `quietMs` (as ours listens 300 ms after the reply): every WebSocket frame both ways (CDP
 * Network.webSocketFrameSent/Received; payload + frame headers), decoded as automerge-repo
 * messages.
 *
 * Round trips: automerge-repo runs the Automerge sync protocol per document. On reconnect
 * every document it holds sends a sync message and waits for the server's answer, all at once
 * (pipelined). `roundTrips` is the longest chain for one document: the most sync messages the
 * device sent for any one document, each sent after the server's answer to the previous one.
 * `requests` is how many sync messages the device sent in all (n when nothing changed).
 * Returns { bytes, roundTrips, requests, messages, bytesSent, bytesReceived, ms, changed, note }.
 */
export async function reconnect(pageOrContext, n, { changedFraction = 0, quietMs = 300, timeoutMs = 180_000 } = {}) {
  const page = typeof pageOrContext.pages === 'function' ? pageOrContext.pages()[0] : pageOrContext;
  const url = origin(page);
  const cdp = await page.context().newCDPSession(page);
  const frames = [];
  let capturing = false;
  const onFrame = (dir) => (e) => {
    if (capturing) frames.push({ dir, t: Date.now(), len: Buffer.byteLength(e.response.payloadData, e.response.opcode === 1 ? 'utf8' : 'base64'), m: e.response.opcode === 2 ? message(e.response.payloadData) : null });
  };
  cdp.on('Network.webSocketFrameSent', onFrame('sent'));
  cdp.on('Network.webSocketFrameReceived', onFrame('received'));
  try {
    await cdp.send('Network.enable');
    return await within('reconnect', timeoutMs, async () => {
      await page.waitForFunction((n) => window.__cmp?.state().listed >= n && window.__cmp.state().connected, n, { timeout: 120_000, polling: 200 });
      await settle(page);
      await page.evaluate(() => window.__cmp.offline());
      await sleep(500);
      let changed = [];
      const value = `+1 555 0199 ${Date.now() % 10000}`;
      if (changedFraction > 0) {
        const ids = await page.evaluate(() => window.__cmp.docIds());
        const k = Math.max(1, Math.ceil(ids.length * changedFraction));
        changed = Array.from({ length: k }, (_, i) => ids[Math.floor((i * ids.length) / k)]);
        await seeder(['edit', '--url', url, '--docs', changed.join(','), '--key', 'phone', '--value', value], 120_000);
      }
      const t0 = Date.now();
      capturing = true;
      await page.evaluate(() => window.__cmp.online());
      // the changes arrived ...
      await page.waitForFunction(({ ids, v }) => ids.every((id) => window.__cmp.value(id, 'phone') === v), { ids: changed, v: value }, { timeout: 120_000, polling: 50 });
      // ... and the server said hello, the device sent a sync message for each document it
      // holds (it always does on connecting), and then nothing came for `quietMs` (or 5 s
      // passed without a frame, should some document stay silent)
      const held = n + 1; // the customers and the index
      for (;;) {
        const last = frames.length ? frames[frames.length - 1].t : t0;
        const peer = frames.some((f) => f.m?.type === 'peer');
        const syncs = frames.filter((f) => f.dir === 'sent' && f.m?.type === 'sync').length;
        const quiet = Date.now() - last;
        if (peer && quiet >= quietMs && (syncs >= held || quiet >= 5000)) break;
        await sleep(20);
      }
      capturing = false;
      const last = frames[frames.length - 1].t;
      const sent = frames.filter((f) => f.dir === 'sent');
      const received = frames.filter((f) => f.dir === 'received');
      const bytesSent = sent.reduce((s, f) => s + wire(f.len, true), 0);
      const bytesReceived = received.reduce((s, f) => s + wire(f.len, false), 0);
      const types = {};
      const chain = {};
      for (const f of frames) {
        const type = f.m?.type ?? 'undecoded';
        types[`${f.dir} ${type}`] = (types[`${f.dir} ${type}`] ?? 0) + 1;
        if (f.dir === 'sent' && (type === 'sync' || type === 'request')) chain[f.m.documentId] = (chain[f.m.documentId] ?? 0) + 1;
      }
      const requests = Object.values(chain).reduce((a, b) => a + b, 0);
      const roundTrips = Math.max(0, ...Object.values(chain));
      return {
        bytes: bytesSent + bytesReceived,
        bytesSent, bytesReceived,
        payloadBytes: frames.reduce((s, f) => s + f.len, 0),
        roundTrips,
        requests,
        documents: Object.keys(chain).length,
        messages: types,
        ms: last - t0,
        changed: changed.length,
        note: `${changed.length ? `${changed.length} of ${n} customers changed while offline` : 'nothing changed'}; from the adapter's reconnect until ${changed.length ? 'every change shown and ' : ''}${quietMs} ms without a frame: ${frames.length} frames (${sent.length} sent, ${received.length} received), bytes = payloads + frame headers (the HTTP upgrade not counted); round trips = the most sync messages the device sent for one document (each after the server's answer), ${requests} sync messages for ${Object.keys(chain).length} documents in all, pipelined`,
      };
    });
  } catch (e) {
    return { bytes: null, roundTrips: null, requests: null, messages: null, note: e.message };
  } finally {
    capturing = false;
    await page.evaluate(() => window.__cmp?.state().connected || window.__cmp?.online()).catch(() => {});
    await cdp.detach().catch(() => {});
  }
}

/** Bytes of the files the sync server keeps for `docId`, by kind (snapshot, incremental, sync-state). */
async function serverBytes(dataDir, docId) {
  const out = {};
  const dir = path.join(dataDir, docId.slice(0, 2), docId.slice(2));
  for (const kind of await readdir(dir).catch(() => [])) {
    for (const f of await readdir(path.join(dir, kind)).catch(() => [])) {
      out[kind] = (out[kind] ?? 0) + (await stat(path.join(dir, kind, f))).size;
    }
  }
  return out;
}

const sum = (o) => Object.entries(o).filter(([k]) => k !== 'sync-state').reduce((n, [, v]) => n + v, 0);

/**
 * Storage of one customer edited many times, as crates/core/examples/compaction_bytes.rs does
 * for ours: the same new customer (`blankSave`: `crm-bench blank --name "Acme Trading Co."`)
 * imported on the device, then the same edit sequence (lifecycle, phone, owner, a tag added
 * and removed), one handle.change each, yielding to the page between edits so automerge-repo
 * saves and syncs as it goes (both throttled to every 100 ms). After 10 edits and after
 * `edits` (10,000), once the server has the heads and its files and IndexedDB are settled:
 * deviceBytes = IndexedDB bytes of the document's snapshot + incremental records,
 * relayBytes = bytes of the server's files for it (DATA_DIR/<id>/{snapshot,incremental}).
 * Sync states are reported apart. Returns { points: [{ edits, deviceBytes, relayBytes, ... }], note }.
 */
export async function storage(page, server, blankSave, { edits = [10, 10_000], timeoutMs = 600_000 } = {}) {
  const points = [];
  try {
    await page.waitForFunction(() => window.__cmp?.state().connected, null, { timeout: 30_000 });
    const bytes = [...(await readFile(blankSave))];
    const docId = await page.evaluate((b) => window.__cmp.importDoc(b), bytes);
    let done = 0;
    await within('storage', timeoutMs, async () => {
      for (const target of edits) {
        const t0 = Date.now();
        await page.evaluate(async ({ docId, from, to }) => {
          for (let i = from; i < to; i++) {
            window.__cmp.editPattern(docId, i);
            await new Promise((r) => {
              const ch = new MessageChannel();
              ch.port1.onmessage = r;
              ch.port2.postMessage(0);
            });
          }
        }, { docId, from: done, to: target });
        const editMs = Date.now() - t0;
        done = target;
        const heads = await page.evaluate((id) => window.__cmp.heads(id), docId);
        await page.waitForFunction((id) => window.__cmp.serverHas(id), docId, { timeout: 120_000, polling: 100 });
        await page.waitForFunction(({ id, heads }) => window.__cmp.savedHeads(id)?.length && heads.every((h) => window.__cmp.savedHeads(id).includes(h)), { id: docId, heads }, { timeout: 60_000, polling: 100 });
        // the server saves (throttled too): wait until its files stop changing for 1 s
        let before = JSON.stringify(await serverBytes(server.dataDir, docId));
        for (let still = 0; still < 1000; still += 100) {
          await sleep(100);
          const now = JSON.stringify(await serverBytes(server.dataDir, docId));
          if (now !== before) {
            still = -100;
            before = now;
          }
        }
        await sleep(300); // the device's last IndexedDB transaction
        const device = await page.evaluate((id) => window.__cmp.storedBytes(id), docId);
        const relay = await serverBytes(server.dataDir, docId);
        const save = await page.evaluate((id) => window.__cmp.saveSize(id), docId);
        points.push({
          edits: target,
          deviceBytes: sum(device),
          relayBytes: sum(relay),
          device, relay,
          automergeSave: save,
          editMs,
        });
      }
    });
    return {
      points,
      docId,
      note: 'one new customer ("Acme Trading Co.", the save of crm-bench blank) imported on the device, then the compaction_bytes.rs edit sequence, one handle.change each; deviceBytes: IndexedDB records of the document (snapshot + incremental: automerge-repo appends incremental saves and compacts into one snapshot when they outgrow it); relayBytes: the sync server\'s files for it; sync states apart',
    };
  } catch (e) {
    return { points, note: e.message };
  }
}

/**
 * Heap, as ours: after a forced GC (CDP HeapProfiler.collectGarbage), the JS heap used (CDP
 * Runtime.getHeapUsage) plus the byte length of every WebAssembly.Memory of the page (kept by
 * `instrument`, see wasmMemories: the page must have loaded after it).
 * Returns { bytes, jsUsed, jsTotal, wasmMemories, note }.
 */
export async function heap(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    return await within('heap', 60_000, async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const usage = await cdp.send('Runtime.getHeapUsage');
      const sizes = await page.evaluate(() => (window.__wasmMemories ? [...window.__wasmMemories].map((m) => m.buffer.byteLength) : null));
      if (sizes == null) throw new Error('the page loaded before instrument(context): its wasm memories are unknown');
      const wasm = sizes.reduce((a, b) => a + b, 0);
      return {
        bytes: usage.usedSize + wasm,
        jsUsed: usage.usedSize,
        jsTotal: usage.totalSize,
        wasmMemories: sizes,
        note: `JS heap used ${usage.usedSize} B (CDP Runtime.getHeapUsage) + wasm memory ${wasm} B (${sizes.length} WebAssembly.Memory: automerge's; recorded as the page made them, CDP Runtime.queryObjects hangs on this page)`,
      };
    });
  } catch (e) {
    return { bytes: null, note: e.message };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

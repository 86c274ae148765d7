// Test scaffolding: each scenario gets its own relay(s), browsers and devices, is bounded by a
// timeout, cleans up after itself, and on failure saves a screenshot of every device plus the
// browser console and relay logs to tests/e2e/test-results/.
import { test } from 'node:test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { Relay } from './relay.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RESULTS = path.resolve(here, '..', 'test-results');

export const CHROMIUM = process.env.CRM_CHROMIUM || '/usr/bin/chromium';
// Launch flags that keep Chromium from stalling on this machine's closed network, and that
// headless Chromium needs as root (see ../shared/TOOLCHAIN.md). Playwright adds --headless
// and a fresh --user-data-dir per launch itself.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebRTC between devices on this one machine: host candidates as plain addresses (real LANs
  // resolve Chromium's mDNS names; this closed container has no mDNS), loopback allowed
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection',
];

const launchOptions = () => ({
  executablePath: CHROMIUM,
  headless: process.env.HEADED ? false : true,
  args: CHROMIUM_ARGS,
  timeout: 60_000,
});

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);

export class Scenario {
  constructor(name) {
    this.name = name;
    this.relays = [];
    this.browsers = [];
    this.contexts = [];
    this.devices = []; // { label, page }
    this.tmpDirs = [];
    this.console = [];
  }

  /** Start a relay (real binary, free port, fresh data dir). */
  async relay() {
    const r = await Relay.start();
    this.relays.push(r);
    return r;
  }

  /** A Chromium instance; each of its contexts is a separate device (own IndexedDB). */
  async browser() {
    const b = await chromium.launch(launchOptions());
    this.browsers.push(b);
    return b;
  }

  /**
   * A new device: a fresh browser context and a page in it. Direct (WebRTC) connections to
   * other devices are off unless `p2p` (the device setting "Connect directly"), so scenarios
   * that cut a device off by stopping the relay really cut it off.
   */
  async device(browser, label, { p2p = false } = {}) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    if (!p2p) await context.addInitScript(() => localStorage.setItem('crm.p2p', 'off'));
    this.contexts.push(context);
    const page = await context.newPage();
    this.#watch(page, label);
    return { label, context, page };
  }

  /** A temporary user-data-dir, removed after the test. */
  async userDataDir() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crm-e2e-profile-'));
    this.tmpDirs.push(dir);
    return dir;
  }

  /** A device backed by a persistent profile (survives closing and relaunching the browser). */
  async persistentDevice(userDataDir, label) {
    const context = await chromium.launchPersistentContext(userDataDir, {
      ...launchOptions(),
      viewport: { width: 1100, height: 900 },
    });
    this.contexts.push(context);
    const page = context.pages()[0] || (await context.newPage());
    this.#watch(page, label);
    return { label, context, page };
  }

  #watch(page, label) {
    this.devices.push({ label, page });
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        this.console.push(`[${label}] ${msg.type()}: ${msg.text()}`);
      }
    });
    page.on('pageerror', (err) => this.console.push(`[${label}] pageerror: ${err.message}`));
  }

  async saveArtifacts(error) {
    await mkdir(RESULTS, { recursive: true });
    const base = path.join(RESULTS, slug(this.name));
    const saved = [];
    for (const [i, { label, page }] of this.devices.entries()) {
      if (page.isClosed()) continue;
      const file = `${base}--${i}-${slug(label)}.png`;
      try {
        await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
        saved.push(file);
      } catch (_) {
        /* the page may be gone */
      }
    }
    const log = [
      `test: ${this.name}`,
      `error: ${error?.stack || error}`,
      '',
      '== browser console (errors and warnings) ==',
      ...this.console,
      ...this.relays.flatMap((r, i) => ['', `== relay ${i} (${r.url}) ==`, ...r.log]),
    ].join('\n');
    await writeFile(`${base}.log`, log);
    saved.push(`${base}.log`);
    console.error(`artifacts of "${this.name}":\n  ${saved.join('\n  ')}`);
  }

  async dispose() {
    for (const c of this.contexts) await c.close().catch(() => {});
    for (const b of this.browsers) await b.close().catch(() => {});
    for (const r of this.relays) await r.dispose().catch(() => {});
    for (const d of this.tmpDirs) await rm(d, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Declare a test named by behaviour. `body(s)` gets a fresh Scenario; everything it starts is
 * torn down afterwards, and a failure leaves screenshots and logs in test-results/.
 */
export function scenario(name, body, { timeout = 240_000 } = {}) {
  // The scenario's own deadline fires before node's test timeout, so a hung step still fails
  // through the handler below and leaves screenshots.
  const deadline = timeout - 20_000;
  test(name, { timeout }, async () => {
    const s = new Scenario(name);
    let timer;
    try {
      await Promise.race([
        body(s),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`scenario took longer than ${deadline} ms`)), deadline);
        }),
      ]);
    } catch (err) {
      await s.saveArtifacts(err).catch((e) => console.error('could not save artifacts:', e));
      throw err;
    } finally {
      clearTimeout(timer);
      await s.dispose();
    }
  });
}

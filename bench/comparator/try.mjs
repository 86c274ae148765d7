#!/usr/bin/env node
// Runs every function of comparator.mjs once, on its own (bench.mjs calls them beside our
// app's figures): `node bench/comparator/try.mjs [--sizes 1000,10000] [--deadline-s 1500]`.
// Needs `npm install --no-save --no-audit --no-fund` here, the e2e suite's packages
// (tests/e2e) and crm-bench (CRM_BENCH_BIN, default target/release/crm-bench). Prints one
// JSON object per step and writes them all to CRM_CMP_OUT (default /tmp/comparator.json).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Scenario } from '../../tests/e2e/lib/harness.mjs';
import * as cmp from './comparator.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const arg = (k, d) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const SIZES = arg('sizes', '1000,10000').split(',').map(Number);
const BIN = process.env.CRM_BENCH_BIN || path.join(repo, 'target', 'release', 'crm-bench');
const OUT = process.env.CRM_CMP_OUT || '/tmp/comparator.json';
const deadline = Date.now() + Number(arg('deadline-s', 3000)) * 1000;

const results = {};
const log = (step, r) => {
  results[step] = r;
  console.log(`\n== ${step}\n${JSON.stringify(r, (k, v) => (Array.isArray(v) && v.length > 40 ? `[${v.length} items]` : v))}`);
};
const crmBench = (...args) => JSON.parse(execFileSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 26 }));

const s = new Scenario('comparator try');
try {
  log('build', await cmp.buildHarness());
  const secret = randomBytes(32).toString('hex');
  const tmp = await s.userDataDir();

  // edits seen on a second device, and storage: a workspace of one customer, as ours
  {
    const server = await cmp.startComparator(s);
    const saves = path.join(tmp, 'one.saves');
    crmBench('seed', '--secret', secret, '--first', '1', '--count', '1', '--saves', saves);
    log('seed 1', await cmp.seed(server, saves, 1));
    const browser = await s.browser();
    const a = await s.device(browser, 'cmp A');
    const b = await s.device(browser, 'cmp B');
    log('first sync A (1)', await cmp.firstSync(a, server, 1));
    log('first sync B (1)', await cmp.firstSync(b, server, 1));
    log('edit visible', await cmp.editVisible(a.page, b.page, 30));
    const blank = path.join(tmp, 'blank.save');
    crmBench('blank', '--name', 'Acme Trading Co.', '--out', blank);
    log('storage', await cmp.storage(a.page, server, blank, { edits: [10, 10_000] }));
    await a.context.close();
    await b.context.close();
    await browser.close();
    await server.stop();
  }

  // one workspace grows through the sizes; each size is synced into a new device
  const server = await cmp.startComparator(s);
  let seeded = 0;
  for (const n of SIZES) {
    if (Date.now() > deadline) {
      log(`${n}`, { skipped: 'deadline' });
      continue;
    }
    const saves = path.join(tmp, `${n}.saves`);
    const ours = crmBench('seed', '--secret', secret, '--first', String(seeded + 1), '--count', String(n - seeded), '--saves', saves);
    const probe = { probe_query: ours.probe_query, probe_name: ours.probe_name };
    log(`generate ${n}`, { ...ours, search_queries: undefined });
    log(`seed ${n}`, await cmp.seed(server, saves, n - seeded));
    seeded = n;
    const dev = await s.persistentDevice(await s.userDataDir(), `cmp ${n}`);
    const sync = await cmp.firstSync(dev, server, n);
    log(`first sync ${n}`, sync);
    if (sync.ms == null) {
      await dev.context.close();
      continue;
    }
    log(`cold start ${n}`, await cmp.coldStart(dev.page, n, probe));
    log(`keystrokes ${n}`, await cmp.keystrokes(dev.page));
    log(`search ${n}`, await cmp.search(dev.page, ours.search_queries));
    log(`open ${n}`, await cmp.openCustomer(dev.page));
    log(`edit saved ${n}`, await cmp.editSaved(dev.page));
    await dev.page.goto(server.url);
    await dev.page.waitForFunction((n) => window.__cmp?.state().listed >= n, n, { timeout: 120_000 });
    log(`heap ${n}`, await cmp.heap(dev.page));
    log(`reconnect ${n}, nothing new`, await cmp.reconnect(dev.page, n));
    log(`reconnect ${n}, 1% changed`, await cmp.reconnect(dev.page, n, { changedFraction: 0.01 }));
    await dev.context.close();
  }
} catch (e) {
  console.error(e);
  await s.saveArtifacts(e).catch(() => {});
} finally {
  await writeFile(OUT, `${JSON.stringify(results, null, 2)}\n`);
  await s.dispose();
  console.log(`\nall results: ${OUT}`);
}

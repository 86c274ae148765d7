// Lighthouse (npm `lighthouse`, pinned in bench/comparator/package.json) against Debian
// Chromium: the performance, accessibility and best-practices scores of a served page, with
// Lighthouse's defaults (a mobile device, simulated slow 4G and a 4x slower CPU).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(here, '../comparator/node_modules/.bin/lighthouse');
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];

/**
 * Scores `url` (0-100 each) and names what cost points: `{ performance, accessibility,
 * best_practices, version, failing: { category: [audit titles] }, metrics }`. Rejects with
 * Lighthouse's own error when it cannot score the page; stops it after `timeoutMs`.
 */
export async function lighthouse(url, { chromium, timeoutMs = 120_000 } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crm-lighthouse-'));
  const out = path.join(dir, 'report.json');
  try {
    await new Promise((resolve, reject) => {
      const p = spawn(BIN, [
        url, '--quiet', '--output=json', `--output-path=${out}`, `--only-categories=${CATEGORIES.join(',')}`,
        `--chrome-flags=--headless=new --no-sandbox --user-data-dir=${path.join(dir, 'profile')}`,
      ], { env: { ...process.env, CHROME_PATH: chromium }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('error', reject);
      p.on('exit', (code, sig) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`lighthouse exited with ${code ?? sig}${sig ? ` (stopped after ${timeoutMs / 1000} s)` : ''}: ${err.trim().split('\n').slice(-3).join(' ')}`));
      });
    });
    const report = JSON.parse(await readFile(out, 'utf8'));
    if (report.runtimeError) throw new Error(`lighthouse: ${report.runtimeError.code}: ${report.runtimeError.message}`);
    const score = (c) => (report.categories[c]?.score == null ? null : Math.round(report.categories[c].score * 100));
    const failing = {};
    for (const c of CATEGORIES) {
      failing[c] = (report.categories[c]?.auditRefs ?? [])
        .filter((r) => r.weight > 0)
        .map((r) => report.audits[r.id])
        .filter((a) => a && a.score != null && a.score < 0.9)
        .map((a) => a.title);
    }
    const metric = (id) => report.audits[id]?.numericValue ?? null;
    return {
      performance: score('performance'),
      accessibility: score('accessibility'),
      best_practices: score('best-practices'),
      version: report.lighthouseVersion,
      failing,
      metrics: {
        first_contentful_paint_ms: metric('first-contentful-paint'),
        largest_contentful_paint_ms: metric('largest-contentful-paint'),
        total_blocking_time_ms: metric('total-blocking-time'),
        speed_index_ms: metric('speed-index'),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

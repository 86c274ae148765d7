// Runs the REAL relay binary (target/release/crm-relay) for a test: a free port on 127.0.0.1,
// a fresh temporary data dir, the built app from dist/. It can be killed with SIGKILL and
// restarted on the same port and data dir.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');

export const RELAY_BIN = process.env.CRM_RELAY_BIN || path.join(repo, 'target', 'release', 'crm-relay');
export const DIST = process.env.CRM_DIST || path.join(repo, 'dist');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export class Relay {
  /**
   * @param {{port: number, dataDir: string, dist: string | null, bin?: string, extraArgs?: string[]}} opts
   * `dist` null serves no app; `bin` and `extraArgs` (more relay flags) are for the bench.
   */
  constructor({ port, dataDir, dist, bin = RELAY_BIN, extraArgs = [] }) {
    this.port = port;
    this.dataDir = dataDir;
    this.dist = dist;
    this.bin = bin;
    this.extraArgs = extraArgs;
    this.proc = null;
    this.log = [];
  }

  /** Start a relay on a free port with a fresh data dir. */
  static async start({ dist = DIST } = {}) {
    if (!existsSync(RELAY_BIN)) {
      throw new Error(`relay binary ${RELAY_BIN} is missing: run \`cargo xtask test\` (or set CRM_RELAY_BIN)`);
    }
    if (!existsSync(path.join(dist, 'index.html'))) {
      throw new Error(`${dist}/index.html is missing: build the app with \`trunk build --release\` (or set CRM_DIST)`);
    }
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'crm-e2e-relay-'));
    const relay = new Relay({ port: await freePort(), dataDir, dist });
    await relay.start();
    return relay;
  }

  get url() {
    return `http://127.0.0.1:${this.port}/`;
  }

  get running() {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start({ timeoutMs = 30_000 } = {}) {
    if (this.running) throw new Error('relay already running');
    const deadline = Date.now() + timeoutMs;
    let lastErr;
    // After a kill -9 the port may take a moment to be bindable again: retry.
    while (Date.now() < deadline) {
      try {
        await this.#spawnOnce(deadline);
        return;
      } catch (e) {
        lastErr = e;
        await sleep(300);
      }
    }
    throw new Error(`relay did not start on port ${this.port}: ${lastErr?.message}\n${this.tail()}`);
  }

  async #spawnOnce(deadline) {
    const args = ['--host', '127.0.0.1', '--port', String(this.port), '--data', this.dataDir];
    if (this.dist) args.push('--dist', this.dist);
    args.push(...this.extraArgs);
    const proc = spawn(this.bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info' } });
    this.proc = proc;
    this.log.push(`--- ${new Date().toISOString()} $ ${this.bin} ${args.join(' ')}`);
    let listening = false;
    const onData = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        this.log.push(line);
        if (line.includes('Relay listening on')) listening = true;
      }
      if (this.log.length > 5000) this.log.splice(0, this.log.length - 5000);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    const exited = new Promise((resolve) => proc.once('exit', (code, sig) => resolve(`exited (${code ?? sig})`)));
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(await exited);
      if (listening) {
        try {
          const res = await fetch(`${this.url}healthz`);
          if (res.ok) return;
        } catch (_) {
          /* not yet */
        }
      }
      await sleep(100);
    }
    proc.kill('SIGKILL');
    throw new Error('timed out waiting for "Relay listening on" and GET /healthz');
  }

  async #stopWith(signal) {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    this.log.push(`--- ${new Date().toISOString()} stopped with ${signal}`);
  }

  /** `kill -9`: no chance to flush or close anything. */
  kill9() {
    return this.#stopWith('SIGKILL');
  }

  /** A polite stop (SIGTERM). */
  stop() {
    return this.#stopWith('SIGTERM');
  }

  /** Start again on the same port and data dir. */
  async restart() {
    await this.stop();
    await this.start();
  }

  tail(n = 40) {
    return this.log.slice(-n).join('\n');
  }

  async dispose() {
    await this.kill9();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

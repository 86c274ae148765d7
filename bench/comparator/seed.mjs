#!/usr/bin/env node
// Fills the comparator's sync server the way a real client's push would: a node
// automerge-repo connected to it over WebSocket imports each customer's Automerge save (the
// `--saves` file of `crm-bench seed`: the very documents our app holds), lists them in the
// workspace's index document, and waits until the server has them all. It runs as a child
// process of comparator.mjs, which bounds it in time. One JSON line on stdout.
//
//   node seed.mjs seed --url <server http url> --saves <file> [--count N] [--index <automerge url>] [--data-dir <dir>]
//   node seed.mjs edit --url <server http url> --docs <id,id,...> --key <field> --value <text>
//
// `edit` changes one field of each listed document from another device (for the reconnect
// figure: what a device that was offline has to catch up on).
import { readFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ImmutableString, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function options(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`expected --option value, got ${argv[i]}`);
    o[argv[i].slice(2)] = argv[i + 1];
  }
  return o;
}

/** The records of a `--saves` file: a 4-byte little-endian length, then that many bytes. */
async function readSaves(file, count = Infinity) {
  const buf = await readFile(file);
  const out = [];
  for (let at = 0; at < buf.length && out.length < count;) {
    const n = buf.readUInt32LE(at);
    out.push(new Uint8Array(buf.buffer, buf.byteOffset + at + 4, n));
    at += 4 + n;
  }
  return out;
}

/** A node repo without storage, connected to the server; resolves once the server answered. */
async function connect(url) {
  const repo = new Repo({ network: [new WebSocketClientAdapter(url.replace(/^http/, 'ws'))], sharePolicy: async () => true });
  while (repo.peers.length === 0) await sleep(20);
  const server = repo.peers[0];
  const storageId = repo.getStorageIdOfPeer(server);
  if (!storageId) throw new Error('the sync server announced no storage id');
  return { repo, storageId };
}

/** Until the server's sync state says it holds the heads of every handle. */
async function untilServerHas(handles, storageId) {
  const same = (a = [], b = []) => a.length === b.length && a.every((h) => b.includes(h));
  let waiting = handles;
  while (waiting.length) {
    waiting = waiting.filter((h) => !same(h.getSyncInfo(storageId)?.lastHeads, h.heads()));
    if (waiting.length) await sleep(100);
  }
}

/** Until every document has a snapshot or incremental file in the server's data directory. */
async function untilOnDisk(dataDir, ids) {
  const onDisk = (id) => ['snapshot', 'incremental'].some((kind) => {
    const dir = path.join(dataDir, id.slice(0, 2), id.slice(2), kind);
    return existsSync(dir) && readdirSync(dir).length > 0;
  });
  let waiting = ids;
  while (waiting.length) {
    waiting = waiting.filter((id) => !onDisk(id));
    if (waiting.length) await sleep(100);
  }
}

/** Customers imported at a time: a node process holding thousands of Automerge documents
 * spends most of its time in garbage collection, so each batch is dropped from memory once
 * the server holds it. */
const BATCH = 250;

async function seed(o) {
  const started = performance.now();
  const saves = await readSaves(o.saves, o.count ? Number(o.count) : Infinity);
  const { repo, storageId } = await connect(o.url);
  const connected = performance.now();
  const ids = [];
  const urls = [];
  for (let at = 0; at < saves.length; at += BATCH) {
    const handles = saves.slice(at, at + BATCH).map((bytes) => repo.import(bytes));
    await untilServerHas(handles, storageId);
    for (const h of handles) {
      ids.push(h.documentId);
      urls.push(h.url);
      await repo.removeFromCache(h.documentId);
    }
  }
  let index;
  if (o.index) {
    index = await repo.find(o.index);
    index.change((d) => {
      d.customers.push(...urls);
    });
  } else {
    index = repo.create({ customers: urls });
  }
  await untilServerHas([index], storageId);
  const synced = performance.now();
  if (o['data-dir']) await untilOnDisk(o['data-dir'], [...ids, index.documentId]);
  const stored = performance.now();
  const result = {
    index_url: index.url,
    customers: urls.length,
    listed: index.doc().customers.length,
    save_bytes: saves.reduce((n, b) => n + b.length, 0),
    synced_ms: Math.round(synced - connected),
    stored_ms: o['data-dir'] ? Math.round(stored - connected) : null,
    total_ms: Math.round(stored - started),
  };
  await repo.shutdown();
  return result;
}

async function edit(o) {
  const { repo, storageId } = await connect(o.url);
  const started = performance.now();
  const ids = o.docs.split(',').filter(Boolean);
  const handles = await Promise.all(ids.map((id) => repo.find(`automerge:${id}`)));
  for (const h of handles) {
    h.change((d) => {
      d[o.key] = new ImmutableString(o.value);
    });
  }
  await untilServerHas(handles, storageId);
  const result = { edited: handles.length, ms: Math.round(performance.now() - started) };
  await repo.shutdown();
  return result;
}

const [command, ...rest] = process.argv.slice(2);
const run = { seed, edit }[command];
if (!run) {
  console.error('usage: node seed.mjs seed|edit --url <sync server> ... (see the top of this file)');
  process.exit(2);
}
run(options(rest)).then(
  (r) => {
    console.log(JSON.stringify(r));
    process.exit(0);
  },
  (e) => {
    console.error(`seed.mjs ${command}: ${e.stack || e}`);
    process.exit(1);
  },
);

// The comparator's app (bench/comparator/README.md): the customer list a team would write
// first on the reference local-first stack, automerge-repo with its IndexedDB storage and
// WebSocket network adapters, synced through automerge-repo-sync-server. A workspace is an
// index document listing the customers' document URLs, plus one document per customer (the
// very documents our app holds, imported from their Automerge saves).
//
// It does what a straightforward automerge-repo app does and nothing more: find the index,
// find every customer it lists, render the names once they are all there; a search box that
// filters by substring; a customer view whose fields write with handle.change and follow
// remote changes. `window.__cmp` lets the bench drive it; it observes and never shortcuts.
import { Automerge, Repo, initializeWasm, parseAutomergeUrl } from '@automerge/automerge-repo/slim';
import { BrowserWebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';

/** Rows rendered for a search (the count line says how many matched in all), as our app keeps its best 300. */
const SHOWN = 300;
/** The customer view's editable fields: [key in the document, label]. */
const FIELDS = [
  ['name', 'Name'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['owner', 'Owner'],
  ['city', 'City'],
  ['industry', 'Industry'],
  ['lifecycle', 'Lifecycle'],
];

// Our documents hold their text as Automerge scalar strings (ImmutableString in JS).
const str = (v) => (v == null ? '' : String(v));
const number = (n) => n.toLocaleString('en');

/** IndexedDB storage that also says when a write has committed (for __cmp.whenStored). */
const stored = new EventTarget();
class ObservedIndexedDB extends IndexedDBStorageAdapter {
  async save(key, binary) {
    await super.save(key, binary);
    stored.dispatchEvent(new CustomEvent('stored', { detail: key }));
  }
}

await initializeWasm(new URL('automerge.wasm', location.href));
const storage = new ObservedIndexedDB();
const network = new BrowserWebSocketClientAdapter(`ws://${location.host}`);
const repo = new Repo({ storage, network: [network] });
// the heads each document's latest save is writing (automerge-repo's own metrics events),
// and the heads IndexedDB has committed
const saving = {};
const committed = {};
let writes = 0;
repo.on('doc-metrics', (e) => {
  if (e.type === 'doc-saved' || e.type === 'doc-compacted') saving[e.documentId] = e.savedHeads;
});
stored.addEventListener('stored', (ev) => {
  writes++;
  const [id, kind] = ev.detail;
  if (kind === 'incremental' || kind === 'snapshot') committed[id] = saving[id];
});

// Opening the workspace: `#index=<url>` (like our invite link) once; then remembered.
const joined = location.hash.match(/^#index=(automerge:[1-9A-HJ-NP-Za-km-z]+)/);
if (joined) {
  localStorage.setItem('cmp.index', joined[1]);
  history.replaceState(null, '', '#/');
}
const indexUrl = localStorage.getItem('cmp.index');

// ---- the customers -----------------------------------------------------------------------

/** url -> { url, id, handle, name, key, meta, text } */
const rows = new Map();
let sorted = [];
let total = 0;
let missing = 0;
let late = 0;
let lateEver = 0;
let listed = false;
let query = '';

/** What the list shows and searches for one customer: the fields our app's search reads. */
function rowOf(url, handle) {
  const d = handle.doc();
  const contacts = Object.values(d.contacts ?? {});
  const fields = [
    d.name, d.email, d.phone, d.owner, d.city, d.province, d.industry, d.external_id,
    ...Object.keys(d.tags ?? {}),
    ...contacts.flatMap((c) => [c.name, c.email, c.phone, ...(c.emails ?? []), ...(c.phones ?? [])]),
  ];
  const name = str(d.name);
  return { url, id: handle.documentId, handle, name, key: name.toLowerCase(), meta: str(d.city), text: fields.map(str).join('\n').toLowerCase() };
}

function sortRows() {
  sorted = [...rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * repo.find, and when it gives up (automerge-repo marks a document unavailable when no peer
 * answered its request within 60 s, which happens to thousands of requests sent at once) the
 * document's handle, once the server's answer has arrived after all.
 */
async function found(url) {
  try {
    return await repo.find(url);
  } catch (e) {
    const handle = repo.handles[parseAutomergeUrl(url).documentId];
    if (!handle) throw e;
    late++;
    lateEver++;
    await new Promise((resolve) => {
      const check = () => queueMicrotask(() => {
        if (handle.isReady()) {
          handle.off('heads-changed', check);
          resolve();
        }
      });
      handle.on('heads-changed', check);
      check();
    });
    late--;
    return handle;
  }
}

const loading = new Set();
/** Finds every customer of `urls` not found yet; resolves when all are there (or unavailable). */
async function loadCustomers(urls) {
  const fresh = urls.map(str).filter((u) => !rows.has(u) && !loading.has(u));
  total = Math.max(total, urls.length);
  let done = 0;
  const results = await Promise.allSettled(fresh.map(async (url) => {
    loading.add(url);
    try {
      const handle = await found(url);
      rows.set(url, rowOf(url, handle));
      handle.on('change', () => {
        rows.set(url, rowOf(url, handle));
        changed();
      });
    } finally {
      loading.delete(url);
      done++;
      progress(done, fresh.length);
    }
  }));
  missing += results.filter((r) => r.status === 'rejected').length;
  sortRows();
}

let progressQueued = false;
function progress(done, of) {
  if (progressQueued || listed) return;
  progressQueued = true;
  requestAnimationFrame(() => {
    progressQueued = false;
    const st = document.querySelector('[role="status"]');
    if (st && !listed) st.textContent = `Loading customers: ${number(done)} of ${number(of)}`;
  });
}

let changeQueued = false;
/** A customer changed (here or remotely): the list follows at the next frame. */
function changed() {
  if (changeQueued) return;
  changeQueued = true;
  requestAnimationFrame(() => {
    changeQueued = false;
    sortRows();
    if (route().view === 'list') showMatches();
  });
}

// ---- views ---------------------------------------------------------------------------------

const app = document.getElementById('app');
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
};

function route() {
  const m = location.hash.match(/^#\/c\/(.+)$/);
  return m ? { view: 'customer', id: m[1] } : { view: 'list' };
}

let leave = () => {};
function render() {
  leave();
  leave = () => {};
  const r = route();
  if (r.view === 'customer') renderCustomer(r.id);
  else renderList();
}

function renderList() {
  const box = el('input', { id: 'search', type: 'search', autocomplete: 'off', value: query, placeholder: 'Name, e-mail, phone…' });
  box.addEventListener('input', () => {
    query = box.value;
    showMatches();
  });
  const list = el('div');
  list.setAttribute('role', 'list');
  list.setAttribute('aria-label', 'Customer list');
  app.replaceChildren(
    el('h1', {}, 'Customers'),
    el('label', { htmlFor: 'search' }, 'Search customers'),
    box,
    el('p', { className: 'count' }),
    list,
    el('p', { className: 'more' }),
  );
  showMatches();
}

function showMatches() {
  const list = app.querySelector('[role="list"]');
  if (!list) return;
  const q = query.trim().toLowerCase();
  const matches = q ? sorted.filter((r) => r.text.includes(q)) : sorted;
  app.querySelector('p.count').textContent = q
    ? `${number(matches.length)} of ${number(sorted.length)} customers match`
    : `${number(sorted.length)} customers`;
  list.replaceChildren(...matches.slice(0, SHOWN).map((r) =>
    el('a', { href: `#/c/${r.id}` }, el('span', { className: 'name' }, r.name), el('span', { className: 'meta' }, r.meta))));
  list.dataset.query = query;
  app.querySelector('p.more').textContent = matches.length > SHOWN ? `Showing the first ${number(SHOWN)}` : '';
}

async function renderCustomer(id) {
  const url = `automerge:${id}`;
  const handle = rows.get(url)?.handle ?? (await repo.find(url));
  if (route().id !== id) return;
  const inputs = FIELDS.map(([key, label]) => {
    const input = el('input', { id: `f-${key}`, autocomplete: 'off' });
    input.addEventListener('change', () => handle.change((d) => {
      d[key] = new Automerge.ImmutableString(input.value);
    }));
    return [key, label, input];
  });
  const title = el('h1');
  const details = el('div');
  app.replaceChildren(
    el('p', {}, el('a', { href: '#/' }, '← Customers')),
    title,
    ...inputs.flatMap(([key, label, input]) => [el('label', { htmlFor: `f-${key}` }, label), input]),
    details,
  );
  const show = () => {
    const d = handle.doc();
    title.textContent = str(d.name);
    for (const [key, , input] of inputs) {
      if (document.activeElement !== input) input.value = str(d[key]);
    }
    const contacts = Object.values(d.contacts ?? {});
    const deals = Object.values(d.deals ?? {});
    const orders = d.orders ?? [];
    const interactions = d.interactions ?? [];
    details.replaceChildren(
      el('h2', {}, 'Contacts'),
      el('ul', {}, ...contacts.map((c) => el('li', {}, [c.name, c.title, c.email, c.phone].map(str).filter(Boolean).join(' · ')))),
      el('h2', {}, 'Deals'),
      el('ul', {}, ...deals.map((x) => el('li', {}, `${str(x.title)} · ${str(x.stage)} · ${number(Number(x.amount) / 100)} ${str(x.currency)}`))),
      el('h2', {}, `Orders (${orders.length})`),
      el('ul', {}, ...orders.map((o) => el('li', {}, `${str(o.date)} · ${str(o.items)} · ${number(Number(o.amount) / 100)} ${str(o.currency)}`))),
      el('h2', {}, `Interactions (${interactions.length})`),
      el('ul', {}, ...interactions.slice(-5).reverse().map((x) => el('li', {}, `${new Date(Number(x.at)).toISOString().slice(0, 10)} · ${str(x.kind)} · ${str(x.summary)}`))),
    );
  };
  show();
  handle.on('change', show);
  leave = () => handle.off('change', show);
}

window.addEventListener('hashchange', render);

// ---- start ---------------------------------------------------------------------------------

async function start() {
  if (!indexUrl) {
    app.replaceChildren(el('p', { role: 'status' }, 'No workspace: open this page with #index=<automerge URL>'));
    return;
  }
  const index = await repo.find(indexUrl);
  await loadCustomers(index.doc().customers ?? []);
  listed = true;
  index.on('change', ({ doc }) => loadCustomers(doc.customers ?? []).then(changed));
  render();
}

// ---- what the bench drives (bench/comparator/comparator.mjs) -------------------------------

const handleOf = (docId) => repo.handles[docId];
const hexHeads = (docId) => Automerge.getHeads(handleOf(docId).doc());

window.__cmp = {
  repo,
  ready: start(),
  indexUrl,
  /** customers listed, found, not found (`missing`), and waited for after automerge-repo gave up on them (`late`) */
  state: () => ({ total, listed: rows.size, missing, late, lateEver, peers: repo.peers.length, connected: repo.peers.length > 0 }),
  /** Document ids in list order. */
  docIds: () => sorted.map((r) => r.id),
  /** The device loses its connection / gets it back (what the adapter does when the socket drops and its retry succeeds). */
  offline: () => network.disconnect(),
  online: () => network.connect(repo.peerId),
  value: (docId, key) => str(handleOf(docId)?.doc()?.[key]),
  heads: hexHeads,
  /** One edit, as the customer view makes it; returns the document's heads after it. */
  edit(docId, key, value) {
    handleOf(docId).change((d) => {
      d[key] = new Automerge.ImmutableString(value);
    });
    return hexHeads(docId);
  },
  /** Edit number `i` of the storage scenario, the same sequence as crates/core/examples/compaction_bytes.rs. */
  editPattern(docId, i) {
    const q = Math.floor(i / 4);
    const pad = (n) => String(n).padStart(4, '0');
    handleOf(docId).change((d) => {
      switch (i % 4) {
        case 0: d.lifecycle = new Automerge.ImmutableString(['lead', 'active', 'at risk'][q % 3]); break;
        case 1: d.phone = new Automerge.ImmutableString(`+86 138 ${pad(i % 10000)} ${pad((i * 7) % 10000)}`); break;
        case 2: d.owner = new Automerge.ImmutableString(['wang', 'li', 'zhang', 'chen'][q % 4]); break;
        default:
          if (q % 2 === 0) d.tags[`t${Math.floor(i / 8) % 10}`] = true;
          else delete d.tags[`t${Math.floor(i / 8) % 10}`];
      }
    });
    return hexHeads(docId);
  },
  /** Resolves (with performance.now()) once IndexedDB has committed a save holding `heads`. */
  whenStored(docId, heads) {
    return new Promise((resolve) => {
      const on = (ev) => {
        const [id, kind] = ev.detail;
        if (id === docId && (kind === 'incremental' || kind === 'snapshot') && heads.every((h) => saving[docId]?.includes(h))) {
          stored.removeEventListener('stored', on);
          resolve(performance.now());
        }
      };
      stored.addEventListener('stored', on);
    });
  },
  /** Heads IndexedDB has committed for a document (hex), and how many documents it holds. */
  savedHeads: (docId) => committed[docId] ?? null,
  storedDocs: () => Object.keys(committed).length,
  /** IndexedDB writes committed so far (any kind). */
  writes: () => writes,
  /** Whether the sync server's last sync message said it has every change of the document. */
  serverHas(docId) {
    const storageId = repo.peers.map((p) => repo.getStorageIdOfPeer(p)).find(Boolean);
    const theirs = storageId && handleOf(docId).getSyncInfo(storageId)?.lastHeads;
    const mine = handleOf(docId).heads();
    return !!theirs && theirs.length === mine.length && mine.every((h) => theirs.includes(h));
  },
  saveSize: (docId) => Automerge.save(handleOf(docId).doc()).length,
  /** A document from its Automerge save (not listed in the index); returns its id. */
  importDoc(bytes) {
    return repo.import(Uint8Array.from(bytes)).documentId;
  },
  /** Bytes IndexedDB holds for one document, by kind of record (snapshot, incremental, sync-state). */
  async storedBytes(docId) {
    const db = await storage.dbPromise;
    const out = {};
    await new Promise((resolve, reject) => {
      const tx = db.transaction(storage.store);
      const cursor = tx.objectStore(storage.store).openCursor(IDBKeyRange.bound([docId], [docId, '\uffff']));
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return resolve();
        out[c.key[1]] = (out[c.key[1]] ?? 0) + c.value.binary.byteLength;
        c.continue();
      };
      tx.onerror = () => reject(tx.error);
    });
    return out;
  },
};

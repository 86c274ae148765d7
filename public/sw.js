// Service worker of the local-first CRM: makes the app shell start with no network.
//
// - install: precache the app shell — index.html and every asset it references (trunk hashes
//   the JS/WASM/CSS file names, so the list is read from index.html itself) — so the app works
//   offline after ONE visit;
// - navigations and app files: network first (a new deploy is picked up when online), falling
//   back to the cache when the network fails (offline browser, stopped relay);
// - any SPA path (/customers/<id>, /settings, ...) falls back to the cached index.html;
// - never touches /sync/ (WebSocket) or /healthz, non-GET requests or other origins.
'use strict';

const CACHE = 'crm-shell-v1';
const SHELL = '/index.html';
// Files that are not referenced from the built index.html's <head> but belong to the shell.
const STATIC = [
  '/manifest.webmanifest',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-192.png',
  '/icons/icon-maskable-512.png',
];
// Give up on a hanging network after this long when a cached copy exists.
const NAVIGATION_TIMEOUT_MS = 4000;

/** Same-origin asset paths (JS, WASM, CSS, images, manifest) referenced by an HTML text. */
function assetsIn(html) {
  const found = new Set();
  const re = /["'](\/[^"'\s?#]*\.(?:js|mjs|wasm|css|png|svg|ico|webmanifest|json|woff2?))["']/g;
  let m;
  while ((m = re.exec(html)) !== null) found.add(m[1]);
  return [...found];
}

function bypass(url) {
  return url.pathname.startsWith('/sync/') || url.pathname === '/healthz' || url.pathname === '/sw.js';
}

async function precache() {
  const cache = await caches.open(CACHE);
  const res = await fetch(SHELL, { cache: 'no-cache' });
  if (!res.ok) throw new Error(`precache: ${SHELL} answered ${res.status}`);
  const html = await res.clone().text();
  const required = assetsIn(html);
  // The app's own files must all be cached, or the install fails (and is retried next visit).
  await Promise.all(
    required.map(async (path) => {
      const r = await fetch(path, { cache: 'no-cache' });
      if (!r.ok) throw new Error(`precache: ${path} answered ${r.status}`);
      await cache.put(path, r);
    }),
  );
  await Promise.all(
    STATIC.filter((p) => !required.includes(p)).map(async (path) => {
      try {
        const r = await fetch(path, { cache: 'no-cache' });
        if (r.ok) await cache.put(path, r);
      } catch (_) {
        /* optional */
      }
    }),
  );
  await cache.put(SHELL, res);
}

/** Drop cached app files that the current index.html no longer references (old deploys). */
async function prune(html) {
  const keep = new Set([SHELL, ...STATIC, ...assetsIn(html)]);
  const cache = await caches.open(CACHE);
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (/\.(?:js|mjs|wasm|css)$/.test(path) && !keep.has(path)) await cache.delete(req);
  }
}

self.addEventListener('install', (event) => {
  self.skipWaiting();
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('crm-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function cachedShell() {
  const cache = await caches.open(CACHE);
  return (await cache.match(SHELL)) || (await cache.match('/'));
}

function offlineResponse() {
  return new Response('Offline, and the app is not cached yet.', {
    status: 503,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

async function navigate(event) {
  const fromNetwork = (async () => {
    const res = await fetch(event.request);
    const type = res.headers.get('Content-Type') || '';
    if (res.ok && type.includes('text/html')) {
      const html = await res.clone().text();
      const cache = await caches.open(CACHE);
      await cache.put(SHELL, res.clone());
      await prune(html).catch(() => {});
    }
    return res;
  })();
  const shell = await cachedShell();
  if (!shell) {
    try {
      return await fromNetwork;
    } catch (_) {
      return offlineResponse();
    }
  }
  event.waitUntil(fromNetwork.catch(() => {}));
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), NAVIGATION_TIMEOUT_MS);
  });
  try {
    const res = await Promise.race([fromNetwork, timeout]);
    if (res && res.status < 500) return res;
  } catch (_) {
    /* network failed: fall back */
  } finally {
    clearTimeout(timer);
  }
  return shell;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok && res.type === 'basic') await cache.put(request, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || bypass(url)) return;
  if (request.headers.has('range')) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event));
  } else {
    event.respondWith(networkFirst(request));
  }
});

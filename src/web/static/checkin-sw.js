/*
 * The door's scanner page, offline: a service worker registered by one lane's page with that page's
 * path as its scope (`/checkin/m<meeting>/l<lane>`). It keeps one cache per page URL holding the
 * page, the scripts and styles it loads and its signed roster, so reloading the page without a
 * network opens it from the cache (the page's queue and local admissions are in localStorage).
 * With a network everything is network-first: the server still checks the session on every page
 * load, and a refusal (signed out, session expired, no longer staff, lane gone) deletes the cache.
 * Only GETs of this page, its roster and our static files are answered; everything else (scans,
 * sync, other pages, even `/checkin/m1/l20` which the scope string also matches) goes to the network.
 */
'use strict';

const PAGE = new URL(self.registration.scope).pathname.replace(/\/+$/, '');
const CACHE = `huiwu-door:${PAGE}`;
const ROSTER = `${PAGE}/api/roster`;
const ASSET = /^\/(checkin\/static\/[\w.-]+|console\/static\/dingtalk\.open\.js)$/;
/** A network that the browser thinks is up but that does not answer: the cached copy after this long. */
const TIMEOUT_MS = 5000;

/** The page's own scripts and styles, as its HTML names them. */
function assetsOf(html) {
  const found = new Set();
  for (const m of html.matchAll(/(?:src|href)="(\/[^"]+)"/g)) if (ASSET.test(m[1])) found.add(m[1]);
  return [...found];
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = await fetch(PAGE, { headers: { accept: 'text/html' }, credentials: 'same-origin', redirect: 'error' });
      if (!page.ok) throw new Error(`page answered ${page.status}`);
      const html = await page.clone().text();
      await cache.put(PAGE, page);
      // One missing file (say DingTalk's bundle failed to build) must not cost the whole copy.
      await Promise.all(assetsOf(html).map((asset) => cache.add(asset).catch(() => undefined)));
      const roster = await fetch(ROSTER, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (roster.ok) await cache.put(ROSTER, roster);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** The server refused this page or its roster: nothing of it may be opened offline any more. */
function refused(response) {
  return response.status === 401 || response.status === 403 || response.status === 404 || response.status === 410;
}

/**
 * Network first; the answer refreshes the cache (or, refused, deletes it) even when it arrives
 * after the timeout. Without an answer: the cached copy, marked as such for the page's script.
 */
async function networkFirst(request, key, mark) {
  const network = fetch(request).then(async (response) => {
    if (response.ok && response.type === 'basic' && !response.redirected) {
      const cache = await caches.open(CACHE);
      await cache.put(key, response.clone());
    } else if (refused(response) && (key === PAGE || key === ROSTER)) {
      await caches.delete(CACHE);
    }
    return response;
  });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS);
  });
  try {
    return await Promise.race([network, timeout]);
  } catch {
    const cached = await (await caches.open(CACHE)).match(key);
    if (!cached) return network;
    if (!mark) return cached;
    const headers = new Headers(cached.headers);
    headers.set('x-huiwu-offline-copy', '1');
    return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
  } finally {
    clearTimeout(timer);
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (url.pathname === PAGE) event.respondWith(networkFirst(request, PAGE, false));
    return;
  }
  if (url.pathname === ROSTER) event.respondWith(networkFirst(request, ROSTER, true));
  else if (ASSET.test(url.pathname)) event.respondWith(networkFirst(request, url.pathname + url.search, false));
});

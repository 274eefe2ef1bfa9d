// The service worker (registered by www/offline.js). Two jobs, for the site's own files only:
//
// 1. Cross-origin isolation on any host. A page needs the COOP and COEP headers to use
//    SharedArrayBuffer, so the CPU path's threads; most static hosts cannot send them. This
//    worker adds them to every response it hands the page (the technique of coi-serviceworker),
//    and the page reloads once after it first takes control.
// 2. Offline after the first visit. The app shell (everything but the engine builds and the
//    dataset) is kept when the worker installs; the engine builds the page uses, when the page
//    names them (a `keep_builds` message) or fetches them through this worker. All in one cache
//    per version of the site; a new version fills its own cache while the old one still serves,
//    waits until the page says to take over (`skip_waiting`), then deletes the old cache.
//    The dataset's files (data/) are kept by the page itself, in a cache of their own that
//    outlives versions (www/site-data.js); this worker leaves data/ requests alone.

/** Filled in by the build (scripts/site.mjs stamp): the version (a hash of the site's files),
 * the app shell, and each engine build's files, as paths relative to this file.
 * @type {{version: string, shell: string[], builds: {[kind: string]: string[]}}} */
const BUILD = /* @kiln-build */ { version: "dev", shell: [], builds: { gpu: [], cpu: [], threads: [] } } /* @end */;

/** This worker's global scope (the DOM types the page is checked with do not describe it). */
const sw = /** @type {any} */ (self);
const PREFIX = "kiln-app-";
const APP_CACHE = PREFIX + BUILD.version;
const SCOPE = new URL(sw.registration.scope);
/** @type {Set<string>} */
const KNOWN = new Set([...BUILD.shell, ...Object.values(BUILD.builds).flat()]);

/** A fresh copy of `path` from the server (past any HTTP cache: a host may let browsers keep
 * files for minutes, and a new version must not mix with the old). */
const fresh = (/** @type {string} */ path) => new Request(new URL(path, SCOPE), { cache: "no-cache" });

/** Keep the files of the engine builds named `kinds` in this version's cache (those missing).
 * @param {string[]} kinds */
async function keepBuilds(kinds) {
  const cache = await caches.open(APP_CACHE);
  for (const kind of kinds) {
    for (const path of BUILD.builds[kind] ?? []) {
      if (!(await cache.match(new URL(path, SCOPE)))) await cache.add(fresh(path));
    }
  }
}

/** The engine builds an older version of the site kept: the new version keeps the same. */
async function buildsKeptBefore() {
  const kinds = new Set();
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === APP_CACHE) continue;
    for (const request of await (await caches.open(name)).keys()) {
      const path = new URL(request.url).pathname.slice(SCOPE.pathname.length);
      for (const kind of Object.keys(BUILD.builds)) if (path.startsWith(`${prefixOf(kind)}/`)) kinds.add(kind);
    }
  }
  return [...kinds];
}

/** @param {string} kind */
const prefixOf = (kind) => ({ gpu: "pkg", cpu: "pkg-cpu", threads: "pkg-threads" })[kind];

sw.addEventListener("install", (/** @type {any} */ event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(APP_CACHE);
      // All or nothing: a version whose shell is not all here does not install.
      await cache.addAll(BUILD.shell.map(fresh));
      await keepBuilds(await buildsKeptBefore());
    })(),
  );
});

sw.addEventListener("activate", (/** @type {any} */ event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== APP_CACHE) await caches.delete(name);
      }
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener("message", (/** @type {any} */ event) => {
  const message = event.data ?? {};
  const reply = (/** @type {object} */ answer) => event.ports[0]?.postMessage(answer);
  if (message.type === "skip_waiting") {
    sw.skipWaiting();
  } else if (message.type === "keep_builds") {
    event.waitUntil(
      keepBuilds(message.kinds ?? []).then(
        () => reply({ ok: true, version: BUILD.version }),
        (e) => reply({ ok: false, error: String(e?.message ?? e) }),
      ),
    );
  } else if (message.type === "version") {
    reply({ ok: true, version: BUILD.version });
  }
});

sw.addEventListener("fetch", (/** @type {any} */ event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  let path = url.pathname.slice(SCOPE.pathname.length);
  // The dataset is the page's to fetch and keep (www/site-data.js).
  if (path.startsWith("data/")) return;
  if (request.mode === "navigate" && (path === "" || path.endsWith("/"))) path += "index.html";
  event.respondWith(respond(request, path));
});

/** A known file from this version's cache, else the network (keeping an engine build's file
 * fetched so); whatever answers gets the isolation headers.
 * @param {Request} request @param {string} path */
async function respond(request, path) {
  const cache = await caches.open(APP_CACHE);
  const known = KNOWN.has(path);
  const key = new URL(path, SCOPE);
  let response = known ? await cache.match(key) : undefined;
  if (!response) {
    try {
      response = await fetch(request);
    } catch (e) {
      // Offline and not kept: a file of another version, or one never fetched.
      const kept = await caches.match(key, { ignoreSearch: true });
      if (!kept) throw e;
      response = kept;
    }
    if (known && response.ok && !response.redirected) await cache.put(key, response.clone());
  }
  return isolated(response);
}

/** `response` with COOP and COEP, which make the page (and its workers) cross-origin isolated.
 * The site loads only its own files, so `require-corp` costs it nothing.
 * @param {Response} response */
function isolated(response) {
  // An opaque response (a redirect, for one) cannot be rebuilt; the browser follows it.
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Embedder-Policy", "require-corp");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

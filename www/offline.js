// The page's side of the service worker (www/sw.js): registering it; naming the engine builds
// to keep for offline use; noticing a new version of the site and switching to it. The one
// reload that makes the page cross-origin isolated where the host sent no COOP/COEP is
// www/isolate.js's, done before the page accepts input.
//
// `?sw=0` turns the service worker off (and removes it). The browser tests' switch `?test`
// leaves it unregistered unless `&sw=1` is added: tests that intercept requests
// (Playwright's page.route) cannot see those a service worker answers.
import { reloadedOnce, serviceWorkerWanted } from "./isolate.js";

/**
 * @typedef {object} OfflineState
 * @property {"off" | "unavailable" | "failed" | "installing" | "ready"} state
 * @property {"sw_off" | "test_mode" | "no_service_workers" | "not_https" | "fetch_failed"} [reason]
 *   for off, unavailable and failed: why, as a code the page words (www/i18n: `offline.why.*`)
 * @property {string} [why] for failed without a reason code: the browser's message
 * @property {string} [version] the site's version the service worker serves
 * @property {boolean} [isolationFailed] the worker serves the page, which is still not isolated
 */

/** @param {{onState: (state: OfflineState) => void, onUpdate: () => void}} listeners */
export function startOffline({ onState, onUpdate }) {
  const query = new URLSearchParams(location.search);
  const container = navigator.serviceWorker;
  /** @type {ServiceWorkerRegistration | null} */
  let registration = null;
  let reloadOnChange = false;

  if (!serviceWorkerWanted()) {
    if (query.get("sw") === "0") container?.getRegistrations().then((all) => all.forEach((r) => r.unregister()));
    onState({ state: "off", reason: query.get("sw") === "0" ? "sw_off" : "test_mode" });
    return { keepBuilds: async () => null, applyUpdate: () => {} };
  }
  if (!container) {
    onState({ state: "unavailable", reason: window.isSecureContext ? "no_service_workers" : "not_https" });
    return { keepBuilds: async () => null, applyUpdate: () => {} };
  }

  let controlled = !!container.controller;
  container.addEventListener("controllerchange", () => {
    if (reloadOnChange) location.reload();
    // Another tab switched to a new version: this one runs the old, and should reload too. (A
    // first visit's worker taking control is not an update; the page never reloads by itself
    // once it accepts input.)
    else if (controlled) onUpdate();
    controlled = true;
  });

  /** @param {ServiceWorker | null} worker */
  const watchInstall = (worker) => {
    worker?.addEventListener("statechange", () => {
      // An installed worker waits only when another serves the page: that is an update.
      if (worker.state === "installed" && container.controller) onUpdate();
      // A first install that failed (a file of the app shell could not be fetched).
      if (worker.state === "redundant" && !registration?.active) {
        onState({ state: "failed", reason: "fetch_failed" });
      }
    });
  };

  const ready = (async () => {
    onState({ state: "installing" });
    registration = await container.register("sw.js");
    if (registration.waiting && container.controller) onUpdate();
    watchInstall(registration.installing);
    registration.addEventListener("updatefound", () => watchInstall(registration?.installing ?? null));
    return await container.ready;
  })();
  ready.catch((e) => onState({ state: "failed", why: String(e?.message ?? e) }));

  return {
    /** Ask the worker to keep the engine builds `kinds` (`cpu`, `threads`, `gpu`); resolves
     * once they are kept (the page then works offline), to the site's version.
     * @param {string[]} kinds
     * @returns {Promise<string | null>} */
    async keepBuilds(kinds) {
      const active = (await ready)?.active;
      if (!active) return null;
      const answer = await new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = ({ data }) => resolve(data);
        active.postMessage({ type: "keep_builds", kinds }, [channel.port2]);
      });
      if (!answer.ok) throw new Error(answer.error);
      const isolationFailed = !self.crossOriginIsolated && reloadedOnce();
      onState({ state: "ready", version: answer.version, isolationFailed });
      return answer.version;
    },
    /** Switch to the new version waiting: it takes over, then the page reloads. */
    applyUpdate() {
      if (!registration?.waiting) return location.reload();
      reloadOnChange = true;
      registration.waiting.postMessage({ type: "skip_waiting" });
    },
  };
}

// The one reload that makes the page cross-origin isolated on a host that sends no COOP/COEP
// (threads for the CPU path; the service worker adds the headers: www/sw.js), done before the
// page accepts input. `<main>` is inert in index.html until this module has settled: on a first
// visit it registers the service worker, reloads once it is active and never settles, so
// nothing the user does is lost to the reload and no request is cut off by it (app.js, which
// imports this module first, does not start the engine's worker meanwhile). Anywhere else it
// settles at once. A page still not isolated after that one reload stays as it is.
import { say, translatePage } from "./i18n/index.js";
import { $ } from "./ui.js";

/** Set before the reload, so that it happens once per tab. */
export const RELOADED = "kiln-isolation-reload";
/** How long the service worker may take to install before the page starts without it. */
const PATIENCE_MS = 15_000;

/** Whether this tab already reloaded to become isolated (sessionStorage can be refused). */
export function reloadedOnce() {
  try {
    return !!sessionStorage.getItem(RELOADED);
  } catch {
    return true; // no way to remember it: never reload
  }
}

/** The service worker is wanted: not `?sw=0`, and in the tests' `?test` mode only with `&sw=1`
 * (tests that intercept requests cannot see those a service worker answers). */
export function serviceWorkerWanted() {
  const query = new URLSearchParams(location.search);
  return query.get("sw") !== "0" && (!query.has("test") || query.get("sw") === "1");
}

/** Reload through the service worker when that will isolate the page; true when reloading. */
async function isolate() {
  if (self.crossOriginIsolated) {
    try {
      sessionStorage.removeItem(RELOADED);
    } catch {}
    return false;
  }
  const container = navigator.serviceWorker;
  if (!container || !serviceWorkerWanted() || reloadedOnce()) return false;
  translatePage();
  say($("offline"), "offline.isolating");
  try {
    await container.register("sw.js");
    // Active: it serves the next navigation, with the headers, whether or not it controls
    // this document yet (a first visit; a hard reload skips it).
    const active = await Promise.race([container.ready, new Promise((r) => setTimeout(() => r(null), PATIENCE_MS))]);
    if (!active) return false;
    sessionStorage.setItem(RELOADED, "1");
  } catch (e) {
    console.warn(`Kiln: the service worker could not isolate the page (${/** @type {any} */ (e)?.message ?? e})`);
    return false;
  }
  location.reload();
  return true;
}

if (await isolate()) await new Promise(() => {}); // the page is going away
$("main").inert = false;

// Offline use, in the page's header: whether the app is kept on this device (www/offline.js),
// why not, the storage it uses with a button to remove the kept dataset, and a banner when a new
// version of the site is ready.
import { startOffline } from "../offline.js";
import { keptDataset, removeKeptDataset } from "../site-data.js";
import { $, el } from "../ui.js";
import { fmt, say, sayRaw } from "../i18n/index.js";

/** @typedef {import("../offline.js").OfflineState} OfflineState */

export function offlinePanel() {
  const box = $("offline");
  const status = el("span");
  const storage = el("span");
  const remove = el("button", { type: "button", hidden: true });
  say(remove, "offline.remove");
  remove.dataset.testid = "remove-dataset";
  storage.dataset.testid = "storage";
  box.replaceChildren(status, " ", storage, " ", remove);

  const banner = $("update-banner");
  const offline = startOffline({
    onState: show,
    onUpdate: () => {
      banner.hidden = false;
    },
  });
  $("update-reload").onclick = () => offline.applyUpdate();

  /** @param {OfflineState} s */
  function show(s) {
    box.dataset.state = s.state;
    if (s.version) box.dataset.version = s.version;
    // Worded with keys and plain values, so that a switch of language rewords the line.
    const why = s.reason ? { key: `offline.why.${s.reason}` } : (s.why ?? "");
    const threads = self.crossOriginIsolated ? "" : { key: "offline.one_thread" };
    /** @type {{[K in OfflineState["state"]]: import("../i18n/index.js").Params}} */
    const params = {
      off: { why },
      unavailable: { why, threads },
      failed: { why, threads },
      installing: {},
      ready: { version: s.version?.slice(0, 8), isolation: s.isolationFailed ? { key: "offline.isolation_failed" } : "" },
    };
    say(status, `offline.${s.state}`, params[s.state]);
    showStorage();
  }

  /** The site's storage in this browser, and how much of it is the dataset. */
  async function showStorage() {
    const [estimate, kept] = await Promise.all([
      navigator.storage?.estimate?.().catch(() => null),
      keptDataset().catch(() => ({ bytes: 0, files: 0 })),
    ]);
    const dataset = kept.files ? { key: "offline.storage_dataset", params: { size: fmt.mb(kept.bytes) } } : "";
    if (estimate) say(storage, "offline.storage", { used: fmt.mb(estimate.usage ?? 0), dataset });
    else sayRaw(storage, "");
    storage.dataset.datasetBytes = String(kept.bytes);
    remove.hidden = kept.files === 0;
  }

  remove.onclick = async () => {
    remove.disabled = true;
    await removeKeptDataset();
    remove.disabled = false;
    await showStorage();
  };

  // The engine builds the worker uses, kept when the device menu settles (the device panel
  // names them): only those, so a browser that cannot run threads does not keep their build.
  const backendStatus = $("backend-status");
  const keep = () => {
    const builds = backendStatus.dataset.builds;
    if (!builds) return;
    offline.keepBuilds(builds.split(" ")).catch((e) => show({ state: "failed", why: String(e?.message ?? e) }));
  };
  new MutationObserver(keep).observe(backendStatus, { attributes: true, attributeFilter: ["data-builds"] });

  return { showStorage };
}

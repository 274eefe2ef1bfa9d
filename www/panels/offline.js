// Offline use, in the page's header: whether the app is kept on this device (www/offline.js),
// why not, the storage it uses with a button to remove the kept dataset, and a banner when a new
// version of the site is ready.
import { startOffline } from "../offline.js";
import { keptDataset, mb, removeKeptDataset } from "../site-data.js";
import { $, el } from "../ui.js";

/** @typedef {import("../offline.js").OfflineState} OfflineState */

export function offlinePanel() {
  const box = $("offline");
  const status = el("span");
  const storage = el("span");
  const remove = el("button", { type: "button", textContent: "Remove the kept dataset", hidden: true });
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
    const threads = self.crossOriginIsolated
      ? ""
      : " The CPU path runs on one thread: the host sends no cross-origin isolation headers, and only the service worker could add them.";
    /** @type {{[K in OfflineState["state"]]: string}} */
    const words = {
      off: `Offline use is ${s.why}.`,
      unavailable: `Nothing is kept for offline use: ${s.why}.${threads}`,
      failed: `The service worker did not start (${s.why}): nothing is kept for offline use.${threads}`,
      installing: "Keeping the app on this device for offline use…",
      ready: `Works offline: the app, its engine and the pretrained weights are kept on this device (version ${s.version?.slice(0, 8)}).${
        s.isolationFailed ? " This browser did not let the service worker isolate the page, so the CPU path runs on one thread." : ""
      }`,
    };
    status.textContent = words[s.state];
    showStorage();
  }

  /** The site's storage in this browser, and how much of it is the dataset. */
  async function showStorage() {
    const [estimate, kept] = await Promise.all([
      navigator.storage?.estimate?.().catch(() => null),
      keptDataset().catch(() => ({ bytes: 0, files: 0 })),
    ]);
    const dataset = kept.files ? ` (the dataset: ${mb(kept.bytes)})` : "";
    storage.textContent = estimate ? `Storage used: ${mb(estimate.usage ?? 0)}${dataset}.` : "";
    storage.dataset.datasetBytes = String(kept.bytes);
    remove.hidden = kept.files === 0;
  }

  remove.onclick = async () => {
    remove.disabled = true;
    await removeKeptDataset();
    remove.disabled = false;
    await showStorage();
  };

  // The engine builds in use, kept when the device menu settles: the CPU path's build, and the
  // WebGPU one when WebGPU is in use (the worker loads only those).
  const backendStatus = $("backend-status");
  const keep = () => {
    const backend = backendStatus.dataset.backend;
    if (!backend) return;
    const kinds = [self.crossOriginIsolated ? "threads" : "cpu", "cpu"];
    if (backend === "webgpu") kinds.push("gpu");
    offline.keepBuilds([...new Set(kinds)]).catch((e) => show({ state: "failed", why: String(e?.message ?? e) }));
  };
  new MutationObserver(keep).observe(backendStatus, { attributes: true, attributeFilter: ["data-backend"] });

  return { showStorage };
}

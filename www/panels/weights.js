// The weights in use: what they are (the model status line), loading them from a file or the
// shipped pretrained ones, and downloading them.
import { $, el } from "../ui.js";
import { fmt, say } from "../i18n/index.js";
import { pageError } from "../words.js";

/** @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus}} deps */
export function weightsPanel({ worker, errors, bus }) {

  /** Say which weights are in use, asking the worker. */
  async function refreshStatus() {
    const m = await worker.request("active_model", {}).catch(() => null);
    if (m) showStatus(m);
  }

  /** Say that `m` are the weights in use (a classification carries them: no request).
   * @param {import("../values.js").ActiveModel} m */
  function showStatus(m) {
    const status = $("model-status");
    if (m.source === "untrained") say(status, "model.untrained");
    else {
      say(status, "model.status", {
        source: { key: `model.source.${m.source}` },
        epochs: { key: "eval.epochs", params: { count: m.epochs } },
        accuracy: m.test_accuracy != null ? { key: "model.accuracy", params: { pct: fmt.pct(m.test_accuracy, 1) } } : "",
        during: worker.session.run ? { key: "model.during" } : "",
        model: m.model,
      });
    }
    status.dataset.source = m.source;
    status.dataset.model = m.model;
  }

  /** Use the weights file `name`; rejects when it does not fit the network.
   * @param {string} name @param {ArrayBuffer} buffer */
  async function load(name, buffer, pretrained = false) {
    await worker.request("load_weights", { name, buffer, pretrained }, [buffer]);
    bus.emit("weights_changed", undefined);
  }

  /** The pretrained weights at `path`, shipped with the page; rejects when there are none.
   * @param {string} path */
  async function usePretrained(path) {
    const response = await fetch(path);
    if (!response.ok) throw pageError("pretrained_missing", { path, status: response.status, status_text: response.statusText });
    await load(path, await response.arrayBuffer(), true);
  }

  /** The weights shipped with the page for the network at `path`, where there are some: the
   * page opens with them. */
  async function loadPretrained(path = "models/seed.bpk") {
    try {
      await usePretrained(path);
    } catch (e) {
      console.warn(`pretrained weights unavailable: ${e.message}`);
      await refreshStatus();
    }
  }

  /** Load a weights file the user gave, saying what went wrong if it does not fit.
   * @param {File} file */
  async function loadFile(file) {
    errors.clear();
    try {
      await load(file.name, await file.arrayBuffer());
    } catch (err) {
      errors.show(err);
    }
  }

  $("weights-input").onchange = (/** @type {Event} */ e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    const file = input.files?.[0];
    input.value = "";
    if (file) loadFile(file);
  };

  $("download-weights").onclick = async () => {
    errors.clear();
    try {
      const bytes = await worker.request("weights_bytes", {});
      const m = await worker.request("active_model", {});
      const url = URL.createObjectURL(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)], { type: "application/octet-stream" }));
      const a = el("a", { href: url, download: `kiln-${m.model}-${m.source}-${m.epochs}ep.bpk` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      errors.show(e);
    }
  };

  bus.on("epoch_finished", () => refreshStatus());
  bus.on("weights_changed", () => refreshStatus());

  return {
    refreshStatus,
    showStatus,
    loadPretrained,
    usePretrained,
    loadFile,
    /** Where the weights in use came from (`pretrained`, `trained`, …), once known. */
    source: () => $("model-status").dataset.source,
  };
}

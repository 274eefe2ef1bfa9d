// Section 1: loading CIFAR-10 (files, a drop or a URL) and showing what it holds.
import { fetchDataset, readFiles } from "../files.js";
import { $, el, makeDropZone } from "../ui.js";

/** @typedef {import("../values.js").DatasetSummary} DatasetSummary */

/** How the worker's `load_progress` phases read on the page. */
const PHASES = { decompress: "decompressing" };

/** @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus}} deps */
export function datasetPanel({ worker, errors, bus }) {
  const bar = $("dataset-progress");
  const barText = $("dataset-progress-text");

  /** @param {string} phase @param {number} done @param {number} total */
  function setProgress(phase, done, total) {
    bar.hidden = false;
    bar.value = total ? done / total : 0;
    /** @param {number} n */
    const mb = (n) => (n / 1e6).toFixed(0);
    barText.textContent = `${phase} ${mb(done)} / ${mb(total)} MB`;
  }
  worker.on("load_progress", ({ phase, done, total }) => setProgress(PHASES[phase], done, total));

  /** @param {(onProgress: (done: number, total: number) => void) => Promise<{name: string, buffer: ArrayBuffer}[]>} getFiles */
  async function load(getFiles) {
    errors.clear();
    try {
      const files = await getFiles((done, total) => setProgress("reading", done, total));
      const summary = await worker.request("load_dataset", { files }, files.map((f) => f.buffer));
      renderSummary(summary);
      await renderSamples(summary.class_names);
      bus.emit("dataset_loaded", summary);
      barText.textContent = "loaded";
    } catch (e) {
      barText.textContent = "";
      bar.hidden = true;
      errors.show(e);
    }
  }

  /** @param {DatasetSummary} s */
  function renderSummary(s) {
    const cell = (/** @type {string | number} */ text) => el("td", { textContent: String(text) });
    const rows = s.class_names.map((name, c) => el("tr", null, cell(name), cell(s.train_per_class[c]), cell(s.test_per_class[c])));
    const head = el("tr", null, ...["class", "train", "test"].map((t) => el("th", { textContent: t })));
    $("dataset-summary").replaceChildren(
      el("p", null, el("strong", { textContent: s.train_images.toLocaleString() }), " training and ",
        el("strong", { textContent: s.test_images.toLocaleString() }), " test images."),
      el("table", null, el("thead", null, head), el("tbody", null, ...rows)),
    );
  }

  /** The first images of each class, a row per class with its name.
   * @param {string[]} classNames */
  async function renderSamples(classNames) {
    const perClass = 8;
    const { labels, rgba } = await worker.request("samples", { per_class: perClass });
    const canvas = $("sample-grid");
    const scale = 2;
    const cols = perClass;
    const rows = Math.ceil(labels.length / cols) || 1;
    canvas.width = cols * 32 * scale + 90;
    canvas.height = rows * 32 * scale;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const tile = el("canvas", { width: 32, height: 32 });
    const tctx = /** @type {CanvasRenderingContext2D} */ (tile.getContext("2d"));
    ctx.imageSmoothingEnabled = false;
    labels.forEach((label, i) => {
      tctx.putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, i * 4096, 4096), 32, 32), 0, 0);
      const row = Math.floor(i / cols);
      const col = i % cols;
      ctx.drawImage(tile, 90 + col * 32 * scale, row * 32 * scale, 32 * scale, 32 * scale);
      if (col === 0) {
        ctx.fillStyle = "#222";
        ctx.font = "13px sans-serif";
        ctx.fillText(classNames[label], 4, row * 32 * scale + 36);
      }
    });
    canvas.hidden = false;
  }

  $("dataset-input").onchange = (/** @type {Event} */ e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    const list = input.files;
    if (list?.length) load((p) => readFiles(list, p));
    input.value = "";
  };
  $("dataset-url-load").onclick = () => {
    const url = $("dataset-url").value.trim();
    if (url) load((p) => fetchDataset(url, p));
  };
  makeDropZone($("dataset-drop"), (files) => load((p) => readFiles(files, p)));
  // A fresh engine has no dataset: show none.
  bus.on("engine_restarted", () => {
    $("dataset-summary").textContent = "No dataset loaded.";
    $("sample-grid").hidden = true;
    bar.hidden = true;
    barText.textContent = "";
  });
}

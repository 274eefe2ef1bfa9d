// Section 1: loading CIFAR-10 (files, a drop or a URL) and showing what it holds.
import { fetchDataset, readFiles } from "../files.js";
import { $, el, makeDropZone } from "../ui.js";
import { classNames, fmt, onLanguage, say, sayRaw, t } from "../i18n/index.js";

/** @typedef {import("../values.js").DatasetSummary} DatasetSummary */

/** How the worker's `load_progress` phases read on the page. */
const PHASES = { decompress: "data.phase.decompress" };

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
    const mb = (n) => fmt.num(Math.round(n / 1e6));
    say(barText, "data.progress", { phase: { key: phase }, done: mb(done), total: mb(total) });
  }
  bus.on("load_progress", ({ phase, done, total }) => setProgress(PHASES[phase], done, total));

  /** Load the files `getFiles` reads (`phase` names that on the progress bar); false when it
   * failed, which the error banner says.
   * @param {(onProgress: (done: number, total: number) => void) => Promise<{name: string, buffer: ArrayBuffer}[]>} getFiles
   * @param {string} [phase] */
  async function load(getFiles, phase = "data.phase.reading") {
    errors.clear();
    try {
      const files = await getFiles((done, total) => setProgress(phase, done, total));
      const summary = await worker.request("load_dataset", { files }, files.map((f) => f.buffer));
      shown = summary;
      renderSummary(summary);
      await renderSamples(summary.class_names);
      bus.emit("dataset_loaded", summary);
      say(barText, "data.loaded");
      return true;
    } catch (e) {
      sayRaw(barText, "");
      bar.hidden = true;
      errors.show(e);
      return false;
    }
  }

  /** @type {DatasetSummary | null} the dataset shown, drawn again in another language */
  let shown = null;
  /** @type {number[] | null} the sample grid's labels */
  let sampleLabels = null;
  /** @type {import("../values.js").Bytes | null} and images */
  let sampleRgba = null;
  onLanguage(() => {
    if (shown) renderSummary(shown);
    if (shown && sampleLabels && sampleRgba) drawSamples(classNames(shown.class_names), sampleLabels, sampleRgba);
  });

  /** @param {DatasetSummary} s */
  function renderSummary(s) {
    const names = classNames(s.class_names);
    const cell = (/** @type {string | number} */ text) => el("td", { textContent: typeof text === "number" ? fmt.num(text) : text });
    const rows = names.map((name, c) => el("tr", null, cell(name), cell(s.train_per_class[c]), cell(s.test_per_class[c])));
    const head = el("tr", null, ...["data.col_class", "data.col_train", "data.col_test"].map((k) => el("th", { textContent: t(k) })));
    // "{train} training and {test} test images.", the two counts in bold.
    const parts = t("data.summary", { train: "\u0000", test: "\u0001" }).split(/([\u0000\u0001])/);
    const counts = { "\u0000": s.train_images, "\u0001": s.test_images };
    const sentence = parts.map((p) => (p in counts ? el("strong", { textContent: fmt.num(counts[/** @type {"\u0000"} */ (p)]) }) : p));
    $("dataset-summary").replaceChildren(
      el("p", null, ...sentence),
      el("table", null, el("thead", null, head), el("tbody", null, ...rows)),
    );
  }

  /** The first images of each class, a row per class with its name.
   * @param {string[]} names the dataset's class names */
  async function renderSamples(names) {
    const { labels, rgba } = await worker.request("samples", { per_class: 8 });
    sampleLabels = Array.from(labels);
    sampleRgba = rgba;
    drawSamples(classNames(names), sampleLabels, rgba);
  }

  /** @param {string[]} shownNames @param {ArrayLike<number>} labels @param {import("../values.js").Bytes} rgba */
  function drawSamples(shownNames, labels, rgba) {
    const perClass = 8;
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
    Array.from(labels).forEach((label, i) => {
      tctx.putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, i * 4096, 4096), 32, 32), 0, 0);
      const row = Math.floor(i / cols);
      const col = i % cols;
      ctx.drawImage(tile, 90 + col * 32 * scale, row * 32 * scale, 32 * scale, 32 * scale);
      if (col === 0) {
        ctx.fillStyle = "#222";
        ctx.font = "13px sans-serif";
        ctx.fillText(shownNames[label], 4, row * 32 * scale + 36);
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
    say($("dataset-summary"), "data.none");
    $("sample-grid").hidden = true;
    bar.hidden = true;
    barText.textContent = "";
  });
  return { load };
}

// Section 3: evaluating the weights in use on the test set. The views: confusion matrix (a heat
// map with counts; a click shows the cell's images), accuracy per class, and a gallery of the
// most confidently wrong test images.
import { imageCanvas } from "../draw.js";
import { $, el } from "../ui.js";

/** @typedef {import("../values.js").Evaluation} Evaluation */
/** @typedef {import("../values.js").Judged} Judged */

/** @param {number | null | undefined} a */
const pct = (a) => (a == null ? "–" : `${(a * 100).toFixed(1)}%`);

/** @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus}} deps */
export function evaluationPanel({ worker, errors, bus }) {
  const button = $("evaluate");
  let training = false;
  let testImages = 0;
  /** @type {Evaluation | null} the evaluation shown */
  let shown = null;

  const updateButton = () => (button.disabled = training || !testImages);
  const weightsChanged = () =>
    clearEvaluation(
      testImages
        ? "New weights in use: press Evaluate to measure them on the test set."
        : "Load the dataset, then evaluate the weights in use.",
    );

  /** @param {Evaluation} ev */
  function show(ev) {
    shown = ev;
    renderEvaluation(ev, openCell);
  }

  /** @param {number} label @param {number} predicted */
  async function openCell(label, predicted) {
    try {
      const cell = await worker.request("confusion_cell", { label, predicted, limit: 48 });
      const ev = /** @type {Evaluation} */ (shown);
      renderCell(cell, label, predicted, ev.class_names, ev.confusion[label][predicted]);
    } catch (e) {
      errors.show(e);
    }
  }

  button.onclick = async () => {
    errors.clear();
    button.disabled = true;
    $("eval-summary").textContent = `Evaluating on ${testImages.toLocaleString()} test images…`;
    try {
      show(await worker.request("evaluate", {}));
    } catch (e) {
      $("eval-summary").textContent = "Evaluation failed.";
      errors.show(e);
    } finally {
      updateButton();
    }
  };

  bus.on("dataset_loaded", (summary) => {
    testImages = summary.test_images;
    weightsChanged();
    updateButton();
  });
  bus.on("training", (on) => {
    training = on;
    updateButton();
    if (on) clearEvaluation("Training… its evaluation appears here when it ends.");
  });
  bus.on("weights_changed", weightsChanged);
  // The evaluation training kept, if any.
  bus.on("run_ended", async () => {
    const ev = await worker.request("last_evaluation", {}).catch(() => null);
    if (ev) show(ev);
  });
}

/** A gallery tile: the image, enlarged, with what it is and what the network said.
 * @param {import("../values.js").Bytes} rgba @param {number} i @param {Judged} item @param {string[]} names */
function tile(rgba, i, item, names) {
  const figure = document.createElement("figure");
  figure.dataset.index = String(item.index);
  figure.dataset.label = String(item.label);
  figure.dataset.predicted = String(item.predicted);
  const truth = names[item.label];
  const said = names[item.predicted];
  const caption =
    item.label === item.predicted
      ? el("figcaption", null, el("span", { textContent: `${truth} (${pct(item.confidence)})` }))
      : el("figcaption", null, el("span", { textContent: `is ${truth}` }), el("br"),
          el("span", { className: "wrong", textContent: `said ${said} ${pct(item.confidence)}` }));
  figure.append(imageCanvas(rgba, i), caption);
  return figure;
}

/** Draw an evaluation. `openCell(label, predicted)` is called when a confusion-matrix cell is
 * clicked.
 * @param {Evaluation} ev @param {(label: number, predicted: number) => void} openCell */
function renderEvaluation(ev, openCell) {
  const names = ev.class_names;
  $("eval-views").hidden = false;
  $("cell-panel").hidden = true;
  const source = { pretrained: "pretrained", trained: "trained", saved: "saved", file: "loaded", untrained: "untrained" }[ev.model.source];
  $("eval-summary").textContent =
    `Test accuracy ${pct(ev.accuracy)} (loss ${ev.loss.toFixed(4)}) on ${ev.images.toLocaleString()} images, ` +
    `${source} weights, ${ev.model.epochs} epoch${ev.model.epochs === 1 ? "" : "s"}.`;
  $("eval-summary").dataset.accuracy = String(ev.accuracy);

  // Confusion matrix: colour by the share of the row (the true class), count in the cell.
  const table = $("confusion-matrix");
  table.dataset.confusion = JSON.stringify(ev.confusion);
  const head = document.createElement("thead");
  const hr = document.createElement("tr");
  hr.append(document.createElement("th"));
  for (const name of names) hr.append(Object.assign(document.createElement("th"), { textContent: name, scope: "col" }));
  head.append(hr);
  const body = document.createElement("tbody");
  ev.confusion.forEach((row, t) => {
    const tr = document.createElement("tr");
    tr.append(Object.assign(document.createElement("th"), { textContent: names[t], scope: "row" }));
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) => {
      const td = document.createElement("td");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = String(count);
      b.dataset.label = String(t);
      b.dataset.predicted = String(p);
      b.dataset.count = String(count);
      const share = count / total;
      // Diagonal in green, mistakes in red; stronger for a larger share of the row.
      const [r, g, bl] = t === p ? [43, 138, 62] : [201, 42, 42];
      const alpha = t === p ? share : Math.min(1, share * 3);
      b.style.background = `rgba(${r}, ${g}, ${bl}, ${alpha.toFixed(3)})`;
      b.style.color = alpha > 0.55 ? "#fff" : "#1d1f21";
      b.title = `${names[t]} seen as ${names[p]}: ${count} (${pct(share)} of ${names[t]})`;
      b.onclick = () => {
        table.querySelectorAll("button.selected").forEach((/** @type {Element} */ x) => x.classList.remove("selected"));
        b.classList.add("selected");
        openCell(t, p);
      };
      td.append(b);
      tr.append(td);
    });
    body.append(tr);
  });
  table.replaceChildren(head, body);

  // Accuracy per class, with the test images each class has.
  const rows = names.map((name, c) => {
    const tr = document.createElement("tr");
    tr.dataset.class = String(c);
    tr.dataset.accuracy = String(ev.per_class_accuracy[c]);
    tr.dataset.count = String(ev.test_per_class[c]);
    const fill = el("span");
    fill.style.width = `${(ev.per_class_accuracy[c] ?? 0) * 100}%`;
    tr.append(
      el("td", { textContent: name }),
      el("td", null, el("div", { className: "bar" }, fill)),
      el("td", { textContent: pct(ev.per_class_accuracy[c]) }),
      el("td", { className: "hint", textContent: `of ${ev.test_per_class[c]}` }),
    );
    return tr;
  });
  $("per-class-accuracy").replaceChildren(...rows);

  // The most confidently wrong images.
  const gallery = $("misclassified");
  gallery.replaceChildren(...ev.misclassified.map((item, i) => tile(ev.misclassified_rgba, i, item, names)));
  if (!ev.misclassified.length) gallery.textContent = "No test image was misclassified.";
}

/** Show the images of one confusion-matrix cell.
 * @param {import("../values.js").ConfusionCell} cell @param {number} label
 * @param {number} predicted @param {string[]} names @param {number} count */
function renderCell(cell, label, predicted, names, count) {
  $("cell-panel").hidden = false;
  const what = label === predicted ? `${names[label]} recognised as ${names[label]}` : `${names[label]} mistaken for ${names[predicted]}`;
  const shown = cell.items.length < count ? ` (the ${cell.items.length} most confident shown)` : "";
  $("cell-title").textContent = `${what}: ${count} image${count === 1 ? "" : "s"}${shown}`;
  $("cell-images").replaceChildren(...cell.items.map((item, i) => tile(cell.rgba, i, item, names)));
}

/** Forget the views: the weights in use changed.
 * @param {string} message */
function clearEvaluation(message) {
  $("eval-views").hidden = true;
  delete $("eval-summary").dataset.accuracy;
  $("eval-summary").textContent = message;
}

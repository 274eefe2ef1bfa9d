// Section 3: evaluating the weights in use on the test set. The views: confusion matrix (a heat
// map with counts; a click shows the cell's images), accuracy per class, and a gallery of the
// most confidently wrong test images.
import { imageCanvas } from "../draw.js";
import { $, el } from "../ui.js";
import { classNames, fmt, onLanguage, say, t } from "../i18n/index.js";

/** @typedef {import("../values.js").Evaluation} Evaluation */
/** @typedef {import("../values.js").Judged} Judged */

/** @param {number | null | undefined} a */
const pct = (a) => fmt.pct(a, 1);

/** @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   bus: import("../bus.js").Bus}} deps */
export function evaluationPanel({ worker, errors, bus }) {
  const button = $("evaluate");
  let testImages = 0;
  /** @type {Evaluation | null} the evaluation shown */
  let shown = null;
  /** @type {[import("../values.js").ConfusionCell, number, number] | null} the cell shown */
  let shownCell = null;
  onLanguage(() => {
    if (!shown || $("eval-views").hidden) return;
    renderEvaluation(shown, openCell);
    if (shownCell) renderCell(shownCell[0], shownCell[1], shownCell[2], shown.class_names, shown.confusion[shownCell[1]][shownCell[2]]);
  });

  const updateButton = () => (button.disabled = worker.session.run !== null || !testImages);
  const weightsChanged = () => clearEvaluation(testImages ? "eval.new_weights" : "eval.load_first");

  /** @param {Evaluation} ev */
  function show(ev) {
    shown = ev;
    shownCell = null;
    renderEvaluation(ev, openCell);
  }

  /** @param {number} label @param {number} predicted */
  async function openCell(label, predicted) {
    try {
      const cell = await worker.request("confusion_cell", { label, predicted, limit: 48 });
      const ev = /** @type {Evaluation} */ (shown);
      shownCell = [cell, label, predicted];
      renderCell(cell, label, predicted, ev.class_names, ev.confusion[label][predicted]);
    } catch (e) {
      errors.show(e);
    }
  }

  button.onclick = async () => {
    errors.clear();
    button.disabled = true;
    say($("eval-summary"), "eval.running", { count: testImages });
    try {
      show(await worker.request("evaluate", {}));
    } catch (e) {
      say($("eval-summary"), "eval.failed");
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
    updateButton();
    if (on) clearEvaluation("eval.training");
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
  const confidence = pct(item.confidence);
  const caption =
    item.label === item.predicted
      ? el("figcaption", null, el("span", { textContent: t("eval.tile_right", { name: truth, pct: confidence }) }))
      : el("figcaption", null, el("span", { textContent: t("eval.tile_is", { name: truth }) }), el("br"),
          el("span", { className: "wrong", textContent: t("eval.tile_said", { name: said, pct: confidence }) }));
  figure.append(imageCanvas(rgba, i), caption);
  return figure;
}

/** Draw an evaluation. `openCell(label, predicted)` is called when a confusion-matrix cell is
 * clicked.
 * @param {Evaluation} ev @param {(label: number, predicted: number) => void} openCell */
function renderEvaluation(ev, openCell) {
  const names = classNames(ev.class_names);
  $("eval-views").hidden = false;
  $("cell-panel").hidden = true;
  say($("eval-summary"), "eval.summary", {
    accuracy: pct(ev.accuracy),
    loss: fmt.fixed(ev.loss, 4),
    images: ev.images,
    source: { key: `source.${ev.model.source}` },
    epochs: { key: "eval.epochs", params: { count: ev.model.epochs } },
  });
  $("eval-summary").dataset.accuracy = String(ev.accuracy);

  // Confusion matrix: colour by the share of the row (the true class), count in the cell.
  const table = $("confusion-matrix");
  table.dataset.confusion = JSON.stringify(ev.confusion);
  const head = document.createElement("thead");
  const hr = document.createElement("tr");
  hr.append(el("th", { className: "corner", textContent: t("eval.confusion_corner") }));
  for (const name of names) hr.append(Object.assign(document.createElement("th"), { textContent: name, scope: "col" }));
  head.append(hr);
  const body = document.createElement("tbody");
  ev.confusion.forEach((row, truth) => {
    const tr = document.createElement("tr");
    tr.append(Object.assign(document.createElement("th"), { textContent: names[truth], scope: "row" }));
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) => {
      const td = document.createElement("td");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = String(count);
      b.dataset.label = String(truth);
      b.dataset.predicted = String(p);
      b.dataset.count = String(count);
      const share = count / total;
      // Diagonal in green, mistakes in red; stronger for a larger share of the row.
      const [r, g, bl] = truth === p ? [43, 138, 62] : [201, 42, 42];
      const alpha = truth === p ? share : Math.min(1, share * 3);
      b.style.background = `rgba(${r}, ${g}, ${bl}, ${alpha.toFixed(3)})`;
      b.style.color = alpha > 0.55 ? "#fff" : "#1d1f21";
      b.title = t("eval.cell_hover", { truth: names[truth], said: names[p], count, share: pct(share) });
      b.onclick = () => {
        table.querySelectorAll("button.selected").forEach((/** @type {Element} */ x) => x.classList.remove("selected"));
        b.classList.add("selected");
        openCell(truth, p);
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
      el("td", { className: "hint", textContent: t("eval.of", { count: ev.test_per_class[c] }) }),
    );
    return tr;
  });
  $("per-class-accuracy").replaceChildren(...rows);

  // The most confidently wrong images.
  const gallery = $("misclassified");
  gallery.replaceChildren(...ev.misclassified.map((item, i) => tile(ev.misclassified_rgba, i, item, names)));
  if (!ev.misclassified.length) gallery.textContent = t("eval.none_wrong");
}

/** Show the images of one confusion-matrix cell.
 * @param {import("../values.js").ConfusionCell} cell @param {number} label
 * @param {number} predicted @param {string[]} names @param {number} count */
function renderCell(cell, label, predicted, names, count) {
  $("cell-panel").hidden = false;
  const shownNames = classNames(names);
  const pair = { truth: shownNames[label], said: shownNames[predicted] };
  const what = t(label === predicted ? "eval.recognised" : "eval.mistaken", pair);
  const shown = cell.items.length < count ? t("eval.cell_shown", { count: cell.items.length }) : "";
  $("cell-title").textContent = t("eval.cell_title", { what, count, shown });
  $("cell-images").replaceChildren(...cell.items.map((item, i) => tile(cell.rgba, i, item, shownNames)));
}

/** Forget the views: the weights in use changed.
 * @param {string} key what to say instead */
function clearEvaluation(key) {
  $("eval-views").hidden = true;
  delete $("eval-summary").dataset.accuracy;
  say($("eval-summary"), key);
}

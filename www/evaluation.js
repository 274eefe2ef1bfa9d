// The evaluation views: confusion matrix (a heat map with counts; a click shows the cell's
// images), accuracy per class, and a gallery of the most confidently wrong test images.
import { imageCanvas } from "./draw.js";

const $ = (id) => document.getElementById(id);
const pct = (a) => (a == null ? "–" : `${(a * 100).toFixed(1)}%`);

/** A gallery tile: the image, enlarged, with what it is and what the network said. */
function tile(rgba, i, item, names) {
  const figure = document.createElement("figure");
  figure.dataset.index = String(item.index);
  figure.dataset.label = String(item.label);
  figure.dataset.predicted = String(item.predicted);
  const caption = document.createElement("figcaption");
  const truth = names[item.label];
  const said = names[item.predicted];
  caption.innerHTML = item.label === item.predicted ? "<span></span>" : `<span></span><br><span class="wrong"></span>`;
  const spans = caption.querySelectorAll("span");
  spans[0].textContent = item.label === item.predicted ? `${truth} (${pct(item.confidence)})` : `is ${truth}`;
  if (spans[1]) spans[1].textContent = `said ${said} ${pct(item.confidence)}`;
  figure.append(imageCanvas(rgba, i), caption);
  return figure;
}

/** Draw an evaluation (`Engine.evaluate`'s result). `openCell(label, predicted)` is called
 * when a confusion-matrix cell is clicked. */
export function renderEvaluation(ev, openCell) {
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
        table.querySelectorAll("button.selected").forEach((x) => x.classList.remove("selected"));
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
    tr.innerHTML = `<td></td><td><div class="bar"><span></span></div></td><td></td><td class="hint"></td>`;
    const cells = tr.querySelectorAll("td");
    cells[0].textContent = name;
    cells[1].querySelector("span").style.width = `${(ev.per_class_accuracy[c] ?? 0) * 100}%`;
    cells[2].textContent = pct(ev.per_class_accuracy[c]);
    cells[3].textContent = `of ${ev.test_per_class[c]}`;
    return tr;
  });
  $("per-class-accuracy").replaceChildren(...rows);

  // The most confidently wrong images.
  const gallery = $("misclassified");
  gallery.replaceChildren(...ev.misclassified.map((item, i) => tile(ev.misclassified_rgba, i, item, names)));
  if (!ev.misclassified.length) gallery.textContent = "No test image was misclassified.";
}

/** Show the images of one confusion-matrix cell (`Engine.confusionCell`'s result). */
export function renderCell(cell, label, predicted, names, count) {
  $("cell-panel").hidden = false;
  const what = label === predicted ? `${names[label]} recognised as ${names[label]}` : `${names[label]} mistaken for ${names[predicted]}`;
  const shown = cell.items.length < count ? ` (the ${cell.items.length} most confident shown)` : "";
  $("cell-title").textContent = `${what}: ${count} image${count === 1 ? "" : "s"}${shown}`;
  $("cell-images").replaceChildren(...cell.items.map((item, i) => tile(cell.rgba, i, item, names)));
}

/** Forget the views: the weights in use changed. */
export function clearEvaluation(message) {
  $("eval-views").hidden = true;
  delete $("eval-summary").dataset.accuracy;
  $("eval-summary").textContent = message;
}

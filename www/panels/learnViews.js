// What a look inside the network shows (www/panels/learn.js asks for it): gradient descent with
// the run's own numbers (the update rule with the current α, and per layer the norm of the
// gradient and of the last change of the weights), and what the activation function does (the
// three functions plotted, the chosen one highlighted, and per hidden layer the share of dead
// ReLU units, of saturated sigmoid units and a histogram of the outputs).
import { $, el } from "../ui.js";
import { fmt, onLanguage, t } from "../i18n/index.js";
import { renderRule } from "./learnRule.js";

/** @typedef {import("../values.js").Insight} Insight */

/** @type {Insight | null} the look shown, drawn again in another language */
let shown = null;
/** Whether it was measured on a training step (its change is that step's update). */
let ofStep = false;
let looks = 0;
/** While a run trains, α of its last step reported (its schedule's); null: the form's. */
let stepRate = /** @type {string | null} */ (null);

/** A norm: three significant digits, small ones in scientific notation.
 * @param {number | null} n */
const norm = (n) => (n == null ? "–" : n !== 0 && Math.abs(n) < 1e-3 ? n.toExponential(2) : fmt.num(Number(n.toPrecision(3)), 6));

/** Draw a look inside the network; `when` says what it followed (tests read it).
 * @param {Insight} insight @param {string} [when] */
export function showInsight(insight, when) {
  shown = insight;
  if (when) ofStep = when === "step";
  drawGradients(insight);
  drawActivations(insight);
  if (!when) return;
  const table = $("gradient-norms");
  table.dataset.looked = String(++looks);
  table.dataset.when = when;
  if (when === "step") table.dataset.stepLooks = String(Number(table.dataset.stepLooks ?? 0) + 1);
  table.dataset.activation = $("activation").value;
}

/** @param {Insight} insight */
function drawGradients(insight) {
  const rows = insight.layers.map((l) => {
    const tr = el("tr", null,
      el("th", { scope: "row", textContent: l.layer }),
      el("td", { textContent: norm(l.gradient_norm) }),
      el("td", { textContent: norm(l.update_norm) }),
      el("td", { textContent: norm(l.weight_norm) }));
    tr.dataset.layer = l.layer;
    tr.dataset.gradientNorm = String(l.gradient_norm);
    tr.dataset.updateNorm = String(l.update_norm ?? "");
    return tr;
  });
  const head = el("tr", null, ...["learn.col_layer", "learn.col_gradient", "learn.col_update", "learn.col_weights"].map((k) => el("th", { scope: "col", textContent: t(k) })));
  $("gradient-norms").replaceChildren(el("thead", null, head), el("tbody", null, ...rows));
  const caption = ofStep ? "learn.gradient_caption_step" : "learn.gradient_caption";
  $("gradient-caption").textContent = t(caption, { images: insight.images, loss: fmt.fixed(insight.loss, 4) });
}

/** @param {Insight} insight */
function drawActivations(insight) {
  const activation = $("activation").value;
  const rows = insight.activations.map((a) => {
    const tr = el("tr", null,
      el("th", { scope: "row", textContent: a.layer }),
      el("td", { className: activation === "relu" ? "chosen" : "", textContent: fmt.pct(a.zero_share, 1) }),
      el("td", { className: activation === "sigmoid" ? "chosen" : "", textContent: fmt.pct(a.saturated_share, 1) }),
      el("td", null, histogram(a)),
      el("td", { className: "hint", textContent: `${norm(a.min)} … ${norm(a.max)}` }));
    tr.dataset.layer = a.layer;
    tr.dataset.zeroShare = String(a.zero_share);
    tr.dataset.saturatedShare = String(a.saturated_share ?? "");
    return tr;
  });
  const head = el("tr", null, ...["learn.col_layer", "learn.col_dead", "learn.col_saturated", "learn.col_histogram", "learn.col_range"].map((k) => el("th", { scope: "col", textContent: t(k) })));
  $("activation-stats").replaceChildren(el("thead", null, head), el("tbody", null, ...rows));
}

/** A small histogram of one layer's outputs.
 * @param {import("../values.js").ActivationStats} a */
function histogram(a) {
  const canvas = el("canvas", { width: 120, height: 28 });
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", t("learn.histogram_label", { layer: a.layer }));
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const top = Math.max(1, ...a.histogram);
  const w = canvas.width / a.histogram.length;
  ctx.fillStyle = "#1c7ed6";
  a.histogram.forEach((count, i) => {
    const h = Math.round((count / top) * canvas.height);
    ctx.fillRect(i * w + 0.5, canvas.height - h, w - 1, h);
  });
  return canvas;
}

/** The three activation functions, the chosen one highlighted. */
function drawFunctions() {
  const canvas = $("activation-plot");
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const { width, height } = canvas;
  const chosen = $("activation").value;
  const x0 = -5, x1 = 5, y0 = -1.5, y1 = 3;
  /** @param {number} x */
  const px = (x) => ((x - x0) / (x1 - x0)) * width;
  /** @param {number} y */
  const py = (y) => height - ((y - y0) / (y1 - y0)) * height;
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = "#ced4da";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, py(0));
  ctx.lineTo(width, py(0));
  ctx.moveTo(px(0), 0);
  ctx.lineTo(px(0), height);
  ctx.stroke();
  /** @type {[string, (x: number) => number, string][]} */
  const curves = [
    ["linear", (x) => x, "#868e96"],
    ["sigmoid", (x) => 1 / (1 + Math.exp(-x)), "#2b8a3e"],
    ["relu", (x) => Math.max(0, x), "#d9480f"],
  ];
  curves.forEach(([name, f, colour], i) => {
    const on = name === chosen;
    ctx.strokeStyle = on ? colour : "#adb5bd";
    ctx.lineWidth = on ? 3 : 1.2;
    ctx.setLineDash(on ? [] : [4, 3]);
    ctx.beginPath();
    for (let k = 0; k <= 100; k++) {
      const x = x0 + ((x1 - x0) * k) / 100;
      const y = Math.max(y0, Math.min(y1, f(x)));
      if (k === 0) ctx.moveTo(px(x), py(y));
      else ctx.lineTo(px(x), py(y));
    }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = on ? colour : "#868e96";
    ctx.font = `${on ? "bold " : ""}12px sans-serif`;
    ctx.fillText(t(`learn.fn_${name}`), 6, 14 + i * 15);
  });
  canvas.dataset.chosen = chosen;
  canvas.setAttribute("aria-label", t("learn.plot_label", { name: t(`learn.fn_${chosen}`) }));
  $("activation-note").textContent = t(`learn.note_${chosen}`);
}

/** Show α as the run's schedule set it for its last step reported, or (null, between runs) as
 * the form sets it; typeset again only when it changes.
 * @param {number | null} rate */
export function showStepRate(rate) {
  const text = rate === null ? null : String(Number(rate.toPrecision(6)));
  if (text === stepRate) return;
  stepRate = text;
  renderRule($("update-rule"), $("optimizer").value, stepRate ?? $("learning-rate").value);
}

/** Everything that depends on the form (α, the optimiser, the activation) or the language. */
function redraw() {
  renderRule($("update-rule"), $("optimizer").value, stepRate ?? $("learning-rate").value);
  drawFunctions();
  if (shown) showInsight(shown);
}

// Any change of the form (typed, chosen, or filled in from the engine's defaults or the URL).
$("train-form").addEventListener("input", redraw);
$("train-form").addEventListener("change", redraw);
addEventListener("hashchange", () => setTimeout(redraw));
onLanguage(redraw);
redraw();

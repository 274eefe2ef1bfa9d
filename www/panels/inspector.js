// Inside one unit of the drawing (a click on a map, a unit or an output), with the engine's own
// numbers (`unit`): a convolution's filter over the input patch under it, the sum and the
// activation; a pooling window and its maximum; BatchNorm and GELU; a dense unit's largest
// terms; the logits and their softmax. The sum and the value shown are the engine's, computed
// by the network's own layers; the terms are shown so the reader can check them.
import { drawMap, num, numberGrid, scaleOf } from "../network-draw.js";
import { $, el } from "../ui.js";
import { CIFAR_CLASSES, className, has, onLanguage, t } from "../i18n/index.js";

/** @typedef {import("../values.js").UnitQuery} UnitQuery */
/** @typedef {import("../values.js").UnitDetail} UnitDetail */
/** @typedef {import("../values.js").NetworkView} NetworkView */
/** @typedef {Uint8Array | Uint8ClampedArray} Pixels */

/** Input channels whose filter and patch are drawn as grids; the others are summed per channel. */
const CHANNEL_GRIDS = 3;
/** A dense unit's terms listed, largest first. */
const DENSE_TERMS = 6;

/**
 * @param {{worker: import("../client.js").WorkerClient, errors: import("./errors.js").Errors,
 *   onPick: (layer: string, channel: number, y: number, x: number) => void}} deps
 *   `onPick` follows a click on the enlarged map: another position of the same map.
 */
export function inspector({ worker, errors, onPick }) {
  const box = $("unit-inspector");
  /** @type {UnitQuery | null} */
  let query = null;
  /** @type {[Pixels, NetworkView, UnitDetail] | null} */
  let shown = null;
  let ticket = 0;
  onLanguage(() => shown && query && render(query, ...shown));

  /** Look inside `q` of the network drawn as `view` for `rgba`.
   * @param {Pixels} rgba @param {NetworkView} view @param {UnitQuery} q */
  async function open(rgba, view, q) {
    query = q;
    const mine = ++ticket;
    box.hidden = false;
    box.setAttribute("aria-busy", "true");
    try {
      const detail = await worker.request("unit", { rgba: new Uint8Array(rgba.buffer.slice(0)), query: q });
      if (mine !== ticket) return;
      render(q, rgba, view, detail);
    } catch (e) {
      errors.show(e);
    } finally {
      if (mine === ticket) box.removeAttribute("aria-busy");
    }
  }

  /** @param {UnitQuery} q @param {Pixels} rgba @param {NetworkView} view @param {UnitDetail} d */
  function render(q, rgba, view, d) {
    shown = [rgba, view, d];
    const layer = view.layers.find((l) => l.name === q.layer);
    if (!layer) return;
    const drawnValue = layer.values[(q.channel * layer.height + q.y) * layer.width + q.x];
    box.dataset.layer = q.layer;
    box.dataset.kind = d.kind;
    box.dataset.detail = JSON.stringify(d);
    box.dataset.drawn = String(drawnValue);
    box.dataset.position = `${q.channel},${q.y},${q.x}`;
    const where = layer.height > 1
      ? t("inspect.where_map", { layer: displayName(q.layer), unit: q.channel + 1, y: q.y, x: q.x })
      : t("inspect.where_unit", { layer: displayName(q.layer), unit: q.channel + 1 });
    const close = el("button", { type: "button", className: "close", textContent: "×", onclick: () => (box.hidden = true) });
    close.setAttribute("aria-label", t("inspect.close"));
    /** @type {HTMLElement[]} */
    const parts = [el("h3", { textContent: where }), close];
    if (layer.height > 1) parts.push(enlarged(layer, q));
    parts.push(explain(d, q.channel));
    box.replaceChildren(...parts);
  }

  /** The map enlarged, the unit marked; a click picks another position.
   * @param {import("../values.js").ViewLayer} layer @param {UnitQuery} q */
  function enlarged(layer, q) {
    const canvas = el("canvas", { width: layer.width, height: layer.height, className: "enlarged" });
    drawMap(canvas, layer.values, q.channel, layer.height, layer.width, scaleOf(layer.values));
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 0.15;
    ctx.strokeRect(q.x + 0.05, q.y + 0.05, 0.9, 0.9);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", t("inspect.map_label"));
    canvas.title = t("inspect.map_label");
    canvas.onclick = (e) => {
      const r = canvas.getBoundingClientRect();
      const x = Math.min(layer.width - 1, Math.floor(((e.clientX - r.left) / r.width) * layer.width));
      const y = Math.min(layer.height - 1, Math.floor(((e.clientY - r.top) / r.height) * layer.height));
      onPick(q.layer, q.channel, y, x);
    };
    return el("figure", {}, canvas, el("figcaption", { textContent: t("inspect.map_caption") }));
  }

  return {
    open,
    /** The unit looked at, if any. */
    query: () => (box.hidden ? null : query),
    /** Look again at the same unit, for new weights or another image.
     * @param {Pixels} rgba @param {NetworkView} view */
    refresh: (rgba, view) => query && open(rgba, view, query),
  };
}

/** A layer's name as the page shows it: the words among them (input, pool…) in the reader's
 * language, the numbered names (conv1, block2) as they are.
 * @param {string} name */
export function displayName(name) {
  return has(`network.name.${name}`) ? t(`network.name.${name}`) : name;
}

/** The arithmetic of one unit, in words and numbers.
 * @param {UnitDetail} d @param {number} channel the unit (an output's class) */
function explain(d, channel) {
  const out = el("div", { className: "arith" });
  const line = (/** @type {string} */ key, /** @type {Record<string, string>} */ params) =>
    out.append(el("p", { textContent: t(key, params) }));
  switch (d.kind) {
    case "input":
      line("inspect.input", { value: num(d.value) });
      break;
    case "conv": {
      line("inspect.conv_intro", { c: String(d.channels_in), k: String(d.kernel) });
      const k2 = d.kernel * d.kernel;
      const wMax = Math.max(...d.weights.map(Math.abs));
      const xMax = Math.max(...d.patch.map(Math.abs));
      const grids = el("div", { className: "grids" });
      // The channels that add the most to the sum, largest first.
      const partials = Array.from({ length: d.channels_in }, (_, c) =>
        d.weights.slice(c * k2, (c + 1) * k2).reduce((s, w, i) => s + w * d.patch[c * k2 + i], 0));
      const order = partials.map((p, c) => [Math.abs(p), c]).sort((a, b) => b[0] - a[0]).map(([, c]) => c);
      for (const c of order.slice(0, CHANNEL_GRIDS)) {
        const w = d.weights.slice(c * k2, (c + 1) * k2);
        const x = d.patch.slice(c * k2, (c + 1) * k2);
        grids.append(el("figure", {},
          el("figcaption", { textContent: t("inspect.channel", { c: String(c + 1) }) }),
          el("div", { className: "pair" }, numberGrid(w, d.kernel, wMax), el("span", { textContent: "·" }), numberGrid(x, d.kernel, xMax)),
          el("figcaption", { textContent: `Σ w·x = ${num(partials[c])}` })));
      }
      out.append(grids);
      if (d.channels_in > CHANNEL_GRIDS) line("inspect.more_channels", { count: String(d.channels_in - CHANNEL_GRIDS) });
      const terms = partials.reduce((a, b) => a + b, 0);
      const sum = d.bias === null ? `Σ w·x = ${num(d.sum)}` : `Σ w·x + b = ${num(terms)} ${signed(d.bias)} = ${num(d.sum)}`;
      out.append(formula(sum, t("inspect.sum_note")));
      out.append(activationLine(d.activation, d.sum, d.value));
      break;
    }
    case "pool": {
      line("inspect.pool", { size: `${d.size}×${d.size}` });
      const mark = d.window.indexOf(Math.max(...d.window));
      out.append(numberGrid(d.window, d.size, Math.max(...d.window.map(Math.abs))), formula(`max = ${num(d.value)}`));
      out.lastElementChild?.previousElementSibling?.querySelectorAll("td")[mark]?.classList.add("mark");
      break;
    }
    case "norm":
      line("inspect.norm", { input: num(d.input), value: num(d.value) });
      break;
    case "dense": {
      const terms = d.weights.map((w, i) => [w * d.inputs[i], w, d.inputs[i], i]).sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]));
      line("inspect.dense_intro", { count: String(d.inputs.length) });
      const list = el("ol", { className: "terms" });
      for (const [p, w, x, i] of terms.slice(0, DENSE_TERMS)) {
        list.append(el("li", { textContent: `w${i}·x${i} = ${num(w)} × ${num(x)} = ${num(p)}` }));
      }
      out.append(list);
      const bias = d.bias === null ? "" : ` + b`;
      const scale = d.scale === 1 ? "" : ` × ${num(d.scale)}`;
      out.append(formula(`(Σ w·x${bias})${scale} = ${num(d.sum * d.scale)}`));
      if (d.logits && d.probabilities) out.append(softmaxLines(d, channel));
      else out.append(activationLine(d.activation, d.sum, d.value));
      break;
    }
  }
  return out;
}

/** `activation(sum) = value`, in words for the reader.
 * @param {string} activation @param {number} sum @param {number} value */
function activationLine(activation, sum, value) {
  const f = { relu: `ReLU(z) = max(0, z)`, sigmoid: `σ(z) = 1 / (1 + e^−z)`, gelu: `GELU(z) = z·Φ(z)`, linear: `z` }[activation] ?? activation;
  return formula(`${f}: ${activation === "linear" ? "" : `z = ${num(sum)} → `}${num(value)}`, t(`inspect.act.${activation}`));
}

/** The softmax of the logits with the numbers, for output `k`, the one clicked.
 * @param {Extract<UnitDetail, {kind: "dense"}>} d @param {number} k */
function softmaxLines(d, k) {
  const logits = d.logits ?? [];
  const probabilities = d.probabilities ?? [];
  const exps = logits.map((z) => Math.exp(z));
  const total = exps.reduce((a, b) => a + b, 0);
  const box = el("div");
  box.append(formula(`p = e^z / Σ e^z = ${num(exps[k])} / ${num(total)} = ${num(probabilities[k])}`, t("inspect.softmax")));
  const table = el("table", { className: "logits" });
  logits.forEach((z, i) => {
    const row = table.insertRow();
    row.insertCell().textContent = className(CIFAR_CLASSES[i] ?? String(i));
    row.insertCell().textContent = `z = ${num(z)}`;
    row.insertCell().textContent = `p = ${num(probabilities[i])}`;
    if (i === k) row.className = "mark";
  });
  box.append(table);
  return box;
}

/** `+ b` or `− b` for a term added to a sum.
 * @param {number} b */
function signed(b) {
  return b < 0 ? `− ${num(-b)}` : `+ ${num(b)}`;
}

/** A formula line, with a note under it.
 * @param {string} text @param {string} [note] */
function formula(text, note) {
  const p = el("p", { className: "formula" }, el("code", { textContent: text }));
  if (note) p.append(el("span", { className: "hint", textContent: ` ${note}` }));
  return p;
}

// The network drawn at the centre of the page: every layer of the network in use for the
// picture shown, input to output, each feature map computed by the engine (`network`), the
// outputs as bars. A click (or Enter) on a map or a unit looks inside it (`unit`, drawn by
// www/panels/inspector.js). While a run trains and the drawing is on screen, the engine draws the
// network for its picture with the looks of the progress reports (`draw_during_runs`), in the
// reports' own reads; in slow motion the drawing lights the batch's steps in turn.
import { argmaxOf, diverging, drawMap, num, scaleOf } from "../network-draw.js";
import { $, el } from "../ui.js";
import { className, fmt, onLanguage, t } from "../i18n/index.js";
import { displayName, inspector } from "./inspector.js";

/** @typedef {import("../values.js").NetworkView} NetworkView */
/** @typedef {import("../values.js").ViewLayer} ViewLayer */
/** @typedef {Uint8Array | Uint8ClampedArray} Pixels 32×32 RGBA */

/** How long each layer stays lit as a slow-motion pass sweeps over the drawing. */
const SWEEP_MS = 90;

/**
 * @param {{worker: import("../client.js").WorkerClient, bus: import("../bus.js").Bus,
 *   errors: import("./errors.js").Errors, classNames: () => string[]}} deps
 *   `classNames` names the outputs (the dataset's classes, CIFAR-10's by default).
 */
export function networkPanel({ worker, bus, errors, classNames }) {
  const diagram = /** @type {HTMLElement} */ ($("network-diagram"));
  const look = inspector({ worker, errors, onPick: (layer, channel, y, x) => inspect(layer, channel, y, x) });
  /** @type {Pixels | null} */
  let rgba = null;
  /** @type {NetworkView | null} the view drawn last */
  let view = null;
  let ticket = 0;
  let visible = true;
  /** @type {Pixels | null | undefined} the picture the engine draws during runs (undefined:
   * not told yet) */
  let following;
  /** Tell the engine which picture to draw with the progress reports: the one shown, while the
   * drawing is on screen; none otherwise (a drawing nobody sees costs the run nothing). */
  function follow() {
    const wanted = visible ? rgba : null;
    if (wanted === following) return;
    following = wanted;
    const picture = wanted ? new Uint8Array(wanted.buffer.slice(0)) : null;
    worker.request("draw_during_runs", { rgba: picture }).catch(() => (following = undefined));
  }
  new IntersectionObserver(([entry]) => {
    visible = entry.isIntersecting;
    follow();
  }).observe(diagram);
  bus.on("engine_restarted", () => {
    following = undefined;
    follow();
  });
  // Another language: the diagram is built anew, its words in that language.
  onLanguage(() => {
    const shown = view;
    view = null;
    if (shown) draw(shown);
  });

  /** Draw the network for `pixels` (with the weights in use now), and follow runs with it.
   * @param {Pixels} pixels */
  async function show(pixels) {
    rgba = pixels;
    follow();
    const mine = ++ticket;
    const next = await worker.request("network", { rgba: new Uint8Array(pixels.buffer.slice(0)) });
    if (mine !== ticket) return;
    draw(next);
    if (look.query()) look.refresh(rgba, next);
  }

  /** Draw `next`: the maps only where the layers are those drawn, else the whole diagram.
   * @param {NetworkView} next */
  function draw(next) {
    const same =
      view &&
      view.layers.length === next.layers.length &&
      view.layers.every((l, i) => l.name === next.layers[i].name && l.channels === next.layers[i].channels);
    view = next;
    if (!same) build(next);
    else for (const layer of next.layers) paint(layer);
    showOutputs(next);
    const picture = diagram.querySelector("canvas.rgb");
    if (picture instanceof HTMLCanvasElement && rgba) {
      /** @type {CanvasRenderingContext2D} */ (picture.getContext("2d")).putImageData(new ImageData(new Uint8ClampedArray(rgba), 32, 32), 0, 0);
    }
    diagram.dataset.updated = String((Number(diagram.dataset.updated) || 0) + 1);
  }

  /** Build the diagram's elements for `v`: one column per layer, a block's inner layers folded
   * inside it.
   * @param {NetworkView} v */
  function build(v) {
    const inner = new Map();
    for (const l of v.layers) if (l.group) inner.set(l.group, [...(inner.get(l.group) ?? []), l]);
    diagram.replaceChildren(
      ...v.layers.filter((l) => !l.group).map((l) => column(l, inner.get(l.name) ?? [])),
    );
    for (const layer of v.layers) if (!layer.group) paint(layer);
  }

  /** One layer's column: its name and shape, then its maps, units or bars.
   * @param {ViewLayer} layer @param {ViewLayer[]} inside a block's inner layers */
  function column(layer, inside) {
    const shape = layer.height > 1 ? `${layer.channels} × ${layer.height}×${layer.width}` : String(layer.channels);
    const act = layer.activation && layer.kind !== "norm" && layer.kind !== "output" ? ` · ${t(`network.act.${layer.activation}`)}` : "";
    const head = el("div", { className: "layer-head" },
      el("strong", { textContent: displayName(layer.name) }),
      el("span", { textContent: `${t(`network.kind.${layer.kind}`)}${act}` }),
      el("span", { className: "shape", textContent: shape }),
      el("span", { className: "grad" }));
    const col = el("div", { className: `layer ${layer.kind}`, role: "group" }, head, units(layer));
    // The input as a picture too, above its three colour channels.
    if (layer.kind === "input") head.after(el("canvas", { className: "rgb", width: 32, height: 32 }));
    col.dataset.layer = layer.name;
    col.dataset.maps = String(layer.channels);
    col.dataset.kind = layer.kind;
    col.setAttribute("aria-label", `${displayName(layer.name)}: ${t(`network.kind.${layer.kind}`)}, ${shape}`);
    if (inside.length) {
      const details = el("details", { className: "inside-block" },
        el("summary", { textContent: t("network.inside_block", { count: inside.length + 1 }) }),
        el("div", { className: "inner" }, ...inside.map((l) => column(l, []))));
      details.addEventListener("toggle", () => details.open && view && view.layers.forEach((l) => l.group === layer.name && paint(l)));
      col.append(details);
    }
    return col;
  }

  /** A layer's clickable units: a canvas per map, a cell per dense unit, a bar per output.
   * @param {ViewLayer} layer */
  function units(layer) {
    const box = el("div", { className: "units" });
    const count = layer.channels;
    if (layer.kind === "output") {
      const names = classNames();
      for (let c = 0; c < count; c++) {
        const unit = el("button", { type: "button", className: "out" },
          el("span", { className: "name", textContent: className(names[c] ?? String(c)) }),
          el("span", { className: "bar" }, el("span")),
          el("span", { className: "pct" }));
        unit.dataset.unit = String(c);
        box.append(unit);
      }
      return box;
    }
    const side = layer.height > 1 ? tileSize(layer) : 12;
    // Columns about three times as tall as wide: the layers side by side fit a desktop's width.
    const columns = Math.max(1, Math.ceil(Math.sqrt(count / (layer.height > 1 ? 3 : 5))));
    box.style.gridTemplateColumns = `repeat(${columns}, ${side}px)`;
    for (let c = 0; c < count; c++) {
      const unit = layer.height > 1 ? el("canvas", { width: layer.width, height: layer.height }) : el("span");
      unit.dataset.unit = String(c);
      unit.setAttribute("role", "button");
      unit.tabIndex = c === 0 ? 0 : -1; // one stop per layer; the arrows move within it
      unit.setAttribute("aria-label", t("network.unit_label", { layer: displayName(layer.name), unit: c + 1 }));
      unit.style.width = unit.style.height = `${side}px`;
      box.append(unit);
    }
    return box;
  }

  /** Colour a layer's units with its current values.
   * @param {ViewLayer} layer */
  function paint(layer) {
    const col = diagram.querySelector(`.layer[data-layer="${CSS.escape(layer.name)}"]`);
    if (!col || layer.kind === "output") return;
    if (layer.group && !col.closest("details")?.open) return;
    const max = scaleOf(layer.values);
    const units = col.querySelectorAll(":scope > .units > [data-unit]");
    const size = layer.height * layer.width;
    units.forEach((unit, c) => {
      // A ReLU map that is 0 everywhere gives nothing to the next layer for this picture; a
      // sigmoid map in its flat tails passes almost no gradient back.
      const map = layer.values.subarray(c * size, (c + 1) * size);
      unit.classList.toggle("dead", layer.activation === "relu" && map.every((v) => v === 0));
      unit.classList.toggle("saturated", layer.activation === "sigmoid" && map.every((v) => v < 0.05 || v > 0.95));
      if (unit instanceof HTMLCanvasElement) drawMap(unit, layer.values, c, layer.height, layer.width, max);
      else {
        const [r, g, b] = diverging(layer.values[c], max);
        /** @type {HTMLElement} */ (unit).style.background = `rgb(${r},${g},${b})`;
        unit.setAttribute("title", num(layer.values[c]));
      }
    });
  }

  /** The output bars: each class' probability.
   * @param {NetworkView} v */
  function showOutputs(v) {
    const bars = diagram.querySelectorAll(".layer.output [data-unit]");
    bars.forEach((bar, c) => {
      const p = v.probabilities[c] ?? 0;
      /** @type {HTMLElement} */ (bar.querySelector(".bar span")).style.width = `${Math.max(0.5, p * 100)}%`;
      /** @type {HTMLElement} */ (bar.querySelector(".pct")).textContent = fmt.pct(p, 1);
      /** @type {HTMLElement} */ (bar).dataset.probability = String(p);
    });
    const top = v.probabilities.indexOf(Math.max(...v.probabilities));
    bars.forEach((bar, c) => bar.classList.toggle("top", c === top));
  }

  /** Look inside unit `channel` of `layer` at (`y`, `x`), by default where its map is largest.
   * @param {string} layerName @param {number} channel @param {number} [y] @param {number} [x] */
  function inspect(layerName, channel, y, x) {
    const layer = view?.layers.find((l) => l.name === layerName);
    if (!layer || !rgba || !view) return;
    if (y === undefined || x === undefined) [y, x] = argmaxOf(layer.values, channel, layer.height, layer.width);
    for (const u of diagram.querySelectorAll("[data-unit].selected")) u.classList.remove("selected");
    diagram
      .querySelector(`.layer[data-layer="${CSS.escape(layerName)}"] > .units > [data-unit="${channel}"]`)
      ?.classList.add("selected");
    look.open(rgba, view, { layer: layerName, channel, y, x });
  }

  diagram.addEventListener("click", (e) => {
    const unit = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (e.target).closest("[data-unit]"));
    const layer = unit?.closest(".layer");
    if (unit && layer instanceof HTMLElement) inspect(layer.dataset.layer ?? "", Number(unit.dataset.unit));
  });
  diagram.addEventListener("keydown", (e) => {
    const unit = /** @type {HTMLElement} */ (e.target);
    if (!unit.dataset?.unit || unit.tagName === "BUTTON") return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      unit.click();
      return;
    }
    /** @type {Record<string, number>} */
    const steps = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    const step = steps[e.key];
    const sibling = step && unit.parentElement?.children[Number(unit.dataset.unit) + step];
    if (sibling instanceof HTMLElement) {
      e.preventDefault();
      unit.tabIndex = -1;
      sibling.tabIndex = 0;
      sibling.focus();
    }
  });

  // While a run trains: the network as the engine drew it with a progress report (the unit
  // looked at keeps its numbers until the run ends or another is clicked).
  bus.on("progress", ({ event }) => {
    if (event.type === "step" && event.network && visible && rgba) draw(event.network);
  });

  // Slow motion (www/panels/learn.js lights the steps): forward sweeps the layers left to
  // right, the loss lights the output, backward sweeps right to left, update lights the layers
  // with weights.
  /** @type {ReturnType<typeof setTimeout>[]} */
  let sweeps = [];
  bus.on("learning_step", (step) => {
    sweeps.forEach(clearTimeout);
    sweeps = [];
    diagram.dataset.phase = step ?? "";
    const columns = [...diagram.querySelectorAll(":scope > .layer")];
    for (const c of columns) c.classList.remove("lit");
    if (step !== "forward" && step !== "backward") return;
    const order = step === "forward" ? columns : columns.reverse();
    order.forEach((c, i) =>
      sweeps.push(setTimeout(() => {
        for (const o of columns) o.classList.toggle("lit", o === c);
      }, i * SWEEP_MS)));
  });
  // A look inside the network (learn panel): each layer's gradient size and last change.
  bus.on("insight", (insight) => {
    for (const g of insight.layers) {
      const cell = diagram.querySelector(`.layer[data-layer="${CSS.escape(g.layer)}"] .grad`);
      if (!cell) continue;
      cell.textContent = `‖∇‖ ${num(g.gradient_norm)}${g.update_norm === null ? "" : ` · ‖Δw‖ ${num(g.update_norm)}`}`;
    }
  });

  return {
    show,
    /** Look inside the strongest unit of the last convolution (the black-box lesson). */
    inspectLastConv() {
      const last = view?.layers.filter((l) => (l.kind === "conv" || l.kind === "norm") && !l.group).at(-1);
      if (!last) return;
      const size = last.height * last.width;
      let best = 0;
      for (let c = 0; c < last.channels; c++) {
        const sum = (/** @type {number} */ k) => last.values.subarray(k * size, (k + 1) * size).reduce((a, b) => a + b, 0);
        if (sum(c) > sum(best)) best = c;
      }
      inspect(last.name, best);
      diagram.scrollIntoView({ behavior: "smooth", block: "center" });
    },
  };
}

/** A map's side on screen: small maps enlarged, none under 12 px or over 32 px.
 * @param {ViewLayer} layer */
function tileSize(layer) {
  return Math.max(10, Math.min(24, layer.height * (layer.height < 10 ? 3 : layer.height < 20 ? 2 : 1)));
}

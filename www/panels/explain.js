// "Inside the network": for the image classified last, saliency and Grad-CAM over the enlarged
// input and each convolution's feature maps; and the first layer's filters as colour tiles.
// The explanation comes with the classification (www/panels/classify.js asks for it while the
// panel is open); opening the panel classifies the last image again, to explain it.
import { heatCanvas, mapsGrid } from "../draw.js";
import { $ } from "../ui.js";
import { className, fmt, onLanguage, say, t } from "../i18n/index.js";

/** @typedef {import("../values.js").Explanation} Explanation */

/**
 * @param {{worker: import("../client.js").WorkerClient, bus: import("../bus.js").Bus,
 *   inputCanvas: HTMLCanvasElement, markExplained: (cls: number) => void,
 *   onOpen: () => boolean}} deps
 *   `inputCanvas` holds the image as the network sees it, `markExplained` marks the class the
 *   maps are for, `onOpen` follows the opening of the panel (true where an image is classified
 *   again, to be explained).
 */
export function explainPanel({ worker, bus, inputCanvas, markExplained, onOpen }) {
  const details = $("inside");
  /** @type {Explanation | null} the explanation drawn, captioned again in another language */
  let shown = null;
  onLanguage(() => shown && caption(shown));

  /** Draw the explanation of a classification, or say how to get one.
   * @param {Explanation | null} ex */
  function show(ex) {
    if (!ex) {
      // No stale maps of an earlier image next to this one.
      for (const id of ["saliency", "gradcam"]) $(id).getContext("2d").clearRect(0, 0, $(id).width, $(id).height);
      shown = null;
      say($("explain-status"), "explain.open");
      return;
    }
    shown = ex;
    renderExplanation(ex, inputCanvas);
    markExplained(ex.class);
  }
  details.addEventListener("toggle", () => {
    if (details.open && onOpen()) say($("explain-status"), "explain.computing");
  });

  let filtersPending = false;
  /** Draw the first layer's filters of the weights in use. */
  async function refreshFilters() {
    if (filtersPending) return;
    filtersPending = true;
    try {
      renderFilters(await worker.request("filters", {}));
    } catch (e) {
      console.warn(`filters: ${e.message}`);
    } finally {
      filtersPending = false;
    }
  }
  // The filters as they are learned, and whenever other weights are in use.
  bus.on("epoch_finished", refreshFilters);
  bus.on("weights_changed", refreshFilters);
  bus.on("dataset_loaded", refreshFilters);

  return {
    show,
    /** The explanation is wanted with each classification while the panel is open. */
    wanted: () => details.open,
  };
}

/** Draw `overlay` over the 32×32 `input` canvas, enlarged onto `target`.
 * @param {HTMLCanvasElement} target @param {HTMLCanvasElement} input @param {HTMLCanvasElement} overlay
 * @param {number} alpha @param {boolean} smooth */
function overlayOn(target, input, overlay, alpha, smooth) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (target.getContext("2d"));
  ctx.clearRect(0, 0, target.width, target.height);
  ctx.imageSmoothingEnabled = false;
  ctx.globalAlpha = 1;
  ctx.filter = "grayscale(0.7)";
  ctx.drawImage(input, 0, 0, target.width, target.height);
  ctx.filter = "none";
  ctx.imageSmoothingEnabled = smooth;
  ctx.globalAlpha = alpha;
  ctx.drawImage(overlay, 0, 0, target.width, target.height);
  ctx.globalAlpha = 1;
}

/** The largest value but the top 1%, so that a few extreme pixels do not wash the map out.
 * @param {Float32Array} values */
function robustMax(values) {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.floor(sorted.length * 0.99)] || sorted[sorted.length - 1] || 0;
}

/** Draw an explanation for the image on `inputCanvas`.
 * @param {Explanation} ex @param {HTMLCanvasElement} inputCanvas */
function renderExplanation(ex, inputCanvas) {
  const top = ex.predictions.find((p) => p.class === ex.class) ?? ex.predictions[0];
  const saliency = $("saliency");
  overlayOn(saliency, inputCanvas, heatCanvas(ex.saliency, 32, 32, robustMax(ex.saliency)), 0.75, false);
  saliency.dataset.mass = String(ex.saliency.reduce((a, b) => a + b, 0));
  const side = ex.gradcam_side;
  const gradcam = $("gradcam");
  overlayOn(gradcam, inputCanvas, heatCanvas(ex.gradcam, side, side), 0.55, true);
  gradcam.dataset.side = String(side);
  gradcam.dataset.values = JSON.stringify(Array.from(ex.gradcam));
  $("explain-status").dataset.class = String(ex.class);
  const last = ex.feature_maps.at(-1);
  if (last) say($("gradcam-caption"), "classify.gradcam_layer", { layer: last.layer, side });

  const figures = ex.feature_maps.map((layer) => {
    const columns = layer.channels <= 32 ? 8 : 16;
    const scale = layer.width >= 28 ? 2 : layer.width >= 12 ? 3 : 8;
    const figure = document.createElement("figure");
    figure.dataset.layer = layer.layer;
    figure.append(document.createElement("figcaption"), mapsGrid(layer.values, layer.channels, layer.width, layer.height, columns, scale));
    return figure;
  });
  $("feature-maps").replaceChildren(...figures);
  caption(ex);
}

/** The sentences of an explanation: what the maps are for, and each layer's caption.
 * @param {Explanation} ex */
function caption(ex) {
  const top = ex.predictions.find((p) => p.class === ex.class) ?? ex.predictions[0];
  const which = { key: top === ex.predictions[0] ? "explain.top" : "explain.the_class" };
  say($("explain-status"), "explain.maps", { which, name: className(top.name), pct: fmt.pct(top.probability, 1) });
  const captions = $("feature-maps").querySelectorAll("figcaption");
  ex.feature_maps.forEach((layer, i) => {
    const params = { layer: layer.layer, channels: layer.channels, height: layer.height, width: layer.width };
    if (captions[i]) captions[i].textContent = t("explain.layer", params);
  });
}

/** Draw the first layer's filters as colour tiles, all scaled by the layer's extreme values
 * (grey is zero).
 * @param {import("../values.js").Filters} f */
function renderFilters(f) {
  const canvas = $("filters");
  const scale = 10;
  const gap = 4;
  const columns = 8;
  const rows = Math.ceil(f.count / columns);
  canvas.width = columns * (f.size * scale + gap);
  canvas.height = rows * (f.size * scale + gap);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const extreme = f.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const plane = f.size * f.size;
  for (let k = 0; k < f.count; k++) {
    for (let y = 0; y < f.size; y++) {
      for (let x = 0; x < f.size; x++) {
        const rgb = [0, 1, 2].map((c) => {
          const v = c < f.channels ? f.values[k * f.channels * plane + c * plane + y * f.size + x] : 0;
          return Math.round(127.5 + (127.5 * v) / extreme);
        });
        ctx.fillStyle = `rgb(${rgb.join(",")})`;
        const ox = (k % columns) * (f.size * scale + gap);
        const oy = Math.floor(k / columns) * (f.size * scale + gap);
        ctx.fillRect(ox + x * scale, oy + y * scale, scale, scale);
      }
    }
  }
  canvas.dataset.count = String(f.count);
  // airbench's first layer (2×2 whitening) is computed from the training images, not learned.
  const key = f.size === 2 ? "inside.filters_computed" : "inside.filters_learned";
  say($("filters-caption"), key, { count: f.count, size: f.size });
}

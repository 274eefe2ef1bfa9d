// The interpretability views for a classified image: saliency and Grad-CAM over the enlarged
// input, the first layer's filters as colour tiles, and each convolution's feature maps.
import { heatCanvas, mapsGrid } from "./draw.js";

const $ = (id) => document.getElementById(id);

/** Draw `overlay` over the 32×32 `input` canvas, enlarged onto `target`. */
function overlayOn(target, input, overlay, alpha, smooth) {
  const ctx = target.getContext("2d");
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

/** The largest value but the top 1%, so that a few extreme pixels do not wash the map out. */
function robustMax(values) {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.floor(sorted.length * 0.99)] || sorted[sorted.length - 1] || 0;
}

/** Draw an explanation (`Engine.explain`'s result) for the image on `inputCanvas`. */
export function renderExplanation(ex, inputCanvas) {
  const top = ex.predictions.find((p) => p.class === ex.class) ?? ex.predictions[0];
  const saliency = $("saliency");
  overlayOn(saliency, inputCanvas, heatCanvas(ex.saliency, 32, 32, robustMax(ex.saliency)), 0.75, false);
  saliency.dataset.mass = String(ex.saliency.reduce((a, b) => a + b, 0));
  const side = ex.gradcam_side;
  const gradcam = $("gradcam");
  overlayOn(gradcam, inputCanvas, heatCanvas(ex.gradcam, side, side), 0.55, true);
  gradcam.dataset.side = String(side);
  gradcam.dataset.values = JSON.stringify(Array.from(ex.gradcam));
  const which = top === ex.predictions[0] ? "the top class" : "the class";
  $("explain-status").textContent =
    `Maps for ${which}, “${top.name}” (${(top.probability * 100).toFixed(1)}%). Click a class in the list to explain it instead.`;
  $("explain-status").dataset.class = String(ex.class);

  const figures = ex.feature_maps.map((layer) => {
    const columns = layer.channels <= 32 ? 8 : 16;
    const scale = layer.width >= 28 ? 2 : layer.width >= 12 ? 3 : 8;
    const figure = document.createElement("figure");
    figure.dataset.layer = layer.layer;
    const caption = document.createElement("figcaption");
    caption.textContent = `${layer.layer}: ${layer.channels} feature maps of ${layer.height}×${layer.width} (after the activation; white = strongest in this layer)`;
    figure.append(caption, mapsGrid(layer.values, layer.channels, layer.width, layer.height, columns, scale));
    return figure;
  });
  $("feature-maps").replaceChildren(...figures);
}

/** Draw the first layer's filters (`Engine.filters`'s result) as colour tiles, all scaled by
 * the layer's extreme values (grey is zero). */
export function renderFilters(f) {
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
}

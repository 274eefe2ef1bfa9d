// Small canvas helpers shared by the evaluation and interpretability views.

/** The 2D context of `canvas` (a canvas has one unless another kind was asked for first).
 * @param {HTMLCanvasElement} canvas */
const context2d = (canvas) => /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));

/** Draw 32×32 RGBA image number `i` of `rgba` on a new canvas.
 * @param {import("./values.js").Bytes} rgba */
export function imageCanvas(rgba, i = 0) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 32;
  const pixels = new Uint8ClampedArray(rgba.buffer, rgba.byteOffset + i * 4096, 4096);
  context2d(canvas).putImageData(new ImageData(pixels, 32, 32), 0, 0);
  return canvas;
}

/** A perceptually ordered heat colour for t in [0, 1] (dark blue → red → yellow).
 * @param {number} t */
export function heat(t) {
  const x = Math.min(1, Math.max(0, t));
  const r = Math.round(255 * Math.min(1, 1.6 * x));
  const g = Math.round(255 * Math.max(0, Math.min(1, 1.8 * x - 0.6)));
  const b = Math.round(255 * Math.max(0, 0.55 - 1.2 * x) + 40 * (1 - x));
  return [r, g, b];
}

/** `values` (width × height, row-major) as a heat map on a new canvas, scaled to [0, max].
 * @param {Float32Array} values @param {number} width @param {number} height */
export function heatCanvas(values, width, height, max = Math.max(...values)) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = context2d(canvas);
  const image = ctx.createImageData(width, height);
  const scale = max > 0 ? 1 / max : 0;
  values.forEach((v, i) => {
    const [r, g, b] = heat(v * scale);
    image.data.set([r, g, b, 255], i * 4);
  });
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** Grey tiles of many maps (`channels` maps of width × height, flattened) in a grid. Each
 * layer is scaled by its own largest value, so tiles of one layer compare.
 * @param {Float32Array} values @param {number} channels @param {number} width @param {number} height
 * @param {number} columns @param {number} scale */
export function mapsGrid(values, channels, width, height, columns, scale) {
  const gap = 2;
  const rows = Math.ceil(channels / columns);
  const canvas = document.createElement("canvas");
  canvas.width = columns * (width * scale + gap);
  canvas.height = rows * (height * scale + gap);
  const ctx = context2d(canvas);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || 1;
  const tile = ctx.createImageData(width, height);
  const plane = width * height;
  const small = document.createElement("canvas");
  small.width = width;
  small.height = height;
  const sctx = context2d(small);
  ctx.imageSmoothingEnabled = false;
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane; p++) {
      const g = Math.round((255 * (values[c * plane + p] - lo)) / span);
      tile.data.set([g, g, g, 255], p * 4);
    }
    sctx.putImageData(tile, 0, 0);
    const x = (c % columns) * (width * scale + gap);
    const y = Math.floor(c / columns) * (height * scale + gap);
    ctx.drawImage(small, x, y, width * scale, height * scale);
  }
  return canvas;
}

// The drawing of the network's values: one colour scale for every map, the inspector's
// enlarged map and its number grids. Positive values are orange, negative blue, zero white, each
// layer scaled by its own largest magnitude (its 99th percentile, so that a few extreme units do
// not wash the rest out).

/** The scale's ends: the accent orange (#d9480f) for positive values, blue (#1c7ed6) for
 * negative ones; zero is white. */
const POSITIVE = [217, 72, 15];
const NEGATIVE = [28, 126, 214];

/** Colour component `i` (0 red, 1 green, 2 blue) of `t` in [−1, 1] on the scale.
 * @param {number} t @param {number} i */
const shade = (t, i) => 255 + ((t >= 0 ? POSITIVE : NEGATIVE)[i] - 255) * Math.abs(t);

/** `v` on a scale whose ends are ±`max`, clamped to [−1, 1].
 * @param {number} v @param {number} max */
const position = (v, max) => Math.max(-1, Math.min(1, max > 0 ? v / max : 0));

/** The colour of `v` on a scale whose ends are ±`max`: [r, g, b].
 * @param {number} v @param {number} max */
export function diverging(v, max) {
  const t = position(v, max);
  return [0, 1, 2].map((i) => Math.round(shade(t, i)));
}

/** The scale of a layer: the 99th percentile of its magnitudes (the largest where few).
 * @param {Float32Array} values */
export function scaleOf(values) {
  if (values.length === 0) return 1;
  const magnitudes = Float32Array.from(values, Math.abs).sort();
  return magnitudes[Math.floor((magnitudes.length - 1) * 0.99)] || magnitudes[magnitudes.length - 1] || 1;
}

/** Draw map `channel` of `values` (`[c][h][w]`) onto `canvas`, which is `w`×`h` pixels.
 * @param {HTMLCanvasElement} canvas @param {Float32Array} values @param {number} channel
 * @param {number} height @param {number} width @param {number} max */
export function drawMap(canvas, values, channel, height, width, max) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const image = ctx.createImageData(width, height);
  const offset = channel * height * width;
  const data = image.data;
  // Written into the image directly, with no array per pixel: the drawing is redrawn during a
  // run, on the thread the page shares with the engine's workers.
  for (let i = 0; i < height * width; i++) {
    const t = position(values[offset + i], max);
    data[i * 4] = shade(t, 0);
    data[i * 4 + 1] = shade(t, 1);
    data[i * 4 + 2] = shade(t, 2);
    data[i * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** Where the largest value of map `channel` lies: [y, x].
 * @param {Float32Array} values @param {number} channel @param {number} height @param {number} width */
export function argmaxOf(values, channel, height, width) {
  const offset = channel * height * width;
  let best = 0;
  for (let i = 1; i < height * width; i++) if (values[offset + i] > values[offset + best]) best = i;
  return [Math.floor(best / width), best % width];
}

/** A number as the inspector shows it: four significant digits, a true minus sign.
 * @param {number} v */
export function num(v) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const s = Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(4);
  return s.replace("-", "−");
}

/** A `size`×`size` grid of numbers coloured on the scale ±`max`, the cell `mark` outlined.
 * @param {number[]} values @param {number} size @param {number} max @param {number} [mark] */
export function numberGrid(values, size, max, mark = -1) {
  const table = document.createElement("table");
  table.className = "numbers";
  for (let y = 0; y < size; y++) {
    const row = table.insertRow();
    for (let x = 0; x < size; x++) {
      const cell = row.insertCell();
      const v = values[y * size + x];
      cell.textContent = num(v);
      // Paler than the maps, so that the numbers on them stay readable.
      const [r, g, b] = diverging(v * 0.5, max);
      cell.style.background = `rgb(${r},${g},${b})`;
      if (y * size + x === mark) cell.className = "mark";
    }
  }
  return table;
}

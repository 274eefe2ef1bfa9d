// A large picture brought down to a few pixels without skipping any: a single bilinear step
// from a 3,000-pixel photo to 32 reads four source pixels per output pixel and ignores the
// rest (aliasing: a striped shirt turns into noise). Here the canvas halves the picture while
// it is larger than WORK_SIDE (each 2:1 step averages 2×2 pixels), then every output pixel is
// the exact mean of the source pixels it covers, edge pixels weighted by their share.

/** Halve until the picture's longer side is at most this; then the exact area average. */
export const WORK_SIDE = 1024;

/** For each output position along one axis of `from` pixels into `to`: the source pixels it
 * covers and the share of each.
 * @param {number} from @param {number} to @returns {{start: number, weights: number[]}[]} */
function coverage(from, to) {
  const scale = from / to;
  return Array.from({ length: to }, (_, o) => {
    const a = o * scale;
    const b = Math.min(from, (o + 1) * scale);
    const start = Math.floor(a);
    const weights = [];
    for (let i = start; i < b; i++) weights.push((Math.min(i + 1, b) - Math.max(i, a)) / scale);
    return { start, weights };
  });
}

/** RGBA `src` (w×h, row-major) averaged down to `ow`×`oh` (each at most w, h): every output
 * pixel the area-weighted mean of the source pixels under it. Separable: rows, then columns.
 * @param {Uint8ClampedArray} src @param {number} w @param {number} h
 * @param {number} ow @param {number} oh @returns {Uint8ClampedArray} */
export function areaAverage(src, w, h, ow, oh) {
  const across = coverage(w, ow);
  const down = coverage(h, oh);
  const rows = new Float32Array(ow * h * 4); // each source row averaged across: ow × h
  for (let y = 0; y < h; y++) {
    for (let ox = 0; ox < ow; ox++) {
      const { start, weights } = across[ox];
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * src[(y * w + start + k) * 4 + c];
        rows[(y * ow + ox) * 4 + c] = sum;
      }
    }
  }
  const out = new Uint8ClampedArray(ow * oh * 4);
  for (let oy = 0; oy < oh; oy++) {
    const { start, weights } = down[oy];
    for (let ox = 0; ox < ow; ox++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * rows[((start + k) * ow + ox) * 4 + c];
        out[(oy * ow + ox) * 4 + c] = Math.round(sum);
      }
    }
  }
  return out;
}

/** The `region` of `source` as RGBA pixels, halved on canvases while its longer side exceeds
 * `max` (so at most `max`, and otherwise copied 1:1).
 * @param {CanvasImageSource} source @param {{x: number, y: number, w: number, h: number}} region
 * @param {number} [max] @returns {{data: Uint8ClampedArray, w: number, h: number}} */
export function halved(source, region, max = WORK_SIDE) {
  let { x, y, w, h } = region;
  let from = source;
  for (;;) {
    const half = Math.max(w, h) > max;
    const tw = Math.max(1, Math.round(half ? w / 2 : w));
    const th = Math.max(1, Math.round(half ? h / 2 : h));
    const canvas = document.createElement("canvas");
    canvas.width = tw;
    canvas.height = th;
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d", { willReadFrequently: !half }));
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(from, x, y, w, h, 0, 0, tw, th);
    if (!half) return { data: ctx.getImageData(0, 0, tw, th).data, w: tw, h: th };
    [from, x, y, w, h] = [canvas, 0, 0, tw, th];
  }
}

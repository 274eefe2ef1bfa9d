// The page's downscale (www/resample.js): every source pixel counts, each by the share of it an
// output pixel covers. Pure arithmetic, no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { areaAverage } from "../../www/resample.js";

/** A w×h RGBA picture with each pixel's grey level from `at(x, y)`. */
const picture = (w, h, at) => {
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set([at(x, y), at(x, y), at(x, y), 255], (y * w + x) * 4);
  return rgba;
};

test("a one-pixel checkerboard averages to an even grey, where sampling would keep one colour", () => {
  const out = areaAverage(picture(640, 640, (x, y) => ((x + y) % 2 ? 255 : 0)), 640, 640, 32, 32);
  for (let i = 0; i < out.length; i += 4) assert.ok(Math.abs(out[i] - 127.5) <= 0.5, `pixel ${i / 4}: ${out[i]}`);
});

test("a pixel shared by two outputs counts for each by its share", () => {
  // Three columns 0, 90, 180 into two: (0 + 90/2) / 1.5 = 30 and (90/2 + 180) / 1.5 = 150.
  const out = areaAverage(picture(3, 1, (x) => x * 90), 3, 1, 2, 1);
  assert.deepEqual([out[0], out[4]], [30, 150]);
  assert.equal(out[3], 255);
});

test("a thin bright line survives the downscale, where one bilinear step may miss it", () => {
  // One white column in 1,000 black ones: it is 1/31.25 of its output pixel, 8 grey levels.
  const out = areaAverage(picture(1000, 10, (x) => (x === 517 ? 255 : 0)), 1000, 10, 32, 1);
  const lit = [...Array(32).keys()].filter((i) => out[i * 4] > 0);
  assert.deepEqual(lit, [16]);
  assert.equal(out[16 * 4], 8);
});

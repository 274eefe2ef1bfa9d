// Turning any image the browser can decode into the 32×32 RGBA the network sees: its centre
// square, averaged down (resample.js).

import { areaAverage, halved } from "./resample.js";
import { pageError } from "./words.js";

const MAX_PIXELS = 50e6;

/** @param {Blob & {name?: string}} blob a file, or pasted data (no name)
 * @returns {Promise<{img: HTMLImageElement, url: string}>} */
function loadImage(blob) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(blob);
    const img = new Image();
    img.onload = () => resolve({ img, url });
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(pageError("image_undecodable", { name: blob.name || { key: "error.the_pasted_data" } }));
    };
    img.src = url;
  });
}

/** How a picture that is not square becomes square: "crop" keeps its centre square, "letterbox"
 * keeps all of it with bands of its mean colour. The page crops: on photo-like pictures made
 * from test images, cropping was right more often (docs/networks.md, `bench/framing.mjs`).
 * @typedef {"crop" | "letterbox"} Framing */

/** Bring `source` (w×h) to the 32×32 the network sees, by area averaging (resample.js), draw it
 * into `canvas` (shown beside the photo) and return its RGBA bytes.
 * @param {CanvasImageSource} source @param {number} width @param {number} height
 * @param {HTMLCanvasElement} canvas @param {Framing} [framing] */
export function toNetworkInput(source, width, height, canvas, framing = "crop") {
  const side = Math.min(width, height);
  const region = framing === "crop"
    ? { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), w: side, h: side }
    : { x: 0, y: 0, w: width, h: height };
  const { data, w, h } = halved(source, region);
  // The picture's own size in the 32×32: all of it when cropped, the longer side when boxed.
  const ow = w >= h ? 32 : Math.max(1, Math.round((32 * w) / h));
  const oh = h >= w ? 32 : Math.max(1, Math.round((32 * h) / w));
  const content = areaAverage(data, w, h, ow, oh);
  const rgba = new Uint8ClampedArray(32 * 32 * 4);
  const mean = [0, 1, 2].map((c) => {
    let sum = 0;
    for (let i = c; i < content.length; i += 4) sum += content[i];
    return Math.round(sum / (ow * oh));
  });
  const [left, top] = [(32 - ow) >> 1, (32 - oh) >> 1];
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const at = (y * 32 + x) * 4;
      const inside = x >= left && x < left + ow && y >= top && y < top + oh;
      const from = ((y - top) * ow + (x - left)) * 4;
      for (let c = 0; c < 3; c++) rgba[at + c] = inside ? content[from + c] : mean[c];
      rgba[at + 3] = 255;
    }
  }
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.putImageData(new ImageData(rgba, 32, 32), 0, 0);
  return rgba;
}

/** The 32×32 RGBA the network sees of an image file; the error names the file.
 * @param {Blob & {name?: string}} blob @param {HTMLCanvasElement} canvas */
export async function imageFileToInput(blob, canvas) {
  if (!blob.type.startsWith("image/") && blob.type !== "") {
    throw pageError("image_not_image", { name: blob.name || { key: "error.the_file" }, type: blob.type });
  }
  const { img, url } = await loadImage(blob);
  try {
    const { naturalWidth: w, naturalHeight: h } = img;
    const name = blob.name || { key: "error.the_image" };
    if (!w || !h) throw pageError("image_empty", { name });
    if (w * h > MAX_PIXELS) {
      const megapixels = Math.round((w * h) / 1e6);
      throw pageError("image_too_large", { name, width: String(w), height: String(h), megapixels, max: MAX_PIXELS / 1e6 });
    }
    return toNetworkInput(img, w, h, canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}

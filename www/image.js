// Turning any image the browser can decode into the 32×32 RGBA the network sees:
// centre crop to a square, then resize.

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

/** Draw the centre square of `source` (w×h) into the 32×32 canvas; returns its RGBA bytes.
 * @param {CanvasImageSource} source @param {number} width @param {number} height
 * @param {HTMLCanvasElement} canvas */
export function toNetworkInput(source, width, height, canvas) {
  const side = Math.min(width, height);
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d", { willReadFrequently: true }));
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.clearRect(0, 0, 32, 32);
  ctx.drawImage(source, (width - side) / 2, (height - side) / 2, side, side, 0, 0, 32, 32);
  return ctx.getImageData(0, 0, 32, 32).data;
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

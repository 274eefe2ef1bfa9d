// Ten pictures to start from before any dataset is loaded: the first test image of each
// CIFAR-10 class (www/samples/cifar10-test.bin, written by scripts/samples.mjs from the real
// test set), as 32×32 RGBA.

/** @typedef {{label: number, rgba: Uint8ClampedArray<ArrayBuffer>}} Sample */

const RECORD = 3073;
const SIDE = 32;

/** The samples, or none where the file cannot be read (the page works without them).
 * @returns {Promise<Sample[]>} */
export async function loadSamples() {
  try {
    const response = await fetch(new URL("samples/cifar10-test.bin", import.meta.url));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    /** @type {Sample[]} */
    const samples = [];
    for (let at = 0; at + RECORD <= bytes.length; at += RECORD) {
      const rgba = new Uint8ClampedArray(SIDE * SIDE * 4);
      for (let i = 0; i < SIDE * SIDE; i++) {
        for (let c = 0; c < 3; c++) rgba[i * 4 + c] = bytes[at + 1 + c * SIDE * SIDE + i];
        rgba[i * 4 + 3] = 255;
      }
      samples.push({ label: bytes[at], rgba });
    }
    return samples;
  } catch (e) {
    console.warn(`Kiln: the sample pictures could not be loaded (${e.message})`);
    return [];
  }
}

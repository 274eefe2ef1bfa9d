// Measurement: how the page should bring a photo to 32×32. Photo-like pictures are made in the
// page from real test images (the first FRAMING_IMAGES, default 500): a 640×480 scene of the
// image itself, blurred, with the image upscaled to 320×320 on it, off centre (six places in
// turn). Each is classified, by both shipped networks in the page's worker (CPU path), through
// the page's path (`toNetworkInput`: area averaging, centre crop), the same with a letterbox,
// and the old path (one drawImage to 32×32 of the centre square), beside the 32×32 original.
// Prints accuracy and how often "not sure" fires, per network and path. Needs dist/ built and
// the real archive (helpers' CIFAR).
import { readFileSync } from "node:fs";
import { openApp, realSubset } from "../tests/helpers.mjs";

const IMAGES = Number(process.env.FRAMING_IMAGES || 500);
const subset = realSubset(0, IMAGES);
if (!subset) process.exit(0);
const records = readFileSync(subset.testPath).toString("base64");

const app = await openApp(17480 + (process.pid % 500));
try {
  const rows = await app.page.evaluate(async ({ records, images }) => {
    const { WorkerClient } = await import("./client.js");
    const { Bus } = await import("./bus.js");
    const { toNetworkInput } = await import("./image.js");
    const bytes = Uint8Array.from(atob(records), (c) => c.charCodeAt(0));
    const worker = new WorkerClient("./worker.js", new Bus());
    await worker.request("init_device", { backend: "cpu" });
    const canvas = (w, h) => Object.assign(document.createElement("canvas"), { width: w, height: h });
    /** The test image as a 32×32 canvas, and its label. */
    const original = (i) => {
      const c = canvas(32, 32);
      const rgba = new Uint8ClampedArray(4096);
      for (let p = 0; p < 1024; p++) {
        for (let ch = 0; ch < 3; ch++) rgba[p * 4 + ch] = bytes[i * 3073 + 1 + ch * 1024 + p];
        rgba[p * 4 + 3] = 255;
      }
      c.getContext("2d").putImageData(new ImageData(rgba, 32, 32), 0, 0);
      return { image: c, rgba, label: bytes[i * 3073] };
    };
    const PLACES = [[40, 40], [280, 40], [160, 120], [40, 120], [280, 120], [160, 40]];
    const photo = (image, i) => {
      const c = canvas(640, 480);
      const ctx = c.getContext("2d");
      ctx.imageSmoothingQuality = "high";
      ctx.filter = "blur(24px)";
      ctx.drawImage(image, -80, -80, 800, 640);
      ctx.filter = "none";
      const [x, y] = PLACES[i % PLACES.length];
      ctx.drawImage(image, x, y, 320, 320);
      return c;
    };
    const oldPath = (source) => {
      const c = canvas(32, 32);
      const ctx = c.getContext("2d", { willReadFrequently: true });
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(source, 80, 0, 480, 480, 0, 0, 32, 32);
      return ctx.getImageData(0, 0, 32, 32).data;
    };
    const out = [];
    for (const network of ["seed", "airbench"]) {
      const buffer = await (await fetch(`models/${network}.bpk`)).arrayBuffer();
      await worker.request("load_weights", { name: `${network}.bpk`, buffer, pretrained: true });
      const paths = {
        "32×32 original": (o) => o.rgba,
        "old: one drawImage, crop": (o, p) => oldPath(p),
        "area average, crop (the page)": (o, p) => toNetworkInput(p, 640, 480, canvas(32, 32), "crop"),
        "area average, letterbox": (o, p) => toNetworkInput(p, 640, 480, canvas(32, 32), "letterbox"),
      };
      const tally = Object.fromEntries(Object.keys(paths).map((k) => [k, { right: 0, unsure: 0 }]));
      for (let i = 0; i < images; i++) {
        const o = original(i);
        const p = photo(o.image, i);
        for (const [name, path] of Object.entries(paths)) {
          const rgba = new Uint8Array(path(o, p));
          const r = await worker.request("classify", { rgba, explain: false, cls: null });
          tally[name].right += Number(r.predictions[0].class === o.label);
          tally[name].unsure += Number(r.unsure);
        }
      }
      for (const [path, t] of Object.entries(tally)) out.push({ network, path, accuracy: t.right / images, unsure: t.unsure / images });
    }
    worker.worker.terminate();
    return out;
  }, { records, images: IMAGES });
  console.log(`${IMAGES} test images as 640×480 photo-like pictures (the 32×32 original for reference)`);
  for (const r of rows) {
    console.log(`${r.network.padEnd(9)} ${r.path.padEnd(31)} ${(r.accuracy * 100).toFixed(1).padStart(5)}% right, "not sure" ${(r.unsure * 100).toFixed(1).padStart(5)}%`);
  }
  console.log(JSON.stringify({ framing: rows, images: IMAGES }));
} finally {
  await app.close();
}

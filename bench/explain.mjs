// Bench: time to classify an image, and to classify and explain it in the same request
// (saliency, Grad-CAM, feature maps), in the page's worker, on the CPU and on WebGPU. Median of 5 images after one warm-up.
// Run by `./build.sh bench`; needs dist/ built.
import { openApp } from "../tests/helpers.mjs";

const PORT = 17080 + (process.pid % 1000);
const app = await openApp(PORT);
const rows = [];
try {
  for (const backend of ["cpu", "webgpu"]) {
    const times = await app.page.evaluate(async (backend) => {
      const { WorkerClient } = await import("./client.js");
      const { Bus } = await import("./bus.js");
      const worker = new WorkerClient("./worker.js", new Bus());
      const info = await worker.request("init_device", { backend });
      const out = [];
      for (let i = 0; i < 6; i++) {
        const rgba = new Uint8Array(4096).map((_, j) => (j * (i + 7) + 13 * i) % 251);
        let t = performance.now();
        await worker.request("classify", { rgba, explain: false, cls: null });
        const classify = performance.now() - t;
        t = performance.now();
        await worker.request("classify", { rgba, explain: true, cls: null });
        out.push({ classify, explain: performance.now() - t });
      }
      worker.worker.terminate();
      return { adapter: info.adapter, backend: info.backend, out: out.slice(1) };
    }, backend);
    const median = (k) => times.out.map((o) => o[k]).sort((a, b) => a - b)[2];
    rows.push({ backend: times.backend, adapter: times.adapter, classify_ms: median("classify"), explain_ms: median("explain") });
  }
} finally {
  await app.close();
}
console.log("device    classify   explain   adapter");
for (const r of rows) {
  console.log(`${r.backend.padEnd(8)} ${r.classify_ms.toFixed(0).padStart(7)} ms ${r.explain_ms.toFixed(0).padStart(6)} ms   ${r.adapter}`);
}
console.log(JSON.stringify({ explain: rows }));

// Browser training throughput (run by `./build.sh bench`, not a test): the seed network on the
// CPU (wasm) and WebGPU backends at batch 32 and 128, through the page as a user would drive it,
// plus the size of the gzipped .wasm the page downloads. Prints a table and one JSON line.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { ROOT, launchBrowser, realSubset, startServer } from "./helpers.mjs";

const PORT = 19480;
// Images per run: SwiftShader's WebGPU manages a few images per second, the CPU far more.
const IMAGES = { cpu: Number(process.env.BENCH_CPU_IMAGES || 2048), webgpu: Number(process.env.BENCH_GPU_IMAGES || 256) };

const subset = realSubset(2048, 10);
if (!subset) process.exit(0);
const server = await startServer(PORT);
const browser = await launchBrowser();
const results = [];
try {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${PORT}/index.html`);
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await page.getByTestId("dataset-input").setInputFiles([subset.trainPath]);
  await page.waitForFunction(() => /2,048/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  for (const backend of ["cpu", "webgpu"]) {
    await page.getByTestId("backend-select").selectOption(backend);
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend);
    const actual = await page.getByTestId("backend-status").evaluate((e) => e.dataset.backend);
    if (actual !== backend) {
      console.log(`${backend}: not available (${await page.getByTestId("backend-status").innerText()})`);
      continue;
    }
    const adapter = await page.getByTestId("backend-status").innerText();
    for (const batch of [32, 128]) {
      // A short warm-up run (shader compilation, allocator), then the measured one.
      for (const [limit, measured] of [[batch * 2, false], [IMAGES[backend], true]]) {
        await page.getByTestId("epochs").fill("1");
        await page.getByTestId("batch-size").fill(String(batch));
        await page.getByTestId("train-limit").fill(String(limit));
        await page.evaluate(() => (window.kiln.lastSummary = null));
        await page.getByTestId("train").click();
        await page.waitForFunction(() => window.kiln.lastSummary, null, { timeout: 600_000 });
        if (measured) {
          const s = await page.evaluate(() => window.kiln.lastSummary);
          results.push({ backend, adapter, batch_size: batch, images: limit, images_per_second: s.images_per_second });
          console.log(`${backend.padEnd(7)} batch ${String(batch).padStart(4)}: ${s.images_per_second.toFixed(1)} img/s (${limit} images)`);
        }
      }
    }
  }
} finally {
  await browser.close();
  server.kill();
}
const wasm = readFileSync(path.join(ROOT, "dist", "pkg", "kiln_bg.wasm"));
const gz = gzipSync(wasm, { level: 9 }).length;
console.log(`kiln_bg.wasm: ${(wasm.length / 1e6).toFixed(1)} MB, ${(gz / 1e6).toFixed(2)} MB gzipped`);
console.log(JSON.stringify({ benchmark: "browser_training_throughput", results, wasm_bytes: wasm.length, wasm_gzip_bytes: gz }));

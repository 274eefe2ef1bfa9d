// Memory across epochs (run by hand or by `./build.sh bench` with MEMORY_EPOCHS set; not a
// test): trains EPOCHS epochs on the CPU (or BACKEND=webgpu) and samples the worker's wasm
// memory and, on WebGPU, burn's device allocator every second. Growth after the first epoch
// would be a leak. Prints the peak per epoch and one JSON line.
// Environment: MEMORY_EPOCHS (5), MEMORY_TRAIN (images, default: the full training set),
// BACKEND (cpu), BATCH (32), MODEL (seed, or airbench with its recipe), MEMORY_FILES
// (comma-separated .bin files instead of the archive).
import { existsSync } from "node:fs";
import { CIFAR, launchBrowser, startServer, useBackend } from "../tests/helpers.mjs";

const EPOCHS = Number(process.env.MEMORY_EPOCHS || 5);
const TRAIN = process.env.MEMORY_TRAIN || "";
const BACKEND = process.env.BACKEND || "cpu";
const BATCH = process.env.BATCH || "32";
const MODEL = process.env.MODEL || "seed";
if (!existsSync(CIFAR)) {
  console.log(`SKIPPED: real CIFAR-10 not found at ${CIFAR}`);
  process.exit(0);
}
const PORT = 19680;
// MEMORY_URL: an already-served copy of the app instead of dist/ (for a side-by-side build),
// with `?test` in it so that the page exposes window.kiln.
const server = process.env.MEMORY_URL ? null : await startServer(PORT);
const URL = process.env.MEMORY_URL || `http://localhost:${PORT}/index.html?test` /* ?test: window.kiln */;
const browser = await launchBrowser();
const peaks = [];
try {
  const page = await browser.newPage();
  await page.goto(URL);
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await useBackend(page, BACKEND);
  const files = process.env.MEMORY_FILES ? process.env.MEMORY_FILES.split(",") : [CIFAR];
  await page.getByTestId("dataset-input").setInputFiles(files);
  await page.waitForFunction(() => /training and/.test(document.querySelector('[data-testid="dataset-summary"]').innerText), null, { timeout: 120_000 });
  await page.getByTestId("model-select").selectOption(MODEL);
  await page.getByTestId("epochs").fill(String(EPOCHS));
  await page.getByTestId("batch-size").fill(BATCH);
  await page.getByTestId("train-limit").fill(TRAIN);
  const before = await page.evaluate(() => window.kiln.memory());
  console.log(`before training: wasm ${(before.wasm_bytes / 1e6).toFixed(1)} MB`);
  await page.evaluate(() => (window.kiln.lastSummary = null));
  await page.getByTestId("train").click();
  for (;;) {
    const done = await page.evaluate(() => window.kiln.lastSummary);
    if (done) break;
    const epoch = Number((await page.locator("#epoch-text").innerText()).split("/")[0]) || 1;
    const m = await page.evaluate(() => window.kiln.memory());
    const p = (peaks[epoch - 1] ??= { epoch, wasm_bytes: 0, device_reserved_bytes: null });
    p.wasm_bytes = Math.max(p.wasm_bytes, m.wasm_bytes);
    if (m.device_reserved_bytes != null) p.device_reserved_bytes = Math.max(p.device_reserved_bytes ?? 0, m.device_reserved_bytes);
    await new Promise((r) => setTimeout(r, 1000));
  }
} finally {
  await browser.close();
  server?.kill();
}
for (const p of peaks.filter(Boolean)) {
  const gpu = p.device_reserved_bytes == null ? "" : `, device pool ${(p.device_reserved_bytes / 1e6).toFixed(1)} MB`;
  console.log(`epoch ${p.epoch}: wasm memory peak ${(p.wasm_bytes / 1e6).toFixed(1)} MB${gpu}`);
}
const valid = peaks.filter(Boolean);
const growth = valid.length > 1 ? valid.at(-1).wasm_bytes - valid[0].wasm_bytes : 0;
console.log(`wasm memory growth from epoch 1 to epoch ${valid.length}: ${(growth / 1e6).toFixed(1)} MB`);
console.log(JSON.stringify({ benchmark: "memory_across_epochs", backend: BACKEND, epochs: EPOCHS, train_images: TRAIN || "all", peaks: valid, wasm_growth_bytes: growth }));

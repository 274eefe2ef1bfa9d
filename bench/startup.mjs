// Time from opening the page to the first classification with the pretrained weights (run by
// `./build.sh bench`, not a test). A 32×32 test image is given to the page as soon as its file
// input exists; the time is taken when the prediction made by the pretrained weights is shown
// (`performance.now()`, from the start of navigation). Fresh browser context each run, so
// nothing is cached. Prints each run and one JSON line.
import { readFileSync } from "node:fs";
import { launchBrowser, realSubset, startServer } from "../tests/helpers.mjs";

const PORT = 19580;
const RUNS = Number(process.env.STARTUP_RUNS || 5);
const subset = realSubset(1000, 500);
if (!subset) process.exit(0);
// A PNG of the first test image, drawn by the browser itself from the raw record.
const record = [...readFileSync(subset.testPath).subarray(0, 3073)];

const server = await startServer(PORT);
const browser = await launchBrowser();
const times = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext(); // cold: no HTTP cache, no compiled wasm cache
    const page = await context.newPage();
    await page.goto(`http://localhost:${PORT}/index.html`, { waitUntil: "commit" });
    const png = await page.evaluate((r) => {
      const c = new OffscreenCanvas(32, 32);
      const img = new ImageData(32, 32);
      for (let p = 0; p < 1024; p++) {
        for (let ch = 0; ch < 3; ch++) img.data[p * 4 + ch] = r[1 + ch * 1024 + p];
        img.data[p * 4 + 3] = 255;
      }
      c.getContext("2d").putImageData(img, 0, 0);
      return c.convertToBlob({ type: "image/png" }).then((b) => b.arrayBuffer()).then((a) => [...new Uint8Array(a)]);
    }, record);
    await page.getByTestId("image-input").setInputFiles({ name: "test0.png", mimeType: "image/png", buffer: Buffer.from(png) });
    await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').dataset.source === "pretrained", null, { timeout: 60_000 });
    const ms = Number(await page.getByTestId("prediction").getAttribute("data-at"));
    const backend = await page.getByTestId("backend-status").innerText();
    times.push(ms);
    console.log(`run ${run + 1}: first classification with pretrained weights after ${ms.toFixed(0)} ms (${backend})`);
    await context.close();
  }
} finally {
  await browser.close();
  server.kill();
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`median ${median.toFixed(0)} ms over ${RUNS} cold starts`);
console.log(JSON.stringify({ benchmark: "time_to_first_classification", runs_ms: times, median_ms: median }));

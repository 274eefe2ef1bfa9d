// The drawing's cost while a run trains (run by `./build.sh bench`, not a test): the seed on the
// CPU path, batch 32, 2,048 real CIFAR-10 images per run, with the network drawn on screen
// (the engine draws it with the progress reports' looks, at most once a second, and the page
// paints it) against hidden (neither), alternating three times,
// the best of each. Also the page's frame gaps while training with the drawing visible
// (requestAnimationFrame, 95th percentile): the page must stay responsive. Prints one JSON line.
import { ROOT, launchBrowser, realSubset, startServer } from "../tests/helpers.mjs";

const PORT = 19680;
const subset = realSubset(2048, 10);
if (!subset) process.exit(0);
void ROOT;
const server = await startServer(PORT);
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://localhost:${PORT}/index.html?test`);
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await page.getByTestId("backend-select").selectOption("cpu");
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend === "cpu");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="network-diagram"] [data-unit]').length > 0, null, { timeout: 60_000 });
  await page.getByTestId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
  await page.waitForFunction(() => /2,048/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));

  /** One epoch of 2,048 images; the frame gaps seen meanwhile. */
  async function run(visible) {
    await page.getByTestId("epochs").fill("1");
    await page.getByTestId("batch-size").fill("32");
    await page.getByTestId("train-limit").fill("2048");
    // The drawing on the first screen, or gone; Train is in the run bar, on screen either way.
    await page.evaluate((v) => {
      document.getElementById("classify-section").style.display = v ? "" : "none";
      scrollTo(0, 0);
    }, visible);
    const drawnBefore = await page.$eval('[data-testid="network-diagram"]', (d) => Number(d.dataset.updated || 0));
    await page.evaluate(() => {
      window.kiln.lastSummary = null;
      window.__gaps = [];
      let last = performance.now();
      const frame = (now) => {
        window.__gaps.push(now - last);
        last = now;
        if (!window.kiln.lastSummary) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    await page.getByTestId("train").click();
    await page.waitForFunction(() => window.kiln.lastSummary, null, { timeout: 900_000 });
    const summary = await page.evaluate(() => window.kiln.lastSummary);
    const gaps = (await page.evaluate(() => window.__gaps)).sort((a, b) => a - b);
    const drawn = (await page.$eval('[data-testid="network-diagram"]', (d) => Number(d.dataset.updated || 0))) - drawnBefore;
    return { images_per_second: summary.images_per_second, p95_frame_gap_ms: gaps[Math.floor(gaps.length * 0.95)] ?? null, drawings: drawn };
  }
  await run(true); // warm-up
  const best = { visible: null, hidden: null };
  for (let i = 0; i < 3; i++) {
    for (const visible of [false, true]) {
      const m = await run(visible);
      const key = visible ? "visible" : "hidden";
      console.log(`drawing ${key}: ${m.images_per_second.toFixed(1)} img/s, frame gap p95 ${m.p95_frame_gap_ms?.toFixed(1)} ms, ${m.drawings} drawings`);
      if (!best[key] || m.images_per_second > best[key].images_per_second) best[key] = m;
    }
  }
  console.log(JSON.stringify({ bench: "drawing", visible: best.visible, hidden: best.hidden, throughput_ratio: best.visible.images_per_second / best.hidden.images_per_second }));
} finally {
  await browser.close();
  server.kill();
}

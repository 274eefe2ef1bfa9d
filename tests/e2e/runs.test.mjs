// End-to-end: autosave after every epoch, resume after a reload, the saved-runs list, and a
// full storage quota, in headless Chromium against dist/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { ARTEFACTS, launchBrowser, realSubset, startServer, useBackend } from "../helpers.mjs";

const PORT = 19080 + (process.pid % 1000);
const URL = `http://localhost:${PORT}/index.html?test`; // ?test: the page exposes window.kiln
let server, browser, page;
const pageErrors = [];

before(async () => {
  server = await startServer(PORT);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 1300 } });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
});

after(async () => {
  await browser?.close();
  server?.kill();
});

const byId = (id) => page.getByTestId(id);
const text = async (id) => (await byId(id).innerText()).trim();

/** Open (or reload) the page, pick the CPU and load the real subset. */
async function openWithData(subset, { reload = false } = {}) {
  if (reload) await page.reload();
  else await page.goto(URL);
  await byId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await useBackend(page, "cpu");
  await byId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
  await page.waitForFunction(() => /1,000/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
}

async function savedRuns() {
  return page.$$eval('[data-testid="saved-runs"] tbody tr', (rows) =>
    rows.map((r) => ({ id: r.dataset.runId, cells: [...r.cells].map((c) => c.innerText.trim()) })),
  );
}

test("a reload mid-run offers to resume; the run continues with epoch 2 and its history", async (t) => {
  const subset = realSubset(1000, 500);
  if (!subset) return t.skip("real CIFAR-10 missing");
  await openWithData(subset);
  assert.equal(await byId("resume-banner").isVisible(), false, "nothing to resume on a fresh browser");

  await byId("epochs").fill("3");
  await byId("batch-size").fill("32");
  await byId("train").click();
  await byId("autosave-status").filter({ hasText: "after epoch 1" }).waitFor({ timeout: 300_000 });
  const before = await savedRuns();
  assert.equal(before.length, 1);
  assert.match(before[0].cells[1], /^1 \/ 3$/);
  assert.match(before[0].cells[3], /^training$/);
  const stepsBefore = await page.evaluate(() => window.kiln.charts.points.steps);

  // The tab goes away during epoch 2 (a reload; a crash looks the same to the next visit).
  await page.reload();
  await byId("resume-banner").waitFor({ state: "visible" });
  assert.match(await text("resume-banner"), /interrupted after epoch 1 of 3.*Load the dataset/s);
  assert.equal(await byId("resume-run").isDisabled(), true, "resuming needs the dataset");
  // (The reloaded page's first look may still see the old worker's lock; it looks again.)
  await page.waitForFunction(() => document.querySelector('[data-testid="saved-runs"] tbody tr')?.cells[3]?.innerText === "interrupted");

  await useBackend(page, "cpu");
  await byId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
  await page.waitForFunction(() => !document.querySelector('[data-testid="resume-run"]').disabled);
  await byId("resume-run").click();

  // The epoch counter continues at 2 of 3, and the charts show the saved history at once.
  await page.waitForFunction(() => /^2 \/ 3$/.test(document.getElementById("epoch-text").innerText));
  const restored = await page.evaluate(() => window.kiln.charts.points);
  assert.equal(restored.epochs, 1, "epoch 1 is on the epoch chart");
  assert.ok(restored.steps >= Math.min(stepsBefore, 2), `step history restored (${restored.steps} points)`);
  assert.equal(await byId("resume-banner").isVisible(), false);

  await byId("train-status").filter({ hasText: /^done$/ }).waitFor({ timeout: 300_000 });
  const points = await page.evaluate(() => window.kiln.charts.points);
  assert.equal(points.epochs, 3);
  const summary = await page.evaluate(() => window.kiln.lastSummary);
  assert.equal(summary.epochs, 3, "the summary counts all three epochs");
  assert.match(await text("model-status"), /trained in this tab: 3 epochs/);
  await page.waitForFunction(() => {
    const row = document.querySelector('[data-testid="saved-runs"] tbody tr');
    return /3 \/ 3/.test(row?.innerText) && row.cells[3].innerText === "finished";
  });
  const [done] = await savedRuns();
  assert.equal(done.cells[3], "finished");
  assert.match(done.cells[2], /^\d+\.\d\d%$/);
  await page.screenshot({ path: path.join(ARTEFACTS, "resumed.png"), fullPage: true });

  // Open puts the saved weights in use; Delete removes the run.
  await page.locator(`tr[data-run-id="${done.id}"] button[data-action="open"]`).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "saved");
  assert.match(await text("model-status"), /saved run: 3 epochs/);
  await page.locator(`tr[data-run-id="${done.id}"] button[data-action="delete"]`).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="saved-runs"] tbody tr').length === 0);
  await page.reload();
  await byId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  assert.equal(await byId("resume-banner").isVisible(), false);
});

test("a full storage quota is reported, training goes on, and the previous save is intact", async (t) => {
  const subset = realSubset(1000, 500);
  if (!subset) return t.skip("real CIFAR-10 missing");
  // The quota runs out in the middle of the second save, after its run record is written and
  // before its checkpoint is: the browser refuses the write as IndexedDB does when the site's
  // quota is used up. (Chromium's DevTools quota override does not reach IndexedDB reliably in
  // headless mode.)
  await page.route("**/store.js", async (route) => {
    const response = await route.fetch();
    const quota = "new DOMException('The quota has been exceeded.', 'QuotaExceededError')";
    const body = (await response.text())
      .replace(
        "export async function saveRun(run, checkpoint) {",
        `let saves = 0;\nconst fullStore = { put: async () => { throw ${quota}; } };\nexport async function saveRun(run, checkpoint) {\n  saves++;`,
      )
      .replace('tx.objectStore("checkpoints").put(', '(saves >= 2 ? fullStore : tx.objectStore("checkpoints")).put(');
    assert.match(body, /saves >= 2 \? fullStore/, "the fault was injected");
    await route.fulfill({ response, body });
  });
  try {
    await openWithData(subset, { reload: page.url().startsWith("http") }); // (also run alone)
    const earlier = new Set((await savedRuns()).map((r) => r.id)); // (left by a failed test above)
    await byId("epochs").fill("2");
    await byId("train-limit").fill("320");
    await byId("train").click();
    await byId("autosave-status").filter({ hasText: "after epoch 1" }).waitFor({ timeout: 300_000 });
    await byId("error").waitFor({ state: "visible", timeout: 300_000 });
    assert.match(await text("error"), /Autosave after epoch 2 failed: .*storage for this site is full \(QuotaExceededError\)/);
    await byId("train-status").filter({ hasText: /^done$/ }).waitFor({ timeout: 300_000 });
    assert.match(await text("autosave-status"), /Autosave failed/);
    assert.match(await text("model-status"), /trained in this tab: 2 epochs/, "the trained weights are in use");

    // Nothing of the second save remains: the run and its checkpoint are the first epoch's.
    const runs = (await savedRuns()).filter((r) => !earlier.has(r.id));
    assert.equal(runs.length, 1);
    const stored = await page.evaluate(async (id) => {
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open("kiln");
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const get = (store) =>
        new Promise((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).get(id);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const [run, checkpoint] = [await get("runs"), await get("checkpoints")];
      db.close();
      return { epochs_done: run.epochs_done, history: run.history.length, weights: checkpoint?.weights?.byteLength ?? 0 };
    }, runs[0].id);
    assert.deepEqual({ ...stored, weights: stored.weights > 100_000 }, { epochs_done: 1, history: 1, weights: true }, "the first epoch's save is intact");
    // And it opens: its weights are those of one epoch.
    await page.locator(`tr[data-run-id="${runs[0].id}"] button[data-action="open"]`).click();
    await page.waitForFunction(() => /Weights of a saved run: 1 epoch[,.]/.test(document.getElementById("model-status").textContent));
  } finally {
    await page.unroute("**/store.js");
    await byId("train-limit").fill("");
  }
  assert.deepEqual(pageErrors.filter((e) => /panicked|RuntimeError|unreachable/.test(e)), []);
});

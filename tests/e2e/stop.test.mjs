// Stop is honoured wherever it arrives, in headless Chromium against dist/: while the run is
// still being set up (its lock taken, before the engine trains), between steps, and during the
// evaluation of the run's last epoch, when no step follows to see it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPerFile, noiseBatch, useBackend } from "../helpers.mjs";

const PORT = 23080 + (process.pid % 1000);
let page;
appPerFile(PORT, (app) => ({ page } = app));

const byId = (id) => page.getByTestId(id);

/** Load `train` and `test` images of noise from files. */
async function loadDataset(train, test) {
  await byId("dataset-input").setInputFiles([
    { name: "data_batch_1.bin", mimeType: "application/octet-stream", buffer: noiseBatch(train, 1) },
    { name: "test_batch.bin", mimeType: "application/octet-stream", buffer: noiseBatch(test, 2) },
  ]);
  await page.waitForFunction(
    (t) => document.querySelector('[data-testid="dataset-summary"]').innerText.includes(`${t.toLocaleString("en-US")} test`),
    test,
  );
}

/** Press Stop in the same moment the page enables it: the stop message follows the request
 * that starts the run, so it reaches the worker while the run is still being set up. */
const stopAtOnce = () =>
  page.evaluate(() => {
    const stop = document.getElementById("stop");
    new MutationObserver((_, observer) => {
      if (stop.disabled) return;
      observer.disconnect();
      stop.click();
    }).observe(stop, { attributes: true, attributeFilter: ["disabled"] });
  });

/** Start a run of `epochs`, call `whileRunning` (when given) once Stop can be pressed, and
 * return the run's summary. */
async function train(epochs, whileRunning) {
  await byId("epochs").fill(String(epochs));
  await byId("batch-size").fill("32");
  await page.evaluate(() => (window.kiln.lastSummary = null));
  await byId("train").click();
  if (whileRunning) {
    await byId("stop").and(page.locator(":enabled")).waitFor();
    await whileRunning();
  }
  await page.waitForFunction(() => window.kiln.lastSummary, null, { timeout: 300_000 });
  return page.evaluate(() => window.kiln.lastSummary);
}

test("a stop pressed as soon as a run starts ends it before its first step", { timeout: 300_000 }, async () => {
  await useBackend(page, "cpu");
  await loadDataset(96, 32);
  // A new run, stopped before the worker has taken its lock and handed it to the engine.
  await stopAtOnce();
  const summary = await train(3, null);
  assert.equal(summary.cancelled, true, JSON.stringify(summary));
  assert.equal(summary.epochs, 0, JSON.stringify(summary));
  assert.equal(await byId("train-status").innerText(), "stopped");

  // A saved run continued, stopped while the worker still reads its checkpoint.
  const first = await train(1, null);
  assert.equal(first.epochs, 1);
  await page.evaluate(() => (window.kiln.lastSummary = null));
  await stopAtOnce();
  await page.locator('[data-testid="saved-runs"] tbody tr').first().locator('button[data-action="continue"]').click();
  await page.waitForFunction(() => window.kiln.lastSummary, null, { timeout: 300_000 });
  const continued = await page.evaluate(() => window.kiln.lastSummary);
  assert.equal(continued.cancelled, true, JSON.stringify(continued));
  assert.equal(continued.epochs, 1, `no epoch was trained after the stop: ${JSON.stringify(continued)}`);
  assert.equal(await byId("train-status").innerText(), "stopped");
});

test("a stop that arrives during the last epoch's evaluation ends the run as stopped", { timeout: 300_000 }, async () => {
  await useBackend(page, "cpu");
  // Many test images: the evaluation lasts long enough to press Stop during it.
  await loadDataset(64, 6000);
  const summary = await train(1, async () => {
    await byId("train-status").filter({ hasText: /^evaluating$/ }).waitFor({ timeout: 120_000 });
    await byId("stop").click();
  });
  assert.equal(summary.cancelled, true, JSON.stringify(summary));
  assert.equal(await byId("train-status").innerText(), "stopped");
});

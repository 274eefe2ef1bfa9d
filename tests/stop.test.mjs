// Stop is honoured wherever it arrives, in headless Chromium against dist/: while the run is
// still being set up (its lock taken, before the engine trains), between steps, and during the
// evaluation of the run's last epoch, when no step follows to see it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPerFile, noiseBatch, useBackend } from "./helpers.mjs";

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

/** Start a run of `epochs`, call `whileRunning` once Stop can be pressed, and return the run's
 * summary. */
async function train(epochs, whileRunning) {
  await byId("epochs").fill(String(epochs));
  await byId("batch-size").fill("32");
  await page.evaluate(() => (window.kiln.lastSummary = null));
  await byId("train").click();
  await byId("stop").and(page.locator(":enabled")).waitFor();
  await whileRunning();
  await page.waitForFunction(() => window.kiln.lastSummary, null, { timeout: 300_000 });
  return page.evaluate(() => window.kiln.lastSummary);
}

test("a stop pressed as soon as the run starts ends it before its first step", { timeout: 300_000 }, async () => {
  await useBackend(page, "cpu");
  await loadDataset(96, 32);
  // Pressed before the worker has taken the run's lock and handed it to the engine.
  const summary = await train(3, () => byId("stop").click());
  assert.equal(summary.cancelled, true, JSON.stringify(summary));
  assert.equal(summary.epochs, 0, JSON.stringify(summary));
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

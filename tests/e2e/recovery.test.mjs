// Recovery from a failed engine, in headless Chromium against dist/: the engine traps (a Rust
// panic), the worker throws at its top level, or it dies without a word in the middle of a run.
// Each time the request in flight fails with a message that says which one, a fresh worker (a
// fresh engine) takes over with the weights that were in use, and the page keeps working: it
// classifies, and it offers to resume the interrupted run from its last autosave.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPerFile, cifarPng, noiseBatch, useBackend } from "../helpers.mjs";

const PORT = 22080 + (process.pid % 1000);
let page, consoleErrors;
appPerFile(PORT, (app) => ({ page, errors: consoleErrors } = app));

const byId = (id) => page.getByTestId(id);
const text = async (id) => (await byId(id).innerText()).trim();
const restarts = () => page.evaluate(() => window.kiln.restarts());
const IMAGE = cifarPng(noiseBatch(1, 7));

/** Classify `name` (always the same picture) and return its probabilities. */
async function classify(name) {
  await byId("image-input").setInputFiles({ name, mimeType: "image/png", buffer: IMAGE });
  await page.waitForFunction((n) => {
    const list = document.querySelector('[data-testid="prediction"]');
    return list.dataset.image === n && list.querySelectorAll("li").length === 5;
  }, name);
  return JSON.parse(await byId("prediction").getAttribute("data-probabilities"));
}

/** Load a small dataset of noise from files. */
async function loadDataset() {
  await byId("dataset-input").setInputFiles([
    { name: "data_batch_1.bin", mimeType: "application/octet-stream", buffer: noiseBatch(96, 1) },
    { name: "test_batch.bin", mimeType: "application/octet-stream", buffer: noiseBatch(32, 2) },
  ]);
  await page.waitForFunction(() => /96 training and 32 test/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
}

/** Wait until the page has its fresh worker, its device, and the weights `source` in use. */
async function recovered(count, source) {
  await page.waitForFunction((n) => window.kiln.restarts() === n, count);
  await byId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await page.waitForFunction((s) => document.querySelector('[data-testid="model-status"]').dataset.source === s, source);
}

/** What the error banner says, after it is shown. */
async function banner(pattern) {
  await page.waitForFunction((p) => new RegExp(p).test(document.getElementById("error-text").textContent), pattern.source);
  return text("error");
}

test("an engine that traps is replaced: the page says what failed and keeps working", { timeout: 300_000 }, async () => {
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
  await useBackend(page, "cpu");
  await loadDataset();
  const before = await classify("before.png");
  assert.equal(await restarts(), 0);

  // The engine panics at the next classification.
  await page.evaluate(() => window.kiln.fault("trap", "classify"));
  await byId("image-input").setInputFiles({ name: "trap.png", mimeType: "image/png", buffer: IMAGE });
  const message = await banner(/Classifying the image failed/);
  assert.match(message, /Classifying the image failed: the engine hit an internal error \(a bug in Kiln; the console has the details\)\. Kiln started a fresh engine\./);
  assert.doesNotMatch(message, /unreachable|RuntimeError|panicked/);

  // A fresh engine, with the pretrained weights loaded again; the dataset went with the old one.
  await recovered(1, "pretrained");
  assert.equal(await text("dataset-summary"), "No dataset loaded.");
  assert.equal(await byId("train").isDisabled(), true);
  assert.deepEqual(await classify("after.png"), before, "the same weights classify the same picture alike");
  await loadDataset();
  assert.equal(await byId("train").isDisabled(), false);
});

test("a worker that dies mid-run is replaced, and the page offers to resume from the last autosave", { timeout: 300_000 }, async () => {
  await useBackend(page, "cpu");
  await loadDataset();
  await byId("epochs").fill("200");
  await byId("batch-size").fill("32");
  await byId("train").click();
  await byId("autosave-status").filter({ hasText: /after epoch [1-9]/ }).waitFor({ timeout: 120_000 });

  // The worker closes itself in the middle of the run: no error, no message, it is just gone.
  await page.evaluate(() => window.kiln.fault("close"));
  const message = await banner(/Training failed/);
  assert.match(message, /Training failed: the engine's worker stopped \(it ran out of memory, or the browser ended it\)\. Kiln started a fresh engine\./);
  assert.equal(await text("train-status"), "error");
  await recovered(2, "saved"); // the run's autosaved weights are in use again

  // The run is offered for resuming, once the dataset is back.
  await byId("resume-banner").waitFor({ state: "visible" });
  const offer = await page.locator("#resume-text").innerText();
  const done = Number(offer.match(/interrupted after epoch (\d+) of 200/)?.[1]);
  assert.ok(done >= 1, `the banner names the last saved epoch: ${offer}`);
  assert.match(offer, /Load the dataset \(section 1\), then resume\./);
  assert.equal(await byId("resume-run").isDisabled(), true);
  await loadDataset();
  assert.equal(await byId("resume-run").isDisabled(), false);
  await byId("resume-run").click();
  await byId("train-status").filter({ hasText: /^training$/ }).waitFor();
  await page.waitForFunction((n) => document.getElementById("epoch-text").textContent.startsWith(`${n + 1} /`), done);
  await byId("autosave-status").filter({ hasText: `after epoch ${done + 1}` }).waitFor({ timeout: 120_000 });
  await byId("stop").click();
  await byId("train-status").filter({ hasText: /^stopped$/ }).waitFor({ timeout: 60_000 });
  assert.equal((await classify("resumed.png")).length, 10);
});

test("a worker that throws at its top level is replaced, and the page keeps working", { timeout: 300_000 }, async () => {
  await page.evaluate(() => window.kiln.fault("throw"));
  const message = await banner(/Kiln's engine stopped/);
  assert.match(message, /Kiln's engine stopped: the engine's worker failed: .*test_fault: the worker threw at its top level\. A fresh engine has started/);
  await recovered(3, "saved");
  assert.equal((await classify("after-throw.png")).length, 10);
  assert.doesNotMatch(await page.locator("body").innerText(), /unreachable|RuntimeError/);
});

test("a worker that cannot start is not started again and again: the page says to reload", { timeout: 300_000 }, async () => {
  const context = await page.context().browser().newContext();
  const tab = await context.newPage();
  try {
    await tab.route("**/worker.js*", (route) => route.fulfill({ status: 404, body: "not found" }));
    await tab.goto(page.url());
    await tab.waitForFunction(() => /Reload the page to start Kiln again/.test(document.getElementById("error-text").textContent));
    assert.match(await tab.locator("#error-text").innerText(), /the engine's worker failed to start\. Reload the page to start Kiln again\./);
    assert.equal(await tab.evaluate(() => window.kiln.restarts()), 0);
  } finally {
    await context.close();
  }
});

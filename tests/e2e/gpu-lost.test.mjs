// A GPU lost in the middle of an epoch, in headless Chromium (WebGPU on SwiftShader) against
// dist/: the test captures the GPUDevice the engine creates in its worker and destroys it while
// the second epoch trains. Training stops with a message, the first epoch's weights stay in use
// (they classify), and training goes on on the CPU from the saved run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPerFile, cifarPng, noiseBatch, useBackend } from "../helpers.mjs";

const PORT = 24080 + (process.pid % 1000);
let page, consoleErrors;
appPerFile(PORT, (app) => ({ page, errors: consoleErrors } = app));

const byId = (id) => page.getByTestId(id);
const text = async (id) => (await byId(id).innerText()).trim();

/** The training worker (worker.js), as Playwright reaches it. */
function engineWorker() {
  const worker = page.workers().find((w) => new URL(w.url()).pathname === "/worker.js");
  assert.ok(worker, "the training worker is running");
  return worker;
}

/** From now on, keep every GPUDevice `worker` creates (in `self.kilnTestDevices`), to destroy.
 * @param {import("playwright-core").Worker} worker */
async function captureDevices(worker) {
  await worker.evaluate(() => {
    const request = GPUAdapter.prototype.requestDevice;
    self.kilnTestDevices = [];
    GPUAdapter.prototype.requestDevice = async function (...args) {
      const device = await request.apply(this, args);
      self.kilnTestDevices.push(device);
      return device;
    };
  });
}

/** Classify a fixed picture; resolves to its ten probabilities. */
async function classify(name) {
  await byId("image-input").setInputFiles({ name, mimeType: "image/png", buffer: cifarPng(noiseBatch(1, 9)) });
  await page.waitForFunction((n) => {
    const list = document.querySelector('[data-testid="prediction"]');
    return list.dataset.image === n && list.querySelectorAll("li").length === 5;
  }, name);
  return JSON.parse(await byId("prediction").getAttribute("data-probabilities"));
}

test("a GPU lost mid-epoch stops training with a message; the last epoch's weights stay and the CPU trains on", { timeout: 600_000 }, async (t) => {
  // Every GPUDevice the worker creates from now on is kept, to be destroyed below.
  await captureDevices(engineWorker());
  await page.getByTestId("backend-select").selectOption("webgpu");
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend, null, { timeout: 300_000 });
  if ((await byId("backend-status").getAttribute("data-backend")) !== "webgpu") return t.skip(`no WebGPU here: ${await text("backend-status")}`);
  assert.ok(await engineWorker().evaluate(() => self.kilnTestDevices.length) > 0, "the engine's GPUDevice was captured");

  await byId("dataset-input").setInputFiles([
    { name: "data_batch_1.bin", mimeType: "application/octet-stream", buffer: noiseBatch(160, 1) },
    { name: "test_batch.bin", mimeType: "application/octet-stream", buffer: noiseBatch(32, 2) },
  ]);
  await page.waitForFunction(() => /160 training and 32 test/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  await byId("epochs").fill("20");
  await byId("batch-size").fill("16");
  await byId("train").click();
  await byId("autosave-status").filter({ hasText: "after epoch 1." }).waitFor({ timeout: 300_000 });
  // A step of the second epoch has been reported: the GPU is lost in the middle of it.
  await page.waitForFunction(() => document.getElementById("epoch-text").textContent.startsWith("2 /") && document.getElementById("epoch-progress").value > 0, null, { timeout: 300_000 });
  await engineWorker().evaluate(() => self.kilnTestDevices.forEach((d) => d.destroy()));

  await byId("train-status").filter({ hasText: /^error$/ }).waitFor({ timeout: 300_000 });
  await page.waitForFunction(() => /GPU was lost/.test(document.getElementById("error-text").textContent));
  await byId("backend-status").filter({ hasText: /^CPU/ }).waitFor();
  const message = await text("error");
  assert.doesNotMatch(message, /unreachable|RuntimeError|panicked/, message);
  assert.match(message, /^Training stopped: the GPU was lost \(Device was destroyed\)\./, message);
  assert.match(message, /weights of the last finished epoch \(1\)/, message);

  // The first epoch's weights are in use and classify.
  await page.waitForFunction(() => /: 1 epoch[,.]/.test(document.getElementById("model-status").textContent));
  assert.equal((await classify("after-loss.png")).length, 10);

  // The CPU takes over, and the saved run trains on there from its next epoch.
  await useBackend(page, "cpu");
  assert.equal((await classify("on-cpu.png")).length, 10);
  const row = page.locator('[data-testid="saved-runs"] tbody tr').first();
  if (await byId("error").isVisible()) await page.locator("#error-close").click();
  await row.locator('button[data-action="continue"]').click();
  // The second epoch saved, or an error.
  await page.waitForFunction(
    () => /after epoch 2\./.test(document.getElementById("autosave-status").textContent) || !document.getElementById("error").hidden,
    null,
    { timeout: 300_000 },
  );
  assert.equal(await byId("error").isHidden(), true, `continuing on the CPU failed: ${await text("error")}`);
  await byId("stop").click();
  await byId("train-status").filter({ hasText: /^stopped$/ }).waitFor({ timeout: 120_000 });
  assert.deepEqual(consoleErrors.filter((e) => /panicked|RuntimeError|unreachable/.test(e)), []);
});

test("a GPU lost while idle: the page moves to the CPU and keeps its weights", { timeout: 600_000 }, async (t) => {
  // A tab of its own: a fresh worker, whose engine has not met a lost GPU yet.
  const context = await page.context().browser().newContext({ viewport: { width: 1280, height: 1100 } });
  const tab = await context.newPage();
  const id = (name) => tab.getByTestId(name);
  const worker = tab.waitForEvent("worker");
  try {
    await tab.goto(page.url());
    await id("backend-status").filter({ hasNotText: "starting" }).waitFor({ timeout: 300_000 });
    await captureDevices(await worker);
    await id("backend-select").selectOption("webgpu");
    await tab.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend === "webgpu" || /CPU/.test(document.querySelector('[data-testid="backend-status"]').textContent), null, { timeout: 300_000 });
    if ((await id("backend-status").getAttribute("data-backend")) !== "webgpu") return t.skip(`no WebGPU here: ${await id("backend-status").innerText()}`);
    await tab.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
    const status = await id("model-status").innerText();
    const classify = async (name) => {
      await id("image-input").setInputFiles({ name, mimeType: "image/png", buffer: cifarPng(noiseBatch(1, 9)) });
      await tab.waitForFunction((n) => document.querySelector('[data-testid="prediction"]').dataset.image === n, name);
      return JSON.parse(await id("prediction").getAttribute("data-probabilities"));
    };
    const before = await classify("idle-before.png");

    await (await worker).evaluate(() => self.kilnTestDevices.forEach((d) => d.destroy()));
    await tab.waitForFunction(() => /The GPU was lost/.test(document.getElementById("error-text").textContent));
    assert.match(await tab.locator("#error-text").innerText(), /^The GPU was lost \(Device was destroyed\)\. Kiln moved to the CPU; the weights in use are loaded again\./);
    await id("backend-status").filter({ hasText: /^CPU/ }).waitFor();
    await tab.waitForFunction((s) => document.getElementById("model-status").textContent === s, status);
    const after = await classify("idle-after.png");
    after.forEach((p, i) => assert.ok(Math.abs(p - before[i]) < 1e-3, `the same weights on the CPU: ${after} vs ${before}`));
  } finally {
    await context.close();
  }
});

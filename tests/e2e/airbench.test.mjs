// The airbench network in the page: picked from the model menu (its recipe comes into the form),
// trained for a few steps on the CPU path and on WebGPU (the loss falls, the chart shows the
// scheduled learning rate), and its shipped weights classify a real test image, with every
// explanation view drawn.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { ARTEFACTS, CIFAR, ROOT, appPerFile, cifarPng, realSubset, useBackend } from "../helpers.mjs";

const PORT = 19080 + (process.pid % 1000);
let page, consoleErrors;
appPerFile(PORT, (app) => ({ page, errors: consoleErrors } = app));

const byId = (id) => page.getByTestId(id);

test("the model menu describes each network and brings airbench's recipe into the form", async () => {
  await page.waitForFunction(() => document.querySelector('[data-testid="model-info"]').dataset.model === "seed");
  assert.match(await byId("model-info").innerText(), /122,570 parameters, 27 MFLOP/);
  await byId("model-select").selectOption("airbench");
  await page.waitForFunction(() => document.querySelector('[data-testid="model-info"]').dataset.model === "airbench");
  const info = await byId("model-info").innerText();
  assert.match(info, /1,975,096 parameters, 709 MFLOP to train on one image/);
  assert.match(info, /94\.0%/);
  // The recipe at the page's batch of 256: 1.5 per 1,024 images scaled to 0.375.
  assert.equal(await byId("batch-size").inputValue(), "256");
  assert.equal(Number(await byId("learning-rate").inputValue()), 0.375);
  assert.equal(await page.locator("#optimizer").inputValue(), "nesterov");
  assert.equal(await byId("augment").isChecked(), true);
  assert.match(await page.evaluate(() => location.hash), /model=airbench/);
});

// WebGPU here is SwiftShader, a CPU emulation that runs airbench's wide layers slowly: there
// it trains 2 epochs of 2 steps of 4 images, evaluated on 8.
const RUNS = {
  cpu: { train: 64, test: 100, batch: 16, epochs: 3 },
  webgpu: { train: 8, test: 8, batch: 4, epochs: 2 },
};

for (const [backend, run] of Object.entries(RUNS)) {
  test(`airbench trains a few steps on ${backend === "cpu" ? "the CPU path" : "WebGPU"}: the loss falls`, async (t) => {
    const subset = realSubset(run.train, run.test);
    if (!subset) return t.skip("real CIFAR-10 missing");
    await useBackend(page, backend);
    const loaded = new RegExp(`${run.train}\\s+training and\\s+${run.test}\\s+test`);
    if (!loaded.test(await byId("dataset-summary").innerText())) {
      await byId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
      await page.waitForFunction((r) => new RegExp(r).test(document.querySelector('[data-testid="dataset-summary"]').innerText), loaded.source);
    }
    await byId("model-select").selectOption("airbench");
    await byId("epochs").fill(String(run.epochs));
    await byId("batch-size").fill(String(run.batch));
    await byId("learning-rate").fill("0.1");
    await byId("train-limit").fill("");
    const stepLooks = () => byId("gradient-norms").evaluate((e) => Number(e.dataset.stepLooks ?? 0));
    const looksBefore = await stepLooks();
    await byId("train").click();
    // (The status still says "done" from an earlier run until this one starts.)
    await byId("train-status").filter({ hasNotText: /^done$/ }).waitFor();
    await byId("train-status").filter({ hasText: /^done$/ }).waitFor({ timeout: 1_200_000 });
    const { trainLoss, rates } = await page.evaluate(() => ({
      trainLoss: window.kiln.charts.epochData[3],
      rates: window.kiln.charts.stepData[3],
    }));
    console.log(`airbench on ${backend}: train loss per epoch ${trainLoss.map((l) => l.toFixed(3)).join(", ")}`);
    assert.equal(trainLoss.length, run.epochs);
    assert.ok(trainLoss.at(-1) < trainLoss[0], `the loss falls: ${trainLoss}`);
    // The triangular schedule: the learning rate rises from a fifth of its peak, then falls.
    const known = rates.filter((r) => r != null);
    assert.ok(known.length >= 2, "the chart has the learning rate");
    assert.ok(Math.min(...known) < 0.1 && Math.max(...known) <= 0.1 + 1e-6, `rates ${known}`);
    // The learning panels (open) got looks measured on the training steps, on this backend too.
    assert.ok((await stepLooks()) > looksBefore, "a progress report carried a look inside");
    const hidden = await page.$$eval('[data-testid="activation-stats"] tbody tr', (trs) => trs.map((tr) => tr.dataset.layer));
    assert.deepEqual(hidden, ["whiten", "block1", "block2", "block3"]);
    const norms = await page.$$eval('[data-testid="gradient-norms"] tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.gradientNorm)));
    assert.ok(norms.length > 4 && norms.every((n) => Number.isFinite(n) && n >= 0), `gradient norms ${norms}`);
    const epochs = new RegExp(`trained in this tab: ${run.epochs} epochs.*airbench network`);
    assert.match(await byId("model-status").innerText(), epochs);
    // The page asks whether the site hosts the dataset (data/manifest.json): a 404 outside the
    // published site, expected. (The weights' own load is checked by the model status.)
    const unexpected = consoleErrors.filter((e) => !/status of 404/.test(e));
    assert.deepEqual(unexpected, []);
  });
}

test("airbench's shipped weights classify a real test image, with every explanation view", async (t) => {
  const weights = path.join(ROOT, "www", "models", "airbench.bpk");
  if (!existsSync(weights)) return t.skip("www/models/airbench.bpk is not trained yet (kiln train --model airbench)");
  if (!existsSync(CIFAR)) return t.skip("real CIFAR-10 missing");
  // Pretrained weights come back when the menu is chosen while no weights of the user's own
  // are in use: load the seed's shipped ones first, as a fresh page has them. The reload comes
  // first: after the WebGPU run above, the open learning panels and the drawing measure the new
  // weights on the GPU, which here is SwiftShader emulating airbench's wide layers on the CPU
  // (about 50 s), and a device change would wait for that; the reload ends that worker at once.
  await page.reload();
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await useBackend(page, "cpu", { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
  await byId("model-select").selectOption("airbench");
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.model === "airbench");
  assert.match(await byId("model-status").innerText(), /Pretrained weights.*test accuracy 9\d\.\d%.*airbench network/);

  await page.locator("#inside").evaluate((d) => (d.open = true));
  // The first test image of CIFAR-10 (a cat), as a PNG.
  const subset = realSubset(64, 100);
  const record = readFileSync(subset.testPath).subarray(0, 3073);
  await byId("image-input").setInputFiles({ name: "cat.png", mimeType: "image/png", buffer: cifarPng(record) });
  // The page already shows a sample picture: wait for the cat's answer and its maps.
  await page.waitForFunction(
    () => document.querySelector('[data-testid="prediction"]').dataset.image === "cat.png" &&
      /^Maps for the top class/.test(document.getElementById("explain-status").textContent),
    null,
    { timeout: 120_000 },
  );
  const names = await byId("prediction").locator("li .name").allInnerTexts();
  assert.equal(names[0], "cat", `top prediction ${names[0]}`);
  assert.ok(Number(await byId("saliency").getAttribute("data-mass")) > 0, "saliency drawn");
  assert.equal(await byId("gradcam").getAttribute("data-side"), "3", "Grad-CAM on block3's 3×3 maps");
  const layers = await byId("feature-maps").locator("figure").evaluateAll((f) => f.map((x) => x.dataset.layer));
  assert.deepEqual(layers, ["whiten", "block1", "block2", "block3"]);
  await page.waitForFunction(() => document.querySelector('[data-testid="filters"]').dataset.count === "24");
  await page.locator("#classify-section").screenshot({ path: path.join(ARTEFACTS, "airbench-explain.png") });
  // (data/manifest.json: the site's own dataset, absent outside the published site.)
  assert.deepEqual(consoleErrors.filter((e) => !/status of 404/.test(e)), []);
});

// End-to-end: the evaluation, overfitting and interpretability views, as a user sees them.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { ARTEFACTS, ROOT, appPerFile, cifarPng, kilnBinary, realSubset, useBackend } from "../helpers.mjs";

const PORT = 16080 + (process.pid % 1000);
let page, consoleErrors;
appPerFile(PORT, (app) => ({ page, errors: consoleErrors } = app));

const byId = (id) => page.getByTestId(id);

/** How many distinct pixel values a canvas has (a blank canvas has one). */
function distinctPixels(testId) {
  return page.evaluate((id) => {
    const canvases = [...document.querySelectorAll(`[data-testid="${id}"] canvas`)];
    const own = document.querySelector(`canvas[data-testid="${id}"]`);
    if (own) canvases.push(own);
    return canvases.map((c) => {
      const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size;
    });
  }, testId);
}

async function classifyRecord(records, i) {
  const record = records.subarray(i * 3073, (i + 1) * 3073);
  const name = `test${i}.png`;
  await byId("image-input").setInputFiles({ name, mimeType: "image/png", buffer: cifarPng(record) });
  await page.waitForFunction((n) => document.querySelector('[data-testid="prediction"]').dataset.image === n, name);
  await page.waitForFunction(() => /^Maps for the top class/.test(document.getElementById("explain-status").textContent), null, { timeout: 120_000 });
}

test("the page's evaluation of a weights file matches `kiln eval`; cells and the gallery show their images", async (t) => {
  const subset = realSubset(500, 1000);
  if (!subset) return t.skip("real CIFAR-10 missing");
  await useBackend(page, "cpu");
  await byId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
  await page.waitForFunction(() => /1,000\s+test/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  const weights = path.join(ROOT, "www", "models", "seed.bpk");
  await byId("weights-input").setInputFiles(weights);
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "file");
  await byId("evaluate").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="eval-summary"]').dataset.accuracy);

  const confusion = JSON.parse(await byId("confusion-matrix").getAttribute("data-confusion"));
  const perClass = await byId("per-class-accuracy").locator("tr").evaluateAll((rows) =>
    rows.map((r) => ({ accuracy: Number(r.dataset.accuracy), count: Number(r.dataset.count) })),
  );
  const cli = JSON.parse(
    execFileSync(kilnBinary(), ["eval", "--data", subset.testPath, "--weights", weights, "--json"], { encoding: "utf8" })
      .trim()
      .split("\n")
      .pop(),
  );
  // Rows sum to each class' test images; per-class accuracy is the diagonal over the row.
  confusion.forEach((row, c) => {
    const sum = row.reduce((a, b) => a + b, 0);
    assert.equal(sum, cli.test_per_class[c], `row ${c} sums to the class' test images`);
    assert.equal(perClass[c].count, sum);
    assert.ok(Math.abs(perClass[c].accuracy - row[c] / sum) < 1e-6, `class ${c}: per-class accuracy is the diagonal`);
  });
  assert.deepEqual(confusion, cli.confusion, "the page and `kiln eval` give the same confusion matrix");
  const pageAccuracy = Number(await byId("eval-summary").getAttribute("data-accuracy"));
  assert.ok(Math.abs(pageAccuracy - cli.accuracy) < 1e-6, `page ${pageAccuracy} vs CLI ${cli.accuracy}`);
  console.log(`page and CLI agree on ${cli.images} test images: accuracy ${(cli.accuracy * 100).toFixed(2)}%`);

  // The most confidently wrong images: wrong, 24 of them, the same leaders as the CLI lists.
  const gallery = await byId("misclassified").locator("figure").evaluateAll((figs) =>
    figs.map((f) => ({ index: Number(f.dataset.index), label: Number(f.dataset.label), predicted: Number(f.dataset.predicted) })),
  );
  assert.equal(gallery.length, 24);
  assert.ok(gallery.every((g) => g.label !== g.predicted));
  const cliTop = cli.misclassified.map((m) => m.index);
  const shared = gallery.filter((g) => cliTop.includes(g.index)).length;
  assert.ok(shared >= 22, `the gallery and the CLI share ${shared} of 24 images`);
  assert.ok((await distinctPixels("misclassified")).every((n) => n > 10), "gallery images are drawn");

  // A click on the largest mistake cell lists exactly that cell's images.
  let best = [0, 1];
  confusion.forEach((row, t) => row.forEach((n, p) => t !== p && n > confusion[best[0]][best[1]] && (best = [t, p])));
  const [label, predicted] = best;
  await page.locator(`#confusion-matrix button[data-label="${label}"][data-predicted="${predicted}"]`).click();
  await page.waitForFunction(() => !document.getElementById("cell-panel").hidden);
  const cell = await byId("cell-images").locator("figure").evaluateAll((figs) =>
    figs.map((f) => [Number(f.dataset.label), Number(f.dataset.predicted)]),
  );
  assert.equal(cell.length, Math.min(48, confusion[label][predicted]));
  assert.ok(cell.every(([l, p]) => l === label && p === predicted));
  await byId("confusion-matrix").screenshot({ path: path.join(ARTEFACTS, "confusion-matrix.png") });
  await page.locator("#eval-section").screenshot({ path: path.join(ARTEFACTS, "evaluation.png") });
});

test("saliency and Grad-CAM on WebGPU: non-blank, Grad-CAM is conv3's 4×4 and non-negative", async (t) => {
  const subset = realSubset(500, 1000);
  if (!subset) return t.skip("real CIFAR-10 missing");
  await useBackend(page, "webgpu");
  const records = readFileSync(subset.testPath);
  await classifyRecord(records, 3);
  const gradcam = JSON.parse(await byId("gradcam").getAttribute("data-values"));
  assert.equal(Number(await byId("gradcam").getAttribute("data-side")), 4);
  assert.equal(gradcam.length, 16);
  assert.ok(gradcam.every((v) => v >= 0 && Number.isFinite(v)));
  assert.ok(Number(await byId("saliency").getAttribute("data-mass")) > 0);
  for (const id of ["saliency", "gradcam", "filters"]) {
    const [distinct] = await distinctPixels(id);
    assert.ok(distinct > 20, `${id} is drawn (${distinct} colours)`);
  }
  const layers = await byId("feature-maps").locator("figure").evaluateAll((f) => f.map((x) => x.dataset.layer));
  assert.deepEqual(layers, ["conv1", "conv2", "conv3"]);
  assert.ok((await distinctPixels("feature-maps")).every((n) => n > 2), "every layer's maps are drawn");
  await page.locator("#classify-section").screenshot({ path: path.join(ARTEFACTS, "explain-webgpu.png") });

  // A click on the second most likely class explains that class instead.
  const second = byId("prediction").locator("li").nth(1);
  const secondClass = await second.getAttribute("data-class");
  const topSaliency = await byId("saliency").getAttribute("data-mass");
  await second.click();
  await page.waitForFunction((c) => document.getElementById("explain-status").dataset.class === c, secondClass);
  assert.match(await page.locator("#explain-status").innerText(), /^Maps for the class, “[a-z]+”/);
  assert.equal(await second.evaluate((li) => li.classList.contains("explained")), true);
  assert.notEqual(await byId("saliency").getAttribute("data-mass"), topSaliency, "another class, another map");
});

test("a short run with augmentation, weight decay, early stopping and sigmoid: every view renders", async (t) => {
  const subset = realSubset(500, 1000);
  if (!subset) return t.skip("real CIFAR-10 missing");
  await useBackend(page, "cpu");
  await byId("epochs").fill("3");
  await byId("batch-size").fill("32");
  await byId("train-limit").fill("");
  await byId("activation-select").selectOption("sigmoid");
  await byId("augment").check();
  await byId("weight-decay").fill("0.0005");
  await byId("early-stopping").check();
  await page.locator("#patience").fill("1");
  await byId("train").click();
  await byId("train-status").filter({ hasText: /^(done|stopped early)$/ }).waitFor({ timeout: 300_000 });

  // The run's settings reached the engine: the saved run keeps the config the engine used.
  const config = await page.evaluate(async () => (await (await import("./store.js")).listRuns())[0].config);
  assert.equal(config.model.activation, "sigmoid");
  const { framing, ...flipsAndCrops } = config.augmentation;
  assert.deepEqual(flipsAndCrops, { flip: true, crop_padding: 4, alternate_flip: false, reflect: false });
  assert.equal(framing.rate, 0, "no re-framing unless the form asks for it");
  assert.equal(config.weight_decay, 0.0005);
  assert.equal(config.early_stopping, 1);

  // Overfitting view: train and test per epoch, best epoch named.
  const points = await page.evaluate(() => window.kiln.charts.points);
  assert.ok(points.epochs >= 2 && points.epochs <= 3);
  assert.match(await byId("overfit-summary").innerText(), /Best test accuracy \d+\.\d+% at epoch \d/);
  // The epoch named is the one the engine kept as best (its summary's), not one the page chose.
  const summary = await page.evaluate(() => window.kiln.lastSummary);
  assert.equal(await byId("overfit-summary").getAttribute("data-best-epoch"), String(summary.best_epoch + 1));

  // The run's last evaluation is shown without pressing Evaluate.
  await page.waitForFunction(() => document.querySelector('[data-testid="eval-summary"]').dataset.accuracy);
  assert.equal(await page.locator("#confusion-matrix tbody button").count(), 100);
  const rows = JSON.parse(await byId("confusion-matrix").getAttribute("data-confusion")).map((r) => r.reduce((a, b) => a + b, 0));
  assert.equal(rows.reduce((a, b) => a + b, 0), 1000);
  assert.ok((await byId("misclassified").locator("figure").count()) > 0);

  const records = readFileSync(subset.testPath);
  await classifyRecord(records, 0);
  for (const id of ["saliency", "gradcam", "filters"]) {
    const [distinct] = await distinctPixels(id);
    assert.ok(distinct > 20, `${id} is drawn (${distinct} colours)`);
  }
  assert.equal(await byId("feature-maps").locator("canvas").count(), 3);
  await page.screenshot({ path: path.join(ARTEFACTS, "insight-after-training.png"), fullPage: true });
  assert.deepEqual(consoleErrors.filter((e) => /panicked|RuntimeError|unreachable/.test(e)), []);
});

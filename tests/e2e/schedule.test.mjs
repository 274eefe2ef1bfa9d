// Learning-rate schedules in the page: the menu (`lr-schedule`) and the parameters the chosen
// schedule uses, kept in the address; a short run on the CPU reports, step by step, the rate the
// schedule's formula gives (the step chart's learning-rate series holds each report's rate), and
// "How it learns" shows it as α while the run trains.
// The images are generated noise (`noiseBatch`): the runs need to happen, not to learn.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPerFile, noiseBatch, useBackend } from "../helpers.mjs";

const PORT = 26080 + (process.pid % 1000);
let page;
appPerFile(PORT, (app) => ({ page } = app));

const byId = (id) => page.getByTestId(id);

const IMAGES = 40;
const BATCH = 4;
const PER_EPOCH = IMAGES / BATCH;
const EPOCHS = 3;
const TOTAL = PER_EPOCH * EPOCHS;
const RATE = 0.01;

/** Train with the form as it is; each report's step (0-based in the run) and rate. */
async function train() {
  await byId("train").click();
  await page.locator('[data-testid="train-status"][data-i18n="status.done"]').waitFor({ timeout: 120_000 });
  const [xs, rates] = await page.evaluate(() => {
    const data = /** @type {any} */ (window).kiln.charts.stepData;
    return [data[0], data[3]];
  });
  return xs.map((x, i) => ({ t: Math.round(x * PER_EPOCH) - 1, rate: rates[i] }));
}

/** Every report's rate is `formula(t)` (to f32's precision), and the reports reach the last step. */
function assertFollows(reports, formula, name) {
  assert.ok(reports.length >= EPOCHS, `${name}: ${reports.length} reports`);
  assert.equal(reports.at(-1).t, TOTAL - 1, `${name}: the last report is the last step's`);
  for (const { t, rate } of reports) {
    const want = formula(t);
    assert.ok(Math.abs(rate - want) <= 1e-6 * want, `${name}, step ${t}: reported ${rate}, the formula gives ${want}`);
  }
}

test("a schedule picked in the page sets each step's rate, and the address keeps it", async () => {
  await useBackend(page, "cpu");
  const noise = noiseBatch(IMAGES, 11);
  await byId("dataset-input").setInputFiles([
    { name: "data_batch_1.bin", mimeType: "application/octet-stream", buffer: noise },
    { name: "test_batch.bin", mimeType: "application/octet-stream", buffer: noise.subarray(0, 3073 * 8) },
  ]);
  await byId("dataset-summary").filter({ hasText: /40/ }).waitFor();
  await byId("epochs").fill(String(EPOCHS));
  await byId("batch-size").fill(String(BATCH));
  await byId("learning-rate").fill(String(RATE));
  await page.locator("#optimizer").selectOption("sgd");

  // The seed's recipe: constant. Step decay shows its two parameters, not the warm-up.
  assert.equal(await byId("lr-schedule").inputValue(), "constant");
  assert.ok(!(await byId("lr-decay").isVisible()));
  await byId("lr-schedule").selectOption("step");
  assert.ok(await byId("lr-decay").isVisible());
  assert.ok(!(await byId("lr-warmup").isVisible()));
  await byId("lr-decay").fill("0.5");
  await byId("lr-decay-epochs").fill("1");
  const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  assert.equal(hash.get("lr_schedule"), "step");
  assert.equal(hash.get("lr_decay_epochs"), "1");
  // α in "How it learns" follows the run's rate; the rates it showed are collected.
  await page.evaluate(() => {
    const rule = document.querySelector('[data-testid="update-rule"]');
    window.__rates = new Set();
    new MutationObserver(() => window.__rates.add(rule.dataset.rate)).observe(rule, { attributes: true, attributeFilter: ["data-rate"] });
  });
  // γ = 0.5 every epoch: 0.01, then 0.005, then 0.0025.
  assertFollows(await train(), (t) => RATE * 0.5 ** Math.floor(t / PER_EPOCH), "step decay");
  const shown = await page.evaluate(() => [...window.__rates]);
  for (const rate of ["0.01", "0.005", "0.0025"]) assert.ok(shown.includes(rate), `α = ${rate} shown: ${shown}`);
  assert.equal(await byId("update-rule").getAttribute("data-rate"), "0.01", "between runs, the form's α");

  // From the address, as a shared link sets it: warm-up over 30% of the steps, then cosine.
  await page.evaluate(() => (location.hash = "lr_schedule=warmup_cosine&lr_warmup=0.3"));
  await page.waitForFunction(() => document.getElementById("lr-schedule").value === "warmup_cosine");
  assert.ok(await byId("lr-warmup").isVisible());
  assert.ok(!(await byId("lr-decay").isVisible()));
  const w = Math.floor(0.3 * TOTAL);
  const warmupCosine = (t) => RATE * (t < w ? (t + 1) / (w + 1) : 0.5 * (1 + Math.cos((Math.PI * (t - w)) / (TOTAL - w))));
  assertFollows(await train(), warmupCosine, "warm-up then cosine");

  // A value out of its limits is refused next to its field.
  await byId("lr-warmup").fill("0.95");
  await byId("train").click();
  await byId("field-error-lr_warmup").filter({ hasText: /0\.9/ }).waitFor();
});

test("picking airbench puts its triangular schedule in the form, and the seed its constant one", async () => {
  await byId("model-select").selectOption("airbench");
  await page.waitForFunction(() => document.getElementById("lr-schedule").value === "triangular");
  await byId("model-select").selectOption("seed");
  await page.waitForFunction(() => document.getElementById("lr-schedule").value === "constant");
});

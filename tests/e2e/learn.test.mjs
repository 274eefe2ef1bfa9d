// "How it learns": the five steps light up as a short CPU run goes, slow motion trains one batch
// per click, and the look inside the network shows per-layer gradient norms and activation
// statistics that differ between a ReLU and a sigmoid run the way the text says they should.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPerFile, realSubset, useBackend } from "../helpers.mjs";

const PORT = 20080 + (process.pid % 1000);
let page;
appPerFile(PORT, (app) => ({ page } = app));

const byId = (id) => page.getByTestId(id);

/** The steps lit so far (a MutationObserver collects `data-current`), since the last call. */
async function stepsSeen() {
  return page.evaluate(() => {
    const seen = window.__steps ?? [];
    window.__steps = [];
    return seen;
  });
}

/** The looks that progress reports carried (`data-when="step"`), as the tables showed them. */
async function watchLooks() {
  await page.evaluate(() => {
    window.__looks = [];
    const table = document.querySelector('[data-testid="gradient-norms"]');
    const rows = (id) => [...document.querySelectorAll(`[data-testid="${id}"] tbody tr`)].map((tr) => ({ ...tr.dataset }));
    new MutationObserver(() => {
      if (table.dataset.when !== "step") return;
      const caption = document.getElementById("gradient-caption").textContent;
      window.__looks.push({ gradients: rows("gradient-norms"), activations: rows("activation-stats"), caption });
    }).observe(table, { attributes: true, attributeFilter: ["data-looked"] });
  });
}

async function watchSteps() {
  await page.evaluate(() => {
    window.__steps = [];
    const list = document.querySelector('[data-testid="how-it-learns"]');
    new MutationObserver(() => {
      const lit = list.querySelector('[aria-current="step"]');
      if (lit) window.__steps.push(lit.dataset.step);
    }).observe(list, { subtree: true, attributes: true, attributeFilter: ["aria-current"] });
  });
}

/** Train `epochs` epochs (one by default) with `activation` (and `rate`, when given), and wait
 * for the look the run's end asks for. */
async function trainWith(activation, rate = null, epochs = 1) {
  await page.locator("#activation").selectOption(activation);
  if (rate) await byId("learning-rate").fill(rate);
  await byId("epochs").fill(String(epochs));
  await byId("batch-size").fill("20");
  const before = await byId("gradient-norms").getAttribute("data-looked");
  await byId("train").click();
  await page.locator('[data-testid="train-status"][data-i18n="status.done"]').waitFor({ timeout: 120_000 });
  // The look after the run (its weights, its activation).
  await page.waitForFunction(
    ([b, a]) => {
      const table = document.querySelector('[data-testid="gradient-norms"]');
      return table.dataset.looked !== b && table.dataset.when === "run_ended" && table.dataset.activation === a;
    },
    [before, activation],
  );
  const rows = (id) =>
    page.$$eval(`[data-testid="${id}"] tbody tr`, (trs) => trs.map((tr) => ({ ...tr.dataset })));
  return { gradients: await rows("gradient-norms"), activations: await rows("activation-stats") };
}

test("the five steps light up during a run, and the look inside shows every layer", async (t) => {
  const subset = realSubset(200, 100);
  if (!subset) return t.skip("real CIFAR-10 missing");
  await useBackend(page, "cpu");
  await byId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
  await byId("dataset-summary").filter({ hasText: "airplane" }).waitFor();
  await watchSteps();
  await watchLooks();

  // The light moves on one step per progress report, and every epoch ends with one: four
  // epochs light all five steps however fast the machine is (one epoch may report only twice).
  await trainWith("relu", null, 4);
  const relu = await trainWith("relu");
  const seen = new Set(await stepsSeen());
  for (const step of ["init", "forward", "loss", "backward", "update"]) assert.ok(seen.has(step), `${step} was lit: ${[...seen]}`);

  // While the panel is open, progress reports carry looks measured on the step's own batch:
  // each layer's gradient and the step's update, and every hidden layer, fc1 included.
  const looks = await page.evaluate(() => window.__looks);
  assert.ok(looks.length >= 1, "a progress report carried a look");
  for (const look of looks) {
    assert.deepEqual(look.activations.map((r) => r.layer), ["conv1", "conv2", "conv3", "fc1"]);
    assert.deepEqual(look.gradients.map((r) => r.layer), ["conv1", "conv2", "conv3", "fc1", "fc2"]);
    for (const row of look.gradients) assert.ok(Number(row.updateNorm) > 0, `${row.layer}: the step's update is measured`);
    assert.match(look.caption, /^Measured on the batch being trained \(20 images/);
  }

  assert.ok(relu.gradients.length >= 4, `a row per layer: ${JSON.stringify(relu.gradients)}`);
  for (const row of relu.gradients) {
    assert.ok(Number(row.gradientNorm) > 0, `${row.layer} has a gradient`);
    assert.ok(Number(row.updateNorm) > 0, `${row.layer} moved since the previous look`);
  }
  assert.deepEqual(relu.activations.map((r) => r.layer), ["conv1", "conv2", "conv3", "fc1"]);
  for (const row of relu.activations) {
    assert.ok(Number(row.zeroShare) > 0, `${row.layer}: some ReLU outputs are 0`);
    assert.equal(row.saturatedShare, "", "ReLU has no flat tails to saturate in");
  }

  // A large step drives sigmoid units into their flat tails within one short epoch.
  const sigmoid = await trainWith("sigmoid", "0.05");
  for (const [i, row] of sigmoid.activations.entries()) {
    // A sigmoid gives 0 only where its input is so negative that the output underflows (fc1
    // here, after large steps): every such output is also counted saturated.
    assert.ok(Number(row.zeroShare) <= Number(row.saturatedShare), `${row.layer}: a sigmoid's 0 is saturation`);
    assert.ok(Number(row.saturatedShare) > 0, `${row.layer}: some sigmoid outputs are saturated`);
    // More saturation than with ReLU, which has none.
    assert.ok(Number(row.saturatedShare) > Number(relu.activations[i].saturatedShare || 0));
  }
  // Why sigmoid's early layers learn slowly: little gradient reaches the first layer, compared
  // with the last, once its units saturate.
  const firstToLast = ({ gradients }) => Number(gradients[0].gradientNorm) / Number(gradients.at(-1).gradientNorm);
  assert.ok(firstToLast(sigmoid) < firstToLast(relu), `first/last gradient: sigmoid ${firstToLast(sigmoid)}, ReLU ${firstToLast(relu)}`);
  // The update rule with this run's α.
  assert.match(await byId("update-rule").getAttribute("data-rate"), /^0\.\d+$/);
  assert.ok(await page.locator('[data-testid="update-rule"] .katex').count() >= 1, "typeset by KaTeX");
});

test("slow motion trains one batch per click, lighting its four steps in order", async (t) => {
  if (!realSubset(200, 100)) return t.skip("real CIFAR-10 missing");
  await page.locator("#activation").selectOption("relu");
  await byId("learning-rate").fill("0.001");
  await byId("epochs").fill("3");
  await byId("slow-motion").check();
  await byId("train").click();
  await byId("next-batch").waitFor({ state: "visible" });
  await page.waitForFunction(() => !document.querySelector('[data-testid="next-batch"]').disabled);
  await stepsSeen();
  await byId("next-batch").click();
  await byId("slow-status").filter({ hasText: /^1 batch run in slow motion/ }).waitFor();
  assert.deepEqual(await stepsSeen(), ["forward", "loss", "backward", "update"]);
  await page.waitForFunction(() => !document.querySelector('[data-testid="next-batch"]').disabled);
  await byId("next-batch").click();
  await byId("slow-status").filter({ hasText: /^2 batches run in slow motion/ }).waitFor();
  // Slow motion paused the run, and the training panel says so: both render the worker's session.
  await page.locator('[data-testid="train-status"][data-i18n="status.paused"]').waitFor();
  assert.equal(await byId("pause").innerText(), "Resume");
  // Back to the live view, then stop.
  await byId("slow-motion").uncheck();
  await page.locator('[data-testid="train-status"][data-i18n="status.training"]').waitFor();
  assert.equal(await byId("pause").innerText(), "Pause");
  await byId("stop").click();
  await page.locator('[data-testid="train-status"][data-i18n="status.stopped"]').waitFor({ timeout: 120_000 });
});

// Training in the page, in headless Chromium against dist/, on a real 1,000-image CIFAR-10
// subset (skipped without the archive), in order: one epoch on the CPU with the main thread free,
// a classification, the downloaded weights evaluated by `kiln eval` to the accuracy shown; the
// dataset and the weights kept across a switch to WebGPU and back; a run stopped on WebGPU
// mid-step leaving the device working.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { ARTEFACTS, appPerFile, classifyPng, kilnBinary, pngOf, realSubset, useBackend, waitForPretrained } from "../helpers.mjs";

const PORT = 29080 + (process.pid % 1000);
let page, consoleErrors;
appPerFile(PORT, (app) => ({ page, errors: consoleErrors } = app));

const byId = (id) => page.getByTestId(id);

test("load a real 1,000-image subset, train one epoch on the CPU, classify", async (t) => {
  const subset = realSubset(1000, 500);
  if (!subset) return t.skip("real CIFAR-10 missing");
  // The page has opened and classified a picture: its first-time work is not measured below.
  await waitForPretrained(page);
  await classifyPng(page, "before.png");
  await useBackend(page, "cpu");

  await byId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
  await page.waitForFunction(() => /1,000/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  const summary = await byId("dataset-summary").innerText();
  assert.match(summary, /1,000\s+training and\s+500\s+test images/);
  assert.match(summary, /airplane/);

  await byId("epochs").fill("1");
  await byId("batch-size").fill("32");
  await byId("train-limit").fill("");

  // Watch the main thread while training: the longest gap between animation frames.
  await page.evaluate(() => {
    window.__gaps = { max: 0, last: performance.now(), on: true };
    const tick = (now) => {
      const g = window.__gaps;
      g.max = Math.max(g.max, now - g.last);
      g.last = now;
      if (g.on) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await byId("train").click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="throughput"]').innerText) > 0);
  const progressMid = await byId("progress").evaluate((p) => p.value);
  await byId("train-status").filter({ hasText: /^done$/ }).waitFor({ timeout: 300_000 });
  const maxGap = await page.evaluate(() => ((window.__gaps.on = false), window.__gaps.max));
  console.log(`longest frame gap while training: ${maxGap.toFixed(0)} ms`);

  assert.ok(progressMid > 0, "progress moved during training");
  assert.equal(await byId("progress").evaluate((p) => p.value), 1);
  const throughput = Number(await byId("throughput").innerText());
  console.log(`browser CPU throughput in the e2e run: ${throughput} img/s`);
  assert.ok(throughput > 0);
  assert.match(await byId("test-accuracy").innerText(), /^\d+\.\d\d%$/);
  const points = await page.evaluate(() => window.kiln.charts.points);
  assert.ok(points.steps >= 2, `step chart has ${points.steps} points`);
  assert.equal(points.epochs, 1);
  assert.ok(maxGap < 250, `the main thread stalled for ${maxGap} ms`);

  const { items, all } = await classifyPng(page, "photo.png");
  assert.equal(items.length, 5);
  // Each row shows a class name and a percentage (read per cell: innerText's whitespace
  // between grid cells depends on layout timing).
  const rows = await byId("prediction").locator("li").evaluateAll((lis) =>
    lis.map((li) => [li.querySelector(".name").textContent, li.querySelector(".pct").textContent]),
  );
  assert.equal(rows.length, items.length);
  for (const [name, pct] of rows) {
    assert.match(name, /^[a-z]+$/);
    assert.match(pct, /^\d+\.\d%$/);
  }
  assert.ok(Math.abs(all.reduce((a, b) => a + b, 0) - 1) < 1e-4, "probabilities sum to 1");
  const top5 = all.slice(0, 5);
  assert.deepEqual([...top5].sort((a, b) => b - a), top5, "best first");
  assert.match(await byId("model-status").innerText(), /trained in this tab: 1 epoch/);
  await page.screenshot({ path: path.join(ARTEFACTS, "trained.png"), fullPage: true });

  // Browser → file → CLI: the downloaded weights evaluate to the accuracy the page showed.
  const [download] = await Promise.all([page.waitForEvent("download"), byId("download-weights").click()]);
  const saved = path.join(ARTEFACTS, "browser-trained.bpk");
  await download.saveAs(saved);
  const out = execFileSync(kilnBinary(), ["eval", "--data", subset.testPath, "--weights", saved, "--json"], { encoding: "utf8" });
  const cli = JSON.parse(out.trim().split("\n").pop());
  const shown = Number((await byId("test-accuracy").innerText()).replace("%", ""));
  assert.ok(Math.abs(cli.accuracy * 100 - shown) < 0.01, `kiln eval ${cli.accuracy} vs page ${shown}%`);
});

test("switching between the CPU and WebGPU keeps the dataset and the trained weights", async (t) => {
  if (!/1,000/.test(await byId("dataset-summary").innerText())) return t.skip("no dataset loaded (real CIFAR-10 missing)");
  // With the multi-threaded CPU build in use, WebGPU runs in the other build: the worker moves
  // the dataset and the weights between them.
  const before = JSON.parse(await byId("prediction").getAttribute("data-by-class"));
  const classifyAgain = async (name) => {
    await byId("image-input").setInputFiles({ name, mimeType: "image/png", buffer: await pngOf(page, "#3a6", "#c33") });
    await page.waitForFunction((n) => document.querySelector('[data-testid="prediction"]').dataset.image === n, name);
    return JSON.parse(await byId("prediction").getAttribute("data-by-class"));
  };
  for (const backend of ["webgpu", "cpu"]) {
    await useBackend(page, backend);
    assert.match(await byId("model-status").innerText(), /trained in this tab: 1 epoch/);
    const after = await classifyAgain(`after-${backend}.png`);
    for (let c = 0; c < 10; c++) assert.ok(Math.abs(after[c] - before[c]) < 1e-4, `${backend}, class ${c}: ${after[c]} vs ${before[c]}`);
  }
  // The dataset came along: a short run trains on it.
  await byId("epochs").fill("1");
  await byId("train-limit").fill("64");
  await page.evaluate(() => (window.kiln.lastSummary = null));
  await byId("train").click();
  await page.waitForFunction(() => window.kiln.lastSummary, null, { timeout: 300_000 });
  assert.match(await byId("train-status").innerText(), /done/);
  await byId("train-limit").fill("");
});

test("stopping a run on WebGPU mid-step leaves the device working", async (t) => {
  if (!/1,000/.test(await byId("dataset-summary").innerText())) return t.skip("no dataset loaded (real CIFAR-10 missing)");
  await useBackend(page, "webgpu");
  const run = async (limit, epochs, stopMidRun) => {
    await byId("epochs").fill(String(epochs));
    await byId("batch-size").fill("32");
    await byId("train-limit").fill(String(limit));
    await page.evaluate(() => {
      window.kiln.lastSummary = null;
      document.getElementById("epoch-progress").value = 0;
    });
    await byId("train").click();
    if (stopMidRun) {
      // After the first progress report (the first step compiles the kernels, which takes
      // seconds on SwiftShader): the next report's read is in flight while steps run.
      await page.waitForFunction(() => document.getElementById("epoch-progress").value > 0, null, { timeout: 300_000 });
      await byId("stop").click();
    }
    await page.waitForFunction(() => window.kiln.lastSummary, null, { timeout: 300_000 });
    return page.evaluate(() => window.kiln.lastSummary);
  };
  // Ten epochs: the run cannot end before the stop arrives, whatever the machine's load, and a
  // stop is honoured wherever it arrives (a step, the evaluation, the save).
  const stopped = await run(320, 10, true);
  assert.equal(stopped.cancelled, true, `the run was not stopped: ${JSON.stringify(stopped)}`);
  assert.ok(stopped.epochs < 10, `the run went on after the stop: ${JSON.stringify(stopped)}`);
  const { items } = await classifyPng(page, "after-stop.png");
  assert.equal(items.length, 5);
  const again = await run(32, 1, false);
  assert.equal(again.cancelled, false);
  assert.match(await byId("train-status").innerText(), /done/);
  await byId("train-limit").fill("");
  await useBackend(page, "cpu");
  assert.deepEqual(consoleErrors.filter((e) => /panicked|RuntimeError|unreachable|could not be mapped/.test(e)), []);
});

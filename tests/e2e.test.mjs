// End-to-end: the page as a user drives it, in headless Chromium (playwright-core), against the
// built static site in dist/.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { ARTEFACTS, ROOT, appPerFile, cifarPng, kilnBinary, png, realSubset, useBackend } from "./helpers.mjs";

const PORT = 18080 + (process.pid % 1000);
let page, consoleErrors;
appPerFile(PORT, (app) => ({ page, errors: consoleErrors } = app));

const byId = (id) => page.getByTestId(id);

/** A 96×64 PNG drawn in the page: a background and a centred block of another colour. */
async function pngOf(background, block) {
  const dataUrl = await page.evaluate(([bg, fg]) => {
    const c = document.createElement("canvas");
    c.width = 96;
    c.height = 64;
    const ctx = c.getContext("2d");
    ctx.fillStyle = bg;
    ctx.fillRect(0, 0, 96, 64);
    ctx.fillStyle = fg;
    ctx.fillRect(30, 10, 36, 44);
    return c.toDataURL("image/png");
  }, [background, block]);
  return Buffer.from(dataUrl.split(",")[1], "base64");
}

/** A valid grey PNG of width×height, all black. */
function hugePng(width, height) {
  return png(width, height, 0, Buffer.alloc(height * (width + 1))); // filter byte 0 + black pixels
}

async function expectError(fragment) {
  await byId("error").waitFor({ state: "visible" });
  const text = await byId("error").innerText();
  assert.match(text, fragment);
  await page.locator("#error-close").click();
}

async function classifyPng(name) {
  const buffer = await pngOf("#3a6", "#c33");
  await byId("image-input").setInputFiles({ name, mimeType: "image/png", buffer });
  // This image's result, not the one shown before it.
  await page.waitForFunction((n) => document.querySelector('[data-testid="prediction"]').dataset.image === n, name);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="prediction"] li').length === 5);
  const items = await byId("prediction").locator("li").allInnerTexts();
  const all = JSON.parse(await byId("prediction").getAttribute("data-probabilities"));
  return { items, all };
}

test("the page starts with a device and the pretrained weights, and says so", async () => {
  const status = await byId("backend-status").innerText();
  assert.match(status, /WebGPU|CPU/);
  if (/swiftshader/i.test(status)) {
    // Auto does not train on a software-emulated GPU: the CPU path is faster.
    assert.match(status, /^CPU: .*WebGPU here runs in software/);
  }
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
  assert.match(await byId("model-status").innerText(), /Pretrained weights .*34 epochs, test accuracy 75\.1%/);
  const { items, all } = await classifyPng("before.png");
  assert.equal(items.length, 5);
  assert.ok(Math.abs(all.reduce((a, b) => a + b, 0) - 1) < 1e-4);
});

test("a webcam capture is classified and the camera is released at once", async () => {
  await page.locator("#webcam").click();
  await page.locator("#webcam-capture").waitFor({ state: "visible" });
  // The synthetic camera's first frames can be empty: wait for a picture.
  await page.waitForFunction(() => document.querySelector("#webcam-video").videoWidth > 0);
  const live = await page.evaluate(() => document.querySelector("#webcam-video").srcObject.getTracks().map((t) => t.readyState));
  assert.deepEqual(live, ["live"]);
  const tracks = await page.evaluateHandle(() => document.querySelector("#webcam-video").srcObject.getTracks());
  await page.locator("#webcam-capture").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').dataset.image === "webcam");
  // Every track of the stream ended: the camera (and its light) is off.
  assert.deepEqual(await tracks.evaluate((ts) => ts.map((t) => t.readyState)), ["ended"]);
  assert.equal(await page.evaluate(() => document.querySelector("#webcam-video").srcObject), null);
  assert.equal(await page.locator("#webcam-capture").isHidden(), true);
});

test("an image chosen before the page's script has run is classified when it runs", async () => {
  // A quick user (or the browser restoring the form): the file input holds a file before
  // app.js has attached its handlers. Hold app.js back until the file is chosen.
  const early = await page.context().browser().newPage();
  try {
    let release;
    const held = new Promise((r) => (release = r));
    await early.route("**/app.js", async (route) => {
      await held;
      await route.continue();
    });
    await early.goto(page.url(), { waitUntil: "commit" });
    const buffer = await pngOf("#36a", "#fc3");
    await early.getByTestId("image-input").setInputFiles({ name: "early.png", mimeType: "image/png", buffer });
    release();
    await early.waitForFunction(() => {
      const list = document.querySelector('[data-testid="prediction"]');
      return list.dataset.image === "early.png" && list.dataset.source === "pretrained";
    });
    assert.equal(await early.getByTestId("prediction").locator("li").count(), 5);
  } finally {
    await early.close();
  }
});

test("the CPU path uses every core where the page is cross-origin isolated, and one thread elsewhere", async (t) => {
  if (!existsSync(path.join(ROOT, "dist", "pkg-threads", "kiln_bg.wasm"))) {
    return t.skip("dist/pkg-threads missing: built with KILN_THREADS=0 or without nightly Rust");
  }
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, "serve-dist sends COOP/COEP");
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await useBackend(page, "cpu");
  const status = await byId("backend-status").innerText();
  assert.match(status, cores > 1 ? new RegExp(`${cores} threads`) : /one thread/);
  // Classification runs on the thread pool, and agrees with the single-threaded build.
  await classifyPng("threads.png");
  const threaded = JSON.parse(await byId("prediction").getAttribute("data-by-class"));
  const single = await page.context().browser().newPage();
  try {
    await single.goto(`http://localhost:${PORT}/index.html?test&threads=0`);
    await single.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
    assert.match(await single.getByTestId("backend-status").innerText(), /one thread: threads turned off/);
    await single.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
    await single.getByTestId("image-input").setInputFiles({ name: "single.png", mimeType: "image/png", buffer: await pngOf("#3a6", "#c33") });
    await single.waitForFunction(() => document.querySelector('[data-testid="prediction"]')?.dataset.image === "single.png");
    const one = JSON.parse(await single.getByTestId("prediction").getAttribute("data-by-class"));
    for (let i = 0; i < one.length; i++) assert.ok(Math.abs(one[i] - threaded[i]) < 1e-4, `probability ${i}: ${one[i]} vs ${threaded[i]}`);
  } finally {
    await single.close();
  }
});

test("a page whose WebGPU module cannot be fetched says so, and the CPU keeps working", async () => {
  // The page starts on the CPU path's module and fetches the WebGPU one only when WebGPU is
  // tried: a network failure then must not cost the device, the weights or the page.
  const offline = await page.context().browser().newPage();
  try {
    await offline.route("**/pkg/kiln_bg.wasm", (route) => route.abort("internetdisconnected"));
    await offline.goto(page.url());
    const status = offline.getByTestId("backend-status");
    await status.filter({ hasNotText: "starting" }).waitFor();
    await offline.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
    await offline.getByTestId("backend-select").selectOption("webgpu");
    await offline.waitForFunction(() => /WebGPU build of Kiln did not load/.test(document.querySelector('[data-testid="backend-status"]').textContent));
    assert.match(await status.innerText(), /^CPU: .*using the CPU because the WebGPU build of Kiln did not load/);
    assert.equal(await offline.getByTestId("model-status").getAttribute("data-source"), "pretrained");
    const buffer = await pngOf("#3a6", "#c33");
    await offline.getByTestId("image-input").setInputFiles({ name: "offline.png", mimeType: "image/png", buffer });
    await offline.waitForFunction(() => document.querySelector('[data-testid="prediction"]')?.dataset.image === "offline.png");
    assert.equal(await offline.getByTestId("prediction").locator("li").count(), 5);
  } finally {
    await offline.close();
  }
});

test("weights from `kiln train --out` classify in the page exactly as `kiln classify` does", async (t) => {
  const subset = realSubset(1000, 500);
  if (!subset) return t.skip("real CIFAR-10 missing");
  const weights = path.join(ROOT, "www", "models", "seed.bpk"); // written by `kiln train --out`
  await useBackend(page, "webgpu"); // (Auto picks the CPU on SwiftShader)
  await byId("weights-input").setInputFiles(weights);
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "file");
  const N = 20;
  const cli = JSON.parse(
    execFileSync(kilnBinary(), ["classify", "--data", subset.testPath, "--weights", weights, "--first", String(N), "--json"], {
      encoding: "utf8",
    }).trim().split("\n").pop(),
  );
  const records = readFileSync(subset.testPath);
  let worst = 0;
  for (let i = 0; i < N; i++) {
    const record = records.subarray(i * 3073, (i + 1) * 3073);
    await byId("image-input").setInputFiles({ name: `test${i}.png`, mimeType: "image/png", buffer: cifarPng(record) });
    await page.waitForFunction((name) => document.querySelector('[data-testid="prediction"]').dataset.image === name, `test${i}.png`);
    const page_ = JSON.parse(await byId("prediction").getAttribute("data-by-class"));
    const expected = cli.images[i].probabilities;
    const top = page_.indexOf(Math.max(...page_));
    assert.equal(top, cli.images[i].top, `image ${i}: top-1 differs (page ${top}, CLI ${cli.images[i].top})`);
    for (let c = 0; c < 10; c++) worst = Math.max(worst, Math.abs(page_[c] - expected[c]));
  }
  console.log(`CLI → browser: ${N} test images, same top-1, largest probability difference ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-4, `probabilities differ by up to ${worst}`);
});

test("load a real 1,000-image subset, train one epoch on the CPU, classify", async (t) => {
  const subset = realSubset(1000, 500);
  if (!subset) return t.skip("real CIFAR-10 missing");
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

  const { items, all } = await classifyPng("photo.png");
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
  assert.ok(Math.abs(cli.test_accuracy * 100 - shown) < 0.01, `kiln eval ${cli.test_accuracy} vs page ${shown}%`);
});

test("switching between the CPU and WebGPU keeps the dataset and the trained weights", async (t) => {
  if (!/1,000/.test(await byId("dataset-summary").innerText())) return t.skip("no dataset loaded (real CIFAR-10 missing)");
  // With the multi-threaded CPU build in use, WebGPU runs in the other build: the worker moves
  // the dataset and the weights between them.
  const before = JSON.parse(await byId("prediction").getAttribute("data-by-class"));
  const classifyAgain = async (name) => {
    await byId("image-input").setInputFiles({ name, mimeType: "image/png", buffer: await pngOf("#3a6", "#c33") });
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
  const { items } = await classifyPng("after-stop.png");
  assert.equal(items.length, 5);
  const again = await run(32, 1, false);
  assert.equal(again.cancelled, false);
  assert.match(await byId("train-status").innerText(), /done/);
  await byId("train-limit").fill("");
  await useBackend(page, "cpu");
  assert.deepEqual(consoleErrors.filter((e) => /panicked|RuntimeError|unreachable|could not be mapped/.test(e)), []);
});

test("a corrupt dataset file and a non-image show an error, and the page keeps working", async () => {
  const before = await byId("dataset-summary").innerText();
  await byId("dataset-input").setInputFiles({
    name: "data_batch_9.bin",
    mimeType: "application/octet-stream",
    buffer: Buffer.alloc(5000, 7),
  });
  await expectError(/data_batch_9\.bin: 5000 bytes is not a whole number of CIFAR-10 records/);
  assert.equal(await byId("dataset-summary").innerText(), before, "the loaded dataset is kept");

  await byId("dataset-input").setInputFiles({ name: "cifar-10-binary.tar.gz", mimeType: "application/gzip", buffer: Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]) });
  await expectError(/cifar-10-binary\.tar\.gz: corrupt or truncated archive/);

  await byId("image-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
  await expectError(/notes\.txt is not an image/);
  await byId("image-input").setInputFiles({ name: "fake.png", mimeType: "image/png", buffer: Buffer.from("not really a png") });
  await expectError(/fake\.png is not an image/);

  const huge = hugePng(10_000, 10_000);
  await byId("image-input").setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: huge });
  await expectError(/huge\.png is 10000×10000 pixels \(100 megapixels\)/);

  const status = await byId("model-status").innerText();
  await byId("weights-input").setInputFiles({ name: "random.bpk", mimeType: "application/octet-stream", buffer: Buffer.alloc(3000, 3) });
  await expectError(/random\.bpk: not a Kiln weights file/);
  assert.equal(await byId("model-status").innerText(), status, "the weights in use are kept");

  // Still working: classification answers.
  const { items } = await classifyPng("after.png");
  assert.equal(items.length, 5);
  assert.deepEqual(consoleErrors.filter((e) => /panicked|RuntimeError|unreachable/.test(e)), []);
});

test("class names from batches.meta.txt show as text, never as markup", async (t) => {
  const subset = realSubset(1000, 500);
  if (!subset) return t.skip("real CIFAR-10 missing");
  const names = [
    '<img src=x onerror="window.__injected = 1">plane',
    "auto<b>mobile</b>",
    "bird & co",
    ...["cat", "deer", "dog", "frog", "horse", "ship", "truck"],
  ];
  const meta = { name: "batches.meta.txt", mimeType: "text/plain", buffer: Buffer.from(names.join("\n")) };
  const file = (p) => ({ name: path.basename(p), mimeType: "application/octet-stream", buffer: readFileSync(p) });
  await byId("dataset-input").setInputFiles([file(subset.trainPath), file(subset.testPath), meta]);
  await page.waitForFunction(() => /auto<b>mobile<\/b>/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  const shown = await page.$$eval('[data-testid="dataset-summary"] tbody td:first-child', (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(shown, names);
  assert.equal(await page.locator('[data-testid="dataset-summary"] img, [data-testid="dataset-summary"] b').count(), 0);
  assert.equal(await page.evaluate(() => window.__injected), undefined);
});

test("window.kiln (charts, memory, last summary) is there only with ?test", async () => {
  assert.equal(typeof (await page.evaluate(() => window.kiln.charts.points.steps)), "number");
  const plain = await page.context().browser().newPage();
  try {
    await plain.goto(page.url().replace(/\?.*$/, ""));
    await plain.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
    assert.equal(await plain.evaluate(() => typeof window.kiln), "undefined");
  } finally {
    await plain.close();
  }
});

test("the training form takes its defaults from the engine, shows each refusal beside its field and lives in the link", async () => {
  const form = await page.context().browser().newPage();
  try {
    const url = page.url().replace(/\?.*$/, "?test");
    await form.goto(`${url}#epochs=7&learning_rate=0.01&augment=true`);
    await form.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
    const field = (id) => form.getByTestId(id);
    await form.waitForFunction(() => document.querySelectorAll(".field-error").length === 15);
    // From the link, and the rest from the engine's declarations.
    assert.equal(await field("epochs").inputValue(), "7");
    assert.equal(await field("learning-rate").inputValue(), "0.01");
    assert.equal(await field("augment").isChecked(), true);
    assert.equal(await field("batch-size").inputValue(), "32");
    assert.equal(await field("epochs").getAttribute("max"), "1000");

    // Ten records of a made-up batch file, so that Train is enabled.
    const records = Buffer.alloc(10 * 3073);
    for (let i = 0; i < 10; i++) records[i * 3073] = i;
    await field("dataset-input").setInputFiles({ name: "data_batch_1.bin", mimeType: "application/octet-stream", buffer: records });
    await form.waitForFunction(() => !document.querySelector('[data-testid="train"]').disabled);

    await field("epochs").fill("1.5");
    await field("batch-size").fill("0");
    assert.match(await form.evaluate(() => location.hash), /epochs=1\.5&batch_size=0/);
    await field("train").click();
    const refusal = (key) => form.locator(`.field-error[data-field="${key}"]`);
    await refusal("epochs").filter({ hasText: "whole number" }).waitFor();
    assert.match(await refusal("batch_size").innerText(), /from 1 to 4096/);
    assert.equal(await refusal("learning_rate").innerText(), "");
    assert.match(await field("error").innerText(), /epochs must be a whole number; batch size must be from 1 to 4096/);
    assert.equal(await field("train-status").innerText(), "idle", "no run started");

    // Fixed, the same form trains, and the refusals go.
    await field("epochs").fill("1");
    await field("batch-size").fill("5");
    await field("train").click();
    await field("train-status").filter({ hasText: /^done$/ }).waitFor({ timeout: 60_000 });
    assert.equal(await refusal("epochs").innerText(), "");
    assert.match(await form.evaluate(() => location.hash), /epochs=1&batch_size=5&learning_rate=0\.01/);
  } finally {
    await form.close();
  }
});

// The device the page computes on, in headless Chromium against dist/: the CPU path on every core
// where the page is cross-origin isolated and on one thread with ?threads=0, the same
// probabilities from both; and a WebGPU module that cannot be fetched, which costs neither the
// device nor the weights. Moving a trained model between devices is in training.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { existsSync } from "node:fs";
import { ROOT, appPerFile, classifyPng, pngOf, useBackend } from "../helpers.mjs";

const PORT = 28080 + (process.pid % 1000);
let page;
appPerFile(PORT, (app) => ({ page } = app));

const byId = (id) => page.getByTestId(id);

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
  await classifyPng(page, "threads.png");
  const threaded = JSON.parse(await byId("prediction").getAttribute("data-by-class"));
  const single = await page.context().browser().newPage();
  try {
    await single.goto(`http://localhost:${PORT}/index.html?test&threads=0`);
    await single.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
    assert.match(await single.getByTestId("backend-status").innerText(), /one thread: threads turned off/);
    // The worker sends why as a code: the line is worded again in the other language.
    await single.getByTestId("language-select").selectOption("zh-CN");
    assert.match(await single.getByTestId("backend-status").innerText(), /单线程：已关闭多线程/);
    await single.getByTestId("language-select").selectOption("en");
    await single.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
    await single.getByTestId("image-input").setInputFiles({ name: "single.png", mimeType: "image/png", buffer: await pngOf(page, "#3a6", "#c33") });
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
    const buffer = await pngOf(page, "#3a6", "#c33");
    await offline.getByTestId("image-input").setInputFiles({ name: "offline.png", mimeType: "image/png", buffer });
    await offline.waitForFunction(() => document.querySelector('[data-testid="prediction"]')?.dataset.image === "offline.png");
    assert.equal(await offline.getByTestId("prediction").locator("li").count(), 5);
  } finally {
    await offline.close();
  }
});

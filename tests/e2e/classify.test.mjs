// Classifying a picture, in headless Chromium against dist/: a webcam capture (the camera released
// at once), and the page's probabilities for real CIFAR-10 test images against `kiln classify`'s
// for the same weights file.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { ROOT, appPerFile, cifarPng, kilnBinary, realSubset, useBackend } from "../helpers.mjs";

const PORT = 27080 + (process.pid % 1000);
let page;
appPerFile(PORT, (app) => ({ page } = app));

const byId = (id) => page.getByTestId(id);

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

// The network drawn at the centre of the page: its layers and map counts for both networks, a
// sample picture flowing through it from the start, a picture dropped on the first screen
// drawn without scrolling, a clicked unit whose shown arithmetic gives the engine's value (on
// the CPU path and on WebGPU), maps that change as the network trains, and slow motion lighting
// forward, loss, backward and update in that order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPerFile, cifarPng, realSubset, useBackend } from "../helpers.mjs";

const PORT = 21080 + (process.pid % 1000);
let page;
appPerFile(PORT, (app) => ({ page } = app));
const byId = (id) => page.getByTestId(id);

/** The layers drawn (top level), as `name:maps`. */
const layers = () =>
  page.$$eval('[data-testid="network-diagram"] > .layer', (ls) => ls.map((l) => `${l.dataset.layer}:${l.dataset.maps}`));

/** Wait for a drawing newer than `after` (the diagram's `data-updated` count). */
async function drawnAfter(after) {
  await page.waitForFunction(
    (a) => Number(document.querySelector('[data-testid="network-diagram"]').dataset.updated || 0) > a,
    after,
    { timeout: 120_000 },
  );
}
const drawings = () => page.$eval('[data-testid="network-diagram"]', (d) => Number(d.dataset.updated || 0));

/** Click unit `unit` of `layer` and return the inspector's detail once it shows that unit. */
async function inspect(layer, unit) {
  await page.locator(`[data-testid="network-diagram"] .layer[data-layer="${layer}"] > .units > [data-unit="${unit}"]`).click();
  const box = byId("unit-inspector");
  await page.waitForFunction(
    ([l, u]) => {
      const b = document.querySelector('[data-testid="unit-inspector"]');
      return !b.hidden && b.dataset.layer === l && b.dataset.position?.startsWith(`${u},`) && !b.hasAttribute("aria-busy");
    },
    [layer, unit],
  );
  return {
    detail: JSON.parse(await box.getAttribute("data-detail")),
    drawn: Number(await box.getAttribute("data-drawn")),
    text: await box.innerText(),
  };
}

const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-4 * (1 + Math.abs(a) + Math.abs(b)), `${what}: ${a} vs ${b}`);
const act = { relu: (z) => Math.max(0, z), sigmoid: (z) => 1 / (1 + Math.exp(-z)), linear: (z) => z };

/** The shown arithmetic of a convolution unit gives the engine's sum and value, and the value
 * is the one drawn in the map. */
function checkConv({ detail: d, drawn, text }, what) {
  assert.equal(d.kind, "conv", what);
  assert.equal(d.weights.length, d.channels_in * d.kernel * d.kernel);
  const terms = d.weights.reduce((s, w, i) => s + w * d.patch[i], 0) + (d.bias ?? 0);
  close(terms, d.sum, `${what}: Σ w·x + b against the engine's sum`);
  close(act[d.activation](d.sum), d.value, `${what}: ${d.activation}(sum) against the engine's value`);
  assert.equal(d.value, drawn, `${what}: the value is the one drawn`);
  assert.match(text, /Σ w·x \+ b/);
}

test("the seed is drawn input to output, a sample flowing through it from the start", async () => {
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="network-diagram"] > .layer').length > 0, null, { timeout: 60_000 });
  assert.deepEqual(await layers(), ["input:3", "conv1:32", "pool1:32", "conv2:64", "pool2:64", "conv3:64", "fc1:64", "fc2:10"]);
  // One canvas per feature map; the outputs as ten bars that add up to 1.
  assert.equal(await page.locator('.layer[data-layer="conv2"] canvas[data-unit]').count(), 64);
  const p = await page.$$eval('.layer[data-layer="fc2"] [data-unit]', (bs) => bs.map((b) => Number(b.dataset.probability)));
  assert.equal(p.length, 10);
  close(p.reduce((a, b) => a + b, 0), 1, "the probabilities");
  // The sample is one of CIFAR-10's test images, and it was classified too.
  assert.match(await byId("prediction").getAttribute("data-image"), /^sample: /);
});

test("a clicked unit shows the engine's arithmetic: convolution, pooling, dense and softmax", async () => {
  await useBackend(page, "cpu");
  checkConv(await inspect("conv1", 3), "conv1");
  checkConv(await inspect("conv3", 20), "conv3");
  const pool = (await inspect("pool2", 7)).detail;
  assert.equal(pool.value, Math.max(...pool.window));
  const dense = (await inspect("fc1", 5)).detail;
  close(dense.weights.reduce((s, w, i) => s + w * dense.inputs[i], 0) + dense.bias, dense.sum, "fc1");
  const out = await inspect("fc2", 2);
  const z = out.detail.logits;
  close(Math.exp(z[2]) / z.reduce((s, v) => s + Math.exp(v), 0), out.detail.probabilities[2], "softmax");
  assert.match(out.text, /p = e\^z \/ Σ e\^z/);
  // Another position of the same map, from the enlarged map.
  const enlarged = page.locator('[data-testid="unit-inspector"] canvas.enlarged');
  await page.locator('.layer[data-layer="conv1"] > .units > [data-unit="3"]').click();
  await enlarged.click({ position: { x: 2, y: 2 } });
  await page.waitForFunction(() => document.querySelector('[data-testid="unit-inspector"]').dataset.position === "3,0,0");
  checkConv(
    {
      detail: JSON.parse(await byId("unit-inspector").getAttribute("data-detail")),
      drawn: Number(await byId("unit-inspector").getAttribute("data-drawn")),
      text: await byId("unit-inspector").innerText(),
    },
    "conv1 at (0, 0)",
  );
});

test("a clicked unit's arithmetic holds on WebGPU", async () => {
  await useBackend(page, "webgpu");
  const before = await drawings();
  await page.locator('[data-testid="samples"] button').nth(1).click();
  await drawnAfter(before);
  checkConv(await inspect("conv2", 11), "conv2 on WebGPU");
  await useBackend(page, "cpu");
});

test("airbench is drawn block by block, each block's steps folded inside it", async () => {
  const before = await drawings();
  await byId("model-select").selectOption("airbench");
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.model === "airbench", null, { timeout: 120_000 });
  await drawnAfter(before);
  await page.waitForFunction(() => document.querySelector('[data-testid="network-diagram"] > .layer[data-layer="block2"]'));
  assert.deepEqual(await layers(), ["input:3", "whiten:24", "block1:64", "block2:256", "block3:256", "pool:256", "linear:10"]);
  await page.locator('.layer[data-layer="block1"] > details > summary').click();
  const inner = await page.$$eval('.layer[data-layer="block1"] .inner > .layer', (ls) => ls.map((l) => `${l.dataset.layer}:${l.dataset.maps}`));
  assert.deepEqual(inner, ["block1.conv1:64", "block1.pool:64", "block1.norm1:64", "block1.conv2:64"]);
  const { detail } = await inspect("block1.conv1", 5);
  const terms = detail.weights.reduce((s, w, i) => s + w * detail.patch[i], 0);
  close(terms, detail.sum, "block1.conv1");
  await byId("model-select").selectOption("seed");
});

test("a picture dropped on the first screen goes through the network without scrolling", async () => {
  const drop = await byId("image-drop").boundingBox();
  const viewport = page.viewportSize();
  assert.ok(drop.y + drop.height <= viewport.height, `the drop zone is on the first screen: ${JSON.stringify(drop)}`);
  const diagram = await byId("network-diagram").boundingBox();
  assert.ok(diagram.y < viewport.height, "the drawing starts on the first screen");
  const before = await drawings();
  // A generated picture: a white square on black, not CIFAR-10.
  const record = Buffer.alloc(3073);
  for (let c = 0; c < 3; c++) for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) record[1 + c * 1024 + y * 32 + x] = 255;
  await byId("image-input").setInputFiles({ name: "square.png", mimeType: "image/png", buffer: cifarPng(record) });
  await drawnAfter(before);
  assert.equal(await byId("prediction").getAttribute("data-image"), "square.png");
  assert.equal(await page.evaluate(() => scrollY), 0, "nothing scrolled");
});

test("on a phone too, the drop zone is on the first screen and a picture goes through without scrolling", async () => {
  const phone = await page.context().browser().newPage({ viewport: { width: 390, height: 844 } });
  try {
    await phone.goto(page.url());
    await phone.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
    await phone.waitForFunction(() => document.querySelectorAll('[data-testid="network-diagram"] [data-unit]').length > 0, null, { timeout: 60_000 });
    const drop = await phone.getByTestId("image-drop").boundingBox();
    assert.ok(drop.y + drop.height <= 844, `the drop zone is on the phone's first screen: ${JSON.stringify(drop)}`);
    const before = await phone.$eval('[data-testid="network-diagram"]', (d) => Number(d.dataset.updated || 0));
    // A generated picture: a white square on black, not CIFAR-10.
    const record = Buffer.alloc(3073);
    for (let c = 0; c < 3; c++) for (let y = 4; y < 28; y++) for (let x = 4; x < 28; x++) record[1 + c * 1024 + y * 32 + x] = 255;
    await phone.getByTestId("image-input").setInputFiles({ name: "phone.png", mimeType: "image/png", buffer: cifarPng(record) });
    await phone.waitForFunction((b) => Number(document.querySelector('[data-testid="network-diagram"]').dataset.updated || 0) > b, before);
    assert.equal(await phone.getByTestId("prediction").getAttribute("data-image"), "phone.png");
    assert.equal(await phone.evaluate(() => scrollY), 0, "nothing scrolled");
  } finally {
    await phone.close();
  }
});

test("the maps change as the network trains, and slow motion lights each step on the drawing", async (t) => {
  const subset = realSubset(200, 100);
  if (!subset) return t.skip("real CIFAR-10 missing");
  await byId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
  await byId("dataset-summary").filter({ hasText: "airplane" }).waitFor();
  const map = () => page.$eval('.layer[data-layer="conv1"] canvas[data-unit="0"]', (c) => c.toDataURL());
  const probabilities = () => byId("network-diagram").locator(".layer.output [data-unit]").evaluateAll((bs) => bs.map((b) => b.dataset.probability));
  const [mapBefore, pBefore] = [await map(), await probabilities()];
  await byId("epochs").fill("1");
  await byId("batch-size").fill("20");
  // What the page asks of the worker, and when the drawing is redrawn, in order.
  await page.evaluate(() => {
    window.__log = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message?.type) window.__log.push(message.type);
      return post.call(this, message, ...rest);
    };
    new MutationObserver(() => window.__log.push("drawn")).observe(
      document.querySelector('[data-testid="network-diagram"]'), { attributes: true, attributeFilter: ["data-updated"] });
  });
  // The drawing on screen (filling the form scrolled to it); Train stays in the run bar.
  await byId("network-diagram").scrollIntoViewIfNeeded();
  const before = await drawings();
  await byId("train").click();
  await page.locator('[data-testid="train-status"][data-i18n="status.done"]').waitFor({ timeout: 120_000 });
  await drawnAfter(before);
  await page.waitForTimeout(500); // the drawing the run's end asks for
  assert.notEqual(await map(), mapBefore, "conv1's first map changed with training");
  assert.notDeepEqual(await probabilities(), pBefore, "the outputs changed with training");
  // During the run the drawing came with the progress reports: no request of its own.
  const log = await page.evaluate(() => window.__log);
  const during = log.slice(log.indexOf("train"), log.indexOf("drawn", log.indexOf("train")) + 1);
  assert.equal(during.at(-1), "drawn", `the drawing was redrawn during the run: ${log}`);
  assert.ok(!during.includes("network"), `no network request while the run trained: ${during}`);

  // Slow motion: forward (left to right), loss, backward (right to left), update.
  await page.evaluate(() => {
    window.__phases = [];
    window.__lit = [];
    const d = document.querySelector('[data-testid="network-diagram"]');
    new MutationObserver(() => {
      const phase = d.dataset.phase;
      if (phase && window.__phases.at(-1) !== phase) window.__phases.push(phase);
      const lit = d.querySelector(":scope > .layer.lit");
      if (lit && window.__lit.at(-1) !== `${phase}:${lit.dataset.layer}`) window.__lit.push(`${phase}:${lit.dataset.layer}`);
    }).observe(d, { attributes: true, subtree: true, attributeFilter: ["data-phase", "class"] });
  });
  await byId("epochs").fill("3");
  await byId("slow-motion").check();
  await byId("train").click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="next-batch"]').disabled, null, { timeout: 60_000 });
  await page.evaluate(() => ((window.__phases = []), (window.__lit = [])));
  await byId("next-batch").click();
  await byId("slow-status").filter({ hasText: /^1 batch run in slow motion/ }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.__phases), ["forward", "loss", "backward", "update"]);
  const lit = await page.evaluate(() => window.__lit);
  const forward = lit.filter((l) => l.startsWith("forward:")).map((l) => l.slice(8));
  const backward = lit.filter((l) => l.startsWith("backward:")).map((l) => l.slice(9));
  assert.deepEqual(forward.slice(0, 2), ["input", "conv1"], `forward sweeps left to right: ${forward}`);
  assert.deepEqual(backward.slice(0, 2), ["fc2", "fc1"], `backward sweeps right to left: ${backward}`);
  await byId("slow-motion").uncheck();
  await byId("stop").click();
  await page.locator('[data-testid="train-status"][data-i18n="status.stopped"]').waitFor({ timeout: 60_000 });
});

test("each lesson's button sets up its experiment through the URL, and the URL alone reproduces it", async () => {
  const lessons = await page.$$eval("[data-lesson]", (ls) => ls.map((l) => l.dataset.lesson));
  assert.deepEqual(lessons, ["activation", "learning_rate", "overfitting", "black_box", "schedule"]);
  const field = (key) => page.$eval(`#${key.replaceAll("_", "-")}`, (f) => (f.type === "checkbox" ? String(f.checked) : f.value));
  for (const lesson of lessons) {
    await page.locator(`[data-lesson="${lesson}"] button`).click();
    const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    assert.ok([...hash.keys()].length >= 1, `${lesson}: settings in the URL`);
    await page.waitForFunction(
      (entries) => entries.every(([k, v]) => {
        const f = document.getElementById(k.replaceAll("_", "-"));
        return (f.type === "checkbox" ? String(f.checked) : f.value) === v;
      }),
      [...hash.entries()],
    );
    if (lesson === "black_box") {
      await page.waitForFunction(() => {
        const box = document.querySelector('[data-testid="unit-inspector"]');
        return !box.hidden && box.dataset.layer === "conv3";
      });
    }
    // The link alone: a fresh page opened at this URL shows the same settings.
    const url = page.url();
    const other = await page.context().browser().newPage();
    await other.goto(url);
    await other.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
    for (const [key, value] of hash) {
      await other.waitForFunction(
        ([k, v]) => {
          const f = document.getElementById(k.replaceAll("_", "-"));
          return (f.type === "checkbox" ? String(f.checked) : f.value) === v;
        },
        [key, value],
      );
    }
    await other.close();
    assert.equal(await field("model"), hash.get("model") ?? "seed");
  }
});

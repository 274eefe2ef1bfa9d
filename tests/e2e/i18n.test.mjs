// The page in 简体中文 and English: the two catalogs agree, a browser whose language is zh-CN
// gets a page with no English left in it (class names and an engine error included), and the
// header's menu switches every string at once, keeping the run, the dataset and the results. On a
// published site (a dataset split beside the page) the model menu's description, the site's
// dataset panel and the offline and storage line are in Chinese too, and follow the menu.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import en from "../../www/i18n/en.js";
import zh from "../../www/i18n/zh-CN.js";
import { cifarPng, launchBrowser, noiseBatch, realSubset, startServer } from "../helpers.mjs";
import { makeSite, removeSite, serveSite } from "../site-helpers.mjs";

const PORT = 19080 + (process.pid % 1000);

/** The `{name}`s of a catalog entry (all its plural forms). */
const paramsOf = (entry) =>
  [...new Set((typeof entry === "string" ? [entry] : Object.values(entry)).flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();

test("the two catalogs have the same keys, and each text the same parameters", () => {
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) assert.deepEqual(paramsOf(zh[key]), paramsOf(en[key]), `parameters of ${key}`);
});

// Words that read the same in both languages: names, not sentences.
const PROPER = new Set(["Kiln", "WebGPU", "CIFAR-10", "ReLU", "Adam", "SGD", "CPU", "Grad-CAM", "seed", "sigmoid", "English"]);

/** What an untranslated English text looks like: a whole entry of the English catalog (its
 * parameters anything) or one of its pieces between parameters, where the Chinese differs. */
function englishMatchers() {
  const whole = [];
  const pieces = new Set();
  for (const [key, entry] of Object.entries(en)) {
    for (const text of typeof entry === "string" ? [entry] : Object.values(entry)) {
      if (JSON.stringify(zh[key]) === JSON.stringify(entry)) continue;
      const literal = text.split(/\{\w+\}/).map((s) => s.trim()).filter((s) => /[A-Za-z]{3,}/.test(s) && !PROPER.has(s));
      if (!literal.length) continue;
      literal.forEach((p) => pieces.add(p));
      const escaped = text.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{\w+\\?\}/g, ".*?");
      whole.push(new RegExp(`^${escaped.trim()}$`, "s"));
    }
  }
  return (text) => pieces.has(text) || whole.some((re) => re.test(text));
}

/** Every visible text node of the page, and every aria-label, title and placeholder. */
const visibleTexts = (page) =>
  page.evaluate(() => {
    const out = [];
    const shown = (el) => (el.closest("option") ? el.closest("select") : el).checkVisibility({ visibilityProperty: true });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      if (text && n.parentElement && shown(n.parentElement)) out.push({ text, where: n.parentElement.id || n.parentElement.tagName });
    }
    for (const el of document.querySelectorAll("[aria-label], [title], [placeholder]")) {
      for (const attr of ["aria-label", "title", "placeholder"]) {
        const text = el.getAttribute(attr)?.trim();
        if (text) out.push({ text, where: `${el.id || el.tagName}[${attr}]` });
      }
    }
    out.push({ text: document.title, where: "title" });
    return out;
  });

let server, site, browser, context, page;
const byId = (id) => page.getByTestId(id);
const han = /[\u4e00-\u9fff]/;

before(async () => {
  server = await startServer(PORT);
  browser = await launchBrowser();
  context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 1100 } });
  page = await context.newPage();
  await page.goto(`http://localhost:${PORT}/index.html?test`);
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend);
});
after(async () => {
  await browser?.close();
  server?.kill();
  site?.kill();
  removeSite();
});

/** Switch the page's language with the header's menu. */
async function switchTo(lang, on = page) {
  await on.getByTestId("language-select").selectOption(lang);
  await on.waitForFunction((l) => document.documentElement.lang === l, lang);
}

test("a browser set to Chinese gets the page in Chinese, an engine error included", async () => {
  assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.equal(await byId("language-select").inputValue(), "zh-CN");
  assert.equal(await page.locator(".tagline").innerText(), zh["page.tagline"]);
  assert.equal(await byId("train-status").innerText(), zh["status.idle"]);

  // A file that is not CIFAR-10: the engine refuses it with a code, the page words it.
  await byId("dataset-input").setInputFiles({ name: "bad.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(10) });
  await byId("error").waitFor({ state: "visible" });
  assert.match(await byId("error").innerText(), /bad\.bin：10 字节不是整数条 CIFAR-10 记录/);
  // The same error, worded again in English at the switch.
  await switchTo("en");
  assert.match(await byId("error").innerText(), /bad\.bin: 10 bytes is not a whole number of CIFAR-10 records/);
  await switchTo("zh-CN");
  assert.match(await byId("error").innerText(), /不是整数条 CIFAR-10 记录/);
});

test("with a dataset, a short run and a classified image, no English string is left untranslated", async (t) => {
  const subset = realSubset(200, 100);
  if (!subset) return t.skip("real CIFAR-10 missing");
  await byId("backend-select").selectOption("cpu");
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend === "cpu");
  assert.match(await byId("backend-status").innerText(), /^CPU：.*(\d+ 个线程|单线程)/);
  await byId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
  await byId("dataset-summary").filter({ hasText: "飞机" }).waitFor();
  assert.match(await byId("dataset-summary").innerText(), /训练图像\s*200\s*张，测试图像\s*100\s*张/);

  // A refused setting, in Chinese beside its field.
  await byId("epochs").fill("1.5");
  await byId("train").click();
  await page.locator('.field-error[data-field="epochs"]').filter({ hasText: "必须是整数" }).waitFor();
  assert.match(await byId("error").innerText(), /请检查训练设置：训练轮数必须是整数。/);

  await byId("epochs").fill("1");
  await byId("batch-size").fill("20");
  await byId("train").click();
  await page.locator('[data-testid="train-status"][data-i18n="status.done"]').waitFor({ timeout: 120_000 });
  assert.equal(await byId("train-status").innerText(), "完成");

  const { readFileSync } = await import("node:fs");
  const record = readFileSync(subset.testPath).subarray(0, 3073);
  await byId("image-input").setInputFiles({ name: "test0.png", mimeType: "image/png", buffer: cifarPng(record) });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="prediction"] li').length === 5);
  const names = await page.$$eval('[data-testid="prediction"] .name', (els) => els.map((e) => e.textContent));
  for (const name of names) assert.match(name, han, `class name ${name} in Chinese`);
  await page.locator('[data-testid="confusion-matrix"] th', { hasText: "卡车" }).first().waitFor();
  // The explanation's captions name the network's own layers, in Chinese.
  await page.locator('#gradcam-caption[data-i18n="classify.gradcam_layer"]').waitFor();
  assert.match(await page.locator("#gradcam-caption").innerText(), /^\w+ 上的 Grad-CAM（\d+×\d+）：这个类别的证据在哪里$/);
  await page.locator('#filters-caption[data-i18n="inside.filters_learned"]').waitFor();
  assert.match(await page.locator("#filters-caption").innerText(), /^第一层的 \d+ 个卷积核（3×3，彩色），由训练学到$/);

  const isEnglish = englishMatchers();
  const untranslated = (await visibleTexts(page)).filter(({ text }) => isEnglish(text));
  assert.deepEqual(untranslated, [], "English strings on the Chinese page");
});

test("the menu switches every string at once and keeps the run, the dataset and the results", async () => {
  const state = () =>
    page.evaluate(() => ({
      points: window.kiln.charts.points,
      image: document.querySelector('[data-testid="prediction"]').dataset.image,
      accuracy: document.querySelector('[data-testid="eval-summary"]').dataset.accuracy,
      classes: document.querySelectorAll('[data-testid="dataset-summary"] tbody tr').length,
    }));
  const before = await state();
  await switchTo("en");
  assert.deepEqual(await state(), before, "nothing the page held was lost");
  assert.equal(await page.title(), en["page.title"]);
  assert.equal(await page.locator(".tagline").innerText(), en["page.tagline"]);
  if (before.classes) {
    assert.match(await byId("dataset-summary").innerText(), /200\s+training and\s+100\s+test images/);
    assert.match(await byId("dataset-summary").innerText(), /airplane/);
    assert.equal(await byId("train-status").innerText(), "done");
    assert.equal(await page.locator("#epoch-chart .u-title").innerText(), en["chart.epoch_title"]);
    assert.match(await page.locator("#gradcam-caption").innerText(), /^Grad-CAM on \w+ \(\d+×\d+\): where the evidence for the class lies$/);
    assert.match(await page.locator("#filters-caption").innerText(), /^The \d+ first-layer filters \(3×3, colour\), learned$/);
  }
  // No Chinese left, but for the menu's own name of the language and saved runs' names (data).
  const chinese = (await visibleTexts(page)).filter(({ text, where }) => han.test(text) && text !== "简体中文" && where !== "TD");
  assert.deepEqual(chinese, [], "Chinese strings on the English page");

  // The choice is remembered: the page comes back in English, though the browser says Chinese.
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend);
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  assert.equal(await byId("language-select").inputValue(), "en");
  await switchTo("zh-CN");
  assert.equal(await page.locator(".tagline").innerText(), zh["page.tagline"]);
});

test("on the published site: the model menu, the site's dataset and the offline line in Chinese, and again in English", async () => {
  const subset = realSubset(500, 200);
  makeSite(subset);
  site = await serveSite(PORT + 1000);
  const p = await context.newPage();
  const id = (testid) => p.getByTestId(testid);
  await p.goto(`http://localhost:${PORT + 1000}/index.html?test`);
  await p.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend);
  assert.equal(await p.evaluate(() => document.documentElement.lang), "zh-CN");

  // The offline line (the service worker is off in test mode) and the storage it uses.
  assert.equal(await id("offline").getAttribute("data-state"), "off");
  assert.match(await id("offline").innerText(), /^离线使用在测试模式下关闭/);
  await id("storage").filter({ hasText: "已用存储" }).waitFor();

  // The site's own dataset, loaded: its button, each file's line and the storage line.
  if (subset) {
    assert.match(await id("site-data-load").innerText(), /^从本站加载 CIFAR-10（\d+\.\d MB，2 个文件）$/);
    await id("site-data-load").click();
    await p.waitForFunction(() => /500\s*张/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
    assert.match(await id("site-data-overall").innerText(), /^(\d+\.\d) MB \/ \1 MB · 第 2 个文件，共 2 个$/);
    for (const row of await id("site-data-files").locator("li").allInnerTexts()) assert.match(row, /校验和已核对/);
    assert.equal(await id("site-data-load").innerText(), zh["site.load_again"]);
    await id("storage").filter({ hasText: "（其中数据集：" }).waitFor();
    assert.equal(await id("remove-dataset").innerText(), zh["offline.remove"]);
  } else {
    assert.match(await id("site-data-missing").innerText(), /^本站没有托管数据集。/);
  }

  // The model menu set to airbench: its options and description, worded by the page.
  await id("model-select").selectOption("airbench");
  await p.waitForFunction(() => document.querySelector('[data-testid="model-info"]').dataset.model === "airbench");
  const info = await id("model-info").innerText();
  assert.match(info, /白化层/);
  assert.match(info, /1,975,096 个参数，训练一张图像需要 709 MFLOP。/);
  assert.match(info, /准确率约为 90\.7%（按其训练方案训练 10 轮，Kiln 在这份 CIFAR-10 上实测；airbench94 在原始图像上公布的是 94\.0%）。/);
  assert.match(info, new RegExp(zh["model.info.tta"]));
  assert.match(await id("model-select").locator("option", { hasText: "airbench" }).innerText(), /^airbench（1,975,096 个参数，约 91%）$/);
  // Where the site ships no airbench weights, the error says so in Chinese.
  if (await id("error").isVisible()) assert.match(await id("error").innerText(), /airbench\.bpk 处没有预训练权重/);

  const isEnglish = englishMatchers();
  const untranslated = (await visibleTexts(p)).filter(({ text }) => isEnglish(text));
  assert.deepEqual(untranslated, [], "English strings on the Chinese page");

  // The menu rewords all of it at once.
  await switchTo("en", p);
  assert.match(await id("model-info").innerText(), /1,975,096 parameters, 709 MFLOP to train on one image\./);
  assert.match(await id("model-info").innerText(), /whitening, 3 conv blocks/);
  assert.match(await id("offline").innerText(), /^Offline use is off in test mode/);
  assert.match(await id("storage").innerText(), /^Storage used: \d+\.\d MB/);
  if (subset) assert.equal(await id("site-data-load").innerText(), en["site.load_again"]);
  else assert.match(await id("site-data-missing").innerText(), /^This site does not host the dataset\./);
  const chinese = (await visibleTexts(p)).filter(({ text, where }) => han.test(text) && text !== "简体中文" && where !== "TD");
  assert.deepEqual(chinese, [], "Chinese strings on the English page");
  await p.close();
});

test("a failed engine is reported in Chinese: a trap in a request, and a worker that dies while idle", { timeout: 300_000 }, async () => {
  const p = await context.newPage();
  const id = (testid) => p.getByTestId(testid);
  await p.goto(`http://localhost:${PORT}/index.html?test`);
  await p.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
  assert.equal(await p.evaluate(() => document.documentElement.lang), "zh-CN");
  const isEnglish = englishMatchers();
  /** The banner, once it says `expected`; no English sentence in it, nor any English word but names. */
  const banner = async (expected) => {
    await p.waitForFunction((e) => document.getElementById("error-text").textContent === e, expected, { timeout: 120_000 }).catch(() => {});
    const shown = await id("error").locator("#error-text").innerText();
    assert.equal(shown, expected);
    assert.equal(isEnglish(shown), false, `English in the banner: ${shown}`);
    assert.doesNotMatch(shown.replace(/Kiln|QuotaExceededError/g, ""), /[A-Za-z]{3,}/, `English in the banner: ${shown}`);
    return shown;
  };
  const word = (key, params = {}) => zh[key].replace(/\{(\w+)\}/g, (_, name) => params[name]);

  // The engine traps (a Rust panic) as it classifies: the request fails, a fresh engine starts.
  await p.evaluate(() => window.kiln.fault("trap", "classify"));
  await id("image-input").setInputFiles({ name: "trap.png", mimeType: "image/png", buffer: cifarPng(noiseBatch(1, 7)) });
  const reason = zh["worker.reason.engine_trap"];
  await banner(word("error.request_failed", { doing: zh["doing.classify"], reason, next: zh["worker.next.fresh"] }));
  await p.waitForFunction(() => window.kiln.restarts() === 1);
  // The fresh engine has started its device, loaded the weights again and classified the picture
  // again: a worker that dies with a request in flight fails that request instead.
  await id("backend-status").filter({ hasNotText: zh["device.starting"] }).waitFor();
  await p.waitForFunction(() => window.kiln.idle());

  // The worker closes itself while idle: the page says so, and starts another.
  await p.evaluate(() => window.kiln.fault("close"));
  const stopped = await banner(word("error.engine_restarted", { reason: zh["worker.reason.stopped"] }));
  await p.waitForFunction(() => window.kiln.restarts() === 2);
  // The same message, worded again in English at the switch, and back.
  await switchTo("en", p);
  assert.equal(await p.locator("#error-text").innerText(), en["error.engine_restarted"].replace("{reason}", en["worker.reason.stopped"]));
  await switchTo("zh-CN", p);
  assert.equal(await p.locator("#error-text").innerText(), stopped);

  // The other coded messages (a lost GPU, an autosave the full storage refused, a gone run, a
  // worker that cannot start), as the page words them: no browser here loses its GPU or fills
  // its quota on demand.
  const worded = await p.evaluate(async () => {
    const { errorText } = await import("./words.js");
    return [
      errorText({ code: "gpu_lost_run", params: { reason: "Device was destroyed", kept: 3 } }),
      errorText({ code: "gpu_lost", params: { reason: "Device was destroyed", kept: 0 } }),
      errorText({ code: "autosave_failed", params: { epoch: 2, why: { key: "storage.full" } } }),
      errorText({ code: "run_gone", params: {} }),
      errorText({ code: "engine_dead", params: { reason: { key: "worker.reason.not_started" }, next: { key: "worker.next.reload" } } }),
    ];
  });
  assert.deepEqual(worded, [
    word("error.gpu_lost_run", { reason: "Device was destroyed", kept: 3 }),
    word("error.gpu_lost", { reason: "Device was destroyed" }),
    word("error.autosave_failed", { epoch: 2, why: zh["storage.full"] }),
    zh["error.run_gone"],
    word("error.engine_dead", { reason: zh["worker.reason.not_started"], next: zh["worker.next.reload"] }),
  ]);
  for (const text of worded) assert.equal(isEnglish(text), false, `English: ${text}`);
  await p.close();
});

// The published site on other devices (issue 21): installable (the web app manifest), a phone's
// viewport and touch screen, a browser without service workers, and a site built without the
// dataset. Served as site.test.mjs serves it: a copy of dist/ with a small dataset split
// by scripts/site.mjs, without COOP/COEP headers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { ARTEFACTS, cifarPng, launchBrowser, realSubset, useBackend } from "../helpers.mjs";
import { SITE, makeSite, removeSite, serveSite, settle } from "../site-helpers.mjs";

const PORT = 21080 + (process.pid % 1000);
const URL = `http://localhost:${PORT}/index.html`;
let server, browser, subset;

before(async () => {
  subset = realSubset(500, 200);
  makeSite(subset);
  server = await serveSite(PORT);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.kill();
  removeSite();
});

test("the web app manifest is valid and names icons the site serves at their stated sizes", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(URL);
  await settle(page);
  const cdp = await context.newCDPSession(page);
  const manifest = await cdp.send("Page.getAppManifest");
  assert.deepEqual(manifest.errors, [], "the browser's manifest parser found no errors");
  assert.equal(new globalThis.URL(manifest.url).pathname, "/manifest.json");
  const data = JSON.parse(manifest.data);
  assert.equal(data.display, "standalone");
  assert.ok(data.icons.some((i) => i.sizes === "512x512") && data.icons.some((i) => i.sizes === "192x192"));
  for (const icon of data.icons) {
    const bytes = Buffer.from(await (await fetch(new globalThis.URL(icon.src, manifest.url))).arrayBuffer());
    assert.equal(bytes.subarray(1, 4).toString(), "PNG", icon.src);
    assert.equal(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`, icon.sizes, icon.src);
  }
  // What Chrome checks before it offers to install; a test browser's private profile is the
  // one objection left.
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  assert.deepEqual(installabilityErrors.map((e) => e.errorId).filter((id) => id !== "in-incognito"), []);
  await context.close();
});

test("on a phone (390×844, touch) every panel fits without horizontal scrolling, targets are 44 px, the camera is offered", async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  try {
    const p = await phone.newPage();
    await p.goto(URL);
    await settle(p);
    // Every panel in use: the dataset and its samples, an evaluation, a classified image and
    // the network's insides, the saved runs.
    if (subset) {
      await p.getByTestId("site-data-load").click();
      await p.waitForFunction(() => /500\s+training/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
      await p.getByTestId("evaluate").click();
      await p.locator("#eval-views").waitFor({ state: "visible" });
    } else console.log("SKIPPED: real CIFAR-10 missing: the phone test ran without the dataset and evaluation panels");
    const record = subset ? readFileSync(subset.testPath).subarray(0, 3073) : Buffer.alloc(3073, 128);
    await p.getByTestId("image-input").setInputFiles({ name: "phone.png", mimeType: "image/png", buffer: cifarPng(record) });
    await p.waitForFunction(() => document.querySelector('[data-testid="prediction"]').dataset.image === "phone.png");
    await p.waitForFunction(() => document.querySelectorAll('[data-testid="feature-maps"] canvas').length > 0);
    await p.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
    await p.screenshot({ path: path.join(ARTEFACTS, "site-phone.png"), fullPage: true });
    // (A phone browser zooms out to fit a page wider than the screen, which widens innerWidth.)
    const width = await p.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: innerWidth }));
    assert.equal(width.inner, 390, "the page is shown at the phone's width, not zoomed out");
    assert.ok(width.scroll <= width.inner, `the page scrolls sideways: ${width.scroll} > ${width.inner} px`);

    // Touch targets: every visible control at least 44 px tall.
    const small = await p.evaluate(() =>
      [...document.querySelectorAll("button, select, summary, .button, input[type=number], input[type=text], label:has(> input[type=checkbox])")]
        .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
        .map((e) => ({ what: e.id || e.dataset.testid || e.textContent.trim().slice(0, 30), height: e.getBoundingClientRect().height }))
        .filter((e) => e.height < 44),
    );
    assert.deepEqual(small, [], "controls under 44 px tall");
    const camera = p.getByTestId("camera-input");
    assert.equal(await camera.getAttribute("accept"), "image/*");
    assert.equal(await camera.getAttribute("capture"), "environment");
    assert.equal(await p.locator("label.camera").isVisible(), true, "the camera is offered on a touch screen");
  } finally {
    await phone.close();
  }
});

test("where service workers are unavailable the page works on one thread and says why", async () => {
  const plain = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
  try {
    // As in a browser's private window that offers no service workers.
    await plain.addInitScript(() => Object.defineProperty(navigator, "serviceWorker", { value: undefined }));
    const p = await plain.newPage();
    await p.goto(URL);
    await p.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
    await useBackend(p, "cpu");
    assert.match(await p.getByTestId("backend-status").innerText(), /one thread: the page is not cross-origin isolated/);
    const offline = await p.getByTestId("offline").innerText();
    assert.match(offline, /^Nothing is kept for offline use: this browser offers no service workers here/);
    assert.match(offline, /The CPU path runs on one thread: the host sends no cross-origin isolation headers/);
    await p.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
    const grey = cifarPng(Buffer.alloc(3073, 128));
    await p.getByTestId("image-input").setInputFiles({ name: "plain.png", mimeType: "image/png", buffer: grey });
    await p.waitForFunction(() => document.querySelectorAll('[data-testid="prediction"] li').length === 5);
  } finally {
    await plain.close();
  }
});

test("a site built without the dataset says where to get the official archive", async () => {
  const manifest = path.join(SITE, "data", "manifest.json");
  const aside = `${manifest}.aside`;
  if (existsSync(manifest)) renameSync(manifest, aside);
  const fresh = await browser.newContext();
  try {
    const p = await fresh.newPage();
    await p.goto(`${URL}?sw=0`);
    const missing = p.getByTestId("site-data-missing");
    await missing.waitFor();
    assert.match(await missing.innerText(), /^This site does not host the dataset\. Download the official “CIFAR-10 binary version”/);
    assert.equal(await missing.locator("a").getAttribute("href"), "https://www.cs.toronto.edu/~kriz/cifar.html");
    assert.equal(await p.getByTestId("site-data-load").count(), 0);
  } finally {
    await fresh.close();
    if (existsSync(aside)) renameSync(aside, manifest);
  }
});

// Privacy, in headless Chromium against dist/: through a whole session (a dataset typed as a URL
// and one chosen as files, a short training run, a classification, the weights downloaded) the
// page and its workers ask for nothing but the site's own files and the one URL the user typed;
// and the training worker runs under a content security policy of its own, which refuses any
// other request it would make.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { ARTEFACTS, ROOT, cifarPng, launchBrowser, noiseBatch, startServer } from "../helpers.mjs";

const PORT = 21080 + (process.pid % 1000);
const PROBE_PORT = PORT + 1000; // another origin: nothing may reach it
const ORIGIN = `http://localhost:${PORT}`;
const TYPED_URL = "https://datasets.example.org/kiln/data_batch_1.bin";
const DIST = path.join(ROOT, "dist");

let server, browser, context, page, probe;
const requests = []; // every request of the page and its workers, in order
const probed = []; // what reached the other origin
const errors = [];

before(async () => {
  probe = createServer((req, res) => {
    probed.push(req.url);
    res.writeHead(200, { "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin" });
    res.end("probe");
  });
  await new Promise((resolve) => probe.listen(PROBE_PORT, "127.0.0.1", resolve));
  server = await startServer(PORT);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 1100 }, acceptDownloads: true });
  // The context sees the requests of every page and worker, before the first one is made.
  context.on("request", (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${ORIGIN}/index.html?test`);
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
});
after(async () => {
  await browser?.close();
  server?.kill();
  probe?.close();
});

const byId = (id) => page.getByTestId(id);

/** Why `url` is not one the page may ask for, or null when it may: the site's own files (each
 * one that exists in dist/), the URL the user typed, and the page's own blob: and data: URLs. */
function refused(url) {
  if (url === TYPED_URL) return null;
  if (url.startsWith("data:")) return null;
  if (url.startsWith(`blob:${ORIGIN}/`)) return null;
  const u = new URL(url);
  if (u.origin !== ORIGIN) return "another origin";
  // The site's dataset manifest: asked for to learn whether the site offers CIFAR-10 itself
  // (`./build.sh site --data`); a site built without it answers 404.
  if (u.pathname === "/data/manifest.json") return null;
  const file = path.join(DIST, decodeURIComponent(u.pathname));
  if (!file.startsWith(DIST + path.sep) || !existsSync(file) || !statSync(file).isFile()) return "not one of the site's files";
  return null;
}

test("a whole session asks for nothing but the site's files and the URL the user typed", async () => {
  // A dataset by URL: the address the user typed, answered here for the browser.
  const typed = noiseBatch(64, 1);
  await page.route(TYPED_URL, (route) =>
    route.fulfill({
      status: 200,
      headers: { "Content-Type": "application/octet-stream", "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin" },
      body: typed,
    }),
  );
  await byId("dataset-url").fill(TYPED_URL);
  await page.locator("#dataset-url-load").click();
  await page.waitForFunction(() => /64 training/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));

  // A dataset from files, a short run on the CPU.
  await page.getByTestId("backend-select").selectOption("cpu");
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend === "cpu");
  await byId("dataset-input").setInputFiles([
    { name: "data_batch_1.bin", mimeType: "application/octet-stream", buffer: noiseBatch(96, 2) },
    { name: "test_batch.bin", mimeType: "application/octet-stream", buffer: noiseBatch(32, 3) },
  ]);
  await page.waitForFunction(() => /96 training and 32 test/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  await byId("epochs").fill("1");
  await byId("batch-size").fill("32");
  await byId("train").click();
  await byId("train-status").filter({ hasText: /^done$/ }).waitFor({ timeout: 180_000 });

  // A classification.
  await byId("image-input").setInputFiles({ name: "probe.png", mimeType: "image/png", buffer: cifarPng(noiseBatch(1, 4)) });
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').dataset.image === "probe.png");

  // The weights, downloaded.
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download-weights").click()]);
  const saved = path.join(ARTEFACTS, "requests-weights.bpk");
  await download.saveAs(saved);
  assert.ok(readFileSync(saved).length > 100_000, "the weights were downloaded");

  const wrong = requests.map((url) => ({ url, why: refused(url) })).filter((r) => r.why);
  assert.deepEqual(wrong, [], `requests the page should not have made:\n${wrong.map((r) => `${r.url}: ${r.why}`).join("\n")}`);
  assert.ok(requests.includes(TYPED_URL), "the typed URL was requested");
  assert.ok(requests.some((u) => u.endsWith("/worker.js?test=")), "the worker's requests are recorded");
  assert.ok(requests.some((u) => u.endsWith(".wasm")), "the engine's requests are recorded");
  // dist/ is built without the dataset, so the site's manifest answers 404 (the console says so
  // once); anything else is an error.
  const manifest404 = requests.some((u) => new URL(u).pathname === "/data/manifest.json") ? 1 : 0;
  const unexpected = errors.filter((e) => !/Content Security Policy|Refused to/.test(e));
  const notFound = unexpected.filter((e) => /status of 404/.test(e));
  assert.ok(notFound.length <= manifest404, `unexpected 404s: ${notFound}`);
  assert.deepEqual(unexpected.filter((e) => !/status of 404/.test(e)), []);
});

test("the worker runs under its own content security policy: it cannot reach another site", async () => {
  const response = await fetch(`${ORIGIN}/worker.js`);
  const policy = response.headers.get("content-security-policy") ?? "";
  assert.match(policy, /default-src 'none'/, `worker.js is served with a policy: ${policy}`);
  assert.match(policy, /connect-src 'self'(;|$)/);

  const worker = page.workers().find((w) => new URL(w.url()).pathname === "/worker.js");
  assert.ok(worker, "the training worker is running");
  const other = `http://127.0.0.1:${PROBE_PORT}`;
  const tries = await worker.evaluate(async (other) => {
    const attempt = (f) => f().then(() => "made", (e) => `refused: ${e?.message ?? e}`);
    return {
      fetch: await attempt(() => fetch(`${other}/fetch`)),
      import: await attempt(() => import(`${other}/import.js`)),
    };
  }, other);
  assert.match(tries.fetch, /^refused/, JSON.stringify(tries));
  assert.match(tries.import, /^refused/, JSON.stringify(tries));
  // Both have settled: a request that was made has reached the other site by now.
  assert.deepEqual(probed, [], "nothing reached the other site");
  // The worker still works under its policy: it classifies.
  await byId("image-input").setInputFiles({ name: "again.png", mimeType: "image/png", buffer: cifarPng(noiseBatch(1, 5)) });
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').dataset.image === "again.png");
});

// Faults a user meets without doing anything wrong, in headless Chromium against dist/: a
// dataset URL that answers 404, refuses CORS or drops the connection mid-download, and a
// second tab that tries to train the run the first tab is training.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { appPerFile, cifarPng, realSubset, useBackend } from "../helpers.mjs";

const PORT = 20080 + (process.pid % 1000);
const DROP_PORT = PORT + 1000; // a second server that drops every download halfway
let page, consoleErrors;
appPerFile(PORT, (app) => ({ page, errors: consoleErrors } = app));

// The announced length, and how much of it is sent before the socket is destroyed.
const DROP_LENGTH = 4_000_000;
const DROP_SENT = 1_500_000;
let dropServer;
before(async () => {
  dropServer = createServer((req, res) => {
    res.writeHead(200, {
      "Content-Type": "application/gzip",
      "Content-Length": String(DROP_LENGTH),
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
    });
    res.write(Buffer.alloc(DROP_SENT, 0x1f), () => setTimeout(() => res.socket.destroy(), 300));
  });
  await new Promise((resolve) => dropServer.listen(DROP_PORT, "127.0.0.1", resolve));
});
after(() => dropServer?.close());

const subset = realSubset(200, 100);
const byId = (id, tab = page) => tab.getByTestId(id);
const text = async (id, tab = page) => (await byId(id, tab).innerText()).trim();

/** Type `url` into "Load from URL", press the button, and return the error the page shows. */
async function loadUrl(url) {
  await byId("dataset-url").fill(url);
  await page.locator("#dataset-url-load").click();
  await byId("error").waitFor({ state: "visible", timeout: 60_000 });
  const message = await text("error");
  await page.locator("#error-close").click();
  return message;
}

/** What the page shows of the dataset: the summary and whether Train is possible; and no
 * progress bar is left from the download that failed. */
async function datasetState() {
  assert.equal(await page.locator("#dataset-progress").isHidden(), true, "no progress bar left over");
  return { summary: await text("dataset-summary"), trainDisabled: await byId("train").isDisabled() };
}

/** The saved runs as the list in `tab` shows them. */
const savedRuns = (tab) =>
  tab.$$eval('[data-testid="saved-runs"] tbody tr', (rows) =>
    rows.map((r) => ({
      id: r.dataset.runId,
      status: r.cells[3].innerText.trim(),
      disabled: [...r.querySelectorAll("button")].every((b) => b.disabled),
    })),
  );

const runRow = (tab, id) => tab.locator(`tr[data-run-id="${id}"]`);

test("a dataset URL that fails says why, loads nothing, and the page keeps working", async (t) => {
  const empty = await datasetState();
  assert.equal(empty.summary, "No dataset loaded.");
  assert.equal(empty.trainDisabled, true);

  // 404 on the page's own server.
  const notFound = await loadUrl("data/no-such-file.tar.gz");
  assert.match(notFound, /data\/no-such-file\.tar\.gz: the server answered 404/);
  assert.deepEqual(await datasetState(), empty, "nothing loaded after a 404");

  // Another site that lets only some other site read it: the browser hides the body from the
  // page. (A fulfilled route without the header gets one from Playwright, so it names another.)
  const foreign = "https://datasets.example.org/cifar-10-binary.tar.gz";
  await page.route(foreign, (route) =>
    route.fulfill({
      status: 200,
      headers: { "Content-Type": "application/gzip", "Access-Control-Allow-Origin": "https://another-site.example" },
      body: Buffer.alloc(1000),
    }),
  );
  try {
    const cors = await loadUrl(foreign);
    assert.ok(cors.includes(foreign), `the message names the URL: ${cors}`);
    assert.match(cors, /does not allow other sites to read the file \(no CORS header\)/);
  } finally {
    await page.unroute(foreign);
  }
  assert.deepEqual(await datasetState(), empty, "nothing loaded after a refused CORS request");

  // Plain http on another origin: the page's policy refuses it before asking.
  const other = `http://127.0.0.1:${DROP_PORT}/cifar-10-binary.tar.gz`;
  const insecure = await loadUrl(other);
  assert.ok(insecure.includes(other), `the message names the URL: ${insecure}`);
  assert.match(insecure, /only from its own site or from https:\/\/ addresses/);

  if (!subset) return t.skip("real CIFAR-10 missing: the rest needs a dataset");
  // A good dataset from files still loads after the failures.
  await useBackend(page, "cpu");
  await byId("dataset-input").setInputFiles([subset.trainPath, subset.testPath]);
  await page.waitForFunction(() => /200 training and 100 test/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  const loaded = { summary: await text("dataset-summary"), trainDisabled: await byId("train").isDisabled() };
  assert.equal(loaded.trainDisabled, false);

  // The connection drops mid-download (same URL for the page, served by the dropping server).
  await page.route("**/data/dropped.tar.gz", (route) => route.continue({ url: `http://127.0.0.1:${DROP_PORT}/dropped.tar.gz` }));
  try {
    const dropped = await loadUrl("data/dropped.tar.gz");
    assert.match(dropped, /data\/dropped\.tar\.gz: the connection dropped after \d+\.\d MB of 4\.0 MB\. Nothing was loaded/);
  } finally {
    await page.unroute("**/data/dropped.tar.gz");
  }
  assert.deepEqual(await datasetState(), loaded, "the dataset loaded before is still the one shown");
  // And a 404 now leaves it in place too.
  await loadUrl("data/no-such-file.tar.gz");
  assert.deepEqual(await datasetState(), loaded);

  // The page keeps working: it classifies an image and trains on the dataset it kept.
  const record = readFileSync(subset.testPath).subarray(0, 3073);
  await byId("image-input").setInputFiles({ name: "after-faults.png", mimeType: "image/png", buffer: cifarPng(record) });
  await page.waitForFunction(() => {
    const list = document.querySelector('[data-testid="prediction"]');
    return list.dataset.image === "after-faults.png" && list.querySelectorAll("li").length === 5;
  });
  await byId("epochs").fill("1");
  await byId("batch-size").fill("32");
  await byId("train").click();
  await byId("train-status").filter({ hasText: /^done$/ }).waitFor({ timeout: 180_000 });
  await byId("autosave-status").filter({ hasText: "after epoch 1" }).waitFor();
  assert.deepEqual(consoleErrors.filter((e) => /panicked|RuntimeError|unreachable/.test(e)), []);
});

test("a second tab is told that the run the first tab trains is busy", async (t) => {
  if (!subset) return t.skip("real CIFAR-10 missing: no run to train");
  // Three tabs of one browser profile (they share the saved runs and the Web Locks).
  const context = await page.context().browser().newContext({ viewport: { width: 1280, height: 1100 } });
  const [tab1, tab2, tab3] = [await context.newPage(), await context.newPage(), await context.newPage()];
  const url = page.url();
  try {
    // Tab 1 trains a run for one epoch: it is saved, finished and free.
    await tab1.goto(url);
    await byId("backend-status", tab1).filter({ hasNotText: "starting" }).waitFor();
    await useBackend(tab1, "cpu");
    await byId("dataset-input", tab1).setInputFiles([subset.trainPath, subset.testPath]);
    await tab1.waitForFunction(() => /200 training/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
    await byId("epochs", tab1).fill("1");
    await byId("train", tab1).click();
    await byId("train-status", tab1).filter({ hasText: /^done$/ }).waitFor({ timeout: 180_000 });
    await tab1.waitForFunction(() => document.querySelector('[data-testid="saved-runs"] tbody tr')?.cells[3].innerText === "finished");
    const [run] = await savedRuns(tab1);

    await tab2.goto(url);
    await runRow(tab2, run.id).waitFor();
    const tab2Continue = runRow(tab2, run.id).locator('button[data-action="continue"]');
    assert.equal(await tab2Continue.isEnabled(), true, "free before tab 1 starts");

    // Tab 1 trains the run on, for far longer than this test lasts.
    await byId("epochs", tab1).fill("100");
    await runRow(tab1, run.id).locator('button[data-action="continue"]').click();
    await byId("train-status", tab1).filter({ hasText: /^(training|evaluating)$/ }).waitFor();
    for (let i = 0; ; i++) {
      const held = await tab2.evaluate(async (name) => (await navigator.locks.query()).held.some((l) => l.name === name), `kiln-run:${run.id}`);
      if (held) break;
      assert.ok(i < 100, "tab 1's worker holds the run's lock");
      await new Promise((r) => setTimeout(r, 100));
    }

    // Tab 2's list was drawn before: the button still looks free. Pressing it is refused.
    assert.equal(await tab2Continue.isEnabled(), true, "tab 2's list is from before tab 1 started");
    await tab2Continue.click();
    await byId("error", tab2).waitFor({ state: "visible" });
    assert.match(await text("error", tab2), /This run is being trained in another tab/);
    assert.equal(await text("train-status", tab2), "idle", "tab 2 did not start training");
    // Its list now says so, and offers nothing for that run.
    await tab2.waitForFunction((id) => document.querySelector(`tr[data-run-id="${id}"]`)?.cells[3].innerText === "training", run.id);
    assert.deepEqual((await savedRuns(tab2)).find((r) => r.id === run.id), { id: run.id, status: "training", disabled: true });

    // A tab whose page misses the lock (a check that came too late) is refused by its worker.
    await tab3.addInitScript(() => {
      navigator.locks.query = async () => ({ held: [], pending: [] });
    });
    await tab3.goto(url);
    await byId("backend-status", tab3).filter({ hasNotText: "starting" }).waitFor();
    await byId("dataset-input", tab3).setInputFiles([subset.trainPath, subset.testPath]);
    await tab3.waitForFunction(() => /200 training/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
    const tab3Continue = runRow(tab3, run.id).locator('button[data-action="continue"]');
    await tab3Continue.waitFor();
    await tab3Continue.click();
    await byId("error", tab3).waitFor({ state: "visible" });
    assert.match(await text("error", tab3), /This run is being trained in another tab/);
    assert.equal(await byId("train", tab3).isDisabled(), false, "tab 3 can still train a run of its own");
    assert.equal(await byId("stop", tab3).isDisabled(), true, "tab 3 is not training");

    // Tab 1 was not disturbed: it trains on, and when it stops, tab 2 offers the run again.
    assert.match(await text("train-status", tab1), /^(training|evaluating)$/);
    await byId("stop", tab1).click();
    await byId("train-status", tab1).filter({ hasText: /^(stopped|done)$/ }).waitFor({ timeout: 120_000 });
    await tab2.waitForFunction((id) => {
      const row = document.querySelector(`tr[data-run-id="${id}"]`);
      return row && row.cells[3].innerText !== "training" && !row.querySelector('button[data-action="continue"]').disabled;
    }, run.id);
  } finally {
    await context.close();
  }
});

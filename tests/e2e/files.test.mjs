// Files a user gives the page, in headless Chromium against dist/: a damaged dataset, a file that is
// not an image, an image too large, a damaged weights file, each refused with the reason while
// the page keeps what it had; and class names from batches.meta.txt shown as text, never markup.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import { appPerFile, classifyPng, expectError, png, realSubset, waitForPretrained } from "../helpers.mjs";

const PORT = 30080 + (process.pid % 1000);
let page, consoleErrors;
appPerFile(PORT, (app) => ({ page, errors: consoleErrors } = app));

const byId = (id) => page.getByTestId(id);

/** A valid grey PNG of width×height, all black. */
function hugePng(width, height) {
  return png(width, height, 0, Buffer.alloc(height * (width + 1))); // filter byte 0 + black pixels
}

test("a corrupt dataset file and a non-image show an error, and the page keeps working", async () => {
  await waitForPretrained(page); // the weights in use, which a damaged weights file must not replace
  const before = await byId("dataset-summary").innerText();
  await byId("dataset-input").setInputFiles({
    name: "data_batch_9.bin",
    mimeType: "application/octet-stream",
    buffer: Buffer.alloc(5000, 7),
  });
  await expectError(page, /data_batch_9\.bin: 5000 bytes is not a whole number of CIFAR-10 records/);
  assert.equal(await byId("dataset-summary").innerText(), before, "the loaded dataset is kept");

  await byId("dataset-input").setInputFiles({ name: "cifar-10-binary.tar.gz", mimeType: "application/gzip", buffer: Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]) });
  await expectError(page, /cifar-10-binary\.tar\.gz: corrupt or truncated archive/);

  await byId("image-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
  await expectError(page, /notes\.txt is not an image/);
  await byId("image-input").setInputFiles({ name: "fake.png", mimeType: "image/png", buffer: Buffer.from("not really a png") });
  await expectError(page, /fake\.png is not an image/);

  const huge = hugePng(10_000, 10_000);
  await byId("image-input").setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: huge });
  await expectError(page, /huge\.png is 10000×10000 pixels \(100 megapixels\)/);

  const status = await byId("model-status").innerText();
  await byId("weights-input").setInputFiles({ name: "random.bpk", mimeType: "application/octet-stream", buffer: Buffer.alloc(3000, 3) });
  await expectError(page, /random\.bpk: not a Kiln weights file/);
  assert.equal(await byId("model-status").innerText(), status, "the weights in use are kept");

  // Still working: classification answers.
  const { items } = await classifyPng(page, "after.png");
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

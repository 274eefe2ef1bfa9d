// Shared by the browser tests (tests/e2e/) and the benchmarks (bench/): a static server for
// dist/, Chromium with WebGPU flags, a real-data subset cut from the CIFAR-10 archive, and a few
// steps a user takes on the page (a picture classified, an error read).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { crc32, deflateSync, gunzipSync } from "node:zlib";
import path from "node:path";
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const ARTEFACTS = path.join(ROOT, "target", "e2e-artefacts");
mkdirSync(ARTEFACTS, { recursive: true });

/** The native `kiln` binary (built by `./build.sh test` before the browser tests). */
export const kilnBinary = () => path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release", "kiln");

export const CIFAR =
  process.env.KILN_CIFAR10 || path.join(ROOT, "..", "shared", "cifar10", "cifar-10-binary.tar.gz");

export async function startServer(port) {
  const server = spawn("bash", ["build.sh", "serve-dist", String(port)], { cwd: ROOT, stdio: "ignore" });
  for (let i = 0; i < 50; i++) {
    try {
      const r = await fetch(`http://localhost:${port}/index.html`);
      if (r.ok) return server;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error("the static server did not start");
}

/** Chromium's flags for every browser test (playwright's and WebDriver's): WebGPU on
 * SwiftShader where there is no GPU, and nothing running in the background. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--enable-unsafe-swiftshader",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      ...CHROMIUM_FLAGS,
      // A synthetic camera, allowed without a prompt, for the webcam test.
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ],
  });
}

/** Serve dist/ on `port`, open the app in headless Chromium and wait until it has a device.
 * Page errors and console errors are collected in `errors`. */
export async function openApp(port, viewport = { width: 1280, height: 1100 }) {
  const server = await startServer(port);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`http://localhost:${port}/index.html?test`); // ?test: the page exposes window.kiln
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  const close = async () => {
    await browser.close();
    server.kill();
  };
  return { page, errors, close };
}

/** Open the app once for a test file (node's `before`) and close it after its last test;
 * `onOpen` receives `{page, errors, close}`. */
export function appPerFile(port, onOpen) {
  let app;
  before(async () => {
    app = await openApp(port);
    onOpen(app);
  });
  after(async () => {
    await app?.close();
  });
}

/** Pick `backend` (auto, webgpu or cpu) in the page's menu and wait until the device in use is
 * that backend (`timeout` ms at most). */
export async function useBackend(page, backend, { timeout = 30_000 } = {}) {
  await page.getByTestId("backend-select").selectOption(backend);
  await page.waitForFunction((b) => document.querySelector('[data-testid="backend-status"]').dataset.backend === b, backend, { timeout });
}

/** One training run in the page (the benchmarks'): one epoch of `steps` steps of `batch` images
 * (the train limit batch × steps), started with Train; resolves to its summary once it ends.
 * `wait` is Playwright's waitForFunction options for that end (timeout, polling). */
export async function trainRun(page, batch, steps, wait = {}) {
  await page.getByTestId("epochs").fill("1");
  await page.getByTestId("batch-size").fill(String(batch));
  await page.getByTestId("train-limit").fill(String(batch * steps));
  await page.evaluate(() => (window.kiln.lastSummary = null));
  await page.getByTestId("train").click();
  await page.waitForFunction(() => window.kiln.lastSummary, null, { timeout: 1_800_000, ...wait });
  return page.evaluate(() => window.kiln.lastSummary);
}

/** Extract one member of a .tar.gz held in memory. */
function tarMember(archive, wanted) {
  const tar = gunzipSync(archive);
  for (let off = 0; off + 512 <= tar.length; ) {
    const name = tar.subarray(off, off + 100).toString("utf8").replace(/\0.*$/s, "");
    if (!name) break;
    const size = parseInt(tar.subarray(off + 124, off + 136).toString("utf8").trim(), 8) || 0;
    if (name.endsWith(wanted)) return tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${wanted} not in the archive`);
}

/**
 * The first `train` records of data_batch_1.bin and `test` of test_batch.bin, as files named
 * like the official ones, or null (with a loud message) when the real archive is missing.
 */
export function realSubset(train, test) {
  if (!existsSync(CIFAR)) {
    console.log(`SKIPPED: real CIFAR-10 not found at ${CIFAR}; the browser training test did not run`);
    return null;
  }
  const dir = path.join(ARTEFACTS, "data");
  mkdirSync(dir, { recursive: true });
  const trainPath = path.join(dir, `data_batch_1_first${train}.bin`);
  const testPath = path.join(dir, `test_batch_first${test}.bin`);
  if (!existsSync(trainPath) || !existsSync(testPath)) {
    const archive = readFileSync(CIFAR);
    writeFileSync(trainPath, tarMember(archive, "data_batch_1.bin").subarray(0, 3073 * train));
    writeFileSync(testPath, tarMember(archive, "test_batch.bin").subarray(0, 3073 * test));
  }
  return { trainPath, testPath };
}

/** `n` CIFAR-10 records of noise (labels 0-9 in turn), from a fixed `seed`: a dataset for the
 * tests that need one but not real images, so that they never skip. */
export function noiseBatch(n, seed) {
  const records = Buffer.alloc(n * 3073);
  let x = (Math.imul(seed, 2654435761) + 1) >>> 0;
  for (let i = 0; i < n; i++) {
    records[i * 3073] = i % 10;
    for (let j = 1; j < 3073; j++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      records[i * 3073 + j] = x >>> 24;
    }
  }
  return records;
}

/** A PNG with `rows` (Buffers of filter byte + pixels), built by hand. */
export function png(width, height, colorType, rows) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType; // 0 greyscale, 2 RGB
  const raw = rows;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A CIFAR-10 record (label byte, then 1024 R, 1024 G, 1024 B) as a 32×32 RGB PNG. */
export function cifarPng(record) {
  const rows = Buffer.alloc(32 * (1 + 32 * 3));
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++)
      for (let c = 0; c < 3; c++) rows[y * 97 + 1 + x * 3 + c] = record[1 + c * 1024 + y * 32 + x];
  return png(32, 32, 2, rows);
}

/** A 96×64 PNG drawn in `page`: a `background` and a centred block of another colour. */
export async function pngOf(page, background, block) {
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

/** Give the page a picture (`pngOf`) named `name` and wait for its five most likely classes:
 * their rows' text (`items`) and every probability, best first (`all`). */
export async function classifyPng(page, name) {
  const buffer = await pngOf(page, "#3a6", "#c33");
  await page.getByTestId("image-input").setInputFiles({ name, mimeType: "image/png", buffer });
  // This image's result, not the one shown before it.
  await page.waitForFunction((n) => document.querySelector('[data-testid="prediction"]').dataset.image === n, name);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="prediction"] li').length === 5);
  const items = await page.getByTestId("prediction").locator("li").allInnerTexts();
  const all = JSON.parse(await page.getByTestId("prediction").getAttribute("data-probabilities"));
  return { items, all };
}

/** Wait for the page's error message, check it against `fragment` and close it. */
export async function expectError(page, fragment) {
  await page.getByTestId("error").waitFor({ state: "visible" });
  assert.match(await page.getByTestId("error").innerText(), fragment);
  await page.locator("#error-close").click();
}

/** Wait until the weights in use are the pretrained ones the page starts with. */
export async function waitForPretrained(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid="model-status"]').dataset.source === "pretrained");
}

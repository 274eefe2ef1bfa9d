// Kiln against TensorFlow.js, side by side (run by `./build.sh bench`, not a test): the seed
// network, identical layers, Adam, batch 32 and 128, trained on the same real CIFAR-10 images in
// the same headless Chromium. Kiln is driven through its page as a user would (CPU and WebGPU
// backends); TensorFlow.js 4.22 runs in `bench/tfjs.html` (backends cpu, webgl, webgpu).
// Runs alternate between the two. Each measurement follows a warm-up (shader compilation,
// allocator). Prints a table for people and one JSON line for machines.
//
// Environment: BENCH_ROUNDS (default 1), BENCH_NATIVE (the JSON line of `kiln bench`, which
// `./build.sh bench` passes), BENCH_SCALE (multiplies every step count; default 1), BENCH_ONLY
// (`cpu` or `gpu`: one device class; `panels`: only the learning panels' cost).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { ROOT, launchBrowser, realSubset, startServer, trainRun, useBackend } from "../tests/helpers.mjs";
import { busiestSeconds, threadTimes } from "./thread-cpu.mjs";

const PORT = 19480;
const ROUNDS = Number(process.env.BENCH_ROUNDS || 1);
const SCALE = Number(process.env.BENCH_SCALE || 1);
const BATCHES = [32, 128];
// Measured steps per run, by backend and batch: enough for a few seconds on the backend's speed
// on a GPU-less 2-core machine (software WebGPU manages ~10 img/s, TF.js's CPU backend ~3).
const STEPS = {
  "kiln-cpu": { 32: 64, 128: 16 },
  "kiln-webgpu": { 32: 10, 128: 5 },
  "tfjs-cpu": { 32: 2, 128: 1 },
  "tfjs-webgl": { 32: 4, 128: 2 },
  "tfjs-webgpu": { 32: 3, 128: 1 },
};
const steps = (key, batch) => Math.max(1, Math.round(STEPS[key][batch] * SCALE));

const subset = realSubset(2048, 10);
if (!subset) process.exit(0);
const benchDir = path.join(ROOT, "dist", "bench");
mkdirSync(benchDir, { recursive: true });
copyFileSync(subset.trainPath, path.join(benchDir, "data.bin"));

const server = await startServer(PORT);
const browser = await launchBrowser();
const measurements = [];
/** The learning panels' cost (`panelsCost`), when measured. */
let panels = null;
const log = (m) => console.log(`${m.engine.padEnd(5)} ${m.backend.padEnd(7)} batch ${String(m.batch_size).padStart(4)}: ` +
  (m.error ? m.error : `${m.images_per_second.toFixed(1)} img/s (${m.images} images)` +
    (m.host_seconds_per_step ? `; CPU ${(m.host_seconds_per_step * 1000).toFixed(1)} ms per step` : "") +
    (m.thread_cpu_seconds_per_step != null ? ` (its thread's CPU time: ${(m.thread_cpu_seconds_per_step * 1000).toFixed(1)} ms)` : "")));

async function kilnPage(query = "") {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${PORT}/index.html?test${query}`); // ?test: window.kiln
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await page.getByTestId("dataset-input").setInputFiles([subset.trainPath]);
  await page.waitForFunction(() => /2,048/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  return page;
}

async function kiln(page, backend, batch, label = backend) {
  await page.getByTestId("backend-select").selectOption(backend);
  await page.waitForFunction((b) => document.querySelector('[data-testid="backend-status"]').dataset.backend, backend);
  const actual = await page.getByTestId("backend-status").evaluate((e) => e.dataset.backend);
  if (actual !== backend) return { engine: "kiln", backend: label, batch_size: batch, error: `not available (${await page.getByTestId("backend-status").innerText()})` };
  const n = steps(`kiln-${backend}`, batch);
  // A warm-up run; on WebGPU a second (the second run on a device still does work for the first
  // time: about 0.2 s of the worker's CPU on SwiftShader), then runs of one step around the
  // measured run. The worker's CPU time of the measured run less the one-step runs' mean, per
  // step more, leaves out what a run does once (its start, the epoch's evaluation). Reports do
  // not mark steps: on SwiftShader the worker records steps ahead of the device and reports
  // every few.
  const runs = backend === "webgpu"
    ? [["warm-up", 2], ["warm-up", 1], ["one step", 1], ["measured", n], ["one step", 1]]
    : [["warm-up", 2], ["measured", n]];
  let result;
  const oneStep = [];
  let measuredCpu = null;
  for (const [kind, count] of runs) {
    const before = threadTimes();
    const s = await trainRun(page, batch, count, { timeout: 900_000 });
    const worker = busiestSeconds(before, threadTimes(), "DedicatedWorker");
    if (kind === "one step" && worker != null) oneStep.push(worker);
    if (kind === "measured") {
      measuredCpu = worker;
      result = { engine: "kiln", backend: label, batch_size: batch, steps: n, images: batch * count, images_per_second: s.images_per_second, host_seconds_per_step: s.host_seconds_per_step };
    }
  }
  if (measuredCpu != null && oneStep.length === 2 && n > 1) {
    result.thread_cpu_seconds_per_step = (measuredCpu - (oneStep[0] + oneStep[1]) / 2) / (n - 1);
  }
  return result;
}

/** Kiln's speed with the learning panels ("Inside the network as it learns") open, where
 * progress reports carry looks inside the network, against closed: alternating three times, the best
 * of each. The panels are open by default, so the other figures include their cost. */
async function panelsCost(page, backend, batch) {
  const setOpen = (open) => page.evaluate((o) => {
    const details = /** @type {HTMLDetailsElement} */ (document.getElementById("inside-learning"));
    if (details.open !== o) details.open = o; // its toggle event tells the engine
  }, open);
  const best = { open: 0, closed: 0 };
  for (let i = 0; i < 3; i++) {
    for (const open of [false, true]) {
      await setOpen(open);
      const m = await kiln(page, backend, batch);
      if (m.error) return m;
      const key = open ? "open" : "closed";
      best[key] = Math.max(best[key], m.images_per_second);
    }
  }
  await setOpen(true);
  return { engine: "kiln", backend, batch_size: batch, panels_open: best.open, panels_closed: best.closed, change: best.open / best.closed - 1 };
}

async function tfjs(backend, batch) {
  // A fresh page per run: TF.js keeps one backend per page, and memory from earlier runs.
  const page = await browser.newPage();
  try {
    // tfjs.js marks its timed steps; the busiest page thread's CPU time between the marks.
    const marks = [];
    await page.exposeFunction("cpuMark", () => void marks.push(threadTimes()));
    await page.goto(`http://localhost:${PORT}/bench/tfjs.html`);
    const r = await page.evaluate((o) => window.tfjsBench(o), { backend, batch, warmup: 1, steps: steps(`tfjs-${backend}`, batch), url: "data.bin" });
    if (r.params !== undefined && r.params !== 122570) throw new Error(`TF.js model has ${r.params} parameters`);
    const main = marks.length === 2 ? busiestSeconds(marks[0], marks[1], "renderer main") : null;
    return { engine: "tfjs", ...r, thread_cpu_seconds_per_step: main == null ? null : main / r.steps };
  } finally {
    await page.close();
  }
}

try {
  const page = await kilnPage();
  // The same app with `?threads=0`: the single-threaded build, as a page that is not
  // cross-origin isolated gets it.
  const single = await kilnPage("&threads=0");
  await useBackend(page, "cpu"); // to print the CPU path's threads
  const adapter = await page.getByTestId("backend-status").innerText();
  console.log(`browser: Chromium headless; ${adapter}`);
  for (let round = 1; round <= ROUNDS && process.env.BENCH_ONLY !== "panels"; round++) {
    for (const batch of BATCHES) {
      const classes = [["cpu", ["cpu"]], ["webgpu", ["webgl", "webgpu"]]].filter(
        ([k]) => !process.env.BENCH_ONLY || (process.env.BENCH_ONLY === "cpu") === (k === "cpu"),
      );
      for (const [kilnBackend, tfBackends] of classes) {
        const k = await kiln(page, kilnBackend, batch);
        log(k);
        measurements.push({ round, ...k });
        if (kilnBackend === "cpu") {
          const one = await kiln(single, "cpu", batch, "cpu-1t");
          log(one);
          measurements.push({ round, ...one });
        }
        for (const b of tfBackends) {
          const t = await tfjs(b, batch);
          log(t);
          measurements.push({ round, ...t });
        }
      }
    }
  }
  // The cost of the learning panels, on the CPU path at the page's default batch (a look is a
  // fixed cost, so the smaller batch shows it most).
  if (process.env.BENCH_ONLY !== "gpu") {
    const p = await panelsCost(page, "cpu", 32);
    panels = p;
    console.log(p.error ? `learning panels: ${p.error}` : `learning panels open: ${p.panels_open.toFixed(1)} img/s, closed: ${p.panels_closed.toFixed(1)} img/s (${(p.change * 100).toFixed(1)}%)`);
  }
} finally {
  await browser.close();
  server.kill();
}

// Best of the rounds per engine, backend and batch.
const best = new Map();
for (const m of measurements) {
  if (m.error) continue;
  const key = `${m.engine}/${m.backend}/${m.batch_size}`;
  if (!best.has(key) || best.get(key).images_per_second < m.images_per_second) best.set(key, m);
}
const ips = (engine, backend, batch) => best.get(`${engine}/${backend}/${batch}`)?.images_per_second ?? null;
const native = process.env.BENCH_NATIVE ? JSON.parse(process.env.BENCH_NATIVE) : null;
const nativeIps = (batch) => native?.results?.find((r) => r.batch_size === batch)?.images_per_second ?? null;

const rows = [];
for (const batch of BATCHES) {
  const tfAll = ["cpu", "webgl", "webgpu"].map((b) => ips("tfjs", b, batch)).filter((v) => v != null);
  const tfGpu = ["webgl", "webgpu"].map((b) => ips("tfjs", b, batch)).filter((v) => v != null);
  const kCpu = ips("kiln", "cpu", batch);
  const kCpu1 = ips("kiln", "cpu-1t", batch);
  const kGpu = ips("kiln", "webgpu", batch);
  rows.push({
    batch_size: batch,
    device: "cpu",
    kiln: kCpu,
    kiln_one_thread: kCpu1,
    tfjs_best_any: tfAll.length ? Math.max(...tfAll) : null,
    ratio: kCpu && tfAll.length ? kCpu / Math.max(...tfAll) : null,
    native: nativeIps(batch),
    of_native: kCpu && nativeIps(batch) ? kCpu / nativeIps(batch) : null,
  });
  // The CPU's time per step on a GPU backend caps its speed on any GPU, however fast:
  // `batch / host seconds per step` images per second.
  const ceiling = (engine, backend) => {
    const h = best.get(`${engine}/${backend}/${batch}`)?.host_seconds_per_step;
    return h ? batch / h : null;
  };
  const tfCeilings = ["webgl", "webgpu"].map((b) => ceiling("tfjs", b)).filter((v) => v != null);
  const kCeiling = ceiling("kiln", "webgpu");
  // The recording thread's CPU time per step (the engine's worker; TF.js's page), the mean of
  // the rounds (Kiln's, a difference of two runs' times, is noisy by a few milliseconds either
  // way): free of the software renderer's share of the cores.
  const threadCpu = (engine, backend) => {
    const all = measurements
      .filter((m) => m.engine === engine && m.backend === backend && m.batch_size === batch && m.thread_cpu_seconds_per_step != null)
      .map((m) => m.thread_cpu_seconds_per_step);
    return all.length ? all.reduce((a, b) => a + b, 0) / all.length : null;
  };
  const kThread = threadCpu("kiln", "webgpu");
  const tfThread = threadCpu("tfjs", "webgl");
  rows.push({
    batch_size: batch,
    device: "gpu",
    kiln: kGpu,
    tfjs_best_gpu: tfGpu.length ? Math.max(...tfGpu) : null,
    ratio: kGpu && tfGpu.length ? kGpu / Math.max(...tfGpu) : null,
    kiln_host_ceiling: kCeiling,
    tfjs_host_ceiling: tfCeilings.length ? Math.max(...tfCeilings) : null,
    ceiling_ratio: kCeiling && tfCeilings.length ? kCeiling / Math.max(...tfCeilings) : null,
    kiln_thread_cpu_seconds_per_step: kThread,
    tfjs_webgl_thread_cpu_seconds_per_step: tfThread,
    thread_cpu_ratio: kThread && tfThread ? kThread / tfThread : null,
  });
}

const f = (v, d = 1) => (v == null ? "–" : v.toFixed(d));
const ms = (seconds) => (seconds == null ? "–" : `${(seconds * 1000).toFixed(1)} ms`);
console.log("\nimages per second (best of %d round%s)", ROUNDS, ROUNDS === 1 ? "" : "s");
console.log("batch | Kiln CPU | Kiln CPU 1 thread | TF.js cpu | TF.js webgl | TF.js webgpu | Kiln WebGPU | native kiln");
for (const batch of BATCHES) {
  console.log(
    [batch, ips("kiln", "cpu", batch), ips("kiln", "cpu-1t", batch), ips("tfjs", "cpu", batch), ips("tfjs", "webgl", batch), ips("tfjs", "webgpu", batch), ips("kiln", "webgpu", batch), nativeIps(batch)]
      .map((v, i) => (i === 0 ? String(v).padStart(5) : f(v).padStart(11)))
      .join(" | "),
  );
}
console.log("\nKiln / TF.js");
for (const r of rows) {
  if (r.device === "cpu") {
    console.log(`batch ${r.batch_size}, CPU path: ${f(r.ratio)}× TF.js's fastest backend; ${r.of_native == null ? "–" : (r.of_native * 100).toFixed(0) + "%"} of native kiln; ${r.kiln && r.kiln_one_thread ? f(r.kiln / r.kiln_one_thread, 2) + "× one thread" : "–"}`);
  } else {
    console.log(`batch ${r.batch_size}, GPU path: ${f(r.ratio, 2)}× TF.js's best GPU backend; ` +
      `CPU time per step caps it at ${f(r.kiln_host_ceiling, 0)} img/s on any GPU (TF.js: ${f(r.tfjs_host_ceiling, 0)}), ${f(r.ceiling_ratio, 2)}×; ` +
      `the recording thread's CPU time per step ${ms(r.kiln_thread_cpu_seconds_per_step)} against TF.js webgl's ${ms(r.tfjs_webgl_thread_cpu_seconds_per_step)}, ${f(r.thread_cpu_ratio, 2)}×`);
  }
}
const wasm = readFileSync(path.join(ROOT, "dist", "pkg", "kiln_bg.wasm"));
const gz = gzipSync(wasm, { level: 9 }).length;
console.log(`pkg/kiln_bg.wasm: ${(wasm.length / 1e6).toFixed(1)} MB, ${(gz / 1e6).toFixed(2)} MB gzipped`);
const gzipped = (dir) => {
  const file = path.join(ROOT, "dist", dir, "kiln_bg.wasm");
  const bytes = existsSync(file) ? gzipSync(readFileSync(file), { level: 9 }).length : null;
  if (bytes) console.log(`${dir}/kiln_bg.wasm: ${(bytes / 1e6).toFixed(2)} MB gzipped`);
  return bytes;
};
const cpuGz = gzipped("pkg-cpu");
const threadsGz = gzipped("pkg-threads");
console.log(
  JSON.stringify({ benchmark: "kiln_vs_tfjs", rounds: ROUNDS, measurements, summary: rows, learning_panels: panels, native, wasm_bytes: wasm.length, wasm_gzip_bytes: gz, cpu_wasm_gzip_bytes: cpuGz, threads_wasm_gzip_bytes: threadsGz }),
);

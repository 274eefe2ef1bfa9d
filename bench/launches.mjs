// How much GPU work one WebGPU training step records (run by `./build.sh bench`, not a test):
// compute dispatches (kernel launches) per step, in all and by kernel, with the buffer copies,
// `writeBuffer` calls and queue submissions, beside the worker's CPU time per step. Kiln is
// driven through its page (`?test`, whose worker counts on request: www/worker/launches.js),
// on WebGPU (SwiftShader on a GPU-less machine: the counts do not depend on the GPU), for the
// seed network and airbench, on real CIFAR-10 images. Each figure is (the count of a run of
// k + n steps − that of a run of k steps) / n, so that what a run does once (initialising the
// weights, compiling, the final read) cancels out. The learning panels are closed (their looks
// are not part of a step); each progress report's read of the loss is included, and on
// SwiftShader, where a step takes seconds, every step has one (on a real GPU, one step in
// many). TensorFlow.js's webgpu backend is counted the same way in bench/tfjs.html.
// Prints tables for people and one JSON line for machines.
//
// Environment: LAUNCHES_ONLY (`seed`, `airbench` or `tfjs`: one of them; `seed/sgd`, say: one
// model's runs with that optimiser).
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { ROOT, launchBrowser, realSubset, startServer, trainRun, useBackend } from "../tests/helpers.mjs";

const PORT = 19490;
// Runs per model and batch: k warm-up steps, then n more counted, with the model's own recipe's
// optimiser (the seed's Adam, airbench's Nesterov SGD) or the one named. Plain SGD, which keeps
// no state, shows what the seed's optimiser launches: the difference. airbench's steps take
// seconds each on SwiftShader, so it gets few.
const RUNS = [
  { model: "seed", batch: 32, k: 1, n: 3 },
  { model: "seed", batch: 128, k: 1, n: 2 },
  { model: "seed", batch: 32, k: 1, n: 3, optimizer: "sgd" },
  { model: "airbench", batch: 32, k: 1, n: 2 },
  { model: "airbench", batch: 32, k: 1, n: 2, optimizer: "sgd" },
  { model: "airbench", batch: 128, k: 1, n: 1 },
];
const TFJS = [
  { batch: 32, k: 1, n: 3 },
  { batch: 128, k: 1, n: 2 },
];
const only = process.env.LAUNCHES_ONLY;

const subset = realSubset(2048, 10);
if (!subset) process.exit(0);
const benchDir = path.join(ROOT, "dist", "bench");
mkdirSync(benchDir, { recursive: true });
copyFileSync(subset.trainPath, path.join(benchDir, "data.bin"));
for (const f of ["bench/tfjs.html", "bench/tfjs.js", "node_modules/@tensorflow/tfjs/dist/tf.min.js", "node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js"])
  copyFileSync(path.join(ROOT, f), path.join(benchDir, path.basename(f)));

/** `b − a` for two launch counts. */
function minus(b, a) {
  const by = {};
  for (const [kernel, n] of Object.entries(b.by_kernel)) {
    const d = n - (a.by_kernel[kernel] ?? 0);
    if (d) by[kernel] = d;
  }
  return { dispatches: b.dispatches - a.dispatches, by_kernel: by, copies: b.copies - a.copies, writes: b.writes - a.writes, submits: b.submits - a.submits };
}

// The kind of operation a kernel does, from its name (cubecl's entry points, TF.js's program
// classes), first match wins.
const KINDS = [
  ["optimiser (fused)", /^(adam|nesterov|sgd)_kernel/],
  ["convolution", /conv/i],
  ["pooling", /pool/i],
  ["matrix multiply", /matmul/i],
  ["reduction", /reduce|sum|argm|mean|softmax/i],
  ["element-wise", /binop|binary|unary|addn|cmp|compare|mask|select|cast|full|fill|clamp|clip|pow|relu|adam/i],
  ["layout copy", /copy|pack|slice|gather|scatter|transpose|concat|pad|im2col|tile/i],
];
const kindOf = (kernel) => KINDS.find(([, re]) => re.test(kernel))?.[0] ?? "other";

/** The count of the longer run less the shorter's, per counted step, by kernel and by kind. */
function perStep(short, long, n) {
  const d = minus(long, short);
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort((x, y) => y[1] - x[1]));
  const by = sorted(Object.fromEntries(Object.entries(d.by_kernel).map(([k, v]) => [k, v / n])));
  const kinds = {};
  for (const [k, v] of Object.entries(by)) kinds[kindOf(k)] = (kinds[kindOf(k)] ?? 0) + v;
  return { dispatches: d.dispatches / n, by_kind: sorted(kinds), by_kernel: by, copies: d.copies / n, writes: d.writes / n, submits: d.submits / n };
}

async function kilnPage() {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${PORT}/index.html?test`); // ?test: window.kiln
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await page.getByTestId("dataset-input").setInputFiles([subset.trainPath]);
  await page.waitForFunction(() => /2,048/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  await page.evaluate(() => {
    const details = /** @type {HTMLDetailsElement} */ (document.getElementById("inside-learning"));
    details.open = false; // its toggle event tells the engine
  });
  await useBackend(page, "webgpu");
  await page.evaluate(() => window.kiln.launches()); // starts the count
  return page;
}

/** Train `steps` steps of `batch`; the launches the run recorded and its summary. */
async function kilnRun(page, batch, steps) {
  const before = await page.evaluate(() => window.kiln.launches());
  const summary = await trainRun(page, batch, steps, { polling: 500 });
  const after = await page.evaluate(() => window.kiln.launches());
  return { counts: minus(after, before), summary };
}

/** TF.js's webgpu backend on the seed network: `tfjsBench` twice in one page, counted. */
async function tfjsRun(batch, k, n) {
  const page = await browser.newPage();
  // The backend's unminified build, whose program classes keep their names (the pipelines'
  // labels); the same code as the minified one throughput.mjs times.
  await page.route("**/tf-backend-webgpu.min.js", (route) => route.fulfill({ path: path.join(ROOT, "node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.js") }));
  try {
    await page.goto(`http://localhost:${PORT}/bench/tfjs.html`);
    const counted = (steps) => page.evaluate(async (o) => {
      const { launchCounts } = await import("/worker/launches.js");
      const before = launchCounts();
      const r = await window.tfjsBench(o);
      return { before, after: launchCounts(), result: r };
    }, { backend: "webgpu", batch, warmup: 1, steps, url: "data.bin" });
    const short = await counted(k);
    if (short.result.error) return { engine: "tfjs", batch_size: batch, error: short.result.error };
    const long = await counted(k + n);
    const per = perStep(minus(short.after, short.before), minus(long.after, long.before), n);
    return { engine: "tfjs", model: "seed", optimizer: "adam", batch_size: batch, k, n, ...per, host_seconds_per_step: long.result.host_seconds_per_step };
  } finally {
    await page.close();
  }
}

const server = await startServer(PORT);
const browser = await launchBrowser();
const results = [];
try {
  const chosen = RUNS.filter((r) => !only || r.model === only || `${r.model}/${r.optimizer}` === only);
  if (chosen.length) {
    const page = await kilnPage();
    for (const { model, batch, k, n, optimizer } of chosen) {
      await page.getByTestId("model-select").selectOption(model);
      await page.waitForFunction((m) => document.querySelector('[data-testid="model-info"]').dataset.model === m, model);
      const recipe = await page.locator("#optimizer").inputValue();
      if (optimizer) await page.locator("#optimizer").selectOption(optimizer);
      const used = await page.locator("#optimizer").inputValue();
      const short = await kilnRun(page, batch, k);
      const long = await kilnRun(page, batch, k + n);
      const per = perStep(short.counts, long.counts, n);
      await page.locator("#optimizer").selectOption(recipe);
      results.push({ engine: "kiln", model, optimizer: used, batch_size: batch, k, n, ...per, host_seconds_per_step: long.summary.host_seconds_per_step, run_dispatches: [short.counts.dispatches, long.counts.dispatches] });
      console.log(`kiln ${model} (${used}) batch ${batch}: ${per.dispatches} dispatches per step (runs of ${k} and ${k + n} steps: ${short.counts.dispatches}, ${long.counts.dispatches})`);
    }
    await page.close();
  }
  if (!only || only === "tfjs") {
    for (const { batch, k, n } of TFJS) {
      const r = await tfjsRun(batch, k, n);
      results.push(r);
      console.log(r.error ? `tfjs batch ${batch}: ${r.error}` : `tfjs seed batch ${batch}: ${r.dispatches} dispatches per step`);
    }
  }
} finally {
  await browser.close();
  server.kill();
}

const f = (v, d = 1) => (v == null ? "–" : Number(v).toFixed(d));
console.log("\nlaunches per WebGPU training step (counted steps after warm-up; SwiftShader)");
console.log("engine | model    | optimiser | batch | dispatches | copies | writeBuffer | submits | CPU per step");
for (const r of results.filter((r) => !r.error)) {
  console.log([r.engine.padEnd(6), r.model.padEnd(8), r.optimizer.padEnd(9), String(r.batch_size).padStart(5), f(r.dispatches).padStart(10), f(r.copies).padStart(6), f(r.writes).padStart(11), f(r.submits).padStart(7), r.host_seconds_per_step ? `${f(r.host_seconds_per_step * 1000)} ms` : "–"].join(" | "));
}
for (const r of results.filter((r) => !r.error)) {
  console.log(`\n${r.engine} ${r.model} (${r.optimizer}) batch ${r.batch_size}: dispatches per step by kind: ` +
    Object.entries(r.by_kind).map(([kind, count]) => `${kind} ${f(count)}`).join(", "));
}
for (const r of results.filter((r) => !r.error)) {
  console.log(`\n${r.engine} ${r.model} (${r.optimizer}) batch ${r.batch_size}: dispatches per step by kernel`);
  for (const [kernel, count] of Object.entries(r.by_kernel)) console.log(`${f(count).padStart(7)}  ${kernel}`);
}
console.log(JSON.stringify({ benchmark: "launches_per_step", results }));

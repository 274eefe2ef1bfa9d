// Where the engine's worker spends its CPU time while it trains the seed network on WebGPU
// (not a test): Chromium's DevTools protocol attaches to the worker (Target.setAutoAttach) and
// runs V8's sampling profiler there over a run of N steps, after two warm-up runs; prints the
// functions with the most self time, per step. On SwiftShader the device's work runs in another
// process, so this is the worker's own time: recording the steps and launching their kernels.
//
//   KILN_WASM_OPT=0 ./build.sh web   # keeps the wasm functions' names where the module has them
//   node bench/gpu-profile.mjs       # BATCH (32), N (8), CLOSED=1 (the learning panels closed),
//                                    # PROFILE (a path: also write the .cpuprofile)
import { writeFileSync } from "node:fs";
import { launchBrowser, realSubset, startServer, trainRun } from "../tests/helpers.mjs";
import { selfTimes } from "./v8-profile.mjs";

const PORT = 19680;
const batch = Number(process.env.BATCH || 32);
const n = Number(process.env.N || 8);
const subset = realSubset(2048, 10);
if (!subset) process.exit(0);
const server = await startServer(PORT);
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  const client = await page.context().newCDPSession(page);
  // The worker's session, and the protocol's answers to the messages sent through it.
  let worker = null;
  const waiting = new Map();
  let id = 1;
  client.on("Target.attachedToTarget", (e) => e.targetInfo.type === "worker" && (worker ??= e.sessionId));
  client.on("Target.receivedMessageFromTarget", (e) => {
    const m = JSON.parse(e.message);
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const mid = id++;
      waiting.set(mid, resolve);
      client.send("Target.sendMessageToTarget", { sessionId: worker, message: JSON.stringify({ id: mid, method, params }) });
    });
  await client.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  // One thread: the CPU path's pool of workers would be attached to as well.
  await page.goto(`http://localhost:${PORT}/index.html?test&threads=0`);
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await page.getByTestId("dataset-input").setInputFiles([subset.trainPath]);
  await page.waitForFunction(() => /2,048/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  await page.getByTestId("backend-select").selectOption("webgpu");
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-status"]').dataset.backend);
  if ((await page.getByTestId("backend-status").evaluate((e) => e.dataset.backend)) !== "webgpu") {
    console.log(`WebGPU not available: ${await page.getByTestId("backend-status").innerText()}`);
    process.exit(0);
  }
  if (process.env.CLOSED) await page.evaluate(() => (/** @type {HTMLDetailsElement} */ (document.getElementById("inside-learning")).open = false));
  const run = (steps) => trainRun(page, batch, steps, { timeout: 900_000 });
  await run(2);
  await run(1);
  if (!worker) throw new Error("the engine's worker was not attached to");
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 100 });
  await send("Profiler.start");
  await run(n);
  const { profile } = (await send("Profiler.stop")).result;
  if (process.env.PROFILE) writeFileSync(process.env.PROFILE, JSON.stringify(profile));

  // The worker waits for the device most of the time: its busy time is the rest.
  const { self, total: busy } = selfTimes(profile, ["(idle)", "(program)"]);
  const ms = (us) => (us / 1000 / n).toFixed(2).padStart(7);
  console.log(`the worker, WebGPU, batch ${batch}, ${n} steps: ${ms(busy)} ms busy per step (under the profiler's sampling)`);
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [name, t] of top) console.log(`${ms(t)} ms  ${name.replace(/::h[0-9a-f]{16}$/, "").slice(0, 120)}`);
  console.log(JSON.stringify({ benchmark: "webgpu_worker_profile", batch_size: batch, steps: n, busy_ms_per_step: busy / 1000 / n, top: top.map(([name, t]) => ({ name, ms_per_step: t / 1000 / n })) }));
} finally {
  await browser.close();
  server.kill();
}

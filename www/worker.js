// The Web Worker that owns the model: a relay from the page's requests (www/protocol.js) to the
// engine in use. Loading the engine's builds and moving between them is worker/builds.js's
// job, choosing the device worker/device.js's, saving the run being trained worker/runs.js's.
import "./worker/hide-feature.js"; // a test switch, first: it changes what the adapter offers
import { engineInUse, kilnModule } from "./worker/builds.js";
import { initDevice } from "./worker/device.js";
import { loadSaved, pauseRun, stopRun, trainNew, trainSaved } from "./worker/runs.js";
import { configOf } from "./worker/settings.js";
import { watchGpuDevices } from "./worker/lost.js";
import { post } from "./worker/post.js";
import { launchCounts } from "./worker/launches.js";
import { pageError } from "./words.js";

/** @typedef {import("./protocol.js").Requests} Requests */
/** @typedef {import("./protocol.js").Replies} Replies */
/** @typedef {import("./protocol.js").Request} Request */
/** @typedef {import("./worker/engine.js").Engine} Engine */

/** One handler per request type: the engine in use and the request's fields in, the reply out.
 * @type {{[K in keyof Requests]: (engine: Engine, request: Requests[K]) => Replies[K] | Promise<Replies[K]>}} */
const handlers = {
  init_device: (_, request) => initDevice(request),
  load_dataset: (engine, { files }) =>
    engine.loadDataset(
      files.map((f) => f.name),
      files.map((f) => new Uint8Array(f.buffer)),
      (done, total) => post({ type: "load_progress", phase: "decompress", done, total }),
    ),
  samples: (engine, { per_class }) => engine.sampleImages(per_class),
  train: trainNew,
  resume_run: trainSaved,
  load_saved: loadSaved,
  pause: (engine) => pauseRun(engine, true),
  resume: (engine) => pauseRun(engine, false),
  stop: stopRun,
  classify: (engine, { rgba, explain, cls }) => engine.classify(rgba, explain, cls ?? undefined),
  filters: (engine) => engine.filters(),
  network: (engine, { rgba }) => engine.network(rgba),
  unit: (engine, { rgba, query }) => engine.unit(rgba, query),
  evaluate: (engine) => engine.evaluate(),
  last_evaluation: (engine) => engine.lastEvaluation(),
  confusion_cell: (engine, { label, predicted, limit }) => engine.confusionCell(label, predicted, limit),
  memory: (engine) => engine.memoryUsage(),
  active_model: (engine) => engine.activeModel(),
  weights_bytes: (engine) => engine.weightsBytes(),
  load_weights: (engine, { name, buffer, pretrained }) =>
    engine.loadWeights(name, new Uint8Array(buffer), pretrained ? "pretrained" : "file"),
  training_settings: async () => (await kilnModule()).trainingSettings(),
  model_catalog: async () => (await kilnModule()).modelCatalog(),
  parse_settings: (_, { form, what }) => configOf(form, what),
  insight: (engine, { images }) => engine.insight(images),
  step_once: (engine) => engine.stepOnce(),
  watch_learning: (engine, { on }) => engine.watchLearning(on),
  draw_during_runs: (engine, { rgba }) => engine.drawDuringRuns(rgba ?? undefined),
  test_fault: (_, request) => testFault(request),
  launch_counts: () => launchCounts(),
  test_fused_optimizer: (engine, { model, optimizer }) => engine.testFusedOptimizer(model, optimizer),
  test_fused_relu: (engine) => engine.testFusedRelu(),
  test_fused_loss: (engine) => engine.testFusedLoss(),
  test_layers: (engine) => engine.testLayers(),
};

/** The requests only a page opened with `?test` may make: the dispatcher refuses them otherwise.
 * @type {Set<keyof Requests>} */
const TEST_ONLY = new Set(["test_fault", "launch_counts", "test_fused_optimizer", "test_fused_relu", "test_fused_loss",
  "test_layers"]);

watchGpuDevices(); // before the WebGPU build asks for its device

// `?test` in the worker's URL (the page passes on its own `?test`): the browser tests may ask
// for a fault, launch counts and the fused operations' checks. Without it, `TEST_ONLY` requests
// are refused.
const TESTING = new URL(location.href).searchParams.has("test");

/** A request type whose next request traps the engine instead of being answered (`test_fault`).
 * @type {keyof Requests | null} */
let trapOn = null;

/** The fault a browser test asks for: the engine traps (a Rust panic) at the next request of
 * type `request`, or, once the reply is sent, the worker throws at its top level or closes.
 * @param {Requests["test_fault"]} request */
function testFault({ fault, request }) {
  if (fault === "trap") {
    trapOn = request;
    return;
  }
  setTimeout(() => {
    if (fault === "close") self.close();
    else throw new Error("test_fault: the worker threw at its top level");
  });
}

// The worker's lifetime lock: the page asks for it too, and is granted it when this worker
// ends, however it ends (client.js).
const LIFETIME_LOCK = `kiln-worker:${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
if (navigator.locks) {
  navigator.locks.request(LIFETIME_LOCK, () => {
    post({ type: "alive", lock: LIFETIME_LOCK });
    return new Promise(() => {}); // held until the worker ends
  });
} else post({ type: "alive", lock: null });
// The page holds its requests until this, at most client.js's START_SECONDS: a build that never
// starts (Firefox can stall compiling the threaded build) is replaced by a worker on one thread.
// A build that failed to start settles too: the requests then get its error.
const loaded = () => post({ type: "loaded" });
engineInUse().then(loaded, loaded);

/** Set once the engine has trapped: nothing is asked of it again; the page replaces the worker. */
let trapped = false;

/** A wasm trap (a Rust panic, an out-of-bounds access, memory that could not grow): the engine's
 * instance is not safe to use again. Tell the page, which replaces this worker.
 * @param {unknown} err */
function isTrap(err) {
  return err instanceof WebAssembly.RuntimeError;
}

/** @param {unknown} err */
function onTrap(err) {
  console.error("Kiln: the engine trapped:", err);
  if (trapped) return;
  trapped = true;
  post({ type: "fatal", code: "engine_trap", message: "the engine hit an internal error (a bug in Kiln; the console has the details)" });
}

// A trap inside a running future (training, say) escapes every request's promise: it surfaces
// here, as an uncaught error or rejection of the worker.
addEventListener("error", (e) => {
  if (!isTrap(e.error)) return;
  e.preventDefault();
  onTrap(e.error);
});
addEventListener("unhandledrejection", (e) => {
  if (!isTrap(e.reason)) return;
  e.preventDefault();
  onTrap(e.reason);
});

/** @param {MessageEvent<Request>} message */
onmessage = async ({ data }) => {
  const { type, id } = data;
  try {
    if (trapped) throw pageError("engine_replaced");
    const engine = await engineInUse();
    if (type === trapOn) engine.testTrap();
    const handler = /** @type {(engine: Engine, request: Request) => unknown} */ (handlers[type]);
    if (!handler) throw pageError("unknown_request", { type: JSON.stringify(type) });
    if (TEST_ONLY.has(type) && !TESTING) throw pageError("test_only", { type });
    const value = await handler(engine, data);
    post({ type: "result", id, value });
  } catch (err) {
    if (isTrap(err)) onTrap(err); // the page fails this request with the rest
    else post({ type: "error", id, message: err?.message ?? String(err), code: err?.code, params: err?.params });
  }
};

// The Web Worker that owns the model. One message protocol, a `type` on every message:
//   page → worker: {type, id, ...}          (init-device, load-dataset, samples, train,
//                                            resume-run, pause, resume, stop, classify,
//                                            active-model, weights-bytes, load-weights,
//                                            load-saved, evaluate, last-evaluation,
//                                            confusion-cell, explain, filters)
//   worker → page: {type: "result", id, value} | {type: "error", id, message}
//                  {type: "progress", event}  (a TrainingEvent, about 10 per second)
//                  {type: "load-progress", done, total}
//                  {type: "autosave", ok, run | message}  (after every epoch)
// After every epoch the worker saves the run (weights, optimiser state, settings, history) in
// IndexedDB, so that a reload or a crashed tab loses at most one epoch.
import { describeStorageError, getCheckpoint, saveRun, updateRun } from "./store.js";

// Three builds of the engine, one per device, so that a page downloads only what it runs:
//   pkg/          WebGPU alone (no CPU path): the largest, fetched only when WebGPU is tried;
//   pkg-cpu/      the CPU path alone, single-threaded: works everywhere;
//   pkg-threads/  the CPU path on a pool of Web Workers (wasm threads). It needs
//                 SharedArrayBuffer, so a cross-origin isolated page.
// The worker starts on the CPU path's build. When the device moves from one build to another,
// the dataset and the weights in use move with it. `?threads=0` keeps the CPU path
// single-threaded.
const threadsWanted =
  self.crossOriginIsolated && typeof SharedArrayBuffer === "function" && new URL(location.href).searchParams.get("threads") !== "0";

/** The CPU threads the CPU path computes on, and why not more when it is one. */
const cpu = {
  threads: 1,
  note: threadsWanted ? null : self.crossOriginIsolated ? "threads turned off (?threads=0)" : "the page is not cross-origin isolated",
};

const PACKAGES = { gpu: "./pkg/kiln.js", cpu: "./pkg-cpu/kiln.js", threads: "./pkg-threads/kiln.js" };
const builds = {}; // kind → Promise<Engine>
function build(kind) {
  builds[kind] ??= (async () => {
    const kiln = await import(PACKAGES[kind]);
    await kiln.default();
    if (kind === "threads") {
      const threads = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 16));
      await kiln.initThreadPool(threads);
      cpu.threads = threads;
    }
    return new kiln.Engine();
  })();
  return builds[kind];
}

/** The build the CPU path runs in: the multi-threaded one where it can, else the CPU-only one. */
let cpuKind = threadsWanted ? "threads" : "cpu";

/** The CPU path's engine: `cpuKind`'s build, falling back to the next where one does not start. */
async function cpuBuild() {
  for (;;) {
    try {
      return await build(cpuKind);
    } catch (err) {
      if (cpuKind !== "threads") throw err;
      cpuKind = "cpu";
      cpu.threads = 1;
      cpu.note = `the multi-threaded build did not start: ${err?.message ?? err}`;
      console.warn(`Kiln: the multi-threaded build did not start (${err?.message ?? err}); the CPU path uses one thread`);
    }
  }
}

// The WebGPU adapter, asked for once.
const adapterPromise = navigator.gpu ? navigator.gpu.requestAdapter().catch(() => null) : Promise.resolve(null);
// Software renderers behind WebGPU: far slower than the CPU path, so Auto does not time them.
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|basic render/i;
async function adapterInfo() {
  const adapter = await adapterPromise;
  const details = adapter?.info ? [adapter.info.vendor, adapter.info.architecture, adapter.info.description] : [];
  const described = details.filter(Boolean).join(" · ");
  const software = !!adapter && (!!adapter.info?.isFallbackAdapter || SOFTWARE_ADAPTER.test(described));
  return { adapter, described, software };
}

let engine = null; // the engine in use
let engineKind = null;
// Requests wait while the state moves between builds.
let handover = Promise.resolve();

// Start in the CPU path's build: it is small, it classifies at once (WebGPU first compiles its
// kernels), and Auto needs it to time the CPU. The WebGPU build is fetched when WebGPU is tried.
const ready = (async () => {
  engine = await cpuBuild();
  engineKind = cpuKind;
})();

/** Make the `kind` build the engine in use, moving the weights in use and the dataset to it. */
async function use(kind) {
  if (kind === engineKind) return;
  const from = engine;
  if (from.isTraining()) throw new Error("cannot change the device while training; stop first");
  let release;
  handover = new Promise((r) => (release = r));
  try {
    const to = await build(kind);
    const { source } = from.activeModel();
    to.loadWeights("the weights in use", await from.weightsBytes(), source);
    const data = from.exportDataset();
    if (data) {
      to.loadDataset(data.names, data.files, () => {}, data.name);
      from.releaseDataset();
    }
    engine = to;
    engineKind = kind;
  } finally {
    release();
  }
}

/** The CPU, in the CPU path's build; `reason` says why when the CPU was not the choice, and
 * `speeds` what Auto measured. */
async function useCpu(reason, speeds = null) {
  await cpuBuild(); // settles cpuKind
  await use(cpuKind);
  const info = await engine.initDevice("cpu");
  if (reason) info.fallback_reason = reason;
  if (speeds) info.speeds = speeds;
  return info;
}

/** The CPU path's training speed (img/s) in its own build, the multi-threaded one where it
 * runs: what Auto weighs WebGPU against. Null where it cannot be timed (WebGPU is then kept). */
async function cpuPathSpeed() {
  try {
    const cpuEngine = await cpuBuild();
    return await cpuEngine.cpuSpeed();
  } catch (err) {
    console.warn(`Kiln: could not time the CPU path (${err?.message ?? err})`);
    return null;
  }
}

// Device changes run one at a time, in the order asked: a slow WebGPU start must not finish
// after (and overrule) a later choice of the CPU.
let deviceQueue = Promise.resolve();

async function initDevice({ backend }) {
  if (engine.isTraining()) throw new Error("cannot change the device while training; stop first");
  const { adapter, described, software } = await adapterInfo();
  if (backend === "cpu") return useCpu(null);
  if (backend === "auto" && software) {
    return useCpu(`WebGPU here runs in software (${described || "a fallback adapter"}), slower than the CPU path`);
  }
  // Without WebGPU in this browser, the WebGPU build is not worth its download.
  if (!navigator.gpu) return useCpu("this browser does not expose WebGPU (navigator.gpu is missing)");
  // WebGPU lives in its own build. Auto with a hardware adapter: a few training steps are
  // timed on the CPU path (in its build: threads count) and on WebGPU, and the faster is kept.
  let gpu;
  try {
    gpu = await build("gpu");
  } catch (err) {
    delete builds.gpu; // a later choice of WebGPU tries again (say, after a network error)
    return useCpu(`the WebGPU build of Kiln did not load (${err?.message ?? err})`);
  }
  const cpuSpeed = backend === "auto" ? await cpuPathSpeed() : null;
  const info = await gpu.initDevice(backend, cpuSpeed ?? undefined);
  if (info.backend === "cpu") return useCpu(info.fallback_reason, info.speeds);
  await use("gpu");
  if (adapter && described) info.adapter = described; // as the browser reports it
  return info;
}

/** Say how many threads the CPU path uses (each build knows only itself). */
function withThreads(info) {
  info.threads = info.backend === "cpu" ? cpu.threads : null;
  if (info.backend === "cpu") {
    const threads = cpu.threads > 1 ? `${cpu.threads} threads` : `one thread${cpu.note ? `: ${cpu.note}` : ""}`;
    info.adapter = info.adapter.endsWith(")") ? `${info.adapter.slice(0, -1)}, ${threads})` : `${info.adapter}, ${threads}`;
  }
  return info;
}

// The run being trained: its IndexedDB record (without the checkpoint's bytes).
let run = null;

function newRun({ name, dataset, backend }) {
  const now = Date.now();
  return {
    id: `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    name,
    created: now,
    updated: now,
    status: "running",
    dataset,
    backend,
    steps: [], // flat [x, loss, accuracy, x, loss, accuracy, ...] of the step reports
    epochs_done: 0,
    saved: false,
  };
}

function onEvent(event) {
  if (event.type === "step" && run) {
    run.steps.push(event.epoch + event.step / event.steps_per_epoch, event.loss, event.accuracy);
  }
  postMessage({ type: "progress", event });
}

async function onCheckpoint(checkpoint) {
  Object.assign(run, {
    updated: Date.now(),
    config: checkpoint.config,
    history: checkpoint.history,
    epochs_done: checkpoint.epochs_done,
    epochs_total: checkpoint.config.epochs,
    test_accuracy: checkpoint.test_accuracy,
  });
  const { saved, ...record } = run;
  try {
    if (!saved) navigator.storage?.persist?.().catch(() => {}); // ask not to be evicted
    await saveRun({ ...record, steps: Float32Array.from(run.steps) }, checkpoint);
    run.saved = true;
    postMessage({ type: "autosave", ok: true, run: { id: run.id, epochs_done: run.epochs_done } });
  } catch (err) {
    postMessage({
      type: "autosave",
      ok: false,
      message: `Autosave after epoch ${checkpoint.epochs_done} failed: ${describeStorageError(err)}. Training goes on.`,
    });
  }
}

/** Wait for a run to end and record how it ended. Until then the worker holds a Web Lock named
 * after the run, so that other tabs (and this page after a reload) can tell a live run from an
 * interrupted one. */
function finishRun(training) {
  const id = run.id;
  const done = (async () => {
    try {
      const summary = await training;
      await markRun(summary.cancelled || summary.epochs < (run?.epochs_total ?? 0) ? "stopped" : "finished");
      return summary;
    } catch (err) {
      await markRun("stopped");
      throw err;
    }
  })();
  navigator.locks?.request(`kiln-run:${id}`, () => done.catch(() => {}));
  return done;
}

async function markRun(status) {
  const current = run;
  run = null;
  if (current?.saved) await updateRun(current.id, { status, updated: Date.now() }).catch(() => {});
}

const handlers = {
  "init-device"(request) {
    const next = deviceQueue.then(() => initDevice(request)).then(withThreads);
    deviceQueue = next.catch(() => {});
    return next;
  },
  "load-dataset"({ files }) {
    const names = files.map((f) => f.name);
    const arrays = files.map((f) => new Uint8Array(f.buffer));
    return engine.loadDataset(names, arrays, (done, total) =>
      postMessage({ type: "load-progress", phase: "decompress", done, total }),
    );
  },
  samples({ perClass }) {
    return engine.sampleImages(perClass);
  },
  train({ config, fromCurrent, run: info }) {
    if (engine.isTraining()) throw new Error("training is already running");
    run = newRun(info);
    return finishRun(engine.train(config, onEvent, !!fromCurrent, onCheckpoint));
  },
  async "resume-run"({ runId, epochs, backend }) {
    if (engine.isTraining()) throw new Error("training is already running");
    const { run: saved, checkpoint } = await getCheckpoint(runId);
    run = { ...saved, status: "running", backend, steps: Array.from(saved.steps ?? []), saved: true };
    return finishRun(engine.resumeRun(checkpoint, epochs ?? undefined, onEvent, onCheckpoint));
  },
  async "load-saved"({ runId }) {
    const { run: saved, checkpoint } = await getCheckpoint(runId);
    // With early stopping, the run's result is its best epoch, not necessarily its last.
    return engine.loadWeights(saved.name, checkpoint.best_weights ?? checkpoint.weights, "saved");
  },
  pause() {
    engine.pause();
  },
  resume() {
    engine.resume();
  },
  stop() {
    engine.stop();
  },
  classify({ rgba }) {
    return engine.classify(rgba);
  },
  explain({ rgba, cls }) {
    return engine.explain(rgba, cls ?? undefined);
  },
  filters() {
    return engine.filters();
  },
  evaluate() {
    return engine.evaluate();
  },
  "last-evaluation"() {
    return engine.lastEvaluation();
  },
  "confusion-cell"({ label, predicted, limit }) {
    return engine.confusionCell(label, predicted, limit);
  },
  memory() {
    return engine.memoryUsage();
  },
  "active-model"() {
    return engine.activeModel();
  },
  "weights-bytes"() {
    return engine.weightsBytes();
  },
  "load-weights"({ name, buffer, pretrained }) {
    return engine.loadWeights(name, new Uint8Array(buffer), pretrained ? "pretrained" : "file");
  },
};

onmessage = async ({ data }) => {
  const { type, id } = data;
  try {
    await ready;
    await handover;
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request type ${JSON.stringify(type)}`);
    const value = await handler(data);
    postMessage({ type: "result", id, value });
  } catch (err) {
    postMessage({ type: "error", id, message: err?.message ?? String(err) });
  }
};

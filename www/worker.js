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
import init, { Engine } from "./pkg/kiln.js";
import { describeStorageError, getCheckpoint, saveRun, updateRun } from "./store.js";

let engine = null;
const ready = init().then(() => {
  engine = new Engine();
});

// Device changes run one at a time, in the order asked: a slow WebGPU start must not finish
// after (and overrule) a later choice of the CPU.
let deviceQueue = Promise.resolve();

// Software renderers behind WebGPU: far slower than the CPU path, so Auto does not time them.
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|basic render/i;

async function initDevice({ backend }) {
  const adapter = navigator.gpu ? await navigator.gpu.requestAdapter().catch(() => null) : null;
  const details = adapter?.info ? [adapter.info.vendor, adapter.info.architecture, adapter.info.description] : [];
  const described = details.filter(Boolean).join(" · ");
  if (backend === "auto" && adapter && (adapter.info?.isFallbackAdapter || SOFTWARE_ADAPTER.test(described))) {
    const info = await engine.initDevice("cpu");
    info.fallback_reason = `WebGPU here runs in software (${described || "a fallback adapter"}), slower than the CPU path`;
    return info;
  }
  // Auto with a hardware adapter: the engine times a few training steps on each device.
  const info = await engine.initDevice(backend);
  if (info.backend === "webgpu" && described) info.adapter = described; // as the browser reports it
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
    const next = deviceQueue.then(() => initDevice(request));
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
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request type ${JSON.stringify(type)}`);
    const value = await handler(data);
    postMessage({ type: "result", id, value });
  } catch (err) {
    postMessage({ type: "error", id, message: err?.message ?? String(err) });
  }
};

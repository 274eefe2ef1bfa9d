// The Web Worker that owns the model. One message protocol, a `type` on every message:
//   page → worker: {type, id, ...}          (init-device, load-dataset, samples, train,
//                                            pause, resume, stop, classify, active-model,
//                                            weights-bytes, load-weights)
//   worker → page: {type: "result", id, value} | {type: "error", id, message}
//                  {type: "progress", event}  (a TrainingEvent, about 10 per second)
//                  {type: "load-progress", done, total}
import init, { Engine } from "./pkg/kiln.js";

let engine = null;
const ready = init().then(() => {
  engine = new Engine();
});

// Device changes run one at a time, in the order asked: a slow WebGPU start must not finish
// after (and overrule) a later choice of the CPU.
let deviceQueue = Promise.resolve();

async function initDevice({ backend }) {
  const info = await engine.initDevice(backend);
  if (info.backend === "webgpu" && navigator.gpu) {
    // Vendor and architecture as the browser reports them.
    const adapter = await navigator.gpu.requestAdapter().catch(() => null);
    const details = adapter?.info ? [adapter.info.vendor, adapter.info.architecture, adapter.info.description] : [];
    const extra = details.filter(Boolean).join(" · ");
    if (extra) info.adapter = extra;
  }
  return info;
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
  train({ config, fromCurrent }) {
    return engine.train(config, (event) => postMessage({ type: "progress", event }), !!fromCurrent);
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
  "active-model"() {
    return engine.activeModel();
  },
  "weights-bytes"() {
    return engine.weightsBytes();
  },
  "load-weights"({ name, buffer, pretrained }) {
    return engine.loadWeights(name, new Uint8Array(buffer), !!pretrained);
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

// The Web Worker that owns the model: a relay from the page's requests (www/protocol.js) to the
// engine in use. Loading the engine's builds and moving between them is worker/builds.js's
// job, choosing the device worker/device.js's, saving the run being trained worker/runs.js's.
import { engineInUse, kilnModule } from "./worker/builds.js";
import { initDevice } from "./worker/device.js";
import { loadSaved, trainNew, trainSaved } from "./worker/runs.js";
import { post } from "./worker/post.js";

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
  pause: (engine) => engine.pause(),
  resume: (engine) => engine.resume(),
  stop: (engine) => engine.stop(),
  classify: (engine, { rgba, explain, cls }) => engine.classify(rgba, explain, cls ?? undefined),
  filters: (engine) => engine.filters(),
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
  parse_settings: async (_, { form }) => parseSettings(await kilnModule(), form),
  insight: (engine, { images }) => engine.insight(images),
  step_once: (engine) => engine.stepOnce(),
};

/** The engine's reading of the settings form: a refusal is a reply (every refused setting,
 * named by its key), not an error.
 * @param {import("./worker/engine.js").KilnModule} kiln
 * @param {Record<string, string>} form */
function parseSettings(kiln, form) {
  try {
    return { config: kiln.parseSettings(form), fields: [] };
  } catch (err) {
    if (!Array.isArray(err?.fields)) throw err;
    return { config: null, fields: /** @type {import("./values.js").FieldRefusal[]} */ (err.fields) };
  }
}

/** @param {MessageEvent<Request>} message */
onmessage = async ({ data }) => {
  const { type, id } = data;
  try {
    const engine = await engineInUse();
    const handler = /** @type {(engine: Engine, request: Request) => unknown} */ (handlers[type]);
    if (!handler) throw new Error(`unknown request type ${JSON.stringify(type)}`);
    const value = await handler(engine, data);
    post({ type: "result", id, value });
  } catch (err) {
    post({ type: "error", id, message: err?.message ?? String(err), code: err?.code, params: err?.params });
  }
};

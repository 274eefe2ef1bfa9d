// The page's entry: builds the panels and wires them. The worker owns the model, so nothing
// here blocks for long: decoding, training and classification all happen there. The panels
// talk through the bus (www/bus.js) or the callbacks given to them below.
//
// First, the reload that isolates the page where the host cannot (www/isolate.js): until it has
// settled, nothing below runs and the page takes no input.
import "./isolate.js";
import { Bus } from "./bus.js";
import { WorkerClient } from "./client.js";
import { classifyPanel } from "./panels/classify.js";
import { datasetPanel } from "./panels/dataset.js";
import { devicePanel } from "./panels/device.js";
import { errorsPanel } from "./panels/errors.js";
import { evaluationPanel } from "./panels/evaluation.js";
import { learnPanel } from "./panels/learn.js";
import { lessonsPanel } from "./panels/lessons.js";
import { explainPanel } from "./panels/explain.js";
import { modelsPanel } from "./panels/models.js";
import { networkPanel } from "./panels/network.js";
import { offlinePanel } from "./panels/offline.js";
import { runsPanel } from "./panels/runs.js";
import { samplesPanel } from "./panels/samples.js";
import { settingsPanel } from "./panels/settings.js";
import { siteDataPanel } from "./panels/site-data.js";
import { trainingPanel } from "./panels/training.js";
import { weightsPanel } from "./panels/weights.js";
import { $ } from "./ui.js";
import { CIFAR_CLASSES, language, onLanguage, setLanguage, translatePage } from "./i18n/index.js";
import { pageError } from "./words.js";

// The page in the reader's language before anything else draws; the header's menu switches it.
translatePage();
const languageSelect = $("language-select");
languageSelect.value = language();
languageSelect.onchange = () => setLanguage(languageSelect.value);
onLanguage(() => (languageSelect.value = language()));

const query = new URLSearchParams(location.search);
// `?threads=0` keeps the CPU path single-threaded even where the page could use threads; `?test`
// lets the browser tests ask the worker for faults.
const workerQuery = new URLSearchParams();
if (query.get("threads") === "0") workerQuery.set("threads", "0");
if (query.has("test")) workerQuery.set("test", "");
if (query.has("test") && query.get("hide_feature")) workerQuery.set("hide_feature", query.get("hide_feature") ?? "");
// Test switches for a start that stalls: `stall_threads` (the worker's threaded build never
// starts, as Firefox's compile sometimes does not) and `start_seconds` (client.js's wait).
if (query.has("test") && query.has("stall_threads")) workerQuery.set("stall_threads", "");
const startSeconds = query.has("test") ? Number(query.get("start_seconds")) || undefined : undefined;
const bus = new Bus();
const worker = new WorkerClient(`./worker.js${workerQuery.size ? `?${workerQuery}` : ""}`, bus, startSeconds);

// The test switch: with `?test` in the URL (the browser tests and benchmarks open the page so),
// the page exposes `window.kiln` = {charts, memory(), lastSummary, fault(), restarts(), idle(),
// launches(), fusedOptimizer(), fusedRelu(), fusedLoss(), layers()} for them to read and to cause
// faults. Without it, nothing of the page is global.
/** @type {{charts: import("./charts.js").Charts, memory: () => Promise<unknown>,
 *   lastSummary: import("./values.js").TrainingSummary | null,
 *   fault: (fault: "trap" | "throw" | "close", request?: import("./protocol.js").RequestType | null) => Promise<void>,
 *   restarts: () => number, idle: () => boolean,
 *   launches: () => Promise<import("./protocol.js").LaunchCounts>,
 *   fusedOptimizer: (model: string, optimizer: "adam" | "sgd" | "nesterov") => Promise<unknown>,
 *   fusedRelu: () => Promise<number>, fusedLoss: () => Promise<number>, layers: () => Promise<number>} | null} */
let hooks = null;

const errors = errorsPanel();
const device = devicePanel({ worker, errors, bus });
const dataset = datasetPanel({ worker, errors, bus });
// The service worker (offline use, threads on any host) and the dataset the site publishes.
const offline = offlinePanel();
siteDataPanel({ load: dataset.load, onKept: offline.showStorage });
const settings = settingsPanel({ worker, errors });
const training = trainingPanel({
  worker,
  errors,
  bus,
  settings,
  onSummary: (summary) => {
    if (hooks) hooks.lastSummary = summary;
  },
});
const runs = runsPanel({ worker, errors, bus, training, settings });
evaluationPanel({ worker, errors, bus });
learnPanel({ worker, bus, errors });
const weights = weightsPanel({ worker, errors, bus });
const models = modelsPanel({
  worker,
  errors,
  bus,
  settings,
  usePretrained: (info) => weights.usePretrained(info.pretrained),
  weightsSource: weights.source,
});
const classify = classifyPanel({
  worker,
  errors,
  bus,
  loadWeightsFile: (file) => weights.loadFile(file),
  explainWanted: () => explain.wanted(),
  onClassified: (result, rgba) => {
    weights.showStatus(result.model);
    explain.show(result.explanation);
    network.show(rgba).catch((e) => errors.show(e));
  },
});
// The network drawn for the picture classified last; the samples to start from.
let classNames = CIFAR_CLASSES;
bus.on("dataset_loaded", (summary) => (classNames = summary.class_names ?? CIFAR_CLASSES));
const network = networkPanel({ worker, bus, errors, classNames: () => classNames });
lessonsPanel({ onBlackBox: () => network.inspectLastConv() });
const samples = samplesPanel({ onPick: (rgba, name) => classify.classifyPixels(rgba, name) });
const explain = explainPanel({
  worker,
  bus,
  inputCanvas: classify.inputCanvas,
  markExplained: classify.markExplained,
  onOpen: () => classify.again(),
});

if (query.has("test")) {
  hooks = {
    charts: training.charts,
    memory: () => worker.request("memory", {}),
    lastSummary: null,
    fault: (fault, request = null) => worker.request("test_fault", { fault, request }),
    restarts: () => worker.restarts,
    idle: () => worker.idle(),
    launches: () => worker.request("launch_counts", {}),
    /** @param {string} model @param {"adam" | "sgd" | "nesterov"} optimizer */
    fusedOptimizer: (model, optimizer) => worker.request("test_fused_optimizer", { model, optimizer }),
    fusedRelu: () => worker.request("test_fused_relu", {}),
    fusedLoss: () => worker.request("test_fused_loss", {}),
    layers: () => worker.request("test_layers", {}),
  };
  /** @type {any} */ (window).kiln = hooks;
}

// A picture from the phone's camera (the input with `capture`) goes where a chosen image goes.
$("camera-input").onchange = () => {
  const image = $("image-input");
  image.files = $("camera-input").files;
  image.dispatchEvent(new Event("change"));
};

// A file chosen before this script ran (a quick user, or a form the browser restored) counts
// as chosen now.
for (const id of ["dataset-input", "image-input"]) {
  if ($(id).files.length) $(id).dispatchEvent(new Event("change"));
}
// The page opens with the seed's pretrained weights; another network's are loaded when it is
// picked in the menu.
// A sample picture flows through the network from the start, unless the user was quicker.
device
  .choose()
  .then(() => weights.loadPretrained())
  .then(() => {
    if (!classify.hasPicture()) samples.first();
    return models.describe();
  });
runs.offerResume();

worker.onDead((error) => errors.show(error));

// The GPU was lost (worker/lost.js): the worker has moved the engine to the CPU, with the last
// finished epoch's weights where a run failed. The worker says so only once no run is in
// progress or being set up, so the page says so, the menu follows, and an idle engine's weights
// (the GPU's copy is gone) are loaded again.
bus.on("device_lost", ({ message, code, params, reload }) => {
  /** @type {HTMLSelectElement} */ ($("backend-select")).value = "cpu";
  device
    .choose()
    .then(() => reload && worker.reloadWeights())
    .catch((e) => console.warn(`Kiln: the weights in use could not be loaded again (${e.message})`))
    .then(() => bus.emit("weights_changed", undefined));
  errors.show(Object.assign(new Error(message), { code, params }));
});

// The worker failed and a fresh one replaced it (client.js): its engine starts empty. The page
// starts the device again, puts the weights that were in use back (the pretrained ones where
// they cannot be), forgets the dataset, and offers to resume a run that was training.
worker.onCrash((reason) => {
  errors.show(pageError("engine_restarted", { reason }));
  bus.emit("engine_restarted", undefined);
  device
    .choose()
    .then(() => worker.reloadWeights())
    .catch((e) => {
      console.warn(`Kiln: the weights in use before the engine stopped could not be loaded again (${e.message})`);
      return false;
    })
    .then((reloaded) => (reloaded ? bus.emit("weights_changed", undefined) : weights.loadPretrained()));
  runs.offerResume();
});

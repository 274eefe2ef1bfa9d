// The page: wires controls to the worker, which owns the model. Nothing here blocks for long:
// decoding, training and classification all happen in the worker.
import { WorkerClient } from "./client.js";
import { readFiles, fetchDataset } from "./dataset.js";
import { imageFileToInput, toNetworkInput } from "./image.js";
import { Charts } from "./charts.js";
import { clearEvaluation, renderCell, renderEvaluation } from "./evaluation.js";
import { renderExplanation, renderFilters } from "./explain.js";
import { deleteRun, getRun, listRuns } from "./store.js";

const $ = (id) => document.getElementById(id);
// `?threads=0` keeps the CPU path single-threaded even where the page could use threads.
const worker = new WorkerClient(`./worker.js${new URLSearchParams(location.search).get("threads") === "0" ? "?threads=0" : ""}`);
const charts = new Charts($("step-chart"), $("epoch-chart"));
window.kiln = { charts, memory: () => worker.request("memory") }; // for tests and the curious

const state = { dataset: null, training: false, paused: false, lastInput: null, classNames: null, interrupted: null };

// ---- errors -----------------------------------------------------------------------------
function showError(err) {
  const message = err?.message ?? String(err);
  $("error-text").textContent = message;
  $("error").hidden = false;
  console.error(message);
}
$("error-close").onclick = () => ($("error").hidden = true);
worker.on("crash", (message) => showError(`The training worker failed: ${message}`));
function clearError() {
  $("error").hidden = true;
}

// ---- device -----------------------------------------------------------------------------
let deviceRequest = 0;
async function chooseBackend() {
  const backend = $("backend-select").value;
  const ticket = ++deviceRequest;
  $("backend-status").textContent = "starting…";
  delete $("backend-status").dataset.backend;
  try {
    const info = await worker.request("init-device", { backend });
    if (ticket !== deviceRequest) return; // a later choice is on its way
    const name = info.backend === "webgpu" ? "WebGPU" : "CPU";
    let text = `${name}: ${info.adapter}`;
    if (info.fallback_reason) text += ` — using the CPU because ${info.fallback_reason}`;
    else if (info.speeds) text += ` — faster than the CPU here (${info.speeds.webgpu.toFixed(0)} vs ${info.speeds.cpu.toFixed(0)} img/s)`;
    $("backend-status").textContent = text;
    $("backend-status").dataset.backend = info.backend;
  } catch (e) {
    if (ticket !== deviceRequest) return;
    $("backend-status").textContent = "device error";
    showError(e);
  }
}
$("backend-select").onchange = chooseBackend;

// ---- dataset ----------------------------------------------------------------------------
function setLoadProgress(phase, done, total) {
  const bar = $("dataset-progress");
  bar.hidden = false;
  bar.value = total ? done / total : 0;
  const mb = (n) => (n / 1e6).toFixed(0);
  $("dataset-progress-text").textContent = `${phase} ${mb(done)} / ${mb(total)} MB`;
}
worker.on("load-progress", ({ done, total }) => setLoadProgress("decompressing", done, total));

async function loadDataset(getFiles) {
  clearError();
  try {
    const files = await getFiles((done, total) => setLoadProgress("reading", done, total));
    const summary = await worker.request("load-dataset", { files }, files.map((f) => f.buffer));
    state.dataset = summary;
    state.classNames = summary.class_names;
    renderSummary(summary);
    await renderSamples();
    $("train").disabled = state.training;
    updateResumeBanner();
    weightsChanged();
    updateEvaluateButton();
    $("dataset-progress-text").textContent = "loaded";
  } catch (e) {
    $("dataset-progress-text").textContent = "";
    $("dataset-progress").hidden = true;
    showError(e);
  }
}

function renderSummary(s) {
  const rows = s.class_names
    .map((name, c) => `<tr><td>${name}</td><td>${s.train_per_class[c]}</td><td>${s.test_per_class[c]}</td></tr>`)
    .join("");
  $("dataset-summary").innerHTML =
    `<p><strong>${s.train_images.toLocaleString()}</strong> training and <strong>${s.test_images.toLocaleString()}</strong> test images.</p>` +
    `<table><thead><tr><th>class</th><th>train</th><th>test</th></tr></thead><tbody>${rows}</tbody></table>`;
}

async function renderSamples() {
  const perClass = 8;
  const { labels, rgba } = await worker.request("samples", { perClass });
  const canvas = $("sample-grid");
  const scale = 2;
  const cols = perClass;
  const rows = Math.ceil(labels.length / cols) || 1;
  canvas.width = cols * 32 * scale + 90;
  canvas.height = rows * 32 * scale;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const tile = document.createElement("canvas");
  tile.width = tile.height = 32;
  const tctx = tile.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  labels.forEach((label, i) => {
    tctx.putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, i * 4096, 4096), 32, 32), 0, 0);
    const row = Math.floor(i / cols);
    const col = i % cols;
    ctx.drawImage(tile, 90 + col * 32 * scale, row * 32 * scale, 32 * scale, 32 * scale);
    if (col === 0) {
      ctx.fillStyle = "#222";
      ctx.font = "13px sans-serif";
      ctx.fillText(state.classNames[label], 4, row * 32 * scale + 36);
    }
  });
  canvas.hidden = false;
}

$("dataset-input").onchange = (e) => {
  const list = e.target.files;
  if (list.length) loadDataset((p) => readFiles(list, p));
  e.target.value = "";
};
$("dataset-url-load").onclick = () => {
  const url = $("dataset-url").value.trim();
  if (url) loadDataset((p) => fetchDataset(url, p));
};
makeDropZone($("dataset-drop"), (files) => loadDataset((p) => readFiles(files, p)));

function makeDropZone(el, onFiles) {
  el.addEventListener("dragover", (e) => {
    e.preventDefault();
    el.classList.add("over");
  });
  el.addEventListener("dragleave", () => el.classList.remove("over"));
  el.addEventListener("drop", (e) => {
    e.preventDefault();
    el.classList.remove("over");
    if (e.dataTransfer.files.length) onFiles(e.dataTransfer.files);
  });
}

// ---- training ---------------------------------------------------------------------------
function readConfig() {
  const int = (id) => {
    const v = $(id).value.trim();
    return v === "" ? null : Number.parseInt(v, 10);
  };
  const epochs = int("epochs");
  const batch = int("batch-size");
  const lr = Number.parseFloat($("learning-rate").value);
  if (!(epochs >= 1)) throw new Error(`Epochs must be a whole number of at least 1 (got "${$("epochs").value}")`);
  if (!(batch >= 1)) throw new Error(`Batch size must be a whole number of at least 1 (got "${$("batch-size").value}")`);
  if (!(lr > 0)) throw new Error(`Learning rate must be a positive number (got "${$("learning-rate").value}")`);
  const optimizer =
    $("optimizer").value === "sgd" ? { kind: "sgd" } : { kind: "adam", beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 };
  const decay = $("weight-decay").value.trim() === "" ? 0 : Number.parseFloat($("weight-decay").value);
  if (!(decay >= 0 && decay <= 1)) throw new Error(`Weight decay must be a number from 0 to 1 (got "${$("weight-decay").value}")`);
  const patience = int("patience");
  if ($("early-stopping").checked && !(patience >= 1)) {
    throw new Error(`Early stopping patience must be a whole number of epochs, at least 1 (got "${$("patience").value}")`);
  }
  const augment = $("augment").checked;
  return {
    model: { name: $("model").value, activation: $("activation").value },
    augmentation: { flip: augment, crop_padding: augment ? 4 : 0 },
    weight_decay: decay,
    early_stopping: $("early-stopping").checked ? patience : null,
    optimizer,
    epochs,
    batch_size: batch,
    learning_rate: lr,
    train_limit: int("train-limit"),
  };
}

function setStatus(text) {
  $("train-status").textContent = text;
}

function setTraining(on) {
  state.training = on;
  $("train").disabled = on || !state.dataset;
  updateEvaluateButton();
  $("pause").disabled = !on;
  $("stop").disabled = !on;
  $("backend-select").disabled = on;
  $("pause").textContent = "Pause";
  state.paused = false;
  updateResumeBanner();
  refreshRuns();
}

const fmtTime = (s) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);
let totalEpochs = 1;

worker.on("progress", ({ event }) => {
  switch (event.type) {
    case "started":
      totalEpochs = event.epochs;
      $("epoch-text").textContent = `${Math.min(event.first_epoch + 1, event.epochs)} / ${event.epochs}`;
      $("progress").value = event.first_epoch / event.epochs;
      break;
    case "step": {
      $("epoch-progress").value = event.step / event.steps_per_epoch;
      $("progress").value = (event.epoch + event.step / event.steps_per_epoch) / totalEpochs;
      $("epoch-text").textContent = `${event.epoch + 1} / ${totalEpochs}`;
      $("throughput").textContent = event.images_per_second.toFixed(0);
      $("eta").textContent = fmtTime(event.eta_seconds);
      $("loss").textContent = event.loss.toFixed(4);
      $("accuracy").textContent = `${(event.accuracy * 100).toFixed(1)}%`;
      charts.addStep(event);
      break;
    }
    case "evaluating":
      if (!state.paused) setStatus("evaluating");
      break;
    case "epoch_finished":
      if (event.test) $("test-accuracy").textContent = `${(event.test.accuracy * 100).toFixed(2)}%`;
      charts.addEpoch(event);
      showOverfitting();
      refreshFilters(); // the filters as they are learned
      if (!state.paused) setStatus("training");
      refreshModelStatus();
      break;
    case "checkpoint_failed":
      showError(new Error(`Autosave failed: ${event.message}. Training goes on.`));
      break;
  }
});

worker.on("autosave", (message) => {
  if (message.ok) {
    $("autosave-status").textContent = `Saved in this browser after epoch ${message.run.epochs_done}.`;
    state.currentRun = message.run.id;
  } else {
    $("autosave-status").textContent = "Autosave failed.";
    showError(new Error(message.message));
  }
  refreshRuns();
});

function runName(config) {
  const opt = config.optimizer.kind === "sgd" ? "SGD" : "Adam";
  const limit = config.train_limit ? `, ${config.train_limit.toLocaleString()} images` : "";
  const when = new Date().toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return `${config.model.name} · ${opt} ${config.learning_rate} · batch ${config.batch_size}${limit} · ${when}`;
}

/** Run one training request (a new run or a resumed one) and keep the page in step. */
async function runTraining(request) {
  setTraining(true);
  setStatus("training");
  $("autosave-status").textContent = "";
  clearEvaluation("Training… its evaluation appears here when it ends.");
  try {
    const summary = await request();
    window.kiln.lastSummary = summary;
    setStatus(summary.cancelled ? "stopped" : summary.stopped_early ? "stopped early" : "done");
    if (summary.stopped_early) {
      $("autosave-status").textContent +=
        ` Test accuracy stopped improving: kept the weights of epoch ${summary.best_epoch + 1} (${fmtPct(summary.best_test_accuracy)}).`;
    }
  } catch (e) {
    setStatus("error");
    showError(e);
  } finally {
    setTraining(false);
    state.currentRun = null;
    refreshModelStatus();
    refreshRuns();
    weightsChanged(); // (the filters too)
    showLastEvaluation();
    if (state.lastInput) classify(state.lastInput).catch(showError);
  }
}

/** Best test epoch and the train/test gap, under the epoch chart. */
function showOverfitting() {
  const o = charts.overfitting;
  const el = $("overfit-summary");
  if (!o) {
    el.textContent = "";
    return;
  }
  const gap = o.gap == null ? "" : ` Last epoch: train ${fmtPct(o.lastTrain)}, test ${fmtPct(o.lastTest)}, a gap of ${(o.gap * 100).toFixed(1)} points${o.gap > 0.05 ? " (overfitting: try augmentation, weight decay or early stopping)" : ""}.`;
  el.textContent = `Best test accuracy ${fmtPct(o.bestTest)} at epoch ${o.bestEpoch}.${gap}`;
  el.dataset.bestEpoch = String(o.bestEpoch);
}

$("train").onclick = async () => {
  clearError();
  let config;
  try {
    config = readConfig();
  } catch (e) {
    showError(e);
    return;
  }
  charts.reset();
  showOverfitting();
  $("test-accuracy").textContent = "–";
  const run = { name: runName(config), dataset: datasetInfo(), backend: $("backend-status").dataset.backend };
  await runTraining(() => worker.request("train", { config, fromCurrent: $("from-current").checked, run }));
};

function datasetInfo() {
  return state.dataset ? { train_images: state.dataset.train_images, test_images: state.dataset.test_images } : null;
}

/** Continue a saved run from its next epoch; a finished run trains `Epochs` more. */
async function continueRun(id) {
  clearError();
  if (state.training) return showError(new Error("A run is training; stop it first."));
  if (!state.dataset) return showError(new Error("Load the dataset (section 1) first, then continue the run."));
  const saved = await getRun(id);
  if (!saved) return showError(new Error("This saved run is gone (deleted in another tab?)."));
  let epochs = saved.epochs_total;
  if (saved.epochs_done >= saved.epochs_total) {
    const more = Number.parseInt($("epochs").value, 10);
    if (!(more >= 1)) return showError(new Error("Set Epochs to how many more epochs to train."));
    epochs = saved.epochs_done + more;
  }
  state.interrupted = null;
  updateResumeBanner();
  charts.restore(saved.steps ?? [], saved.history ?? []);
  showOverfitting();
  const last = saved.history?.at(-1);
  $("test-accuracy").textContent = last?.test ? `${(last.test.accuracy * 100).toFixed(2)}%` : "–";
  $("epoch-text").textContent = `${saved.epochs_done + 1} / ${epochs}`;
  state.currentRun = id;
  await runTraining(() =>
    worker.request("resume-run", { runId: id, epochs, backend: $("backend-status").dataset.backend }),
  );
}

// ---- saved runs -------------------------------------------------------------------------
const fmtDate = (t) => new Date(t).toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
const fmtPct = (a) => (a == null ? "–" : `${(a * 100).toFixed(2)}%`);

let runsTicket = 0;
async function refreshRuns() {
  const ticket = ++runsTicket;
  let runs;
  try {
    runs = await listRuns();
  } catch (e) {
    $("saved-runs-empty").textContent = `Saved runs are unavailable: ${e.message}`;
    return { runs: [], alive: new Set() };
  }
  const alive = await liveRuns();
  if (ticket !== runsTicket) return { runs, alive }; // a newer refresh is on its way: draw only that one
  const rows = runs.map((run) => {
    const tr = document.createElement("tr");
    tr.dataset.runId = run.id;
    const live = alive.has(run.id);
    const interrupted = run.status === "running" && !live;
    const status = live ? "training" : interrupted ? "interrupted" : run.status;
    const cells = [run.name, `${run.epochs_done} / ${run.epochs_total}`, fmtPct(run.test_accuracy), status, fmtDate(run.updated)];
    for (const text of cells) tr.append(Object.assign(document.createElement("td"), { textContent: text }));
    const actions = document.createElement("td");
    const button = (label, action, onclick, title = "") => {
      const b = Object.assign(document.createElement("button"), { type: "button", textContent: label, title });
      b.dataset.action = action;
      b.disabled = state.training || live;
      b.onclick = onclick;
      actions.append(b, " ");
    };
    const more = run.epochs_done >= run.epochs_total;
    button(more ? "Train more" : "Continue", "continue", () => continueRun(run.id),
      more ? "Train this run for another Epochs epochs" : "Continue from the next epoch with the saved optimiser state");
    button("Open", "open", () => openRun(run.id), "Use these weights to classify");
    button("Delete", "delete", () => removeRun(run.id));
    tr.append(actions);
    return tr;
  });
  $("saved-runs").querySelector("tbody").replaceChildren(...rows);
  $("saved-runs-empty").hidden = runs.length > 0;
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  if (estimate?.quota) {
    $("storage-usage").textContent = `Using ${(estimate.usage / 1e6).toFixed(1)} MB of the ${(estimate.quota / 1e6).toFixed(0)} MB this browser allows the site.`;
  }
  // A run drawn as training (in another tab, this tab, or a worker of this tab's previous page
  // that has not quite gone yet): look again once its lock is released, so the list never
  // keeps saying "training" for a run that stopped.
  for (const r of runs) if (alive.has(r.id)) watchRun(r.id);
  return { runs, alive };
}

const watchedRuns = new Set();
function watchRun(id) {
  if (watchedRuns.has(id) || !navigator.locks) return;
  watchedRuns.add(id);
  navigator.locks.request(`kiln-run:${id}`, () => {}).then(() => {
    watchedRuns.delete(id);
    offerResume();
  });
}

/** Ids of the runs training now, in this tab or another (their workers hold a Web Lock). */
async function liveRuns() {
  const locks = await navigator.locks?.query?.().catch(() => null);
  const names = (locks?.held ?? []).map((l) => l.name).filter((n) => n?.startsWith("kiln-run:"));
  return new Set(names.map((n) => n.slice("kiln-run:".length)));
}

async function openRun(id) {
  clearError();
  try {
    await worker.request("load-saved", { runId: id });
    weightsChanged();
    await refreshModelStatus();
    if (state.lastInput) await classify(state.lastInput);
  } catch (e) {
    showError(e);
  }
}

async function removeRun(id) {
  clearError();
  try {
    await deleteRun(id);
    if (state.interrupted?.id === id) {
      state.interrupted = null;
      updateResumeBanner();
    }
  } catch (e) {
    showError(e);
  }
  refreshRuns();
}

/** Offer to resume the latest run that was training when the page went away. */
async function offerResume() {
  // The same snapshot of live runs as the list drew, so the banner and the list agree.
  const { runs, alive } = await refreshRuns();
  state.interrupted =
    runs.find((r) => r.status === "running" && r.epochs_done < r.epochs_total && !alive.has(r.id)) ?? null;
  updateResumeBanner();
}

function updateResumeBanner() {
  const run = state.interrupted;
  $("resume-banner").hidden = !run;
  if (!run) return;
  const where = state.dataset ? "" : " Load the dataset (section 1), then resume.";
  $("resume-text").textContent =
    `“${run.name}” was interrupted after epoch ${run.epochs_done} of ${run.epochs_total} ` +
    `(test accuracy ${fmtPct(run.test_accuracy)}).${where}`;
  $("resume-run").disabled = !state.dataset || state.training;
}
$("resume-run").onclick = () => state.interrupted && continueRun(state.interrupted.id);
$("resume-dismiss").onclick = () => {
  state.interrupted = null;
  updateResumeBanner();
};

$("pause").onclick = () => {
  state.paused = !state.paused;
  worker.request(state.paused ? "pause" : "resume");
  $("pause").textContent = state.paused ? "Resume" : "Pause";
  setStatus(state.paused ? "paused" : "training");
};
$("stop").onclick = () => {
  worker.request("stop");
  setStatus("stopping");
};

// ---- classification ---------------------------------------------------------------------
const SOURCES = {
  pretrained: "Pretrained weights (shipped with Kiln)",
  trained: "Weights trained in this tab",
  saved: "Weights of a saved run",
  file: "Weights loaded from a file",
};

async function refreshModelStatus() {
  const m = await worker.request("active-model").catch(() => null);
  if (!m) return;
  const el = $("model-status");
  if (m.source === "untrained") el.textContent = "Untrained weights: predictions are guesses until you train.";
  else {
    const acc = m.test_accuracy != null ? `, test accuracy ${(m.test_accuracy * 100).toFixed(1)}%` : "";
    const during = state.training ? " (training: latest weights)" : "";
    el.textContent = `${SOURCES[m.source]}: ${m.epochs} epoch${m.epochs === 1 ? "" : "s"}${acc}${during}.`;
  }
  el.dataset.source = m.source;
}

async function loadWeights(name, buffer, pretrained = false) {
  await worker.request("load-weights", { name, buffer, pretrained }, [buffer]);
  weightsChanged();
  await refreshModelStatus();
  if (state.lastInput) await classify(state.lastInput);
}

async function loadPretrained() {
  try {
    const response = await fetch("models/seed.bpk");
    if (!response.ok) throw new Error(`models/seed.bpk: ${response.status} ${response.statusText}`);
    await loadWeights("models/seed.bpk", await response.arrayBuffer(), true);
  } catch (e) {
    console.warn(`pretrained weights unavailable: ${e.message}`);
    await refreshModelStatus();
  }
}

$("weights-input").onchange = async (e) => {
  const file = e.target.files[0];
  e.target.value = "";
  if (!file) return;
  clearError();
  try {
    await loadWeights(file.name, await file.arrayBuffer());
  } catch (err) {
    showError(err);
  }
};

$("download-weights").onclick = async () => {
  clearError();
  try {
    const bytes = await worker.request("weights-bytes");
    const m = await worker.request("active-model");
    const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
    const a = Object.assign(document.createElement("a"), { href: url, download: `kiln-seed-${m.source}-${m.epochs}ep.bpk` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    showError(e);
  }
};

/** Classify 32×32 RGBA pixels; `name` (a file name, "webcam") is kept on the result list. */
async function classify(rgba, name = state.lastInputName) {
  state.lastInput = rgba;
  state.lastInputName = name;
  const result = await worker.request("classify", { rgba: new Uint8Array(rgba.buffer.slice(0)) });
  const list = $("prediction");
  list.replaceChildren(
    ...result.predictions.slice(0, 5).map((p) => {
      const li = document.createElement("li");
      const pct = (p.probability * 100).toFixed(1);
      li.dataset.probability = String(p.probability);
      li.dataset.class = String(p.class);
      li.title = `Show the saliency map and Grad-CAM for “${p.name}”`;
      li.onclick = () => explain(rgba, p.class);
      li.innerHTML = `<span class="name"></span><span class="bar"><span></span></span><span class="pct">${pct}%</span>`;
      li.querySelector(".name").textContent = p.name;
      li.querySelector(".bar span").style.width = `${Math.max(0.5, p.probability * 100)}%`;
      return li;
    }),
  );
  list.dataset.probabilities = JSON.stringify(result.predictions.map((p) => p.probability));
  const byClass = [];
  for (const p of result.predictions) byClass[p.class] = p.probability;
  list.dataset.byClass = JSON.stringify(byClass);
  list.dataset.image = name ?? "";
  list.dataset.source = result.model.source; // which weights answered
  list.dataset.at = String(performance.now()); // ms since the page started loading
  refreshModelStatus();
  explain(rgba);
}

/** Saliency, Grad-CAM and feature maps for the image just classified (after the bars), while
 * "Inside the network" is open. At most one explanation is computed at a time; images
 * classified meanwhile are skipped but the latest, so a quick series of images never piles up
 * work in front of the next classification. */
const explaining = { busy: false, next: null };
async function explain(rgba, cls = null) {
  explaining.next = { rgba, cls };
  if (!$("inside").open) {
    // No stale maps of an earlier image next to this one.
    for (const id of ["saliency", "gradcam"]) $(id).getContext("2d").clearRect(0, 0, $(id).width, $(id).height);
    $("explain-status").textContent = "Open “Inside the network” to see the maps for this image.";
    return;
  }
  if (explaining.busy) return;
  explaining.busy = true;
  $("explain-status").textContent = "Computing the saliency map and Grad-CAM…";
  try {
    while (explaining.next) {
      const { rgba: input, cls } = explaining.next;
      explaining.next = null;
      try {
        const ex = await worker.request("explain", { rgba: new Uint8Array(input.buffer.slice(0)), cls });
        if (!explaining.next && input === state.lastInput) {
          renderExplanation(ex, $("network-input"));
          for (const li of $("prediction").children) li.classList.toggle("explained", li.dataset.class === String(ex.class));
        }
      } catch (e) {
        if (!explaining.next) $("explain-status").textContent = `No explanation: ${e.message}`;
      }
    }
  } finally {
    explaining.busy = false;
  }
}
$("inside").addEventListener("toggle", () => {
  if ($("inside").open && state.lastInput) explain(state.lastInput);
});

let filtersPending = false;
async function refreshFilters() {
  if (filtersPending) return;
  filtersPending = true;
  try {
    renderFilters(await worker.request("filters"));
  } catch (e) {
    console.warn(`filters: ${e.message}`);
  } finally {
    filtersPending = false;
  }
}

// ---- evaluation -------------------------------------------------------------------------
function updateEvaluateButton() {
  $("evaluate").disabled = state.training || !state.dataset?.test_images;
}

function weightsChanged() {
  clearEvaluation(
    state.dataset?.test_images
      ? "New weights in use: press Evaluate to measure them on the test set."
      : "Load the dataset, then evaluate the weights in use.",
  );
  refreshFilters();
}

function showEvaluation(ev) {
  state.evaluation = ev;
  renderEvaluation(ev, openCell);
}

/** The evaluation training kept, if any. */
async function showLastEvaluation() {
  const ev = await worker.request("last-evaluation").catch(() => null);
  if (ev) showEvaluation(ev);
}

async function openCell(label, predicted) {
  try {
    const cell = await worker.request("confusion-cell", { label, predicted, limit: 48 });
    const count = state.evaluation.confusion[label][predicted];
    renderCell(cell, label, predicted, state.evaluation.class_names, count);
  } catch (e) {
    showError(e);
  }
}

$("evaluate").onclick = async () => {
  clearError();
  $("evaluate").disabled = true;
  $("eval-summary").textContent = `Evaluating on ${state.dataset.test_images.toLocaleString()} test images…`;
  try {
    showEvaluation(await worker.request("evaluate"));
  } catch (e) {
    $("eval-summary").textContent = "Evaluation failed.";
    showError(e);
  } finally {
    updateEvaluateButton();
  }
};

async function classifyFile(blob) {
  clearError();
  try {
    const rgba = await imageFileToInput(blob, $("network-input"));
    await classify(rgba, blob.name || "pasted image");
  } catch (e) {
    showError(e);
  }
}

$("image-input").onchange = (e) => {
  if (e.target.files[0]) classifyFile(e.target.files[0]);
  e.target.value = "";
};
makeDropZone($("image-drop"), async (files) => {
  const file = files[0];
  if (!file.name.toLowerCase().endsWith(".bpk")) return classifyFile(file);
  clearError();
  try {
    await loadWeights(file.name, await file.arrayBuffer());
  } catch (e) {
    showError(e);
  }
});
document.addEventListener("paste", (e) => {
  const item = [...(e.clipboardData?.items || [])].find((i) => i.kind === "file");
  if (item) classifyFile(item.getAsFile());
});

$("webcam").onclick = async () => {
  const video = $("webcam-video");
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
    video.hidden = false;
    $("webcam-capture").hidden = false;
  } catch (e) {
    showError(new Error(`The webcam is not available: ${e.message}`));
  }
};
$("webcam-capture").onclick = async () => {
  const video = $("webcam-video");
  try {
    await classify(toNetworkInput(video, video.videoWidth, video.videoHeight, $("network-input")), "webcam");
  } catch (e) {
    showError(e);
  }
};

// A file chosen before this script ran (a quick user, or a form the browser restored) counts
// as chosen now.
for (const id of ["dataset-input", "image-input"]) {
  if ($(id).files.length) $(id).dispatchEvent(new Event("change"));
}
chooseBackend().then(loadPretrained);
offerResume();

// The run being trained, kept in IndexedDB: after every epoch the worker saves the run
// (weights, optimiser state, settings, history), so that a reload or a crashed tab loses at
// most one epoch. While a run trains, the worker holds a Web Lock named after it
// (`kiln-run:<id>`), so that other tabs (and this page after a reload) can tell a live run from
// an interrupted one.
import { describeStorageError, getCheckpoint, storageErrorParam, saveRun, updateRun } from "../store.js";
import { pageError } from "../words.js";
import { configOf } from "./settings.js";
import { leaveIfLost, runFailedOnGpu, runStarts } from "./lost.js";
import { post } from "./post.js";
import { backendInUse, beginRun, claimRun, endRun, record, runNow, setRunState, stepsSoFar, unclaimRun } from "./session.js";

/** @typedef {import("./engine.js").Engine} Engine */
/** @typedef {import("./engine.js").Checkpoint} Checkpoint */
/** @typedef {import("../protocol.js").Requests} Requests */
/** @typedef {import("../values.js").TrainingEvent} TrainingEvent */
/** @typedef {import("../values.js").TrainingSummary} TrainingSummary */
/** @typedef {import("../store.js").RunRecord} RunRecord */

/** The run being trained: its IndexedDB record (without the checkpoint's bytes and the step
 * reports, which the session holds), and whether it has been saved yet.
 * @typedef {Omit<RunRecord, "steps"> & {saved: boolean}} LiveRun */
/** @type {LiveRun | null} */
let run = null;
/** The weights of the run's last finished epoch (a burnpack file), for leaving a lost GPU.
 * @type {Uint8Array | null} */
let lastEpochWeights = null;
/** A stop that arrived while the run was still being set up: the engine did not see it. */
let stopAsked = false;

/** @param {import("../protocol.js").RunInfo} info
 * @returns {LiveRun} */
function newRun({ name, dataset }) {
  const now = Date.now();
  return {
    id: `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    name,
    created: now,
    updated: now,
    status: "running",
    dataset,
    backend: backendInUse(),
    epochs_done: 0,
    saved: false,
  };
}

/** @param {TrainingEvent} event */
function onEvent(event) {
  record(event);
  // The engine could not capture the epoch's checkpoint: to the page, that is the autosave
  // failing, said once, as a failed write is.
  if (event.type === "checkpoint_failed") return postAutosaveFailed((run?.epochs_done ?? 0) + 1, event.message, event.message);
  post({ type: "progress", event });
}

/** Tell the page that the save after `epoch` failed, and why; training goes on.
 * @param {number} epoch @param {string} english @param {ReturnType<typeof storageErrorParam>} why */
function postAutosaveFailed(epoch, english, why) {
  post({
    type: "autosave",
    ok: false,
    message: `Autosave after epoch ${epoch} failed: ${english}. Training goes on.`,
    code: "autosave_failed",
    params: { epoch, why },
  });
}

/** @param {Checkpoint} checkpoint */
async function onCheckpoint(checkpoint) {
  if (!run) return;
  lastEpochWeights = checkpoint.weights;
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
    await saveRun({ ...record, steps: Float32Array.from(stepsSoFar()) }, checkpoint);
    run.saved = true;
    post({ type: "autosave", ok: true, run: { id: run.id, epochs_done: run.epochs_done } });
  } catch (err) {
    postAutosaveFailed(checkpoint.epochs_done ?? 0, describeStorageError(err), storageErrorParam(err));
  }
}

/** Take the run's Web Lock now, without waiting. Resolves to the function that releases it,
 * or to null when a worker (of this tab or another) holds it: that run is training.
 * @param {string} id
 * @returns {Promise<(() => void) | null>} */
function takeLock(id) {
  const locks = navigator.locks;
  if (!locks) return Promise.resolve(() => {});
  return new Promise((resolve, reject) => {
    locks
      .request(`kiln-run:${id}`, { ifAvailable: true }, (lock) =>
        lock ? new Promise((release) => resolve(() => release(undefined))) : resolve(null))
      .catch(reject);
  });
}

/** Wait for the run to end and record how it ended, then release its Web Lock.
 * @param {Promise<TrainingSummary>} training
 * @param {() => void} release
 * @returns {Promise<TrainingSummary>} */
async function finishRun(training, release) {
  runStarts();
  try {
    const summary = await training;
    await markRun(summary.cancelled || summary.epochs < (run?.epochs_total ?? 0) ? "stopped" : "finished");
    return summary;
  } catch (err) {
    runFailedOnGpu(lastEpochWeights, run?.epochs_done ?? 0);
    await markRun("stopped");
    // Where the GPU was lost, the page is told that, not the device's own error (in the console).
    const lost = await leaveIfLost();
    if (!lost) throw err;
    console.error("Kiln: training failed on the lost GPU:", err);
    throw Object.assign(new Error(lost.message), { code: lost.code, params: lost.params });
  } finally {
    lastEpochWeights = null;
    release();
  }
}

/** @param {"stopped" | "finished"} status */
async function markRun(status) {
  const current = run;
  run = null;
  if (current?.saved) await updateRun(current.id, { status, updated: Date.now() }).catch(() => {});
  endRun();
}

/** Stop the run: now, or as soon as the engine trains when it is still being set up.
 * @param {Engine} engine */
export function stopRun(engine) {
  if (!runNow()) stopAsked = true; // still being set up: the engine does not train yet
  engine.stop();
  setRunState("stopping");
}

/** Pause or resume the run in progress. @param {Engine} engine @param {boolean} pause */
export function pauseRun(engine, pause) {
  if (runNow()?.state === "stopping") return; // the engine's pause or resume would undo the stop
  if (pause) engine.pause();
  else engine.resume();
  setRunState(pause ? "paused" : "training");
}

/** Start the engine's training through `start`, passing on a stop that arrived during setup.
 * @param {Engine} engine @param {() => Promise<TrainingSummary>} start */
function startTraining(engine, start) {
  const training = start(); // the engine counts as training from here
  if (stopAsked) engine.stop();
  return training;
}

/** Take the run's place for this request, or refuse it: a run is in progress or being set up.
 * The place is the request's until its run begins, or until `unclaimRun` where it fails first.
 * @param {Engine} engine */
function claim(engine) {
  if (engine.isTraining() || !claimRun()) throw pageError("busy_training", { what: "train" });
  stopAsked = false;
}

/** The request that claimed the run's place failed before its run began: give the place back,
 * and leave a GPU lost meanwhile, which waited for this run. */
function setupFailed() {
  unclaimRun();
  leaveIfLost();
}

/** Train a new run, saved after every epoch.
 * @param {Engine} engine
 * @param {Requests["train"]} request */
export async function trainNew(engine, { form, from_current, run: info }) {
  claim(engine);
  let config;
  let release;
  const live = newRun(info);
  try {
    config = await configOf(form); // refused: no run began, the page keeps what it shows
    release = (await takeLock(live.id)) ?? (() => {}); // a new id: nobody else holds it
  } catch (err) {
    setupFailed();
    throw err;
  }
  beginRun({ id: live.id, name: live.name, epochs: config.epochs });
  run = live; // before the first event
  return finishRun(startTraining(engine, () => engine.train(config, onEvent, !!from_current, onCheckpoint)), release);
}

/** Continue a saved run from its next epoch; refused while another tab trains it.
 * @param {Engine} engine
 * @param {Requests["resume_run"]} request */
export async function trainSaved(engine, { run_id, epochs }) {
  claim(engine);
  let release;
  let saved;
  let checkpoint;
  try {
    release = await takeLock(run_id);
    if (!release) throw pageError("run_busy");
    ({ run: saved, checkpoint } = await getCheckpoint(run_id));
  } catch (err) {
    release?.();
    setupFailed();
    throw err;
  }
  const { steps, ...record } = saved;
  beginRun({ id: saved.id, name: saved.name, epochs: epochs ?? saved.epochs_total ?? 0 },
    { epochs: saved.history ?? [], steps: steps ?? [] });
  run = { ...record, status: "running", backend: backendInUse(), saved: true };
  lastEpochWeights = checkpoint.weights;
  return finishRun(startTraining(engine, () => engine.resumeRun(checkpoint, epochs ?? undefined, onEvent, onCheckpoint)), release);
}

/** Use a saved run's weights: with early stopping its best epoch's, not necessarily its last.
 * @param {Engine} engine
 * @param {Requests["load_saved"]} request */
export async function loadSaved(engine, { run_id }) {
  const { run: saved, checkpoint } = await getCheckpoint(run_id);
  return engine.loadWeights(saved.name, checkpoint.best_weights ?? checkpoint.weights, "saved");
}

// Saved runs, in this browser's IndexedDB (through `idb`). The worker writes a checkpoint after
// every epoch; the page lists, opens and deletes runs. Two stores, so that listing runs never
// reads their weights:
//   runs:        {id, name, created, updated, status, config, history, steps, epochs_done,
//                 epochs_total, test_accuracy, dataset, backend}
//   checkpoints: id → {weights: Uint8Array, optimizer: Uint8Array, best_weights?: Uint8Array,
//                average?: Uint8Array, schedule?: Uint8Array}
//                (best_weights: with early stopping, the best epoch's when it is not the last;
//                average: with lookahead, the averaged weights; schedule: the learning-rate
//                scheduler's state)
import { openDB } from "./vendor/idb.js";

/** A saved run's record in the `runs` store.
 * @typedef {object} RunRecord
 * @property {string} id
 * @property {string} name
 * @property {number} created
 * @property {number} updated
 * @property {"running" | "stopped" | "finished"} status
 * @property {import("./protocol.js").RunInfo["dataset"]} dataset
 * @property {string | undefined} backend
 * @property {Float32Array | number[]} steps flat [x, loss, accuracy, …] of the step reports
 * @property {number} epochs_done
 * @property {number} [epochs_total]
 * @property {number | null} [test_accuracy]
 * @property {import("./values.js").TrainingConfig} [config]
 * @property {import("./values.js").EpochRecord[]} [history]
 */
/** @typedef {import("./worker/engine.js").Checkpoint} Checkpoint */

const DB_NAME = "kiln";

/** @type {Promise<import("./vendor/idb.js").IDBPDatabase> | null} */
let dbPromise = null;
function db() {
  dbPromise ??= openDB(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore("runs", { keyPath: "id" });
      database.createObjectStore("checkpoints");
    },
  });
  return dbPromise;
}

/** A message for a failed write that says what happened and what to do.
 * @param {any} err */
export function describeStorageError(err) {
  const name = err?.name || "";
  if (name === "QuotaExceededError" || /quota/i.test(err?.message || "")) {
    return "the browser's storage for this site is full (QuotaExceededError). Delete saved runs below to make room";
  }
  if (name === "InvalidStateError" || name === "UnknownError") {
    return `the browser refused to store data (${name}${err.message ? `: ${err.message}` : ""}); private windows may not allow it`;
  }
  return err?.message || String(err);
}

/** The same, for the page to word in its language: a catalog key and its parameters (the
 * browser's own words as they are), or the browser's message where Kiln has no words for it.
 * @param {any} err
 * @returns {string | {key: string, params?: Record<string, string>}} */
export function storageErrorParam(err) {
  const name = err?.name || "";
  if (name === "QuotaExceededError" || /quota/i.test(err?.message || "")) return { key: "storage.full" };
  if (name === "InvalidStateError" || name === "UnknownError") {
    return { key: "storage.refused", params: { name: `${name}${err.message ? `: ${err.message}` : ""}` } };
  }
  return err?.message || String(err);
}

/** Store a run's metadata and its latest checkpoint in one transaction: both or neither. When
 * any part fails (a full quota, say), the transaction is aborted, so what was written before
 * the failure is undone and the previous save stays as it was.
 * @param {RunRecord} run
 * @param {Checkpoint} checkpoint */
export async function saveRun(run, checkpoint) {
  const database = await db();
  const tx = database.transaction(["runs", "checkpoints"], "readwrite");
  const done = tx.done;
  try {
    await Promise.all([
      tx.objectStore("runs").put(run),
      tx.objectStore("checkpoints").put(
        {
          weights: checkpoint.weights,
          optimizer: checkpoint.optimizer,
          best_weights: checkpoint.best_weights,
          average: checkpoint.average,
          schedule: checkpoint.schedule,
        },
        run.id,
      ),
    ]);
  } catch (err) {
    try {
      tx.abort();
    } catch {} // already ended: the browser aborted it itself
    done.catch(() => {}); // the abort rejects it: the error above is the one to report
    throw err;
  }
  await done;
}

/** @param {string} id
 * @param {Partial<RunRecord>} changes */
export async function updateRun(id, changes) {
  const database = await db();
  const tx = database.transaction("runs", "readwrite");
  const run = await tx.store.get(id);
  if (run) await tx.store.put({ ...run, ...changes });
  await tx.done;
}

/** Every saved run, the most recently updated first.
 * @returns {Promise<RunRecord[]>} */
export async function listRuns() {
  const runs = await (await db()).getAll("runs");
  return runs.sort((a, b) => b.updated - a.updated);
}

/** @param {string} id
 * @returns {Promise<RunRecord | undefined>} */
export async function getRun(id) {
  return (await db()).get("runs", id);
}

/** The run and its checkpoint, as `Engine.resumeRun` takes it.
 * @param {string} id
 * @returns {Promise<{run: RunRecord, checkpoint: Checkpoint}>} */
export async function getCheckpoint(id) {
  const database = await db();
  const [run, blobs] = await Promise.all([database.get("runs", id), database.get("checkpoints", id)]);
  if (!run || !blobs) throw Object.assign(new Error("this saved run is gone (deleted in another tab?)"), { code: "run_gone", params: {} });
  const { weights, optimizer, best_weights, average, schedule } = blobs;
  const checkpoint = { config: run.config, history: run.history, weights, optimizer, best_weights, average, schedule };
  return { run, checkpoint };
}

/** @param {string} id */
export async function deleteRun(id) {
  const database = await db();
  const tx = database.transaction(["runs", "checkpoints"], "readwrite");
  await Promise.all([tx.objectStore("runs").delete(id), tx.objectStore("checkpoints").delete(id), tx.done]);
}

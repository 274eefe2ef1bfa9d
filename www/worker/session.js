// The page's session, owned here: the device in use, the run in progress and its state, and the
// history the charts draw (the epochs, the best of them as the engine names it, the step
// reports). Whatever changes it sends the whole session to the page (`session`), which renders
// it and keeps no state of its own; step reports go as they come (`progress`), each one the
// history's next point.
import { post } from "./post.js";

/** @typedef {import("../protocol.js").Session} Session */
/** @typedef {import("../protocol.js").RunState} RunState */
/** @typedef {import("../values.js").TrainingEvent} TrainingEvent */
/** @typedef {import("../values.js").EpochRecord} EpochRecord */
/** @typedef {import("../values.js").DeviceInfo} DeviceInfo */

/** @type {{device: DeviceInfo | null, run: RunState | null, epochs: EpochRecord[] | null,
 *   best: import("../values.js").Best | null, steps: number[]}} `epochs` null until the first
 *   run: a fresh worker (after a crash) leaves the last one drawn */
const session = { device: null, run: null, epochs: null, best: null, steps: [] };

/** Send the session; with the step reports when the history was replaced.
 * @param {boolean} [withSteps] */
function send(withSteps = false) {
  const { device, run, epochs, best } = session;
  const history = epochs && { epochs, best, ...(withSteps ? { steps: session.steps } : {}) };
  post({ type: "session", session: { device, run, history } });
}

/** The device in use now; null while it changes (a lost GPU left, the page choosing again).
 * @param {DeviceInfo | null} device */
export function setDevice(device) {
  session.device = device;
  send();
}

/** The device in use, as the run's record names it. */
export const backendInUse = () => session.device?.backend;

/** A run's request has been taken and the run is being set up (its settings read, its lock
 * taken, its checkpoint read): no second run and no device change until it begins or fails. */
let claimed = false;

/** Take the run's place for a request being set up; false when a run has it already. */
export function claimRun() {
  if (claimed || session.run) return false;
  claimed = true;
  return true;
}

/** The request that claimed the run's place failed before its run began. */
export function unclaimRun() {
  claimed = false;
}

/** Whether a run is being set up or is in progress. */
export const runBusy = () => claimed || session.run !== null;

/** A run starts: `history` is a saved run's so far, or empty for a new one.
 * @param {{id: string, name: string, epochs: number}} run
 * @param {{epochs: EpochRecord[], steps: ArrayLike<number>}} [history] */
export function beginRun({ id, name, epochs }, history = { epochs: [], steps: [] }) {
  claimed = false; // the run holds the place now
  session.run = { id, name, state: "starting", epochs, epochs_done: history.epochs.length };
  session.epochs = [...history.epochs];
  session.best = null; // the engine's `started` names a saved run's
  session.steps = Array.from(history.steps);
  send(true);
}

/** The run in progress, or null. */
export const runNow = () => session.run;

/** The run's state, when there is a run and it is not already stopping.
 * @param {RunState["state"]} state */
export function setRunState(state) {
  const run = session.run;
  if (!run || run.state === state || run.state === "stopping") return;
  run.state = state;
  send();
}

/** The run has ended: nothing is in progress; its history stays drawn. */
export function endRun() {
  if (!session.run) return;
  session.run = null;
  send();
}

/** The step reports so far, flat [x, loss, accuracy, …], for the run's saved record. */
export const stepsSoFar = () => session.steps;

/** Follow the run's history in the engine's reports.
 * @param {TrainingEvent} event */
export function record(event) {
  const run = session.run;
  if (event.type === "step") {
    session.steps.push(event.position, event.loss, event.accuracy);
  } else if (event.type === "started") {
    session.best = event.best;
    if (run) run.epochs = event.epochs;
    if (run?.state === "starting") run.state = "training";
    send();
  } else if (event.type === "epoch_finished") {
    session.epochs?.push({ epoch: event.epoch, train: event.train, test: event.test });
    session.best = event.best;
    if (run) run.epochs_done = event.epoch + 1;
    send();
  }
}

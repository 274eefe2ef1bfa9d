// A lost GPU. The WebGPU build asks the browser for its GPUDevice through
// GPUAdapter.requestDevice; the worker watches every device it gets. When the one in use is lost
// (a driver reset, a GPU unplugged or reclaimed by the browser, destroy()), the engine moves to
// the CPU path (builds.js `leaveGpu`): the dataset comes along (it is in host memory), with the
// weights of the last finished epoch where a run was training, since the GPU's copy cannot be
// read any more. A run in progress fails at its next read; the loss and that failure reach the
// worker in either order, so whichever comes second moves the engine, and the page is told
// (`device_lost`) once it has moved.
import { current, leaveGpu } from "./builds.js";
import { post } from "./post.js";
import { runBusy, setDevice } from "./session.js";

/** The loss, once one happened, in the browser's words.
 * @type {string | null} */
let lostBecause = null;
/** The weights a run that failed on the GPU left in use (its last finished epoch's, a burnpack
 * file), and how many epochs it had finished; null when no run failed there.
 * @type {{bytes: Uint8Array | null, epochs: number} | null} */
let failedRun = null;

/** Watch every GPUDevice the engine gets from now on. */
export function watchGpuDevices() {
  const Adapter = /** @type {any} */ (self).GPUAdapter;
  const request = Adapter?.prototype?.requestDevice;
  if (!request) return;
  Adapter.prototype.requestDevice = async function (/** @type {unknown[]} */ ...args) {
    const device = await request.apply(this, args);
    device.lost.then((/** @type {{reason?: string, message?: string}} */ info) => {
      if (current.kind !== "gpu") return; // a device the engine no longer uses
      lostBecause = (info.message || info.reason || "no reason given").replace(/\.$/, "");
      leaveIfLost();
    });
    return device;
  };
}

/** A run ended with an error on the GPU (perhaps because it was lost, perhaps not yet known):
 * `bytes` are the weights of its last finished epoch, or null when it finished none.
 * @param {Uint8Array | null} bytes @param {number} epochs */
export function runFailedOnGpu(bytes, epochs) {
  failedRun = current.kind === "gpu" ? { bytes, epochs } : null;
}

/** A new run starts: what an earlier one left in use is no longer in use. */
export function runStarts() {
  failedRun = null;
}

/** Leave the GPU when it is lost and no run is in progress (a run in progress fails first, and
 * calls this again). Resolves to what the page shows (a coded error's message, code and params),
 * or null when nothing was left. */
export async function leaveIfLost() {
  if (!lostBecause || current.kind !== "gpu" || runBusy()) return null;
  const run = failedRun;
  failedRun = null;
  try {
    await leaveGpu(run?.bytes ?? null);
  } catch (e) {
    console.error("Kiln: could not leave the lost GPU", e);
  }
  setDevice(null); // on the CPU path now; the page chooses it again, which describes it
  // A code and its parameters for the page to word; the English message for the console.
  const reason = lostBecause;
  const kept = run?.epochs ?? 0;
  const code = !run ? "gpu_lost" : kept ? "gpu_lost_run" : "gpu_lost_run_before";
  const params = { reason, kept };
  const keptText = !run
    ? "Kiln moved to the CPU; the weights in use are loaded again."
    : `${kept ? `The weights of the last finished epoch (${kept}) are kept` : "The weights in use before the run are kept"}, and Kiln moved to the CPU: continue the run from the saved runs.`;
  const message = `${run ? "Training stopped: the" : "The"} GPU was lost (${reason}). ${keptText}`;
  post({ type: "device_lost", message, code, params, reload: !run });
  return { message, code, params };
}

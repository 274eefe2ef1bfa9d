// A lost GPU. The WebGPU build asks the browser for its GPUDevice through
// GPUAdapter.requestDevice; the worker watches every device it gets. When one is lost (a driver
// reset, a GPU unplugged or reclaimed by the browser, destroy()), the engine moves to the CPU
// path (builds.js `leaveGpu`): the dataset comes along (it is in host memory), and the weights
// of the last finished epoch where a run was training, since the GPU's copy cannot be read any
// more. The run itself fails, with a message that says so (runs.js).
import { current, leaveGpu } from "./builds.js";
import { post } from "./post.js";

/** The loss, once one happened, in the browser's words.
 * @type {string | null} */
let lostBecause = null;

/** Why the GPU was lost, or null while it is not. */
export const gpuLost = () => lostBecause;

/** Watch every GPUDevice the engine gets from now on. */
export function watchGpuDevices() {
  const Adapter = /** @type {any} */ (self).GPUAdapter;
  const request = Adapter?.prototype?.requestDevice;
  if (!request) return;
  Adapter.prototype.requestDevice = async function (/** @type {unknown[]} */ ...args) {
    const device = await request.apply(this, args);
    device.lost.then((/** @type {{reason?: string, message?: string}} */ info) => onLost(info));
    return device;
  };
}

/** @param {{reason?: string, message?: string}} info */
function onLost(info) {
  if (current.kind !== "gpu") return; // a device the engine no longer uses
  lostBecause = (info.message || info.reason || "no reason given").replace(/\.$/, "");
  post({ type: "device_lost", message: `the GPU was lost (${lostBecause})` });
  // Idle, the engine moves now; a run in progress fails first, and moves it with its weights.
  if (!current.engine?.isTraining()) leaveGpu(null).catch((e) => console.error("Kiln: could not leave the lost GPU", e));
}

// The page's sentences for the codes the engine sends, in one place: a translation of the page
// replaces these. Device reasons come from crate/src/device (`CpuReason`, `GpuReason`).

/** @typedef {import("./values.js").DeviceReason} DeviceReason */
/** @typedef {import("./values.js").DeviceInfo} DeviceInfo */

/** @param {number} speed images per second */
const imgs = (speed) => speed.toFixed(0);

/** Why the device in use was chosen, one sentence per reason code ("" where there is nothing to
 * add). A CPU reason completes "using the CPU because …".
 * @type {{[C in DeviceReason["code"]]: (reason: Extract<DeviceReason, {code: C}>) => string}} */
export const DEVICE_REASONS = {
  chosen: () => "",
  no_webgpu_in_browser: () => "this browser does not expose WebGPU (navigator.gpu is missing)",
  no_adapter: () => "this browser offers no WebGPU adapter",
  software_adapter: ({ adapter }) => `WebGPU here runs in software (${adapter || "a fallback adapter"}), slower than the CPU path`,
  webgpu_failed: ({ message }) => message,
  build_not_loaded: ({ message }) => `the WebGPU build of Kiln did not load (${message})`,
  cpu_faster: ({ speeds }) => `the CPU trains faster here (${imgs(speeds.cpu)} img/s, WebGPU ${imgs(speeds.webgpu)} img/s)`,
  faster: ({ speeds }) => `faster than the CPU here (${imgs(speeds.webgpu)} vs ${imgs(speeds.cpu)} img/s)`,
  cpu_not_timed: () => "kept without a comparison: the CPU path could not be timed",
};

/** The device status line: "CPU: … — using the CPU because …", "WebGPU: … — faster than …".
 * @param {DeviceInfo} info */
export function describeDevice(info) {
  const text = `${info.backend === "webgpu" ? "WebGPU" : "CPU"}: ${info.adapter}`;
  const word = /** @type {(reason: DeviceReason) => string} */ (DEVICE_REASONS[info.reason.code]);
  const why = word(info.reason);
  if (!why) return text;
  return info.backend === "cpu" ? `${text} — using the CPU because ${why}` : `${text} — ${why}`;
}

/** What a tab hears when it tries to train a run that another tab is training (the run's Web
 * Lock is held); the worker says the same when the page's own check came too late. */
export const RUN_BUSY = "This run is being trained in another tab: stop it there, or wait until it ends.";

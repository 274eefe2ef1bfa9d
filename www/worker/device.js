// Choosing the device in the worker: which build computes, on which device, and why. Branch
// `web` replaces this with `decideDevice` (see CONTRACT.md); the rest of the worker only calls
// `initDevice`.
import { build, cpu, cpuBuild, engineInUse, forget, use } from "./builds.js";

/** @typedef {import("../protocol.js").DeviceInfo} DeviceInfo */
/** @typedef {import("../protocol.js").Speeds} Speeds */
/** @typedef {import("../protocol.js").Requests["init_device"]} InitDevice */

/** WebGPU as far as the worker needs it (TypeScript's DOM library does not declare it).
 * @typedef {{info?: {vendor?: string, architecture?: string, description?: string,
 *   isFallbackAdapter?: boolean}}} GpuAdapter */
const gpu = /** @type {{requestAdapter(): Promise<GpuAdapter | null>} | undefined} */ (
  /** @type {any} */ (navigator).gpu
);

// The WebGPU adapter, asked for once.
const adapterPromise = gpu ? gpu.requestAdapter().catch(() => null) : Promise.resolve(null);
// Software renderers behind WebGPU: far slower than the CPU path, so Auto does not time them.
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|basic render/i;
async function adapterInfo() {
  const adapter = await adapterPromise;
  const details = adapter?.info ? [adapter.info.vendor, adapter.info.architecture, adapter.info.description] : [];
  const described = details.filter(Boolean).join(" · ");
  const software = !!adapter && (!!adapter.info?.isFallbackAdapter || SOFTWARE_ADAPTER.test(described));
  return { adapter, described, software };
}

/** The CPU, in the CPU path's build; `reason` says why when the CPU was not the choice, and
 * `speeds` what Auto measured.
 * @param {string | null | undefined} reason
 * @param {Speeds | null} [speeds]
 * @returns {Promise<DeviceInfo>} */
async function useCpu(reason, speeds = null) {
  const { kind } = await cpuBuild();
  await use(kind);
  const info = await (await engineInUse()).initDevice("cpu");
  if (reason) info.fallback_reason = reason;
  if (speeds) info.speeds = speeds;
  return info;
}

/** The CPU path's training speed (img/s) in its own build, the multi-threaded one where it
 * runs: what Auto weighs WebGPU against. Null where it cannot be timed (WebGPU is then kept). */
async function cpuPathSpeed() {
  try {
    return await (await cpuBuild()).engine.cpuSpeed();
  } catch (err) {
    console.warn(`Kiln: could not time the CPU path (${err?.message ?? err})`);
    return null;
  }
}

/** @param {InitDevice} request
 * @returns {Promise<DeviceInfo>} */
async function choose({ backend }) {
  if ((await engineInUse()).isTraining()) throw new Error("cannot change the device while training; stop first");
  const { adapter, described, software } = await adapterInfo();
  if (backend === "cpu") return useCpu(null);
  if (backend === "auto" && software) {
    return useCpu(`WebGPU here runs in software (${described || "a fallback adapter"}), slower than the CPU path`);
  }
  // Without WebGPU in this browser, the WebGPU build is not worth its download.
  if (!gpu) return useCpu("this browser does not expose WebGPU (navigator.gpu is missing)");
  // WebGPU lives in its own build. Auto with a hardware adapter: a few training steps are
  // timed on the CPU path (in its build: threads count) and on WebGPU, and the faster is kept.
  let gpuEngine;
  try {
    gpuEngine = await build("gpu");
  } catch (err) {
    forget("gpu"); // a later choice of WebGPU tries again (say, after a network error)
    return useCpu(`the WebGPU build of Kiln did not load (${err?.message ?? err})`);
  }
  const cpuSpeed = backend === "auto" ? await cpuPathSpeed() : null;
  const info = await gpuEngine.initDevice(backend, cpuSpeed ?? undefined);
  if (info.backend === "cpu") return useCpu(info.fallback_reason, info.speeds);
  await use("gpu");
  if (adapter && described) info.adapter = described; // as the browser reports it
  return info;
}

/** Say how many threads the CPU path uses (each build knows only itself).
 * @param {DeviceInfo} info */
function withThreads(info) {
  info.threads = info.backend === "cpu" ? cpu.threads : null;
  if (info.backend === "cpu") {
    const threads = cpu.threads > 1 ? `${cpu.threads} threads` : `one thread${cpu.note ? `: ${cpu.note}` : ""}`;
    info.adapter = info.adapter.endsWith(")") ? `${info.adapter.slice(0, -1)}, ${threads})` : `${info.adapter}, ${threads}`;
  }
  return info;
}

// Device changes run one at a time, in the order asked: a slow WebGPU start must not finish
// after (and overrule) a later choice of the CPU.
/** @type {Promise<unknown>} */
let queue = Promise.resolve();

/** Start the device the page asks for (`auto`, `webgpu` or `cpu`), in the build that has it.
 * @param {InitDevice} request
 * @returns {Promise<DeviceInfo>} */
export function initDevice(request) {
  const next = queue.then(() => choose(request)).then(withThreads);
  queue = next.catch(() => {});
  return next;
}

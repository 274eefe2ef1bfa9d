// Choosing the device in the worker. The worker gathers what it knows (navigator.gpu, the
// adapter), asks the engine's `decideDevice` (crate/src/device: the one place the rules are
// written), times both devices when told `measure`, and starts the device decided in the build
// that has it (worker/builds.js). Where WebGPU fails, it asks again with the failure.
import { build, buildsNeeded, cpu, cpuBuild, decideDevice, engineInUse, forget, use } from "./builds.js";
import { pageError } from "../words.js";
import { runBusy, setDevice } from "./session.js";

/** @typedef {import("../values.js").DeviceInfo} DeviceInfo */
/** @typedef {import("../values.js").Known} Known */
/** @typedef {import("../values.js").Decision} Decision */
/** @typedef {import("../protocol.js").Requests["init_device"]} InitDevice */
/** @typedef {import("../values.js").EngineDeviceInfo} EngineDeviceInfo */

/** WebGPU as far as the worker needs it (TypeScript's DOM library does not declare it).
 * @typedef {{info?: {vendor?: string, architecture?: string, description?: string,
 *   isFallbackAdapter?: boolean}, features?: {has(name: string): boolean}}} GpuAdapter */
const gpu = /** @type {{requestAdapter(): Promise<GpuAdapter | null>} | undefined} */ (
  /** @type {any} */ (navigator).gpu
);

// The WebGPU adapter, asked for once.
const adapterPromise = gpu ? gpu.requestAdapter().catch(() => null) : Promise.resolve(null);
// Software renderers behind WebGPU, where the browser does not flag them as a fallback adapter.
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|basic render/i;

/** What is known before anything is tried: the menu's choice, navigator.gpu and the adapter.
 * @param {InitDevice["backend"]} preference
 * @returns {Promise<Known>} */
async function facts(preference) {
  const adapter = await adapterPromise;
  const info = adapter?.info;
  const description = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(" · ");
  return {
    preference,
    webgpu_exposed: !!gpu,
    adapter: adapter && {
      description,
      software: !!info?.isFallbackAdapter || SOFTWARE_ADAPTER.test(description),
      timestamp_query: !!adapter.features?.has("timestamp-query"),
    },
    speeds: null,
    failure: null,
  };
}

/** @param {unknown} err */
const message = (err) => /** @type {any} */ (err)?.message ?? String(err);

/** The WebGPU build's engine with WebGPU started, or null with the failure recorded in `known`.
 * @param {Known} known
 * @returns {Promise<{engine: import("./engine.js").Engine, info: EngineDeviceInfo} | null>} */
async function startedWebGpu(known) {
  let engine;
  try {
    engine = await build("gpu");
  } catch (err) {
    forget("gpu"); // a later choice of WebGPU tries again (say, after a network error)
    known.failure = { code: "build_not_loaded", message: message(err) };
    return null;
  }
  try {
    return { engine, info: await engine.initDevice("webgpu") };
  } catch (err) {
    known.failure = { code: "webgpu_failed", message: message(err) };
    return null;
  }
}

/** Auto's timings: the CPU path in its build (threads count), WebGPU in its. Records the
 * speeds, or WebGPU's failure, in `known`; resolves to WebGPU as started for the timing (so
 * that choosing it does not start it again), or null.
 * @param {Known} known */
async function measure(known) {
  /** @type {number | null} */
  let cpuSpeed = null;
  try {
    cpuSpeed = await (await cpuBuild()).engine.cpuSpeed();
  } catch (err) {
    console.warn(`Kiln: could not time the CPU path (${message(err)})`);
  }
  const started = await startedWebGpu(known);
  if (!started) return null;
  try {
    known.speeds = { cpu: cpuSpeed, webgpu: await started.engine.timeSteps() };
    return started;
  } catch (err) {
    known.failure = { code: "webgpu_failed", message: message(err) };
    return null;
  }
}

/** Start the decided device (WebGPU as Auto's timing `warm` started it, when it did) and make
 * its build the engine in use. Where WebGPU fails, the failure is recorded in `known` and null
 * returned, for the caller to decide again.
 * @param {"cpu" | "webgpu"} kind @param {Known} known
 * @param {{engine: import("./engine.js").Engine, info: EngineDeviceInfo} | null} [warm]
 * @returns {Promise<EngineDeviceInfo | null>} */
async function start(kind, known, warm = null) {
  if (kind === "webgpu") {
    const started = warm ?? (await startedWebGpu(known));
    if (!started) return null;
    await use("gpu");
    return started.info;
  }
  const { engine, kind: build } = await cpuBuild();
  const info = await engine.initDevice("cpu");
  await use(build);
  return info;
}

/** @param {InitDevice} request
 * @returns {Promise<DeviceInfo>} */
async function choose({ backend }) {
  if ((await engineInUse()).isTraining() || runBusy()) throw pageError("busy_training", { what: "device" });
  const known = await facts(backend);
  let decision = await decideDevice(known);
  let warm = null;
  if (decision.kind === "measure") {
    warm = await measure(known);
    decision = await decideDevice(known);
  }
  if (decision.kind === "measure") throw pageError("device_choice", { detail: "decideDevice asked to measure again" });
  let info = await start(decision.kind, known, warm);
  if (!info) {
    decision = await decideDevice(known); // WebGPU failed: the CPU, and why
    if (decision.kind !== "cpu") throw pageError("device_choice", { detail: `WebGPU failed but decideDevice chose ${decision.kind}` });
    info = /** @type {EngineDeviceInfo} */ (await start("cpu", known));
  }
  const adapter = info.backend === "webgpu" ? known.adapter?.description || info.adapter : info.adapter;
  return {
    backend: info.backend,
    adapter,
    threads: info.backend === "cpu" ? cpu.threads : null,
    one_thread: info.backend === "cpu" && cpu.threads === 1 ? cpu.note : null,
    builds: buildsNeeded(info.backend),
    reason: decision.reason,
    speeds: known.speeds,
  };
}

// Device changes run one at a time, in the order asked: a slow WebGPU start must not finish
// after (and overrule) a later choice of the CPU.
/** @type {Promise<unknown>} */
let queue = Promise.resolve();

/** Start the device the page asks for (`auto`, `webgpu` or `cpu`), in the build that has it.
 * @param {InitDevice} request
 * @returns {Promise<DeviceInfo>} */
export function initDevice(request) {
  const next = queue.then(() => choose(request)).then((info) => {
    setDevice(info);
    return info;
  });
  queue = next.catch(() => {});
  return next;
}

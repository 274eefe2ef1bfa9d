// Loading the engine's builds, and moving the state from one to another.
//
// Three builds of the engine, one per device, so that a page downloads only what it runs:
//   pkg/          WebGPU alone (no CPU path): the largest, fetched only when WebGPU is tried;
//   pkg-cpu/      the CPU path alone, single-threaded: works everywhere;
//   pkg-threads/  the CPU path on a pool of Web Workers (wasm threads). It needs
//                 SharedArrayBuffer, so a cross-origin isolated page.
// The worker starts on the CPU path's build. When the device moves from one build to another,
// the dataset and the weights in use move with it. `?threads=0` keeps the CPU path
// single-threaded.

import { pageError } from "../words.js";

/** @typedef {import("./engine.js").Engine} Engine */
/** @typedef {import("./engine.js").KilnModule} KilnModule */
/** @typedef {"gpu" | "cpu" | "threads"} BuildKind */

/** Whether this browser can share a WebAssembly memory with other threads, which is what the
 * threaded build needs: a shared memory made and sent to another context (here a message port,
 * which serialises it as a worker's postMessage does). Tried, not inferred from the
 * `SharedArrayBuffer` global's name: WebKitGTK makes shared wasm memory in an isolated page
 * without exposing that global, but refuses to send it to a worker. */
function sharedMemory() {
  const channel = new MessageChannel();
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    channel.port1.postMessage(memory);
    return true;
  } catch {
    return false;
  } finally {
    channel.port1.close();
    channel.port2.close();
  }
}

/** The worker's own query: the switches the page passes on (www/app.js, client.js). */
const QUERY = new URL(location.href).searchParams;

/** Why the CPU path cannot have threads here (a code www/words.js words), or null when it can.
 * @returns {import("../values.js").OneThreadReason | null} */
function noThreadsBecause() {
  if (QUERY.get("threads") === "0") return { code: "threads_off" };
  // The page's worker before this one did not start its threaded build within `stalled` seconds
  // (client.js).
  const stalled = Number(QUERY.get("stalled"));
  if (stalled) return { code: "threads_stalled", seconds: stalled };
  if (!self.crossOriginIsolated) return { code: "not_isolated" };
  if (!sharedMemory()) return { code: "no_shared_memory" };
  return null;
}

const noThreads = noThreadsBecause();

/** The CPU threads the CPU path computes on, and why not more when it is one. */
export const cpu = {
  threads: 1,
  /** @type {import("../values.js").OneThreadReason | null} */
  note: noThreads,
};

// A test switch (`?test&stall_threads`): the threaded build never starts, as Firefox's compile
// of it sometimes does not (client.js then starts a worker on one thread).
const STALL_THREADS = QUERY.has("test") && QUERY.has("stall_threads");

// Relative to this module (www/worker/): the builds sit beside worker.js.
const PACKAGES = { gpu: "../pkg/kiln.js", cpu: "../pkg-cpu/kiln.js", threads: "../pkg-threads/kiln.js" };
/** @type {{[K in BuildKind]?: Promise<Engine>}} */
const builds = {};
/** Each loaded build's module, for its free functions (the same in every build).
 * @type {{[K in BuildKind]?: KilnModule}} */
const modules = {};

/** The engine of the `kind` build, loaded the first time it is asked for.
 * @param {BuildKind} kind
 * @returns {Promise<Engine>} */
export function build(kind) {
  builds[kind] ??= (async () => {
    if (kind === "threads" && STALL_THREADS) await new Promise(() => {});
    const kiln = await import(PACKAGES[kind]);
    await kiln.default();
    modules[kind] = kiln;
    if (kind === "threads") {
      const threads = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 16));
      await kiln.initThreadPool(threads);
      cpu.threads = threads;
    }
    return new kiln.Engine();
  })();
  return builds[kind];
}

/** Which device to use and why (`decideDevice` of crate/src/device, in the CPU path's build,
 * which the worker always loads).
 * @param {import("../values.js").Known} known
 * @returns {Promise<import("../values.js").Decision>} */
export async function decideDevice(known) {
  const { kind } = await cpuBuild();
  return /** @type {import("./engine.js").KilnModule} */ (modules[kind]).decideDevice(known);
}

/** Forget a build that failed to load, so that a later choice tries again.
 * @param {BuildKind} kind */
export function forget(kind) {
  delete builds[kind];
}

/** The build the CPU path runs in: the multi-threaded one where it can, else the CPU-only one.
 * @type {BuildKind} */
let cpuKind = noThreads ? "cpu" : "threads";

/** The builds a page on `backend` may load, which it keeps for offline use: the CPU path's in
 * use; behind the threaded one, the single-threaded one, which a later start falls back to where
 * the threaded build fails or stalls (Firefox's compile of it, now and then), offline too; and
 * WebGPU's while it is in use.
 * @param {"cpu" | "webgpu"} backend
 * @returns {BuildKind[]} */
export function buildsNeeded(backend) {
  /** @type {BuildKind[]} */
  const kinds = cpuKind === "threads" ? ["threads", "cpu"] : ["cpu"];
  return backend === "webgpu" ? [...kinds, "gpu"] : kinds;
}

/** The CPU path's engine: `cpuKind`'s build, falling back to the next where one does not start.
 * @returns {Promise<{engine: Engine, kind: BuildKind}>} */
export async function cpuBuild() {
  for (;;) {
    try {
      return { engine: await build(cpuKind), kind: cpuKind };
    } catch (err) {
      if (cpuKind !== "threads") throw err;
      cpuKind = "cpu";
      cpu.threads = 1;
      cpu.note = { code: "threads_failed", message: String(err?.message ?? err) };
      console.warn(`Kiln: the multi-threaded build did not start (${err?.message ?? err}); the CPU path uses one thread`);
    }
  }
}

/** The engine in use and its build, once the first one has started.
 * @type {{engine: Engine | null, kind: BuildKind | null}} */
export const current = { engine: null, kind: null };
// Requests wait while the state moves between builds.
let handover = Promise.resolve();

// Start in the CPU path's build: it is small, it classifies at once (WebGPU first compiles its
// kernels), and Auto needs it to time the CPU. The WebGPU build is fetched when WebGPU is tried.
const ready = cpuBuild().then(({ engine, kind }) => {
  current.engine = engine;
  current.kind = kind;
});

/** The engine in use, once the first build has started and no handover is under way.
 * @returns {Promise<Engine>} */
export async function engineInUse() {
  await ready;
  await handover;
  return /** @type {Engine} */ (current.engine);
}

/** The free functions of the engine's builds (the same in each), once the first has started.
 * @returns {Promise<KilnModule>} */
export async function kilnModule() {
  await ready;
  return /** @type {KilnModule} */ (Object.values(modules)[0]);
}

/** Make the `kind` build the engine in use, moving the weights in use and the dataset to it.
 * The new engine's device must have started (`initDevice`): the weights go straight onto it.
 * @param {BuildKind} kind */
export async function use(kind) {
  await handover;
  if (kind === current.kind) return;
  const from = /** @type {Engine} */ (current.engine);
  if (from.isTraining()) throw pageError("busy_training", { what: "device" });
  /** @type {() => void} */
  let release = () => {};
  handover = new Promise((r) => (release = r));
  try {
    const to = await build(kind);
    // The old engine lets go of its dataset here; if the new one refuses the state, it goes back.
    const state = await from.exportState();
    try {
      to.importState(state);
    } catch (err) {
      from.importState(state);
      throw err;
    }
    current.engine = to;
    current.kind = kind;
  } finally {
    release();
  }
}

/** The GPU was lost: the CPU path's build becomes the engine in use, with the WebGPU build's
 * dataset (in host memory, still readable) and `weights` (a burnpack file: the last finished
 * epoch's, where a run was training), or its own weights when null. Nothing is read from the
 * lost device. A no-op unless the WebGPU build is in use.
 * @param {Uint8Array | null} weights */
export async function leaveGpu(weights) {
  if (current.kind !== "gpu") return;
  /** @type {() => void} */
  let release = () => {};
  const before = handover;
  handover = new Promise((r) => (release = r));
  try {
    await before;
    const from = /** @type {Engine} */ (current.engine);
    const { engine: to, kind } = await cpuBuild();
    // (`model` is read from the weights file itself.)
    to.importState({ model: "", source: "trained", epochs: 0, test_accuracy: null, weights, dataset: from.exportDataset() });
    current.engine = to;
    current.kind = kind;
  } finally {
    release();
  }
}

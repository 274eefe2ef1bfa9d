// Counting the GPU work the engine records (the `launch_counts` request, only for a page opened
// with `?test`; `bench/launches.mjs` reads it): every compute dispatch, grouped by the kernel's
// name, and the copies, buffer writes and queue submissions around them. The first request
// wraps those WebGPU methods of this worker's prototypes, so nothing is counted, nor slowed,
// until a benchmark asks.

/** @typedef {import("../protocol.js").LaunchCounts} LaunchCounts */

/** @type {LaunchCounts | null} */
let counts = null;

/** The kernel's name from a pipeline's label: cubecl labels each pipeline with its entry point,
 * `<kernel type>_<8 hex digits of its configuration's hash>`; the hash is dropped so that the
 * variants of one kernel count together.
 * @param {string | undefined} label */
function kernelName(label) {
  if (!label) return "(unlabelled)";
  return label.replace(/_[0-9a-f]{8}$/, "");
}

/** Replace `proto[name]` by a function that calls `count(this, ...args)` and then the original.
 * @param {any} proto
 * @param {string} name
 * @param {(self: any, ...args: any[]) => void} count */
function wrap(proto, name, count) {
  const original = proto?.[name];
  if (typeof original !== "function") return;
  proto[name] = function (/** @type {any[]} */ ...args) {
    count(this, ...args);
    return original.apply(this, args);
  };
}

/** The kernel each compute pass has bound last (`setPipeline`). */
const bound = new WeakMap();

function install() {
  const c = /** @type {LaunchCounts} */ ({ dispatches: 0, by_kernel: {}, copies: 0, writes: 0, submits: 0 });
  const g = /** @type {any} */ (globalThis);
  const pass = g.GPUComputePassEncoder?.prototype;
  wrap(pass, "setPipeline", (self, pipeline) => bound.set(self, kernelName(pipeline?.label)));
  const dispatch = (/** @type {any} */ self) => {
    const kernel = bound.get(self) ?? "(unbound)";
    c.dispatches++;
    c.by_kernel[kernel] = (c.by_kernel[kernel] ?? 0) + 1;
  };
  wrap(pass, "dispatchWorkgroups", dispatch);
  wrap(pass, "dispatchWorkgroupsIndirect", dispatch);
  wrap(g.GPUCommandEncoder?.prototype, "copyBufferToBuffer", () => c.copies++);
  wrap(g.GPUQueue?.prototype, "writeBuffer", () => c.writes++);
  wrap(g.GPUQueue?.prototype, "submit", () => c.submits++);
  return c;
}

/** The counts since the first request, which starts counting (and answers zeros).
 * @returns {LaunchCounts} */
export function launchCounts() {
  counts ??= install();
  return structuredClone(counts);
}

// A test switch: `?test&hide_feature=NAME` on the page (passed on to this worker) makes the
// worker's WebGPU adapters not offer the optional feature NAME, as an adapter without it would
// (tests/e2e/compat.test.mjs hides `timestamp-query`). Both the worker's own look at the
// adapter (worker/device.js) and the engine's (wgpu requests its adapter through the same
// `navigator.gpu`) see the adapter without it. Imported first by worker.js; does nothing
// without `?test`.
const query = new URL(location.href).searchParams;
const hidden = query.has("test") ? query.get("hide_feature") : null;
const gpu = /** @type {any} */ (navigator).gpu;

if (hidden && gpu) {
  const requestAdapter = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = async (/** @type {any} */ options) => {
    const adapter = await requestAdapter(options);
    if (!adapter) return adapter;
    const features = new Set([...adapter.features].filter((f) => f !== hidden));
    Object.defineProperty(adapter, "features", { value: features });
    const requestDevice = adapter.requestDevice.bind(adapter);
    adapter.requestDevice = (/** @type {any} */ descriptor = {}) => {
      const required = [...(descriptor.requiredFeatures ?? [])];
      if (required.includes(hidden)) return Promise.reject(new TypeError(`${hidden} is not offered by this adapter`));
      return requestDevice(descriptor);
    };
    return adapter;
  };
}

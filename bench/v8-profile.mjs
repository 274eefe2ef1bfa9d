// Reading a V8 CPU profile (the `Profiler.stop` result of the DevTools protocol), for the
// profiling benchmarks (cpu-profile.mjs, gpu-profile.mjs).

/** Each function's self time in a profile, in microseconds, by its name (a wasm function's
 * carries its Rust name where the module has names), and their total; samples of the
 * functions named in `skip` (say, "(idle)") are left out of both.
 * @param {{nodes: {id: number, callFrame: {functionName: string}}[], samples: number[], timeDeltas: number[]}} profile
 * @param {string[]} [skip] */
export function selfTimes(profile, skip = []) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<string, number>} */
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] || 0;
    const name = nodes.get(id)?.callFrame.functionName || "(anonymous)";
    if (skip.includes(name)) return;
    self.set(name, (self.get(name) || 0) + dt);
    total += dt;
  });
  return { self, total };
}

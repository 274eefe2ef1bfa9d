// Where the CPU path's training time goes: trains the seed network in the single-threaded
// CPU-only module (dist/pkg-cpu), driven through its JS API in Node, under V8's sampling
// profiler, and prints the functions that took the most time, grouped by what they do.
//
//   KILN_WASM_OPT=0 ./build.sh web     # wasm-opt strips the function names this reads
//   node bench/cpu-profile.mjs         # BATCH (32), IMAGES (1024), PKG (dist/pkg-cpu),
//                                      # PROFILE (a path: also write the .cpuprofile)
//
// Only the training is profiled: loading the dataset and a warm-up step run before the
// profiler starts. It needs the real CIFAR-10 archive (tests/helpers.mjs: CIFAR).
import { Session } from "node:inspector/promises";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT, realSubset } from "../tests/helpers.mjs";
import { selfTimes } from "./v8-profile.mjs";

const batch = +(process.env.BATCH || 32);
const images = +(process.env.IMAGES || 1024);
const pkg = path.resolve(process.env.PKG || path.join(ROOT, "dist", "pkg-cpu"));

if (!existsSync(path.join(pkg, "kiln_bg.wasm"))) {
  console.error(`no module at ${pkg}: run KILN_WASM_OPT=0 ./build.sh web first`);
  process.exit(1);
}
const subset = realSubset(Math.max(images, batch * 2), 1);
if (!subset) process.exit(0); // realSubset said why (no CIFAR-10 at CIFAR)

const { initSync, Engine } = await import(path.join(pkg, "kiln.js"));
initSync({ module: readFileSync(path.join(pkg, "kiln_bg.wasm")) });
const engine = new Engine();
engine.loadDataset(["data_batch_1.bin"], [new Uint8Array(readFileSync(subset.trainPath))], () => {});
const train = (limit) =>
  engine.train({ epochs: 1, batch_size: batch, train_limit: limit, test_limit: 0, report_every_seconds: 1 }, () => {}, false, null);
await train(batch * 2); // warm-up: first-use allocations, V8's tier-up

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 200 });
await session.post("Profiler.start");
const start = performance.now();
await train(images);
const seconds = (performance.now() - start) / 1000;
const { profile } = await session.post("Profiler.stop");
session.disconnect();
if (process.env.PROFILE) writeFileSync(process.env.PROFILE, JSON.stringify(profile));

const { self, total } = selfTimes(profile);
if (![...self.keys()].some((k) => k.includes("::"))) {
  console.log(`CPU path, one thread: ${(images / seconds).toFixed(0)} img/s at batch ${batch}; no breakdown: the module`);
  console.log("has no function names (wasm-opt strips them). KILN_WASM_OPT=0 ./build.sh web keeps them.");
  process.exit(0);
}

// What each group is, by the names of its functions.
const GROUPS = [
  ["matrix multiply (gemm: micro-kernels, packing)", /^gemm/],
  ["convolution: im2col and bias (burn flex conv3d_f32)", /burn_flex::ops::conv(_common)?::/],
  ["transposed convolution (input gradients)", /burn_flex::ops::conv_transpose::/],
  ["max pooling and its backward", /burn_flex::ops::pool::/],
  ["copies into contiguous layout", /burn_flex::tensor::|strided_index/],
  ["element-wise and reductions", /burn_flex::ops::(unary|binary|activation|reduce|mask|comparison)/],
  // The allocator itself, not the `alloc` crate's collections (a `Vec` built from an iterator
  // runs that iterator's work too).
  ["allocator", /__rdl_|__rust_(alloc|dealloc|realloc)|dlmalloc|^mem(cpy|set|move)/],
];
const grouped = new Map(GROUPS.map(([g]) => [g, 0]));
let other = 0;
for (const [name, t] of self) {
  const group = GROUPS.find(([, re]) => re.test(name));
  if (group) grouped.set(group[0], grouped.get(group[0]) + t);
  else other += t;
}
grouped.set("everything else", other);

const perImage = (us) => (us / 1000 / images).toFixed(3);
console.log(`CPU path, one thread, ${pkg}: batch ${batch}, ${images} images, ${(images / seconds).toFixed(0)} img/s`);
console.log(`\n${"group".padEnd(56)} ${"share".padStart(6)} ${"ms/image".padStart(9)}`);
for (const [g, t] of grouped) console.log(`${g.padEnd(56)} ${((100 * t) / total).toFixed(1).padStart(5)}% ${perImage(t).padStart(9)}`);
console.log(`\ntop functions (self time):`);
for (const [name, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${((100 * t) / total).toFixed(1).padStart(5)}% ${perImage(t).padStart(7)} ms/image  ${name.replace(/::h[0-9a-f]{16}$/, "").slice(0, 110)}`);
}
console.log(
  JSON.stringify({
    benchmark: "cpu_path_profile",
    batch_size: batch,
    images,
    images_per_second: images / seconds,
    groups: Object.fromEntries([...grouped].map(([g, t]) => [g, { share: t / total, ms_per_image: t / 1000 / images }])),
  }),
);

// Both networks in the page, side by side (run by `./build.sh bench`, not a test): training
// images per second and the CPU time per step on the CPU path and on WebGPU (SwiftShader on a
// GPU-less machine), with each network's FLOPs per training image from the model menu, and what
// a 10-epoch run on 50,000 images would take on a GPU: the longer of its compute time at an
// assumed sustained speed and the CPU's time to prepare its steps, which no GPU can shorten.
//
// Environment: NETWORKS_GPU_TFLOPS (the assumed sustained GPU speed, default 10),
// NETWORKS_ONLY (`cpu` or `gpu`).
import path from "node:path";
import { copyFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { ROOT, kilnBinary, launchBrowser, realSubset, startServer, trainRun, useBackend } from "../tests/helpers.mjs";

const PORT = 19580;
const TFLOPS = Number(process.env.NETWORKS_GPU_TFLOPS || 10);
const BATCH = { seed: 32, airbench: 256 };
// Measured steps per backend and network: seconds of work on this machine (SwiftShader runs
// airbench at a few images a second).
const STEPS = { cpu: { seed: 64, airbench: 4 }, webgpu: { seed: 6, airbench: 1 } };
const EPOCH_IMAGES = 50_000;

const subset = realSubset(2048, 10);
if (!subset) process.exit(0);
mkdirSync(path.join(ROOT, "dist", "bench"), { recursive: true });
copyFileSync(subset.trainPath, path.join(ROOT, "dist", "bench", "data.bin"));
const server = await startServer(PORT);
const browser = await launchBrowser();
const results = [];
try {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${PORT}/index.html?test`);
  await page.getByTestId("backend-status").filter({ hasNotText: "starting" }).waitFor();
  await page.getByTestId("dataset-input").setInputFiles([subset.trainPath]);
  await page.waitForFunction(() => /2,048/.test(document.querySelector('[data-testid="dataset-summary"]').innerText));
  const backends = ["cpu", "webgpu"].filter((b) => !process.env.NETWORKS_ONLY || (process.env.NETWORKS_ONLY === "cpu") === (b === "cpu"));
  for (const backend of backends) {
    await useBackend(page, backend);
    for (const network of ["seed", "airbench"]) {
      await page.getByTestId("model-select").selectOption(network);
      const info = JSON.parse(execFileSync(kilnBinary(), ["info", "--model", network, "--json"], { encoding: "utf8" }));
      const flops = info.train_flops_per_image;
      const batch = BATCH[network];
      let measured = null;
      // A warm-up run (kernels compiled, memory allocated), then the measured one.
      for (const steps of [1, STEPS[backend][network]]) measured = await trainRun(page, batch, steps);
      const r = {
        network, backend, batch_size: batch, steps: STEPS[backend][network],
        images_per_second: measured.images_per_second,
        host_seconds_per_step: measured.host_seconds_per_step,
        train_flops_per_image: flops,
      };
      results.push(r);
      console.log(`${network.padEnd(8)} ${backend.padEnd(6)} batch ${batch}: ${r.images_per_second.toFixed(1)} img/s, CPU ${(r.host_seconds_per_step * 1000).toFixed(1)} ms per step`);
    }
  }
} finally {
  await browser.close();
  server.kill();
}

// On a GPU the step's compute takes flops / speed; its CPU side (measured on WebGPU here) takes
// host_seconds_per_step whatever the GPU; the run takes about the longer of the two per step.
for (const r of results.filter((r) => r.backend === "webgpu" && r.train_flops_per_image)) {
  const steps = Math.ceil(EPOCH_IMAGES / r.batch_size) * 10;
  const compute = (r.train_flops_per_image * EPOCH_IMAGES * 10) / (TFLOPS * 1e12);
  const host = steps * r.host_seconds_per_step;
  r.ten_epochs_on_gpu_seconds = Math.max(compute, host);
  console.log(`${r.network}: 10 epochs on a ${TFLOPS}-TFLOP/s GPU: ${compute.toFixed(0)} s of compute, ${host.toFixed(0)} s of CPU time for ${steps} steps: about ${r.ten_epochs_on_gpu_seconds.toFixed(0)} s`);
}
console.log(JSON.stringify({ benchmark: "networks", gpu_tflops: TFLOPS, results }));

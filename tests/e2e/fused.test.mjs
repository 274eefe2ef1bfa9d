// Kiln's kernels (crate/src/kernels) on the devices the page trains on: each network trained four
// steps (airbench two) with Kiln's fused optimiser and with burn's, from the same weights on the same batches,
// ends with the same weights to float tolerance; the fused ReLU, the fused loss and Kiln's own
// convolution, pooling and dense layer give burn's outputs and gradients. Natively
// the same comparisons run on burn flex (crate/tests/fused_optimizer.rs, flex_layers.rs); this
// one holds the WebGPU kernels and the wasm builds to them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPerFile, useBackend } from "../helpers.mjs";

const PORT = 21080 + (process.pid % 1000);
let page;
appPerFile(PORT, (app) => ({ page } = app));

const CASES = [
  ["seed", "adam"],
  ["seed", "sgd"],
  ["seed", "nesterov"],
  ["airbench", "nesterov"],
];

for (const backend of ["cpu", "webgpu"]) {
  test(`the fused optimisers leave burn's weights; the fused ReLU, loss, convolution, pooling and dense layer give burn's values, on ${backend === "cpu" ? "the CPU path" : "WebGPU"}`, async () => {
    await useBackend(page, backend);
    // Each check's seconds are printed: on SwiftShader, compiling the shaders is most of them.
    let start = Date.now();
    const seconds = () => `${((Date.now() - start) / 1000).toFixed(1)} s`;
    for (const [model, optimizer] of CASES) {
      start = Date.now();
      const agreement = await page.evaluate(([m, o]) => window.kiln.fusedOptimizer(m, o), [model, optimizer]);
      console.log(`${backend} ${model} ${optimizer}: ${JSON.stringify(agreement)}, ${seconds()}`);
      assert.ok(agreement.largest_change > 1e-3, `${model}/${optimizer}: the steps barely moved the weights`);
      assert.ok(
        agreement.largest_difference <= 1e-5,
        `${model}/${optimizer} on ${backend}: the fused weights are ${agreement.largest_difference} from burn's`,
      );
    }
    start = Date.now();
    const relu = await page.evaluate(() => window.kiln.fusedRelu());
    console.log(`${backend} relu: ${relu}, ${seconds()}`);
    assert.equal(relu, 0, `the fused ReLU's outputs or gradients differ from burn's by ${relu} on ${backend}`);
    start = Date.now();
    const loss = await page.evaluate(() => window.kiln.fusedLoss());
    console.log(`${backend} loss: ${loss}, ${seconds()}`);
    assert.ok(loss <= 1e-5, `the fused loss differs from burn's by ${loss} on ${backend}`);
    // Kiln's own convolution, pooling and dense layer (crate/src/kernels/cpu, gpu).
    start = Date.now();
    const layers = await page.evaluate(() => window.kiln.layers());
    console.log(`${backend} convolution, pooling and dense layer: ${layers}, ${seconds()}`);
    assert.ok(layers <= 1e-4, `the convolution, pooling or dense layer differs from burn's by ${layers} on ${backend}`);
  });
}

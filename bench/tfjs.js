// The seed network in TensorFlow.js, layer for layer as Kiln builds it (and as the Keras
// tutorial does), trained with the same Adam constants on the same real CIFAR-10 images.
// `bench/throughput.mjs` and `bench/launches.mjs` call `window.tfjsBench` in headless Chromium.
/* global tf */

function seedModel() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, activation: "relu" }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 64, activation: "relu" }));
  model.add(tf.layers.dense({ units: 10 })); // logits
  return model;
}

/** CIFAR-10 records (label byte + 3072 CHW bytes) → NHWC floats in [0, 1] and one-hot labels. */
function decode(records, first, count) {
  const x = new Float32Array(count * 3072);
  const y = new Float32Array(count * 10);
  for (let i = 0; i < count; i++) {
    const r = (first + i) * 3073;
    y[i * 10 + records[r]] = 1;
    for (let p = 0; p < 1024; p++)
      for (let c = 0; c < 3; c++) x[i * 3072 + p * 3 + c] = records[r + 1 + c * 1024 + p] / 255;
  }
  return { x, y };
}

/**
 * Train `warmup` steps, then time `steps` more; like Kiln, every batch is uploaded from the
 * CPU, and the loss is read back only at the end (TF.js's fastest way to train).
 */
window.tfjsBench = async function ({ backend, batch, warmup, steps, url }) {
  const ok = await tf.setBackend(backend).catch(() => false);
  if (!ok || tf.getBackend() !== backend) return { backend, error: `backend ${backend} is not available` };
  await tf.ready();
  const records = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const images = Math.floor(records.length / 3073);
  const model = seedModel();
  const params = model.countParams();
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  let offset = 0;
  const step = () => {
    if (offset + batch > images) offset = 0;
    const { x, y } = decode(records, offset, batch);
    offset += batch;
    return tf.tidy(() => {
      const xs = tf.tensor4d(x, [batch, 32, 32, 3]);
      const ys = tf.tensor2d(y, [batch, 10]);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true })), true);
    });
  };
  for (let i = 0; i < warmup; i++) {
    const loss = step();
    await loss.data(); // compile shaders, settle the allocator
    loss.dispose();
  }
  const start = performance.now();
  let loss = null;
  // The CPU's time on the steps (building and handing over the work, the device's excluded
  // as far as the backend does not block on it), as Kiln reports `host_seconds_per_step`.
  let host = 0;
  // The bench's mark of this thread's CPU time (bench/thread-cpu.mjs), where it gives one.
  const mark = /** @type {any} */ (window).cpuMark ?? (async () => {});
  await mark();
  for (let i = 0; i < steps; i++) {
    loss?.dispose();
    const t = performance.now();
    loss = step();
    host += performance.now() - t;
  }
  await mark();
  const finalLoss = (await loss.data())[0];
  const seconds = (performance.now() - start) / 1000;
  loss.dispose();
  model.dispose();
  optimizer.dispose();
  return { backend, batch_size: batch, steps, images: steps * batch, seconds, images_per_second: (steps * batch) / seconds, host_seconds_per_step: host / 1000 / steps, params, loss: finalLoss };
};

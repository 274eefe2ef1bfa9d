# shellcheck shell=bash
# `./build.sh bench` (sourced by build.sh): the benchmarks whose figures the README and
# docs/performance.md quote, the scripts in bench/. Not tests: they print figures and fail only
# when they cannot run.
# KILN_BENCH_LONG=1 adds five epochs on the full dataset (about 20 minutes on two cores).

run_bench() {
  build_native
  local data_args=()
  if [[ -f "$KILN_CIFAR10" ]]; then
    data_args=(--data "$KILN_CIFAR10")
  fi
  if [[ -f "$KILN_CIFAR10" ]]; then
    # The whole test set (the tests check the first 2,000 airbench images only: minutes each).
    log "the shipped weights on the whole test set (kiln eval; airbench with its test-time augmentation)"
    for weights in www/models/seed.bpk www/models/airbench.bpk; do
      "$TARGET_DIR/release/kiln" eval --data "$KILN_CIFAR10" --weights "$weights"
    done
  fi
  log "native training throughput (burn flex, seed network)"
  "$TARGET_DIR/release/kiln" bench --device cpu "${data_args[@]}" --batch-sizes 32,128 --steps 60 | tee target/bench-native.log
  build_web
  ensure_chromium
  # The TensorFlow.js side of the comparison (npm, from package-lock.json), beside the app.
  mkdir -p dist/bench
  cp bench/tfjs.html bench/tfjs.js node_modules/@tensorflow/tfjs/dist/tf.min.js \
    node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js dist/bench/
  log "Kiln vs TensorFlow.js in the browser (headless Chromium; WebGPU is SwiftShader on a GPU-less machine)"
  BENCH_NATIVE=$(tail -n 1 target/bench-native.log) node bench/throughput.mjs
  log "GPU kernels launched per WebGPU training step, by kind (seed network, airbench, TF.js webgpu)"
  node bench/launches.mjs
  log "where the CPU path's training time goes (one thread; needs KILN_WASM_OPT=0 for function names)"
  node bench/cpu-profile.mjs
  log "where the worker's CPU time goes on WebGPU (the learning panels closed)"
  CLOSED=1 node bench/gpu-profile.mjs
  log "time from opening the page to the first classification (pretrained weights)"
  node bench/startup.mjs
  log "classifying and explaining one image (saliency, Grad-CAM, feature maps)"
  node bench/explain.mjs
  log "native training throughput, airbench (its recipe, batch 256 as the page trains it)"
  "$TARGET_DIR/release/kiln" bench --device cpu "${data_args[@]}" --model airbench --batch-sizes 256 --steps 8
  log "both networks in the page: CPU path and WebGPU, and a 10-epoch run on a GPU"
  node bench/networks.mjs
  log "the drawing of the network while training: throughput with it on screen against hidden, frame gaps"
  node bench/drawing.mjs
  log "a photo brought to 32x32: the page's path (area average, centre crop) against a letterbox and one drawImage"
  FRAMING_IMAGES=1000 node bench/framing.mjs
  log "browser memory while loading the full archive"
  node bench/memory.mjs
  if [[ "${KILN_BENCH_LONG:-0}" == 1 ]]; then
    log "memory across 5 epochs on the full dataset (CPU)"
    node bench/memory-epochs.mjs
  fi
}

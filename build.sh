#!/usr/bin/env bash
# Kiln's one entry point: build, serve, test and benchmark.
#
#   ./build.sh            build the web app into dist/ and the native `kiln` CLI
#   ./build.sh web        build only the web app (dist/, a static site)
#   ./build.sh serve [PORT]  build and serve the web app on http://localhost:PORT (8080)
#   ./build.sh serve-dist [PORT]  serve dist/ as it is, without building
#   ./build.sh test       formatting, lints and every test (native, wasm and browser)
#   ./build.sh bench      training throughput benchmarks
#   ./build.sh data       fetch the official CIFAR-10 archive into data/ (needs the internet)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p target
# The real dataset, shared beside the repository; KILN_CIFAR10 overrides it.
export KILN_CIFAR10="${KILN_CIFAR10:-$ROOT/../shared/cifar10/cifar-10-binary.tar.gz}"
if [[ ! -f "$KILN_CIFAR10" && -f "$ROOT/data/cifar-10-binary.tar.gz" ]]; then
  KILN_CIFAR10="$ROOT/data/cifar-10-binary.tar.gz"
fi

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    echo "cargo not found: install Rust from rustup first" >&2
    exit 1
  fi
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      log "installing rustup component $component"
      rustup component add "$component"
    fi
  done
}

# The wasm32 target, wasm-bindgen-cli at the version Cargo.lock pins, and the npm packages
# (uPlot, playwright-core, binaryen's wasm-opt) from package-lock.json.
ensure_web_tools() {
  ensure_rust
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local want have=""
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if command -v wasm-bindgen >/dev/null; then have=$(wasm-bindgen --version | awk '{print $2}'); fi
  if [[ "$have" != "$want" ]]; then
    log "installing wasm-bindgen-cli $want (Cargo.lock's wasm-bindgen)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
  if ! command -v npm >/dev/null; then
    echo "npm not found: install Node.js (20 or later)" >&2
    exit 1
  fi
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  fi
}

# wasm-opt, with its output kept per input hash, so a rebuild of unchanged Rust code (say, after
# editing only www/) reuses it. $3 are its passes:
# - the CPU modules: -O3 (minutes here). KILN_WASM_OPT=0 skips it (the tests do: it only
#   shrinks and speeds up the module), as does the `dev` profile.
# - the WebGPU module: $WEBGPU_PASSES (seconds; always run, so the tests run what ships). They
#   shrank it from 3.27 to 2.77 MB gzipped (with burn's fusion, since dropped): identical
#   functions merged, then functions that differ only in constants (cubecl's many
#   near-identical kernel generators), then functions ordered by name, which puts each generic
#   family together where gzip finds the repeats.
#   -O3 made it larger gzipped (4.18 against 4.07 MB, before the CPU path left it) and took about
#   9 minutes; -Oz took 6 minutes for 3.41 MB.
WEBGPU_PASSES="--duplicate-function-elimination --merge-similar-functions --duplicate-function-elimination \
  --merge-similar-functions --duplicate-function-elimination --remove-unused-module-elements --reorder-functions-by-name"
optimise_wasm() {
  local file=$1 profile=$2 passes=$3 hash cache
  if [[ "$profile" == dev ]]; then return; fi
  if [[ "$passes" == -O3 && "${KILN_WASM_OPT:-1}" == 0 ]]; then return; fi
  hash=$( (sha256sum "$file"; echo "$passes") | sha256sum | cut -c1-16)
  cache="$TARGET_DIR/wasm-opt-cache/$hash.wasm"
  if [[ ! -f "$cache" ]]; then
    log "wasm-opt $(basename "$(dirname "$file")")/$(basename "$file")"
    mkdir -p "$(dirname "$cache")"
    # shellcheck disable=SC2086 # $passes is a list of flags
    node_modules/.bin/wasm-opt $passes --strip-debug --strip-producers --enable-simd --enable-bulk-memory \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-threads \
      --enable-reference-types --enable-multivalue "$file" -o "$cache.part"
    mv "$cache.part" "$cache"
  fi
  cp "$cache" "$file"
}

# The JS glue for a compiled module ($1), into the folder $2, then wasm-opt ($3: the profile;
# $4: wasm-opt's passes, -O3 unless given).
bind_wasm() {
  wasm-bindgen --target web --no-typescript --out-dir "$2" "$1"
  optimise_wasm "$2/kiln_bg.wasm" "$3" "${4--O3}"
}

# The CPU-only module (dist/pkg-cpu): the CPU path alone, single-threaded. The page starts on it
# (or on the multi-threaded one below), and trains and classifies in it wherever WebGPU is not
# used.
build_web_cpu() {
  local profile=$1 out=$2
  log "building the CPU-only wasm module (profile $profile)"
  CARGO_TARGET_DIR="$TARGET_DIR/cpu" cargo build --locked --target wasm32-unknown-unknown \
    --profile "$profile" --lib -p kiln --no-default-features --features cpu
  bind_wasm "$TARGET_DIR/cpu/wasm32-unknown-unknown/$profile/kiln.wasm" "$out" "$profile"
}

# The multi-threaded variant of the module (dist/pkg-threads), used where the page is
# cross-origin isolated: wasm atomics need the standard library rebuilt, which takes nightly
# Rust and its rust-src. Where nightly cannot be had, the app stays single-threaded.
# KILN_THREADS=0 skips it; KILN_NIGHTLY names the toolchain (default: nightly).
build_web_threads() {
  local profile=$1 out=$2 nightly=${KILN_NIGHTLY:-nightly}
  if [[ "${KILN_THREADS:-1}" == 0 ]]; then
    log "skipping the multi-threaded build (KILN_THREADS=0): the CPU path will use one thread"
    return
  fi
  if ! rustup component list --toolchain "$nightly" --installed 2>/dev/null | grep -q '^rust-src'; then
    log "installing Rust $nightly with rust-src (for the multi-threaded build)"
    if ! rustup toolchain install "$nightly" --profile minimal --component rust-src; then
      log "WARNING: no Rust $nightly: building without the multi-threaded variant (the CPU path will use one thread)"
      return
    fi
  fi
  log "building the multi-threaded wasm module (Rust $nightly, atomics, profile $profile)"
  # RUSTFLAGS replaces .cargo/config.toml's flags, so it repeats them. The link arguments (for
  # the module only) make its memory shared and imported, with a maximum of 4 GiB (the wasm32
  # limit, as the single-threaded module may grow to), and export the thread-local storage
  # symbols wasm-bindgen's thread support needs.
  CARGO_TARGET_DIR="$TARGET_DIR/threads" \
    RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals' \
    cargo "+$nightly" rustc --locked -Z build-std=std,panic_abort --target wasm32-unknown-unknown \
    --profile "$profile" --lib -p kiln --no-default-features --features threads -- \
    -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
    -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
    -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base
  bind_wasm "$TARGET_DIR/threads/wasm32-unknown-unknown/$profile/kiln.wasm" "$out" "$profile"
}

# Compile the crate to wasm32 and assemble the static site in dist/ (relative URLs only).
build_web() {
  ensure_web_tools
  # The WebGPU module (dist/pkg) has no CPU path (no burn flex): the page computes on the CPU in
  # the two modules built after it. Its profile, `wasm-webgpu` (Cargo.toml), is `release` at
  # opt-level "z" but for burn's per-operation crates. KILN_WASM_PROFILE builds all three with
  # one profile instead (`wasm-release`: LTO and one codegen unit, slow to link).
  local profile=${KILN_WASM_PROFILE:-release} gpu_profile=${KILN_WASM_PROFILE:-wasm-webgpu}
  log "building the WebGPU wasm module (profile $gpu_profile)"
  cargo build --locked --target wasm32-unknown-unknown --profile "$gpu_profile" --lib -p kiln \
    --no-default-features --features webgpu
  # wasm-ld wraps every export in a call to the module's static constructors (cubecl's
  # hundreds of registrations) unless the module calls them itself, once
  # (crate/src/web/constructors.rs). The wrappers are named in the module as linked.
  if grep -q 'command_export' "$TARGET_DIR/wasm32-unknown-unknown/$gpu_profile/kiln.wasm"; then
    echo "error: the WebGPU module runs its static constructors on every call from JS (wasm-ld's command_export wrappers): see crate/src/web/constructors.rs" >&2
    exit 1
  fi
  rm -rf dist.tmp && mkdir -p dist.tmp/pkg dist.tmp/vendor
  bind_wasm "$TARGET_DIR/wasm32-unknown-unknown/$gpu_profile/kiln.wasm" dist.tmp/pkg "$gpu_profile" "$WEBGPU_PASSES"
  build_web_cpu "$profile" dist.tmp/pkg-cpu
  build_web_threads "$profile" dist.tmp/pkg-threads
  cp www/*.html www/*.js www/*.css dist.tmp/
  if [[ -d www/models ]]; then cp -r www/models dist.tmp/; fi
  cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css dist.tmp/vendor/
  cp node_modules/idb/build/index.js dist.tmp/vendor/idb.js
  # Keep a dataset that was placed in dist/data for "Load from URL".
  if [[ -d dist/data ]]; then mv dist/data dist.tmp/; fi
  rm -rf dist && mv dist.tmp dist
  gz() { printf '%s (%s bytes gzipped)' "$(du -h "$1" | cut -f1)" "$(gzip -9 -c "$1" | wc -c)"; }
  log "dist/: $(du -sh dist | cut -f1), pkg/kiln_bg.wasm $(gz dist/pkg/kiln_bg.wasm)"
  log "pkg-cpu/kiln_bg.wasm $(gz dist/pkg-cpu/kiln_bg.wasm)"
  if [[ -f dist/pkg-threads/kiln_bg.wasm ]]; then log "pkg-threads/kiln_bg.wasm $(gz dist/pkg-threads/kiln_bg.wasm)"; fi
}

# A static server for dist/ on localhost (a secure context, so WebGPU is exposed).
serve_dist() {
  local port=${1:-8080}
  log "serving dist/ at http://localhost:$port (Ctrl-C to stop)"
  exec python3 - "$port" <<'PY'
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript"}
    def end_headers(self):
        # Cross-origin isolation: SharedArrayBuffer, so the multi-threaded CPU build can run.
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
                                         functools.partial(Handler, directory="dist"))
server.serve_forever()
PY
}

ensure_wasm_pack() {
  if ! command -v wasm-pack >/dev/null; then
    log "installing wasm-pack"
    cargo install wasm-pack --version 0.15.1
  fi
}

# Debian's Chromium (and its driver) for the browser tests.
ensure_chromium() {
  if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then return; fi
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium not found: install the chromium and chromium-driver packages" >&2
    exit 1
  fi
}

build_native() {
  ensure_rust
  log "building the kiln CLI (release)"
  cargo build --release --locked -p kiln
}

run_tests() {
  ensure_rust
  log "cargo fmt --check"
  cargo fmt --all -- --check
  log "cargo clippy -D warnings (native)"
  cargo clippy --release --locked --all-targets -- -D warnings
  ensure_web_tools
  log "cargo clippy -D warnings (wasm32: the browser layer and its tests)"
  cargo clippy --release --locked --target wasm32-unknown-unknown -p kiln --lib --tests -- -D warnings
  log "cargo clippy -D warnings (wasm32: the WebGPU module, without the CPU path)"
  cargo clippy --release --locked --target wasm32-unknown-unknown -p kiln --lib --tests \
    --no-default-features --features webgpu -- -D warnings
  if [[ -f "$KILN_CIFAR10" ]]; then
    log "real CIFAR-10: $KILN_CIFAR10"
  else
    log "real CIFAR-10 NOT FOUND at $KILN_CIFAR10: learning tests will report SKIPPED (run ./build.sh data)"
  fi
  log "cargo test (release: burn is slow unoptimised)"
  cargo test --release --locked --workspace -- --nocapture 2>&1 | tee target/test.log
  KILN_WASM_OPT=0 build_web
  ensure_chromium
  ensure_wasm_pack
  log "wasm tests in headless Chromium (wasm-pack test: WebGPU on SwiftShader here, and the CPU)"
  # SwiftShader compiles each WebGPU shader slowly: allow the tests minutes, not 20 s.
  (cd crate && WASM_BINDGEN_TEST_TIMEOUT=600 wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" --release -- --test web) 2>&1 | tee target/wasm-test.log
  log "wasm tests of the WebGPU module as shipped (no CPU path)"
  (cd crate && WASM_BINDGEN_TEST_TIMEOUT=600 wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" -- --profile wasm-webgpu --no-default-features --features webgpu --test webgpu_module) 2>&1 | tee -a target/wasm-test.log
  log "browser end-to-end tests (playwright-core, system Chromium)"
  # One file at a time: each drives its own Chromium, and two cores do not run three well.
  node --test --test-concurrency=1 --test-reporter=spec tests/*.test.mjs 2>&1 | tee target/e2e.log
  local cargo_pass cargo_fail node_pass node_fail
  cargo_pass=$(grep -hE '^test result:' target/test.log target/wasm-test.log | grep -oE '[0-9]+ passed' | awk '{s += $1} END {print s + 0}')
  cargo_fail=$(grep -hE '^test result:' target/test.log target/wasm-test.log | grep -oE '[0-9]+ failed' | awk '{s += $1} END {print s + 0}')
  node_pass=$(grep -oE '^ℹ pass [0-9]+' target/e2e.log | awk '{print $3}')
  node_fail=$(grep -oE '^ℹ fail [0-9]+' target/e2e.log | awk '{print $3}')
  echo "$((cargo_pass + ${node_pass:-0})) passed, $((cargo_fail + ${node_fail:-0})) failed"
}

run_bench() {
  build_native
  local data_args=()
  if [[ -f "$KILN_CIFAR10" ]]; then
    data_args=(--data "$KILN_CIFAR10")
  fi
  log "native training throughput (burn flex, seed network)"
  "$TARGET_DIR/release/kiln" bench "${data_args[@]}" --batch-sizes 32,128 --steps 60 | tee target/bench-native.log
  build_web
  ensure_chromium
  # The TensorFlow.js side of the comparison (npm, from package-lock.json), beside the app.
  mkdir -p dist/bench
  cp tests/bench/tfjs.html tests/bench/tfjs.js node_modules/@tensorflow/tfjs/dist/tf.min.js \
    node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js dist/bench/
  log "Kiln vs TensorFlow.js in the browser (headless Chromium; WebGPU is SwiftShader on a GPU-less machine)"
  BENCH_NATIVE=$(tail -n 1 target/bench-native.log) node tests/bench.mjs
  log "where the CPU path's training time goes (one thread; needs KILN_WASM_OPT=0 for function names)"
  node tests/cpu-profile.mjs
  log "time from opening the page to the first classification (pretrained weights)"
  node tests/startup.mjs
  log "classifying and explaining one image (saliency, Grad-CAM, feature maps)"
  node tests/explain-bench.mjs
  log "browser memory while loading the full archive"
  node tests/memory.mjs
  # Five epochs on the full dataset take about 20 minutes on a 2-core machine: opt in.
  if [[ "${KILN_BENCH_LONG:-0}" == 1 ]]; then
    log "memory across 5 epochs on the full dataset (CPU)"
    node tests/memory-epochs.mjs
  fi
}

fetch_data() {
  mkdir -p data
  local url="https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
  log "downloading $url"
  curl -fL --retry 3 -o data/cifar-10-binary.tar.gz.part "$url"
  mv data/cifar-10-binary.tar.gz.part data/cifar-10-binary.tar.gz
  log "saved data/cifar-10-binary.tar.gz"
}

case "${1:-build}" in
  build)
    build_web
    build_native
    ;;
  web) build_web ;;
  serve)
    build_web
    serve_dist "${2:-8080}"
    ;;
  serve-dist) serve_dist "${2:-8080}" ;;  # serve dist/ as built (the browser tests use it)
  test) run_tests ;;
  bench) run_bench ;;
  data) fetch_data ;;
  *)
    echo "usage: ./build.sh [build|serve|test|bench|data]" >&2
    exit 2
    ;;
esac

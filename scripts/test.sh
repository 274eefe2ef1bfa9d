# shellcheck shell=bash
# `./build.sh test` (sourced by build.sh): the checks, then every test, then one summary.
#
# The checks (formatting, lints, types) stop at the first failure. The test stages all run even
# when one fails, each into its own log under target/, so one run reports every failure; the
# last line counts them (scripts/test-summary.sh) and the command exits non-zero when anything
# failed.

run_checks() {
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
  check_engine_types
  if [[ -f www/jsconfig.json ]]; then
    log "tsc: the page's and the worker's JSDoc types (www/jsconfig.json)"
    if [[ ! -x node_modules/.bin/tsc ]]; then
      echo "error: node_modules/.bin/tsc not found: typescript belongs in package.json's devDependencies" >&2
      exit 1
    fi
    node_modules/.bin/tsc -p www/jsconfig.json
  fi
}

# The TypeScript types of the values the engine hands the page (www/types/engine/) are written
# from the Rust types by the lib's unit tests (ts-rs, `#[ts(export)]`), before tsc checks the
# page against them: a Rust change the page does not follow fails tsc. Committed files that
# were out of date fail here too (in CI, a change whose types were not regenerated).
check_engine_types() {
  log "the engine's TypeScript types from the Rust types (www/types/engine, ts-rs)"
  local before after
  before=$(cat www/types/engine/*.ts 2>/dev/null | sha256sum)
  cargo test --release --locked -p kiln --lib export_bindings -- --quiet
  after=$(cat www/types/engine/*.ts | sha256sum)
  if [[ "$before" != "$after" ]]; then
    echo "error: www/types/engine was out of date with the Rust types; it has been rewritten: review and commit it" >&2
    exit 1
  fi
}

# stage LOG COMMAND...: run one test stage, its output on the terminal and in LOG. A failure is
# recorded in FAILED_LOGS, not fatal.
FAILED_LOGS=()
stage() {
  local log=$1
  shift
  rm -f "$log"
  if ! "$@" 2>&1 | tee "$log"; then
    FAILED_LOGS+=(--failed "$log")
  fi
}

# wasm-bindgen tests in headless Chromium; the arguments go to cargo. SwiftShader compiles each
# WebGPU shader slowly: allow the tests minutes, not wasm-bindgen-test's 20 s.
wasm_pack_test() {
  (cd crate && WASM_BINDGEN_TEST_TIMEOUT=600 wasm-pack test --headless --chrome \
    --chromedriver "$(command -v chromedriver)" "$@")
}

# The same wasm-bindgen tests in headless Firefox ESR (WebGPU on Mesa's lavapipe: the prefs in
# crate/webdriver.json's moz:firefoxOptions). Without Firefox or geckodriver the stage is one
# skipped check (scripts/test-summary.sh counts the SKIPPED line).
wasm_pack_test_firefox() {
  local firefox
  firefox=$(command -v firefox-esr || command -v firefox || true)
  if [[ -z "$firefox" ]] || ! command -v geckodriver >/dev/null; then
    echo "SKIPPED: wasm tests in Firefox: firefox-esr or geckodriver not installed (apt-get install firefox-esr; cargo install geckodriver --locked)"
    return 0
  fi
  # GECKODRIVER_ARGS: wasm-bindgen-test-runner passes them to geckodriver; /usr/bin/firefox is
  # Debian's wrapper script, so name the browser itself.
  (cd crate && WASM_BINDGEN_TEST_TIMEOUT=600 GECKODRIVER_ARGS="--binary $firefox" wasm-pack test --headless \
    --firefox --geckodriver "$(command -v geckodriver)" "$@")
}

# The parts of `./build.sh test PART [FILTER]`; no PART runs the checks and then all of them.
TEST_PARTS="rust wasm e2e fuzz"

# test_rust [FILTER]: the native tests. FILTER naming a file of crate/tests (`resume` for
# crate/tests/resume.rs) builds and runs that file alone; any other FILTER is cargo test's name
# filter, over every test.
test_rust() {
  local select=(--workspace ${1:+"$1"})
  if [[ -n "${1:-}" && -f "crate/tests/$1.rs" ]]; then
    select=(-p kiln --test "$1")
  fi
  ensure_rust
  ensure_vulkan
  if [[ -f "$KILN_CIFAR10" ]]; then
    log "real CIFAR-10: $KILN_CIFAR10"
  else
    log "real CIFAR-10 NOT FOUND at $KILN_CIFAR10: the tests that learn from it are skipped (./build.sh data fetches it)"
  fi
  log "cargo test (release: burn is slow unoptimised; the GPU tests on Vulkan${KILN_REQUIRE_GPU:+, required})"
  TEST_LOGS+=(target/test.log)
  # --no-fail-fast: a failing test binary does not keep the others from running.
  stage target/test.log cargo test --release --locked --no-fail-fast "${select[@]}" -- --nocapture
}

# test_wasm [FILTER]: the wasm-bindgen tests in Chromium and Firefox (FILTER: wasm-bindgen-test's
# name filter, given to each of them).
test_wasm() {
  local filter_args=(${1:+-- "$1"})
  ensure_web_tools
  ensure_chromium
  ensure_wasm_pack
  TEST_LOGS+=(target/wasm-test.log target/wasm-firefox-test.log target/wasm-webgpu-test.log)
  # Both builds in the WebGPU module's profile: the one with both devices shares with the WebGPU
  # module (dist/pkg) everything but burn's front end, burn flex and Kiln (crate/Cargo.toml's
  # wasm32 dependencies keep their features the same), and the WebGPU module's tests run the
  # module as shipped. Chromium's and Firefox's runs of the same build follow each other: the
  # WebGPU module's build in between would have cargo compile Kiln again (a minute).
  log "wasm tests in headless Chromium (WebGPU on SwiftShader where there is no GPU, and the CPU)"
  stage target/wasm-test.log wasm_pack_test -- --profile wasm-webgpu --test web "${filter_args[@]}"
  ensure_browsers
  log "wasm tests in headless Firefox ESR (WebGPU on Mesa's lavapipe where there is no GPU, and the CPU)"
  stage target/wasm-firefox-test.log wasm_pack_test_firefox -- --profile wasm-webgpu --test web "${filter_args[@]}"
  log "wasm tests of the WebGPU module as shipped (no CPU path)"
  stage target/wasm-webgpu-test.log wasm_pack_test -- --profile wasm-webgpu --no-default-features \
    --features webgpu --test webgpu_module "${filter_args[@]}"
}

# build_dist_for_tests: dist/ for the browser tests, as built here, without wasm-opt -O3 (minutes,
# and it changes only size and speed) and with the kernels' checks (`KILN_CHECKS=1`: the `?test`
# hooks tests/e2e/fused.test.mjs calls). A stage of its own, so that its failure is recorded like a
# test's; returns non-zero when dist/ did not build.
build_dist_for_tests() {
  log "building dist/ for the browser tests"
  TEST_LOGS+=(target/web-build.log)
  stage target/web-build.log env KILN_WASM_OPT=0 KILN_CHECKS=1 bash build.sh web
  [[ " ${FAILED_LOGS[*]+"${FAILED_LOGS[*]}"} " != *" target/web-build.log "* ]] || return 1
  TEST_LOGS+=(target/engine-api.log)
  stage target/engine-api.log check_engine_api
}

# The engine's JS API as wasm-bindgen declares it, from the CPU module just built for the tests
# (with the `checks` feature), reduced by scripts/engine-api.mjs to www/types/wasm/kiln.d.ts;
# then tsc again, which holds www/worker/engine.js to it. A committed file that was out of date
# fails here (it has been rewritten), like the engine's value types (check_engine_types).
check_engine_api() {
  log "the engine's JS API from wasm-bindgen's declarations (www/types/wasm/kiln.d.ts)"
  local out="$TARGET_DIR/engine-api" before
  rm -rf "$out"
  wasm-bindgen --target web --out-dir "$out" \
    "$TARGET_DIR/cpu/wasm32-unknown-unknown/${KILN_WASM_PROFILE:-release}/kiln.wasm"
  before=$(sha256sum <www/types/wasm/kiln.d.ts)
  node scripts/engine-api.mjs "$out/kiln.d.ts" www/types/wasm/kiln.d.ts
  node_modules/.bin/tsc -p www/jsconfig.json
  if [[ "$before" != "$(sha256sum <www/types/wasm/kiln.d.ts)" ]]; then
    echo "error: www/types/wasm/kiln.d.ts was out of date with the engine's API; it has been rewritten: review and commit it" >&2
    return 1
  fi
}

# test_e2e [FILTER]: the browser end-to-end tests on dist/, one file an area
# (tests/e2e/AREA.test.mjs). FILTER naming an area (`classify`) runs that file alone; any other
# FILTER is node's --test-name-pattern over every file (each file still opens its browser).
test_e2e() {
  local files=(tests/e2e/*.test.mjs) pattern=()
  if [[ -n "${1:-}" && -f "tests/e2e/$1.test.mjs" ]]; then
    files=("tests/e2e/$1.test.mjs")
  elif [[ -n "${1:-}" ]]; then
    pattern=(--test-name-pattern="$1")
  fi
  ensure_node
  ensure_chromium
  ensure_browsers
  log "browser end-to-end tests (node's test runner: playwright-core and system Chromium; WebDriver for the journey in Chromium, Firefox and WebKit)"
  TEST_LOGS+=(target/e2e.log)
  # One file at a time: each drives its own browser, and two cores do not run three well.
  stage target/e2e.log node --test --test-concurrency=1 --test-reporter=spec \
    "${pattern[@]+"${pattern[@]}"}" "${files[@]}"
}

# start_fuzz_build: the fuzz targets' build (nightly Rust, instrumented: a quarter of an hour cold
# on two cores) in the background, in the scheduler's idle class (else at the lowest priority):
# it gets only the CPU time the other stages leave unused (a test waiting on a browser, a
# single-threaded step), and slows none of them. test_fuzz waits for it.
FUZZ_BUILD=
start_fuzz_build() {
  if [[ ! -f scripts/fuzz.sh ]]; then return; fi
  local idle=(nice -n 19)
  if chrt --idle 0 true 2>/dev/null; then idle=(chrt --idle 0); fi
  log "building the fuzz targets in the background, on idle CPU time (target/fuzz-build.log)"
  # Its own process group, so that a run ending early (Ctrl-C, a failed dist/ build) stops it.
  setsid "${idle[@]}" bash scripts/fuzz.sh build >target/fuzz-build.log 2>&1 &
  FUZZ_BUILD=$!
  trap stop_fuzz_build EXIT
}

stop_fuzz_build() {
  if [[ -n "$FUZZ_BUILD" ]]; then
    kill -- "-$FUZZ_BUILD" 2>/dev/null || true
    FUZZ_BUILD=
  fi
}

# test_fuzz [FILTER]: the short fuzzing run (FILTER: the targets, "weights checkpoint").
test_fuzz() {
  if [[ ! -f scripts/fuzz.sh ]]; then return; fi
  if [[ -n "$FUZZ_BUILD" ]]; then
    log "waiting for the fuzz targets' background build"
    # A build that failed fails again below, in the stage's log, with its message.
    wait "$FUZZ_BUILD" || true
    FUZZ_BUILD=
  fi
  log "fuzzing the readers of untrusted bytes, briefly (scripts/fuzz.sh short)"
  TEST_LOGS+=(target/fuzz.log)
  stage target/fuzz.log env ${1:+KILN_FUZZ_TARGETS="$1"} bash scripts/fuzz.sh short
}

# run_tests [PART [FILTER]]: with no PART the checks, then every part; with PART that part alone,
# with the builds it needs, its tests narrowed to FILTER when one is given. The summary last.
run_tests() {
  local part=${1:-} filter=${2:-}
  if [[ -n "$part" && " $TEST_PARTS " != *" $part "* ]] || (($# > 2)); then
    echo "usage: ./build.sh test [${TEST_PARTS// /|} [FILTER]]" >&2
    exit 2
  fi
  TEST_LOGS=()
  if [[ -z "$part" ]]; then
    run_checks
    start_fuzz_build
    test_rust
    if ! build_dist_for_tests; then
      log "dist/ did not build: the browser tests did not run"
      scripts/test-summary.sh "${FAILED_LOGS[@]}" "${TEST_LOGS[@]}"
      return 1
    fi
    test_wasm
    test_e2e
    test_fuzz
  else
    case "$part" in
      rust) test_rust "$filter" ;;
      wasm) test_wasm "$filter" ;;
      e2e)
        ensure_web_tools
        if build_dist_for_tests; then test_e2e "$filter"; fi
        ;;
      fuzz) test_fuzz "$filter" ;;
    esac
  fi
  log "summary"
  scripts/test-summary.sh "${FAILED_LOGS[@]+"${FAILED_LOGS[@]}"}" "${TEST_LOGS[@]}"
}

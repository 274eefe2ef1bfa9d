#!/usr/bin/env bash
# Kiln's one entry point. Each job lives in its own file under scripts/; this file names them.
#
#   ./build.sh                    the web app (dist/) and the native `kiln` CLI
#   ./build.sh web                the web app only: dist/, a static site  (scripts/wasm.sh)
#   ./build.sh site [--data [PATH]] dist/ ready to upload, with the dataset split for the site
#                                 (scripts/site.sh, docs/publishing.md)
#   ./build.sh serve [PORT]       build, then serve dist/ at http://localhost:PORT (8080)
#   ./build.sh serve-dist [PORT]  serve dist/ as it is; the browser tests use this
#                                 (scripts/serve.mjs; --no-isolation after PORT drops COOP/COEP)
#   ./build.sh test               checks and every test; the last line counts them (scripts/test.sh)
#   ./build.sh test PART [FILTER] one part, PART rust, wasm, e2e or fuzz, with the builds it needs;
#                                 FILTER narrows it to the tests whose names match
#   ./build.sh bench              the benchmarks behind docs/performance.md (scripts/bench.sh)
#   ./build.sh fuzz               the fuzz targets, long runs (scripts/fuzz.sh)
#   ./build.sh data               download CIFAR-10 into data/ (scripts/data.sh)
#
# Tools are installed, or named with how to install them, on first use (scripts/toolchain.sh).
# Environment: CARGO_TARGET_DIR; KILN_CIFAR10, the dataset (scripts/data.sh); KILN_WASM_OPT=0,
# KILN_THREADS=0, KILN_WASM_PROFILE, KILN_CHECKS=1 (scripts/wasm.sh); KILN_NIGHTLY
# (scripts/toolchain.sh); KILN_BENCH_LONG=1 (scripts/bench.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p target

# Each step's line starts with the minutes and seconds since the command began, so that a CI log
# shows where a cold run's time goes.
log() { printf '\033[1m==> [%d:%02d] %s\033[0m\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }

# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh
# shellcheck source=scripts/data.sh
source scripts/data.sh
# shellcheck source=scripts/wasm.sh
source scripts/wasm.sh
# shellcheck source=scripts/test.sh
source scripts/test.sh
# shellcheck source=scripts/bench.sh
source scripts/bench.sh
# shellcheck source=scripts/site.sh
source scripts/site.sh

build_native() {
  ensure_rust
  log "building the kiln CLI (release)"
  cargo build --release --locked -p kiln
}

# exec: the process that started this script (tests/helpers.mjs) stops the server by its id.
serve_dist() {
  ensure_node
  exec node scripts/serve.mjs "$@"
}

fuzz() {
  if [[ ! -f scripts/fuzz.sh ]]; then
    echo "error: no fuzz targets in this checkout (scripts/fuzz.sh)" >&2
    exit 1
  fi
  exec bash scripts/fuzz.sh long
}

case "${1:-build}" in
  build)
    build_web
    build_native
    ;;
  web) build_web ;;
  site) build_site "${@:2}" ;;
  serve)
    build_web
    serve_dist "${@:2}"
    ;;
  serve-dist) serve_dist "${@:2}" ;;
  test) run_tests "${@:2}" ;;
  bench) run_bench ;;
  fuzz) fuzz ;;
  data) fetch_data ;;
  *)
    echo "usage: ./build.sh [build|web|site [--data [PATH]]|serve [PORT]|serve-dist [PORT]|test [rust|wasm|e2e|fuzz [FILTER]]|bench|fuzz|data]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Kiln's one entry point: build, serve, test and benchmark.
#
#   ./build.sh            build the native `kiln` CLI (release)
#   ./build.sh serve      build and serve the web app (arrives with the browser issue)
#   ./build.sh test       formatting, lints and every test
#   ./build.sh bench      training throughput benchmarks
#   ./build.sh data       fetch the official CIFAR-10 archive into data/ (needs the internet)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

ROOT=$(pwd)
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

build_native() {
  ensure_rust
  log "building the kiln CLI (release)"
  cargo build --release --locked -p kiln
}

run_tests() {
  ensure_rust
  log "cargo fmt --check"
  cargo fmt --all -- --check
  log "cargo clippy -D warnings"
  cargo clippy --release --locked --all-targets -- -D warnings
  if [[ -f "$KILN_CIFAR10" ]]; then
    log "real CIFAR-10: $KILN_CIFAR10"
  else
    log "real CIFAR-10 NOT FOUND at $KILN_CIFAR10: learning tests will report SKIPPED (run ./build.sh data)"
  fi
  log "cargo test (release: burn is slow unoptimised)"
  cargo test --release --locked --workspace -- --nocapture 2>&1 | tee target/test.log
  grep -E '^test result:' target/test.log | awk '
    { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
    END { printf "%d passed, %d failed\n", p, f }'
}

run_bench() {
  build_native
  local data_args=()
  if [[ -f "$KILN_CIFAR10" ]]; then
    data_args=(--data "$KILN_CIFAR10")
  fi
  log "native training throughput (burn flex, seed network)"
  ./target/release/kiln bench "${data_args[@]}" --batch-sizes 32,128 --steps 60
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
  build) build_native ;;
  serve)
    build_native
    echo "The web app arrives with the browser issue; for now use the CLI: ./target/release/kiln --help"
    ;;
  test) run_tests ;;
  bench) run_bench ;;
  data) fetch_data ;;
  *)
    echo "usage: ./build.sh [build|serve|test|bench|data]" >&2
    exit 2
    ;;
esac

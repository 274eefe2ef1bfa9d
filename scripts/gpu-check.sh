#!/usr/bin/env bash
# The native GPU path on a machine with a real GPU, in one short run:
#
#   scripts/gpu-check.sh [CIFAR10]     CIFAR10: cifar-10-binary.tar.gz (else $KILN_CIFAR10,
#                                      ../shared/cifar10/…, data/…); without it, no accuracy
#
# builds the release CLI with the GPU (the default `webgpu` feature: burn's wgpu runtime and
# Kiln's fused kernels), then, within 8 minutes of measuring, prints the adapter; both networks'
# training speed at batch 32, 128 and 256 on the GPU with the CPU's beside it (images/second,
# ms/step); the GPU kernels launched per training step; and the seed's test accuracy after one
# epoch on the GPU. The GPU is reached through Vulkan (wgpu; WGSL shaders, as in the browser):
# burn's CUDA backend is not built in. Needs a GPU driver with Vulkan (libvulkan1 and the
# vendor's ICD), Rust through rustup (rust-toolchain.toml pins the version) and crates.io.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
KILN=${CARGO_TARGET_DIR:-$ROOT/target}/release/kiln
BUDGET=${KILN_GPU_CHECK_SECONDS:-480} # seconds of measuring, the build not counted

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

DATA=${1:-${KILN_CIFAR10:-}}
if [[ -z $DATA ]]; then
  for candidate in "$ROOT/../shared/cifar10/cifar-10-binary.tar.gz" "$ROOT/data/cifar-10-binary.tar.gz"; do
    [[ -f $candidate ]] && DATA=$candidate && break
  done
fi

if ! command -v cargo >/dev/null; then
  echo "error: cargo not found: install Rust through rustup (https://rustup.rs/)" >&2
  exit 1
fi
say "building the kiln CLI with the GPU (cargo build --release)"
cargo build --release --locked -p kiln
START=$SECONDS

# left: the seconds of the budget still unspent (at least 1).
left() { local l=$((BUDGET - (SECONDS - START))); echo $((l > 1 ? l : 1)); }

# run SECONDS COMMAND...: the command, stopped after SECONDS (and said so), never over budget.
run() {
  local limit=$1
  shift
  local l
  l=$(left)
  ((limit > l)) && limit=$l
  timeout "$limit" "$@" || {
    local rc=$?
    ((rc == 124)) && echo "(stopped after ${limit}s: over this script's time budget)"
    return 0
  }
}

say "devices (kiln info)"
"$KILN" info | sed -n '/^devices/,$p'
echo "GPU path: burn's wgpu runtime on Vulkan (Metal on macOS), WGSL shaders; not CUDA"

# The ms/step table of `kiln bench` for MODEL on DEVICE with STEPS timed steps a batch size.
bench_rows() {
  local model=$1 device=$2 steps=$3 limit=$4
  run "$limit" "$KILN" bench --model "$model" --device "$device" --batch-sizes 32,128,256 \
    --steps "$steps" | awk '/^ +[0-9]+ +[0-9]+ +[0-9.]+$/ { print $1, $2, $3 }'
}

for model in seed airbench; do
  say "$model: training speed, GPU and CPU (random pixels; 5 warm-up steps, then timed ones)"
  gpu=$(bench_rows "$model" gpu 30 120)
  cpu=$(bench_rows "$model" cpu 8 100)
  printf '%8s %12s %12s %12s %12s\n' batch "GPU img/s" "GPU ms/step" "CPU img/s" "CPU ms/step"
  for batch in 32 128 256; do
    g=$(awk -v b="$batch" '$1 == b { print $2, $3 }' <<<"$gpu")
    c=$(awk -v b="$batch" '$1 == b { print $2, $3 }' <<<"$cpu")
    read -r gi gm <<<"${g:-- -}"
    read -r ci cm <<<"${c:-- -}"
    printf '%8s %12s %12s %12s %12s\n' "$batch" "$gi" "$gm" "$ci" "$cm"
  done
done

# Kernel launches: cubecl logs each kernel it runs where a cubecl.toml in the working directory
# asks for "minimal" profiling (names only: no timing, no extra synchronisation). A step ends
# with the optimiser's updates (AdamKernel, NesterovKernel, SgdKernel, one per trained tensor,
# a few launches apart), so the launches from one step's first update to the next step's are
# one step's: the median over the run. (The log is written from a background task, and a few
# of its last lines can be lost when the process exits; the median does not need them.)
say "GPU kernel launches per training step (batch 32; cubecl's minimal profiling log)"
LAUNCHES=$(mktemp -d)
trap 'rm -rf "$LAUNCHES"' EXIT
cat >"$LAUNCHES/cubecl.toml" <<EOF
[profiling.logger]
level = "minimal"
file = "$LAUNCHES/launches.log"
append = false
EOF
for model in seed airbench; do
  rm -f "$LAUNCHES/launches.log"
  (cd "$LAUNCHES" && run 90 "$KILN" bench --model "$model" --device gpu --batch-sizes 32 --steps 20 >/dev/null)
  per_step=$(awk '/^Executing/ { n++
      if ($2 ~ /^(Adam|Nesterov|Sgd)Kernel/) { if (!prev || n - prev > 10) { if (start) print n - start; start = n }; prev = n } }' \
    "$LAUNCHES/launches.log" 2>/dev/null | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
  echo "$model: ${per_step:-not counted (no whole step in the launch log: no log, or out of time)} launches per step"
done

say "the seed, one epoch on the GPU (kiln train --device gpu --epochs 1)"
if [[ -n $DATA && -f $DATA ]]; then
  run "$(left)" "$KILN" train --device gpu --data "$DATA" --epochs 1 2>&1 | grep -E '^(device|epoch|done)' || true
else
  echo "no accuracy: CIFAR-10 not found (give its path, or set KILN_CIFAR10)"
fi
say "done in $((SECONDS - START)) s of measuring"

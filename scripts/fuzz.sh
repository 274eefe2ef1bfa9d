#!/usr/bin/env bash
# Fuzz the readers of untrusted bytes (the dataset reader, the weights loader, the checkpoint
# loader) with cargo-fuzz and libFuzzer. The targets are in fuzz/fuzz_targets/.
#
#   scripts/fuzz.sh short            a fixed, reproducible run of each target (part of every
#                                    test run: about 25 s each here)
#   scripts/fuzz.sh long [SECONDS]   each target for SECONDS (default 3600)
#   scripts/fuzz.sh build            the targets' build alone (`./build.sh test` starts it early,
#                                    in the background, on the CPU time its other stages leave)
#   KILN_FUZZ_TARGETS="weights checkpoint" scripts/fuzz.sh ...   only those targets
#
# A short run starts from the committed seeds alone, with a fixed random seed and a fixed number
# of inputs, so it explores the same inputs on every machine: a test run cannot turn red because
# the fuzzer happened to find something new. What it finds is a regression. The long runs
# explore, and grow the corpus kept in the cache below.
#
# Prints, per target, how many inputs ran (libFuzzer's -print_final_stats=1); exits non-zero on
# any crash, out-of-memory, leak or timeout, with the path of the input that caused it. Needs
# Rust nightly, of the date scripts/toolchain.sh pins; installs cargo-fuzz when it is missing.
# KILN_FUZZ_SANITIZER=none builds without AddressSanitizer (a faster cold build, but libFuzzer
# then cannot enforce -malloc_limit_mb, only the RSS limit).
#
# The fuzz build (burn with sanitizer instrumentation, under nightly) takes a quarter of an hour
# cold on two cores, so it lives in a cache shared by every checkout on the machine,
# $KILN_FUZZ_TARGET_DIR (default ~/.cache/kiln/fuzz-target): a fresh clone rebuilds only Kiln's
# own crates. The inputs that found new paths are kept there too (corpus/), so each run goes on
# from the last.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage() {
    echo "usage: scripts/fuzz.sh short | long [SECONDS] | build" >&2
    exit 2
}
mode=${1:-short}
case "$mode" in
    short | build) seconds=0 ;;
    long) seconds=${2:-3600} ;;
    *) usage ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

# The nightly that scripts/toolchain.sh pins by date (the one the multi-threaded build uses), so
# that a newer nightly cannot change what is fuzzed or break the build; KILN_NIGHTLY names another.
log() { echo "==> $*" >&2; }
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh
if ! nightly=$(ensure_nightly); then
    echo "SKIPPED: fuzzing needs Rust nightly-$NIGHTLY_DATE (install it with: rustup toolchain install nightly-$NIGHTLY_DATE)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked
fi

target_dir=${KILN_FUZZ_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kiln/fuzz-target}
[[ "$target_dir" = /* ]] || target_dir=$root/$target_dir
mkdir -p "$target_dir"
corpus=$target_dir/corpus
artifacts=$target_dir/artifacts
mkdir -p "$artifacts"

# The targets, and for each the seed folders it starts from and the largest input it tries.
# KILN_FUZZ_TARGETS picks some of them ("weights checkpoint").
read -r -a targets <<<"${KILN_FUZZ_TARGETS:-dataset weights checkpoint}"
declare -A seeds=(
    [dataset]="fuzz/seeds/dataset"
    [weights]="www/models"
    [checkpoint]="fuzz/seeds/checkpoint"
)
declare -A max_len=([dataset]=65536 [weights]=600000 [checkpoint]=2000000)
# A short run's inputs per target (seeds included): about 25 s each on a 2-core machine.
declare -A short_runs=([dataset]=20000 [weights]=5000 [checkpoint]=600)

sanitizer=(--sanitizer "${KILN_FUZZ_SANITIZER:-address}")
cargo "+$nightly" fuzz build "${sanitizer[@]}" --target-dir "$target_dir" >&2
if [ "$mode" = build ]; then exit 0; fi

failed=()
for target in "${targets[@]}"; do
    mkdir -p "$corpus/$target" "$artifacts/$target"
    log=$target_dir/$target.log
    # Allocations over 2 GB, a process over 2 GB and an input that runs 30 s are bugs.
    status=0
    if [ "$mode" = short ]; then
        # A fresh folder for what the run finds (libFuzzer writes into the first one), the
        # committed seeds, a fixed seed and a fixed number of inputs.
        found=$(mktemp -d)
        limit=(-seed=1 -runs="${short_runs[$target]}")
    else
        found=$corpus/$target
        limit=(-max_total_time="$seconds")
    fi
    nice -n "${KILN_FUZZ_NICE:-0}" cargo "+$nightly" fuzz run "${sanitizer[@]}" --target-dir "$target_dir" "$target" \
        "$found" ${seeds[$target]} -- \
        "${limit[@]}" -max_len="${max_len[$target]}" -timeout=30 \
        -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target/" >"$log" 2>&1 || status=$?
    # libFuzzer's final stats: `number_of_executed_units` (`_runs` in older releases).
    runs=$(sed -nE 's/^stat::number_of_executed_(runs|units): *//p' "$log" | tail -1)
    time=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1 || true)
    if [ "$status" -eq 0 ]; then
        echo "fuzz $target: ${runs:-?} inputs, no crash (${time:-done}); log: $log"
    else
        echo "fuzz $target: FAILED after ${runs:-?} inputs (exit $status); log: $log"
        grep -E '^(==[0-9]+==|SUMMARY|thread .* panicked|artifact_prefix|Test unit written|Base64)' "$log" \
            | head -20 | sed 's/^/    /'
        grep -o 'Test unit written to [^ ]*' "$log" | sed 's/^/    crashing input: /' || true
        failed+=("$target")
    fi
    if [ "$mode" = short ]; then rm -rf "$found"; fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]}"
    exit 1
fi
echo "fuzzing: ${#targets[@]} targets, no crash"

#!/usr/bin/env bash
# The test command's summary, from the logs of its stages:
#
#   scripts/test-summary.sh [--failed LOG]... LOG...
#
# prints the failed tests, then why tests were skipped, then, as the last line,
# `N passed, N failed, N skipped`. Exits 1 when anything failed.
#
# A log holds cargo's test output (native or wasm-bindgen-test: `test result:` lines; `ignored`
# counts as skipped) or node's test runner with the spec reporter (`ℹ pass N`, `ℹ fail N`,
# `ℹ cancelled N` counted as failed, `ℹ skipped N` and `ℹ todo N` as skipped). A Rust test has no
# way to skip itself at run time, so a Rust test that cannot run (no real dataset) prints a line
# with `SKIPPED: why` and returns: each such line moves one test of that log from passed to
# skipped (in a log with no tests, such as the fuzzing stage's, it counts as one skipped check).
# `--failed LOG` says the stage writing LOG exited non-zero; when its log counts no
# failed test (it did not compile, crashed, timed out), the stage counts as one failure.
set -euo pipefail

failed_stages=()
logs=()
while (($#)); do
  case "$1" in
    --failed)
      failed_stages+=("$2")
      shift 2
      ;;
    *)
      logs+=("$1")
      shift
      ;;
  esac
done

passed=0 failed=0 skipped=0
failures=() reasons=()
for log in "${logs[@]}"; do
  [[ -f "$log" ]] || continue
  # One line per figure, then the failed tests (F name) and the skip reasons (S reason).
  counts=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log" | awk '
    /^ℹ tests [0-9]+/ { node = 1 }
    /^ℹ pass [0-9]+/ { np += $3 }
    /^ℹ (fail|cancelled) [0-9]+/ { nf += $3 }
    /^ℹ (skipped|todo) [0-9]+/ { ns += $3 }
    /^[ \t]*﹣ / { line = $0; sub(/^[ \t]*﹣ /, "", line); name = line; sub(/ \([0-9.]+m?s\)( #.*)?$/, "", name)
                  reason = line; if (!sub(/^.* # /, "", reason)) reason = "skipped"; nodeskip[name ": " reason] = 1 }
    # A todo test counts as skipped whether it passed or failed (node does not count it as failed).
    /^[ \t]*(✔|✖) .* # TODO/ { line = $0; sub(/^[ \t]*(✔|✖) /, "", line); sub(/ \([0-9.]+m?s\) # TODO.*$/, "", line); nodeskip[line ": todo"] = 1 }
    /^[ \t]*✖ / && !/✖ failing tests:/ && !/ # TODO/ { line = $0; sub(/^[ \t]*✖ /, "", line); sub(/ \([0-9.]+m?s\)( #.*)?$/, "", line); nodefail[line] = 1 }
    /^test result: / {
      for (i = 1; i <= NF; i++) {
        if ($(i + 1) ~ /^passed/) cp += $i
        if ($(i + 1) ~ /^failed/) cf += $i
        if ($(i + 1) ~ /^ignored/) cs += $i
      }
    }
    /^test .* \.\.\. ignored/ { line = $0; sub(/^test /, "", line); sub(/ \.\.\. ignored,? ?/, ": ", line); sub(/: $/, ": ignored", line); cargoskip[line] = 1 }
    /^test .* \.\.\. FAILED/ { line = $0; sub(/^test /, "", line); sub(/ \.\.\. FAILED.*$/, "", line); cargofail[line] = 1 }
    /SKIPPED:/ { line = $0; sub(/^.*SKIPPED: */, "", line); early++; earlyreason[line]++ }
    END {
      if (node) {
        print np + 0; print nf + 0; print ns + 0
        for (k in nodefail) print "F " k
        for (k in nodeskip) print "S " k
      } else {
        moved = early < cp ? early : cp
        print cp - moved; print cf + 0; print cs + early
        for (k in cargofail) print "F " k
        for (k in cargoskip) print "S " k
        for (k in earlyreason) print "S " (earlyreason[k] > 1 ? earlyreason[k] " tests: " : "") k
      }
    }')
  { read -r p; read -r f; read -r s; } <<<"$counts"
  while IFS= read -r line; do
    case "$line" in
      "F "*) failures+=("${line#F }") ;;
      "S "*) reasons+=("${line#S }") ;;
    esac
  done < <(sed 1,3d <<<"$counts" | LC_ALL=C sort)
  passed=$((passed + p))
  skipped=$((skipped + s))
  for stage in "${failed_stages[@]+"${failed_stages[@]}"}"; do
    if [[ "$stage" == "$log" && $f -eq 0 ]]; then
      f=1
      failures+=("$log: the stage failed outside any test it counts (a build error, a crash or a timeout: see the log)")
    fi
  done
  failed=$((failed + f))
done
# A failed stage whose log is missing failed before writing anything.
for stage in "${failed_stages[@]+"${failed_stages[@]}"}"; do
  if [[ ! -f "$stage" ]]; then
    failed=$((failed + 1))
    failures+=("$stage: the stage failed before writing its log")
  fi
done

for line in "${failures[@]+"${failures[@]}"}"; do echo "failed: $line"; done
for line in "${reasons[@]+"${reasons[@]}"}"; do echo "skipped: $line"; done
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))

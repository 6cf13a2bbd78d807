#!/usr/bin/env bash
# Builds salestrack's libFuzzer targets with clang (ASan + UBSan, libFuzzer coverage) in ./build-asan,
# the build tools/sanitize.sh asan runs the tests in, and runs each for a bounded time from its seed
# corpus and regression inputs.
#
#   tools/fuzz.sh                # every target, 60 s each
#   tools/fuzz.sh 30             # 30 s each
#   tools/fuzz.sh 600 cli_json   # one target
#
# Targets and their properties: fuzz/fuzz_targets.h. New coverage-increasing inputs go to
# build-asan/corpus/<target>/ (merge good ones into fuzz/corpus/<target>/ by hand); a crash stops the
# run, leaves the input in build-asan/artifacts/<target>/ and exits 1: copy it into
# fuzz/regressions/<target>/ (tests/fuzz_replay_test.cc then replays it in every test run) and fix.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(event_decoder cli_json)

tools/sanitize.sh --build asan "${targets[@]/%/_fuzz}"

status=0
for t in "${targets[@]}"; do
  mkdir -p "build-asan/corpus/$t" "build-asan/artifacts/$t"
  echo "fuzz: $t for ${seconds} s"
  # -rss_limit_mb and -timeout turn runaway memory or time on one input into a reported failure.
  # The inputs: new finds first (libFuzzer writes there), then the checked-in seeds and regressions.
  # Git keeps no empty directory, so a target without regressions has none: pass only what exists.
  inputs=("build-asan/corpus/$t")
  for d in "fuzz/corpus/$t" "fuzz/regressions/$t"; do [ -d "$d" ] && inputs+=("$d"); done
  if ! "build-asan/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="build-asan/artifacts/$t/" "${inputs[@]}" \
      >"build-asan/$t.log" 2>&1; then
    echo "fuzz: $t FAILED; the input is in build-asan/artifacts/$t/ (log: build-asan/$t.log):"
    grep -E -A2 "ERROR: |fuzz property broken|SUMMARY|Test unit written" "build-asan/$t.log" \
      | grep -v "libprotobuf" | head -20 || true
    status=1
    continue
  fi
  # The closing statistics: runs, exec/s, coverage.
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" \
    "build-asan/$t.log" | sed "s/^/fuzz: $t /" || true
  grep -E "DONE" "build-asan/$t.log" | tail -1 | sed "s/^/fuzz: $t /" || true
done
exit $status

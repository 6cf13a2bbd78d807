#!/usr/bin/env bash
# Installs what is missing, builds everything, checks the C++ formatting (tools/check_format.sh) and
# the layering of the includes (tools/check_layers.sh), and runs the whole test suite with ctest.
# (The benchmarks are built, not run: see docs/benchmarks.md.)
# With SALESTRACK_FUZZ_SECONDS=N (CI sets 45) it first runs each libFuzzer target for N seconds
# (tools/fuzz.sh; clang, in ./build-asan). The fuzzers' corpora and regression inputs are replayed by
# ctest's fuzz_replay_test either way.
# With SALESTRACK_SANITIZE=1 (CI sets it) it then runs the tests again under ASan + UBSan and under
# TSan (tools/sanitize.sh; clang, in ./build-asan and ./build-tsan). Arguments go to the first ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/check_format.sh
tools/check_layers.sh
if [ "${SALESTRACK_FUZZ_SECONDS:-0}" != "0" ]; then
  tools/fuzz.sh "$SALESTRACK_FUZZ_SECONDS"
fi
(cd build && ctest --output-on-failure --timeout 300 -j "$(nproc)" "$@")
if [ "${SALESTRACK_SANITIZE:-0}" != "0" ]; then
  tools/sanitize.sh asan
  tools/sanitize.sh tsan
fi

#!/usr/bin/env bash
# Builds salestrack with clang and a sanitizer and runs the unit and end-to-end tests under it (the
# daemon and CLI they start are instrumented too). Both builds also check the Abseil lock
# annotations (-Wthread-safety, an error). See docs/testing.md.
#
#   tools/sanitize.sh asan [ctest args]         # ASan + UBSan in ./build-asan (also the fuzzers')
#   tools/sanitize.sh tsan [ctest args]         # TSan in ./build-tsan
#   tools/sanitize.sh --build asan [targets...] # configure and build only (tools/fuzz.sh)
#
# A sanitizer report in any process (a test, a daemon, a CLI) fails the run: every report goes to a
# file under build-<kind>/sanitizer-reports/, and the run fails if one is there after ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

build_only=0
if [ "${1:-}" = --build ]; then
  build_only=1
  shift
fi
kind=${1:-}
shift || true
case "$kind" in
  # The fuzzers are built here too (SALESTRACK_FUZZ), so CI compiles clang+ASan once.
  # AppendMemoryTest bounds the daemon's RSS, which ASan's quarantine and redzones multiply (a
  # 200 MiB bound, 450-650 MiB measured): the gcc suite checks it.
  asan) sanitize=address,undefined fuzz=ON only=(-E '^AppendMemoryTest[.]') targets=() ;;
  # The unit tests only: in a daemon, Debian's gRPC (not TSan-built) hands each call between its
  # threads unseen, and its inlined C++ API floods every e2e test with reports (docs/testing.md).
  # Only what it runs is built: the unit tests (CMake's unit_tests target).
  tsan) sanitize=thread fuzz=OFF only=(-L unit) targets=(unit_tests) ;;
  *)
    echo "usage: tools/sanitize.sh [--build] asan|tsan [ctest args | targets]" >&2
    exit 2
    ;;
esac
dir=build-$kind

# clang and its sanitizer runtimes come with tools/setup.sh's packages.
tools/setup.sh --packages
if [ ! -f "$dir/build.ninja" ]; then
  # -O1 and line tables only: the reports' stacks name every line, and the build is lighter
  # than RelWithDebInfo's -O2 -g.
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DSALESTRACK_SANITIZE="$sanitize" -DSALESTRACK_FUZZ="$fuzz" -DSALESTRACK_BUILD_TESTS=ON \
    -DSALESTRACK_BUILD_BENCH=OFF >/dev/null
fi
if [ "$build_only" = 1 ]; then
  ninja -C "$dir" -j "$(nproc)" "$@"
  exit 0
fi
start=$(date +%s)
ninja -C "$dir" -j "$(nproc)" "${targets[@]}"
echo "sanitize: $kind build took $(($(date +%s) - start)) s"

reports=$PWD/$dir/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
# halt_on_error: the first report ends the process, so a test cannot pass over it.
export ASAN_OPTIONS="log_path=$reports/asan:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:detect_leaks=1"
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tools/tsan.supp"

start=$(date +%s)
status=0
(cd "$dir" && ctest --output-on-failure --timeout 900 -j "$(nproc)" "${only[@]}" "$@") || status=1
echo "sanitize: $kind tests took $(($(date +%s) - start)) s"
if compgen -G "$reports/*" >/dev/null; then
  echo "sanitize: sanitizer reports (in $reports):"
  for f in "$reports"/*; do
    echo "==== $f"
    head -60 "$f"
  done
  status=1
fi
exit $status

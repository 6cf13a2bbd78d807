#!/usr/bin/env bash
# Installs the Debian 12 packages salestrack needs (only those missing), then configures and builds it
# with CMake + Ninja (+ ccache) into ./build. Safe to run again: it does only what is left.
#
#   tools/setup.sh                        # everything: install all, build daemon, CLI, tests, benches
#   tools/setup.sh --daemon [targets...]  # only what the daemon and CLI need (tools/run.sh)
#   tools/setup.sh [targets...]           # all packages, build only these targets
#   tools/setup.sh --packages             # install all packages, build nothing (tools/fuzz.sh)
# Environment: BUILD_TYPE (default RelWithDebInfo) and SALESTRACK_CMAKE_ARGS (extra cmake arguments)
# apply when ./build is configured.
set -euo pipefail
cd "$(dirname "$0")/.."

# What salestrackd and the salestrack CLI need to build and run.
daemon_packages=(cmake ninja-build ccache g++ pkg-config tzdata
                 librocksdb-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
                 libabsl-dev libspdlog-dev libssl-dev openssl prometheus-cpp-dev
                 grpc-proto  # gRPC's health and reflection .proto files, compiled in.
                 libcsv-dev  # The CSV of `salestrack import --mapping` (RFC 4180).
                 libcurl4-openssl-dev  # The notifier's outgoing webhooks (src/notify/).
                 libcivetweb-dev  # The HTTP/JSON front door (src/http/).
                 libicu-dev  # Money, percents and 万/亿 in the locale (src/format/).
                 libgmp-dev)  # Exact rationals for scoring (include/salestrack/score_math.h).
# What the tests, benchmarks and fuzzers add: GoogleTest and Benchmark, Redis (a benchmark's
# baseline), clang's libFuzzer and clang-format, Chromium with CJK fonts for the rendered pages
# and reports, and gRPC for Python (the client example, examples/python).
test_packages=(libgtest-dev libgmock-dev libbenchmark-dev libhiredis-dev redis-tools
               clang libclang-rt-14-dev clang-format chromium fonts-noto-cjk libpng-dev
               python3-grpcio
               curl nodejs)  # docs/http.md's curl lines (http_docs_e2e_test); the Node example.

mode=all
case "${1:-}" in
  --daemon) mode=daemon; shift ;;
  --packages) mode=packages; shift ;;
esac
packages=("${daemon_packages[@]}")
[ "$mode" = daemon ] || packages+=("${test_packages[@]}")

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log=$(mktemp /tmp/salestrack-apt.XXXXXX.log)
  echo "setup: installing ${#missing[@]} Debian package(s) and what they need: ${missing[*]} (log: $log)"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
           --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -20 "$log"
    echo "setup: apt-get failed; the whole log is $log" >&2
    exit 1
  fi
fi

# The Node gRPC example's packages (@grpc/grpc-js) come from the npm registry, pinned by its
# package-lock.json; Debian's npm only when there is no npm at all (a Node.js from elsewhere brings
# its own). Install scripts are not run: the example needs none.
if [ "$mode" = all ]; then
  node_example=examples/node-grpc
  if [ ! -f "$node_example/node_modules/.package-lock.json" ] ||
     [ "$node_example/package-lock.json" -nt "$node_example/node_modules/.package-lock.json" ]; then
    if ! command -v npm >/dev/null; then
      echo "setup: installing Debian's npm (for $node_example)"
      { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
          --no-install-recommends npm; } >/dev/null
    fi
    # Node trusts the system's certificates too (a network's own CA, added to Debian's store).
    [ -f /etc/ssl/certs/ca-certificates.crt ] && export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    echo "setup: npm ci in $node_example"
    (cd "$node_example" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
fi

[ "$mode" != packages ] || exit 0

build_type=${BUILD_TYPE:-RelWithDebInfo}
if [ "$mode" = daemon ]; then
  tests=OFF
  # A tree configured with the tests keeps them (the packages are there).
  grep -q '^SALESTRACK_BUILD_TESTS:BOOL=ON' build/CMakeCache.txt 2>/dev/null && tests=ON
else
  tests=ON
fi
if [ ! -f build/build.ninja ] || ! grep -q "^SALESTRACK_BUILD_TESTS:BOOL=$tests" build/CMakeCache.txt; then
  [ -f build/build.ninja ] || echo "setup: the first build takes 10-20 minutes on 2 cores (gRPC's headers are heavy); later ones only rebuild what changed"
  # shellcheck disable=SC2086  # SALESTRACK_CMAKE_ARGS is a list of arguments.
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DSALESTRACK_BUILD_TESTS=$tests \
    -DSALESTRACK_BUILD_BENCH=$tests ${SALESTRACK_CMAKE_ARGS:-} >/dev/null
fi
# Two cores: ninja's default of nproc+2 jobs thrashes memory on the gRPC headers.
ninja -C build -j "$(nproc)" "$@"

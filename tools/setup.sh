#!/usr/bin/env bash
# Installs what salestrack needs from Debian 12's packages (only what is missing), then configures and
# builds it with CMake + Ninja (+ ccache) into ./build. Safe to run again: it does only what is left.
#
#   tools/setup.sh                 # install + build everything
#   tools/setup.sh salestrackd     # install + build only these targets
#   tools/setup.sh --packages      # install only (tools/fuzz.sh)
# Environment: BUILD_TYPE (default RelWithDebInfo) and SALESTRACK_CMAKE_ARGS (extra cmake arguments)
# apply when ./build is first configured.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build ccache g++ pkg-config tzdata
          librocksdb-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
          libabsl-dev libspdlog-dev libssl-dev openssl libgtest-dev libgmock-dev libbenchmark-dev
          libhiredis-dev redis-tools prometheus-cpp-dev clang libclang-rt-14-dev
          grpc-proto  # gRPC's health and reflection .proto files, compiled into salestrack_proto.
          chromium fonts-noto-cjk libpng-dev)  # Scoring reports: rendered and screenshot in tests.

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" != "--packages" ] || exit 0

build_type=${BUILD_TYPE:-RelWithDebInfo}
if [ ! -f build/build.ninja ]; then
  # shellcheck disable=SC2086  # SALESTRACK_CMAKE_ARGS is a list of arguments.
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" ${SALESTRACK_CMAKE_ARGS:-}
fi
# Two cores: ninja's default of nproc+2 jobs thrashes memory on the gRPC headers.
ninja -C build -j "$(nproc)" "$@"

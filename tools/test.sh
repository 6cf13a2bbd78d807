#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs the whole test suite with ctest.
# (The benchmarks are built, not run: see bench/README.md.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cd build
ctest --output-on-failure --timeout 300 -j "$(nproc)" "$@"

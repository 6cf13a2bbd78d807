#!/usr/bin/env bash
# Rewrites the screenshot goldens (tests/browser/golden/*.png) from this machine's Chromium, after a
# deliberate change to the pages' look. Review the new PNGs before committing them.
#   tests/browser/regenerate_goldens.sh [build dir, default ./build]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
ninja -C "$build" -j2 salestrackd
python3 tests/browser/web_e2e_test.py --salestrackd "$build/salestrackd" --regenerate-goldens \
  FixedDataTest.test_screenshots
git status --short tests/browser/golden

#!/usr/bin/env bash
# Quick start: install what is missing, build, and run salestrackd on 127.0.0.1:7411 with its data in
# ./salestrack-data. Extra arguments go to salestrackd (see: build/salestrackd --help).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --daemon salestrackd salestrack
echo "run: try 'build/salestrack health' in another terminal; Ctrl-C stops the daemon cleanly."
# Development: no API keys (the daemon warns loudly). Production configs have api_keys; see deploy/.
exec build/salestrackd --data_dir ./salestrack-data --insecure_no_auth "$@"

#!/usr/bin/env bash
# Quick start: install what is missing, build, and run salestrackd with its data in ./salestrack-data:
# gRPC on 127.0.0.1:7411, and HTTP (the JSON API and the web app) on 127.0.0.1:8080. Extra arguments
# go to salestrackd (see: build/salestrackd --help).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --daemon salestrackd salestrack
echo "run: open http://127.0.0.1:8080/ (the manager's app; /screen/<unit> is a TV board), or try"
echo "     'build/salestrack health' in another terminal; Ctrl-C stops the daemon cleanly."
# Development: no API keys (the daemon warns loudly). Production configs have api_keys; see deploy/.
exec build/salestrackd --data_dir ./salestrack-data --insecure_no_auth --http_listen 127.0.0.1:8080 "$@"

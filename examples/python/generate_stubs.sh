#!/bin/sh
# Generates the Python messages and gRPC stubs of proto/salestrack/v1 into OUT_DIR (put it on
# PYTHONPATH). Debian's protoc and grpc_python_plugin match its python3-protobuf and python3-grpcio;
# its python3-grpc-tools bundles a protoc too old for proto3 `optional` fields.
#
#   examples/python/generate_stubs.sh OUT_DIR
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
proto_root="$(cd "$(dirname "$0")/../../proto" && pwd)"
mkdir -p "$1"
protoc -I "$proto_root" --python_out="$1" --grpc_python_out="$1" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
  "$proto_root"/salestrack/v1/*.proto

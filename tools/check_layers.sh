#!/usr/bin/env bash
# Checks that no file includes what its layer must not (docs/architecture.md "Layers"); exits 1 and
# names each offending file, line and include. tools/test.sh runs it.
#
#   tools/check_layers.sh          # the tree this script is in
#   tools/check_layers.sh DIR      # another tree (the layering test plants violations in a copy)
#
# Direct includes only: what a header drags in is the link's business (each library links only what
# its layer may use, CMakeLists.txt), so a transitive reach fails the build instead.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

# The rules, one line per layer: name | its directories | the includes it must not have (extended
# regexes matched against the path inside the quotes or angle brackets, space-separated).
grpc='^grpcpp/ ^grpc/ \.grpc\.pb\.h$'
rules=(
  "core | include/salestrack src/core | $grpc ^rocksdb/ ^openssl/ ^auth/ ^store/ ^engine/ ^server/ ^cli/ ^cmdline/ ^notify/ ^curl/ ^http/"
  "auth | src/auth | $grpc ^rocksdb/ ^store/ ^engine/ ^server/ ^cli/ ^notify/ ^http/"
  "store | src/store | $grpc ^auth/ ^engine/ ^server/ ^cli/ ^notify/ ^http/"
  "engine | src/engine | $grpc ^server/ ^cli/ ^notify/ ^curl/ ^http/"
  "notify | src/notify | $grpc ^server/ ^cli/ ^http/"
  "http | src/http | $grpc ^server/ ^cli/ ^notify/ ^curl/"
  "server | src/server | ^cli/"
  "cmdline | src/cmdline | $grpc ^rocksdb/ ^openssl/ ^auth/ ^store/ ^engine/ ^server/ ^cli/ ^notify/ ^http/"
  "cli | tools/cli | ^rocksdb/ ^store/ ^engine/ ^server/ ^notify/ ^http/"
  "format | src/format | $grpc ^rocksdb/ ^openssl/ ^auth/ ^store/ ^engine/ ^server/ ^cli/ ^cmdline/ ^notify/ ^http/"
  "report | src/report | $grpc ^rocksdb/ ^openssl/ ^auth/ ^store/ ^engine/ ^server/ ^cli/ ^cmdline/ ^notify/ ^http/"
)

checked=0
violations=0
for rule in "${rules[@]}"; do
  IFS='|' read -r layer dirs forbidden <<<"$rule"
  layer=${layer// /}
  read -ra dir_list <<<"$dirs"
  read -ra patterns <<<"$forbidden"
  existing=()
  for d in "${dir_list[@]}"; do
    [ -d "$d" ] && existing+=("$d")
  done
  [ ${#existing[@]} -gt 0 ] || continue
  # The sources, whether or not this is a git checkout (a release tarball has no .git).
  mapfile -t files < <(find "${existing[@]}" -type f \( -name '*.cc' -o -name '*.h' \) | sort)
  checked=$((checked + ${#files[@]}))
  for f in "${files[@]}"; do
    while IFS=: read -r line include; do
      for pattern in "${patterns[@]}"; do
        if [[ $include =~ $pattern ]]; then
          echo "layers: $f:$line: includes \"$include\", which the $layer layer must not ($pattern)"
          violations=$((violations + 1))
        fi
      done
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
               sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1:\2/')
  done
done

# One mutex: salestrack::Mutex (include/salestrack/mutex.h), the absl::Mutex that ThreadSanitizer
# can see. A bare absl::Mutex would hide its locking from TSan and turn what it guards into reports.
while IFS=: read -r f line _; do
  [ "$f" = include/salestrack/mutex.h ] && continue
  echo "layers: $f:$line: includes absl/synchronization/mutex.h; use salestrack/mutex.h (salestrack::Mutex)"
  violations=$((violations + 1))
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]absl/synchronization/mutex\.h[>"]' \
           include src tools tests bench fuzz 2>/dev/null || true)

if [ "$checked" -eq 0 ]; then
  echo "layers: no C++ files found under $(pwd)" >&2
  exit 1
fi
if [ "$violations" -gt 0 ]; then
  echo "layers: $violations include(s) across layers (docs/architecture.md \"Layers\")"
  exit 1
fi
echo "layers: $checked C++ files include only what their layers may"

#!/usr/bin/env bash
# Checks that every C++ source file is formatted as .clang-format says (Debian's clang-format 14);
# exits 1 and names the files that are not. tools/test.sh runs it. To fix: tools/check_format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
# The sources, whether or not this is a git checkout (a release tarball has no .git).
mapfile -t files < <(find src include tools tests bench fuzz -name '*.cc' -o -name '*.h' | sort)
if [ ${#files[@]} -eq 0 ]; then
  echo "format: no C++ files found under $(pwd)" >&2
  exit 1
fi
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "format: ${#bad[@]} file(s) not formatted as .clang-format says (tools/check_format.sh --fix):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "format: ${#files[@]} C++ files formatted"

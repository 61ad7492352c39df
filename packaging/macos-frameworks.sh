#!/usr/bin/env bash
# Writes link-time stubs (.tbd) of Security.framework and CoreFoundation.framework into
# DIR, from packaging/macos-frameworks.txt, so zig can link the macOS targets without the
# macOS SDK. A stub names the real framework's install path and the symbols rootcert uses;
# on a Mac the dynamic loader binds them to the real frameworks.
#   packaging/macos-frameworks.sh DIR      (then link with -F DIR)
# A link that stops at "undefined symbol: _X" after a dependency update: add X to the list.
set -euo pipefail
dir="${1:?usage: packaging/macos-frameworks.sh DIR}"
list="$(dirname "$0")/macos-frameworks.txt"
for framework in Security CoreFoundation; do
  mkdir -p "$dir/$framework.framework"
  symbols="$(awk -v f="$framework" '$1 == f { printf "%s%s", sep, $2; sep = ", " }' "$list")"
  cat > "$dir/$framework.framework/$framework.tbd" <<TBD
--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos, arm64-macos ]
install-name:    '/System/Library/Frameworks/$framework.framework/Versions/A/$framework'
current-version: 0
exports:
  - targets:         [ x86_64-macos, arm64-macos ]
    symbols:         [ $symbols ]
...
TBD
done

#!/usr/bin/env bash
# Checks what packaging/release.sh made: SHA256SUMS matches, every archive holds the binary
# for its target (by its file header), README, LICENSE, the man page and four completion
# scripts; the x86_64 Linux one runs here (the macOS ones can only be looked at).
#   packaging/test-release.sh DIST_DIR
set -euo pipefail
dist="${1:?usage: packaging/test-release.sh DIST_DIR}"
(cd "$dist" && sha256sum --quiet -c SHA256SUMS)
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$(dirname "$0")/../Cargo.toml" | head -n 1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
check() { # TARGET BINARY-NAME EXPECTED-FILE-HEADER
  local name="rootcert-$version-$1" dir
  dir="$work/$name"
  case "$1" in
    *windows*) unzip -q "$dist/$name.zip" -d "$work" ;;
    *) tar -C "$work" -xzf "$dist/$name.tar.gz" ;;
  esac
  for f in "$2" README.md LICENSE docs/drivers/README.md doc/rootcert.1 complete/rootcert.bash complete/_rootcert \
           complete/rootcert.fish complete/_rootcert.ps1; do
    test -s "$dir/$f" || { echo "$name lacks $f" >&2; exit 1; }
  done
  file -b "$dir/$2" | grep -q "$3" || { echo "$name/$2 is $(file -b "$dir/$2")" >&2; exit 1; }
  grep -q '^\.SH' "$dir/doc/rootcert.1"
  [ "$(grep -c . "$dist/SHA256SUMS")" = 5 ]
}
check x86_64-unknown-linux-musl rootcert 'ELF 64-bit LSB .*x86-64.*static'
check aarch64-unknown-linux-musl rootcert 'ELF 64-bit LSB .*ARM aarch64.*static'
check x86_64-pc-windows-gnu rootcert.exe 'PE32+ executable.*x86-64'
check x86_64-apple-darwin rootcert 'Mach-O 64-bit x86_64 executable'
check aarch64-apple-darwin rootcert 'Mach-O 64-bit arm64 executable'
# The macOS binaries load Apple's frameworks from where macOS keeps them (the stubs they
# were linked against name those paths).
for arch in x86_64 aarch64; do
  for framework in Security CoreFoundation; do
    grep -qa "/System/Library/Frameworks/$framework.framework/Versions/A/$framework" \
      "$work/rootcert-$version-$arch-apple-darwin/rootcert" ||
      { echo "the $arch macOS binary does not load $framework" >&2; exit 1; }
  done
done
# Apple silicon runs only signed code: zig's linker signs ad hoc (LC_CODE_SIGNATURE).
python3 - "$work/rootcert-$version-aarch64-apple-darwin/rootcert" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
ncmds, offset, commands = struct.unpack_from("<I", data, 16)[0], 32, []
for _ in range(ncmds):
    cmd, size = struct.unpack_from("<II", data, offset)
    commands.append(cmd)
    offset += size
sys.exit(0 if 0x1D in commands else "the aarch64 macOS binary has no code signature")
PY
"$work/rootcert-$version-x86_64-unknown-linux-musl/rootcert" --version | grep -q "^rootcert $version$"
echo "release ok: $(cd "$dist" && echo *.tar.gz *.zip)"

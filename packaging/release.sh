#!/usr/bin/env bash
# Builds the release archives, one per target, the way ripgrep ships them:
#   rootcert-VERSION-TARGET.tar.gz (static Linux and macOS, x86_64 and aarch64) and
#   rootcert-VERSION-x86_64-pc-windows-gnu.zip, each holding the binary, README.md,
#   LICENSE, docs/ (README's links), doc/ (rootcert.1 and a page per subcommand) and
#   complete/ (bash, zsh, fish, PowerShell), plus SHA256SUMS.
# The man page and completions come from the host build (the binary writes them itself).
#   packaging/release.sh [OUT_DIR]      (default target/dist; prints OUT_DIR)
# Needs zig (pip install ziglang) and cargo-zigbuild for musl and macOS, mingw-w64 for
# Windows, and `rustup target add` for each target (.ci/run installs them when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
# Where cargo puts builds (CARGO_TARGET_DIR or ./target), as packaging/deb.sh asks it.
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
out="${1:-$target_dir/dist}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
zig_targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl)
# macOS links against stubs of the two frameworks it uses (the SDK is not to be had here);
# see packaging/macos-frameworks.sh.
mac_targets=(x86_64-apple-darwin aarch64-apple-darwin)
frameworks="$target_dir/macos-frameworks"
packaging/macos-frameworks.sh "$frameworks"
windows=x86_64-pc-windows-gnu
# Archives carry the commit's time, not the build's, so a rebuild gives the same bytes.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"

{
  cargo build --locked --release
  for target in "${zig_targets[@]}"; do
    cargo zigbuild --locked --release --target "$target"
  done
  for target in "${mac_targets[@]}"; do
    env "CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_RUSTFLAGS=-C link-arg=-F$frameworks" \
      cargo zigbuild --locked --release --target "$target"
  done
  cargo build --locked --release --target "$windows" \
    --config "target.$windows.linker=\"x86_64-w64-mingw32-gcc\""
} >&2

rm -rf "$out"
mkdir -p "$out/assets/doc" "$out/assets/complete"
host="$target_dir/release/rootcert"
"$host" man --dir "$out/assets/doc" >/dev/null
"$host" completions bash > "$out/assets/complete/rootcert.bash"
"$host" completions zsh > "$out/assets/complete/_rootcert"
"$host" completions fish > "$out/assets/complete/rootcert.fish"
"$host" completions powershell > "$out/assets/complete/_rootcert.ps1"
cp -r README.md LICENSE docs "$out/assets/"

stage() { # TARGET BINARY -> the staging directory's name
  local name="rootcert-$version-$1"
  rm -rf "${out:?}/$name"
  cp -r "$out/assets" "$out/$name"
  cp "$2" "$out/$name/"
  find "$out/$name" -exec touch -d "@$SOURCE_DATE_EPOCH" {} +
  echo "$name"
}
for target in "${zig_targets[@]}" "${mac_targets[@]}"; do
  name="$(stage "$target" "$target_dir/$target/release/rootcert")"
  tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -cf - "$name" | gzip -9n > "$out/$name.tar.gz"
  rm -rf "${out:?}/$name"
done
name="$(stage "$windows" "$target_dir/$windows/release/rootcert.exe")"
(cd "$out" && find "$name" | sort | zip -X -q -9 "$name.zip" -@)
rm -rf "${out:?}/$name" "${out:?}/assets"
(cd "$out" && sha256sum -- *.tar.gz *.zip > SHA256SUMS)
echo "$out"

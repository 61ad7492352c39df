#!/usr/bin/env bash
# Unpacks the .deb into a fresh root and runs the installed binary there, as a container
# without a CA store or a network would: the built-in copy of the root must be saved.
set -euo pipefail
deb="${1:?usage: packaging/test-deb.sh PATH.deb}"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
info="$(dpkg-deb -I "$deb")"
grep -q '^ Package: rootcert$' <<<"$info"
grep -q '^ Depends: .*libc6' <<<"$info"
grep -q '^ Section: utils$' <<<"$info"
for f in usr/bin/rootcert usr/share/man/man1/rootcert.1.gz \
         usr/share/bash-completion/completions/rootcert \
         usr/share/zsh/vendor-completions/_rootcert \
         usr/share/fish/vendor_completions.d/rootcert.fish \
         usr/share/doc/rootcert/copyright; do
  test -s "$root/$f" || { echo "missing in the package: $f"; exit 1; }
done
zcat "$root/usr/share/man/man1/rootcert.1.gz" | grep -q 'EXIT STATUS'
# Every page rootcert(1) names is in the package, and man renders each without a warning.
pages="$(zcat "$root/usr/share/man/man1/rootcert.1.gz" | grep -o 'rootcert\\-[a-z]*(1)' | sort -u)"
[ "$(wc -l <<<"$pages")" -ge 7 ] || { echo "rootcert(1) names too few pages: $pages"; exit 1; }
for page in $pages; do
  file="$root/usr/share/man/man1/$(sed 's/\\-/-/; s/(1)$/.1.gz/' <<<"$page")"
  test -s "$file" || { echo "rootcert(1) names $page, which the package lacks"; exit 1; }
done
if command -v man >/dev/null; then
  for file in "$root"/usr/share/man/man1/*.1.gz; do
    warnings="$(MANWIDTH=80 man --warnings -E UTF-8 -l "$file" 2>&1 >/dev/null)"
    [ -z "$warnings" ] || { echo "man warns about $(basename "$file"): $warnings"; exit 1; }
  done
fi
"$root/usr/bin/rootcert" --version | grep -q '^rootcert '
# docs/safety-and-security.md states the binary's size; keep it within 0.3 MB of the truth.
size="$(stat -c %s "$root/usr/bin/rootcert")"
stated="$(sed -n 's/.*The release binary is about \([0-9.]*\) MB.*/\1/p' "$(dirname "$0")/../docs/safety-and-security.md")"
[ -n "$stated" ] || { echo "docs/safety-and-security.md no longer states the release binary's size"; exit 1; }
awk -v size="$size" -v stated="$stated" 'BEGIN {
  d = size / 1e6 - stated; if (d < 0) d = -d
  if (d > 0.3) { printf "docs/safety-and-security.md says %s MB; the binary is %.2f MB\n", stated, size / 1e6; exit 1 }
}'
home="$root/home"; mkdir -p "$home"
out="$(HOME="$home" SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent \
  "$root/usr/bin/rootcert" fetch --offline -q -o "$home/root.crt" 2>&1)"
[ -z "$out" ] || { echo "fetch -q printed: $out"; exit 1; }
"$root/usr/bin/rootcert" verify "$home/root.crt" >/dev/null
echo "deb ok: $(basename "$deb")"

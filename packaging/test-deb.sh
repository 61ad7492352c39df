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
"$root/usr/bin/rootcert" --version | grep -q '^rootcert '
home="$root/home"; mkdir -p "$home"
HOME="$home" SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent \
  "$root/usr/bin/rootcert" fetch --offline -q -o "$home/root.crt" >/dev/null
"$root/usr/bin/rootcert" verify "$home/root.crt" >/dev/null
echo "deb ok: $(basename "$deb")"

#!/usr/bin/env bash
# Runs recipes/Dockerfile as written, with the package, in a fresh Debian bookworm root
# (.ci/install-bookworm-root: what debian:bookworm-slim is made of, no CA store) and no
# network: the build context is made by the command in the Dockerfile's comments, the build
# saves rootcert's built-in copy, the container verifies the file and runs CMD, and it
# refuses to start once the file is wrong. Needs root (chroot, namespaces).
set -euo pipefail
deb="$(realpath "${1:?usage: packaging/test-dockerfile.sh PATH.deb BOOKWORM_ROOT}")"
base="${2:?usage: packaging/test-dockerfile.sh PATH.deb BOOKWORM_ROOT}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
run="$repo/packaging/dockerfile-run.py"
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: running the Dockerfile in a chroot needs root"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The build context, by the Dockerfile's own instructions (with the package given to us).
make_context="$(sed -n 's/^#   \(mkdir ctx .*\)$/\1/p' "$repo/recipes/Dockerfile")"
[ -n "$make_context" ] || { echo "the Dockerfile's comments no longer say how to make ctx"; exit 1; }
ln -s "$repo/recipes" "$work/recipes"
(cd "$work" && eval "${make_context//\"\$(packaging\/deb.sh)\"/\"\$deb\"}")
ls "$work/ctx/Dockerfile" "$work/ctx/docker-entrypoint.sh" "$work/ctx"/rootcert_*.deb >/dev/null

mkdir "$work/image"
python3 "$run" build "$base" "$work/ctx" "$work/image" > "$work/build.log" 2>&1 ||
  { cat "$work/build.log"; echo "docker build failed"; exit 1; }
grep -q "using rootcert's built-in copy of DigiCert Global Root G2" "$work/build.log" ||
  { cat "$work/build.log"; echo "the build did not say it used the built-in copy"; exit 1; }
saved="$work/image/root/etc/ssl/app/DigiCertGlobalRootG2.crt.pem"
cmp -s "$saved" "$repo/fixtures/DigiCertGlobalRootG2.crt.pem" || { echo "wrong file saved"; exit 1; }

# docker run: the entrypoint verifies, then CMD runs; a command given replaces CMD.
out="$(python3 "$run" run "$work/image" 2>&1)" || { echo "$out"; echo "docker run failed"; exit 1; }
grep -q "OK, holds every pinned certificate" <<<"$out" || { echo "$out"; echo "no verify"; exit 1; }
grep -q "^ready: verify-full with /etc/ssl/app/DigiCertGlobalRootG2.crt.pem$" <<<"$out" ||
  { echo "$out"; echo "CMD did not run"; exit 1; }
out="$(python3 "$run" run "$work/image" sh -c 'echo "my app: $PGSSLROOTCERT"' 2>&1)"
grep -q "^my app: /etc/ssl/app/DigiCertGlobalRootG2.crt.pem$" <<<"$out" || { echo "$out"; exit 1; }

# A wrong file: the container refuses to start, and the command never runs.
cp "$repo/fixtures/isrgrootx1.pem" "$saved"
code=0
out="$(python3 "$run" run "$work/image" 2>&1)" || code=$?
[ "$code" = 4 ] && ! grep -q "^ready:" <<<"$out" ||
  { echo "$out"; echo "a wrong trust file started the container (exit $code)"; exit 1; }
echo "Dockerfile ok: built from the package in a bookworm root, verified at start, CMD ran"

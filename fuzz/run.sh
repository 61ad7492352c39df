#!/usr/bin/env bash
# Fuzzes every target for SECONDS (default 30) from a seed corpus made of fixtures/.
# A crash stops the script with its input under fuzz/artifacts/TARGET/; turn it into a
# regression test before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
# cargo-fuzz passes nightly-only flags; RUSTC_BOOTSTRAP lets the stable toolchain accept
# them for this build only.
export RUSTC_BOOTSTRAP=1

seed() {
  local dir="corpus/$1"
  mkdir -p "$dir"
  for f in ../fixtures/*.pem; do
    cp "$f" "$dir/$(basename "$f")"
    openssl x509 -in "$f" -outform DER -out "$dir/$(basename "$f" .pem).der" 2>/dev/null || true
  done
}
for target in certificates trust_file_and_judge; do seed "$target"; done
mkdir -p corpus/fingerprint corpus/retry_after
printf 'CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F' > corpus/fingerprint/colons
printf 'sha256 Fingerprint=cb3ccbb76031e5e0138f8dd39a23f9de47ffc35e43c1144cea27d46a5ab1cb5f' > corpus/fingerprint/openssl
printf '120' > corpus/retry_after/seconds
printf 'Wed, 21 Oct 2015 07:28:00 GMT' > corpus/retry_after/date
mkdir -p corpus/check_reply
printf 'S' > corpus/check_reply/accepts
printf 'N' > corpus/check_reply/refuses
printf 'S\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03' > corpus/check_reply/server-hello-start

for target in certificates trust_file_and_judge fingerprint retry_after check_reply; do
  echo "fuzz: $target for ${seconds}s"
  cargo fuzz run --sanitizer none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 2>&1 | tail -n 3
  test "${PIPESTATUS[0]}" -eq 0
done

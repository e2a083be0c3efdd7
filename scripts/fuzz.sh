#!/usr/bin/env bash
# Fuzzes omlink's parsers with cargo-fuzz (libFuzzer + AddressSanitizer, nightly toolchain): the
# error-body parser, the digest challenge, the validators and the store loader. Each target
# runs for FUZZ_SECONDS (default 60) after one build of all of them; a summary table of runs
# and crashes per target ends the output. Exits non-zero when a target crashed (or failed to
# build); the crashing input is in crates/omlink/fuzz/artifacts/<target>/, the full log in
# crates/omlink/fuzz/artifacts/<target>.log.
#
# Usage: scripts/fuzz.sh [target...]          (make fuzz runs every target)
#        FUZZ_SECONDS=600 scripts/fuzz.sh challenge
# Reproduce a crash: cd crates/omlink && cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
all_targets=(error_body challenge validators store_loader)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi
# Debug assertions also turn on overflow checks in the fuzzed code.
flags=(--debug-assertions)

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: cargo-fuzz needs a nightly toolchain (rustup toolchain install nightly)" >&2
  exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

cd crates/omlink
mkdir -p fuzz/artifacts

# A few real inputs to start from, for the targets that take text; libFuzzer mutates them.
seed() { # target name content
  mkdir -p "fuzz/corpus/$1"
  [ -e "fuzz/corpus/$1/$2" ] || printf '%s' "$3" >"fuzz/corpus/$1/$2"
}
seed challenge ops-manager 'Digest realm="MMS Public API", domain="", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", algorithm=MD5, qop="auth", stale=false'
seed challenge two-schemes 'Basic realm="x", Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
seed store_loader profiles '{"profiles":{"profiles":[{"id":"0a1b2c3d4e5f6071","name":"Ops Manager prod","kind":"OpsManager","url":"https://om.example.com:8443","publicKey":"abcdefgh","tls":{"caFile":null,"skipVerify":false},"timeoutSecs":30,"hasPrivateKey":true,"sandbox":false}],"lastUsed":"0a1b2c3d4e5f6071"},"history":[{"id":"e1","at":"2024-05-01T10:00:00Z","profileId":"0a1b2c3d4e5f6071","profileName":"Ops Manager prod","orgId":"5f1e2d3c4b5a697887766554","orgName":"Sales","tokenMask":"abcd…wxyz","tokenFingerprint":"0123456789ab","outcome":{"result":"failed","kind":"Rejected","httpStatus":400,"errorCode":"INVALID_LINK_TOKEN"},"hasToken":false}],"windowState":{"w":800}}'
# error_body's input is (status: u16, op: u8, retry-after: Option<&str>, body: the rest). The
# four leading bytes (written with printf, as they hold NULs) make the status 409 or 502 (a
# little-endian n, then 100 + n % 500), the operation a link, and no Retry-After.
seed_bytes() { # target name leading-bytes-as-printf-format content
  # shellcheck disable=SC2059 # the leading bytes are a printf format on purpose
  mkdir -p "fuzz/corpus/$1"
  [ -e "fuzz/corpus/$1/$2" ] || { printf "$3"; printf '%s' "$4"; } >"fuzz/corpus/$1/$2"
}
seed_bytes error_body conflict '\065\001\000\000' '{"detail":"Cannot delete organization link.","error":409,"errorCode":"CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT","parameters":["60a1b2c3d4e5f60718293a4b"],"reason":"Conflict"}'
seed_bytes error_body bad-gateway '\222\001\000\000' '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>'

echo "fuzz: building ${all_targets[*]} (nightly, AddressSanitizer)" >&2
if ! cargo +nightly fuzz build "${flags[@]}"; then
  echo "fuzz: the targets did not build" >&2
  exit 1
fi

declare -A runs result
failed=0
for t in "${targets[@]}"; do
  log=fuzz/artifacts/$t.log
  echo "fuzz: $t for ${seconds}s (log: crates/omlink/$log)" >&2
  if cargo +nightly fuzz run "${flags[@]}" "$t" -- -max_total_time="$seconds" >"$log" 2>&1; then
    status=0
  else
    status=$?
  fi
  done_line=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)
  if [ "$status" -eq 0 ] && [ -n "$done_line" ]; then
    runs[$t]=$(awk '{print $2}' <<<"$done_line")
    result[$t]=0
  else
    # libFuzzer stops at the first crash; its last status line says how far it got.
    runs[$t]=$(grep -Eo '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
    runs[$t]=${runs[$t]:-0}
    if grep -Eq 'Test unit written to|ERROR: libFuzzer|ERROR: AddressSanitizer|panicked at' "$log"; then
      result[$t]=1
      grep -E 'panicked at|ERROR: |SUMMARY: |Test unit written to' "$log" | head -n 8 >&2 || true
    else
      result[$t]="failed (exit $status)"
      tail -n 20 "$log" >&2
    fi
    failed=1
  fi
done

printf '\n%-14s %12s  %s\n' target runs crashes
for t in "${targets[@]}"; do
  printf '%-14s %12s  %s\n' "$t" "${runs[$t]}" "${result[$t]}"
done
exit "$failed"

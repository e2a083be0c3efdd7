#!/usr/bin/env bash
# Per call (make bench): a whole `omlink` process against `curl --digest` making the same calls
# on the sandbox, with hyperfine. Cold: one `status` (challenge and answer, one process start).
# A session of 10: `omlink status --all` over 10 organizations (one process, connection kept,
# nonce reused: one round trip per call, plus the organization list) against 10 curl processes.
# Measured, never asserted. Prints RESULT lines (medians, in ms) last.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release -q -p omlink-cli -p omlink-sandbox
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid; rm -rf "$work"' EXIT
# 6 demo organizations and 4 generated ones: 10.
target/release/omlink-sandbox --port 0 --extra-orgs 4 >"$work/sandbox.log" &
pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/sandbox.log" && break; sleep 0.1; done
url=$(sed -n 's/^omlink-sandbox listening on //p' "$work/sandbox.log")
key=5b2c9e1a-7d4f-4c3b-9e8a-1f2d3c4b5a60
export OMLINK_URL=$url OMLINK_PUBLIC_KEY=demoownr OMLINK_PRIVATE_KEY=$key
org=5f1e2d3c4b5a697887766554
status_url() { echo "$url/api/public/v1.0/orgs/$1/liveExport/migrationLink/status"; }
orgs=$(target/release/omlink orgs --output json | python3 -c "import json,sys; print(' '.join(o['id'] for o in json.load(sys.stdin)['organizations']))")
[ "$(echo "$orgs" | wc -w)" = 10 ] || { echo "expected 10 organizations: $orgs" >&2; exit 1; }
loop="$work/curl10.sh"
{
  echo "#!/bin/sh"
  for o in $orgs; do
    echo "curl -sf --digest --user demoownr:$key -H 'Accept: application/json' $(status_url "$o") >/dev/null"
  done
} >"$loop"
chmod 700 "$loop"

hyperfine --warmup 5 --runs "${RUNS:-50}" -N --export-json "$work/cold.json" \
  "target/release/omlink status --org $org" \
  "curl -s --digest --user demoownr:$key -H 'Accept: application/json' $(status_url $org)"
hyperfine --warmup 3 --runs "${RUNS:-30}" -N --export-json "$work/ten.json" \
  "target/release/omlink status --all" \
  "$loop"
python3 - "$work/cold.json" "$work/ten.json" <<'PY'
import json, sys
cold = [r["median"] * 1000 for r in json.load(open(sys.argv[1]))["results"]]
ten = [r["median"] * 1000 for r in json.load(open(sys.argv[2]))["results"]]
print(f"RESULT call_cold_omlink_ms {cold[0]:.2f}")
print(f"RESULT call_cold_curl_ms {cold[1]:.2f}")
print(f"RESULT call_ten_omlink_ms {ten[0]:.2f}")
print(f"RESULT call_ten_curl_ms {ten[1]:.2f}")
PY

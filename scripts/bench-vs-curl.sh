#!/usr/bin/env bash
# Times a whole `omlink status` process against `curl --digest` doing the same call on the
# sandbox (both: challenge, answer, one process start). Needs hyperfine (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release -q -p omlink -p omlink-sandbox
log=$(mktemp)
target/release/omlink-sandbox --port 0 >"$log" &
pid=$!
trap 'kill $pid; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$log" && break; sleep 0.1; done
url=$(sed -n 's/^omlink-sandbox listening on //p' "$log")
export OMLINK_URL=$url OMLINK_PUBLIC_KEY=demoownr OMLINK_PRIVATE_KEY=5b2c9e1a-7d4f-4c3b-9e8a-1f2d3c4b5a60
org=5f1e2d3c4b5a697887766554
hyperfine --warmup 5 --runs 100 -N \
  "target/release/omlink status --org $org" \
  "curl -s --digest --user demoownr:$OMLINK_PRIVATE_KEY -H 'Accept: application/json' $url/api/public/v1.0/orgs/$org/liveExport/migrationLink/status"

#!/usr/bin/env bash
# The fleet benchmark (make bench): the status of 1,000 organizations and linking 1,000, with
# omlink's batch runner and with a sequential `curl --digest` loop over the same
# organizations, against the sandbox on loopback, in the same run. Measured, never asserted.
# Each figure is the median of RUNS runs (default 3); every link run gets a fresh sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
n=1000
cargo build --release -q -p omlink-cli -p omlink-sandbox
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
key=5b2c9e1a-7d4f-4c3b-9e8a-1f2d3c4b5a60
export OMLINK_PUBLIC_KEY=demoownr OMLINK_PRIVATE_KEY=$key

start_sandbox() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  target/release/omlink-sandbox --port 0 --extra-orgs $n >"$work/sandbox.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/sandbox.log" && break; sleep 0.05; done
  url=$(sed -n 's/^omlink-sandbox listening on //p' "$work/sandbox.log")
  export OMLINK_URL=$url
}

# The generated organizations' ids, as the sandbox makes them.
orgs=$(python3 -c "print('\n'.join(f'{0xa0000000 + i:024x}' for i in range($n)))")
{ echo "org,token"; for o in $orgs; do echo "$o,bench-token-$o"; done; } >"$work/links.csv"
chmod 600 "$work/links.csv"

seconds() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e9:.3f}')" "$@"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); seconds "$t0" "$t1"; }

curl_status() {
  for o in $orgs; do
    curl -sf --digest --user "demoownr:$key" -H 'Accept: application/json' \
      "$OMLINK_URL/api/public/v1.0/orgs/$o/liveExport/migrationLink/status" >/dev/null
  done
}
curl_link() {
  for o in $orgs; do
    curl -sf --digest --user "demoownr:$key" -H 'Accept: application/json' \
      -H 'Content-Type: application/json' --data "{\"linkToken\":\"bench-token-$o\"}" \
      "$OMLINK_URL/api/public/v1.0/orgs/$o/liveExport/migrationLink" >/dev/null
  done
}

declare -A result
start_sandbox
result[omlink_status]=$(for _ in $(seq "$runs"); do timed target/release/omlink status --all --output json; done | median)
result[curl_status]=$(for _ in $(seq "$runs"); do timed curl_status; done | median)
result[omlink_link]=$(for _ in $(seq "$runs"); do start_sandbox; timed target/release/omlink link --from "$work/links.csv" --output json; done | median)
result[curl_link]=$(for _ in $(seq "$runs"); do start_sandbox; timed curl_link; done | median)

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}x')" "$1" "$2"; }
echo
echo "Fleet benchmark, $n organizations, sandbox on loopback, median of $runs runs ($(nproc) cores)"
echo
echo "| operation | omlink (batch, concurrency 8) | sequential curl --digest loop | omlink is faster by |"
echo "|---|---|---|---|"
echo "| status of $((n + 6)) / $n organizations | ${result[omlink_status]} s | ${result[curl_status]} s | $(ratio "${result[curl_status]}" "${result[omlink_status]}") |"
echo "| link $n organizations | ${result[omlink_link]} s | ${result[curl_link]} s | $(ratio "${result[curl_link]}" "${result[omlink_link]}") |"
echo
echo "omlink status --all also lists the organizations (GET /orgs, 3 pages) and reads 6 more;"
echo "omlink link --from reads each organization's status before linking it (safe to re-run)."
echo "RESULT fleet_status_omlink_s ${result[omlink_status]}"
echo "RESULT fleet_status_curl_s ${result[curl_status]}"
echo "RESULT fleet_link_omlink_s ${result[omlink_link]}"
echo "RESULT fleet_link_curl_s ${result[curl_link]}"

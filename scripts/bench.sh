#!/usr/bin/env bash
# make bench: every figure of PERFORMANCE.md measured in one run, each beside its anchor
# (curl, a curl loop, the bare-Tauri references) and the ratio, printed as one table and
# written to PERFORMANCE.md with the method and the machine. Measured, never asserted: a
# missed target is reported, not failed.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
results="$log/results"
: >"$results"
step() { # name, command…: runs it, keeps its output, collects its RESULT lines
  local name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$log/$name.log" | grep -v '^RESULT' || true
  grep '^RESULT' "$log/$name.log" >>"$results" || echo "   ($name reported nothing)"
}
get() { awk -v k="$1" '$1 == "RESULT" && $2 == k {v = $3} END {print v}' "$results"; }

# The package, as `make bundle` builds it.
make --no-print-directory bundle >"$log/bundle.log" 2>&1 || { tail -30 "$log/bundle.log"; exit 1; }
deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
echo "RESULT deb_bytes $(stat -c %s "$deb")" >>"$results"
echo "RESULT desktop_bytes $(stat -c %s target/release/omlink-desktop)" >>"$results"
echo "RESULT cli_bytes $(stat -c %s target/release/omlink)" >>"$results"
step startup scripts/bench-startup.sh target/release/omlink-desktop
step memory env OMLINK_E2E_APP_PATH=target/release/omlink-desktop \
  tests/e2e/run.sh --ignored bench_memory_after_the_sandbox_flow --nocapture
step per-call scripts/bench-vs-curl.sh
step fleet scripts/bench-fleet.sh
[ -f target/make-test-seconds ] && echo "RESULT make_test_s $(cat target/make-test-seconds)" >>"$results"

python3 - "$results" <<'PY' | tee "$log/table.md"
import sys
r = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) >= 3 and parts[0] == "RESULT":
        r[parts[1]] = parts[2]
def f(key):
    try: return float(r[key])
    except (KeyError, ValueError): return None
def fmt(v, unit, digits=1):
    return "not measured" if v is None else f"{v:.{digits}f} {unit}"
def ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}×"
def met(v, ok):
    return "—" if v is None else ("yes" if ok(v) else "**no**")
MB = 1_000_000
deb = f("deb_bytes")
rows = [
    ("`.deb` package (app + CLI)", fmt(deb and deb / MB, "MB", 2), "bare Tauri 2 app ≈ 3 MiB (reference)", "—", "≤ 6 MB", met(deb, lambda v: v <= 6 * MB)),
    ("start-up: process start → profiles painted (median, warm page cache)", fmt(f("startup_warm_ms"), "ms", 0), "bare Tauri 2 app paints in 410–720 ms (reference)", "—", "≤ 500 ms", met(f("startup_warm_ms"), lambda v: v <= 500)),
    ("start-up, page cache dropped before each launch (median)", fmt(f("startup_cold_ms"), "ms", 0), "bare Tauri 2 app paints in 410–720 ms (reference)", "—", "≤ 500 ms", met(f("startup_cold_ms"), lambda v: v <= 500)),
    ("memory (PSS) after the sandbox flow, app + WebKit", fmt(f("pss_mb"), "MB"), "bare Tauri 2 app ≈ 256 MB (reference)", ratio(f("pss_mb"), 256), "≤ 200 MB", met(f("pss_mb"), lambda v: v <= 200)),
    ("one `status` call, whole process (median)", fmt(f("call_cold_omlink_ms"), "ms", 2), f"curl --digest {fmt(f('call_cold_curl_ms'), 'ms', 2)}", ratio(f("call_cold_omlink_ms"), f("call_cold_curl_ms")), "≤ 1.0× curl", met(f("call_cold_omlink_ms") and f("call_cold_curl_ms") and f("call_cold_omlink_ms") / f("call_cold_curl_ms"), lambda v: v <= 1.0)),
    ("10 calls: `status --all` over 10 organizations", fmt(f("call_ten_omlink_ms"), "ms", 2), f"10 curl calls {fmt(f('call_ten_curl_ms'), 'ms', 2)}", ratio(f("call_ten_omlink_ms"), f("call_ten_curl_ms")), "≤ 0.5× curl", met(f("call_ten_omlink_ms") and f("call_ten_curl_ms") and f("call_ten_omlink_ms") / f("call_ten_curl_ms"), lambda v: v <= 0.5)),
    ("status of 1,006 organizations", fmt(f("fleet_status_omlink_s"), "s", 3), f"curl loop {fmt(f('fleet_status_curl_s'), 's', 3)}", ratio(f("fleet_status_omlink_s"), f("fleet_status_curl_s")), "—", "—"),
    ("link 1,000 organizations", fmt(f("fleet_link_omlink_s"), "s", 3), f"curl loop {fmt(f('fleet_link_curl_s'), 's', 3)}", ratio(f("fleet_link_omlink_s"), f("fleet_link_curl_s")), "≤ 5 s", met(f("fleet_link_omlink_s"), lambda v: v <= 5)),
    ("`make test` on this machine (its last run)", fmt(f("make_test_s") and f("make_test_s") / 60, "min"), "—", "—", "≤ 20 min", met(f("make_test_s"), lambda v: v <= 1200)),
]
print("| figure | omlink | anchor (same run unless a reference) | ratio | target | met |")
print("|---|---|---|---|---|---|")
for row in rows:
    print("| " + " | ".join(row) + " |")
PY

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
{
  echo "# Performance"
  echo
  echo "Written by \`make bench\` ($(date -u +%Y-%m-%d), omlink $(git describe --always --dirty 2>/dev/null || echo '?')) on: $machine."
  echo "Benchmarks measure; no test asserts a time. A missed target says **no** here and is"
  echo "discussed below."
  echo
  cat "$log/table.md"
  echo
  sed -n '/^## Method/,$p' docs/performance-method.md
} >PERFORMANCE.md
echo
echo "PERFORMANCE.md written."

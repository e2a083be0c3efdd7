#!/usr/bin/env bash
# Start-up of the desktop app (make bench): RUNS launches (default 10) under Xvfb, each from
# process start to the profiles painted in the window, as the app reports it with
# OMLINK_TRACE_STARTUP=1 (see src-tauri/src/startup.rs): first warm (libraries in the page
# cache, as for a second launch), then cold (the page cache dropped before each launch, when
# this user may: root). Measured, never asserted. Prints RESULT lines (medians) last.
# Usage: bench-startup.sh [APP]
set -euo pipefail
cd "$(dirname "$0")/.."
app=$(realpath "${1:-target/release/omlink-desktop}")
runs=${RUNS:-10}
[ -x "$app" ] || { echo "no app at $app: make bundle (or cargo build --release) first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One saved profile, so the window lists something (no keychain entry: none is read at start).
mkdir -p "$work/data/dev.omlink.desktop"
cat >"$work/data/dev.omlink.desktop/omlink.json" <<'JSON'
{"profiles":{"profiles":[{"id":"0123456789abcdef","name":"Ops Manager prod","kind":"OpsManager","url":"https://om.example.com:8443","publicKey":"abcdefgh","tls":{"caFile":null,"skipVerify":false},"timeoutSecs":30,"hasPrivateKey":false,"sandbox":false}],"lastUsed":null},"history":[]}
JSON
cat >"$work/run.sh" <<'INNER'
set -euo pipefail
app=$1 runs=$2 work=$3 cold=$4
for i in $(seq "$runs"); do
  if [ "$cold" = yes ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
  log="$work/launch-$i.log"
  OMLINK_TRACE_STARTUP=1 XDG_DATA_HOME="$work/data" HOME="$work" "$app" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do grep -q "profiles listed" "$log" && break; sleep 0.05; done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  sed -n 's/.*profiles listed in the window at \([0-9]*\) ms.*/\1/p' "$log"
  sed -n 's/.*set-up done at \([0-9]*\) ms.*/setup \1/p' "$log"
done
INNER
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1
median() { awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
measure() { # warm|cold
  local cold=no
  if [ "$1" = cold ]; then
    [ -w /proc/sys/vm/drop_caches ] && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null && cold=yes
    [ "$cold" = yes ] || { echo "  cold: not measured (dropping the page cache needs root)"; return; }
  fi
  local out times setups n sorted
  out=$(dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" bash "$work/run.sh" "$app" "$runs" "$work" "$cold" 2>/dev/null || true)
  times=$(echo "$out" | grep -E '^[0-9]+$' || true)
  setups=$(echo "$out" | sed -n 's/^setup //p' | sort -n)
  n=$(echo "$times" | grep -c . || true)
  [ "$n" -gt 0 ] || { echo "the app never reported its start-up" >&2; cat "$work"/launch-1.log >&2; exit 1; }
  sorted=$(echo "$times" | sort -n)
  echo "  $1 ($n launches$([ "$1" = cold ] && echo ", page cache dropped before each")): min $(echo "$sorted" | head -1) ms, median $(echo "$sorted" | median) ms, max $(echo "$sorted" | tail -1) ms; Tauri's set-up hook at $(echo "$setups" | median) ms"
  echo "RESULT startup_$1_ms $(echo "$sorted" | median)"
}
echo "start-up, process start to profiles painted:"
measure warm
measure cold

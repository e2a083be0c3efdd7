#!/usr/bin/env bash
# Runs make targets one after another, printing each one's duration as it ends and a summary at
# the end (what CI's log shows); stops at the first that fails. The total goes to
# target/make-test-seconds, which `make bench` reports.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
summary=()
for target in "$@"; do
  t0=$(date +%s)
  echo "::: step $target"
  if ! make --no-print-directory "$target"; then
    echo "::: step $target FAILED after $(( $(date +%s) - t0 )) s"
    exit 1
  fi
  took=$(( $(date +%s) - t0 ))
  summary+=("$(printf '%-14s %5d s' "$target" "$took")")
  echo "::: step $target took $took s"
done
total=$(( $(date +%s) - start ))
echo "::: step durations"
printf '  %s\n' "${summary[@]}"
printf '  %-14s %5d s (%d min %d s)\n' total "$total" $((total / 60)) $((total % 60))
mkdir -p target && echo "$total" >target/make-test-seconds

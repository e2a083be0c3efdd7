#!/usr/bin/env bash
# Starts the sandbox Ops Manager, links a demo organization with the omlink CLI, and leaves
# the sandbox running so you can try more commands. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug

log=$(mktemp)
"$bin/omlink-sandbox" --port "${OMLINK_SANDBOX_PORT:-0}" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$log" && break; sleep 0.1; done
url=$(sed -n 's/^omlink-sandbox listening on //p' "$log")
[ -n "$url" ] || { cat "$log"; exit 1; }
cat "$log"

export OMLINK_URL=$url OMLINK_PUBLIC_KEY=demoownr OMLINK_PRIVATE_KEY=5b2c9e1a-7d4f-4c3b-9e8a-1f2d3c4b5a60
org=5f1e2d3c4b5a697887766554
run() { echo; echo "\$ $*"; "$@" || true; }
echo; echo "── A CLI session against the sandbox ──"
run "$bin/omlink" orgs
echo; echo "\$ echo demo-link-token | omlink link --org $org --token -"
echo demo-link-token | "$bin/omlink" link --org "$org" --token - || true
run "$bin/omlink" status --org "$org"
run "$bin/omlink" unlink --org 5f1e2d3c4b5a697887766557 --yes

echo; echo "── Both products in one step: the sandbox also answers as Atlas ──"
export OMLINK_ATLAS_URL=$url OMLINK_ATLAS_CLIENT_ID=mdb_sa_id_0123456789abcdef01234567 \
       OMLINK_ATLAS_CLIENT_SECRET=mdb_sa_sk_demo-7c1e9a3f5b2d4e6a8c0b1d3f5e7a9c1b
atlas_org=6a1b2c3d4e5f60718293a4b5
run "$bin/omlink" atlas orgs
run "$bin/omlink" preflight --org 5f1e2d3c4b5a697887766555
run "$bin/omlink" link --org 5f1e2d3c4b5a697887766555 --atlas-org "$atlas_org" --access-list-ip 203.0.113.7
run "$bin/omlink" atlas projects --atlas-org "$atlas_org"
echo
echo "The sandbox keeps running at $url; in another terminal:"
echo "  export OMLINK_URL=$url OMLINK_PUBLIC_KEY=$OMLINK_PUBLIC_KEY OMLINK_PRIVATE_KEY=$OMLINK_PRIVATE_KEY"
echo "  $PWD/$bin/omlink status --org $org"
echo "Ctrl-C stops it."
wait $pid

#!/usr/bin/env bash
# Repacks a .deb that `tauri build` made (gzip) with xz, as Debian's own packages are: the
# same control data and files, about half the download (PERFORMANCE.md). Usage:
# repack-deb.sh DEB [XZ_LEVEL] (default 9; make package-test uses 1, for speed).
set -euo pipefail
deb=$(realpath "${1:?usage: scripts/repack-deb.sh path/to/omlink_*.deb [level]}")
level=${2:-9}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/root"
dpkg-deb --raw-extract "$deb" "$work/root"
before=$(stat -c %s "$deb")
dpkg-deb --root-owner-group -Zxz "-z$level" --build "$work/root" "$work/new.deb" >/dev/null
mv "$work/new.deb" "$deb"
echo "repacked $(basename "$deb") with xz -$level: $before -> $(stat -c %s "$deb") bytes"

#!/usr/bin/env bash
# Checks a .deb: its files (app, CLI, .desktop entry, icons), its dependencies, and that the CLI
# runs from an unpacked copy.
set -euo pipefail
deb=${1:?usage: scripts/test-package.sh path/to/omlink_*.deb}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$(dirname "$0")/../Cargo.toml" | head -1)
fail() { echo "package test: $*" >&2; exit 1; }

contents=$(dpkg -c "$deb")
for path in usr/bin/omlink-desktop usr/bin/omlink usr/share/applications/omlink.desktop; do
  grep -qE " (\./)?$path\$" <<<"$contents" || fail "$path is missing from $deb"
done
grep -qE ' (\./)?usr/share/icons/hicolor/[0-9x@]+/apps/omlink-desktop\.png$' <<<"$contents" || fail "no icon in $deb"

info=$(dpkg -I "$deb")
grep -q "^ Package: omlink$" <<<"$info" || fail "the package is not named omlink"
grep -q "^ Version: $version$" <<<"$info" || fail "the package version is not $version"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0; do
  grep -q "^ Depends:.*$dep" <<<"$info" || fail "$dep is not a dependency"
done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg -x "$deb" "$root"
out=$("$root/usr/bin/omlink" --version)
[ "$out" = "omlink $version" ] || fail "omlink --version said '$out'"
desktop=$(cat "$root/usr/share/applications/omlink.desktop")
grep -q "^Exec=omlink-desktop" <<<"$desktop" || fail "the menu entry does not start omlink-desktop"
grep -q "^Name=omlink$" <<<"$desktop" || fail "the menu entry is not named omlink"
echo "1 passed, 0 failed: $deb holds the app, the CLI ($out), the menu entry and icons"

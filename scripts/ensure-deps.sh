#!/usr/bin/env bash
# Installs what omlink's build and tests need on a Debian/Ubuntu machine, skipping what is
# already there. Usage: scripts/ensure-deps.sh [core|test]
set -euo pipefail

want=${1:-test}
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

apt_missing=()
need_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || apt_missing+=("$1"); }

if ! command -v cargo >/dev/null 2>&1; then
  echo "omlink needs Rust 1.89 or newer (cargo). Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

# Core: a C toolchain for aws-lc-sys / ring, pkg-config, CA certificates for TLS roots.
# Desktop (Tauri 2 on Linux): WebKitGTK 4.1, GTK 3, librsvg; Node.js and npm for the UI.
for p in build-essential pkg-config ca-certificates file libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev; do
  need_pkg "$p"
done
if ! command -v npm >/dev/null 2>&1; then need_pkg nodejs; need_pkg npm; fi
if [ "$want" = test ]; then
  # The sandbox is checked against curl --digest and Python's requests.
  for p in curl python3; do need_pkg "$p"; done
  # End-to-end: a display, the WebKit WebDriver, a real Secret Service and its CLI.
  # xdotool answers the start-up error dialog, which has no web page to drive.
  for p in xvfb xauth webkit2gtk-driver gnome-keyring dbus-x11 libsecret-tools xdotool; do need_pkg "$p"; done
fi

if [ ${#apt_missing[@]} -gt 0 ]; then
  echo "Installing: ${apt_missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
fi

if [ "$want" = test ] && ! python3 -c 'import requests' >/dev/null 2>&1; then
  echo "Installing Python requests"
  # The system Python takes Debian's package; a pyenv/venv Python takes pip's.
  if [ "$(command -v python3)" = /usr/bin/python3 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-requests \
      || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-requests; }
  else
    python3 -m pip install --quiet requests
  fi
  python3 -c 'import requests' || { echo "Python requests could not be installed" >&2; exit 1; }
fi

if ! cargo clippy --version >/dev/null 2>&1 || ! cargo fmt --version >/dev/null 2>&1; then
  rustup component add clippy rustfmt
fi

if [ "$want" = test ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "Installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi

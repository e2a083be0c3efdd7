#!/usr/bin/env bash
# Runs the end-to-end tests on the real window: Xvfb for the display, a private HOME and XDG
# folders per run, and a real Secret Service (gnome-keyring in a D-Bus session, unlocked with a
# throwaway password). tauri-driver drives WebKitWebDriver, which drives the app.
set -euo pipefail
cd "$(dirname "$0")/../.."

# OMLINK_E2E_APP_PATH picks another build (make bench measures the release one).
app=${OMLINK_E2E_APP_PATH:-target/debug/omlink-desktop}
[ -x "$app" ] || { echo "build the app first: make e2e" >&2; exit 1; }
command -v tauri-driver >/dev/null || { echo "tauri-driver is missing: make e2e installs it" >&2; exit 1; }

# The test binary is built before HOME changes (rustup and cargo live under the real HOME).
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
cargo test -p omlink-e2e --test app --no-run

run_dir=$(mktemp -d /tmp/omlink-e2e.XXXXXX)
mkdir -p "$run_dir/home" "$run_dir/data" "$run_dir/config" "$run_dir/cache" "$run_dir/runtime"
chmod 700 "$run_dir/runtime"
export HOME="$run_dir/home" XDG_DATA_HOME="$run_dir/data" XDG_CONFIG_HOME="$run_dir/config" \
       XDG_CACHE_HOME="$run_dir/cache" XDG_RUNTIME_DIR="$run_dir/runtime"
export OMLINK_E2E_APP="$(realpath "$app")" OMLINK_E2E_RUN_DIR="$run_dir"
# The CLI beside the app (make e2e builds both): scenarios save profiles with it.
export OMLINK_E2E_CLI="$(realpath "${OMLINK_E2E_CLI:-target/debug/omlink}")"
export OMLINK_E2E_SCREENSHOTS="${OMLINK_E2E_SCREENSHOTS:-$PWD/docs/screenshots}"
# WebKitGTK under Xvfb without a GPU.
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1
echo "e2e run folder: $run_dir"

dbus-run-session -- bash -euo pipefail -c '
  # Start the keyring daemon unlocked with a throwaway password; export its socket.
  eval "$(echo -n e2e-keyring-password | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
  xvfb-run -a -s "-screen 0 1280x900x24" \
    cargo test -p omlink-e2e --test app -- --test-threads=1 "$@"
' e2e "$@"

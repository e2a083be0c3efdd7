//! The omlink desktop app: the window over the core (see the `omlink_desktop` library).

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    omlink_desktop::run();
}

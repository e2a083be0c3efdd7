//! The `omlink` binary against the sandbox over real HTTP(S) on loopback: its arguments, output
//! shapes and exit codes, the shared store and a kill -9 at any instant.

mod commands;
mod kill;
mod migrations;

pub use omlink_sandbox::pki::Pki;
use omlink_sandbox::{Sandbox, SandboxConfig};

/// A sandbox with `extra_orgs` generated organizations besides the demo ones.
pub fn fleet(extra_orgs: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        extra_orgs,
        ..Default::default()
    })
    .expect("sandbox starts")
}

/// The id of the sandbox's `i`th generated organization (see `extra_orgs`).
pub fn generated(i: usize) -> String {
    format!("{:024x}", 0xa000_0000_u64 + i as u64)
}

/// A command line's words (none of them holds a space).
pub fn argv(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

/// An organization that starts unlinked.
pub const ORG: &str = "5f1e2d3c4b5a697887766554";
/// A well-formed id the sandbox does not know.
pub const UNKNOWN_ORG: &str = "5f1e2d3c4b5a6978877660ff";
/// A link token distinctive enough to search output for.
pub const TOKEN: &str = "lt-CANARY-7f3a9c2e-token-value-that-must-never-be-printed";

/// A sandbox with the default demo data.
pub fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).expect("sandbox starts")
}

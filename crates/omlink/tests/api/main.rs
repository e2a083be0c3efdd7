//! Integration tests: the clients and the workbench against the sandbox over real HTTP(S) on
//! loopback (the `omlink` binary's own tests are in crates/omlink-cli).

mod atlas;
mod atlas_workbench;
mod batch;
mod bound_secrets;
mod client;
mod keychain_upkeep;
mod link_file;
mod locked_keychain;
mod props;
mod tls;
mod workbench;

use omlink::{BaseUrl, Client, ClientConfig, OrgId, PrivateKey, PublicKey};
use omlink_sandbox::demo::{self, DemoKey};
use omlink_sandbox::{Sandbox, SandboxConfig};

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

/// A sandbox with `config`.
pub fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).expect("sandbox starts")
}

/// A valid organization id.
pub fn org(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

/// A client configuration for `url` with a key pair.
pub fn config(url: &str, public: &str, private: &str) -> ClientConfig {
    ClientConfig::new(
        BaseUrl::new(url).unwrap(),
        PublicKey::new(public).unwrap(),
        PrivateKey::new(private).unwrap(),
    )
}

/// A client of the sandbox with one of its demo keys.
pub fn client_for(sandbox: &Sandbox, key: &DemoKey) -> Client {
    Client::new(config(sandbox.url(), key.public_key, key.private_key)).unwrap()
}

/// A client of the sandbox with its Organization Owner key.
pub fn owner(sandbox: &Sandbox) -> Client {
    client_for(sandbox, &demo::OWNER)
}

pub use omlink_sandbox::pki::Pki;

/// A workbench over the real store (a file in a fresh folder) and the in-memory keychain.
#[derive(Debug)]
pub struct Bench {
    /// The workbench under test.
    pub workbench: omlink::Workbench,
    /// Its keychain.
    pub secrets: omlink::secret_store::MemorySecretStore,
    /// Its store.
    pub store: omlink::Store,
    _dir: tempfile::TempDir,
}

/// A fresh bench: an empty store in a new folder, an empty in-memory keychain.
pub fn bench() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let store = omlink::Store::new(dir.path().join("omlink.json"));
    let secrets = omlink::secret_store::MemorySecretStore::default();
    let workbench = omlink::Workbench::new(
        omlink::ProfileBook::default(),
        Vec::new(),
        std::sync::Arc::new(secrets.clone()),
        std::sync::Arc::new(store.clone()),
    );
    Bench {
        workbench,
        secrets,
        store,
        _dir: dir,
    }
}

impl Bench {
    /// The workbench a new start of the app would have: the store read again, the same keychain.
    pub fn restart(&self) -> omlink::Workbench {
        omlink::Workbench::from_contents(
            self.store.load().unwrap(),
            std::sync::Arc::new(self.secrets.clone()),
            std::sync::Arc::new(self.store.clone()),
        )
    }
}

/// The store file's text ("" before the first write).
pub fn store_text(b: &Bench) -> String {
    std::fs::read_to_string(b.store.path()).unwrap_or_default()
}

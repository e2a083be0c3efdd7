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
mod migrations;
mod props;
mod tls;
mod workbench;

use omlink::batch::Cancel;
use omlink::{
    BaseUrl, Client, ClientConfig, Error, HistoryEntry, LinkOutcome, LinkToken, OrgId, PrivateKey,
    ProfileDraft, ProfileId, PublicKey, SandboxEndpoint, TokenSource, Workbench,
};
use omlink_sandbox::demo::{self, DemoKey};
use omlink_sandbox::{Faults, Sandbox, SandboxConfig};

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

/// A sandbox with `extra_orgs` generated organizations besides the demo ones.
pub fn fleet(extra_orgs: usize) -> Sandbox {
    sandbox_with(SandboxConfig {
        extra_orgs,
        ..SandboxConfig::default()
    })
}

/// The id of the sandbox's `i`th generated organization (see `extra_orgs`).
pub fn generated_id(i: usize) -> String {
    format!("{:024x}", 0xa000_0000_u64 + i as u64)
}

/// Every answer of the sandbox delayed by `latency_ms`.
pub fn slow_down(sb: &Sandbox, latency_ms: u64) {
    sb.set_faults(Faults {
        latency_ms,
        ..Faults::default()
    });
}

/// A Cancel that is pressed `ms` milliseconds from now (on the test's runtime).
pub fn cancel_after(ms: u64) -> Cancel {
    let cancel = Cancel::new();
    let later = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        later.cancel();
    });
    cancel
}

/// The messages waiting in `rx`, taken.
pub fn drain<T>(rx: &mut tokio::sync::mpsc::UnboundedReceiver<T>) -> Vec<T> {
    std::iter::from_fn(|| rx.try_recv().ok()).collect()
}

/// `items` linked as one batch through `workbench` with `options`, and every event it sent.
pub async fn watched_batch(
    workbench: &Workbench,
    profile: &ProfileId,
    items: Vec<omlink::batch::BatchItem>,
    options: &omlink::batch::BatchOptions,
) -> (omlink::batch::BatchReport, Vec<omlink::batch::BatchEvent>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let control = omlink::batch::BatchControl::new(Some(tx), Cancel::new());
    let report = workbench
        .link_batch(profile, items, options, control)
        .await
        .unwrap();
    (report, drain(&mut rx))
}

/// A profile draft with these fields and the defaults.
pub fn profile_draft(name: &str, url: &str, public_key: &str) -> ProfileDraft {
    ProfileDraft {
        name: name.into(),
        url: url.into(),
        public_key: public_key.into(),
        ..ProfileDraft::default()
    }
}

/// The sandbox as the app's "Try the sandbox" sees it: its owner key and service account.
pub fn sandbox_endpoint(sb: &Sandbox) -> SandboxEndpoint {
    SandboxEndpoint {
        url: BaseUrl::new(sb.url()).unwrap(),
        public_key: PublicKey::new(demo::OWNER.public_key).unwrap(),
        private_key: PrivateKey::new(demo::OWNER.private_key).unwrap(),
        atlas_client_id: omlink::ClientId::new(demo::SERVICE_ACCOUNT.client_id).unwrap(),
        atlas_client_secret: PrivateKey::new(demo::SERVICE_ACCOUNT.client_secret).unwrap(),
    }
}

/// A bench that started the sandbox as the app's "Try the sandbox" does: the sandbox, the
/// bench, the endpoint it was given and the profile it made.
pub fn on_the_sandbox() -> (Sandbox, Bench, SandboxEndpoint, omlink::Profile) {
    let sb = sandbox();
    let b = bench();
    let endpoint = sandbox_endpoint(&sb);
    let p = b.workbench.use_sandbox(endpoint.clone()).unwrap();
    (sb, b, endpoint, p)
}

/// The test's link token, typed in.
pub fn new_token() -> TokenSource {
    TokenSource::New(LinkToken::new(TOKEN).unwrap())
}

/// One link through the workbench, never cancelled.
pub async fn link(
    workbench: &Workbench,
    profile: &ProfileId,
    organization: &str,
    name: Option<&str>,
    token: TokenSource,
) -> (Result<LinkOutcome, Error>, Option<HistoryEntry>) {
    workbench
        .link(
            profile,
            &org(organization),
            name.map(str::to_owned),
            token,
            std::future::pending(),
        )
        .await
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

/// What the bench's keychain holds for `account`.
pub fn keychain(b: &Bench, account: &str) -> Option<String> {
    use omlink::secret_store::SecretStore;
    b.secrets
        .get(account)
        .unwrap()
        .map(|s| s.as_str().to_owned())
}

/// The store file's text ("" before the first write).
pub fn store_text(b: &Bench) -> String {
    std::fs::read_to_string(b.store.path()).unwrap_or_default()
}

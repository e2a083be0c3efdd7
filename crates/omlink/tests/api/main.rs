//! Integration tests: the client and the `omlink` binary against the sandbox over real HTTP(S)
//! on loopback.

mod atlas;
mod atlas_workbench;
mod batch;
mod bound_secrets;
mod cli;
mod client;
mod keychain_upkeep;
mod kill;
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

pub fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).expect("sandbox starts")
}

pub fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).expect("sandbox starts")
}

pub fn org(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

pub fn config(url: &str, public: &str, private: &str) -> ClientConfig {
    ClientConfig::new(
        BaseUrl::new(url).unwrap(),
        PublicKey::new(public).unwrap(),
        PrivateKey::new(private).unwrap(),
    )
}

pub fn client_for(sandbox: &Sandbox, key: &DemoKey) -> Client {
    Client::new(config(sandbox.url(), key.public_key, key.private_key)).unwrap()
}

pub fn owner(sandbox: &Sandbox) -> Client {
    client_for(sandbox, &demo::OWNER)
}

/// A private CA made for one test, as an on-prem Ops Manager would have.
#[derive(Debug)]
pub struct Pki {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

impl Pki {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "omlink test private CA");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer =
            rcgen::CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Self {
            ca_pem: issuer.pem(),
            issuer,
        }
    }

    /// A server certificate for `names`, signed by this CA.
    pub fn identity(&self, names: &[&str]) -> omlink_sandbox::TlsIdentity {
        use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyPair};
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        omlink_sandbox::TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A server certificate for `localhost`, signed by this CA, that expired yesterday.
    pub fn expired_identity(&self) -> omlink_sandbox::TlsIdentity {
        use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyPair};
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let now = std::time::SystemTime::now();
        params.not_before = (now - std::time::Duration::from_secs(30 * 86_400)).into();
        params.not_after = (now - std::time::Duration::from_secs(86_400)).into();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        omlink_sandbox::TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// An HTTPS sandbox whose certificate this CA signed for `localhost`.
    pub fn sandbox(&self) -> Sandbox {
        sandbox_with(SandboxConfig {
            tls: Some(self.identity(&["localhost"])),
            ..Default::default()
        })
    }

    /// Writes the CA certificate to a PEM file in `dir`.
    pub fn ca_file(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("private-ca.pem");
        std::fs::write(&path, &self.ca_pem).unwrap();
        path
    }
}

/// A workbench over the real store (a file in a fresh folder) and the in-memory keychain.
#[derive(Debug)]
pub struct Bench {
    pub workbench: omlink::Workbench,
    pub secrets: omlink::secret_store::MemorySecretStore,
    pub store: omlink::Store,
    _dir: tempfile::TempDir,
}

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

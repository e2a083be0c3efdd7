//! A private CA for tests (feature `pki`): the certificates an on-prem Ops Manager's HTTPS
//! would have, made fresh per test. Never part of the app.

use crate::{Sandbox, SandboxConfig};

/// A private CA made for one test, as an on-prem Ops Manager would have.
#[derive(Debug)]
pub struct Pki {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

impl Pki {
    /// A fresh CA.
    ///
    /// # Panics
    /// When the key cannot be generated (a test helper: the test fails).
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
    pub fn identity(&self, names: &[&str]) -> crate::TlsIdentity {
        use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyPair};
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        crate::TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A server certificate for `localhost`, signed by this CA, that expired yesterday.
    pub fn expired_identity(&self) -> crate::TlsIdentity {
        use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyPair};
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let now = std::time::SystemTime::now();
        params.not_before = (now - std::time::Duration::from_secs(30 * 86_400)).into();
        params.not_after = (now - std::time::Duration::from_secs(86_400)).into();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        crate::TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// An HTTPS sandbox whose certificate this CA signed for `localhost`.
    pub fn sandbox(&self) -> Sandbox {
        Sandbox::start(SandboxConfig {
            tls: Some(self.identity(&["localhost"])),
            ..SandboxConfig::default()
        })
        .expect("sandbox starts")
    }

    /// Writes the CA certificate to a PEM file in `dir`.
    pub fn ca_file(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("private-ca.pem");
        std::fs::write(&path, &self.ca_pem).unwrap();
        path
    }
}

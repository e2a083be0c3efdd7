//! HTTPS with a private CA: system roots plus the extra bundle, refusals, skip-verify.

use omlink::{Client, ErrorKind, LinkStatus, LinkToken, TlsOptions, Warning};
use omlink_sandbox::demo;

use crate::{ORG, Pki, TOKEN, config, org, sandbox};

fn https_config(url: &str) -> omlink::ClientConfig {
    config(url, demo::OWNER.public_key, demo::OWNER.private_key)
}

#[tokio::test]
async fn links_over_https_with_the_private_ca_added_to_the_system_roots() {
    let pki = Pki::new();
    let sb = pki.sandbox();
    assert!(sb.url().starts_with("https://localhost:"));
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = https_config(sb.url());
    cfg.tls = TlsOptions {
        ca_file: Some(pki.ca_file(dir.path())),
        skip_verify: false,
    };
    let client = Client::new(cfg).unwrap();
    assert!(client.warnings().is_empty());
    let outcome = client
        .link(&org(ORG), &LinkToken::new(TOKEN).unwrap())
        .await
        .unwrap();
    assert_eq!(outcome.status, LinkStatus::Synced);
    assert_eq!(sb.link_token(ORG).as_deref(), Some(TOKEN));
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error_with_a_reason() {
    let pki = Pki::new();
    let sb = pki.sandbox();
    let err = Client::new(https_config(sb.url()))
        .unwrap()
        .list_orgs()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls);
    assert!(err.message.contains("unknown authority"), "{}", err.message);
    assert!(err.hint.contains("CA"), "{}", err.hint);
    assert!(sb.requests().is_empty(), "nothing reached the server");

    // Another CA's bundle does not help either: the extra CA is trusted, nothing more.
    let other = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = https_config(sb.url());
    cfg.tls.ca_file = Some(other.ca_file(dir.path()));
    assert_eq!(
        Client::new(cfg)
            .unwrap()
            .list_orgs()
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Tls
    );
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused() {
    let pki = Pki::new();
    let sb = crate::sandbox_with(omlink_sandbox::SandboxConfig {
        tls: Some(pki.identity(&["opsmanager.example.com"])),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = https_config(sb.url());
    cfg.tls.ca_file = Some(pki.ca_file(dir.path()));
    let err = Client::new(cfg).unwrap().list_orgs().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls);
    assert!(
        err.message.contains("not valid for this host name"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn skip_verify_works_and_is_reported() {
    let pki = Pki::new();
    let sb = pki.sandbox();
    let mut cfg = https_config(sb.url());
    cfg.tls.skip_verify = true;
    let client = Client::new(cfg).unwrap();
    assert_eq!(client.warnings(), &[Warning::TlsVerificationDisabled]);
    assert_eq!(client.list_orgs().await.unwrap().len(), demo::ORGS.len());
}

#[tokio::test]
async fn https_to_a_plain_http_port_says_so() {
    let sb = sandbox();
    let url = sb.url().replace("http://", "https://");
    let err = Client::new(https_config(&url))
        .unwrap()
        .list_orgs()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls, "{err:?}");
    assert!(err.hint.contains("http://"), "{}", err.hint);
}

#[test]
fn unusable_ca_files_are_invalid_input_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let key_only = dir.path().join("key.pem");
    std::fs::write(
        &key_only,
        rcgen::KeyPair::generate().unwrap().serialize_pem(),
    )
    .unwrap();
    let corrupt = dir.path().join("corrupt.pem");
    std::fs::write(
        &corrupt,
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    for path in [dir.path().join("missing.pem"), empty, key_only, corrupt] {
        let mut cfg = https_config("https://localhost:1");
        cfg.tls.ca_file = Some(path.clone());
        let err = Client::new(cfg).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{path:?}: {err:?}");
        assert!(err.message.contains(&path.display().to_string()));
    }
}

#[tokio::test]
async fn an_expired_certificate_is_a_tls_error_that_says_so() {
    let pki = Pki::new();
    let sb = crate::sandbox_with(omlink_sandbox::SandboxConfig {
        tls: Some(pki.expired_identity()),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = https_config(sb.url());
    cfg.tls.ca_file = Some(pki.ca_file(dir.path()));
    let token = omlink::LinkToken::new(TOKEN).unwrap();
    let err = Client::new(cfg)
        .unwrap()
        .link(&crate::org(ORG), &token)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls);
    assert!(err.message.contains("expired"), "{}", err.message);
    assert!(!serde_json::to_string(&err).unwrap().contains(TOKEN));
    assert!(sb.requests().is_empty(), "nothing reached the server");
}

//! How fast the client does its calls against the sandbox over loopback: the digest challenge
//! and answer, JSON handling and connection reuse. `make bench` runs it; `scripts/bench-vs-curl.sh`
//! compares a whole `omlink status` process with `curl --digest`.
//!
//! Numbers are for comparison between revisions on one machine, never asserted in tests.

use criterion::{Criterion, criterion_group, criterion_main};
use omlink::{BaseUrl, Client, ClientConfig, LinkToken, OrgId, PrivateKey, PublicKey};
use omlink_sandbox::demo::{self, OWNER};
use omlink_sandbox::{Sandbox, SandboxConfig};

fn client(sandbox: &Sandbox) -> Client {
    Client::new(ClientConfig::new(
        BaseUrl::new(sandbox.url()).unwrap(),
        PublicKey::new(OWNER.public_key).unwrap(),
        PrivateKey::new(OWNER.private_key).unwrap(),
    ))
    .unwrap()
}

fn calls(c: &mut Criterion) {
    let sandbox = Sandbox::start(SandboxConfig {
        extra_orgs: 1100,
        ..Default::default()
    })
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = client(&sandbox);
    let org = OrgId::new(demo::ORGS[0].id).unwrap();
    let token = LinkToken::new("bench-link-token-0123456789abcdef").unwrap();

    c.bench_function("link (challenge + answer, kept-alive connection)", |b| {
        b.to_async(&runtime)
            .iter(|| async { client.link(&org, &token).await.unwrap() });
    });
    c.bench_function("link_status", |b| {
        b.to_async(&runtime)
            .iter(|| async { client.link_status(&org).await.unwrap() });
    });
    c.bench_function("list_orgs (1106 organizations, 3 pages)", |b| {
        b.to_async(&runtime)
            .iter(|| async { client.list_orgs().await.unwrap() });
    });
    c.bench_function(
        "first call on a new client (connect + challenge + answer)",
        |b| {
            b.to_async(&runtime)
                .iter(|| async { self::client(&sandbox).link_status(&org).await.unwrap() });
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = calls
}
criterion_main!(benches);

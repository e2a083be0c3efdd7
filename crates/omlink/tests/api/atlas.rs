//! The Atlas client against the sandbox's Atlas look-alike over real HTTP: both ways of signing
//! in, token renewal, each error kind, 429, and the whole flow with the Ops Manager side in one
//! process (mint, link, available projects, revoke).

use std::time::Duration;

use omlink::{
    ATLAS_MEDIA_TYPE, AtlasClient, AtlasConfig, AtlasCredentials, BaseUrl, ClientId, ErrorKind,
    LinkStatus, PrivateKey, PublicKey,
};
use omlink_sandbox::demo::{self, DemoKey};
use omlink_sandbox::{Faults, Sandbox, SandboxConfig};

use crate::{ORG, org, owner, sandbox, sandbox_with};

const ATLAS_ORG: &str = "6a1b2c3d4e5f60718293a4b5";
const SOURCE_IP: &str = "203.0.113.7";

fn service_account(sb: &Sandbox, secret: &str) -> AtlasClient {
    AtlasClient::new(AtlasConfig::new(
        BaseUrl::new(sb.url()).unwrap(),
        AtlasCredentials::ServiceAccount {
            client_id: ClientId::new(demo::SERVICE_ACCOUNT.client_id).unwrap(),
            client_secret: PrivateKey::new(secret).unwrap(),
        },
    ))
    .unwrap()
}

fn atlas(sb: &Sandbox) -> AtlasClient {
    service_account(sb, demo::SERVICE_ACCOUNT.client_secret)
}

fn api_key(sb: &Sandbox, key: &DemoKey) -> AtlasClient {
    AtlasClient::new(AtlasConfig::new(
        BaseUrl::new(sb.url()).unwrap(),
        AtlasCredentials::ApiKey {
            public_key: PublicKey::new(key.public_key).unwrap(),
            private_key: PrivateKey::new(key.private_key).unwrap(),
        },
    ))
    .unwrap()
}

fn ips() -> Vec<omlink::AccessListEntry> {
    omlink::parse_access_list(&[SOURCE_IP.to_owned()]).unwrap()
}

/// The projects Atlas lists as available to [`ATLAS_ORG`].
async fn projects_in_atlas(atlas: &AtlasClient) -> Vec<omlink::AvailableProject> {
    atlas.available_projects(&org(ATLAS_ORG)).await.unwrap()
}

fn token_requests(sb: &Sandbox) -> usize {
    sb.requests()
        .iter()
        .filter(|r| r.uri == "/api/oauth/token")
        .count()
}

#[tokio::test]
async fn a_service_account_lists_mints_and_revokes_with_the_versioned_media_type() {
    let sb = sandbox();
    let client = atlas(&sb);
    let orgs = client.list_orgs().await.unwrap();
    assert_eq!(
        orgs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        ["Atlas Production", "Atlas Staging"]
    );
    let token = client
        .create_link_token(&org(ATLAS_ORG), &ips())
        .await
        .unwrap();
    assert!(sb.has_link_token(ATLAS_ORG));
    assert_eq!(format!("{token:?}"), "LinkToken(<redacted>)");
    client.revoke_link_token(&org(ATLAS_ORG)).await.unwrap();
    assert!(!sb.has_link_token(ATLAS_ORG));

    // One access token served every call; every API call named its version.
    assert_eq!(token_requests(&sb), 1);
    let api: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.uri.starts_with("/api/atlas/v2"))
        .collect();
    assert_eq!(api.len(), 3);
    for r in &api {
        assert_eq!(r.accept.as_deref(), Some(ATLAS_MEDIA_TYPE), "{}", r.uri);
        assert_eq!(r.user.as_deref(), Some(demo::SERVICE_ACCOUNT.client_id));
    }
    let post = api.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(post.content_type.as_deref(), Some(ATLAS_MEDIA_TYPE));
    assert_eq!(
        String::from_utf8_lossy(&post.body),
        format!(r#"{{"accessListIps":["{SOURCE_IP}"]}}"#)
    );
}

#[tokio::test]
async fn an_api_key_signs_in_with_digest_and_a_member_key_lacks_the_role() {
    let sb = sandbox();
    let owner_key = api_key(&sb, &demo::ATLAS_OWNER);
    assert_eq!(owner_key.list_orgs().await.unwrap().len(), 2);
    owner_key
        .create_link_token(&org(ATLAS_ORG), &[])
        .await
        .unwrap();
    assert_eq!(token_requests(&sb), 0, "no OAuth with an API key");

    let member = api_key(&sb, &demo::ATLAS_MEMBER);
    let err = member
        .create_link_token(&org(ATLAS_ORG), &ips())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::PermissionDenied, "{err:?}");
    assert_eq!(err.error_code.as_deref(), Some("USER_UNAUTHORIZED"));
    assert!(
        err.hint.contains("Organization Owner") && err.hint.contains(ATLAS_ORG),
        "{}",
        err.hint
    );
    assert!(
        err.message.contains("create a link token in Atlas"),
        "{}",
        err.message
    );

    let wrong = api_key(
        &sb,
        &DemoKey {
            private_key: "00000000-0000-4000-8000-000000000000",
            ..demo::ATLAS_OWNER
        },
    );
    let err = wrong.list_orgs().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AuthenticationFailed, "{err:?}");
    assert!(err.hint.contains("Atlas credentials"), "{}", err.hint);
    assert!(
        !err.hint.contains("  "),
        "a hint reads as one sentence: {:?}",
        err.hint
    );
}

#[tokio::test]
async fn a_wrong_client_secret_is_an_authentication_failure_that_names_the_service_account() {
    let sb = sandbox();
    let secret = "mdb_sa_sk_CANARY-wrong-secret-4f2a";
    let err = service_account(&sb, secret).list_orgs().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AuthenticationFailed, "{err:?}");
    assert_eq!(err.http_status, Some(401));
    assert!(err.message.contains("sign in to Atlas"), "{}", err.message);
    assert!(err.hint.contains("client id and secret"), "{}", err.hint);
    assert!(!format!("{err:?}").contains(secret));
}

#[tokio::test]
async fn the_access_token_is_renewed_before_it_expires_and_after_a_refusal() {
    let sb = sandbox_with(SandboxConfig {
        access_token_lifetime: Duration::from_secs(2),
        ..SandboxConfig::default()
    });
    let client = atlas(&sb);
    client.list_orgs().await.unwrap();
    client.list_orgs().await.unwrap();
    assert_eq!(token_requests(&sb), 1, "the token is cached");
    // Past half its two-second life, the next call fetches a new one first: no 401 is seen.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    client.list_orgs().await.unwrap();
    assert_eq!(token_requests(&sb), 2);
    assert!(sb.requests().iter().all(|r| r.status != 401));

    // The server forgets every token (revoked, restarted): one 401, a new token, success.
    sb.expire_access_tokens();
    client.list_orgs().await.unwrap();
    assert_eq!(token_requests(&sb), 3);
    assert_eq!(sb.requests().iter().filter(|r| r.status == 401).count(), 1);
}

#[tokio::test]
async fn atlas_errors_map_onto_the_same_kinds_with_atlas_hints() {
    let sb = sandbox();
    let client = atlas(&sb);
    let unknown = org("6a1b2c3d4e5f60718293a4ff");
    let err = client.available_projects(&unknown).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.error_code.as_deref(), Some("ORG_NOT_FOUND"));
    assert!(err.hint.contains("Atlas organization id"), "{}", err.hint);

    sb.set_faults(Faults {
        rate_limit_retry_after: Some(7),
        ..Faults::default()
    });
    let err = client.list_orgs().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.retry_after_secs, Some(7));

    sb.set_faults(Faults {
        server_error: Some(503),
        ..Faults::default()
    });
    let err = client.list_orgs().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ServerError);
    assert!(err.hint.contains("Atlas"), "{}", err.hint);
    sb.set_faults(Faults::default());
}

#[tokio::test]
async fn mint_link_see_the_projects_then_revoke_all_in_one_process() {
    let sb = sandbox();
    let atlas = atlas(&sb);
    let om = owner(&sb);
    assert!(projects_in_atlas(&atlas).await.is_empty());

    let token = atlas
        .create_link_token(&org(ATLAS_ORG), &ips())
        .await
        .unwrap();
    let outcome = om.link(&org(ORG), &token).await.unwrap();
    assert_eq!(outcome.status, LinkStatus::Synced);
    assert_eq!(sb.atlas_org_of(ORG).as_deref(), Some(ATLAS_ORG));

    let projects = projects_in_atlas(&atlas).await;
    assert!(!projects.is_empty());
    assert!(
        projects
            .iter()
            .all(|p| p.name.starts_with("Payments Platform")),
        "{projects:?}"
    );
    let deployment = &projects[0].deployments[0];
    assert!(deployment.mongodb_version.is_some() && deployment.managed == Some(true));
    // The preflight read the same projects from Ops Manager, with the same versions.
    let checks = omlink::preflight::preflight(&om, omlink::ServerKind::OpsManager, &org(ORG))
        .await
        .unwrap();
    assert_eq!(checks.len(), projects.len());
    for p in &projects {
        let check = checks
            .iter()
            .find(|c| c.project_id == p.project_id)
            .unwrap();
        let versions: Vec<String> = p
            .deployments
            .iter()
            .filter_map(|d| d.mongodb_version.clone())
            .collect();
        assert_eq!(check.versions, versions, "{}", p.name);
    }
    // The raw array is the API's own.
    let raw = atlas
        .available_projects_json(&org(ATLAS_ORG))
        .await
        .unwrap();
    assert!(
        raw[0]["deployments"][0]["mongoDBVersion"].is_string(),
        "{raw}"
    );

    // Revoking removes the link: the token no longer links, and its error never shows it.
    atlas.revoke_link_token(&org(ATLAS_ORG)).await.unwrap();
    assert_eq!(sb.is_linked(ORG), Some(false));
    assert!(projects_in_atlas(&atlas).await.is_empty());
    let err = om.link(&org(ORG), &token).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert!(!format!("{err:?}").contains(token.expose()));
}

#[tokio::test]
async fn one_atlas_organization_takes_a_token_per_source_organization() {
    let sb = sandbox();
    let atlas = atlas(&sb);
    let om = owner(&sb);
    let second = "5f1e2d3c4b5a697887766555";
    for source in [ORG, second] {
        let token = atlas
            .create_link_token(&org(ATLAS_ORG), &ips())
            .await
            .unwrap();
        om.link(&org(source), &token).await.unwrap();
    }
    // Minting the second token did not invalidate the first: both sources are linked.
    assert_eq!(sb.atlas_org_of(ORG).as_deref(), Some(ATLAS_ORG));
    assert_eq!(sb.atlas_org_of(second).as_deref(), Some(ATLAS_ORG));
    let projects = projects_in_atlas(&atlas).await;
    assert!(
        projects
            .iter()
            .any(|p| p.name.starts_with("Payments Platform"))
    );
    assert!(projects.iter().any(|p| p.name.starts_with("Analytics")));
    atlas.revoke_link_token(&org(ATLAS_ORG)).await.unwrap();
    assert_eq!(sb.is_linked(ORG), Some(false));
    assert_eq!(sb.is_linked(second), Some(false));
}

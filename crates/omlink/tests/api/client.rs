//! The typed client against the sandbox: every endpoint, every error kind.

use std::time::{Duration, Instant};

use omlink::{Client, Error, ErrorKind, LinkStatus, LinkToken, Warning};
use omlink_sandbox::demo::{self, RUNNING_MIGRATION_ORG};
use omlink_sandbox::{Faults, Sandbox, SandboxConfig, UnlinkedStatus};

use crate::{ORG, TOKEN, UNKNOWN_ORG, client_for, config, org, owner, sandbox, sandbox_with};

fn token() -> LinkToken {
    LinkToken::new(TOKEN).unwrap()
}

/// An error's kind, HTTP status and errorCode, to compare in one assertion.
fn shape(err: &Error) -> (ErrorKind, Option<u16>, Option<&str>) {
    (err.kind, err.http_status, err.error_code.as_deref())
}

/// A sandbox that starts with `faults` set.
fn faulty(faults: Faults) -> Sandbox {
    sandbox_with(SandboxConfig {
        faults,
        ..Default::default()
    })
}

/// A sandbox with the fault that `fault` sets, and the error of the owner's link of [`ORG`] with the test's token
/// there.
async fn link_error_with(fault: impl FnOnce(&mut Faults)) -> (Sandbox, Error) {
    let mut faults = Faults::default();
    fault(&mut faults);
    let sb = faulty(faults);
    let err = owner(&sb).link(&org(ORG), &token()).await.unwrap_err();
    (sb, err)
}

/// A client with the owner's key pair at `url`, each call limited to `timeout`.
fn owner_within(url: &str, timeout: Duration) -> Client {
    let mut cfg = config(url, demo::OWNER.public_key, demo::OWNER.private_key);
    cfg.timeout = timeout;
    Client::new(cfg).unwrap()
}

#[tokio::test]
async fn link_sends_exactly_the_token_and_reads_synced() {
    let sb = sandbox();
    let client = owner(&sb);
    assert_eq!(client.warnings(), &[Warning::InsecureHttp]);

    let outcome = client.link(&org(ORG), &token()).await.unwrap();
    assert_eq!(outcome.status, LinkStatus::Synced);
    assert!(
        outcome
            .server_version
            .unwrap()
            .contains("versionString=omlink-sandbox")
    );
    assert_eq!(sb.link_token(ORG).as_deref(), Some(TOKEN));

    let requests = sb.requests();
    // One challenge (fetched without the body), one authenticated answer.
    assert_eq!(requests.len(), 2, "{requests:?}");
    let answered = &requests[1];
    assert_eq!(answered.method, "POST");
    assert_eq!(
        answered.uri,
        format!("/api/public/v1.0/orgs/{ORG}/liveExport/migrationLink")
    );
    assert_eq!(answered.content_type.as_deref(), Some("application/json"));
    assert_eq!(answered.accept.as_deref(), Some("application/json"));
    assert_eq!(answered.user.as_deref(), Some(demo::OWNER.public_key));
    assert_eq!(answered.status, 201);
    let body: serde_json::Value = serde_json::from_slice(&answered.body).unwrap();
    assert_eq!(body, serde_json::json!({ "linkToken": TOKEN }));
    // The token travelled in exactly one request, and that one was authenticated.
    assert!(requests[0].body.is_empty() && !requests[0].authorization);
    let carrying: Vec<_> = requests
        .iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains(TOKEN))
        .collect();
    assert_eq!(carrying.len(), 1);
    assert!(carrying[0].authorization);
    assert_eq!(sb.unexpected_requests(), 0);

    // The session keeps its nonce: the next call takes one round trip, with the next nc.
    sb.clear_requests();
    client.link_status(&org(ORG)).await.unwrap();
    let requests = sb.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].status, 200);
}

#[tokio::test]
async fn status_and_unlink_round_trip() {
    let sb = sandbox();
    let client = owner(&sb);
    let org = org(ORG);
    assert_eq!(
        client.link_status(&org).await.unwrap().status,
        LinkStatus::NotSynced
    );
    client.link(&org, &token()).await.unwrap();
    assert_eq!(
        client.link_status(&org).await.unwrap().status,
        LinkStatus::Synced
    );
    client.unlink(&org).await.unwrap();
    assert_eq!(sb.is_linked(ORG), Some(false));
    assert_eq!(
        client.link_status(&org).await.unwrap().status,
        LinkStatus::NotSynced
    );
    let statuses: Vec<u16> = sb.requests().iter().map(|r| r.status).collect();
    assert!(statuses.contains(&204), "{statuses:?}");
}

#[tokio::test]
async fn status_404_without_org_not_found_means_no_link() {
    let sb = sandbox_with(SandboxConfig {
        unlinked_status: UnlinkedStatus::NotFound,
        ..Default::default()
    });
    let client = owner(&sb);
    assert_eq!(
        client.link_status(&org(ORG)).await.unwrap().status,
        LinkStatus::NoLink
    );
    let err = client.link_status(&org(UNKNOWN_ORG)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.error_code.as_deref(), Some("ORG_NOT_FOUND"));
}

#[tokio::test]
async fn list_orgs_follows_every_page() {
    let sb = sandbox_with(SandboxConfig {
        extra_orgs: 1100,
        ..Default::default()
    });
    let orgs = owner(&sb).list_orgs().await.unwrap();
    assert_eq!(orgs.len(), demo::ORGS.len() + 1100);
    assert_eq!(
        orgs.iter()
            .filter(|o| o.name == "Payments Platform")
            .count(),
        1
    );
    let mut ids: Vec<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), orgs.len(), "no organization is listed twice");
    let pages: Vec<String> = sb
        .requests()
        .into_iter()
        .filter(|r| r.status == 200)
        .map(|r| r.uri)
        .collect();
    assert_eq!(
        pages,
        (1..=3)
            .map(|n| format!("/api/public/v1.0/orgs?pageNum={n}&itemsPerPage=500"))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn wrong_key_is_authentication_failed() {
    let sb = sandbox();
    let client = Client::new(config(
        sb.url(),
        demo::OWNER.public_key,
        "not-the-private-key",
    ))
    .unwrap();
    let err = client.link(&org(ORG), &token()).await.unwrap_err();
    assert_eq!(
        shape(&err),
        (ErrorKind::AuthenticationFailed, Some(401), None)
    );
    assert!(err.hint.contains("key pair"), "{}", err.hint);
    assert_eq!(sb.is_linked(ORG), Some(false));

    let unknown_user = Client::new(config(sb.url(), "nobody", "x")).unwrap();
    assert_eq!(
        unknown_user.list_orgs().await.unwrap_err().kind,
        ErrorKind::AuthenticationFailed
    );
}

#[tokio::test]
async fn key_without_the_role_is_permission_denied_on_a_401() {
    let sb = sandbox();
    let member = client_for(&sb, &demo::MEMBER);
    // A member can list organizations…
    assert!(!member.list_orgs().await.unwrap().is_empty());
    // …but not link: 401 with an errorCode, which is not a wrong key.
    let err = member.link(&org(ORG), &token()).await.unwrap_err();
    assert_eq!(
        shape(&err),
        (
            ErrorKind::PermissionDenied,
            Some(401),
            Some("USER_UNAUTHORIZED")
        )
    );
    assert!(
        err.hint.contains("Organization Owner") && err.hint.contains(ORG),
        "{}",
        err.hint
    );
    for result in [
        member.link_status(&org(ORG)).await.map(drop),
        member.unlink(&org(ORG)).await,
    ] {
        assert_eq!(result.unwrap_err().kind, ErrorKind::PermissionDenied);
    }
}

#[tokio::test]
async fn access_list_refusal_is_permission_denied_on_a_403() {
    let sb = sandbox();
    let err = client_for(&sb, &demo::BLOCKED)
        .link(&org(ORG), &token())
        .await
        .unwrap_err();
    assert_eq!(
        shape(&err),
        (
            ErrorKind::PermissionDenied,
            Some(403),
            Some("IP_ADDRESS_NOT_ON_ACCESS_LIST")
        )
    );
    assert!(err.hint.contains("access list"));
}

#[tokio::test]
async fn unknown_org_is_not_found() {
    let sb = sandbox();
    let err = owner(&sb)
        .link(&org(UNKNOWN_ORG), &token())
        .await
        .unwrap_err();
    assert_eq!(
        shape(&err),
        (ErrorKind::NotFound, Some(404), Some("ORG_NOT_FOUND"))
    );
    assert!(err.detail.unwrap().contains(UNKNOWN_ORG));
}

#[tokio::test]
async fn unlink_while_a_migration_runs_is_rejected_with_the_projects() {
    let sb = sandbox();
    let err = owner(&sb)
        .unlink(&org(RUNNING_MIGRATION_ORG))
        .await
        .unwrap_err();
    assert_eq!(
        shape(&err),
        (
            ErrorKind::Rejected,
            Some(409),
            Some("CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT")
        )
    );
    assert_eq!(
        err.parameters,
        vec![serde_json::json!("60a1b2c3d4e5f60718293a4b")]
    );
    assert!(err.hint.contains("60a1b2c3d4e5f60718293a4b"));
    assert_eq!(sb.is_linked(RUNNING_MIGRATION_ORG), Some(true));
}

#[tokio::test]
async fn expired_token_is_rejected_with_the_servers_detail_and_no_token() {
    let sb = sandbox();
    let bad = LinkToken::new("lt-expired-5e5e5e5e5e").unwrap();
    let err = owner(&sb).link(&org(ORG), &bad).await.unwrap_err();
    assert_eq!(shape(&err), (ErrorKind::Rejected, Some(400), None));
    assert_eq!(
        err.detail.as_deref(),
        Some("The link token is invalid or has expired.")
    );
    assert!(err.hint.contains("generate a new one"));
    assert!(
        !serde_json::to_string(&err)
            .unwrap()
            .contains("lt-expired-5e5e5e5e5e")
    );
}

#[tokio::test]
async fn envelope_and_pretty_answers_are_unwrapped() {
    let sb = sandbox();
    let mut cfg = config(sb.url(), demo::OWNER.public_key, demo::OWNER.private_key);
    cfg.envelope = true;
    cfg.pretty = true;
    let client = Client::new(cfg).unwrap();
    assert_eq!(
        client.link(&org(ORG), &token()).await.unwrap().status,
        LinkStatus::Synced
    );
    assert_eq!(client.list_orgs().await.unwrap().len(), demo::ORGS.len());
    client.unlink(&org(ORG)).await.unwrap();
    // Errors arrive as HTTP 200 envelopes and are judged by their inner status.
    let err = client
        .unlink(&org(RUNNING_MIGRATION_ORG))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind, err.http_status),
        (ErrorKind::Rejected, Some(409))
    );
    let err = client.link_status(&org(UNKNOWN_ORG)).await.unwrap_err();
    assert_eq!(
        (err.kind, err.http_status),
        (ErrorKind::NotFound, Some(404))
    );

    let requests = sb.requests();
    let answered: Vec<_> = requests.iter().filter(|r| r.user.is_some()).collect();
    assert!(
        answered
            .iter()
            .all(|r| r.uri.ends_with("pretty=true&envelope=true")),
        "{answered:?}"
    );
    assert!(answered.iter().all(|r| r.status == 200));
}

#[tokio::test]
async fn html_5xx_from_a_proxy_is_a_server_error_with_an_excerpt() {
    let sb = sandbox();
    let client = owner(&sb);
    for code in [500, 502] {
        sb.set_faults(Faults {
            server_error: Some(code),
            ..Faults::default()
        });
        let err = client.link(&org(ORG), &token()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::ServerError);
        assert_eq!(err.http_status, Some(code));
        let detail = err.detail.unwrap();
        assert!(
            detail.starts_with(&code.to_string()) && !detail.contains('<'),
            "{detail}"
        );
    }
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let (_sb, err) = link_error_with(|f| f.rate_limit_retry_after = Some(7)).await;
    assert_eq!(
        shape(&err),
        (ErrorKind::RateLimited, Some(429), Some("RATE_LIMITED"))
    );
    assert_eq!(err.retry_after_secs, Some(7));
}

#[tokio::test]
async fn dropped_connection_refused_port_and_timeout_are_network_errors() {
    let sb = sandbox();
    let client = owner(&sb);
    sb.set_faults(Faults {
        drop_connection: true,
        ..Faults::default()
    });
    assert_eq!(
        client.link(&org(ORG), &token()).await.unwrap_err().kind,
        ErrorKind::Network
    );

    sb.set_faults(Faults {
        latency_ms: 2_000,
        ..Faults::default()
    });
    let started = Instant::now();
    let err = owner_within(sb.url(), Duration::from_millis(300))
        .link_status(&org(ORG))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network);
    assert!(err.message.contains("timed out"), "{}", err.message);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the timeout cut the request short"
    );

    let addr = sb.addr();
    drop(sb);
    let closed = config(&format!("http://{addr}"), "k", "p");
    let err = Client::new(closed).unwrap().list_orgs().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network);
    assert!(err.hint.contains("reachable"));
}

#[tokio::test]
async fn a_stale_nonce_is_rechallenged_once_then_given_up() {
    // Every nonce is stale the moment it is answered.
    let sb = sandbox_with(SandboxConfig {
        nonce_lifetime: Duration::ZERO,
        ..Default::default()
    });
    let err = owner(&sb).list_orgs().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AuthenticationFailed);
    let requests = sb.requests();
    assert_eq!(
        requests.len(),
        3,
        "challenge, answer, one re-challenged answer: {requests:?}"
    );
    assert!(requests.iter().all(|r| r.status == 401));
}

#[tokio::test]
async fn the_base_url_may_carry_the_api_path() {
    let sb = sandbox();
    let url = format!("{}/api/public/v1.0/", sb.url());
    let client = Client::new(config(
        &url,
        demo::OWNER.public_key,
        demo::OWNER.private_key,
    ))
    .unwrap();
    assert_eq!(client.list_orgs().await.unwrap().len(), demo::ORGS.len());
    assert_eq!(sb.unexpected_requests(), 0);
}

/// The fault matrix, transport side: each fault ends in its typed error, without a panic and
/// without the token in the error.
mod faults {
    use super::*;
    use omlink::{Error, MAX_BODY_BYTES};

    fn assert_clean(err: &Error) {
        let json = serde_json::to_string(err).unwrap();
        assert!(!json.contains(TOKEN), "{json}");
        assert!(!json.contains(demo::OWNER.private_key), "{json}");
        assert!(!json.contains('\u{1b}'), "{json}");
    }

    #[tokio::test]
    async fn a_redirect_to_another_host_is_not_followed_and_sends_it_nothing() {
        let other = sandbox();
        let (sb, err) = link_error_with(|f| {
            f.redirect_to = Some(format!(
                "{}/api/public/v1.0/steal",
                other.url().replace("http://", "http://user:pw@")
            ))
        })
        .await;
        assert_eq!(err.kind, ErrorKind::ServerError);
        assert_eq!(err.http_status, Some(307));
        assert!(err.message.contains("redirect"), "{}", err.message);
        assert!(err.message.contains("***@127.0.0.1"), "{}", err.message);
        assert!(!err.message.contains("pw@"));
        assert_clean(&err);
        assert!(
            other.requests().is_empty(),
            "the other host received nothing"
        );
        // Only the body-less challenge request reached the redirecting server.
        let requests = sb.requests();
        assert_eq!(requests.len(), 1, "{requests:?}");
        assert_eq!(requests[0].body_len, 0);
    }

    #[tokio::test]
    async fn a_malformed_challenge_is_a_server_error_with_a_short_excerpt() {
        let (sb, err) = link_error_with(|f| f.malformed_challenge = true).await;
        assert_eq!(err.kind, ErrorKind::ServerError);
        assert_eq!(err.http_status, Some(401));
        assert!(err.message.contains("challenge"), "{}", err.message);
        assert!(err.detail.as_ref().unwrap().chars().count() <= 121);
        assert_clean(&err);
        assert!(
            sb.requests().iter().all(|r| r.body_len == 0),
            "the token was never sent"
        );
    }

    #[tokio::test]
    async fn a_reset_mid_body_is_a_network_error() {
        let (_sb, err) = link_error_with(|f| f.reset_mid_body = true).await;
        assert_eq!(err.kind, ErrorKind::Network, "{err:?}");
        assert_clean(&err);
    }

    #[tokio::test]
    async fn malformed_json_in_a_2xx_is_a_server_error() {
        let sb = faulty(Faults {
            malformed_json: true,
            ..Faults::default()
        });
        let client = owner(&sb);
        let err = client.link(&org(ORG), &token()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::ServerError);
        assert!(err.message.contains("not a link status"), "{}", err.message);
        assert_clean(&err);
        let err = client.list_orgs().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::ServerError);
    }

    #[tokio::test]
    async fn a_10_mb_body_is_refused_not_buffered() {
        let sb = faulty(Faults {
            huge_body_bytes: Some(10 << 20),
            ..Faults::default()
        });
        let err = owner(&sb).link_status(&org(ORG)).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::ServerError);
        assert!(
            err.message
                .contains(&format!("larger than {} MiB", MAX_BODY_BYTES >> 20)),
            "{}",
            err.message
        );
    }

    #[tokio::test]
    async fn one_deadline_covers_every_round_trip_of_a_call() {
        // Each request answers well within the timeout, but the whole call does not.
        let sb = sandbox_with(SandboxConfig {
            extra_orgs: 1200,
            faults: Faults {
                latency_ms: 250,
                ..Faults::default()
            },
            ..Default::default()
        });
        let err = owner_within(sb.url(), Duration::from_millis(900))
            .list_orgs()
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Network);
        assert!(err.message.contains("within"), "{}", err.message);
    }

    #[tokio::test]
    async fn a_dns_failure_is_a_network_error() {
        // `.invalid` never resolves (RFC 2606); with no resolver at all, the deadline ends it.
        let invalid = "https://omlink-test.invalid:8443";
        let err = owner_within(invalid, Duration::from_secs(5))
            .link(&org(ORG), &token())
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Network, "{err:?}");
        assert_clean(&err);
    }

    #[tokio::test]
    async fn a_stale_nonce_resends_once_authenticated() {
        let sb = sandbox();
        let client = owner(&sb);
        client.link_status(&org(ORG)).await.unwrap();
        sb.clear_requests();
        sb.set_faults(Faults {
            stale_nonce_count: 1,
            ..Faults::default()
        });
        client.link(&org(ORG), &token()).await.unwrap();
        let requests = sb.requests();
        // The reused nonce is refused as stale; the answer to its fresh challenge succeeds.
        assert_eq!(requests.len(), 2, "{requests:?}");
        assert!(requests.iter().all(|r| r.authorization));
        assert_eq!(requests[1].status, 201);
    }
}

//! Secrets are bound to where they were saved: a profile's or Atlas connection's key is cleared
//! when its server, user or TLS settings change without it, and a saved link token is only
//! sent to the server it was first used with.

use omlink::secret_store::{atlas_secret_account, private_key_account};
use omlink::{AtlasDraft, ErrorKind, LinkStatus, ProfileDraft, TokenSource};
use omlink_sandbox::demo;

use crate::{ORG, bench, keychain, link, new_token, profile_draft, sandbox};

fn draft(url: &str) -> ProfileDraft {
    profile_draft("Prod", url, "abcdefgh")
}

#[test]
fn a_profile_edit_that_moves_its_key_elsewhere_clears_it_unless_entered_again() {
    let b = bench();
    let p = b
        .workbench
        .save_profile(None, &draft("https://om.example.com:8443"), Some("the-key"))
        .unwrap();
    let account = private_key_account(&p.id);
    let edit = |d: &ProfileDraft, key: Option<&str>| {
        b.workbench.save_profile(Some(&p.id), d, key).unwrap()
    };
    // A new timeout or a path on the same server keeps the key.
    let same = edit(
        &ProfileDraft {
            timeout_secs: 10,
            ..draft("https://OM.example.com:8443/om")
        },
        None,
    );
    assert!(same.has_private_key);
    assert!(keychain(&b, &account).is_some());
    // Another host, port, scheme, public key or TLS setting clears it.
    for moved in [
        draft("https://evil.example.com:8443"),
        draft("https://om.example.com:9443"),
        draft("http://om.example.com:8443"),
        ProfileDraft {
            public_key: "zzzzzzzz".into(),
            ..draft("https://om.example.com:8443")
        },
        ProfileDraft {
            skip_verify: true,
            ..draft("https://om.example.com:8443")
        },
    ] {
        edit(&draft("https://om.example.com:8443"), Some("the-key"));
        let saved = edit(&moved, None);
        assert!(!saved.has_private_key, "{moved:?}");
        assert!(keychain(&b, &account).is_none(), "{moved:?}");
        // Entered again in the same save, the new key is kept.
        edit(&draft("https://om.example.com:8443"), Some("the-key"));
        let rekeyed = edit(&moved, Some("another-key"));
        assert!(rekeyed.has_private_key);
        assert_eq!(keychain(&b, &account).as_deref(), Some("another-key"));
    }
}

#[test]
fn an_atlas_connection_edit_to_another_place_or_user_clears_its_secret() {
    let b = bench();
    let atlas = |url: &str, user: &str| AtlasDraft {
        name: "Atlas".into(),
        url: url.into(),
        user: user.into(),
        ..AtlasDraft::default()
    };
    let cloud = atlas("https://cloud.mongodb.com", demo::SERVICE_ACCOUNT.client_id);
    let c = b
        .workbench
        .save_atlas(None, &cloud, Some("the-secret"))
        .unwrap();
    let account = atlas_secret_account(&c.id);
    let edit = |d: &AtlasDraft, secret: Option<&str>| {
        b.workbench.save_atlas(Some(&c.id), d, secret).unwrap()
    };
    let kept = edit(&cloud, None);
    assert!(kept.has_secret);
    let elsewhere = atlas(
        "https://atlas.evil.example",
        demo::SERVICE_ACCOUNT.client_id,
    );
    let moved = edit(&elsewhere, None);
    assert!(!moved.has_secret);
    assert!(keychain(&b, &account).is_none());
    edit(&cloud, Some("the-secret"));
    let other_user = edit(
        &atlas(
            "https://cloud.mongodb.com",
            "mdb_sa_id_fedcba9876543210fedcba98",
        ),
        None,
    );
    assert!(!other_user.has_secret);
    assert!(keychain(&b, &account).is_none());
}

#[tokio::test]
async fn a_saved_token_is_only_sent_to_the_server_it_was_first_used_with() {
    let first = sandbox();
    let second = sandbox();
    let b = bench();
    let owner_at = |url: &str| profile_draft("Prod", url, demo::OWNER.public_key);
    let p = b
        .workbench
        .save_profile(None, &owner_at(first.url()), Some(demo::OWNER.private_key))
        .unwrap();
    let (result, entry) = link(&b.workbench, &p.id, ORG, None, new_token()).await;
    assert_eq!(result.unwrap().status, LinkStatus::Synced);
    let entry = entry.unwrap();
    assert_eq!(
        entry.server.as_deref(),
        Some(first.url().trim_end_matches('/'))
    );
    // The profile is pointed at another server (its key entered again).
    b.workbench
        .save_profile(
            Some(&p.id),
            &owner_at(second.url()),
            Some(demo::OWNER.private_key),
        )
        .unwrap();
    let reuse = TokenSource::History(entry.id.clone());
    let (result, none) = link(&b.workbench, &p.id, ORG, None, reuse).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains("was used with"), "{}", err.message);
    assert!(none.is_none());
    assert!(
        second
            .requests()
            .iter()
            .all(|r| !r.uri.contains("migrationLink")),
        "nothing was sent to the other server"
    );
}

//! Secrets are bound to where they were saved: a profile's or Atlas connection's key is cleared
//! when its server, user or TLS settings change without it, and a saved link token is only
//! sent to the server it was first used with.

use omlink::secret_store::{SecretStore, atlas_secret_account, private_key_account};
use omlink::{AtlasDraft, ErrorKind, LinkStatus, LinkToken, ProfileDraft, TokenSource};
use omlink_sandbox::demo;

use crate::{ORG, TOKEN, bench, org, sandbox};

fn draft(url: &str) -> ProfileDraft {
    ProfileDraft {
        name: "Prod".into(),
        url: url.into(),
        public_key: "abcdefgh".into(),
        ..ProfileDraft::default()
    }
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
    assert!(b.secrets.get(&account).unwrap().is_some());
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
        assert!(b.secrets.get(&account).unwrap().is_none(), "{moved:?}");
        // Entered again in the same save, the new key is kept.
        edit(&draft("https://om.example.com:8443"), Some("the-key"));
        let rekeyed = edit(&moved, Some("another-key"));
        assert!(rekeyed.has_private_key);
        assert_eq!(
            b.secrets.get(&account).unwrap().unwrap().as_str(),
            "another-key"
        );
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
    let c = b
        .workbench
        .save_atlas(
            None,
            &atlas("https://cloud.mongodb.com", demo::SERVICE_ACCOUNT.client_id),
            Some("the-secret"),
        )
        .unwrap();
    let account = atlas_secret_account(&c.id);
    let kept = b
        .workbench
        .save_atlas(
            Some(&c.id),
            &atlas("https://cloud.mongodb.com", demo::SERVICE_ACCOUNT.client_id),
            None,
        )
        .unwrap();
    assert!(kept.has_secret);
    let moved = b
        .workbench
        .save_atlas(
            Some(&c.id),
            &atlas(
                "https://atlas.evil.example",
                demo::SERVICE_ACCOUNT.client_id,
            ),
            None,
        )
        .unwrap();
    assert!(!moved.has_secret);
    assert!(b.secrets.get(&account).unwrap().is_none());
    b.workbench
        .save_atlas(
            Some(&c.id),
            &atlas("https://cloud.mongodb.com", demo::SERVICE_ACCOUNT.client_id),
            Some("the-secret"),
        )
        .unwrap();
    let other_user = b
        .workbench
        .save_atlas(
            Some(&c.id),
            &atlas(
                "https://cloud.mongodb.com",
                "mdb_sa_id_fedcba9876543210fedcba98",
            ),
            None,
        )
        .unwrap();
    assert!(!other_user.has_secret);
    assert!(b.secrets.get(&account).unwrap().is_none());
}

#[tokio::test]
async fn a_saved_token_is_only_sent_to_the_server_it_was_first_used_with() {
    let first = sandbox();
    let second = sandbox();
    let b = bench();
    let p = b
        .workbench
        .save_profile(
            None,
            &ProfileDraft {
                public_key: demo::OWNER.public_key.into(),
                ..draft(first.url())
            },
            Some(demo::OWNER.private_key),
        )
        .unwrap();
    let (result, entry) = b
        .workbench
        .link(
            &p.id,
            &org(ORG),
            None,
            TokenSource::New(LinkToken::new(TOKEN).unwrap()),
            std::future::pending(),
        )
        .await;
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
            &ProfileDraft {
                public_key: demo::OWNER.public_key.into(),
                ..draft(second.url())
            },
            Some(demo::OWNER.private_key),
        )
        .unwrap();
    let (result, none) = b
        .workbench
        .link(
            &p.id,
            &org(ORG),
            None,
            TokenSource::History(entry.id.clone()),
            std::future::pending(),
        )
        .await;
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

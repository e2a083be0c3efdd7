//! The app's behaviour (the Workbench behind every Tauri command) against the sandbox, with the
//! in-memory secret store and persistence.

use std::time::Duration;

use omlink::secret_store::{SecretStore, link_token_account, private_key_account};
use omlink::{
    ErrorKind, ExportFormat, LinkStatus, LinkToken, Outcome, ProfileDraft, Store, TokenSource,
};
use omlink_sandbox::demo::{self, RUNNING_MIGRATION_ORG};
use omlink_sandbox::{Faults, Sandbox};

use crate::{
    Bench, ORG, TOKEN, bench, fleet, generated_id, keychain, link, new_token, on_the_sandbox, org,
    profile_draft, sandbox, slow_down, store_text, watched_batch,
};

fn draft(sb: &Sandbox, name: &str, public: &str) -> ProfileDraft {
    profile_draft(name, sb.url(), public)
}

/// A profile saved with a demo key pair, its private key in the fake keychain.
fn saved_profile(b: &Bench, sb: &Sandbox, name: &str, key: &demo::DemoKey) -> omlink::Profile {
    b.workbench
        .save_profile(
            None,
            &draft(sb, name, key.public_key),
            Some(key.private_key),
        )
        .unwrap()
}

/// A sandbox, a bench and a profile saved in it with `key`.
fn lab(name: &str, key: &demo::DemoKey) -> (Sandbox, Bench, omlink::Profile) {
    let sb = sandbox();
    let b = bench();
    let p = saved_profile(&b, &sb, name, key);
    (sb, b, p)
}

fn no_cancel() -> std::future::Pending<()> {
    std::future::pending()
}

#[tokio::test]
async fn profiles_keep_keys_in_the_keychain_only() {
    let (sb, b, p) = lab("Lab", &demo::OWNER);
    assert!(p.has_private_key);
    assert_eq!(
        keychain(&b, &private_key_account(&p.id)).as_deref(),
        Some(demo::OWNER.private_key)
    );
    assert!(!store_text(&b).contains(demo::OWNER.private_key));
    assert_eq!(b.workbench.profiles().last_used.as_ref(), Some(&p.id));

    // Test connection lists the organizations.
    assert_eq!(
        b.workbench.list_orgs(&p.id).await.unwrap().len(),
        demo::ORGS.len()
    );

    // Editing without a key keeps the saved one; duplicating copies it; deleting removes it.
    let edited = b
        .workbench
        .save_profile(
            Some(&p.id),
            &draft(&sb, "Lab 2", demo::OWNER.public_key),
            None,
        )
        .unwrap();
    assert!(edited.has_private_key);
    let copy = b.workbench.duplicate_profile(&p.id).unwrap();
    assert_eq!(copy.name, "Lab 2 (copy)");
    assert!(keychain(&b, &private_key_account(&copy.id)).is_some());
    b.workbench.delete_profile(&p.id).unwrap();
    assert!(keychain(&b, &private_key_account(&p.id)).is_none());
    assert_eq!(b.workbench.profiles().profiles.len(), 1);
}

#[tokio::test]
async fn a_bad_draft_saves_nothing() {
    let sb = sandbox();
    let b = bench();
    let err = b
        .workbench
        .save_profile(
            None,
            &ProfileDraft {
                url: "nope".into(),
                ..draft(&sb, "X", "k")
            },
            Some("pk"),
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(b.secrets.accounts().is_empty());
    assert!(b.workbench.profiles().profiles.is_empty());
}

#[tokio::test]
async fn link_records_history_with_the_token_in_the_keychain_and_reuses_it() {
    let (sb, b, p) = lab("Lab", &demo::OWNER);
    let named = Some("Payments Platform");
    let (result, entry) = link(&b.workbench, &p.id, ORG, named, new_token()).await;
    assert_eq!(result.unwrap().status, LinkStatus::Synced);
    let entry = entry.unwrap();
    assert_eq!(
        entry.outcome,
        Outcome::Linked {
            status: LinkStatus::Synced
        }
    );
    assert!(entry.has_token);
    assert_eq!(entry.token_mask, "lt-C…nted");
    let token_account = link_token_account(&entry.token_fingerprint);
    assert_eq!(keychain(&b, &token_account).as_deref(), Some(TOKEN));
    assert!(!store_text(&b).contains(TOKEN), "the store holds no token");

    // Use this token again, after an unlink.
    b.workbench.unlink(&p.id, &org(ORG)).await.unwrap();
    assert_eq!(
        b.workbench
            .link_status(&p.id, &org(ORG))
            .await
            .unwrap()
            .status,
        LinkStatus::NotSynced
    );
    let reuse = TokenSource::History(entry.id.clone());
    let (result, again) = link(&b.workbench, &p.id, ORG, None, reuse).await;
    assert_eq!(result.unwrap().status, LinkStatus::Synced);
    assert_eq!(sb.link_token(ORG).as_deref(), Some(TOKEN));
    let again = again.unwrap();
    assert_eq!(again.token_fingerprint, entry.token_fingerprint);
    assert_eq!(b.workbench.history(Some(&org(ORG))).len(), 2);
    assert_eq!(
        b.secrets.accounts().len(),
        2,
        "one key, one entry per distinct token"
    );

    // The token stays while an entry uses it, and goes with the last one; reuse then says so.
    b.workbench.delete_history_entry(&entry.id).unwrap();
    assert!(keychain(&b, &token_account).is_some());
    b.workbench.delete_history_entry(&again.id).unwrap();
    assert!(keychain(&b, &token_account).is_none());
    let reuse = TokenSource::History(entry.id);
    let (result, none) = link(&b.workbench, &p.id, ORG, None, reuse).await;
    assert_eq!(result.unwrap_err().kind, ErrorKind::InvalidInput);
    assert!(none.is_none());

    let csv = b.workbench.export_history(None, ExportFormat::Csv);
    let json = b
        .workbench
        .export_history(Some(&org(ORG)), ExportFormat::Json);
    assert!(!csv.contains(TOKEN) && !json.contains(TOKEN));
    assert_eq!(csv.lines().count(), 1, "only the header is left: {csv}");
}

#[tokio::test]
async fn a_saved_token_is_reused_only_with_its_own_profile_and_organization() {
    let (sb, b, p) = lab("Lab", &demo::OWNER);
    let q = saved_profile(&b, &sb, "Other", &demo::OWNER);
    let (_, entry) = link(&b.workbench, &p.id, ORG, None, new_token()).await;
    let entry = entry.unwrap();
    sb.clear_requests();
    let other_org = demo::ORGS
        .iter()
        .find(|o| o.id != ORG && !o.linked)
        .unwrap()
        .id;
    for (profile, organization) in [(&q.id, ORG), (&p.id, other_org)] {
        let reuse = TokenSource::History(entry.id.clone());
        let (result, none) = link(&b.workbench, profile, organization, None, reuse).await;
        let err = result.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains("another profile"), "{}", err.message);
        assert!(none.is_none());
    }
    assert!(sb.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn deleting_a_profile_takes_its_keychain_entries_and_a_sweep_removes_orphans() {
    let (_sb, b, p) = lab("Lab", &demo::OWNER);
    let (_, entry) = link(&b.workbench, &p.id, ORG, None, new_token()).await;
    entry.unwrap();
    assert_eq!(b.secrets.accounts().len(), 2);
    b.workbench.delete_profile(&p.id).unwrap();
    assert!(
        b.secrets.accounts().is_empty(),
        "{:?}",
        b.secrets.accounts()
    );
    let kept = b.workbench.history(None);
    assert_eq!(kept.len(), 1, "the history stays, without its token");
    assert!(!kept[0].has_token);

    // Orphans (a crash between the keychain and the store) are reported at one start and
    // removed at the next when still unused; said both times.
    b.secrets.set("profile:deadbeef:private-key", "x").unwrap();
    b.secrets.set("link-token:000000000000", "y").unwrap();
    let first = b.workbench.sweep_keychain().unwrap();
    assert_eq!(first.removed, 0);
    assert_eq!(first.unused.len(), 2);
    assert_eq!(
        first.notice.as_deref(),
        Some(
            "2 omlink keychain entries are not used by any saved profile, Atlas connection or \
             history entry; unless something uses them by then, omlink removes them when it next \
             starts (or now: Remove unused keychain entries, or `omlink profile prune --yes`)."
        )
    );
    assert_eq!(b.secrets.accounts().len(), 2);
    let said = b.restart().sweep_keychain().unwrap();
    assert_eq!(
        said.notice.as_deref(),
        Some(
            "Removed 2 keychain entries that no profile, Atlas connection or history entry has \
             used since omlink last started."
        )
    );
    assert!(b.secrets.accounts().is_empty());
    assert_eq!(
        b.restart().sweep_keychain().unwrap(),
        omlink::KeychainUpkeep::default()
    );
}

#[tokio::test]
async fn failures_are_recorded_with_kind_and_code() {
    let (sb, b, p) = lab("Member", &demo::MEMBER);
    let (result, entry) = link(&b.workbench, &p.id, ORG, None, new_token()).await;
    assert_eq!(result.unwrap_err().kind, ErrorKind::PermissionDenied);
    assert_eq!(
        entry.unwrap().outcome,
        Outcome::Failed {
            kind: ErrorKind::PermissionDenied,
            http_status: Some(401),
            error_code: Some("USER_UNAUTHORIZED".into())
        }
    );
    let owner = saved_profile(&b, &sb, "Owner", &demo::OWNER);
    let err = b
        .workbench
        .unlink(&owner.id, &org(RUNNING_MIGRATION_ORG))
        .await
        .unwrap_err();
    assert_eq!(
        err.error_code.as_deref(),
        Some("CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT")
    );
}

#[tokio::test]
async fn cancel_and_double_submission() {
    let sb = sandbox();
    slow_down(&sb, 800);
    let b = bench();
    let p = saved_profile(&b, &sb, "Slow", &demo::OWNER);
    let token = new_token;
    let org = org(ORG);
    let first = b.workbench.link(
        &p.id,
        &org,
        None,
        token(),
        tokio::time::sleep(Duration::from_millis(300)),
    );
    let second = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        b.workbench
            .link(&p.id, &org, None, token(), no_cancel())
            .await
    };
    let ((first, first_entry), (second, second_entry)) = tokio::join!(first, second);
    assert_eq!(first.unwrap_err().kind, ErrorKind::Cancelled);
    assert_eq!(first_entry.unwrap().outcome, Outcome::Cancelled);
    let second = second.unwrap_err();
    assert_eq!(second.kind, ErrorKind::InvalidInput);
    assert!(
        second.message.contains("already running"),
        "{}",
        second.message
    );
    assert!(
        second_entry.is_none(),
        "the refused duplicate is not recorded"
    );
    assert_eq!(b.workbench.history(None).len(), 1, "one attempt, one entry");
    // The organization is free again after the cancel.
    sb.set_faults(Faults::default());
    assert!(
        b.workbench
            .link(&p.id, &org, None, token(), no_cancel())
            .await
            .0
            .is_ok()
    );
}

#[tokio::test]
async fn the_sandbox_profile_needs_no_keychain() {
    let (_sb, b, endpoint, p) = on_the_sandbox();
    assert!(p.sandbox && p.name == "Sandbox");
    assert!(b.secrets.accounts().is_empty());
    assert_eq!(
        b.workbench.list_orgs(&p.id).await.unwrap()[0].name,
        "Analytics"
    );
    // Starting it again reuses the profile.
    assert_eq!(b.workbench.use_sandbox(endpoint).unwrap().id, p.id);
    assert_eq!(b.workbench.profiles().profiles.len(), 1);
}

#[test]
fn the_sweep_spares_a_key_whose_profile_another_process_is_about_to_save() {
    let b = bench();
    let cli_draft = |name: &str| profile_draft(name, "https://om.example.com", "abcdefgh");
    // A healthy store (one profile), so the sweep may remove what stays unused.
    b.workbench
        .save_profile(None, &cli_draft("Existing"), Some("existing-key"))
        .unwrap();
    let id = omlink::ProfileId::new("0a1b2c3d4e5f6071").unwrap();
    // The CLI has written the key, not yet the profile: this start-up only notes it.
    b.secrets
        .set(&private_key_account(&id), "cli-private-key")
        .unwrap();
    let first = b.restart().sweep_keychain().unwrap();
    assert_eq!((first.removed, first.unused.len()), (0, 1));
    b.store
        .update(|data| {
            let mut p = data.profiles.validate(None, &cli_draft("From the CLI"))?;
            p.id = id.clone();
            data.profiles.upsert(p);
            Ok(())
        })
        .unwrap();
    // At the next start the profile names it: kept, and no longer listed as unused.
    let second = b.restart().sweep_keychain().unwrap();
    assert_eq!(second, omlink::KeychainUpkeep::default());
    assert!(keychain(&b, &private_key_account(&id)).is_some());
    assert!(
        !store_text(&b).contains("keychainOrphans"),
        "{}",
        store_text(&b)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_records_each_attempt_as_it_finishes_and_a_rerun_adds_only_the_rest() {
    use omlink::batch::{BatchControl, BatchItem, BatchOptions, OrgOutcome};
    let sb = fleet(20);
    let b = bench();
    let p = saved_profile(&b, &sb, "Fleet", &demo::OWNER);
    let items: Vec<BatchItem> = (0..20)
        .map(|i| BatchItem {
            org: org(&generated_id(i)),
            name: Some(format!("Generated {i}")),
            token: Some(
                LinkToken::new(if i == 3 {
                    format!("{}-token-{i}", demo::EXPIRED_TOKEN_MARKER)
                } else {
                    format!("{TOKEN}-{i}")
                })
                .unwrap(),
            ),
        })
        .collect();
    let options = BatchOptions::default();
    let (report, events) = watched_batch(&b.workbench, &p.id, items.clone(), &options).await;
    assert_eq!(report.failed(), 1);
    let events = events.len();
    assert_eq!(events, 20, "every result is passed on");
    let history = b.workbench.history(None);
    assert_eq!(history.len(), 20, "one entry per attempt");
    assert_eq!(
        history
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Failed { .. }))
            .count(),
        1
    );
    assert!(history.iter().all(|e| e.has_token));
    assert_eq!(
        b.secrets.accounts().len(),
        21,
        "one key and one entry per token"
    );
    let on_disk = store_text(&b);
    assert!(!on_disk.contains(TOKEN), "the store holds no token");
    assert_eq!(
        Store::new(b.store.path())
            .load()
            .unwrap()
            .data
            .history
            .len(),
        20,
        "recorded on disk, not only in memory"
    );

    // The re-run skips the 19 linked organizations and records only the retried one.
    let again = b
        .workbench
        .link_batch(&p.id, items, &options, BatchControl::default())
        .await
        .unwrap();
    let skipped = again
        .results
        .iter()
        .filter(|r| r.outcome == OrgOutcome::AlreadyLinked)
        .count();
    assert_eq!(skipped, 19);
    assert_eq!(b.workbench.history(None).len(), 21);
}

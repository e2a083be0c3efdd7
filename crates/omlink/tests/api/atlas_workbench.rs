//! The app's Atlas side (the Workbench behind the window's Generate & link, batch mapping,
//! available projects, revoke and preflight) against the sandbox's Ops Manager and Atlas
//! look-alikes in one process, with the in-memory keychain and the real store file.

use std::collections::HashMap;

use omlink::batch::{
    BatchControl, BatchEvent, BatchItem, BatchOptions, BatchReport, Cancel, OrgOutcome,
};
use omlink::secret_store::atlas_secret_account;
use omlink::{
    AtlasAuth, AtlasDraft, AtlasLink, AtlasTarget, Error, ErrorKind, LinkStatus, OrgId,
    Organization, Outcome, ProfileDraft, ProfileId, TokenSource, Workbench,
};
use omlink_sandbox::demo;
use omlink_sandbox::{Faults, Sandbox};
use tokio::sync::mpsc::UnboundedSender;

use crate::{
    Bench, ORG, bench, cancel_after, drain, fleet, keychain, link, on_the_sandbox, org, sandbox,
    slow_down, store_text,
};

const ATLAS_ORG: &str = "6a1b2c3d4e5f60718293a4b5";

/// An Atlas connection to the sandbox (its service account, or an API key), and an Ops Manager
/// profile (the owner key) that mints its tokens with it.
pub(crate) fn profile_pair(
    b: &Bench,
    sb: &Sandbox,
    atlas_key: Option<&demo::DemoKey>,
) -> omlink::Profile {
    let (auth, user, secret) = match atlas_key {
        None => (
            AtlasAuth::ServiceAccount,
            demo::SERVICE_ACCOUNT.client_id,
            demo::SERVICE_ACCOUNT.client_secret,
        ),
        Some(key) => (AtlasAuth::ApiKey, key.public_key, key.private_key),
    };
    let atlas = b
        .workbench
        .save_atlas(
            None,
            &AtlasDraft {
                name: "Atlas".into(),
                url: sb.url().into(),
                auth,
                user: user.into(),
                ..AtlasDraft::default()
            },
            Some(secret),
        )
        .unwrap();
    b.workbench
        .save_profile(
            None,
            &ProfileDraft {
                name: "Lab".into(),
                url: sb.url().into(),
                public_key: demo::OWNER.public_key.into(),
                atlas: Some(AtlasLink {
                    connection: atlas.id,
                    org: None,
                    org_name: None,
                    access_list_ips: vec!["203.0.113.7".into()],
                }),
                ..ProfileDraft::default()
            },
            Some(demo::OWNER.private_key),
        )
        .unwrap()
}

/// A sandbox with `extra_orgs` more organizations, a bench, and its profile pair (service
/// account).
pub(crate) fn fleet_pair(extra_orgs: usize) -> (Sandbox, Bench, omlink::Profile) {
    let sb = fleet(extra_orgs);
    let b = bench();
    let p = profile_pair(&b, &sb, None);
    (sb, b, p)
}

pub(crate) fn target() -> AtlasTarget {
    AtlasTarget {
        org: org(ATLAS_ORG),
        org_name: Some("Atlas Production".into()),
        access_list_ips: vec!["203.0.113.7".into()],
    }
}

/// A token to mint for the organization in the Atlas organization of [`target`].
pub(crate) fn mint() -> TokenSource {
    TokenSource::Mint(target())
}

/// Every item's organization mapped to [`target`].
pub(crate) fn targets_for(items: &[BatchItem]) -> HashMap<OrgId, AtlasTarget> {
    items.iter().map(|i| (i.org.clone(), target())).collect()
}

/// A batch minting a token in [`target`] for each item, with the default options.
pub(crate) async fn mint_batch(
    workbench: &Workbench,
    profile: &ProfileId,
    items: Vec<BatchItem>,
    events: Option<UnboundedSender<BatchEvent>>,
) -> Result<BatchReport, Error> {
    let targets = targets_for(&items);
    workbench
        .link_batch_minting(
            profile,
            items,
            &targets,
            &BatchOptions::default(),
            BatchControl::new(events, Cancel::new()),
        )
        .await
}

/// Up to `count` of the profile's organizations that the sandbox has not linked.
async fn unlinked_orgs(
    workbench: &Workbench,
    profile: &ProfileId,
    sb: &Sandbox,
    count: usize,
) -> Vec<Organization> {
    workbench
        .list_orgs(profile)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| sb.is_linked(&o.id) == Some(false))
        .take(count)
        .collect()
}

/// A batch item for `o`, named or not, with no token.
fn item(o: &Organization, named: bool) -> BatchItem {
    BatchItem {
        org: org(&o.id),
        name: named.then(|| o.name.clone()),
        token: None,
    }
}

pub(crate) fn mints(sb: &Sandbox) -> usize {
    sb.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.uri.ends_with("/liveMigrations/linkTokens"))
        .count()
}

#[tokio::test]
async fn an_atlas_connection_keeps_its_secret_in_the_keychain_only() {
    let (_sb, b, p) = fleet_pair(0);
    let book = b.workbench.profiles();
    let atlas = &book.atlas[0];
    let account = atlas_secret_account(&atlas.id);
    assert!(atlas.has_secret);
    assert_eq!(atlas.user, demo::SERVICE_ACCOUNT.client_id);
    assert_eq!(
        keychain(&b, &account).as_deref(),
        Some(demo::SERVICE_ACCOUNT.client_secret)
    );
    let text = store_text(&b);
    assert!(
        !text.contains(demo::SERVICE_ACCOUNT.client_secret),
        "{text}"
    );
    assert!(text.contains(demo::SERVICE_ACCOUNT.client_id));
    // The sweep keeps what a connection refers to.
    assert_eq!(
        b.workbench.sweep_keychain().unwrap(),
        omlink::KeychainUpkeep::default()
    );
    assert!(keychain(&b, &account).is_some());

    let names: Vec<String> = b
        .workbench
        .atlas_orgs(&atlas.id)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(names, ["Atlas Production", "Atlas Staging"]);

    // Deleting the connection takes its secret and unhooks the profile.
    b.workbench.delete_atlas(&atlas.id).unwrap();
    assert!(keychain(&b, &account).is_none());
    let book = b.workbench.profiles();
    assert!(book.atlas.is_empty());
    assert_eq!(book.get(&p.id).unwrap().atlas, None);
    let (result, entry) = link(&b.workbench, &p.id, ORG, None, mint()).await;
    assert_eq!(result.unwrap_err().kind, ErrorKind::InvalidInput);
    assert!(entry.is_none());
}

#[tokio::test]
async fn generate_and_link_mints_links_records_where_and_shows_the_projects() {
    let (sb, b, p) = fleet_pair(0);
    let (result, entry) = link(&b.workbench, &p.id, ORG, Some("Payments"), mint()).await;
    assert_eq!(result.unwrap().status, LinkStatus::Synced);
    assert_eq!(sb.atlas_org_of(ORG).as_deref(), Some(ATLAS_ORG));
    let entry = entry.unwrap();
    let origin = entry.generated_in.clone().unwrap();
    assert_eq!(origin.org_id.as_str(), ATLAS_ORG);
    assert_eq!(
        origin.to_string(),
        format!("Atlas Production ({ATLAS_ORG})")
    );
    assert!(entry.has_token);

    // The token is in the keychain and nowhere on disk; the history says where it came from.
    let token = sb.link_token(ORG).unwrap();
    let text = store_text(&b);
    assert!(!text.contains(&token));
    assert!(text.contains("generatedIn"));
    let export = b.workbench.export_history(None, omlink::ExportFormat::Csv);
    assert!(!export.contains(&token));
    assert!(export.contains("Atlas Production"));
    // The Atlas organization and addresses are remembered for next time.
    let remembered = b
        .workbench
        .profiles()
        .get(&p.id)
        .unwrap()
        .atlas
        .clone()
        .unwrap();
    assert_eq!(remembered.org.unwrap().as_str(), ATLAS_ORG);
    assert_eq!(remembered.org_name.as_deref(), Some("Atlas Production"));

    // What the link made possible: the source's projects, now visible in Atlas.
    let projects = b
        .workbench
        .available_projects(&p.id, &org(ATLAS_ORG))
        .await
        .unwrap();
    assert!(!projects.is_empty());
    assert!(projects.iter().all(|p| !p.deployments.is_empty()));

    // The token saved with the entry can be used again (after an unlink).
    b.workbench.unlink(&p.id, &org(ORG)).await.unwrap();
    let reuse = TokenSource::History(entry.id.clone());
    let (again, _) = link(&b.workbench, &p.id, ORG, None, reuse).await;
    assert_eq!(again.unwrap().status, LinkStatus::Synced);

    // Revoke removes Atlas's side.
    assert!(sb.has_link_token(ATLAS_ORG));
    b.workbench
        .revoke_link_token(&p.id, &org(ATLAS_ORG))
        .await
        .unwrap();
    assert!(!sb.has_link_token(ATLAS_ORG));
}

#[tokio::test]
async fn an_atlas_refusal_sends_nothing_to_ops_manager_and_records_nothing() {
    let sb = sandbox();
    let b = bench();
    let p = profile_pair(&b, &sb, Some(&demo::ATLAS_MEMBER));
    let (result, entry) = link(&b.workbench, &p.id, ORG, None, mint()).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::PermissionDenied, "{e:?}");
    assert!(
        e.message.contains("Atlas") || e.hint.contains("Atlas"),
        "{e:?}"
    );
    assert!(entry.is_none());
    assert_eq!(sb.is_linked(ORG), Some(false));
    assert!(b.workbench.history(None).is_empty());

    // A bad address is refused before anything is sent.
    sb.clear_requests();
    let bad_address = TokenSource::Mint(AtlasTarget {
        access_list_ips: vec!["203.0.113".into()],
        ..target()
    });
    let (result, _) = link(&b.workbench, &p.id, ORG, None, bad_address).await;
    assert_eq!(result.unwrap_err().kind, ErrorKind::InvalidInput);
    assert!(sb.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_mapped_to_one_atlas_org_mints_one_token_per_org_and_a_rerun_mints_none() {
    let (sb, b, p) = fleet_pair(20);
    let orgs = unlinked_orgs(&b.workbench, &p.id, &sb, 10).await;
    assert_eq!(orgs.len(), 10);
    let items = || -> Vec<BatchItem> { orgs.iter().map(|o| item(o, true)).collect() };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let report = mint_batch(&b.workbench, &p.id, items(), Some(tx))
        .await
        .unwrap();
    assert_eq!(report.failed(), 0, "{:?}", report.results);
    assert_eq!(report.results.len(), 10);
    let events = drain(&mut rx);
    assert!(events.iter().all(|e| e.total == 10));
    assert_eq!(events.len(), 10);
    assert_eq!(mints(&sb), 10);
    for o in &orgs {
        assert_eq!(sb.atlas_org_of(&o.id).as_deref(), Some(ATLAS_ORG));
    }
    let history = b.workbench.history(None);
    assert_eq!(history.len(), 10);
    assert!(history.iter().all(|e| e.generated_in.is_some()
        && matches!(e.outcome, Outcome::Linked { .. })
        && e.has_token));

    // Again: every organization is already linked, so no token is minted for nothing.
    let report = mint_batch(&b.workbench, &p.id, items(), None)
        .await
        .unwrap();
    assert!(
        report
            .results
            .iter()
            .all(|r| r.outcome == OrgOutcome::AlreadyLinked)
    );
    assert_eq!(mints(&sb), 10);
    assert_eq!(b.workbench.history(None).len(), 10);

    // A refused Atlas credential stops the batch at the first mint, with nothing sent.
    let member = bench();
    let p = profile_pair(&member, &sb, Some(&demo::ATLAS_MEMBER));
    let others: Vec<BatchItem> = unlinked_orgs(&member.workbench, &p.id, &sb, 3)
        .await
        .iter()
        .map(|o| item(o, false))
        .collect();
    let e = mint_batch(&member.workbench, &p.id, others, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::PermissionDenied);
    assert!(member.workbench.history(None).is_empty());
}

#[tokio::test]
async fn the_sandbox_brings_its_atlas_connection_and_needs_no_keychain() {
    let (_sb, b, endpoint, p) = on_the_sandbox();
    let book = b.workbench.profiles();
    assert_eq!(book.atlas.len(), 1);
    assert!(book.atlas[0].sandbox && book.atlas[0].name == "Sandbox Atlas");
    assert_eq!(p.atlas.as_ref().unwrap().connection, book.atlas[0].id);
    let orgs = b.workbench.atlas_orgs(&book.atlas[0].id).await.unwrap();
    assert_eq!(orgs.len(), 2);
    let no_addresses = TokenSource::Mint(AtlasTarget {
        access_list_ips: Vec::new(),
        ..target()
    });
    let (result, _) = link(&b.workbench, &p.id, ORG, None, no_addresses).await;
    assert_eq!(result.unwrap().status, LinkStatus::Synced);
    // The preflight reads the organization's projects and their hosts.
    let checks = b.workbench.preflight(&p.id, &org(ORG)).await.unwrap();
    assert!(!checks.is_empty());
    assert!(
        b.secrets
            .accounts()
            .iter()
            .all(|a| a.starts_with("link-token:"))
    );
    // Starting it again reuses both.
    b.workbench.use_sandbox(endpoint).unwrap();
    let again = b.workbench.profiles();
    assert_eq!((again.profiles.len(), again.atlas.len()), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_cancelled_while_minting_keeps_the_minted_tokens_for_reuse() {
    let (sb, b, p) = fleet_pair(10);
    let items: Vec<BatchItem> = unlinked_orgs(&b.workbench, &p.id, &sb, 8)
        .await
        .iter()
        .map(|o| item(o, true))
        .collect();
    let targets = targets_for(&items);
    slow_down(&sb, 150);
    let cancel = cancel_after(700);
    let options = BatchOptions {
        force: true,
        ..BatchOptions::default()
    };
    let report = b
        .workbench
        .link_batch_minting(
            &p.id,
            items.clone(),
            &targets,
            &options,
            BatchControl::new(None, cancel),
        )
        .await
        .unwrap();
    assert!(report.cancelled);
    let minted = mints(&sb);
    assert!(minted >= 1 && minted < items.len(), "{minted} minted");
    // Nothing reached Ops Manager; every minted token is kept, not linked yet, for reuse.
    assert!(
        items
            .iter()
            .all(|i| sb.is_linked(i.org.as_str()) == Some(false))
    );
    let history = b.workbench.history(None);
    assert!(
        history.len() >= minted - 1 && history.len() <= minted,
        "{history:?}"
    );
    assert!(
        history
            .iter()
            .all(|e| e.outcome == Outcome::Minted && e.has_token && e.generated_in.is_some())
    );
    sb.set_faults(Faults::default());
    let reuse = TokenSource::History(history[0].id.clone());
    let (again, _) = link(&b.workbench, &p.id, history[0].org_id.as_str(), None, reuse).await;
    assert_eq!(again.unwrap().status, LinkStatus::Synced);
}

/// Completes as soon as `ready()` holds when it is polled (checked at every poll, so a
/// `select!` that polls it once right after a step sees that step's effect).
fn when(ready: impl Fn() -> bool) -> impl std::future::Future<Output = ()> {
    std::future::poll_fn(move |cx| {
        if ready() {
            std::task::Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_cancelled_between_mint_and_link_is_kept_as_not_linked_yet_and_links_later() {
    let (sb, b, p) = fleet_pair(0);
    // Cancel is pressed the moment the minted token is in the history, before it is sent.
    let minted = when(|| !b.workbench.history(None).is_empty());
    let (result, entry) = b
        .workbench
        .link(&p.id, &org(ORG), Some("Payments".into()), mint(), minted)
        .await;
    assert_eq!(result.unwrap_err().kind, ErrorKind::Cancelled);
    assert_eq!(mints(&sb), 1);
    let links = |sb: &Sandbox| {
        sb.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.uri.ends_with("/liveExport/migrationLink"))
            .count()
    };
    assert_eq!(links(&sb), 0, "nothing was sent to Ops Manager");
    let entry = entry.expect("the minted token has its entry");
    assert_eq!(entry.outcome, Outcome::Minted);
    assert!(entry.has_token);
    assert_eq!(
        entry.generated_in.as_ref().unwrap().org_id.as_str(),
        ATLAS_ORG
    );
    // On disk, with the token in the keychain: it survives the window closing now.
    let saved = b.restart().history(None);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].outcome, Outcome::Minted);
    assert_eq!(saved[0].outcome.summary(), "not linked yet");
    // Linked later with it: the same entry now says how it went.
    let reuse = TokenSource::History(entry.id.clone());
    let (result, again) = link(&b.workbench, &p.id, ORG, None, reuse).await;
    assert_eq!(result.unwrap().status, LinkStatus::Synced);
    assert_eq!(mints(&sb), 1, "no second token");
    assert_eq!(
        again.unwrap().outcome,
        Outcome::Linked {
            status: LinkStatus::Synced
        }
    );
}

#[tokio::test]
async fn a_minted_token_whose_link_fails_keeps_one_entry_with_the_failure() {
    let (_sb, b, p) = fleet_pair(0);
    let running = demo::RUNNING_MIGRATION_ORG;
    let (result, entry) = link(&b.workbench, &p.id, running, None, mint()).await;
    let entry = entry.unwrap();
    match &result {
        Ok(o) => assert_eq!(
            entry.outcome,
            Outcome::Linked {
                status: o.status.clone()
            }
        ),
        Err(_) => assert!(matches!(entry.outcome, Outcome::Failed { .. })),
    }
    assert!(entry.has_token && entry.generated_in.is_some());
    assert_eq!(
        b.workbench.history(None).len(),
        1,
        "one entry, updated in place"
    );
    assert_eq!(b.restart().history(None).len(), 1);
}

//! The batch runner against the sandbox: many organizations, a 429 storm, one failure among
//! many, cancel midway, a re-run that links nothing twice, and a wrong key that stops at once.

use std::sync::Arc;
use std::time::Duration;

use omlink::batch::{self, BatchControl, BatchItem, BatchOptions, Cancel, OrgOutcome};
use omlink::{Client, ErrorKind, LinkStatus, LinkToken, OrgId};
use omlink_sandbox::demo::{self, EXPIRED_TOKEN_MARKER, RUNNING_MIGRATION_ORG};
use omlink_sandbox::{Faults, Sandbox};
use tokio::sync::mpsc;

use crate::{client_for, config, fleet, generated_id, org, owner, slow_down};

/// The generated organizations' ids (see the sandbox's `extra_orgs`).
fn generated(n: usize) -> Vec<OrgId> {
    (0..n).map(|i| org(&generated_id(i))).collect()
}

/// `batch::link_all` with the owner's key, no events and no cancel.
async fn link_all_as_owner(
    sb: &Sandbox,
    items: Vec<BatchItem>,
    options: &BatchOptions,
) -> batch::BatchReport {
    batch::link_all(Arc::new(owner(sb)), items, options, BatchControl::default())
        .await
        .unwrap()
}

fn items(orgs: &[OrgId]) -> Vec<BatchItem> {
    orgs.iter()
        .map(|o| BatchItem {
            org: o.clone(),
            name: None,
            token: Some(LinkToken::new(format!("token-for-{o}")).unwrap()),
        })
        .collect()
}

fn quick() -> BatchOptions {
    BatchOptions {
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(50),
        ..BatchOptions::default()
    }
}

/// How many link POSTs the sandbox received for each organization (authenticated ones).
fn link_posts(sb: &Sandbox, id: &OrgId) -> usize {
    let path = format!("/api/public/v1.0/orgs/{id}/liveExport/migrationLink");
    sb.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.uri == path && r.authorization && r.status == 201)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_of_1000_organizations_with_progress_events() {
    let sb = fleet(1000);
    let client = Arc::new(owner(&sb));
    let orgs: Vec<(OrgId, Option<String>)> = client
        .list_orgs()
        .await
        .unwrap()
        .into_iter()
        .map(|o| (org(&o.id), Some(o.name)))
        .collect();
    assert_eq!(orgs.len(), 1006);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let report = batch::status_all(
        client,
        orgs,
        &quick(),
        BatchControl::new(Some(tx), Cancel::new()),
    )
    .await
    .unwrap();
    assert_eq!(report.results.len(), 1006);
    assert_eq!(report.failed(), 0);
    assert!(report.stopped.is_none() && !report.cancelled);
    let linked = report
        .results
        .iter()
        .filter(|r| {
            r.outcome
                == OrgOutcome::Status {
                    status: LinkStatus::Synced,
                }
        })
        .count();
    assert_eq!(
        linked, 1,
        "only the demo organization with a migration is linked"
    );
    let mut last = 0;
    while let Ok(event) = rx.try_recv() {
        assert_eq!(event.done, last + 1);
        assert_eq!(event.total, 1006);
        last = event.done;
    }
    assert_eq!(last, 1006, "one event per organization");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_is_waited_out() {
    let sb = fleet(40);
    sb.set_faults(Faults {
        rate_limit_count: 60,
        ..Faults::default()
    });
    let orgs = generated(40);
    let patient = BatchOptions {
        max_attempts: 20,
        ..quick()
    };
    let report = link_all_as_owner(&sb, items(&orgs), &patient).await;
    assert_eq!(report.failed(), 0, "{:?}", report.results);
    assert!(orgs.iter().all(|o| sb.is_linked(o.as_str()) == Some(true)));
    let throttled = sb.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(throttled, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failure_among_many_is_reported_and_the_rest_link() {
    let sb = fleet(30);
    let orgs = generated(30);
    let mut batch_items = items(&orgs);
    batch_items[7].token =
        Some(LinkToken::new(format!("an-{EXPIRED_TOKEN_MARKER}-token")).unwrap());
    // An organization already linked is skipped, not linked again.
    batch_items.push(BatchItem {
        org: org(RUNNING_MIGRATION_ORG),
        name: None,
        token: Some(LinkToken::new("another-token-value").unwrap()),
    });
    let report = link_all_as_owner(&sb, batch_items, &quick()).await;
    assert_eq!(report.results.len(), 31);
    assert_eq!(report.failed(), 1);
    let failed = report
        .results
        .iter()
        .find(|r| !r.outcome.is_success())
        .unwrap();
    assert_eq!(failed.org, orgs[7]);
    let OrgOutcome::Failed { error } = &failed.outcome else {
        unreachable!()
    };
    assert_eq!(error.kind, ErrorKind::Rejected);
    let skipped = report
        .results
        .iter()
        .find(|r| r.org.as_str() == RUNNING_MIGRATION_ORG)
        .unwrap();
    assert_eq!(skipped.outcome, OrgOutcome::AlreadyLinked);
    assert_eq!(link_posts(&sb, &org(RUNNING_MIGRATION_ORG)), 0);
    assert_eq!(
        orgs.iter()
            .filter(|o| sb.is_linked(o.as_str()) == Some(true))
            .count(),
        29
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_midway_then_a_rerun_links_the_rest_and_nothing_twice() {
    let sb = fleet(60);
    slow_down(&sb, 20);
    let orgs = generated(60);
    let client = Arc::new(owner(&sb));
    let cancel = Cancel::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = BatchOptions {
        concurrency: 4,
        ..quick()
    };
    let run = batch::link_all(
        Arc::clone(&client),
        items(&orgs),
        &options,
        BatchControl::new(Some(tx), cancel.clone()),
    );
    let canceller = async {
        let mut seen = 0;
        while rx.recv().await.is_some() {
            seen += 1;
            if seen == 10 {
                cancel.cancel();
            }
        }
    };
    let (report, ()) = tokio::join!(run, canceller);
    let report = report.unwrap();
    assert!(report.cancelled);
    assert!(
        (10..60).contains(&report.results.len()),
        "{}",
        report.results.len()
    );
    let first_run = report.results.len();

    // Re-run the same file: what was linked is skipped, the rest is linked, nothing twice.
    sb.set_faults(Faults::default());
    let again = batch::link_all(client, items(&orgs), &options, BatchControl::default())
        .await
        .unwrap();
    assert_eq!(again.results.len(), 60);
    assert_eq!(again.failed(), 0);
    let skipped = again
        .results
        .iter()
        .filter(|r| r.outcome == OrgOutcome::AlreadyLinked)
        .count();
    assert!(skipped >= first_run, "{skipped} < {first_run}");
    for o in &orgs {
        assert_eq!(sb.is_linked(o.as_str()), Some(true));
        assert!(link_posts(&sb, o) <= 1, "{o} linked twice");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_stops_the_whole_batch_at_once() {
    let sb = fleet(200);
    let wrong = Client::new(config(sb.url(), demo::OWNER.public_key, "not-the-key")).unwrap();
    let orgs: Vec<(OrgId, Option<String>)> =
        generated(200).into_iter().map(|o| (o, None)).collect();
    let report = batch::status_all(Arc::new(wrong), orgs, &quick(), BatchControl::default())
        .await
        .unwrap();
    let stopped = report.stopped.expect("stopped");
    assert_eq!(stopped.kind, ErrorKind::AuthenticationFailed);
    assert!(report.results.len() <= 8, "{}", report.results.len());
    assert!(sb.requests().len() < 40, "{} requests", sb.requests().len());

    // A key without the role stops the same way.
    let member = client_for(&sb, &demo::MEMBER);
    let report = batch::link_all(
        Arc::new(member),
        items(&generated(100)),
        &quick(),
        BatchControl::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.stopped.unwrap().kind, ErrorKind::PermissionDenied);
}

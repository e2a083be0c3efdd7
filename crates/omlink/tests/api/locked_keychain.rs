//! A keychain that stops answering part-way through a batch (a keyring locked mid-run, a wedged
//! Secret Service) ends the batch's remaining rows with a keychain error instead of waiting out
//! each row, and the person's Cancel interrupts a wait. The keychain here answers a given
//! number of token writes, then blocks until the test lets it go; each call has a deadline, as
//! in the app and the CLI.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use omlink::batch::{BatchControl, BatchItem, BatchOptions, OrgOutcome};
use omlink::secret_store::{Deadline, MemorySecretStore, Secret, SecretStore};
use omlink::{Error, ErrorKind, LinkToken, Outcome, Workbench};
use omlink_sandbox::Sandbox;

use crate::atlas_workbench::{fleet_pair, mint_batch, mints};
use crate::{Bench, TOKEN, cancel_after, generated_id, org, slow_down, watched_batch};

/// Answers `answers` link-token writes, then blocks every further call until released.
#[derive(Debug)]
struct Locking {
    inner: MemorySecretStore,
    answers: Mutex<usize>,
    released: Arc<(Mutex<bool>, Condvar)>,
}

impl Locking {
    fn wait(&self) {
        let (lock, ready) = &*self.released;
        let mut released = lock.lock().unwrap();
        while !*released {
            released = ready.wait(released).unwrap();
        }
    }

    fn answers_left(&self, account: &str) -> bool {
        if !account.starts_with("link-token:") {
            return true;
        }
        let mut left = self.answers.lock().unwrap();
        if *left == 0 {
            return false;
        }
        *left -= 1;
        true
    }
}

impl SecretStore for Locking {
    fn get(&self, account: &str) -> Result<Option<Secret>, Error> {
        self.inner.get(account)
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), Error> {
        if !self.answers_left(account) {
            self.wait();
        }
        self.inner.set(account, secret)
    }
    fn delete(&self, account: &str) -> Result<(), Error> {
        self.inner.delete(account)
    }
}

/// Lets every blocked keychain call go when dropped, so no thread outlives the test.
struct Release(Arc<(Mutex<bool>, Condvar)>);

impl Drop for Release {
    fn drop(&mut self) {
        *self.0.0.lock().unwrap() = true;
        self.0.1.notify_all();
    }
}

/// The bench's store and keychain seen through a keychain that locks after `answers` token
/// writes, each call limited to `deadline`.
fn locking(b: &Bench, answers: usize, deadline: Duration) -> (Workbench, Release) {
    let released = Arc::new((Mutex::new(false), Condvar::new()));
    let locking = Locking {
        inner: b.secrets.clone(),
        answers: Mutex::new(answers),
        released: Arc::clone(&released),
    };
    let secrets = Deadline::new(Arc::new(locking), deadline);
    let workbench = Workbench::from_contents(
        b.store.load().unwrap(),
        Arc::new(secrets),
        Arc::new(b.store.clone()),
    );
    (workbench, Release(released))
}

/// A fleet pair (see [`fleet_pair`]) with `count` of its unlinked organizations as items,
/// each with a token, and every answer of the sandbox slowed by 100 ms.
fn slow_fleet(
    extra_orgs: usize,
    count: usize,
) -> (Sandbox, Bench, omlink::Profile, Vec<BatchItem>) {
    let (sb, b, p) = fleet_pair(extra_orgs);
    let items = unlinked(&sb, count);
    slow_down(&sb, 100);
    (sb, b, p, items)
}

/// The default options, one row at a time.
fn one_at_a_time() -> BatchOptions {
    BatchOptions {
        concurrency: 1,
        ..BatchOptions::default()
    }
}

fn unlinked(sb: &Sandbox, count: usize) -> Vec<BatchItem> {
    let orgs: Vec<String> = (0..40)
        .map(generated_id)
        .filter(|id| sb.is_linked(id) == Some(false))
        .take(count)
        .collect();
    assert_eq!(orgs.len(), count);
    orgs.iter()
        .enumerate()
        .map(|(i, id)| BatchItem {
            org: org(id),
            name: None,
            token: Some(LinkToken::new(format!("{TOKEN}-{i}")).unwrap()),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_that_stops_answering_ends_the_remaining_rows_with_a_keychain_error() {
    // Slow enough that the rows do not all finish while the keychain is waited for.
    let (sb, b, p, items) = slow_fleet(20, 12);
    let (workbench, _release) = locking(&b, 2, Duration::from_millis(300));
    let options = one_at_a_time();
    let (report, events) = watched_batch(&workbench, &p.id, items.clone(), &options).await;
    // Every row has a result: the first ones linked, the rest ended by the keychain.
    assert_eq!(report.results.len(), items.len(), "{:?}", report.results);
    assert!(!report.cancelled);
    let stopped: Vec<&Error> = report
        .results
        .iter()
        .filter_map(|r| match &r.outcome {
            OrgOutcome::Failed { error } => Some(error),
            _ => None,
        })
        .collect();
    assert!(
        stopped.len() >= items.len() - 4,
        "only a few rows ran after the keychain stopped: {:?}",
        report.results
    );
    for error in &stopped {
        assert_eq!(error.kind, ErrorKind::Keychain);
        assert!(error.message.starts_with("The batch stopped"), "{error:?}");
        assert!(error.hint.contains("run the batch again"), "{error:?}");
    }
    let events = events.len();
    assert_eq!(events, items.len(), "every row's result is passed on");
    // What was linked is recorded; the attempt whose token the keychain did not keep says so.
    let history = workbench.history(None);
    assert_eq!(history.iter().filter(|e| e.has_token).count(), 2);
    assert!(history.iter().any(|e| {
        !e.has_token
            && e.note
                .as_deref()
                .is_some_and(|n| n.contains("did not answer"))
    }));
    let finished = items.len() - stopped.len();
    let linked = items
        .iter()
        .filter(|i| sb.is_linked(i.org.as_str()) == Some(true))
        .count();
    assert_eq!(linked, finished, "what was not sent is not linked");
    assert_eq!(history.len(), finished, "one entry per attempt sent");

    // Unlocked, the same batch finishes the rest and skips what is linked.
    let again = b
        .restart()
        .link_batch(&p.id, items.clone(), &options, BatchControl::default())
        .await
        .unwrap();
    assert_eq!(again.failed(), 0, "{:?}", again.results);
    assert!(
        items
            .iter()
            .all(|i| sb.is_linked(i.org.as_str()) == Some(true))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_interrupts_a_batch_waiting_for_a_locked_keychain() {
    let (_sb, b, p, items) = slow_fleet(10, 6);
    // A keychain locked from the first token on, with the app's long deadline.
    let (workbench, _release) = locking(&b, 0, Duration::from_secs(600));
    let cancel = cancel_after(500);
    let options = one_at_a_time();
    // A guard against a hang, not a timing assertion: the wait is ten minutes without Cancel.
    let report = tokio::time::timeout(
        Duration::from_secs(120),
        workbench.link_batch(&p.id, items, &options, BatchControl::new(None, cancel)),
    )
    .await
    .expect("Cancel ends the wait for the keychain")
    .unwrap();
    assert!(report.cancelled, "{:?}", report.results);
    // Each attempt that finished is recorded, saying its token was not kept.
    let history = workbench.history(None);
    assert!(!history.is_empty());
    assert_eq!(history.len(), report.results.len(), "{history:?}");
    assert!(history.iter().all(|e| {
        !e.has_token
            && e.note
                .as_deref()
                .is_some_and(|n| n.contains("Cancelled while the keychain"))
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_tokens_are_kept_one_by_one_and_a_locked_keychain_stops_the_generating() {
    let (sb, b, p) = fleet_pair(10);
    let (workbench, _release) = locking(&b, 3, Duration::from_millis(300));
    let items: Vec<BatchItem> = unlinked(&sb, 8)
        .into_iter()
        .map(|i| BatchItem { token: None, ..i })
        .collect();
    let report = mint_batch(&workbench, &p.id, items.clone(), None)
        .await
        .unwrap();
    assert_eq!(report.results.len(), items.len());
    // Three tokens kept, a fourth generated while the keychain locked; no more were asked for.
    assert_eq!(mints(&sb), 4);
    let history = workbench.history(None);
    assert_eq!(history.len(), 4, "{history:?}");
    assert!(history.iter().all(|e| e.generated_in.is_some()));
    assert_eq!(history.iter().filter(|e| e.has_token).count(), 3);
    // The four are linked (the fourth lived only in memory: sending it was its only use).
    assert!(
        history
            .iter()
            .all(|e| matches!(e.outcome, Outcome::Linked { .. }))
    );
    let keychain_failures = report
        .results
        .iter()
        .filter(|r| {
            matches!(&r.outcome, OrgOutcome::Failed { error } if error.kind == ErrorKind::Keychain)
        })
        .count();
    assert_eq!(keychain_failures, items.len() - 4);
}

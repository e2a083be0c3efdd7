//! Kill trials: `omlink profile add` is killed with SIGKILL at random instants; after each kill
//! the store must parse and hold every profile whose command had returned. `make test` runs a
//! few dozen trials; `make torture` runs `OMLINK_KILL_TRIALS=100` and prints the figures.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use omlink::ProfileBook;

use crate::{fleet, generated};

/// `omlink`, with nothing of the test's environment but the data folder `data`.
fn omlink_in(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_omlink"));
    cmd.env_clear().env("XDG_DATA_HOME", data);
    cmd
}

/// `OMLINK_KILL_TRIALS`, when set to a number.
fn trials_asked() -> Option<usize> {
    std::env::var("OMLINK_KILL_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// The store file's path in the data folder `data`.
fn store_in(data: &Path) -> std::path::PathBuf {
    data.join("dev.omlink.desktop").join("omlink.json")
}

/// Loads the store's profiles, which must parse after trial `i`.
fn book_after(store: &Path, i: usize) -> ProfileBook {
    ProfileBook::load_from_store_file(store)
        .unwrap_or_else(|e| panic!("after trial {i} the store does not parse: {}", e.message))
}

fn add(data: &Path, name: &str) -> Child {
    omlink_in(data)
        .args(["profile", "add", name])
        .args(["--url", "https://om.example.com:8443"])
        .args(["--public-key", "abcdefgh", "--no-private-key"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("omlink runs")
}

#[cfg(unix)]
#[test]
fn kill_9_at_random_instants_loses_no_saved_profile() {
    let trials = trials_asked().unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());

    // Some profiles first, so every write rewrites a file of a realistic size; and the time a
    // whole run takes, to pick kill instants across it.
    let mut returned: Vec<String> = Vec::new();
    let mut spans = Vec::new();
    for i in 0..20 {
        let name = format!("seed-{i}");
        let started = Instant::now();
        let status = add(dir.path(), &name).wait().unwrap();
        assert!(status.success());
        spans.push(started.elapsed());
        returned.push(name);
    }
    spans.sort();
    let span = spans[spans.len() / 2];

    let folder = store.parent().unwrap().to_path_buf();
    let temp_files = || {
        std::fs::read_dir(&folder)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            })
            .count()
    };
    let (mut killed, mut finished, mut mid_write) = (0, 0, 0);
    for i in 0..trials {
        let name = format!("trial-{i}");
        let mut child = add(dir.path(), &name);
        let delay = span.mul_f64(rand::random::<f64>() * 1.2);
        std::thread::sleep(delay);
        match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "{name} failed on its own");
                returned.push(name);
                finished += 1;
            }
            None => {
                child.kill().unwrap();
                let status = child.wait().unwrap();
                // It may have finished between try_wait and the kill.
                if status.success() {
                    returned.push(name);
                    finished += 1;
                } else {
                    killed += 1;
                    // A temporary file left behind: this kill landed during a write.
                    if temp_files() > 0 {
                        mid_write += 1;
                    }
                }
            }
        }
        let book = book_after(&store, i);
        let lost: Vec<&String> = returned
            .iter()
            .filter(|n| book.find_by_name(n).is_none())
            .collect();
        assert!(lost.is_empty(), "after trial {i}, lost {lost:?}");
    }
    println!(
        "kill trials: {trials} runs of `omlink profile add` (a run takes ~{span:?}): {killed} \
         killed by SIGKILL ({mid_write} of them during a write, leaving a temporary file), \
         {finished} finished; the store parsed after every kill; 0 of {} returned profiles lost",
        returned.len()
    );
}

/// The same for history writes: `omlink link --from - --profile …` records each attempt as it
/// finishes; killed at random instants, the history only ever grows and holds every attempt of
/// every run that returned.
#[cfg(unix)]
#[test]
fn kill_9_during_history_writes_loses_no_recorded_attempt() {
    use std::io::Write;
    let trials = trials_asked().map_or(15, |n| n / 2);
    let sb = fleet(4);
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let added = omlink_in(dir.path())
        .args(["profile", "add", "Fleet", "--url", sb.url(), "--public-key"])
        .arg(omlink_sandbox::demo::OWNER.public_key)
        .arg("--no-private-key")
        .output()
        .unwrap();
    assert!(added.status.success());
    let mut csv = String::from("org,token\n");
    for i in 0..4 {
        csv.push_str(&format!("{},kill-trial-token-{i}\n", generated(i)));
    }
    let run = || {
        let mut child = omlink_in(dir.path())
            .args(["link", "--from", "-", "--profile", "Fleet", "--force"])
            .env(
                "OMLINK_PRIVATE_KEY",
                omlink_sandbox::demo::OWNER.private_key,
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(csv.as_bytes())
            .unwrap();
        child
    };
    // The median of a few whole runs: kills are aimed across the later part of a run, where
    // the attempts are recorded.
    let mut spans: Vec<_> = (0..5)
        .map(|_| {
            let started = Instant::now();
            assert!(run().wait().unwrap().success());
            started.elapsed()
        })
        .collect();
    spans.sort();
    let span = spans[2];
    let history = |i: usize| {
        book_after(&store, i);
        omlink::Store::new(&store)
            .load()
            .unwrap()
            .data
            .history
            .len()
    };
    let (mut expected, mut before) = (20, history(0));
    let mut killed = 0;
    for i in 0..trials {
        let mut child = run();
        std::thread::sleep(span.mul_f64(0.3 + rand::random::<f64>()));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
        }
        if child.wait().unwrap().success() {
            expected += 4;
        } else {
            killed += 1;
        }
        let now = history(i);
        assert!(
            now >= before,
            "after trial {i} the history shrank: {before} -> {now}"
        );
        assert!(
            now >= expected,
            "after trial {i}: {now} entries, {expected} returned"
        );
        before = now;
    }
    println!(
        "kill trials (history): {trials} runs of `omlink link --from --profile` (~{span:?} each), \
         {killed} killed by SIGKILL; the store parsed after every kill; the history never shrank \
         and held all {expected} attempts of the runs that returned ({before} in all)"
    );
}

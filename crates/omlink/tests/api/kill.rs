//! Kill trials: `omlink profile add` is killed with SIGKILL at random instants; after each kill
//! the store must parse and hold every profile whose command had returned. `make test` runs a
//! few dozen trials; `make torture` runs `OMLINK_KILL_TRIALS=100` and prints the figures.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use omlink::ProfileBook;

fn add(data: &Path, name: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_omlink"))
        .args([
            "profile",
            "add",
            name,
            "--url",
            "https://om.example.com:8443",
            "--public-key",
            "abcdefgh",
            "--no-private-key",
        ])
        .env_clear()
        .env("XDG_DATA_HOME", data)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("omlink runs")
}

#[cfg(unix)]
#[test]
fn kill_9_at_random_instants_loses_no_saved_profile() {
    let trials: usize = std::env::var("OMLINK_KILL_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("dev.omlink.desktop").join("omlink.json");

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
        let book = ProfileBook::load_from_store_file(&store)
            .unwrap_or_else(|e| panic!("after trial {i} the store does not parse: {}", e.message));
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

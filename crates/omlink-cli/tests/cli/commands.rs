//! The `omlink` binary against the sandbox: every exit code, both output formats, and the rule
//! that neither the private key nor the link token is ever printed.

use std::ffi::OsStr;
use std::fmt::Debug;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use omlink_sandbox::demo::{self, RUNNING_MIGRATION_ORG};
use omlink_sandbox::{Faults, Sandbox};

use crate::{ORG, Pki, TOKEN, UNKNOWN_ORG, argv, sandbox};

/// A private key that is wrong but distinctive, to search output for.
const WRONG_PRIVATE_KEY: &str = "pk-CANARY-0b9d-wrong-private-key";
/// A D-Bus address with nothing behind it: no Secret Service, so no keychain.
const NO_BUS: (&str, &str) = ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");

/// Arguments, environment and what stderr must say, for one `omlink` run.
type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
/// The same, with the exit code expected.
type CodeCase<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, i32, &'a str);

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Standard output, as one JSON value.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap()
    }

    /// Checks that standard output says `text` exactly `times` times.
    fn says_times(&self, text: &str, times: usize) {
        assert_eq!(self.stdout.matches(text).count(), times, "{}", self.stdout);
    }
}

/// Runs `omlink` with a clean environment: only what the test passes.
pub(crate) fn omlink<S: AsRef<OsStr> + Debug>(
    args: &[S],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_omlink"));
    cmd.args(args)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Ok(path) = std::env::var("PATH") {
        cmd.env("PATH", path);
    }
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().expect("omlink runs");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).unwrap();
    }
    drop(pipe);
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    let run = Run {
        code: status.code().expect("exited, not killed"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    };
    for secret in [
        demo::OWNER.private_key,
        demo::MEMBER.private_key,
        demo::BLOCKED.private_key,
        WRONG_PRIVATE_KEY,
        TOKEN,
    ] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a secret was printed by omlink {args:?}:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

fn env_for<'a>(sb: &'a Sandbox, public: &'a str, private: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("OMLINK_URL", sb.url()),
        ("OMLINK_PUBLIC_KEY", public),
        ("OMLINK_PRIVATE_KEY", private),
    ]
}

pub(crate) fn owner_env(sb: &Sandbox) -> Vec<(&str, &str)> {
    env_for(sb, demo::OWNER.public_key, demo::OWNER.private_key)
}

/// Runs `omlink` as [`omlink`] does and checks that it exited 0.
pub(crate) fn succeeds<S: AsRef<OsStr> + Debug>(
    args: &[S],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Run {
    let run = omlink(args, env, stdin);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run
}

/// Writes `book` as the profiles of the app's store file in the data folder `data`.
fn write_store(data: &Path, book: &omlink::ProfileBook) {
    let dir = data.join(omlink::APP_IDENTIFIER);
    std::fs::create_dir_all(&dir).unwrap();
    let store = serde_json::json!({ omlink::STORE_KEY_PROFILES: book });
    std::fs::write(dir.join(omlink::STORE_FILE_NAME), store.to_string()).unwrap();
}

#[test]
fn link_over_http_reads_the_token_from_stdin_and_exits_0() {
    let sb = sandbox();
    let run = omlink(
        &["link", "--org", ORG, "--token", "-"],
        &owner_env(&sb),
        Some(&format!("{TOKEN}\n")),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("Organization {ORG} linked to Atlas: SYNCED\n")
    );
    assert!(
        run.stderr.contains("warning: the URL is http://"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.link_token(ORG).as_deref(), Some(TOKEN));

    let run = omlink(&["status", "--org", ORG], &owner_env(&sb), None);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, format!("Organization {ORG}: SYNCED\n").as_str())
    );

    let run = omlink(&["unlink", "--org", ORG, "--yes"], &owner_env(&sb), None);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            0,
            format!("Organization {ORG} unlinked from Atlas\n").as_str()
        )
    );
    assert_eq!(sb.is_linked(ORG), Some(false));
}

#[test]
fn link_over_https_with_ca_cert_exits_0() {
    let pki = Pki::new();
    let sb = pki.sandbox();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.ca_file(dir.path());
    let ca = ca.to_str().unwrap();
    let args = argv(&format!("link --org {ORG} --token - --ca-cert {ca}"));
    let run = succeeds(&args, &owner_env(&sb), Some(TOKEN));
    assert_eq!(
        run.stdout,
        format!("Organization {ORG} linked to Atlas: SYNCED\n")
    );
    assert!(
        run.stderr.is_empty(),
        "no warning over verified https: {}",
        run.stderr
    );

    // The same CA from the environment works too.
    let mut env = owner_env(&sb);
    env.push(("OMLINK_CA_CERT", ca));
    assert_eq!(omlink(&["orgs"], &env, None).code, 0);

    // Without it: a TLS failure, exit 7.
    let run = omlink(&["orgs"], &owner_env(&sb), None);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(run.stderr.contains("unknown authority"), "{}", run.stderr);

    // Skipping verification works, loudly.
    let run = omlink(
        &["orgs", "--insecure-skip-tls-verify"],
        &owner_env(&sb),
        None,
    );
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("verification is OFF"), "{}", run.stderr);
}

#[test]
fn json_output_is_one_object() {
    let sb = sandbox();
    let args = argv(&format!("link --org {ORG} --token - --output json"));
    let run = omlink(&args, &owner_env(&sb), Some(TOKEN));
    assert_eq!(run.code, 0);
    assert_eq!(
        run.json(),
        serde_json::json!({"org": ORG, "status": "SYNCED"})
    );

    let run = omlink(&["orgs", "--output", "json"], &owner_env(&sb), None);
    let value = run.json();
    assert_eq!(
        value["organizations"].as_array().unwrap().len(),
        demo::ORGS.len()
    );
    assert_eq!(value["organizations"][0]["name"], "Payments Platform");

    let args = argv(&format!(
        "unlink --org {RUNNING_MIGRATION_ORG} --yes --output json"
    ));
    let run = omlink(&args, &owner_env(&sb), None);
    assert_eq!(run.code, 6);
    let value = run.json();
    let error = &value["error"];
    assert_eq!(error["kind"], "Rejected");
    assert_eq!(error["httpStatus"], 409);
    assert_eq!(
        error["errorCode"],
        "CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT"
    );
    assert!(
        error["detail"]
            .as_str()
            .unwrap()
            .contains("active live export jobs")
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("migration is still running")
    );
}

#[test]
fn invalid_input_and_usage_exit_2_before_any_request() {
    let sb = sandbox();
    let env = owner_env(&sb);
    let cases: Vec<Case> = vec![
        (vec!["status", "--org", "5f1e"], env.clone(), "24"),
        (
            vec!["link", "--org", ORG, "--token", "   "],
            env.clone(),
            "link token is empty",
        ),
        (
            vec!["orgs"],
            env_for(&sb, demo::OWNER.public_key, "")[..2].to_vec(),
            "OMLINK_PRIVATE_KEY",
        ),
        (
            vec!["orgs"],
            vec![("OMLINK_PUBLIC_KEY", "k"), ("OMLINK_PRIVATE_KEY", "p")],
            "URL",
        ),
        (
            vec!["orgs", "--url", "opsmanager:8080"],
            env.clone(),
            "scheme",
        ),
        (
            vec!["orgs", "--ca-cert", "/nonexistent/ca.pem"],
            env.clone(),
            "is not a readable PEM file",
        ),
        (vec!["unlink", "--org", ORG], env.clone(), "--yes"),
        (vec!["frobnicate"], env.clone(), "unrecognized subcommand"),
        (vec!["link", "--org", ORG], env.clone(), "--token"),
    ];
    for (args, env, expected) in cases {
        let run = omlink(&args, &env, Some(""));
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    }
    assert!(
        sb.requests().is_empty(),
        "no request was made: {:?}",
        sb.requests()
    );
}

#[test]
fn a_token_from_stdin_is_validated_too() {
    let sb = sandbox();
    let run = omlink(
        &["link", "--org", ORG, "--token", "-"],
        &owner_env(&sb),
        Some("\n\n"),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("link token is empty"));
    assert!(sb.requests().is_empty());
}

#[test]
fn every_server_error_kind_has_its_exit_code() {
    let sb = sandbox();
    let link = ["link", "--org", ORG, "--token", TOKEN];
    let cases: Vec<CodeCase> = vec![
        (
            link.to_vec(),
            env_for(&sb, demo::OWNER.public_key, WRONG_PRIVATE_KEY),
            3,
            "key pair",
        ),
        (
            link.to_vec(),
            env_for(&sb, demo::MEMBER.public_key, demo::MEMBER.private_key),
            4,
            "Organization Owner",
        ),
        (
            link.to_vec(),
            env_for(&sb, demo::BLOCKED.public_key, demo::BLOCKED.private_key),
            4,
            "access list",
        ),
        (
            vec!["status", "--org", UNKNOWN_ORG],
            owner_env(&sb),
            5,
            "ORG_NOT_FOUND",
        ),
        (
            vec!["unlink", "--org", RUNNING_MIGRATION_ORG, "--yes"],
            owner_env(&sb),
            6,
            "CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT",
        ),
        (
            vec!["link", "--org", ORG, "--token", "lt-expired-0000"],
            owner_env(&sb),
            6,
            "invalid or has expired",
        ),
    ];
    for (args, env, code, expected) in cases {
        let run = omlink(&args, &env, None);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("hint: "), "{}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn faults_exit_7_and_8() {
    let sb = sandbox();
    let env = owner_env(&sb);
    let status = ["status", "--org", ORG];

    sb.set_faults(Faults {
        server_error: Some(502),
        ..Faults::default()
    });
    let run = omlink(&status, &env, None);
    assert_eq!(run.code, 8, "{}", run.stderr);
    assert!(run.stderr.contains("502 Bad Gateway"), "{}", run.stderr);

    sb.set_faults(Faults {
        rate_limit_retry_after: Some(30),
        ..Faults::default()
    });
    let run = omlink(&status, &env, None);
    assert_eq!(run.code, 8);
    assert!(run.stderr.contains("Wait 30 seconds"), "{}", run.stderr);

    sb.set_faults(Faults {
        drop_connection: true,
        ..Faults::default()
    });
    assert_eq!(omlink(&status, &env, None).code, 7);

    sb.set_faults(Faults {
        latency_ms: 3_000,
        ..Faults::default()
    });
    let run = omlink(&["status", "--org", ORG, "--timeout", "1"], &env, None);
    assert_eq!(run.code, 7);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
}

#[test]
fn https_proxy_settings_are_honoured() {
    let sb = sandbox();
    // A host that does not resolve: only the proxy (the sandbox) can answer for it.
    let url = "http://omlink-proxy-test.invalid";
    let mut env = vec![
        ("OMLINK_URL", url),
        ("OMLINK_PUBLIC_KEY", demo::OWNER.public_key),
        ("OMLINK_PRIVATE_KEY", demo::OWNER.private_key),
        ("HTTP_PROXY", sb.url()),
    ];
    let run = omlink(&["orgs"], &env, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Payments Platform"));

    env.push(("NO_PROXY", "omlink-proxy-test.invalid"));
    let run = omlink(&["orgs", "--timeout", "5"], &env, None);
    assert_eq!(run.code, 7, "{}", run.stderr);
}

#[test]
fn help_lists_the_exit_codes_and_version_prints() {
    let run = omlink(&["--help"], &[], None);
    assert_eq!(run.code, 0);
    for line in [
        "0  success",
        "3  authentication failed",
        "8  server error",
        "OMLINK_PRIVATE_KEY",
    ] {
        assert!(run.stdout.contains(line), "{line}");
    }
    let run = omlink(&["--version"], &[], None);
    assert_eq!(
        run.stdout,
        format!("omlink {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn profile_saved_by_the_app_is_used_by_name() {
    let sb = sandbox();
    let data = tempfile::tempdir().unwrap();
    let mut book = omlink::ProfileBook::default();
    let draft = omlink::ProfileDraft {
        name: "Sandbox".into(),
        url: sb.url().into(),
        public_key: demo::OWNER.public_key.into(),
        ..Default::default()
    };
    book.upsert(book.validate(None, &draft).unwrap());
    write_store(data.path(), &book);
    let xdg = data.path().to_str().unwrap();

    // An explicit private key in the environment is used with the profile.
    let env = [
        ("XDG_DATA_HOME", xdg),
        ("OMLINK_PRIVATE_KEY", demo::OWNER.private_key),
    ];
    let run = succeeds(&["orgs", "--profile", "sandbox"], &env, None);
    assert!(run.stdout.contains("Payments Platform"));

    // Without it the keychain is asked; with no Secret Service that is exit 9, explained,
    // and no request is made with a missing key.
    sb.clear_requests();
    let env = [("XDG_DATA_HOME", xdg), NO_BUS];
    let run = omlink(&["orgs", "--profile", "Sandbox"], &env, None);
    assert_eq!(run.code, 9, "{}", run.stderr);
    assert!(run.stderr.contains("keychain"), "{}", run.stderr);
    assert!(sb.requests().is_empty());

    // An unknown name lists the saved ones.
    let run = omlink(
        &["orgs", "--profile", "Prod"],
        &[("XDG_DATA_HOME", xdg)],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("Saved profiles: Sandbox."),
        "{}",
        run.stderr
    );
}

/// `omlink profile …` against a private data folder.
mod profiles {
    use super::*;

    fn data_env(dir: &std::path::Path) -> Vec<(&'static str, String)> {
        vec![("XDG_DATA_HOME", dir.display().to_string())]
    }

    fn run<S: AsRef<OsStr> + Debug>(
        args: &[S],
        env: &[(&'static str, String)],
        stdin: Option<&str>,
    ) -> Run {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        omlink(args, &env, stdin)
    }

    const NO_KEY: &str = "--no-private-key";

    /// `omlink profile add NAME --url URL --public-key abcdefgh`, then `more`.
    fn add_args<'a>(name: &'a str, url: &'a str, more: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "profile",
            "add",
            name,
            "--url",
            url,
            "--public-key",
            "abcdefgh",
        ];
        args.extend_from_slice(more);
        args
    }

    /// A data folder whose store file holds `text`; returns the store's folder too.
    fn data_with_store(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("dev.omlink.desktop");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("omlink.json"), text).unwrap();
        (dir, folder)
    }

    #[test]
    fn names_that_would_rewrite_the_terminal_are_printed_inert() {
        // A store written by another tool, with a name no omlink would accept.
        let hostile = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}gpj.exe\rFAKE";
        let (dir, _) = data_with_store(
            &serde_json::json!({"profiles": {"profiles": [{
                "id": "0a1b2c3d4e5f6071", "name": hostile,
                "url": "https://om.example.com", "publicKey": "abcdefgh"
            }]}})
            .to_string(),
        );
        let env = data_env(dir.path());
        for args in [
            vec!["profile", "list"],
            vec!["profile", "list", "--output", "json"],
            vec!["profile", "show", "nobody"],
        ] {
            let out = run(&args, &env, None);
            for text in [&out.stdout, &out.stderr] {
                assert!(
                    !text.contains(['\u{1b}', '\u{7}', '\u{202e}', '\r']),
                    "{args:?}: {text:?}"
                );
            }
            assert!(
                out.stdout.contains("Evil") || out.stderr.contains("Evil"),
                "{args:?}"
            );
        }
        // The JSON still says exactly what the file holds.
        let json = run(&["profile", "list", "--output", "json"], &env, None);
        let value: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
        assert_eq!(value["profiles"][0]["name"], hostile);
    }

    #[test]
    fn add_list_show_and_remove_through_the_shared_store() {
        let dir = tempfile::tempdir().unwrap();
        let env = data_env(dir.path());
        let add = run(
            &add_args("Ops prod", "https://om.example.com:8443/", &[NO_KEY]),
            &env,
            None,
        );
        assert_eq!(add.code, 0, "{}", add.stderr);
        assert!(
            add.stdout
                .contains("Profile \"Ops prod\" saved without a private key")
        );
        let cloud = argv(&format!(
            "profile add Cloud --kind cloud-manager --public-key ijklmnop {NO_KEY} --output json"
        ));
        let cloud = run(&cloud, &env, None);
        assert_eq!(cloud.code, 0, "{}", cloud.stderr);
        let json = cloud.json();
        assert_eq!(json["url"], "https://cloud.mongodb.com");
        assert_eq!(json["hasPrivateKey"], false);

        let list = run(&["profile", "list"], &env, None);
        assert_eq!(list.code, 0, "{}", list.stderr);
        let lines: Vec<&str> = list.stdout.lines().collect();
        assert!(lines[0].starts_with("NAME"), "{}", list.stdout);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Ops prod") && l.contains("ops-manager"))
        );
        let list = run(&["profile", "list", "--output", "json"], &env, None);
        let json = list.json();
        assert_eq!(json["profiles"].as_array().unwrap().len(), 2);

        let show = run(&["profile", "show", "ops PROD"], &env, None);
        assert_eq!(show.code, 0, "{}", show.stderr);
        assert!(
            show.stdout
                .contains("url:          https://om.example.com:8443")
        );

        // A duplicate name, a bad URL: exit 2, nothing written.
        let before = std::fs::read(dir.path().join("dev.omlink.desktop/omlink.json")).unwrap();
        for (name, url) in [
            ("ops prod", "https://x.example"),
            ("New", "om.example.com"),
            ("Bidi\u{202e}", "https://x.example"),
        ] {
            let args = add_args(name, url, &[NO_KEY]);
            let bad = run(&args, &env, None);
            assert_eq!(bad.code, 2, "{args:?}: {}", bad.stderr);
        }
        let after = std::fs::read(dir.path().join("dev.omlink.desktop/omlink.json")).unwrap();
        assert_eq!(before, after);

        // Remove needs --yes without a terminal.
        let refused = run(&["profile", "remove", "Cloud"], &env, None);
        assert_eq!(refused.code, 2);
        let removed = run(&["profile", "remove", "Cloud", "--yes"], &env, None);
        assert_eq!(removed.code, 0, "{}", removed.stderr);
        let missing = run(&["profile", "show", "Cloud"], &env, None);
        assert_eq!(missing.code, 2);
        assert!(
            missing.stderr.contains("Saved profiles: Ops prod."),
            "{}",
            missing.stderr
        );
    }

    #[test]
    fn a_private_key_without_a_keychain_is_refused_and_nothing_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let mut env = data_env(dir.path());
        env.push(("OMLINK_PRIVATE_KEY", WRONG_PRIVATE_KEY.to_owned()));
        // No D-Bus session here: the Secret Service cannot be reached.
        let with_key = add_args("P", "https://om.example.com", &[]);
        let add = run(&with_key, &env, None);
        assert_eq!(add.code, 9, "{}", add.stderr);
        assert!(add.stderr.contains("keychain"), "{}", add.stderr);
        let list = run(&["profile", "list", "--output", "json"], &env, None);
        assert_eq!(list.stdout.trim(), r#"{"profiles":[]}"#);

        // Without the variable and without a terminal, it says what to do.
        let env = data_env(dir.path());
        let add = run(&with_key, &env, None);
        assert_eq!(add.code, 2);
        assert!(add.stderr.contains("--no-private-key"), "{}", add.stderr);
    }

    #[test]
    fn a_corrupt_store_is_set_aside_and_reported_not_overwritten() {
        let (dir, folder) = data_with_store("{\"profiles\": [trunc");
        let env = data_env(dir.path());
        let list = run(&["profile", "list"], &env, None);
        assert_eq!(
            list.code, 11,
            "a read-only command leaves the file: {}",
            list.stderr
        );
        let add = run(
            &add_args("P", "https://om.example.com", &[NO_KEY]),
            &env,
            None,
        );
        assert_eq!(add.code, 0, "{}", add.stderr);
        assert!(add.stderr.contains("could not be read"), "{}", add.stderr);
        let kept = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
            .any(|t| t == "{\"profiles\": [trunc");
        assert!(kept);
    }
}

/// Broken pipes and warnings.
#[test]
fn a_closed_output_pipe_ends_quietly() {
    let sb = sandbox();
    let mut child = Command::new(env!("CARGO_BIN_EXE_omlink"))
        .args(["orgs", "--output", "json"])
        .env_clear()
        .envs(owner_env(&sb))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end at once, as `| head -c 0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_token_on_the_command_line_warns_and_the_other_ways_do_not() {
    let sb = sandbox();
    let argv = omlink(
        &["link", "--org", ORG, "--token", TOKEN],
        &owner_env(&sb),
        None,
    );
    assert_eq!(argv.code, 0, "{}", argv.stderr);
    assert!(
        argv.stderr.contains("visible to other users"),
        "{}",
        argv.stderr
    );
    let mut env = owner_env(&sb);
    env.push(("OMLINK_LINK_TOKEN", TOKEN));
    let from_env = omlink(&["link", "--org", ORG], &env, None);
    assert_eq!(from_env.code, 0, "{}", from_env.stderr);
    assert!(
        !from_env.stderr.contains("visible to other users"),
        "{}",
        from_env.stderr
    );
    let stdin = omlink(
        &["link", "--org", ORG, "--token", "-"],
        &owner_env(&sb),
        Some(TOKEN),
    );
    assert_eq!(stdin.code, 0, "{}", stdin.stderr);
    assert!(
        !stdin.stderr.contains("visible to other users"),
        "{}",
        stdin.stderr
    );
}

#[test]
fn the_help_lists_every_exit_code_from_the_error_kinds() {
    let help = omlink(&["--help"], &[], None);
    assert_eq!(help.code, 0);
    // clap wraps long lines: each code's line starts with its meaning's first words.
    for (code, meaning, _) in omlink::exit_codes() {
        let start: String = meaning.chars().take(30).collect();
        assert!(
            help.stdout.contains(&format!("{code:>3}  {start}")),
            "{}",
            help.stdout
        );
    }
    // The README carries the same table, with the kinds behind each code.
    let readme = include_str!("../../../../README.md");
    for (code, meaning, kinds) in omlink::exit_codes() {
        let kinds: Vec<String> = kinds.iter().map(|k| format!("`{k:?}`")).collect();
        let row = format!("| {code} | {meaning} | {} |", kinds.join(", "));
        assert!(
            readme.contains(&row),
            "README's exit-code table lacks:\n{row}"
        );
    }
}

/// `status --all` and `link --from`: the batch runner from the command line.
mod fleet {
    use super::*;
    use crate::{fleet, generated};
    use omlink_sandbox::demo::EXPIRED_TOKEN_MARKER;

    /// Restricts `file` to `mode` (where there are modes).
    fn set_mode(file: &Path, mode: u32) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        #[cfg(not(unix))]
        let _ = (file, mode);
    }

    /// `omlink link --from FILE` with the owner's key, then `more`.
    fn link_from(sb: &Sandbox, file: &Path, more: &[&str]) -> Run {
        let mut args = vec!["link", "--from", file.to_str().unwrap()];
        args.extend_from_slice(more);
        omlink(&args, &owner_env(sb), None)
    }

    #[test]
    fn status_all_prints_a_table_or_json_lines() {
        let sb = fleet(3);
        let text = omlink(&["status", "--all"], &owner_env(&sb), None);
        assert_eq!(text.code, 0, "{}", text.stderr);
        let lines: Vec<&str> = text.stdout.lines().collect();
        assert_eq!(lines.len(), 9, "{}", text.stdout);
        let billing = lines
            .iter()
            .find(|l| l.starts_with(RUNNING_MIGRATION_ORG))
            .unwrap();
        assert!(
            billing.contains("Legacy Billing") && billing.ends_with("SYNCED"),
            "{billing}"
        );
        // Aligned: every status starts in the same column.
        let column = |l: &str| l.rfind("  ").unwrap();
        assert!(
            lines.iter().all(|l| column(l) == column(lines[0])),
            "{}",
            text.stdout
        );

        let json = omlink(
            &["status", "--all", "--output", "json"],
            &owner_env(&sb),
            None,
        );
        assert_eq!(json.code, 0);
        for line in json.stdout.lines() {
            // {"org","name","status"}, in that order.
            assert!(line.starts_with("{\"org\":\""), "{line}");
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys.len(), 3, "{line}");
            assert!(line.find("\"name\"") < line.find("\"status\""), "{line}");
        }
    }

    #[test]
    fn status_all_with_a_wrong_key_stops_with_its_exit_code() {
        let sb = fleet(50);
        let run = omlink(
            &["status", "--all"],
            &env_for(&sb, demo::OWNER.public_key, WRONG_PRIVATE_KEY),
            None,
        );
        assert_eq!(run.code, 3, "{}", run.stderr);
    }

    #[test]
    fn link_from_a_file_links_skips_and_reports_failures_with_exit_10() {
        let sb = fleet(5);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("links.csv");
        let mut csv = String::from("# fleet wave 1\norg,name,token\n\n");
        for i in 0..5 {
            let token = if i == 2 {
                format!("{EXPIRED_TOKEN_MARKER}-token-{i}")
            } else {
                format!("{TOKEN}-{i}")
            };
            csv.push_str(&format!("{},Generated {i},{token}\n", generated(i)));
        }
        csv.push_str(&format!("{RUNNING_MIGRATION_ORG},Billing,{TOKEN}-b\n"));
        std::fs::write(&file, &csv).unwrap();
        set_mode(&file, 0o600);
        let run = link_from(&sb, &file, &["--output", "json"]);
        assert_eq!(run.code, 10, "{}", run.stderr);
        assert!(!run.stderr.contains("other users"), "0600: no warning");
        let lines: Vec<serde_json::Value> = run
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 6);
        let by_org = |id: &str| lines.iter().find(|v| v["org"] == id).unwrap();
        assert_eq!(by_org(&generated(0))["status"], "SYNCED");
        assert_eq!(by_org(&generated(0))["name"], "Generated 0");
        assert_eq!(by_org(&generated(2))["error"]["kind"], "Rejected");
        assert_eq!(by_org(&generated(2))["error"]["httpStatus"], 400);
        assert_eq!(by_org(RUNNING_MIGRATION_ORG)["skipped"], "already linked");
        for i in [0, 1, 3, 4] {
            assert_eq!(sb.is_linked(&generated(i)), Some(true));
        }

        // Run again: every organization but the failed one is already linked.
        let again = link_from(&sb, &file, &[]);
        assert_eq!(again.code, 10);
        again.says_times("already linked (skipped)", 5);
    }

    #[test]
    fn link_from_with_a_profile_records_each_attempt_in_its_history() {
        let sb = fleet(3);
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().display().to_string();
        let add = format!(
            "profile add Fleet --url {} --public-key {} --no-private-key",
            sb.url(),
            demo::OWNER.public_key
        );
        succeeds(&argv(&add), &[("XDG_DATA_HOME", &data)], None);
        let csv = format!(
            "org,token\n{},{TOKEN}-a\n{},{EXPIRED_TOKEN_MARKER}-b\n",
            generated(0),
            generated(1)
        );
        // No keychain here: the key comes from the environment, and the history says the
        // tokens could not be kept.
        let run = omlink(
            &["link", "--from", "-", "--profile", "Fleet"],
            &[
                ("XDG_DATA_HOME", &data),
                ("OMLINK_PRIVATE_KEY", demo::OWNER.private_key),
            ],
            Some(&csv),
        );
        assert_eq!(run.code, 10, "{}", run.stderr);
        let store = dir.path().join("dev.omlink.desktop/omlink.json");
        let text = std::fs::read_to_string(&store).unwrap();
        assert!(!text.contains(TOKEN), "no token on disk");
        let history = omlink::Store::new(&store).load().unwrap().data.history;
        assert_eq!(history.len(), 2, "{text}");
        assert!(history.iter().all(|e| !e.has_token && e.note.is_some()));
        assert!(
            history
                .iter()
                .any(|e| matches!(e.outcome, omlink::Outcome::Failed { .. }))
        );
    }

    #[test]
    fn link_from_stdin_with_all_good_rows_exits_0() {
        let sb = fleet(3);
        let csv = format!(
            "token,org\n{TOKEN}-a,{}\n{TOKEN}-b,{}\n",
            generated(0),
            generated(1)
        );
        let run = succeeds(&["link", "--from", "-"], &owner_env(&sb), Some(&csv));
        run.says_times("linked: SYNCED", 2);
    }

    #[test]
    fn a_file_with_bad_rows_is_refused_whole_with_line_numbers_and_nothing_sent() {
        let sb = fleet(3);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.csv");
        std::fs::write(
            &file,
            format!(
                "org,token\n{},{TOKEN}-a\nnot-an-org,{TOKEN}-b\n{},\n{},{TOKEN}-c\n",
                generated(0),
                generated(1),
                generated(0)
            ),
        )
        .unwrap();
        set_mode(&file, 0o644);
        let run = link_from(&sb, &file, &[]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("other users"), "{}", run.stderr);
        for line in ["line 3:", "line 4:", "line 5:"] {
            assert!(run.stderr.contains(line), "{line}: {}", run.stderr);
        }
        assert!(
            run.stderr.contains("3 bad row(s); nothing was sent"),
            "{}",
            run.stderr
        );
        assert!(sb.requests().is_empty(), "nothing was sent");

        let no_header = omlink(
            &["link", "--from", "-"],
            &owner_env(&sb),
            Some(&format!("{},{TOKEN}\n", generated(0))),
        );
        assert_eq!(no_header.code, 2);
        assert!(
            no_header.stderr.contains("header row"),
            "{}",
            no_header.stderr
        );
        assert!(sb.requests().is_empty());
    }
}

/// `omlink atlas …` and `omlink link --atlas-org`: credentials from the environment only.
mod atlas {
    use super::*;

    const ATLAS_ORG: &str = "6a1b2c3d4e5f60718293a4b5";

    fn atlas_env(sb: &Sandbox) -> Vec<(&str, &str)> {
        vec![
            ("OMLINK_ATLAS_URL", sb.url()),
            ("OMLINK_ATLAS_CLIENT_ID", demo::SERVICE_ACCOUNT.client_id),
            (
                "OMLINK_ATLAS_CLIENT_SECRET",
                demo::SERVICE_ACCOUNT.client_secret,
            ),
        ]
    }

    /// The owner's Ops Manager key and the Atlas service account, both.
    fn both_env(sb: &Sandbox) -> Vec<(&str, &str)> {
        let mut env = owner_env(sb);
        env.extend(atlas_env(sb));
        env
    }

    fn no_secret(run: &Run) {
        for secret in [
            demo::SERVICE_ACCOUNT.client_secret,
            demo::ATLAS_OWNER.private_key,
        ] {
            assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
        }
    }

    #[test]
    fn orgs_in_text_and_json_with_a_service_account_or_an_api_key() {
        let sb = sandbox();
        let run = succeeds(&["atlas", "orgs"], &atlas_env(&sb), None);
        assert!(
            run.stdout
                .contains(&format!("{ATLAS_ORG}  Atlas Production")),
            "{}",
            run.stdout
        );
        let env = vec![
            ("OMLINK_ATLAS_URL", sb.url()),
            ("OMLINK_ATLAS_PUBLIC_KEY", demo::ATLAS_OWNER.public_key),
            ("OMLINK_ATLAS_PRIVATE_KEY", demo::ATLAS_OWNER.private_key),
        ];
        let run = succeeds(&["atlas", "orgs", "--output", "json"], &env, None);
        assert_eq!(run.json()["organizations"][1]["name"], "Atlas Staging");
        no_secret(&run);
    }

    #[test]
    fn token_create_prints_the_token_alone_and_it_pipes_into_link() {
        let sb = sandbox();
        let create = format!("atlas token create --atlas-org {ATLAS_ORG}");
        let run = succeeds(
            &argv(&format!("{create} --access-list-ip 203.0.113.7")),
            &atlas_env(&sb),
            None,
        );
        let token = run.stdout.trim_end_matches('\n');
        assert_eq!(
            run.stdout.lines().count(),
            1,
            "the token alone: {}",
            run.stdout
        );
        assert!(token.starts_with("sbxlink"), "{token}");
        // Standard error only warns (plain http to the sandbox); it never holds the token.
        assert!(!run.stderr.contains(token), "{}", run.stderr);

        // `omlink link --token -` takes it from the pipe.
        let run = succeeds(
            &["link", "--org", ORG, "--token", "-"],
            &owner_env(&sb),
            Some(token),
        );
        assert!(!run.stdout.contains(token));
        assert_eq!(sb.atlas_org_of(ORG).as_deref(), Some(ATLAS_ORG));

        let run = succeeds(
            &argv(&format!("{create} --output json")),
            &atlas_env(&sb),
            None,
        );
        let v = run.json();
        assert!(v["linkToken"].as_str().unwrap().starts_with("sbxlink"));
        assert_eq!(v.as_object().unwrap().len(), 1);
    }

    #[test]
    fn link_with_atlas_org_mints_and_links_and_never_prints_the_token() {
        let sb = sandbox();
        let mint = format!(
            "link --org {ORG} --atlas-org {ATLAS_ORG} --access-list-ip 203.0.113.7 --output json"
        );
        let run = succeeds(&argv(&mint), &both_env(&sb), None);
        assert_eq!(
            run.json(),
            serde_json::json!({"org": ORG, "status": "SYNCED"})
        );
        assert!(!run.stdout.contains("sbxlink") && !run.stderr.contains("sbxlink"));
        assert_eq!(sb.atlas_org_of(ORG).as_deref(), Some(ATLAS_ORG));
        no_secret(&run);

        // The projects are now visible in Atlas: the API's array as is, or a table.
        let projects = ["atlas", "projects", "--atlas-org", ATLAS_ORG];
        let run = succeeds(
            &[&projects[..], &["--output", "json"]].concat(),
            &atlas_env(&sb),
            None,
        );
        let v = run.json();
        assert!(v.as_array().is_some_and(|a| !a.is_empty()), "{v}");
        let run = omlink(&projects, &atlas_env(&sb), None);
        assert!(
            run.stdout.contains("Payments Platform") && run.stdout.contains("MongoDB "),
            "{}",
            run.stdout
        );

        // Revoke: confirmation required without a terminal, then --yes.
        let revoke = ["atlas", "token", "revoke", "--atlas-org", ATLAS_ORG];
        let run = omlink(&revoke, &atlas_env(&sb), None);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("--yes"));
        assert!(sb.has_link_token(ATLAS_ORG));
        succeeds(&[&revoke[..], &["--yes"]].concat(), &atlas_env(&sb), None);
        assert!(!sb.has_link_token(ATLAS_ORG));
        assert_eq!(sb.is_linked(ORG), Some(false));
    }

    #[test]
    fn bad_input_and_missing_credentials_exit_2_before_anything_is_sent() {
        let sb = sandbox();
        let cases: Vec<CodeCase> = vec![
            (
                vec!["atlas", "orgs"],
                vec![("OMLINK_ATLAS_URL", sb.url())],
                2,
                "No Atlas credentials",
            ),
            (
                vec!["atlas", "orgs"],
                vec![
                    ("OMLINK_ATLAS_URL", sb.url()),
                    ("OMLINK_ATLAS_CLIENT_ID", "abc"),
                ],
                2,
                "half of the Atlas service account",
            ),
            (
                [
                    &["atlas", "token", "create", "--atlas-org", ATLAS_ORG][..],
                    &["--access-list-ip", "not-an-ip"],
                ]
                .concat(),
                atlas_env(&sb),
                2,
                "not an IP address",
            ),
            (
                vec!["atlas", "projects", "--atlas-org", "xyz"],
                atlas_env(&sb),
                2,
                "hexadecimal",
            ),
        ];
        for (args, env, code, said) in cases {
            let run = omlink(&args, &env, None);
            assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
            assert!(run.stderr.contains(said), "{args:?}: {}", run.stderr);
        }
        assert!(sb.requests().is_empty(), "nothing was sent");
    }

    #[test]
    fn an_atlas_side_failure_keeps_its_kind_and_says_it_was_atlas() {
        let sb = sandbox();
        let mut env = owner_env(&sb);
        env.extend([
            ("OMLINK_ATLAS_URL", sb.url()),
            ("OMLINK_ATLAS_CLIENT_ID", demo::SERVICE_ACCOUNT.client_id),
            ("OMLINK_ATLAS_CLIENT_SECRET", "mdb_sa_sk_wrong"),
        ]);
        let run = omlink(
            &["link", "--org", ORG, "--atlas-org", ATLAS_ORG],
            &env,
            None,
        );
        assert_eq!(
            run.code,
            omlink::ErrorKind::AuthenticationFailed.exit_code() as i32,
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("sign in to Atlas"), "{}", run.stderr);
        assert_eq!(sb.is_linked(ORG), Some(false), "nothing linked");
    }

    #[test]
    fn preflight_judges_every_project_from_its_hosts_versions() {
        let sb = sandbox();
        let run = succeeds(
            &["preflight", "--org", ORG, "--output", "json"],
            &owner_env(&sb),
            None,
        );
        let v = run.json();
        assert_eq!(v["server"], "OpsManager");
        let projects = v["projects"].as_array().unwrap();
        assert!(!projects.is_empty());
        for p in projects {
            let versions: Vec<String> = p["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_owned())
                .collect();
            assert!(!versions.is_empty(), "{p}");
            let expected = if versions
                .iter()
                .any(|x| x.starts_with('6') || x.starts_with('7'))
            {
                "notSupported"
            } else {
                "deprecated"
            };
            assert_eq!(p["verdict"], expected, "{p}");
        }
        let run = succeeds(&["preflight", "--org", ORG], &owner_env(&sb), None);
        assert!(run.stdout.contains("Ops Manager"), "{}", run.stdout);
        let run = omlink(&["preflight", "--org", UNKNOWN_ORG], &owner_env(&sb), None);
        assert_eq!(
            run.code,
            omlink::ErrorKind::NotFound.exit_code() as i32,
            "{}",
            run.stderr
        );
    }

    #[test]
    fn link_from_a_file_mints_a_token_per_atlas_org_row() {
        let sb = sandbox();
        let env = both_env(&sb);
        let second = "5f1e2d3c4b5a697887766555";
        let third = "5f1e2d3c4b5a697887766556";
        let csv = format!(
            "org,token,atlas_org\n# mint two, paste one\n{ORG},,{ATLAS_ORG}\n{second},,{ATLAS_ORG}\n{third},{TOKEN},\n"
        );
        let run = omlink(
            &argv("link --from - --access-list-ip 203.0.113.7 --output json"),
            &env,
            Some(&csv),
        );
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
        assert!(!run.stdout.contains("sbxlink") && !run.stderr.contains("sbxlink"));
        assert_eq!(sb.atlas_org_of(ORG).as_deref(), Some(ATLAS_ORG));
        assert_eq!(sb.atlas_org_of(second).as_deref(), Some(ATLAS_ORG));
        assert_eq!(sb.is_linked(third), Some(true));
        assert_eq!(
            sb.atlas_org_of(third),
            None,
            "a pasted token is not Atlas-minted here"
        );

        // A row with neither a token nor an Atlas organization: exit 2, nothing sent.
        let sb = sandbox();
        let env = both_env(&sb);
        let run = omlink(
            &["link", "--from", "-"],
            &env,
            Some(&format!("org,token,atlas_org\n{ORG},,\n{second},,zz\n")),
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("line 2") && run.stderr.contains("line 3"),
            "{}",
            run.stderr
        );
        assert!(sb.requests().is_empty());
    }

    /// A store file holding an Atlas connection to the sandbox ("Atlas", its service account)
    /// and an Ops Manager profile ("Lab") that names it; returns the data folder.
    fn saved_pair(sb: &Sandbox) -> tempfile::TempDir {
        let data = tempfile::tempdir().unwrap();
        let mut book = omlink::ProfileBook::default();
        let atlas = book
            .validate_atlas(
                None,
                &omlink::AtlasDraft {
                    name: "Atlas".into(),
                    url: sb.url().into(),
                    user: demo::SERVICE_ACCOUNT.client_id.into(),
                    ..omlink::AtlasDraft::default()
                },
            )
            .unwrap();
        book.upsert_atlas(atlas.clone());
        let profile = book
            .validate(
                None,
                &omlink::ProfileDraft {
                    name: "Lab".into(),
                    url: sb.url().into(),
                    public_key: demo::OWNER.public_key.into(),
                    atlas: Some(omlink::AtlasLink {
                        connection: atlas.id,
                        org: None,
                        org_name: None,
                        access_list_ips: Vec::new(),
                    }),
                    ..omlink::ProfileDraft::default()
                },
            )
            .unwrap();
        book.upsert(profile);
        write_store(data.path(), &book);
        data
    }

    #[test]
    fn a_saved_atlas_connection_is_used_by_name_or_through_its_profile() {
        let sb = sandbox();
        let data = saved_pair(&sb);
        let xdg = data.path().to_str().unwrap();
        // --atlas-profile NAME: the connection's URL and client id; its secret from the
        // environment here (no Secret Service in this test).
        let env = [
            ("XDG_DATA_HOME", xdg),
            (
                "OMLINK_ATLAS_CLIENT_SECRET",
                demo::SERVICE_ACCOUNT.client_secret,
            ),
        ];
        let run = succeeds(&["atlas", "orgs", "--atlas-profile", "atlas"], &env, None);
        assert!(run.stdout.contains("Atlas Production"), "{}", run.stdout);
        no_secret(&run);

        // --profile Lab lends its Atlas connection to mint and link in one step.
        let env = [
            ("XDG_DATA_HOME", xdg),
            ("OMLINK_PRIVATE_KEY", demo::OWNER.private_key),
            (
                "OMLINK_ATLAS_CLIENT_SECRET",
                demo::SERVICE_ACCOUNT.client_secret,
            ),
        ];
        let mint_as_lab = |org: &str| {
            argv(&format!(
                "link --org {org} --atlas-org {ATLAS_ORG} --profile Lab"
            ))
        };
        let run = succeeds(&mint_as_lab(ORG), &env, None);
        assert_eq!(sb.atlas_org_of(ORG).as_deref(), Some(ATLAS_ORG));
        let token = sb.link_token(ORG).unwrap();
        assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));
        // The token was kept in the profile's history before it was sent; the link's outcome
        // replaced "not linked yet".
        let history = || {
            let store = omlink::Store::new(
                data.path()
                    .join(omlink::APP_IDENTIFIER)
                    .join(omlink::STORE_FILE_NAME),
            );
            store.load().unwrap().data.history
        };
        let kept = history();
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert!(matches!(kept[0].outcome, omlink::Outcome::Linked { .. }));
        assert_eq!(
            kept[0].generated_in.as_ref().map(|o| o.org_id.as_str()),
            Some(ATLAS_ORG)
        );

        // A link that fails after the mint keeps the generated token's entry, with the
        // failure; with no keychain to hold the token, stderr says to revoke it.
        let mut failing = env.to_vec();
        failing.push(NO_BUS);
        let unknown = "ffffffffffffffffffffffff";
        let run = omlink(&mint_as_lab(unknown), &failing, None);
        assert_eq!(run.code, 5, "{}", run.stderr);
        assert!(run.stderr.contains("revoke it in Atlas"), "{}", run.stderr);
        let kept = history();
        assert_eq!(kept.len(), 2, "{kept:?}");
        let failed = kept.iter().find(|e| e.org_id.as_str() == unknown).unwrap();
        assert!(matches!(
            failed.outcome,
            omlink::Outcome::Failed {
                kind: omlink::ErrorKind::NotFound,
                ..
            }
        ));
        assert!(failed.generated_in.is_some() && !failed.has_token);

        // Without a secret and without a Secret Service: the keychain error, exit 9, nothing
        // sent.
        sb.clear_requests();
        let env = [("XDG_DATA_HOME", xdg), NO_BUS];
        let run = omlink(&["atlas", "orgs", "--atlas-profile", "Atlas"], &env, None);
        assert_eq!(run.code, 9, "{}", run.stderr);
        assert!(sb.requests().is_empty());

        // An unknown name lists the saved ones.
        let run = omlink(
            &["atlas", "orgs", "--atlas-profile", "Prod"],
            &[("XDG_DATA_HOME", xdg)],
            None,
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("Saved Atlas connections: Atlas."),
            "{}",
            run.stderr
        );
    }
}

//! `omlink atlas clusters` and `omlink atlas migration …` against the sandbox: a migration
//! validated, started, watched with its lag falling, and cut over to COMPLETE; the exit codes
//! (2 unfit and nothing sent, 6 for a failed validation or a cutover before ready, 10 for a
//! lost migration); a fleet plan that starts two, queues one and starts it with `--queued`
//! after the first is cut over, with no 409 from the server; and no password anywhere.

use omlink_sandbox::Sandbox;
use omlink_sandbox::demo;
use omlink_sandbox::migrations::{MigrationKnobs, SOURCE_PASSWORD, SOURCE_USERNAME};
use serde_json::Value;

use crate::commands::{Run, omlink, owner_env, succeeds};
use crate::{ORG, sandbox};

const ATLAS_ORG: &str = "6a1b2c3d4e5f60718293a4b5";
const LANDING: &str = "6b1c2d3e4f5a60718293a4c2";
const PRODUCTION: &str = "6b1c2d3e4f5a60718293a4c1";
const WRONG_PASSWORD: &str = "src-CANARY-wrong-password-93d1";

/// A sandbox running at 150 ms per lifecycle step, a data folder for the store, and the
/// environment: Ops Manager's owner key, the Atlas service account, a fast poll.
struct Setup {
    sb: Sandbox,
    data: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let sb = sandbox();
        sb.set_migration_knobs(MigrationKnobs {
            step_ms: 150,
            ..MigrationKnobs::default()
        });
        Self {
            sb,
            data: tempfile::tempdir().unwrap(),
        }
    }

    fn env(&self) -> Vec<(&str, &str)> {
        let mut env = owner_env(&self.sb);
        env.extend([
            ("OMLINK_ATLAS_URL", self.sb.url()),
            ("OMLINK_ATLAS_CLIENT_ID", demo::SERVICE_ACCOUNT.client_id),
            (
                "OMLINK_ATLAS_CLIENT_SECRET",
                demo::SERVICE_ACCOUNT.client_secret,
            ),
            ("OMLINK_POLL_INTERVAL_MS", "30"),
            ("XDG_DATA_HOME", self.data.path().to_str().unwrap()),
        ]);
        env
    }

    fn run(&self, line: &str) -> Run {
        self.run_with(line, &[])
    }

    /// `line` run with these variables besides the profile's.
    fn run_with(&self, line: &str, more: &[(&'static str, &'static str)]) -> Run {
        let mut env = self.env();
        env.extend_from_slice(more);
        let run = omlink(&crate::argv(line), &env, None);
        self.no_secret(&run);
        run
    }

    fn ok(&self, line: &str) -> Run {
        let run = succeeds(&crate::argv(line), &self.env(), None);
        self.no_secret(&run);
        run
    }

    fn no_secret(&self, run: &Run) {
        for secret in [
            SOURCE_PASSWORD,
            WRONG_PASSWORD,
            demo::SERVICE_ACCOUNT.client_secret,
        ] {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "{}\n{}",
                run.stdout,
                run.stderr
            );
        }
    }

    /// Links `org` to [`ATLAS_ORG`] through the CLI; its projects as Atlas offers them.
    fn link(&self, org: &str) -> Vec<Value> {
        self.ok(&format!(
            "link --org {org} --atlas-org {ATLAS_ORG} --access-list-ip 203.0.113.7"
        ));
        let run = self.ok(&format!(
            "atlas projects --atlas-org {ATLAS_ORG} --output json"
        ));
        run.json().as_array().unwrap().clone()
    }

    /// The store file's text.
    fn store_text(&self) -> String {
        let path = self
            .data
            .path()
            .join(omlink::APP_IDENTIFIER)
            .join(omlink::STORE_FILE_NAME);
        std::fs::read_to_string(path).unwrap_or_default()
    }
}

fn project_id(p: &Value) -> &str {
    p["projectId"].as_str().unwrap()
}

#[test]
fn clusters_show_tier_version_state_and_fit_or_the_reason() {
    let s = Setup::new();
    let text = s.ok(&format!("atlas clusters --atlas-org {ATLAS_ORG}"));
    let line = |cluster: &str| {
        text.stdout
            .lines()
            .find(|l| l.contains(&format!("  {cluster}  ")))
            .unwrap_or_else(|| panic!("{cluster}: {}", text.stdout))
            .to_owned()
    };
    assert!(line("prod-main").ends_with("fit"), "{}", line("prod-main"));
    assert!(line("prod-main").contains("M40  MongoDB 7.0.14  IDLE"));
    assert!(line("prod-free").contains("shared tier"));
    assert!(line("prod-analytics").contains("BI Connector"));
    let json = s.ok(&format!(
        "atlas clusters --atlas-org {ATLAS_ORG} --output json"
    ));
    let rows = json.json()["clusters"].as_array().unwrap().clone();
    let archive = rows
        .iter()
        .find(|r| r["cluster"] == "prod-archive")
        .unwrap();
    assert_eq!(archive["fit"], false);
    assert!(archive["reason"].as_str().unwrap().contains("paused"));
    assert_eq!(archive["projectId"], PRODUCTION);
    assert_eq!(archive["tier"], "M40");
}

#[test]
fn validate_start_watch_and_cut_over_to_complete() {
    let s = Setup::new();
    let projects = s.link(ORG);
    let source = project_id(&projects[0]);
    let flags = format!("--atlas-project {LANDING} --cluster landing-1 --source-project {source}");

    let v = s.ok(&format!("atlas migration validate {flags}"));
    assert_eq!(v.stdout.trim(), "SUCCESS");

    let started = s.ok(&format!("atlas migration start {flags}"));
    let id = started.stdout.trim().to_owned();
    assert!(
        id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "the id alone: {:?}",
        started.stdout
    );

    let status = s.ok("atlas migration status --output json").json();
    let m = &status["migrations"][0];
    for field in [
        "id",
        "atlasProject",
        "cluster",
        "sourceOrg",
        "sourceProject",
        "migrationHost",
        "status",
        "lagTimeSeconds",
        "readyForCutover",
        "cutoverDeadline",
    ] {
        assert!(m.get(field).is_some(), "{field}: {m}");
    }
    assert_eq!(m["id"], id.as_str());
    assert_eq!(m["sourceOrg"], ORG, "from Ops Manager's GET /groups/{{id}}");
    assert_eq!(m["atlasProject"], LANDING);

    // Cut over before Atlas says ready: refused, nothing sent.
    let early = s.run(&format!("atlas migration cutover {id} --yes"));
    assert_eq!(early.code, 6, "{}", early.stderr);
    assert!(early.stderr.contains("not ready"), "{}", early.stderr);
    assert!(!s.sb.requests().iter().any(|r| r.method == "PUT"));

    let watched = s.ok(&format!("atlas migration watch {id}"));
    let lags: Vec<u64> = watched
        .stdout
        .lines()
        .filter_map(|l| l.split("lag ").nth(1))
        .filter_map(|l| l.split('s').next()?.parse().ok())
        .collect();
    assert!(lags.len() >= 2, "{}", watched.stdout);
    assert!(lags.first() > lags.last(), "lag falls: {lags:?}");
    let last = watched.stdout.lines().last().unwrap();
    assert!(
        last.contains("ready for cutover") && last.contains("cut over before"),
        "{last}"
    );
    let status = s
        .ok(&format!("atlas migration status {id} --output json"))
        .json();
    let deadline = status["migrations"][0]["cutoverDeadline"].as_str().unwrap();
    // RFC 3339 UTC to the second: 2026-12-09T21:04:05Z.
    let b = deadline.as_bytes();
    assert!(
        b.len() == 20 && b[4] == b'-' && b[10] == b'T' && b[19] == b'Z',
        "{deadline}"
    );

    let cut = s.ok(&format!("atlas migration cutover {id} --yes"));
    assert!(
        cut.stdout.lines().last().unwrap().contains("COMPLETE"),
        "{}",
        cut.stdout
    );
    let status = s.ok("atlas migration status --output json").json();
    assert_eq!(status["migrations"][0]["status"], "COMPLETE");
    assert_eq!(status["migrations"][0]["cutoverDeadline"], Value::Null);
    // The record holds no secret.
    let store = s.store_text();
    assert!(
        store.contains(&id) && !store.contains("password"),
        "{store}"
    );
}

#[test]
fn unfit_exits_2_and_a_failed_validation_exits_6_with_atlas_message() {
    let s = Setup::new();
    let projects = s.link(ORG);
    let source = project_id(&projects[0]);
    s.sb.clear_requests();
    let unfit = s.run(&format!(
        "atlas migration start --atlas-project {PRODUCTION} --cluster prod-free --source-project {source}"
    ));
    assert_eq!(unfit.code, 2, "{}", unfit.stderr);
    assert!(unfit.stderr.contains("shared tier"), "{}", unfit.stderr);
    assert!(
        s.sb.requests()
            .iter()
            .all(|r| r.method == "GET" || r.uri.contains("oauth")),
        "nothing but reads"
    );

    let flags = format!(
        "--atlas-project {LANDING} --cluster landing-1 --source-project {source} --source-username {SOURCE_USERNAME}"
    );
    let failed = s.run_with(
        &format!("atlas migration validate {flags}"),
        &[("OMLINK_SOURCE_PASSWORD", WRONG_PASSWORD)],
    );
    assert_eq!(failed.code, 6, "{}", failed.stderr);
    assert!(
        failed
            .stderr
            .contains("The username or password is not correct"),
        "{}",
        failed.stderr
    );
    // Without the variable and without a terminal: exit 2, nothing sent.
    s.sb.clear_requests();
    let no_password = s.run(&format!("atlas migration validate {flags}"));
    assert_eq!(no_password.code, 2, "{}", no_password.stderr);
    assert!(no_password.stderr.contains("OMLINK_SOURCE_PASSWORD"));
    assert!(s.sb.requests().is_empty());

    let ok = s.run_with(
        &format!("atlas migration start {flags}"),
        &[("OMLINK_SOURCE_PASSWORD", SOURCE_PASSWORD)],
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    // The password went to Atlas only: the store names the user, not the password.
    let store = s.store_text();
    assert!(store.contains(SOURCE_USERNAME) && !store.contains(SOURCE_PASSWORD));
}

#[test]
fn a_failed_migration_ends_the_watch_with_10() {
    let s = Setup::new();
    let projects = s.link(ORG);
    s.sb.set_migration_knobs(MigrationKnobs {
        step_ms: 150,
        fail_after_steps: Some(2),
        ..MigrationKnobs::default()
    });
    let id = s
        .ok(&format!(
            "atlas migration start --atlas-project {LANDING} --cluster landing-1 --source-project {}",
            project_id(&projects[0])
        ))
        .stdout
        .trim()
        .to_owned();
    let watched = s.run("atlas migration watch");
    assert_eq!(watched.code, 10, "{}", watched.stderr);
    assert!(
        watched
            .stdout
            .lines()
            .last()
            .unwrap()
            .contains(&format!("{id}  FAILED")),
        "{}",
        watched.stdout
    );
}

#[test]
fn a_plan_starts_two_queues_one_and_queued_starts_it_after_the_first_is_cut_over() {
    let s = Setup::new();
    // Two demo organizations: one with two projects, one with one or more.
    let two = demo::ORGS
        .iter()
        .find(|o| demo::projects_of(o.id, o.name).len() == 2)
        .expect("a demo organization with two projects");
    let other = demo::ORGS
        .iter()
        .find(|o| o.id != two.id && !o.linked)
        .unwrap();
    s.link(two.id);
    s.link(other.id);
    let a = demo::projects_of(two.id, two.name);
    let b = demo::projects_of(other.id, other.name);
    let plan = s.data.path().join("plan.csv");
    std::fs::write(
        &plan,
        format!(
            "source_project,atlas_project,cluster\n{},{LANDING},landing-1\n{},{LANDING},landing-2\n{},{LANDING},landing-3\n",
            a[0].id, b[0].id, a[1].id
        ),
    )
    .unwrap();
    let run = s.ok(&format!("atlas migration start --from {}", plan.display()));
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("line 2: started "), "{}", lines[0]);
    assert!(lines[1].starts_with("line 3: started "), "{}", lines[1]);
    let first = lines[0].trim_start_matches("line 2: started ");
    assert!(
        lines[2].starts_with(&format!("line 4: queued behind {first}")),
        "{}",
        lines[2]
    );

    // Its turn has not come: --queued changes nothing.
    let again = s.ok("atlas migration start --queued");
    assert!(again.stdout.contains("queued behind"), "{}", again.stdout);
    let status = s.ok("atlas migration status --output json").json();
    let queued: Vec<&Value> = status["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "QUEUED")
        .collect();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["waitingFor"]["behind"], first);

    s.ok(&format!("atlas migration watch {first}"));
    s.ok(&format!("atlas migration cutover {first} --yes"));
    let started = s.ok("atlas migration start --queued");
    assert!(started.stdout.contains("started "), "{}", started.stdout);
    let status = s.ok("atlas migration status --output json").json();
    assert!(
        status["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] != "QUEUED"),
        "{status}"
    );
    assert!(s.sb.requests().iter().all(|r| r.status != 409));
}

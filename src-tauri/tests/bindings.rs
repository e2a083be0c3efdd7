//! What crosses IPC: the web view's TypeScript types are generated from the Rust types (ts-rs) into
//! `ui/src/bindings/`. This test regenerates them and fails when the committed files differ;
//! `make bindings` (UPDATE_BINDINGS=1) rewrites them.

use std::collections::BTreeMap;
use std::path::Path;

use ts_rs::{Config, TS};

/// Every `.ts` file under `dir`, by path relative to it (ts-rs puts serde_json's types in a
/// subfolder).
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.map(|e| e.unwrap().path()) {
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|x| x == "ts") {
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(name, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn typescript_bindings_match_the_rust_types() {
    let generated = tempfile::tempdir().unwrap();
    // JSON numbers, not bigint: no value here exceeds 2^53.
    let cfg = Config::default()
        .with_out_dir(generated.path())
        .with_large_int("number");
    omlink_desktop::types::ProfilesView::export_all(&cfg).unwrap();
    omlink_desktop::types::OrganizationsView::export_all(&cfg).unwrap();
    omlink_desktop::types::LinkRequest::export_all(&cfg).unwrap();
    omlink_desktop::types::LinkResponse::export_all(&cfg).unwrap();
    omlink_desktop::types::AppInfo::export_all(&cfg).unwrap();
    omlink_desktop::types::BatchLinkRequest::export_all(&cfg).unwrap();
    omlink_desktop::types::StatusBatchRequest::export_all(&cfg).unwrap();
    omlink_desktop::types::BatchSummary::export_all(&cfg).unwrap();
    omlink::batch::BatchEvent::export_all(&cfg).unwrap();
    omlink::Error::export_all(&cfg).unwrap();
    omlink::KeychainUpkeep::export_all(&cfg).unwrap();
    omlink::ExportFormat::export_all(&cfg).unwrap();
    omlink::HistoryEntry::export_all(&cfg).unwrap();
    omlink::ProfileDraft::export_all(&cfg).unwrap();
    omlink::AtlasDraft::export_all(&cfg).unwrap();
    omlink::AvailableProject::export_all(&cfg).unwrap();
    omlink::preflight::ProjectCheck::export_all(&cfg).unwrap();
    omlink::Field::export_all(&cfg).unwrap();
    omlink::FieldCheck::export_all(&cfg).unwrap();
    omlink_desktop::types::LinkFileView::export_all(&cfg).unwrap();
    omlink::MigrationDraft::export_all(&cfg).unwrap();
    omlink::MigrationView::export_all(&cfg).unwrap();
    omlink::DestinationProject::export_all(&cfg).unwrap();
    omlink::migration::Validation::export_all(&cfg).unwrap();

    std::fs::write(generated.path().join("constants.ts"), constants_ts()).unwrap();

    let committed_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    let fresh = read_dir(generated.path());
    assert!(
        fresh.contains_key("Error.ts") && fresh.contains_key("Profile.ts"),
        "{:?}",
        fresh.keys()
    );

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        if committed_dir.exists() {
            std::fs::remove_dir_all(&committed_dir).unwrap();
        }
        for (name, text) in &fresh {
            let path = committed_dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        return;
    }
    let committed = read_dir(&committed_dir);
    let differing: Vec<&String> = fresh
        .keys()
        .chain(committed.keys())
        .filter(|name| fresh.get(*name) != committed.get(*name))
        .collect();
    assert!(
        differing.is_empty(),
        "ui/src/bindings is out of date for {differing:?}: run `make bindings` and commit the result"
    );
}

/// The facts the window repeats, defined once in Rust: limits, the Cloud Manager URL and the
/// error kinds' badge labels.
fn constants_ts() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "// Generated from the Rust constants by src-tauri/tests/bindings.rs (`make bindings`).\n\
         // Do not edit: change the Rust side.\n\
         import type { ErrorKind } from \"./ErrorKind\";\n\n",
    );
    let number = |out: &mut String, name: &str, value: usize, doc: &str| {
        let _ = writeln!(out, "/** {doc} */\nexport const {name} = {value};");
    };
    number(
        &mut out,
        "MAX_LINK_TOKEN_LEN",
        omlink::MAX_LINK_TOKEN_LEN,
        "The longest link token accepted, in bytes.",
    );
    number(
        &mut out,
        "MAX_PRIVATE_KEY_LEN",
        omlink::MAX_PRIVATE_KEY_LEN,
        "The longest private API key accepted, in bytes.",
    );
    number(
        &mut out,
        "MAX_PROFILE_NAME_LEN",
        omlink::MAX_PROFILE_NAME_LEN,
        "The longest profile name accepted, in characters.",
    );
    number(
        &mut out,
        "MIN_TIMEOUT_SECS",
        omlink::MIN_TIMEOUT_SECS as usize,
        "The shortest timeout, in seconds.",
    );
    number(
        &mut out,
        "MAX_TIMEOUT_SECS",
        omlink::MAX_TIMEOUT_SECS as usize,
        "The longest timeout, in seconds.",
    );
    number(
        &mut out,
        "DEFAULT_TIMEOUT_SECS",
        omlink::DEFAULT_TIMEOUT.as_secs() as usize,
        "The default timeout, in seconds.",
    );
    let _ = writeln!(
        out,
        "/** Cloud Manager's base URL (its Public API is Ops Manager's). */\nexport const CLOUD_MANAGER_URL = {:?};",
        omlink::CLOUD_MANAGER_URL
    );
    let _ = writeln!(
        out,
        "/** Atlas's own address, the default of an Atlas connection. */\nexport const ATLAS_URL = {:?};",
        omlink::ATLAS_URL
    );
    out.push_str("/** Each error kind's badge label. */\nexport const ERROR_KIND_LABELS: Record<ErrorKind, string> = {\n");
    for kind in omlink::ErrorKind::ALL {
        let _ = writeln!(out, "  {kind:?}: {:?},", kind.badge_label());
    }
    out.push_str("};\n");
    out
}

#[test]
fn a_link_request_never_prints_its_token() {
    let request: omlink_desktop::types::LinkRequest = serde_json::from_value(serde_json::json!({
        "requestId": "r1", "profileId": "p1", "orgId": "5f1e2d3c4b5a697887766554",
        "orgName": null, "source": {"kind": "paste", "value": "tok-SECRET-value"}
    }))
    .unwrap();
    let shown = format!("{request:?}");
    assert!(
        !shown.contains("tok-SECRET-value") && shown.contains("<redacted>"),
        "{shown}"
    );
}

#[test]
fn the_link_source_is_one_tagged_value_and_a_bad_one_is_refused() {
    use omlink::TokenSource;
    let source = |value: serde_json::Value| serde_json::from_value::<TokenSource>(value);
    let reuse = source(serde_json::json!({"kind": "reuse", "value": "e1"})).unwrap();
    assert!(matches!(reuse, TokenSource::History(id) if id.as_str() == "e1"));
    let mint = source(serde_json::json!({"kind": "mint", "value": {
        "org": "6a1b2c3d4e5f60718293a4b5", "orgName": null, "accessListIps": ["203.0.113.7"]
    }}))
    .unwrap();
    assert!(matches!(mint, TokenSource::Mint(t) if t.org.as_str() == "6a1b2c3d4e5f60718293a4b5"));
    // The three nullable fields of before are not a source; nor is an empty token.
    assert!(source(serde_json::json!({"token": "abc", "historyId": null})).is_err());
    assert!(source(serde_json::json!({"kind": "paste", "value": ""})).is_err());
}

#[test]
fn the_app_identifier_is_the_one_the_cli_reads() {
    // `omlink --profile` finds the app's store file through omlink::APP_IDENTIFIER.
    let conf: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    assert_eq!(conf["identifier"], omlink::APP_IDENTIFIER);
    assert!(
        conf.get("version").is_none(),
        "the version comes from Cargo.toml only"
    );
}

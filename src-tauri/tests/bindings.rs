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
    omlink::Error::export_all(&cfg).unwrap();
    omlink::ExportFormat::export_all(&cfg).unwrap();
    omlink::HistoryEntry::export_all(&cfg).unwrap();
    omlink::ProfileDraft::export_all(&cfg).unwrap();

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

#[test]
fn a_link_request_never_prints_its_token() {
    let request: omlink_desktop::types::LinkRequest = serde_json::from_value(serde_json::json!({
        "requestId": "r1", "profileId": "p1", "orgId": "5f1e2d3c4b5a697887766554",
        "orgName": null, "token": "tok-SECRET-value", "historyId": null
    }))
    .unwrap();
    let shown = format!("{request:?}");
    assert!(
        !shown.contains("tok-SECRET-value") && shown.contains("<redacted>"),
        "{shown}"
    );
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

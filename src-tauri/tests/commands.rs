//! The shell's commands: one list agrees with every place that names them, and commands run
//! over real IPC on Tauri's mock runtime (no window, no display).

use std::collections::BTreeSet;
use std::path::Path;

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The names between `generate_handler![` and `]` in lib.rs.
fn registered() -> BTreeSet<String> {
    let lib = read("src/lib.rs");
    let start = lib.find("generate_handler![").unwrap() + "generate_handler![".len();
    let end = start + lib[start..].find(']').unwrap();
    lib[start..end]
        .split(',')
        .map(|s| s.trim().trim_start_matches("commands::").to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The `allow-<name>` permissions of the main window's capability, as command names.
fn granted() -> BTreeSet<String> {
    let capability: serde_json::Value =
        serde_json::from_str(&read("capabilities/main.json")).unwrap();
    capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let p = p.as_str().expect("plain permission names only");
            p.strip_prefix("allow-")
                .unwrap_or_else(|| panic!("{p} is not one of omlink's commands"))
                .replace('-', "_")
        })
        .collect()
}

/// The command names ui/src/api.ts invokes: the first argument of each `call…("name"`.
fn invoked() -> BTreeSet<String> {
    let api = read("../ui/src/api.ts");
    let mut names = BTreeSet::new();
    let mut rest = api.as_str();
    while let Some(at) = rest.find("call<") {
        rest = &rest[at..];
        let quote = rest.find("(\"").unwrap() + 2;
        let end = quote + rest[quote..].find('"').unwrap();
        names.insert(rest[quote..end].to_owned());
        rest = &rest[end..];
    }
    names
}

#[test]
fn the_command_list_agrees_with_the_handler_the_capability_and_api_ts() {
    let listed: BTreeSet<String> = omlink_desktop::COMMANDS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(listed.len(), omlink_desktop::COMMANDS.len(), "a name twice");
    assert_eq!(
        registered(),
        listed,
        "lib.rs generate_handler! vs command_names.rs"
    );
    assert_eq!(
        granted(),
        listed,
        "capabilities/main.json vs command_names.rs"
    );
    assert_eq!(invoked(), listed, "ui/src/api.ts vs command_names.rs");
}

#[test]
fn every_binding_api_ts_imports_is_generated() {
    let api = read("../ui/src/api.ts");
    let imports: Vec<&str> = api
        .lines()
        .filter_map(|l| l.split("from \"./bindings/").nth(1))
        .map(|rest| rest.trim_end_matches("\";"))
        .collect();
    assert!(imports.len() > 10, "{imports:?}");
    for name in imports {
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../ui/src/bindings/{name}.ts"))
                .exists(),
            "ui/src/bindings/{name}.ts"
        );
    }
}

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        },
    )
    .map(|body| body.deserialize::<serde_json::Value>().unwrap())
}

/// The app on the mock runtime with its store in a temporary folder, and its main window.
struct MockApp {
    dir: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

fn mock_app() -> MockApp {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join(omlink::STORE_FILE_NAME);
    let started = omlink_desktop::startup::Started::now();
    let mut app = omlink_desktop::app(mock_builder(), started, Some(store.clone()))
        .build(mock_context(noop_assets()))
        .unwrap();
    // The mock runtime's event loop never runs, so its set-up is run here.
    omlink_desktop::setup(&mut app, started, Some(store)).unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    MockApp {
        dir,
        _app: app,
        webview,
    }
}

#[test]
fn commands_answer_over_ipc_on_the_mock_runtime() {
    let MockApp { dir, _app, webview } = mock_app();
    let store = dir.path().join(omlink::STORE_FILE_NAME);

    let empty = invoke(&webview, "list_profiles", serde_json::json!({})).unwrap();
    assert_eq!(empty["profiles"], serde_json::json!([]));
    // A profile saved without a key needs no keychain; it is on disk, in the shared store.
    let draft = serde_json::json!({
        "name": "Lab", "url": "https://om.example.com:8443", "publicKey": "abcdefgh",
        "kind": "OpsManager", "caFile": null, "skipVerify": false, "timeoutSecs": 30,
    });
    let saved = invoke(
        &webview,
        "save_profile",
        serde_json::json!({"id": null, "draft": draft, "privateKey": null}),
    )
    .unwrap();
    assert_eq!(saved["name"], "Lab");
    assert!(std::fs::read_to_string(&store).unwrap().contains("\"Lab\""));
    let listed = invoke(&webview, "list_profiles", serde_json::json!({})).unwrap();
    assert_eq!(listed["profiles"][0]["id"], saved["id"]);
    assert_eq!(
        invoke(&webview, "list_history", serde_json::json!({"orgId": null})).unwrap(),
        serde_json::json!([])
    );
    // The core's typed error crosses as is: kind, message, hint.
    let refused = invoke(
        &webview,
        "delete_profile",
        serde_json::json!({"id": "no-such-profile"}),
    )
    .unwrap_err();
    assert_eq!(refused["kind"], "InvalidInput", "{refused}");
    assert!(refused["hint"].as_str().is_some_and(|h| !h.is_empty()));
    // A link source that is not one of the three is refused before anything runs.
    let bad = invoke(
        &webview,
        "create_migration_link",
        serde_json::json!({"request": {
            "requestId": "r1", "profileId": saved["id"], "orgId": "5f1e2d3c4b5a697887766554",
            "orgName": null, "token": "tok-123456789", "historyId": null
        }}),
    )
    .unwrap_err();
    assert!(bad.to_string().contains("source"), "{bad}");
}

#[test]
fn the_window_checks_fields_and_reads_link_files_by_the_core_rules() {
    let MockApp { webview, .. } = mock_app();
    let check = |field: &str, text: &str| {
        invoke(
            &webview,
            "check_field",
            serde_json::json!({"field": field, "text": text}),
        )
        .unwrap()
    };
    let org = check("orgId", " 5F1E2D3C4B5A697887766554 ");
    assert_eq!(org["state"], "valid", "{org}");
    assert_eq!(org["value"], "5f1e2d3c4b5a697887766554");
    let short = check("orgId", "5f1e");
    assert_eq!(short["state"], "invalid");
    assert!(short["message"].as_str().unwrap().contains("4 characters"));
    // A token is never echoed: only its mask comes back.
    let token = check("linkToken", "abcdEFGHijklMNOPqrst");
    assert_eq!(token["shown"], "abcd…qrst");
    assert!(!token.to_string().contains("EFGHijkl"), "{token}");
    let ips = check("accessList", "198.51.100.0/24, 203.0.113.7");
    assert_eq!(
        ips["values"],
        serde_json::json!(["198.51.100.0/24", "203.0.113.7"])
    );
    let host_bits = check("accessList", "198.51.100.1/24");
    assert!(
        host_bits["message"]
            .as_str()
            .unwrap()
            .contains("198.51.100.0/24")
    );
    assert_eq!(check("serverUrl", "om.example.com")["state"], "invalid");

    let read = |text: &str| {
        invoke(
            &webview,
            "read_link_file",
            serde_json::json!({"text": text, "source": "links.csv"}),
        )
        .unwrap()
    };
    let good =
        read("org,token,name\n# one per line\n5F1E2D3C4B5A697887766554,tok-abcdefgh-1234,First\n");
    assert_eq!(good["state"], "read", "{good}");
    assert_eq!(good["rows"][0]["org"], "5f1e2d3c4b5a697887766554");
    assert_eq!(good["rows"][0]["token"], "tok-abcdefgh-1234");
    assert_eq!(good["rows"][0]["tokenShown"], "tok-…1234");
    assert_eq!(good["rows"][0]["name"], "First");
    let minted = read("org,atlas_org\n5f1e2d3c4b5a697887766554,6a1e2d3c4b5a697887766554\n");
    assert_eq!(minted["rows"][0]["atlasOrg"], "6a1e2d3c4b5a697887766554");
    assert_eq!(minted["rows"][0]["token"], serde_json::Value::Null);
    let bad = read("org,token\nnot-an-id,SECRET-one\n5f1e2d3c4b5a697887766554,\n");
    assert_eq!(bad["state"], "refused", "{bad}");
    assert_eq!(bad["problems"].as_array().unwrap().len(), 2, "{bad}");
    assert!(bad["problems"][0].as_str().unwrap().starts_with("line 2: "));
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("links.csv")
    );
    assert!(!bad.to_string().contains("SECRET"), "{bad}");
    assert_eq!(read("nothing,here\n")["state"], "refused");
}

use super::*;
use crate::ErrorKind;
use crate::book::ProfileBook;

/// A valid profile draft named `name` (shared with the store's tests).
pub(crate) fn draft(name: &str) -> ProfileDraft {
    ProfileDraft {
        name: name.into(),
        url: "https://om.example.com:8443/".into(),
        public_key: "abcdefgh".into(),
        ..ProfileDraft::default()
    }
}

#[test]
fn creates_edits_duplicates_and_removes() {
    let mut book = ProfileBook::default();
    let p = book.validate(None, &draft(" Prod ")).unwrap();
    assert_eq!(p.name, "Prod");
    assert_eq!(p.url.as_str(), "https://om.example.com:8443");
    assert_eq!(p.timeout_secs, 30);
    assert!(!p.has_private_key);
    book.upsert(Profile {
        has_private_key: true,
        ..p.clone()
    });

    let edited = book
        .validate(
            Some(&p.id),
            &ProfileDraft {
                timeout_secs: 5,
                ..draft("prod")
            },
        )
        .unwrap();
    assert_eq!(
        (
            edited.id.clone(),
            edited.timeout_secs,
            edited.has_private_key
        ),
        (p.id.clone(), 5, true)
    );
    book.upsert(edited);
    assert_eq!(book.profiles.len(), 1);

    let copy = book.duplicate(&p.id).unwrap();
    assert_eq!(copy.name, "prod (copy)");
    assert_ne!(copy.id, p.id);
    assert!(!copy.has_private_key);
    book.upsert(copy);
    assert_eq!(book.duplicate(&p.id).unwrap().name, "prod (copy 2)");

    book.last_used = Some(p.id.clone());
    assert!(book.remove(&p.id).is_some());
    assert_eq!(book.last_used, None);
    assert!(book.remove(&p.id).is_none());
}

#[test]
fn rejects_bad_drafts() {
    let mut book = ProfileBook::default();
    book.upsert(book.validate(None, &draft("Prod")).unwrap());
    for bad in [
        draft(""),
        draft("PROD"),
        draft(&"x".repeat(101)),
        ProfileDraft {
            url: "om.example.com".into(),
            ..draft("a")
        },
        ProfileDraft {
            public_key: "has space".into(),
            ..draft("b")
        },
        ProfileDraft {
            timeout_secs: 99_999,
            ..draft("c")
        },
        ProfileDraft {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..draft("d")
        },
    ] {
        assert_eq!(
            book.validate(None, &bad).unwrap_err().kind,
            ErrorKind::InvalidInput,
            "{bad:?}"
        );
    }
    assert!(
        book.validate(Some(&ProfileId::generate()), &draft("e"))
            .is_err()
    );
}

#[test]
fn names_are_nfc_and_free_of_format_characters() {
    let mut book = ProfileBook::default();
    let p = book.validate(None, &draft("Caf\u{65}\u{301}")).unwrap();
    assert_eq!(p.name, "Caf\u{e9}");
    book.upsert(p);
    assert!(book.find_by_name("cafe\u{301}").is_some());
    let dup = book.validate(None, &draft("Caf\u{e9}")).unwrap_err();
    assert!(dup.message.contains("already exists"), "{}", dup.message);
    for bad in ["prod\u{202e}dorp", "a\u{200b}b", "x\u{2066}y", "\u{feff}z"] {
        let e = book.validate(None, &draft(bad)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad:?}");
    }
}

#[test]
fn cloud_manager_uses_its_preset_url() {
    let book = ProfileBook::default();
    let p = book
        .validate(
            None,
            &ProfileDraft {
                kind: ServerKind::CloudManager,
                url: String::new(),
                ..draft("Cloud")
            },
        )
        .unwrap();
    assert_eq!(p.url.as_str(), "https://cloud.mongodb.com");
}

/// Where the store file is on `os` with these environment variables.
fn found(os: &str, vars: &'static [(&'static str, &'static str)]) -> Option<PathBuf> {
    let env = move |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| std::ffi::OsString::from(v))
    };
    store_file_for(os, &env)
}

fn at(path: &str) -> Option<PathBuf> {
    Some(PathBuf::from(path))
}

#[test]
fn the_store_file_is_found_on_linux() {
    let home = &[("HOME", "/home/ann")];
    assert_eq!(
        found("linux", home),
        at("/home/ann/.local/share/dev.omlink.desktop/omlink.json")
    );
    let xdg = &[("HOME", "/home/ann"), ("XDG_DATA_HOME", "/data")];
    assert_eq!(
        found("linux", xdg),
        at("/data/dev.omlink.desktop/omlink.json")
    );
    // A relative XDG_DATA_HOME is ignored, as the XDG spec and Tauri do.
    let relative = &[("HOME", "/home/ann"), ("XDG_DATA_HOME", "rel")];
    assert!(
        found("freebsd", relative)
            .unwrap()
            .starts_with("/home/ann/.local/share")
    );
    assert_eq!(found("linux", &[]), None);
}

#[test]
fn the_store_file_is_found_on_macos() {
    let vars = &[("HOME", "/Users/ann"), ("XDG_DATA_HOME", "/ignored")];
    assert_eq!(
        found("macos", vars),
        at("/Users/ann/Library/Application Support/dev.omlink.desktop/omlink.json")
    );
}

#[cfg(windows)]
#[test]
fn the_store_file_is_found_on_windows() {
    let vars = &[
        ("APPDATA", r"C:\Users\ann\AppData\Roaming"),
        ("HOME", r"C:\Users\ann"),
    ];
    assert_eq!(
        found("windows", vars),
        at(r"C:\Users\ann\AppData\Roaming\dev.omlink.desktop\omlink.json")
    );
}

#[cfg(not(windows))]
#[test]
fn the_store_file_is_found_on_windows() {
    // Off Windows, a `C:\` path is not absolute; the layout is checked with a Unix one.
    let vars = &[("APPDATA", "/roaming"), ("HOME", "/home/ann")];
    assert_eq!(
        found("windows", vars),
        at("/roaming/dev.omlink.desktop/omlink.json")
    );
    assert_eq!(found("windows", &[("HOME", "/home/ann")]), None);
}

#[test]
fn the_store_file_round_trips_and_never_holds_a_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("omlink.json");
    assert_eq!(
        ProfileBook::load_from_store_file(&path).unwrap(),
        ProfileBook::default()
    );

    let mut book = ProfileBook::default();
    let p = book.validate(None, &draft("Prod")).unwrap();
    book.upsert(Profile {
        has_private_key: true,
        ..p
    });
    let text = serde_json::json!({ STORE_KEY_PROFILES: book, "history": [] }).to_string();
    let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut fields: Vec<&str> = saved[STORE_KEY_PROFILES]["profiles"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    let expected = [
        "hasPrivateKey",
        "id",
        "kind",
        "name",
        "publicKey",
        "sandbox",
        "timeoutSecs",
        "tls",
        "url",
    ];
    assert_eq!(fields, expected, "a profile on disk holds no key material");
    std::fs::write(&path, text).unwrap();
    assert_eq!(ProfileBook::load_from_store_file(&path).unwrap(), book);

    std::fs::write(&path, "{not json").unwrap();
    assert_eq!(
        ProfileBook::load_from_store_file(&path).unwrap_err().kind,
        ErrorKind::Storage
    );
}

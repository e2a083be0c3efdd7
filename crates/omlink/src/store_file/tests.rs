use super::*;

#[test]
fn missing_file_is_empty_and_valid_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("omlink.json");
    let loaded = load_store_file(&path).unwrap();
    assert!(loaded.data.profiles.profiles.is_empty() && loaded.set_aside.is_none());
    std::fs::write(
        &path,
        r#"{"profiles":{"profiles":[],"lastUsed":null},"history":[]}"#,
    )
    .unwrap();
    assert!(load_store_file(&path).unwrap().set_aside.is_none());
}

#[test]
fn corrupt_file_is_moved_aside_and_reported_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("omlink.json");
    for bad in [
        "{not json",
        r#"{"profiles":7}"#,
        r#"{"history":7}"#,
        "{\"histo",
    ] {
        std::fs::write(&path, bad).unwrap();
        let loaded = load_store_file(&path).unwrap();
        let report = loaded.set_aside.expect("reported");
        assert!(report.contains("could not be read"), "{report}");
        assert!(!path.exists());
        let moved: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| std::fs::read_to_string(p).unwrap() == bad)
            .collect();
        assert_eq!(moved.len(), 1, "the corrupt content survives in one file");
        assert!(moved[0].to_string_lossy().contains(".corrupt-"));
        assert_eq!(set_aside_files(&path), moved);
        std::fs::remove_file(&moved[0]).unwrap();
    }
}

#[test]
fn a_file_cut_short_gives_back_every_whole_profile_and_never_a_partial_one() {
    let mut data = crate::StoreData::default();
    for name in ["Prod", "Staging"] {
        let mut p = data
            .profiles
            .validate(
                None,
                &crate::ProfileDraft {
                    name: name.into(),
                    url: "https://om.example.com".into(),
                    public_key: "abcdefgh".into(),
                    ..crate::ProfileDraft::default()
                },
            )
            .unwrap();
        p.has_private_key = true;
        data.profiles.upsert(p);
    }
    let text = String::from_utf8(serialize(&data, &serde_json::Map::new()).unwrap()).unwrap();
    assert!(
        text.find("\"profiles\"") < text.find("\"history\""),
        "{text}"
    );
    let whole = text.find("Staging").unwrap();
    for cut in [text.len() - 1, text.len() - 20, whole + 10] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("omlink.json");
        std::fs::write(&path, &text[..cut]).unwrap();
        let loaded = load_store_file(&path).unwrap();
        assert!(loaded.set_aside.unwrap().contains("recovered"));
        let names: Vec<_> = loaded
            .data
            .profiles
            .profiles
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        if cut > whole + 200 {
            assert_eq!(names, ["Prod", "Staging"]);
        } else {
            assert_eq!(names, ["Prod"], "the profile cut in the middle is dropped");
        }
        assert!(
            loaded
                .data
                .profiles
                .profiles
                .iter()
                .all(|p| p.has_private_key)
        );
        assert_eq!(
            set_aside_files(&path).len(),
            1,
            "the cut file is kept aside"
        );
    }
    assert!(salvage("{\"profiles\": {\"profiles\": [{\"id\": \"x").is_none());
}

#[test]
fn what_a_newer_omlink_wrote_is_kept_not_set_aside() {
    let text = r#"{
      "profiles": {"profiles": [
          {"id": "0a1b2c3d4e5f6071", "name": "Old", "url": "https://om.example.com",
           "publicKey": "abcdefgh", "colour": "teal"},
          {"id": "1a1b2c3d4e5f6071", "name": "New", "url": {"v2": true}}
        ], "atlas": [{"id": "2a1b2c3d4e5f6071", "auth": "Passkey"}], "pinned": ["x"]},
      "history": [{"id": "h1", "tokenFingerprint": "abcdef012345", "outcome": {"result": "migrated"}}],
      "migrations": [{"id": "m1", "status": {"phase": 3}}],
      "plans": []
    }"#;
    let contents = parse(text).expect("loads");
    assert_eq!(contents.data.profiles.profiles.len(), 1);
    assert_eq!(contents.data.profiles.profiles[0].extra["colour"], "teal");
    assert_eq!(contents.data.profiles.extra["pinned"][0], "x");
    assert_eq!(
        (
            contents.data.kept.profiles.len(),
            contents.data.kept.atlas.len(),
            contents.data.kept.history.len()
        ),
        (1, 1, 1)
    );
    let accounts = contents.data.kept.accounts();
    for account in [
        "profile:1a1b2c3d4e5f6071:private-key",
        "atlas:2a1b2c3d4e5f6071:secret",
        "link-token:abcdef012345",
    ] {
        assert!(
            accounts.iter().any(|a| a == account),
            "{account}: {accounts:?}"
        );
    }
    assert!(
        contents
            .data
            .kept
            .notice()
            .unwrap()
            .contains("1 profile, 1 Atlas connection")
    );
    // Written back, everything is still there.
    let again = serialize(&contents.data, &contents.other).unwrap();
    let again: serde_json::Value = serde_json::from_slice(&again).unwrap();
    let before: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(again["profiles"]["profiles"][0]["colour"], "teal");
    assert_eq!(
        again["profiles"]["profiles"][1],
        before["profiles"]["profiles"][1]
    );
    assert_eq!(
        again["profiles"]["atlas"][0],
        before["profiles"]["atlas"][0]
    );
    assert_eq!(again["profiles"]["pinned"], before["profiles"]["pinned"]);
    assert_eq!(again["history"][0], before["history"][0]);
    assert_eq!(again["migrations"], before["migrations"]);
    assert_eq!(contents.data.kept.migrations.len(), 1);
    assert_eq!(again["plans"], before["plans"]);
}

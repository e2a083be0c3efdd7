//! A damaged store never costs a keychain entry: the start-up upkeep removes nothing because
//! a set-aside, empty or newer store does not name it; restoring the set-aside file brings
//! every profile back with its key; removal on purpose is refused while that file is there.

use std::sync::{Arc, Mutex};

use omlink::secret_store::{SecretStore, private_key_account};
use omlink::{ErrorKind, ProfileDraft};

use crate::{Bench, bench, profile_draft};

fn draft(name: &str) -> ProfileDraft {
    profile_draft(name, "https://om.example.com:8443", "abcdefgh")
}

/// Two profiles saved with their keys, as `omlink profile add` twice would leave them.
fn two_profiles(b: &Bench) -> Vec<String> {
    let mut accounts: Vec<String> = ["Prod", "Staging"]
        .iter()
        .map(|name| {
            let p = b
                .workbench
                .save_profile(None, &draft(name), Some(&format!("{name}-private-key")))
                .unwrap();
            private_key_account(&p.id)
        })
        .collect();
    accounts.sort();
    accounts
}

fn set_aside_file(b: &Bench) -> std::path::PathBuf {
    let files = b.store.set_aside_files();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn a_truncated_store_costs_no_keychain_entry_and_moving_it_back_restores_every_key() {
    let b = bench();
    let accounts = two_profiles(&b);
    let text = std::fs::read_to_string(b.store.path()).unwrap();
    std::fs::write(b.store.path(), &text[..text.len() / 2]).unwrap();

    // The window starts: the store is set aside and said; the upkeep removes nothing, however
    // many times omlink starts while the set-aside file is there.
    let started = b.restart();
    let notices = started.store_notices();
    assert!(notices[0].contains("moved to"), "{notices:?}");
    assert!(notices[0].contains("none is removed while that file is there"));
    for _ in 0..3 {
        let upkeep = b.restart().sweep_keychain().unwrap();
        assert_eq!(upkeep.removed, 0);
        assert_eq!(upkeep.unused, accounts);
        assert!(!upkeep.prunable);
        assert_eq!(
            upkeep.notice.as_deref(),
            Some(
                "2 omlink keychain entries are not used by any saved profile, Atlas connection \
                 or history entry. Nothing was removed, because a set-aside store file is still \
                 beside the store, and its profiles may own them. Move the set-aside file back \
                 (with omlink closed) to bring its profiles back with their keys."
            )
        );
    }
    let upkeep = started.sweep_keychain().unwrap();
    assert!(upkeep.notice.unwrap().contains("set aside at start-up"));
    // Even a new profile saved meanwhile (the store is healthy again) does not make them go.
    started
        .save_profile(None, &draft("New"), Some("new-key"))
        .unwrap();
    for _ in 0..2 {
        assert_eq!(b.restart().sweep_keychain().unwrap().removed, 0);
    }
    // Removing them on purpose is refused while the set-aside file may own them.
    let refused = b.restart().prune_keychain(true).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(
        refused
            .message
            .starts_with("A set-aside store file is beside the store (")
            && refused.message.ends_with(
                "): its profiles may own the unused keychain entries, so none is removed"
            ),
        "{}",
        refused.message
    );
    assert_eq!(
        refused.hint,
        "Move it back over the store file (with omlink closed) to restore its profiles, or \
         delete it if you do not need them, then prune again."
    );
    for account in &accounts {
        assert!(
            b.secrets.get(account).unwrap().is_some(),
            "{account} is kept"
        );
    }

    // The person moves the set-aside file back: both profiles return with their keys.
    std::fs::rename(set_aside_file(&b), b.store.path()).unwrap();
    std::fs::write(b.store.path(), &text).unwrap();
    let restored = b.restart();
    let book = restored.profiles();
    assert_eq!(book.profiles.len(), 2);
    assert!(book.profiles.iter().all(|p| p.has_private_key));
    for p in &book.profiles {
        let key = b.secrets.get(&private_key_account(&p.id)).unwrap().unwrap();
        assert_eq!(key.as_str(), format!("{}-private-key", p.name));
    }
}

#[test]
fn an_empty_store_removes_nothing_and_a_newer_omlinks_profiles_keep_their_keys() {
    let b = bench();
    b.secrets
        .set("profile:0a0a0a0a0a0a0a0a:private-key", "k")
        .unwrap();
    // No store at all (a new machine, a deleted file): reported, never removed.
    for _ in 0..2 {
        let upkeep = b.restart().sweep_keychain().unwrap();
        assert_eq!((upkeep.removed, upkeep.unused.len()), (0, 1));
        assert!(upkeep.notice.unwrap().contains("no profile is saved"));
    }

    // A newer omlink wrote a profile this version cannot read, and another with a field it
    // does not know: neither is a reason to set the file aside, and both keys stay.
    std::fs::write(
        b.store.path(),
        r#"{"profiles":{"profiles":[
            {"id":"0a0a0a0a0a0a0a0a","name":"Future","url":{"scheme":"om+srv"},"publicKey":"abcdefgh"},
            {"id":"0b0b0b0b0b0b0b0b","name":"Today","url":"https://om.example.com","publicKey":"abcdefgh","hasPrivateKey":true,"colour":"teal"}
        ]},"history":[]}"#,
    )
    .unwrap();
    b.secrets
        .set("profile:0b0b0b0b0b0b0b0b:private-key", "k2")
        .unwrap();
    let started = b.restart();
    assert!(b.store.set_aside_files().is_empty());
    assert!(started.store_notices()[0].contains("cannot read 1 profile"));
    assert_eq!(started.profiles().profiles.len(), 1);
    for _ in 0..2 {
        let upkeep = b.restart().sweep_keychain().unwrap();
        assert_eq!(upkeep, omlink::KeychainUpkeep::default());
    }
    // A save by this version keeps what it could not read, and the unknown field.
    started.save_profile(None, &draft("Mine"), None).unwrap();
    let text = std::fs::read_to_string(b.store.path()).unwrap();
    assert!(text.contains("om+srv") && text.contains("teal"), "{text}");
    assert_eq!(b.secrets.accounts().len(), 2);
}

#[test]
fn unused_entries_go_on_purpose_and_a_healthy_store_drops_them_only_at_a_second_start() {
    let b = bench();
    two_profiles(&b);
    b.secrets
        .set("profile:dead0000dead0000:private-key", "x")
        .unwrap();
    b.secrets.set("link-token:0123456789ab", "y").unwrap();
    // A look changes nothing.
    let look = b.restart().prune_keychain(false).unwrap();
    assert_eq!(look.unused.len(), 2);
    assert_eq!(b.secrets.accounts().len(), 4);
    let pruned = b.restart().prune_keychain(true).unwrap();
    assert_eq!(pruned.removed, 2);
    assert_eq!(b.secrets.accounts().len(), 2, "the profiles' keys stay");

    b.secrets
        .set("profile:dead0000dead0000:private-key", "x")
        .unwrap();
    let first = b.restart().sweep_keychain().unwrap();
    assert_eq!((first.removed, first.unused.len()), (0, 1));
    assert!(
        b.secrets
            .get("profile:dead0000dead0000:private-key")
            .unwrap()
            .is_some()
    );
    let second = b.restart().sweep_keychain().unwrap();
    assert_eq!(second.removed, 1);
    assert_eq!(b.secrets.accounts().len(), 2);
}

#[test]
fn a_store_set_aside_after_start_up_is_said_at_once() {
    let b = bench();
    two_profiles(&b);
    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&heard);
    b.workbench.on_store_notice(Arc::new(move |text: &str| {
        sink.lock().unwrap().push(text.to_owned())
    }));
    // Another writer (an older omlink, a hand edit) leaves a file this one cannot read.
    std::fs::write(b.store.path(), "{\"profiles\": [").unwrap();
    b.workbench.reload().unwrap();
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert!(heard[0].contains("could not be read"));
    assert_eq!(b.workbench.store_notices(), heard);
    // And the upkeep that follows removes nothing.
    let upkeep = b.workbench.sweep_keychain().unwrap();
    assert_eq!(upkeep.removed, 0);
    assert_eq!(b.secrets.accounts().len(), 2);
}

use super::*;

#[test]
fn a_deferred_store_opens_once_on_first_use_and_keeps_a_failure() {
    let opened = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let memory = MemorySecretStore::default();
    let count = Arc::clone(&opened);
    let deferred = Deferred::new(move || {
        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(Arc::new(memory.clone()) as Arc<dyn SecretStore>)
    });
    assert_eq!(opened.load(std::sync::atomic::Ordering::SeqCst), 0);
    deferred.set("a", "secret").unwrap();
    assert_eq!(deferred.get("a").unwrap().unwrap().as_str(), "secret");
    assert_eq!(opened.load(std::sync::atomic::Ordering::SeqCst), 1);

    let tries = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = Arc::clone(&tries);
    let broken = Deferred::new(move || {
        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(Error::invalid_input("no Secret Service", "start one"))
    });
    for _ in 0..2 {
        let e = broken.get("a").unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::Keychain, "no Secret Service")
        );
    }
    assert_eq!(tries.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// A keychain that never answers (a locked collection whose prompt never comes).
#[derive(Debug)]
struct Hung;

impl SecretStore for Hung {
    fn get(&self, _: &str) -> Result<Option<Secret>, Error> {
        std::thread::park();
        Ok(None)
    }
    fn set(&self, _: &str, _: &str) -> Result<(), Error> {
        std::thread::park();
        Ok(())
    }
    fn delete(&self, _: &str) -> Result<(), Error> {
        std::thread::park();
        Ok(())
    }
}

#[test]
fn a_keychain_that_never_answers_is_a_keychain_error_not_a_hang() {
    let store = Deadline::new(Arc::new(Hung), std::time::Duration::from_millis(50));
    for err in [
        store.get("a").unwrap_err(),
        store.set("a", "secret").unwrap_err(),
        store.delete("a").unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::Keychain);
        assert!(err.message.contains("did not answer"), "{}", err.message);
        assert!(err.hint.contains("Unlock your keyring"));
    }
    // A keychain that answers is unchanged behind the deadline.
    let memory = MemorySecretStore::default();
    let store = Deadline::new(Arc::new(memory.clone()), std::time::Duration::from_secs(5));
    store.set("a", "one").unwrap();
    assert_eq!(store.get("a").unwrap().unwrap().as_str(), "one");
    assert_eq!(store.accounts().unwrap(), Some(vec!["a".to_owned()]));
}

#[test]
fn a_secret_is_redacted_in_debug() {
    let secret = Secret::new("hunter2-very-secret".to_owned());
    assert_eq!(format!("{secret:?}"), "<redacted>");
    assert_eq!(format!("{:?}", Some(secret.clone())), "Some(<redacted>)");
    assert_eq!(secret.as_str(), "hunter2-very-secret");
}

#[test]
fn memory_store_follows_the_contract() {
    let store = MemorySecretStore::default();
    assert!(store.get("a").unwrap().is_none());
    store.set("a", "one").unwrap();
    store.set("a", "two").unwrap();
    assert_eq!(store.get("a").unwrap().as_deref(), Some("two"));
    assert_eq!(
        format!("{store:?}"),
        r#"MemorySecretStore { accounts: ["a"] }"#
    );
    store.delete("a").unwrap();
    store.delete("a").unwrap();
    assert!(store.accounts().is_empty());
}

#[test]
fn account_names_are_stable() {
    let id = ProfileId::new("0a1b2c3d4e5f6071").unwrap();
    assert_eq!(
        private_key_account(&id),
        "profile:0a1b2c3d4e5f6071:private-key"
    );
    assert_eq!(
        link_token_account("0a1b2c3d4e5f"),
        "link-token:0a1b2c3d4e5f"
    );
    assert_eq!(legacy_link_token_account("h1"), "history:h1:link-token");
}

#[test]
fn keychain_errors_are_explained() {
    let e = keychain_error(keyring_core::Error::NoDefaultStore);
    assert_eq!(e.kind, ErrorKind::Keychain);
    assert!(e.hint.contains("plain text"));
}

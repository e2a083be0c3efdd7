//! The digest challenge: no `WWW-Authenticate` value makes the parser panic, and a challenge it
//! accepts is answered with a header that has no control character, counts up and never
//! carries the password.

#![no_main]

use libfuzzer_sys::fuzz_target;
use omlink::digest::{Challenge, NonceState};

const PASSWORD: &str = "fuzz-Private-Key!";

fuzz_target!(|value: &str| {
    if let Ok(c) = Challenge::parse(value) {
        let bad = |s: &str| s.chars().any(|c| c.is_control() || c == '"' || c == '\\');
        assert!(!c.nonce.is_empty() && !bad(&c.nonce) && !bad(&c.realm));
        assert!(!c.opaque.as_deref().is_some_and(bad));
        let qop_auth = c.qop_auth;
        let mut state = NonceState::new(c);
        let first = state.authorize("POST", "/api/public/v1.0/orgs", "pubkey", PASSWORD);
        let second = state.authorize("POST", "/api/public/v1.0/orgs", "pubkey", PASSWORD);
        assert_eq!(state.count(), 2);
        for header in [&first, &second] {
            assert!(!header.chars().any(char::is_control), "{:?}", **header);
            // The realm, nonce and opaque are echoed: the password shows only if the server
            // sent it.
            if !value.contains(PASSWORD) {
                assert!(!header.contains(PASSWORD), "{:?}", **header);
            }
        }
        if qop_auth {
            assert!(first.contains("nc=00000001") && second.contains("nc=00000002"));
        }
    }
    let _ = Challenge::parse_any(value.split('\n'));
});

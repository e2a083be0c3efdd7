//! The validators: no input makes one panic, an organization id is exactly 24 hex digits
//! (lower-cased), a refused secret is never echoed, and `mask_userinfo` hides the credentials
//! of a URL whatever text surrounds it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use omlink::{
    BaseUrl, LinkToken, OrgId, PrivateKey, ProfileBook, ProfileDraft, PublicKey, ServerKind,
};

fuzz_target!(|input: (&str, &str, u8)| {
    let (value, context, flags) = input;
    let trimmed = value.trim();

    let is_org = trimmed.len() == 24 && trimmed.bytes().all(|b| b.is_ascii_hexdigit());
    match OrgId::new(value) {
        Ok(org) => {
            assert!(is_org, "{value:?} accepted");
            assert_eq!(org.as_str(), trimmed.to_ascii_lowercase());
        }
        Err(_) => assert!(!is_org, "{value:?} refused"),
    }

    if let Ok(key) = PublicKey::new(value) {
        let k = key.as_str();
        assert!(!k.is_empty() && k.len() <= PublicKey::MAX_LEN);
        assert!(
            !k.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '\\')
        );
    }

    if let Ok(url) = BaseUrl::new(value) {
        assert!(url.as_str().starts_with("http://") || url.as_str().starts_with("https://"));
        assert!(!url.host().is_empty());
        assert!(
            BaseUrl::new(url.as_str()).is_ok(),
            "{:?} refused again",
            url.as_str()
        );
    }

    for result in [
        LinkToken::new(value).map(|t| t.expose().to_owned()),
        PrivateKey::new(value).map(|k| k.expose().to_owned()),
    ] {
        match result {
            Ok(secret) => assert_eq!(secret, trimmed),
            // Refused for a control character or its length: never a word of the message.
            Err(e) if !trimmed.is_empty() => {
                assert!(!e.message.contains(trimmed) && !e.hint.contains(trimmed));
            }
            Err(_) => {}
        }
    }

    let draft = ProfileDraft {
        name: context.to_owned(),
        kind: if flags & 1 == 0 {
            ServerKind::OpsManager
        } else {
            ServerKind::CloudManager
        },
        url: value.to_owned(),
        public_key: context.chars().rev().collect(),
        ca_file: None,
        skip_verify: flags & 2 != 0,
        timeout_secs: u64::from(flags >> 2) * 60,
        atlas: None,
    };
    if let Ok(profile) = ProfileBook::default().validate(None, &draft) {
        assert!(!profile.name.is_empty() && !profile.name.chars().any(char::is_control));
        assert!((1..=3600).contains(&profile.timeout_secs));
    }

    // A URL with credentials inside arbitrary text.
    let user: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    let user = if user.is_empty() {
        "u".to_owned()
    } else {
        user
    };
    let credentials = format!("{user}:Pw0{user}@");
    if !context.contains(&credentials) {
        let text = format!("{context}https://{credentials}om.example.com/{context}");
        let masked = omlink::mask_userinfo(&text);
        assert!(!masked.contains(&credentials), "{text:?} -> {masked:?}");
    }
});

//! Property tests (proptest) of everything omlink parses from a server, a person or a file: the
//! error-body parser, the digest challenge, the validators, the text sanitizer and the store
//! file. Each property runs a few hundred generated cases (the whole file takes a few seconds
//! in a debug build); the cargo-fuzz targets in `crates/omlink/fuzz` check the same things for
//! longer (`make fuzz`).

use omlink::digest::{Algorithm, Challenge, NonceState};
use omlink::fuzzing;
use omlink::{
    BaseUrl, ErrorKind, LinkToken, OrgId, PrivateKey, ProfileBook, ProfileDraft, PublicKey,
    ServerKind,
};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

const ESC: char = '\u{1b}';

/// Cases per property; no regression files are written (a failure prints its minimal input).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Generators

/// A character a hostile server or a careless paste may produce: mostly printable ASCII, with
/// C0 and C1 controls, DEL, bidirectional and other invisible format characters, and any char.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        8 => proptest::char::range(' ', '~'),
        2 => proptest::char::range('\0', '\u{1f}'),
        1 => Just('\u{7f}'),
        1 => proptest::char::range('\u{80}', '\u{9f}'),
        1 => select(vec![
            '\u{202e}', '\u{202a}', '\u{200b}', '\u{200f}', '\u{2066}', '\u{feff}', '\u{00ad}',
            '\u{061c}', '\u{e0041}', '\u{2028}', 'é', '€', '𝄞',
        ]),
        1 => any::<char>(),
    ]
}

/// Text made of hostile characters and (partial) terminal escape sequences, `len` pieces long.
fn hostile(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => hostile_char().prop_map(String::from),
        1 => select(vec![
            "\u{1b}[31m", "\u{1b}[2J", "\u{1b}]0;pwned\u{7}", "\u{1b}]8;;http://x\u{1b}\\",
            "\u{1b}P", "\u{1b}", "\u{1b}[", "\u{1b}]", "\u{1b}\u{1b}", "\u{1b}\\", "\u{1b}[?25l",
            "\u{9b}31m", "\r\n", "\t",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, len).prop_map(|pieces| pieces.concat())
}

/// Short hostile text, or text long enough to be clipped.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![4 => hostile(0..40), 1 => hostile(900..1300)]
}

/// Any JSON value, with hostile strings and object keys, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        hostile(0..30).prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((hostile(0..12), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An Ops Manager error body with every field optional and hostile.
fn error_json() -> impl Strategy<Value = Vec<u8>> {
    let code = prop_oneof![
        select(vec![
            "IP_ADDRESS_NOT_ON_ACCESS_LIST",
            "CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT",
            "INVALID_JSON",
            "USER_UNAUTHORIZED",
            "ORG_NOT_FOUND",
        ])
        .prop_map(Value::from),
        hostile_text().prop_map(Value::from),
        json_value(),
    ];
    let parameters = prop_oneof![
        Just(Value::Null),
        prop::collection::vec(json_value(), 0..5).prop_map(Value::Array),
        prop::collection::vec(hostile(0..20).prop_map(Value::from), 40..60).prop_map(Value::Array),
        json_value(),
    ];
    (
        proptest::option::of(hostile_text()),
        proptest::option::of(code),
        proptest::option::of(parameters),
        proptest::option::of(hostile_text()),
        any::<u16>(),
    )
        .prop_map(|(detail, code, parameters, reason, error)| {
            let mut body = serde_json::Map::new();
            body.insert("error".into(), error.into());
            if let Some(d) = detail {
                body.insert("detail".into(), d.into());
            }
            if let Some(c) = code {
                body.insert("errorCode".into(), c);
            }
            if let Some(p) = parameters {
                body.insert("parameters".into(), p);
            }
            if let Some(r) = reason {
                body.insert("reason".into(), r.into());
            }
            serde_json::to_vec(&body).expect("a JSON value serializes")
        })
}

/// What a server may send as an error body: Ops Manager's JSON, an HTML page, text, bytes.
fn error_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => error_json(),
        1 => prop::collection::vec(any::<u8>(), 0..600),
        1 => (hostile_text(), hostile_text()).prop_map(|(title, body)| {
            format!("<html><head><TITLE>{title}</title></head><body><p>{body}</p></body></html>")
                .into_bytes()
        }),
        1 => hostile_text().prop_map(String::into_bytes),
    ]
}

// ---------------------------------------------------------------------------------------------
// Error bodies

proptest! {
    #![proptest_config(config())]

    /// Any status and any body give an error with printable texts and a bounded detail.
    #[test]
    fn error_body_is_sanitized_and_bounded(
        status in 100u16..600,
        retry_after in proptest::option::of(prop_oneof!["[0-9]{1,25}", hostile(0..12)]),
        body in error_body(),
        op in any::<u8>(),
    ) {
        let err = fuzzing::error_body_for(op, status, retry_after.as_deref(), &body);
        prop_assert_eq!(err.http_status, Some(status));
        for text in fuzzing::error_texts(&err) {
            prop_assert!(
                fuzzing::unsafe_char(text).is_none(),
                "unsafe {:?} in {:?}", fuzzing::unsafe_char(text), text
            );
        }
        for text in err.detail.iter().chain(err.error_code.iter()) {
            prop_assert!(text.chars().count() <= 1001, "{} chars", text.chars().count());
        }
        prop_assert!(err.parameters.len() <= 50);
        prop_assert!(!err.message.contains('\n') && !err.hint.is_empty());
        // A 401 with an errorCode is a missing role; without one, a wrong key.
        let expected_kind = match (status, err.error_code.is_some()) {
            (401, true) | (403, _) => ErrorKind::PermissionDenied,
            (401, false) => ErrorKind::AuthenticationFailed,
            (404, _) => ErrorKind::NotFound,
            (429, _) => ErrorKind::RateLimited,
            (400..=499, _) => ErrorKind::Rejected,
            _ => ErrorKind::ServerError,
        };
        prop_assert_eq!(err.kind, expected_kind);
        let retry = retry_after.as_deref().and_then(|r| r.trim().parse::<u64>().ok());
        prop_assert_eq!(err.retry_after_secs, retry);
    }
}

// ---------------------------------------------------------------------------------------------
// Digest challenges

/// `key=value` soup after a scheme name: the shapes a broken or hostile server might send.
/// Half start from a usable `realm` and `nonce`, so the extra parameters decide.
fn challenge_soup() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        6 => select(vec![
            "realm", "nonce", "opaque", "algorithm", "qop", "stale", "domain", "Realm", "NONCE",
            "charset", "userhash",
        ])
        .prop_map(str::to_owned),
        1 => Just(String::new()),
        1 => "[a-zA-Z=\" ]{0,6}",
    ];
    let value = prop_oneof![
        3 => "\"[A-Za-z0-9 +/=]{0,12}\"",
        2 => select(vec![
            "MD5", "sha-256", "MD5-sess", "SHA-512", "auth", "\"auth,auth-int\"", "auth-int",
            "true", "FALSE",
        ])
        .prop_map(str::to_owned),
        1 => "[A-Za-z0-9=/+,-]{0,12}",
        1 => hostile(0..20).prop_map(|s| format!("\"{s}\"")),
        1 => hostile(0..20).prop_map(|s| format!("\"{s}")),
        1 => hostile(0..10),
    ];
    let sep = select(vec![", ", ", ", ",", " ", "", ",,", "\t"]);
    #[rustfmt::skip]
    let head = select(vec![
        "Digest ", "Digest ", "Digest ", "digest ", "Digest", "", "Basic realm=\"x\", Digest ",
        "Bearer, Digest ", "Digest=", "Newauth realm=\"a\\\"b\", Digest ",
    ]);
    let usable = select(vec![
        "",
        "realm=\"r\", nonce=\"n\", ",
        "nonce=abc,realm=\"\",",
    ]);
    (head, usable, prop::collection::vec((key, value, sep), 0..6)).prop_map(
        |(head, usable, params)| {
            let mut s = format!("{head}{usable}");
            for (k, v, sep) in params {
                s.push_str(&k);
                s.push('=');
                s.push_str(&v);
                s.push_str(sep);
            }
            s
        },
    )
}

/// A well-formed challenge: its parts, and the header value carrying them in any order.
#[derive(Debug, Clone)]
struct WellFormed {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: (&'static str, Algorithm),
    stale: bool,
    header: String,
}

fn well_formed_challenge() -> impl Strategy<Value = WellFormed> {
    (
        "[A-Za-z0-9 @._-]{0,30}",
        "[A-Za-z0-9+/=_-]{1,64}",
        proptest::option::of("[A-Za-z0-9+/=]{1,40}"),
        select(vec![
            ("MD5", Algorithm::Md5),
            ("md5", Algorithm::Md5),
            ("SHA-256", Algorithm::Sha256),
            ("MD5-sess", Algorithm::Md5Sess),
            ("SHA-256-sess", Algorithm::Sha256Sess),
        ]),
        any::<bool>(),
        select(vec![
            "\"auth\"",
            "auth",
            "\"auth,auth-int\"",
            "\"auth-int, auth\"",
        ]),
        any::<bool>(),
        Just(()),
    )
        .prop_flat_map(
            |(realm, nonce, opaque, algorithm, stale, qop, other_scheme_first, ())| {
                let mut params = vec![
                    format!("realm=\"{realm}\""),
                    format!("nonce=\"{nonce}\""),
                    format!("algorithm={}", algorithm.0),
                    format!("qop={qop}"),
                    format!("stale={}", if stale { "TRUE" } else { "false" }),
                    "domain=\"\"".to_owned(),
                ];
                if let Some(o) = &opaque {
                    params.push(format!("opaque=\"{o}\""));
                }
                Just(params).prop_shuffle().prop_map(move |params| {
                    let prefix = if other_scheme_first {
                        "Basic realm=\"other\", "
                    } else {
                        ""
                    };
                    WellFormed {
                        realm: realm.clone(),
                        nonce: nonce.clone(),
                        opaque: opaque.clone(),
                        algorithm,
                        stale,
                        header: format!("{prefix}Digest {}", params.join(", ")),
                    }
                })
            },
        )
}

proptest! {
    #![proptest_config(config())]

    /// No header value makes the parser panic; what it accepts can be answered safely.
    #[test]
    fn challenge_parse_never_panics(
        value in prop_oneof![
            any::<String>(),
            hostile(0..60).prop_map(|s| format!("Digest {s}")),
            challenge_soup(),
        ],
    ) {
        if let Ok(c) = Challenge::parse(&value) {
            let bad = |s: &str| s.chars().any(|c| c.is_control() || c == '"' || c == '\\');
            prop_assert!(!c.nonce.is_empty() && !bad(&c.nonce) && !bad(&c.realm));
            prop_assert!(!c.opaque.as_deref().is_some_and(bad));
            let header = NonceState::new(c).authorize("GET", "/api/public/v1.0/orgs", "user", "pw");
            prop_assert!(!header.chars().any(char::is_control), "{:?}", *header);
        }
        let _ = Challenge::parse_any(value.split('\n'));
    }

    /// A well-formed challenge parses to its parts, and its answers count up and never carry
    /// the password.
    #[test]
    fn challenge_round_trips_and_answers(
        c in well_formed_challenge(),
        password in "[A-Za-z0-9]{4,24}",
    ) {
        let parsed = Challenge::parse(&c.header).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&parsed.realm, &c.realm);
        prop_assert_eq!(&parsed.nonce, &c.nonce);
        prop_assert_eq!(&parsed.opaque, &c.opaque);
        prop_assert_eq!(parsed.algorithm, c.algorithm.1);
        prop_assert!(parsed.qop_auth);
        prop_assert_eq!(parsed.stale, c.stale);

        // "!" is in no generated realm, nonce or opaque, nor in hex: the password cannot show up
        // by coincidence.
        let password = format!("pw!{password}");
        let mut state = NonceState::new(parsed);
        let first = state.authorize("POST", "/api/public/v1.0/orgs/x/liveExport/migrationLink", "pubkey", &password);
        let second = state.authorize("POST", "/api/public/v1.0/orgs/x/liveExport/migrationLink", "pubkey", &password);
        prop_assert!(first.contains("nc=00000001") && second.contains("nc=00000002"), "{:?}", *first);
        prop_assert_eq!(state.count(), 2);
        for header in [&first, &second] {
            prop_assert!(!header.contains(&password), "{:?}", **header);
            prop_assert!(!header.contains('!'));
            prop_assert!(header.starts_with("Digest username=\"pubkey\""));
            let nonce_param = format!("nonce=\"{}\"", c.nonce);
            prop_assert!(header.contains(&nonce_param));
            if let Some(o) = &c.opaque {
                let opaque_param = format!("opaque=\"{o}\"");
                prop_assert!(header.contains(&opaque_param));
            }
        }
        prop_assert!(first.as_str() != second.as_str());
    }
}

// ---------------------------------------------------------------------------------------------
// Validators

fn whitespace() -> impl Strategy<Value = String> {
    "[ \t\n\r]{0,3}"
}

/// URL-shaped text: what people paste into the server URL field, right or wrong.
fn url_like() -> impl Strategy<Value = String> {
    let scheme = select(vec![
        "https://", "http://", "HTTPS://", "ftp://", "", "https:/",
    ]);
    let userinfo = select(vec!["", "", "", "user:pw@", "@"]);
    let host = prop_oneof![
        "[a-z0-9-]{1,10}(\\.[a-z0-9-]{1,10}){0,2}",
        select(vec![
            "[::1]",
            "127.0.0.1",
            "10.0.0.5",
            "xn--bcher-kva.example",
            "[::1"
        ])
        .prop_map(str::to_owned),
    ];
    let port = select(vec!["", "", ":8443", ":8080", ":0", ":99999", ":"]);
    #[rustfmt::skip]
    let segment = select(vec![
        "api", "public", "v1.0", "API", "opsmanager", "%20", "", "..", "a b", "é",
    ]);
    let path = prop::collection::vec(segment, 0..6).prop_map(|s| {
        if s.is_empty() {
            String::new()
        } else {
            format!("/{}", s.join("/"))
        }
    });
    let tail = select(vec![
        "",
        "",
        "/",
        "?x=1",
        "#f",
        "/api/public/v1.0",
        "/api/public/v1.0/",
    ]);
    (scheme, userinfo, host, port, path, tail)
        .prop_map(|(s, u, h, p, path, t)| format!("{s}{u}{h}{p}{path}{t}"))
}

proptest! {
    #![proptest_config(config())]

    /// No input makes a validator panic; the organization id is exactly 24 hex digits.
    #[test]
    fn validators_never_panic(
        value in prop_oneof![any::<String>(), hostile(0..40), "[0-9a-fA-F \t]{20,28}", url_like()],
    ) {
        let trimmed = value.trim();
        let org = OrgId::new(&value);
        let is_org = trimmed.len() == 24 && trimmed.bytes().all(|b| b.is_ascii_hexdigit());
        prop_assert_eq!(org.is_ok(), is_org);
        if let Ok(org) = org {
            prop_assert_eq!(org.as_str(), trimmed.to_ascii_lowercase());
        }
        if let Ok(key) = PublicKey::new(&value) {
            let k = key.as_str();
            prop_assert!(!k.is_empty() && k.len() <= PublicKey::MAX_LEN);
            prop_assert!(!k.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '\\'));
        }
        if let Ok(url) = BaseUrl::new(&value) {
            prop_assert!(url.as_str().starts_with("http://") || url.as_str().starts_with("https://"));
            prop_assert!(!url.host().is_empty());
            prop_assert!(BaseUrl::new(url.as_str()).is_ok(), "{:?} is not accepted again", url.as_str());
        }
        for result in [
            LinkToken::new(&value).map(|t| t.expose().to_owned()),
            PrivateKey::new(&value).map(|k| k.expose().to_owned()),
        ] {
            match result {
                Ok(secret) => {
                    prop_assert_eq!(secret.as_str(), trimmed);
                    prop_assert!(!secret.chars().any(char::is_control));
                }
                Err(e) => {
                    prop_assert_eq!(e.kind, ErrorKind::InvalidInput);
                    if !trimmed.is_empty() {
                        prop_assert!(!e.message.contains(trimmed) && !e.hint.contains(trimmed));
                    }
                }
            }
        }
    }

    /// 24 hex digits in any case, with whitespace around, are an id, lower-cased.
    #[test]
    fn org_id_accepts_24_hex_digits(
        hex in "[0-9a-fA-F]{24}",
        before in whitespace(),
        after in whitespace(),
        other_len in (0usize..40).prop_filter("not 24", |n| *n != 24),
    ) {
        let org = OrgId::new(format!("{before}{hex}{after}")).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(org.as_str(), hex.to_ascii_lowercase());
        let wrong: String = hex.chars().cycle().take(other_len).collect();
        prop_assert!(OrgId::new(wrong).is_err());
    }

    /// A refused private key or link token is never echoed in the error.
    #[test]
    fn secrets_are_not_echoed_in_errors(
        head in "[A-Za-z0-9]{4,40}",
        tail in "[A-Za-z0-9]{4,40}",
        control in proptest::char::range('\0', '\u{1f}'),
        repeat in 1usize..8,
    ) {
        let with_control = format!("{head}{control}{tail}");
        let long_key = head.repeat(omlink::MAX_PRIVATE_KEY_LEN / head.len() + repeat);
        let long_token = tail.repeat(omlink::MAX_LINK_TOKEN_LEN / tail.len() + repeat);
        let errors = [
            PrivateKey::new(&with_control).map(drop),
            PrivateKey::new(&long_key).map(drop),
            LinkToken::new(&with_control).map(drop),
            LinkToken::new(&long_token).map(drop),
        ];
        for err in errors {
            let err = err.expect_err("refused");
            let shown = format!("{} {} {:?}", err.message, err.hint, err.detail);
            // The halves only when long enough not to be a word of the message by chance.
            let halves = [&head, &tail].into_iter().filter(|h| h.len() >= 8);
            for secret in [&with_control, &long_key, &long_token].into_iter().chain(halves) {
                prop_assert!(!shown.contains(secret.as_str()), "{:?} shows {:?}", shown, secret);
            }
        }
        let key = PrivateKey::new(format!("{head}{tail}")).map_err(|e| TestCaseError::fail(e.message))?;
        let shown = format!("{key:?} {key}");
        let value = format!("{head}{tail}");
        prop_assert!(!shown.contains(&value), "{:?} shows the key", shown);
    }

    /// Validating a profile draft never panics, and what it accepts is usable.
    #[test]
    fn profile_drafts_never_panic(
        name in prop_oneof![hostile(0..30), "[A-Za-z0-9 ]{1,120}"],
        url in prop_oneof![url_like(), hostile(0..20)],
        public_key in prop_oneof![hostile(0..12), "[a-z]{8}"],
        cloud in any::<bool>(),
        skip_verify in any::<bool>(),
        timeout_secs in prop_oneof![0u64..4000, any::<u64>()],
    ) {
        let draft = ProfileDraft {
            name,
            kind: if cloud { ServerKind::CloudManager } else { ServerKind::OpsManager },
            url,
            public_key,
            ca_file: None,
            skip_verify,
            timeout_secs,
            atlas: None,
        };
        if let Ok(profile) = ProfileBook::default().validate(None, &draft) {
            prop_assert!(!profile.name.is_empty() && !profile.name.chars().any(char::is_control));
            prop_assert!((1..=3600).contains(&profile.timeout_secs));
            prop_assert_eq!(profile.tls.skip_verify, skip_verify);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sanitizing and masking text

/// Text around a URL: words, spaces and URL punctuation, including other schemes.
fn url_context() -> impl Strategy<Value = String> {
    prop::collection::vec(
        select(vec![
            "see ", "x", " ", "://", "@", "/", "https:", "http://a", "a@", "proxy=", "(", "\"",
            "?", "#",
        ]),
        0..6,
    )
    .prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(config())]

    /// Sanitized text has no control or format character, and sanitizing it again changes
    /// nothing.
    #[test]
    fn sanitize_is_clean_and_idempotent(text in prop_oneof![any::<String>(), hostile(0..80)]) {
        let once = omlink::sanitize(&text);
        prop_assert_eq!(fuzzing::unsafe_char(&once), None, "{:?}", once);
        prop_assert!(!once.contains(ESC), "{:?}", once);
        prop_assert_eq!(omlink::sanitize(&once), once);
    }

    /// A URL's `user:password@` never survives masking, whatever text is around it.
    #[test]
    fn mask_userinfo_hides_credentials(
        before in url_context(),
        user in "[A-Za-z0-9]{1,12}",
        password in "[A-Za-z0-9]{1,16}",
        host in "[a-z0-9]{1,10}(\\.[a-z]{2,5}){0,2}",
        after in url_context(),
    ) {
        let text = format!("{before}https://{user}:{password}@{host}/{after}");
        let masked = omlink::mask_userinfo(&text);
        let credentials = format!("{user}:{password}@");
        prop_assert!(!masked.contains(&credentials), "{:?} -> {:?}", text, masked);
        prop_assert!(masked.contains(&format!("***@{host}/")), "{:?} -> {:?}", text, masked);
    }
}

// ---------------------------------------------------------------------------------------------
// The store file

/// A store file that is valid, or nearly: real field names with right and wrong values.
fn store_like() -> impl Strategy<Value = String> {
    let id = || prop_oneof![9 => "[a-z0-9-]{1,16}", 1 => hostile(0..6)];
    let profile = (
        id(),
        prop_oneof![9 => "[A-Za-z0-9 ]{1,20}", 1 => hostile(0..10)],
        prop_oneof![
            6 => "https://[a-z]{1,8}\\.example(:[0-9]{2,4})?(/[a-z]{1,5})?",
            3 => url_like(),
            1 => hostile(0..10),
        ],
        prop_oneof![9 => "[a-z]{8}", 1 => hostile(0..6)],
        prop_oneof![
            9 => select(vec!["OpsManager", "CloudManager"]),
            1 => Just("Other"),
        ],
        prop_oneof![9 => Just(Value::from(30)), 1 => json_value()],
    )
        .prop_map(|(id, name, url, key, kind, timeout)| {
            serde_json::json!({
                "id": id, "name": name, "url": url, "publicKey": key, "kind": kind,
                "timeoutSecs": timeout, "tls": {"caFile": null, "skipVerify": false},
                "hasPrivateKey": true,
            })
        });
    let outcome = prop_oneof![
        9 => select(vec![
            serde_json::json!({"result": "linked", "status": "SYNCED"}),
            serde_json::json!({"result": "linked", "status": "PAUSED"}),
            serde_json::json!({"result": "linked", "status": null}),
            serde_json::json!({"result": "failed", "kind": "Rejected", "httpStatus": 400, "errorCode": "X"}),
            serde_json::json!({"result": "cancelled"}),
        ]),
        1 => json_value(),
    ];
    let entry = (
        id(),
        prop_oneof![9 => "[0-9a-f]{24}", 1 => hostile(0..6)],
        outcome,
        prop_oneof![9 => hostile(0..10).prop_map(Value::from), 1 => json_value()],
    )
        .prop_map(|(profile_id, org_id, outcome, note)| {
            serde_json::json!({
                "id": "e1", "at": "2024-01-01T00:00:00Z", "profileId": profile_id,
                "profileName": "p", "orgId": org_id, "orgName": null, "tokenMask": "abcd…wxyz",
                "tokenFingerprint": "0123456789ab", "outcome": outcome, "note": note,
            })
        });
    let last_used = prop_oneof![
        3 => Just(Value::Null),
        3 => "[a-z0-9-]{1,16}".prop_map(Value::from),
        1 => json_value(),
    ];
    (
        prop::collection::vec(profile, 0..4),
        prop::collection::vec(entry, 0..4),
        last_used,
        proptest::option::of(json_value()),
    )
        .prop_map(|(profiles, history, last_used, other)| {
            let mut map = serde_json::Map::new();
            map.insert(
                "profiles".into(),
                serde_json::json!({"profiles": profiles, "lastUsed": last_used}),
            );
            map.insert("history".into(), Value::Array(history));
            if let Some(other) = other {
                map.insert("windowState".into(), other);
            }
            serde_json::to_string(&map).expect("a JSON value serializes")
        })
}

/// Equal JSON values, but for floats that differ in their last digits.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(config())]

    /// No text makes the store parser panic; what it loads is saved and loaded back the same.
    #[test]
    fn store_text_never_panics_and_round_trips(
        text in prop_oneof![
            any::<String>(),
            json_value().prop_map(|v| v.to_string()),
            store_like(),
            store_like().prop_flat_map(|s| {
                let len = s.len();
                (Just(s), 0..=len).prop_map(|(s, cut)| {
                    let cut = (0..=cut).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                    s[..cut].to_owned()
                })
            }),
        ],
    ) {
        let loaded = fuzzing::store_contents(&text);
        prop_assert_eq!(loaded.is_some(), fuzzing::store_text(&text));
        match fuzzing::store_round_trip(&text) {
            None => prop_assert!(loaded.is_none()),
            Some(result) => prop_assert_eq!(result, Ok(())),
        }
        if let Some(contents) = loaded {
            let mut map = contents.other.clone();
            map.insert("profiles".into(), serde_json::to_value(&contents.data.profiles).expect("serializes"));
            map.insert("history".into(), serde_json::to_value(&contents.data.history).expect("serializes"));
            let saved = serde_json::to_string(&map).expect("serializes");
            let again = fuzzing::store_contents(&saved);
            prop_assert!(again.is_some(), "what was loaded does not load again: {}", saved);
            let again = again.expect("checked");
            prop_assert_eq!(again.data.profiles, contents.data.profiles);
            prop_assert_eq!(again.data.history, contents.data.history);
            // Unknown keys are kept; their floats may move by an ulp, since serde_json (without
            // its `float_roundtrip` feature) does not parse every float to the closest value.
            let (kept, had) = (Value::Object(again.other), Value::Object(contents.other));
            prop_assert!(same_json(&kept, &had), "{} became {}", had, kept);
        }
    }

    /// A file that does not parse is moved aside with its content kept; one that parses stays.
    #[test]
    fn store_file_loader_keeps_what_it_cannot_read(text in prop_oneof![store_like(), hostile(0..20)]) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("omlink.json");
        std::fs::write(&path, &text).expect("written");
        let loaded = omlink::load_store_file(&path).map_err(|e| TestCaseError::fail(e.message))?;
        if fuzzing::store_text(&text) {
            prop_assert!(loaded.set_aside.is_none());
            prop_assert_eq!(std::fs::read_to_string(&path).expect("still there"), text);
        } else {
            prop_assert!(loaded.set_aside.is_some());
            // Gone, or replaced by what could be recovered whole from it (which loads).
            if let Ok(recovered) = std::fs::read_to_string(&path) {
                prop_assert!(fuzzing::store_text(&recovered), "{}", recovered);
            }
            let kept = std::fs::read_dir(dir.path())
                .expect("listed")
                .filter_map(Result::ok)
                .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t == text));
            prop_assert!(kept, "the unreadable content survives");
        }
    }
}

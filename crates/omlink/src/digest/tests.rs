use super::*;

const OM: &str = r#"Digest realm="MMS Public API", domain="", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", algorithm=MD5, qop="auth", stale=false"#;

#[test]
fn parses_ops_managers_challenge() {
    let c = Challenge::parse(OM).unwrap();
    assert_eq!(c.realm, "MMS Public API");
    assert_eq!(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
    assert_eq!(c.algorithm, Algorithm::Md5);
    assert!(c.qop_auth && !c.stale && c.opaque.is_none());
    let stale = Challenge::parse(&OM.replace("stale=false", "stale=TRUE")).unwrap();
    assert!(stale.stale);
}

#[test]
fn finds_digest_among_other_schemes() {
    let c =
        Challenge::parse(r#"Basic realm="x", Digest realm="r", nonce="n", qop="auth,auth-int""#)
            .unwrap();
    assert_eq!((c.realm.as_str(), c.nonce.as_str()), ("r", "n"));
    let c = Challenge::parse_any(["Basic realm=\"x\"", r#"Digest nonce="n2", realm="r""#]).unwrap();
    assert_eq!(c.nonce, "n2");
    assert_eq!(
        Challenge::parse("Basic realm=\"x\"").unwrap_err(),
        ChallengeError::NotDigest
    );
    assert_eq!(
        Challenge::parse_any([]).unwrap_err(),
        ChallengeError::NotDigest
    );
}

#[test]
fn refuses_malformed_and_unsupported_challenges() {
    let long = format!("Digest realm=\"MMS Public API, nonce={}", "x".repeat(5000));
    assert!(matches!(
        Challenge::parse(&long),
        Err(ChallengeError::Malformed(_))
    ));
    let cut = "Digest realm=\"MMS Public API, nonce=abc";
    assert!(matches!(
        Challenge::parse(cut),
        Err(ChallengeError::Malformed(_))
    ));
    assert!(matches!(
        Challenge::parse("Digest realm=\"r\""),
        Err(ChallengeError::Malformed("no nonce"))
    ));
    assert!(matches!(
        Challenge::parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"),
        Err(ChallengeError::Unsupported(_))
    ));
    assert!(matches!(
        Challenge::parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""),
        Err(ChallengeError::Unsupported(_))
    ));
    assert!(matches!(
        Challenge::parse("Digest realm=\"r\", nonce=\"a\\\"b\""),
        Err(ChallengeError::Malformed(_))
    ));
}

/// The `Authorization` header Mufasa sends for `GET /dir/index.html` after `challenge`, with
/// client nonce `cnonce`.
fn mufasa(challenge: &str, password: &str, cnonce: &str) -> String {
    let challenge = Challenge::parse(challenge).unwrap();
    let state = NonceState { challenge, nc: 1 };
    let header = state.authorize_with("GET", "/dir/index.html", "Mufasa", password, cnonce);
    header.to_string()
}

/// RFC 2617 §3.5's example (MD5, qop=auth), and RFC 7616 §3.9.1's (SHA-256).
#[test]
fn matches_the_rfc_examples() {
    let header = mufasa(
        r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        "Circle Of Life",
        "0a4f113b",
    );
    assert!(
        header.contains("response=\"6629fae49393a05397450978507c4ef1\""),
        "{header}"
    );
    assert!(header.contains("nc=00000001"));
    assert!(header.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));

    let header = mufasa(
        r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
        "Circle of Life",
        "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    );
    assert!(
        header.contains(
            "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""
        ),
        "{header}"
    );
}

#[test]
fn each_answer_counts_up() {
    let mut state = NonceState::new(Challenge::parse(OM).unwrap());
    assert!(
        state
            .authorize("GET", "/a", "u", "p")
            .contains("nc=00000001")
    );
    assert!(
        state
            .authorize("GET", "/a", "u", "p")
            .contains("nc=00000002")
    );
    assert_eq!(state.count(), 2);
}

//! HTTP Digest authentication as Ops Manager does it: MD5, `qop="auth"`, realm
//! `MMS Public API`. Written independently of the client's digest code (`omlink::digest`), so that each
//! checks the other; `curl --digest` and Python's `requests` check both.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use md5::{Digest as _, Md5};

/// Ops Manager's digest realm.
pub const REALM: &str = "MMS Public API";

/// The `WWW-Authenticate` value Ops Manager challenges with.
pub fn challenge(nonce: &str, stale: bool) -> String {
    format!(
        "Digest realm=\"{REALM}\", domain=\"\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\", stale={stale}"
    )
}

/// A `WWW-Authenticate` value no client can answer, for the `malformedChallenge` fault: the
/// realm's quote never closes and the nonce is 5000 `x`. ASCII only, so a valid header value.
pub fn malformed_challenge() -> String {
    format!("Digest realm=\"{REALM}, nonce={}", "x".repeat(5000))
}

/// The fields of an `Authorization: Digest …` header.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `username`: the public key.
    pub username: String,
    /// `realm`, as challenged.
    pub realm: String,
    /// `nonce`, as challenged.
    pub nonce: String,
    /// `uri`: the request target signed.
    pub uri: String,
    /// `response`: the hash to check.
    pub response: String,
    /// `algorithm`, when given (MD5 otherwise).
    pub algorithm: Option<String>,
    /// `qop`, when given.
    pub qop: Option<String>,
    /// `nc`: the nonce count, with `qop`.
    pub nc: Option<String>,
    /// `cnonce`: the client nonce, with `qop`.
    pub cnonce: Option<String>,
}

/// Parses `Digest k=v, k="v", …` (quoted values may contain commas and `\"`).
pub fn parse_authorization(header: &str) -> Option<Credentials> {
    let rest = header.trim();
    let (scheme, mut rest) = rest.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            break;
        }
        let (key, after) = rest.split_once('=')?;
        let key = key.trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end?..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        fields.insert(key, value);
        rest = remaining;
    }
    let mut take = |k: &str| fields.remove(k);
    Some(Credentials {
        username: take("username")?,
        realm: take("realm")?,
        nonce: take("nonce")?,
        uri: take("uri")?,
        response: take("response")?,
        algorithm: take("algorithm"),
        qop: take("qop"),
        nc: take("nc"),
        cnonce: take("cnonce"),
    })
}

fn md5_hex(input: &str) -> String {
    Md5::digest(input.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The expected `response` for `qop=auth` (RFC 7616 §3.4.1 with MD5).
pub fn expected_response(
    c: &Credentials,
    password: &str,
    method: &str,
    nc: &str,
    cnonce: &str,
) -> String {
    let ha1 = md5_hex(&format!("{}:{}:{password}", c.username, c.realm));
    let ha2 = md5_hex(&format!("{method}:{}", c.uri));
    md5_hex(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", c.nonce))
}

/// Why a digest answer was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No or unparseable `Authorization` header: challenge.
    Missing,
    /// The nonce was issued but has expired: challenge with `stale=true`.
    Stale,
    /// Anything else wrong: unknown user, wrong realm, uri, nc, or hash.
    Invalid,
}

/// The nonces this server issued: when, and the highest `nc` seen with each.
#[derive(Debug)]
pub struct Nonces {
    lifetime: Duration,
    issued: HashMap<String, (Instant, u32)>,
}

impl Nonces {
    /// Nonces that expire `lifetime` after they were issued.
    pub fn new(lifetime: Duration) -> Self {
        Self {
            lifetime,
            issued: HashMap::new(),
        }
    }

    /// Issues a fresh random nonce.
    pub fn issue(&mut self) -> String {
        if self.issued.len() > 10_000 {
            let lifetime = self.lifetime;
            self.issued.retain(|_, (at, _)| at.elapsed() < lifetime);
        }
        let nonce: String = rand::random::<[u8; 16]>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.issued.insert(nonce.clone(), (Instant::now(), 0));
        nonce
    }

    /// Forgets a nonce, as if it had expired: answers with it are refused from now on.
    pub fn revoke(&mut self, nonce: &str) {
        self.issued.remove(nonce);
    }

    /// Checks a client's answer for a request `method` on `uri` (path and query as sent).
    /// `password_of` looks up the private key of a public key.
    pub fn verify(
        &mut self,
        header: Option<&str>,
        method: &str,
        uri: &str,
        password_of: impl Fn(&str) -> Option<String>,
    ) -> Result<String, Refusal> {
        let c = header
            .and_then(parse_authorization)
            .ok_or(Refusal::Missing)?;
        let Some((issued_at, last_nc)) = self.issued.get(&c.nonce).copied() else {
            return Err(Refusal::Invalid);
        };
        if c.realm != REALM
            || c.uri != uri
            || c.algorithm
                .as_deref()
                .is_some_and(|a| !a.eq_ignore_ascii_case("MD5"))
            || c.qop.as_deref() != Some("auth")
        {
            return Err(Refusal::Invalid);
        }
        let (Some(nc_text), Some(cnonce)) = (c.nc.as_deref(), c.cnonce.as_deref()) else {
            return Err(Refusal::Invalid);
        };
        let nc = u32::from_str_radix(nc_text, 16).map_err(|_| Refusal::Invalid)?;
        let password = password_of(&c.username).ok_or(Refusal::Invalid)?;
        if expected_response(&c, &password, method, nc_text, cnonce)
            != c.response.to_ascii_lowercase()
        {
            return Err(Refusal::Invalid);
        }
        if issued_at.elapsed() >= self.lifetime {
            self.issued.remove(&c.nonce);
            return Err(Refusal::Stale);
        }
        // A replayed or reordered nc is refused: each must be higher than the last.
        if nc <= last_nc {
            return Err(Refusal::Invalid);
        }
        self.issued.insert(c.nonce.clone(), (issued_at, nc));
        Ok(c.username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_and_plain_fields() {
        let c = parse_authorization(
            r#"Digest username="demo-owner", realm="MMS Public API", nonce="abc", uri="/api/public/v1.0/orgs?pageNum=1&itemsPerPage=500", algorithm=MD5, response="0123", qop=auth, nc=00000001, cnonce="c,n\"x""#,
        )
        .unwrap();
        assert_eq!(c.username, "demo-owner");
        assert_eq!(c.uri, "/api/public/v1.0/orgs?pageNum=1&itemsPerPage=500");
        assert_eq!(c.qop.as_deref(), Some("auth"));
        assert_eq!(c.nc.as_deref(), Some("00000001"));
        assert_eq!(c.cnonce.as_deref(), Some("c,n\"x"));
        assert!(parse_authorization("Basic dXNlcjpwdw==").is_none());
    }

    #[test]
    fn rfc_2617_example_response() {
        // RFC 2617 §3.5's worked example.
        let c = Credentials {
            username: "Mufasa".into(),
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            uri: "/dir/index.html".into(),
            ..Credentials::default()
        };
        let r = expected_response(&c, "Circle Of Life", "GET", "00000001", "0a4f113b");
        assert_eq!(r, "6629fae49393a05397450978507c4ef1");
    }

    fn answer(nonce: &str, nc: &str, password: &str, uri: &str) -> String {
        let c = Credentials {
            username: "u".into(),
            realm: REALM.into(),
            nonce: nonce.into(),
            uri: uri.into(),
            ..Credentials::default()
        };
        let r = expected_response(&c, password, "GET", nc, "cn");
        format!(
            r#"Digest username="u", realm="{REALM}", nonce="{nonce}", uri="{uri}", response="{r}", qop=auth, nc={nc}, cnonce="cn", algorithm=MD5"#
        )
    }

    #[test]
    fn verifies_hash_uri_nonce_and_nc() {
        let mut nonces = Nonces::new(Duration::from_secs(60));
        let n = nonces.issue();
        let pw = |u: &str| (u == "u").then(|| "pw".to_owned());
        let ok = answer(&n, "00000001", "pw", "/x?a=1");
        assert_eq!(
            nonces.verify(Some(&ok), "GET", "/x?a=1", pw),
            Ok("u".into())
        );
        // Replay of the same nc.
        assert_eq!(
            nonces.verify(Some(&ok), "GET", "/x?a=1", pw),
            Err(Refusal::Invalid)
        );
        // Next nc is fine.
        let next = answer(&n, "00000002", "pw", "/x?a=1");
        assert!(nonces.verify(Some(&next), "GET", "/x?a=1", pw).is_ok());
        // uri without the query does not match the request.
        let no_query = answer(&n, "00000003", "pw", "/x");
        assert_eq!(
            nonces.verify(Some(&no_query), "GET", "/x?a=1", pw),
            Err(Refusal::Invalid)
        );
        // Wrong password, unknown nonce, missing header.
        let wrong = answer(&n, "00000004", "nope", "/x?a=1");
        assert_eq!(
            nonces.verify(Some(&wrong), "GET", "/x?a=1", pw),
            Err(Refusal::Invalid)
        );
        let unknown = answer("feed", "00000001", "pw", "/x?a=1");
        assert_eq!(
            nonces.verify(Some(&unknown), "GET", "/x?a=1", pw),
            Err(Refusal::Invalid)
        );
        assert_eq!(
            nonces.verify(None, "GET", "/x?a=1", pw),
            Err(Refusal::Missing)
        );
    }

    #[test]
    fn expired_nonce_is_stale() {
        let mut nonces = Nonces::new(Duration::ZERO);
        let n = nonces.issue();
        let pw = |_: &str| Some("pw".to_owned());
        let a = answer(&n, "00000001", "pw", "/x");
        assert_eq!(
            nonces.verify(Some(&a), "GET", "/x", pw),
            Err(Refusal::Stale)
        );
    }

    #[test]
    fn malformed_challenge_is_an_unterminated_ascii_header_value() {
        let c = malformed_challenge();
        assert!(c.starts_with(r#"Digest realm="MMS Public API, nonce=xxx"#));
        assert!(c.ends_with('x') && c.matches('"').count() == 1);
        assert!(c.is_ascii() && c.len() > 5000);
    }

    #[test]
    fn revoked_nonce_is_refused() {
        let mut nonces = Nonces::new(Duration::from_secs(60));
        let n = nonces.issue();
        nonces.revoke(&n);
        let a = answer(&n, "00000001", "pw", "/x");
        assert_eq!(
            nonces.verify(Some(&a), "GET", "/x", |_| Some("pw".to_owned())),
            Err(Refusal::Invalid)
        );
    }

    #[test]
    fn challenge_matches_ops_manager() {
        assert_eq!(
            challenge("n1", false),
            r#"Digest realm="MMS Public API", domain="", nonce="n1", algorithm=MD5, qop="auth", stale=false"#
        );
    }
}

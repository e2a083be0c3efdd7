//! HTTP Digest authentication (RFC 7616) as the client side needs it for Ops Manager.
//!
//! omlink owns this code rather than leaving it to a generic crate for three reasons:
//! - the challenge is fetched with a request that carries **no body**, so a link token never
//!   travels in an unauthenticated request;
//! - a nonce is reused with an increasing `nc` ([`NonceState`]), so a session's later calls
//!   take one round trip instead of two;
//! - the private key is never copied: it is streamed from its `SecretString` into the hash, and
//!   the derived `HA1` (password-equivalent for the realm) lives in a zeroizing buffer.
//!
//! Supported: `algorithm` MD5 (Ops Manager's), MD5-sess, SHA-256 and SHA-256-sess; `qop`
//! `auth` or none (RFC 2069). `auth-int` alone is refused.

use md5::Md5;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The longest `WWW-Authenticate` value that is parsed; longer ones are refused as malformed.
pub const MAX_CHALLENGE_LEN: usize = 4096;

/// A hash algorithm a server may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// `MD5` (Ops Manager's).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl Algorithm {
    fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_uppercase().as_str() {
            "MD5" => Some(Self::Md5),
            "MD5-SESS" => Some(Self::Md5Sess),
            "SHA-256" => Some(Self::Sha256),
            "SHA-256-SESS" => Some(Self::Sha256Sess),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    fn is_sess(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
    }

    /// Hashes the concatenation of `parts` and returns lower-case hex, in a zeroizing buffer.
    fn hash(self, parts: &[&[u8]]) -> Zeroizing<String> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Zeroizing<String> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            let out = hasher.finalize();
            let mut hex = Zeroizing::new(String::with_capacity(out.len() * 2));
            for b in out.iter() {
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                hex.push(char::from(DIGITS[usize::from(b >> 4)]));
                hex.push(char::from(DIGITS[usize::from(b & 0xf)]));
            }
            hex
        }
        match self {
            Self::Md5 | Self::Md5Sess => run::<Md5>(parts),
            Self::Sha256 | Self::Sha256Sess => run::<Sha256>(parts),
        }
    }
}

/// A parsed `Digest` challenge from a `WWW-Authenticate` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// The protection space, `MMS Public API` for Ops Manager.
    pub realm: String,
    /// The server nonce.
    pub nonce: String,
    /// Echoed back unchanged when present.
    pub opaque: Option<String>,
    /// The hash algorithm.
    pub algorithm: Algorithm,
    /// Whether `qop=auth` is used (else the RFC 2069 form).
    pub qop_auth: bool,
    /// `stale=true`: the nonce expired, the credentials were right.
    pub stale: bool,
}

/// Why a challenge could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChallengeError {
    /// No `Digest` challenge among the header values (Basic only, or none).
    NotDigest,
    /// A `Digest` challenge that cannot be parsed or lacks `realm` / `nonce`.
    Malformed(&'static str),
    /// A valid challenge this client cannot answer (an unknown algorithm, `auth-int` only).
    Unsupported(String),
}

impl std::fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotDigest => f.write_str("the server did not offer HTTP Digest authentication"),
            Self::Malformed(why) => write!(f, "the server's digest challenge is malformed ({why})"),
            Self::Unsupported(what) => {
                write!(
                    f,
                    "the server's digest challenge asks for {what}, which omlink does not support"
                )
            }
        }
    }
}

impl Challenge {
    /// Finds and parses the `Digest` challenge among a response's `WWW-Authenticate` values.
    ///
    /// ```
    /// let c = omlink::digest::Challenge::parse_any([
    ///     r#"Digest realm="MMS Public API", domain="", nonce="abc", algorithm=MD5, qop="auth", stale=false"#,
    /// ]).unwrap();
    /// assert_eq!((c.realm.as_str(), c.nonce.as_str(), c.stale), ("MMS Public API", "abc", false));
    /// ```
    ///
    /// # Errors
    /// [`ChallengeError`] when no value is a usable digest challenge. The first malformed or
    /// unsupported reason wins over "not digest".
    pub fn parse_any<'a>(
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, ChallengeError> {
        let mut worst = ChallengeError::NotDigest;
        for value in values {
            match Self::parse(value) {
                Ok(c) => return Ok(c),
                Err(ChallengeError::NotDigest) => {}
                Err(e) => worst = e,
            }
        }
        Err(worst)
    }

    /// Parses one `WWW-Authenticate` value that may hold several challenges
    /// (`Basic realm="x", Digest realm="y", nonce="z"`).
    ///
    /// # Errors
    /// As for [`parse_any`](Self::parse_any).
    pub fn parse(value: &str) -> Result<Self, ChallengeError> {
        if value.len() > MAX_CHALLENGE_LEN {
            return Err(ChallengeError::Malformed("too long"));
        }
        let params = digest_params(value)?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let realm = get("realm").ok_or(ChallengeError::Malformed("no realm"))?;
        let nonce = get("nonce").ok_or(ChallengeError::Malformed("no nonce"))?;
        if nonce.is_empty()
            || nonce
                .chars()
                .any(|c| c.is_control() || c == '"' || c == '\\')
        {
            return Err(ChallengeError::Malformed("unusable nonce"));
        }
        if realm
            .chars()
            .any(|c| c.is_control() || c == '"' || c == '\\')
        {
            return Err(ChallengeError::Malformed("unusable realm"));
        }
        let algorithm = match get("algorithm") {
            None => Algorithm::Md5,
            Some(a) => Algorithm::parse(a).ok_or_else(|| {
                ChallengeError::Unsupported(format!("algorithm {}", printable(a)))
            })?,
        };
        let qop_auth = match get("qop") {
            None => false,
            Some(list) => {
                if list
                    .split(',')
                    .any(|q| q.trim().eq_ignore_ascii_case("auth"))
                {
                    true
                } else {
                    return Err(ChallengeError::Unsupported(format!(
                        "qop {}",
                        printable(list)
                    )));
                }
            }
        };
        let opaque = get("opaque").map(str::to_owned);
        if opaque
            .as_deref()
            .is_some_and(|o| o.chars().any(|c| c.is_control() || c == '"' || c == '\\'))
        {
            return Err(ChallengeError::Malformed("unusable opaque"));
        }
        Ok(Self {
            realm: realm.to_owned(),
            nonce: nonce.to_owned(),
            opaque,
            algorithm,
            qop_auth,
            stale: get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
        })
    }
}

/// A short, printable form of a server value for an error message.
fn printable(s: &str) -> String {
    let cleaned: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    if s.chars().count() > 40 {
        format!("{cleaned}…")
    } else {
        cleaned
    }
}

/// The `key=value` parameters of the first `Digest` challenge in `value`.
fn digest_params(value: &str) -> Result<Vec<(String, String)>, ChallengeError> {
    let mut rest = value;
    // Find a "Digest" scheme token at the start or after a comma / whitespace.
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return Err(ChallengeError::NotDigest);
        }
        let word_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == ',' || c == '=')
            .unwrap_or(rest.len());
        let word = &rest[..word_end];
        let after = &rest[word_end..];
        if word.eq_ignore_ascii_case("digest") && !after.trim_start().starts_with('=') {
            rest = after;
            break;
        }
        // Skip this token (a scheme name or a parameter of another scheme) and its value.
        rest = after.trim_start();
        if let Some(v) = rest.strip_prefix('=') {
            let (_, remaining) = param_value(v.trim_start())?;
            rest = remaining;
        }
    }
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            break;
        }
        let key_end = rest
            .find(|c: char| c == '=' || c == ',' || c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        let after = rest[key_end..].trim_start();
        let Some(v) = after.strip_prefix('=') else {
            // A bare token: the next challenge's scheme. This one ends here.
            break;
        };
        if key.is_empty() {
            return Err(ChallengeError::Malformed("a parameter without a name"));
        }
        let (value, remaining) = param_value(v.trim_start())?;
        params.push((key.to_owned(), value));
        rest = remaining;
    }
    Ok(params)
}

/// A token or a quoted string (with `\` escapes), and what follows it.
fn param_value(s: &str) -> Result<(String, &str), ChallengeError> {
    if let Some(quoted) = s.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, c)) => value.push(c),
                    None => break,
                },
                '"' => return Ok((value, &quoted[i + 1..])),
                c => value.push(c),
            }
        }
        Err(ChallengeError::Malformed("an unterminated quoted string"))
    } else {
        let end = s
            .find(|c: char| c == ',' || c.is_ascii_whitespace())
            .unwrap_or(s.len());
        Ok((s[..end].to_owned(), &s[end..]))
    }
}

/// A challenge being used by one request at a time, with its nonce count.
#[derive(Debug)]
pub struct NonceState {
    challenge: Challenge,
    nc: u32,
}

impl NonceState {
    /// Starts using a fresh challenge; the first answer carries `nc=00000001`.
    pub fn new(challenge: Challenge) -> Self {
        Self { challenge, nc: 0 }
    }

    /// The challenge in use.
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// How many answers this nonce has signed.
    pub fn count(&self) -> u32 {
        self.nc
    }

    /// The `Authorization` value for one request: `method` and `uri` (path and query) as sent.
    /// Each call uses the next `nc`. The password is read from `password` and never copied.
    pub fn authorize(
        &mut self,
        method: &str,
        uri: &str,
        username: &str,
        password: &str,
    ) -> Zeroizing<String> {
        self.nc = self.nc.wrapping_add(1).max(1);
        let cnonce = cnonce();
        self.authorize_with(method, uri, username, password, &cnonce)
    }

    fn authorize_with(
        &self,
        method: &str,
        uri: &str,
        username: &str,
        password: &str,
        cnonce: &str,
    ) -> Zeroizing<String> {
        let c = &self.challenge;
        let alg = c.algorithm;
        let nc = format!("{:08x}", self.nc);
        let mut ha1 = alg.hash(&[
            username.as_bytes(),
            b":",
            c.realm.as_bytes(),
            b":",
            password.as_bytes(),
        ]);
        if alg.is_sess() {
            ha1 = alg.hash(&[
                ha1.as_bytes(),
                b":",
                c.nonce.as_bytes(),
                b":",
                cnonce.as_bytes(),
            ]);
        }
        let ha2 = alg.hash(&[method.as_bytes(), b":", uri.as_bytes()]);
        let response = if c.qop_auth {
            alg.hash(&[
                ha1.as_bytes(),
                b":",
                c.nonce.as_bytes(),
                b":",
                nc.as_bytes(),
                b":",
                cnonce.as_bytes(),
                b":auth:",
                ha2.as_bytes(),
            ])
        } else {
            alg.hash(&[
                ha1.as_bytes(),
                b":",
                c.nonce.as_bytes(),
                b":",
                ha2.as_bytes(),
            ])
        };
        let mut header = Zeroizing::new(format!(
            "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", algorithm={}, response=\"{}\"",
            quote(username),
            c.realm,
            c.nonce,
            quote(uri),
            alg.name(),
            response.as_str(),
        ));
        if c.qop_auth {
            header.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
        }
        if let Some(opaque) = &c.opaque {
            header.push_str(&format!(", opaque=\"{opaque}\""));
        }
        header
    }
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn cnonce() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests;

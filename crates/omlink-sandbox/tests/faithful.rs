//! The sandbox checked against two digest clients nobody here wrote — `curl --digest` and
//! Python's `requests.auth.HTTPDigestAuth` — and its answers checked against Ops Manager's
//! documented shapes. `make test` installs both clients; a missing one fails the test.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output};
use std::time::Duration;

use omlink_sandbox::demo::{self, RUNNING_MIGRATION_ORG};
use omlink_sandbox::digest::{Credentials, REALM, expected_response};
use omlink_sandbox::{Faults, Sandbox, SandboxConfig};
use serde_json::Value;

const ORG: &str = "5f1e2d3c4b5a697887766554";

fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).unwrap()
}

/// Runs `cmd`, which must succeed; `what` says what failed otherwise.
fn succeeded(cmd: &mut Command, what: &str) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what}: {stderr}");
    out
}

/// Python `script` run with `args`; what it printed, as JSON.
fn python(script: &str, args: &[&str]) -> Value {
    let out = succeeded(
        Command::new("python3").args(["-c", script]).args(args),
        "python requests client failed (make test installs requests)",
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

struct Curl {
    status: u16,
    headers: String,
    body: String,
}

/// `curl --digest` with Ops Manager's documented flags; `-D` keeps every response's headers.
fn curl(user: &str, password: &str, method: &str, url: &str, data: Option<&str>) -> Curl {
    curl_accepting("application/json", user, password, method, url, data)
}

/// [`curl`] asking for `accept`.
fn curl_accepting(
    accept: &str,
    user: &str,
    password: &str,
    method: &str,
    url: &str,
    data: Option<&str>,
) -> Curl {
    let dir = tempfile::tempdir().unwrap();
    let headers_path = dir.path().join("headers");
    let mut cmd = Command::new("curl");
    cmd.args([
        "--silent",
        "--show-error",
        "--digest",
        "--user",
        &format!("{user}:{password}"),
    ])
    .args([
        "--header",
        &format!("Accept: {accept}"),
        "--header",
        "Content-Type: application/json",
    ])
    .args([
        "--request",
        method,
        "--dump-header",
        headers_path.to_str().unwrap(),
    ])
    .args(["--write-out", "\n%{http_code}", "--noproxy", "*"]);
    if let Some(data) = data {
        cmd.args(["--data", data]);
    }
    let out = succeeded(cmd.arg(url), "curl failed (make test installs it)");
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, code) = text.rsplit_once('\n').unwrap();
    let headers = std::fs::read_to_string(&headers_path).unwrap();
    Curl {
        status: code.trim().parse().unwrap(),
        headers,
        body: body.to_owned(),
    }
}

fn api(sb: &Sandbox, path: &str) -> String {
    format!("{}/api/public/v1.0{path}", sb.url())
}

/// [`curl`] with the owner's key pair.
fn curl_owner(method: &str, url: &str, data: Option<&str>) -> Curl {
    curl(
        demo::OWNER.public_key,
        demo::OWNER.private_key,
        method,
        url,
        data,
    )
}

#[test]
fn curl_digest_links_reads_and_unlinks() {
    let sb = sandbox();
    let (user, pw) = (demo::OWNER.public_key, demo::OWNER.private_key);
    let link = api(&sb, &format!("/orgs/{ORG}/liveExport/migrationLink"));

    let r = curl(
        user,
        pw,
        "POST",
        &format!("{link}?pretty=true"),
        Some(r#"{"linkToken":"curl-token"}"#),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // The challenge as Ops Manager sends it, then the answer.
    assert!(
        r.headers
            .contains(r#"WWW-Authenticate: Digest realm="MMS Public API", domain="", nonce=""#)
            || r.headers
                .to_ascii_lowercase()
                .contains(r#"www-authenticate: digest realm="mms public api", domain="", nonce=""#),
        "{}",
        r.headers
    );
    assert!(
        r.headers
            .to_ascii_lowercase()
            .contains(r#"algorithm=md5, qop="auth", stale=false"#),
        "{}",
        r.headers
    );
    assert!(
        r.headers
            .to_ascii_lowercase()
            .contains("x-mongodb-service-version: githash=")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap(),
        serde_json::json!({"status": "SYNCED"})
    );
    assert!(r.body.contains("\n"), "pretty=true indents: {}", r.body);
    assert_eq!(sb.link_token(ORG).as_deref(), Some("curl-token"));

    let r = curl(user, pw, "GET", &format!("{link}/status"), None);
    assert_eq!((r.status, r.body.as_str()), (200, r#"{"status":"SYNCED"}"#));

    let r = curl(user, pw, "DELETE", &link, None);
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    assert_eq!(sb.is_linked(ORG), Some(false));
    assert_eq!(sb.unexpected_requests(), 0);
}

#[test]
fn curl_digest_signs_the_query_string() {
    let sb = sandbox();
    let r = curl_owner("GET", &api(&sb, "/orgs?pageNum=2&itemsPerPage=4"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let page: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(page["totalCount"], demo::ORGS.len());
    assert_eq!(
        page["results"].as_array().unwrap().len(),
        demo::ORGS.len() - 4
    );
    assert_eq!(page["results"][0]["id"], demo::ORGS[4].id);
}

#[test]
fn curl_with_a_wrong_key_gets_a_fresh_challenge_and_no_error_code() {
    let sb = sandbox();
    let r = curl(
        demo::OWNER.public_key,
        "wrong",
        "GET",
        &api(&sb, "/orgs"),
        None,
    );
    assert_eq!(r.status, 401);
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["error"], 401);
    assert!(body.get("errorCode").is_none());
    // Two challenges: one for the first try, a fresh one for the refused answer.
    assert_eq!(
        r.headers
            .to_ascii_lowercase()
            .matches("www-authenticate: digest")
            .count(),
        2
    );
}

#[test]
fn ops_manager_error_bodies() {
    let sb = sandbox();
    let link = |org: &str| api(&sb, &format!("/orgs/{org}/liveExport/migrationLink"));
    let owner = (demo::OWNER.public_key, demo::OWNER.private_key);
    let cases = [
        // (user, method, url, body, status, errorCode)
        (
            (demo::MEMBER.public_key, demo::MEMBER.private_key),
            "POST",
            link(ORG),
            Some(r#"{"linkToken":"t"}"#),
            401,
            Some("USER_UNAUTHORIZED"),
        ),
        (
            (demo::BLOCKED.public_key, demo::BLOCKED.private_key),
            "GET",
            api(&sb, "/orgs"),
            None,
            403,
            Some("IP_ADDRESS_NOT_ON_ACCESS_LIST"),
        ),
        (
            owner,
            "POST",
            link("5f1e2d3c4b5a6978877660ff"),
            Some(r#"{"linkToken":"t"}"#),
            404,
            Some("ORG_NOT_FOUND"),
        ),
        (
            owner,
            "DELETE",
            link(RUNNING_MIGRATION_ORG),
            None,
            409,
            Some("CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT"),
        ),
        (
            owner,
            "POST",
            link(ORG),
            Some("{not json"),
            400,
            Some("INVALID_JSON"),
        ),
        (
            owner,
            "POST",
            link(ORG),
            Some("{}"),
            400,
            Some("MISSING_ATTRIBUTE"),
        ),
        (
            owner,
            "POST",
            link(ORG),
            Some(r#"{"linkToken":"t","extra":1}"#),
            400,
            Some("INVALID_ATTRIBUTE"),
        ),
        (
            owner,
            "POST",
            link(ORG),
            Some(r#"{"linkToken":"expired-token"}"#),
            400,
            None,
        ),
        (
            owner,
            "GET",
            api(&sb, "/groups"),
            None,
            404,
            Some("SANDBOX_UNEXPECTED_REQUEST"),
        ),
    ];
    for ((user, pw), method, url, data, status, code) in cases {
        let r = curl(user, pw, method, &url, data);
        assert_eq!(r.status, status, "{method} {url}: {}", r.body);
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["error"], status);
        assert_eq!(
            body.get("errorCode").and_then(Value::as_str),
            code,
            "{}",
            r.body
        );
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(body["reason"].is_string() && body["parameters"].is_array());
    }
    assert_eq!(sb.unexpected_requests(), 1);
    assert_eq!(
        sb.is_linked(ORG),
        Some(false),
        "no bad request linked anything"
    );
}

#[test]
fn envelope_wraps_status_and_entity_in_a_200() {
    let sb = sandbox();
    let r = curl_owner(
        "DELETE",
        &format!(
            "{}?envelope=true",
            api(
                &sb,
                &format!("/orgs/{RUNNING_MIGRATION_ORG}/liveExport/migrationLink")
            )
        ),
        None,
    );
    assert_eq!(r.status, 200);
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["status"], 409);
    assert_eq!(
        body["content"]["errorCode"],
        "CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT"
    );
}

/// curl's PUT of `json` to the sandbox's control endpoint `/__sandbox/{what}`.
fn control_put(sb: &Sandbox, what: &str, json: &str) -> Output {
    Command::new("curl")
        .args(["--silent", "--show-error", "--noproxy", "*", "-X", "PUT"])
        .args(["--data", json])
        .arg(format!("{}/__sandbox/{what}", sb.url()))
        .output()
        .unwrap()
}

#[test]
fn faults_can_be_set_over_http() {
    let sb = sandbox();
    let put = control_put(&sb, "faults", r#"{"serverError":502}"#);
    assert!(put.status.success());
    assert_eq!(sb.faults().server_error, Some(502));
    let r = curl_owner("GET", &api(&sb, "/orgs"), None);
    assert_eq!(r.status, 502);
    assert!(r.body.contains("<title>502 Bad Gateway</title>"));
}

/// Python's requests: reuses a nonce with increasing nc, and re-authenticates on stale=true.
const PYTHON_CLIENT: &str = r#"
import json, sys, time
import requests
from requests.auth import HTTPDigestAuth
base, user, pw, org = sys.argv[1:5]
s = requests.Session()
s.auth = HTTPDigestAuth(user, pw)
s.trust_env = False
h = {"Accept": "application/json"}
out = []
r = s.get(base + "/orgs?pageNum=1&itemsPerPage=2", headers=h); out.append([r.status_code, r.json()["totalCount"]])
r = s.post(base + "/orgs/" + org + "/liveExport/migrationLink", json={"linkToken": "py-token"}, headers=h); out.append([r.status_code, r.json()["status"]])
r = s.get(base + "/orgs/" + org + "/liveExport/migrationLink/status", headers=h); out.append([r.status_code, r.json()["status"]])
time.sleep(1.3)
r = s.delete(base + "/orgs/" + org + "/liveExport/migrationLink", headers=h); out.append([r.status_code, r.text])
bad = requests.get(base + "/orgs", auth=HTTPDigestAuth(user, "wrong"), headers=h); out.append([bad.status_code, bad.json().get("errorCode")])
print(json.dumps(out))
"#;

#[test]
fn python_requests_digest_reuses_nonces_and_survives_stale() {
    let sb = Sandbox::start(SandboxConfig {
        nonce_lifetime: Duration::from_secs(1),
        ..Default::default()
    })
    .unwrap();
    let base = api(&sb, "");
    let results = python(
        PYTHON_CLIENT,
        &[&base, demo::OWNER.public_key, demo::OWNER.private_key, ORG],
    );
    assert_eq!(
        results,
        serde_json::json!([
            [200, demo::ORGS.len()],
            [201, "SYNCED"],
            [200, "SYNCED"],
            [204, ""],
            [401, null]
        ])
    );
    let requests = sb.requests();
    // requests answered the later calls with the cached nonce (nc=2, 3): no challenge for them.
    let challenges = requests.iter().filter(|r| r.status == 401).count();
    let authorized = requests.iter().filter(|r| r.user.is_some()).count();
    assert_eq!(authorized, 4, "{requests:?}");
    // First call, the stale one after the sleep, and the wrong-key pair of 401s.
    assert_eq!(challenges, 1 + 1 + 2, "{requests:?}");
}

/// One HTTP/1.1 exchange over a raw `TcpStream`, read to the end of the connection.
#[derive(Debug)]
struct Raw {
    status: u16,
    /// Header names in lower case, in the order received.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn content_length(&self) -> Option<usize> {
        self.header("content-length").map(|v| v.parse().unwrap())
    }

    /// The body as announced: a `Content-Length` that was sent in full.
    fn complete(&self) -> bool {
        self.content_length() == Some(self.body.len())
    }
}

/// Sends one request (always with a `Content-Length`, `Connection: close`) and reads the
/// whole answer, keeping what arrived before the connection ended, cleanly or by a reset.
fn raw(sb: &Sandbox, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(sb.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        sb.addr(),
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut received = Vec::new();
    let mut buf = [0_u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                assert_ne!(e.kind(), std::io::ErrorKind::WouldBlock, "read timed out");
                assert_ne!(e.kind(), std::io::ErrorKind::TimedOut, "read timed out");
                break;
            }
        }
    }
    let end = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {received:?}"));
    let head = String::from_utf8(received[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    Raw {
        status,
        headers,
        body: received[end + 4..].to_vec(),
    }
}

/// The `nonce` of a well-formed digest challenge.
fn nonce_of(challenge: &str) -> String {
    let start = challenge.find("nonce=\"").unwrap() + "nonce=\"".len();
    let len = challenge[start..].find('"').unwrap();
    challenge[start..start + len].to_owned()
}

/// An `Authorization: Digest …` answering `nonce` as the owner key, computed with the
/// sandbox's own digest code (the digest itself is checked by curl and Python above).
fn digest_answer(nonce: &str, method: &str, uri: &str, nc: u32) -> String {
    let c = Credentials {
        username: demo::OWNER.public_key.to_owned(),
        realm: REALM.to_owned(),
        nonce: nonce.to_owned(),
        uri: uri.to_owned(),
        ..Credentials::default()
    };
    let nc = format!("{nc:08x}");
    let response = expected_response(&c, demo::OWNER.private_key, method, &nc, "raw-cnonce");
    format!(
        r#"Digest username="{}", realm="{REALM}", nonce="{nonce}", uri="{uri}", response="{response}", algorithm=MD5, qop=auth, nc={nc}, cnonce="raw-cnonce""#,
        c.username
    )
}

/// Challenge, then answer: the second exchange's result.
fn authorized(sb: &Sandbox, method: &str, path: &str, body: &[u8]) -> Raw {
    let json = [
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
    ];
    let challenge = raw(sb, method, path, &json, b"");
    assert_eq!(challenge.status, 401, "{challenge:?}");
    let nonce = nonce_of(challenge.header("www-authenticate").unwrap());
    let answer = digest_answer(&nonce, method, path, 1);
    let mut headers = json.to_vec();
    headers.push(("Authorization", &answer));
    raw(sb, method, path, &headers, body)
}

/// A GET of `path` whose digest answers `nonce` with nonce count `nc`.
fn get_answering(sb: &Sandbox, path: &str, nonce: &str, nc: u32) -> Raw {
    let answer = digest_answer(nonce, "GET", path, nc);
    raw(sb, "GET", path, &[("Authorization", &answer)], b"")
}

fn set_faults_over_http(sb: &Sandbox, json: &str) -> Raw {
    raw(sb, "PUT", "/__sandbox/faults", &[], json.as_bytes())
}

/// The faults as the control endpoint reports them (which must be answered in full).
fn faults_over_http(sb: &Sandbox) -> Value {
    let control = raw(sb, "GET", "/__sandbox/faults", &[], b"");
    assert!(control.complete(), "{control:?}");
    serde_json::from_slice(&control.body).unwrap()
}

const ORGS: &str = "/api/public/v1.0/orgs";

/// The organizations' first page, read with the owner's key: challenge, then answer.
fn orgs_as_owner(sb: &Sandbox) -> Raw {
    authorized(sb, "GET", ORGS, b"")
}

const LINK: &str = "/api/public/v1.0/orgs/5f1e2d3c4b5a697887766554/liveExport/migrationLink";

#[test]
fn redirect_to_answers_307_before_authentication() {
    let sb = sandbox();
    let put = set_faults_over_http(
        &sb,
        r#"{"redirectTo":"https://proxy.example/login?next=om"}"#,
    );
    assert_eq!(put.status, 200);
    let r = raw(&sb, "GET", ORGS, &[], b"");
    assert_eq!(r.status, 307, "{r:?}");
    assert_eq!(
        r.header("location"),
        Some("https://proxy.example/login?next=om")
    );
    assert!(r.body.is_empty() && r.complete(), "{r:?}");
    assert!(r.header("www-authenticate").is_none());
    // Even a request with a (made-up) digest is redirected: the proxy answers first.
    let r = raw(
        &sb,
        "GET",
        ORGS,
        &[("Authorization", &digest_answer("n", "GET", ORGS, 1))],
        b"",
    );
    assert_eq!(r.status, 307);
    let statuses: Vec<u16> = sb.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [307, 307]);
    // The control endpoint is spared; it refuses a Location that is not a header value.
    let bad = set_faults_over_http(&sb, r#"{"redirectTo":"https://a.example/\nx"}"#);
    assert_eq!(bad.status, 400, "{bad:?}");
    assert_eq!(
        sb.faults().redirect_to.as_deref(),
        Some("https://proxy.example/login?next=om")
    );
    sb.set_faults(Faults::default());
    assert_eq!(orgs_as_owner(&sb).status, 200);
}

#[test]
fn reset_mid_body_aborts_after_part_of_the_body() {
    let sb = sandbox();
    sb.set_faults(Faults {
        reset_mid_body: true,
        ..Faults::default()
    });
    let r = authorized(&sb, "POST", LINK, br#"{"linkToken":"t"}"#);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.content_length(), Some(r#"{"status":"SYNCED"}"#.len()));
    assert_eq!(r.body, br#"{"status":"SYN"#);
    assert!(!r.complete(), "fewer bytes than announced: {r:?}");
    // The answer replaced the endpoint: nothing was linked.
    assert_eq!(sb.is_linked(ORG), Some(false));
    let requests = sb.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    sb.clear_requests();
    // curl gets past the digest handshake and fails reading the body (18: partial file).
    let out = Command::new("curl")
        .args(["--silent", "--digest", "--noproxy", "*", "--user"])
        .arg(format!(
            "{}:{}",
            demo::OWNER.public_key,
            demo::OWNER.private_key
        ))
        .arg(api(&sb, "/orgs"))
        .output()
        .expect("curl is installed (make test installs it)");
    assert_eq!(out.status.code(), Some(18), "{out:?}");
    assert_eq!(out.stdout, br#"{"status":"SYN"#);
    assert_eq!(requests[0].status, 401, "the challenge is not damaged");
    assert_eq!(requests[1].user.as_deref(), Some(demo::OWNER.public_key));
    assert_eq!(requests[1].status, 200);
    // The control endpoint is spared.
    assert_eq!(faults_over_http(&sb)["resetMidBody"], true);
}

#[test]
fn malformed_json_keeps_the_success_status() {
    let sb = sandbox();
    set_faults_over_http(&sb, r#"{"malformedJson":true}"#);
    assert!(sb.faults().malformed_json);
    for (method, path, body, status) in [
        ("POST", LINK.to_owned(), &br#"{"linkToken":"t"}"#[..], 201),
        ("GET", format!("{LINK}/status"), &b""[..], 200),
        ("GET", ORGS.to_owned(), &b""[..], 200),
    ] {
        let r = authorized(&sb, method, &path, body);
        assert_eq!(r.status, status, "{method} {path}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r.complete(), "{r:?}");
        assert_eq!(r.body, br#"{"status":"SYNCED""#);
        assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    }
    assert_eq!(sb.is_linked(ORG), Some(false));
    // An unauthenticated request still gets a well-formed challenge.
    let r = raw(&sb, "GET", ORGS, &[], b"");
    assert_eq!(r.status, 401);
    assert!(serde_json::from_slice::<Value>(&r.body).is_ok());
    assert_eq!(faults_over_http(&sb)["malformedJson"], true);
}

#[test]
fn huge_body_sends_that_many_bytes_of_invalid_json() {
    let sb = sandbox();
    let size: usize = 3 * 1024 * 1024 + 5;
    set_faults_over_http(&sb, &format!(r#"{{"hugeBodyBytes":{size}}}"#));
    let r = orgs_as_owner(&sb);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.content_length(), Some(size));
    assert_eq!(r.body.len(), size);
    assert!(r.body.starts_with(br#"{"results":["#));
    assert!(r.body[12..].iter().all(|b| *b == b' '));
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    // Smaller than the prefix: cut short.
    sb.set_faults(Faults {
        huge_body_bytes: Some(5),
        ..Faults::default()
    });
    let r = orgs_as_owner(&sb);
    assert_eq!((r.status, r.body.as_slice()), (200, &br#"{"res"#[..]));
    assert!(r.complete());
    // The challenge and the control endpoint are spared.
    assert!(sb.requests().iter().any(|r| r.status == 401));
    assert_eq!(faults_over_http(&sb)["hugeBodyBytes"], 5);
}

#[test]
fn malformed_challenge_cannot_be_answered() {
    let sb = sandbox();
    set_faults_over_http(&sb, r#"{"malformedChallenge":true}"#);
    let r = raw(&sb, "GET", ORGS, &[], b"");
    assert_eq!(r.status, 401);
    let challenge = r.header("www-authenticate").unwrap();
    assert_eq!(
        challenge,
        format!(
            r#"Digest realm="MMS Public API, nonce={}"#,
            "x".repeat(5000)
        )
    );
    // curl finds nothing to answer: the request ends on that 401.
    let c = curl_owner("GET", &api(&sb, "/orgs"), None);
    assert_eq!(c.status, 401, "{}", c.body);
    assert!(sb.requests().iter().all(|r| r.user.is_none()));
    // The control endpoint is spared; clearing the fault restores the challenge.
    assert_eq!(set_faults_over_http(&sb, "{}").status, 200);
    assert_eq!(orgs_as_owner(&sb).status, 200);
}

#[test]
fn stale_nonce_count_refuses_valid_digests_as_stale() {
    let sb = sandbox();
    set_faults_over_http(&sb, r#"{"staleNonceCount":1}"#);
    let orgs = ORGS;
    let first = raw(&sb, "GET", orgs, &[], b"");
    let first_challenge = first.header("www-authenticate").unwrap();
    assert!(
        first_challenge.ends_with("stale=false"),
        "{first_challenge}"
    );
    let n1 = nonce_of(first_challenge);

    let refused = get_answering(&sb, orgs, &n1, 1);
    assert_eq!(refused.status, 401, "{refused:?}");
    let stale_challenge = refused.header("www-authenticate").unwrap();
    assert!(stale_challenge.ends_with("stale=true"), "{stale_challenge}");
    let n2 = nonce_of(stale_challenge);
    assert_ne!(n1, n2);
    assert_eq!(sb.faults().stale_nonce_count, 0, "the refusal was counted");

    // The stale nonce is gone: answering it again is plainly refused.
    let reused = get_answering(&sb, orgs, &n1, 2);
    assert_eq!(reused.status, 401);
    assert!(
        reused
            .header("www-authenticate")
            .unwrap()
            .ends_with("stale=false")
    );
    // The fresh nonce works.
    let ok = get_answering(&sb, orgs, &n2, 1);
    assert_eq!(ok.status, 200, "{ok:?}");
    let users: Vec<bool> = sb.requests().iter().map(|r| r.user.is_some()).collect();
    assert_eq!(users, [false, false, false, true]);

    // Python's requests answers stale=true on a request made with its cached nonce.
    sb.clear_requests();
    let results = python(
        PYTHON_STALE_CLIENT,
        &[sb.url(), demo::OWNER.public_key, demo::OWNER.private_key],
    );
    assert_eq!(results, serde_json::json!([200, 200]));
    assert_eq!(sb.faults().stale_nonce_count, 0);
    let statuses: Vec<u16> = sb.requests().iter().map(|r| r.status).collect();
    // Challenge and answer; then the cached nonce refused as stale, and the fresh one.
    assert_eq!(statuses, [401, 200, 401, 200]);
}

/// Python's requests: a first call, then `staleNonceCount: 1`, then a call with the cached
/// nonce, which it must answer again.
const PYTHON_STALE_CLIENT: &str = r#"
import json, sys
import requests
from requests.auth import HTTPDigestAuth
base, user, pw = sys.argv[1:4]
s = requests.Session()
s.auth = HTTPDigestAuth(user, pw)
s.trust_env = False
out = [s.get(base + "/api/public/v1.0/orgs").status_code]
control = requests.Session()
control.trust_env = False
control.put(base + "/__sandbox/faults", data='{"staleNonceCount":1}').raise_for_status()
out.append(s.get(base + "/api/public/v1.0/orgs").status_code)
print(json.dumps(out))
"#;

#[test]
fn bodies_are_not_recorded_when_record_bodies_is_off() {
    let token = br#"{"linkToken":"secret-link-token"}"#;
    let sb = Sandbox::start(SandboxConfig {
        record_bodies: false,
        ..Default::default()
    })
    .unwrap();
    let r = authorized(&sb, "POST", LINK, token);
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(sb.link_token(ORG).as_deref(), Some("secret-link-token"));
    let requests = sb.requests();
    assert_eq!(requests.len(), 2);
    let (challenge, answer) = (&requests[0], &requests[1]);
    assert!(!challenge.authorization && challenge.body_len == 0 && challenge.body.is_empty());
    assert!(answer.authorization);
    assert!(answer.body.is_empty());
    assert_eq!(answer.body_len, token.len());
    assert!(!format!("{requests:?}").contains("secret-link-token"));

    // The default records them.
    let sb = sandbox();
    authorized(&sb, "POST", LINK, token);
    let requests = sb.requests();
    assert_eq!(requests[1].body.as_ref(), token);
    assert_eq!(requests[1].body_len, token.len());
}

#[test]
fn a_bodiless_unauthenticated_link_post_gets_the_digest_challenge() {
    let sb = sandbox();
    // No body and no Content-Type, as a client fetching the challenge sends it.
    let r = raw(&sb, "POST", LINK, &[("Accept", "application/json")], b"");
    assert_eq!(r.status, 401, "not a 400: {r:?}");
    let challenge = r.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with(r#"Digest realm="MMS Public API", domain="", nonce=""#)
            && challenge.ends_with(r#"algorithm=MD5, qop="auth", stale=false"#),
        "{challenge}"
    );
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["error"], 401);
    assert!(body.get("errorCode").is_none());
    // The token goes only with the answer to that challenge.
    let answer = digest_answer(&nonce_of(challenge), "POST", LINK, 1);
    let r = raw(
        &sb,
        "POST",
        LINK,
        &[
            ("Accept", "application/json"),
            ("Content-Type", "application/json"),
            ("Authorization", &answer),
        ],
        br#"{"linkToken":"once"}"#,
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(sb.link_token(ORG).as_deref(), Some("once"));
    let lens: Vec<(bool, usize)> = sb
        .requests()
        .iter()
        .map(|r| (r.authorization, r.body_len))
        .collect();
    assert_eq!(lens, [(false, 0), (true, r#"{"linkToken":"once"}"#.len())]);
}

#[test]
fn new_faults_round_trip_over_the_control_endpoint() {
    let sb = sandbox();
    let json = r#"{"redirectTo":"https://x.example/","resetMidBody":true,"malformedJson":true,"hugeBodyBytes":10,"malformedChallenge":true,"staleNonceCount":3}"#;
    let put = set_faults_over_http(&sb, json);
    assert_eq!(put.status, 200, "{put:?}");
    let expected = Faults {
        redirect_to: Some("https://x.example/".into()),
        reset_mid_body: true,
        malformed_json: true,
        huge_body_bytes: Some(10),
        malformed_challenge: true,
        stale_nonce_count: 3,
        ..Faults::default()
    };
    assert_eq!(sb.faults(), expected);
    let get = raw(&sb, "GET", "/__sandbox/faults", &[], b"");
    assert_eq!(get.status, 200);
    let echoed: Faults = serde_json::from_slice(&get.body).unwrap();
    assert_eq!(echoed, expected);
    assert!(
        sb.requests().is_empty(),
        "control requests are not recorded"
    );
    assert_eq!(
        set_faults_over_http(&sb, r#"{"staleNonce":true}"#).status,
        400,
        "unknown fields are refused"
    );
}

#[test]
fn atlas_answers_any_later_version_date_with_the_newest_not_later() {
    let sb = sandbox();
    let url = format!(
        "{}/api/atlas/v2/groups/{}/clusters",
        sb.url(),
        omlink_sandbox::migrations::ATLAS_PROJECTS[0].id
    );
    let get = |accept: &str| {
        curl_accepting(
            accept,
            demo::ATLAS_OWNER.public_key,
            demo::ATLAS_OWNER.private_key,
            "GET",
            &url,
            None,
        )
    };
    let content_type = |c: &Curl| {
        c.headers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.trim().to_owned())
            .next_back()
    };
    // A date after 2024-08-05 gets 2024-08-05 (replicationSpecs per shard, regionConfigs).
    let later = get("application/vnd.atlas.2026-11-01+json");
    assert_eq!(later.status, 200, "{}", later.body);
    assert_eq!(
        content_type(&later).as_deref(),
        Some("application/vnd.atlas.2024-08-05+json")
    );
    let body: Value = serde_json::from_str(&later.body).unwrap();
    assert!(
        body["results"][0]["replicationSpecs"][0]["regionConfigs"].is_array(),
        "{body}"
    );
    // A date between the two gets the older one.
    let older = get("application/vnd.atlas.2024-01-01+json");
    assert_eq!(older.status, 200);
    assert_eq!(
        content_type(&older).as_deref(),
        Some("application/vnd.atlas.2023-01-01+json")
    );
    let body: Value = serde_json::from_str(&older.body).unwrap();
    assert_eq!(
        body["results"][0]["providerSettings"]["instanceSizeName"],
        "M40"
    );
    // No date, or one before the first version: 406, as Atlas answers.
    for accept in ["application/json", "application/vnd.atlas.2022-12-31+json"] {
        assert_eq!(get(accept).status, 406, "{accept}");
    }
}

#[test]
fn migration_knobs_round_trip_over_the_control_endpoint() {
    let sb = sandbox();
    let put = control_put(&sb, "migrations", r#"{"stepMs": 25, "failAfterSteps": 3}"#);
    let knobs: Value = serde_json::from_slice(&put.stdout).unwrap();
    assert_eq!(knobs["stepMs"], 25);
    assert_eq!(knobs["failAfterSteps"], 3);
    assert_eq!(
        knobs["validationError"],
        Value::Null,
        "absent fields take their defaults"
    );
    let get = Command::new("curl")
        .args(["--silent", "--noproxy", "*"])
        .arg(format!("{}/__sandbox/migrations", sb.url()))
        .output()
        .unwrap();
    let read: Value = serde_json::from_slice(&get.stdout).unwrap();
    assert_eq!(read, knobs);
}

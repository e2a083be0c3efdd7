//! The sandbox checked against two digest clients nobody here wrote — `curl --digest` and
//! Python's `requests.auth.HTTPDigestAuth` — and its answers checked against Ops Manager's
//! documented shapes. `make test` installs both clients; a missing one fails the test.

use std::process::Command;
use std::time::Duration;

use omlink_sandbox::demo::{self, RUNNING_MIGRATION_ORG};
use omlink_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

const ORG: &str = "5f1e2d3c4b5a697887766554";

fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).unwrap()
}

struct Curl {
    status: u16,
    headers: String,
    body: String,
}

/// `curl --digest` with Ops Manager's documented flags; `-D` keeps every response's headers.
fn curl(user: &str, password: &str, method: &str, url: &str, data: Option<&str>) -> Curl {
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
        "Accept: application/json",
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
    let out = cmd
        .arg(url)
        .output()
        .expect("curl is installed (make test installs it)");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let r = curl(
        demo::OWNER.public_key,
        demo::OWNER.private_key,
        "GET",
        &api(&sb, "/orgs?pageNum=2&itemsPerPage=4"),
        None,
    );
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
    let r = curl(
        demo::OWNER.public_key,
        demo::OWNER.private_key,
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

#[test]
fn faults_can_be_set_over_http() {
    let sb = sandbox();
    let put = Command::new("curl")
        .args([
            "--silent",
            "--noproxy",
            "*",
            "-X",
            "PUT",
            "--data",
            r#"{"serverError":502}"#,
        ])
        .arg(format!("{}/__sandbox/faults", sb.url()))
        .output()
        .unwrap();
    assert!(put.status.success());
    assert_eq!(sb.faults().server_error, Some(502));
    let r = curl(
        demo::OWNER.public_key,
        demo::OWNER.private_key,
        "GET",
        &api(&sb, "/orgs"),
        None,
    );
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
    let out = Command::new("python3")
        .args([
            "-c",
            PYTHON_CLIENT,
            &format!("{}/api/public/v1.0", sb.url()),
        ])
        .args([demo::OWNER.public_key, demo::OWNER.private_key, ORG])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python requests client failed (make test installs requests): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
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

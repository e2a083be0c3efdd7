use super::text::EXCERPT_LEN;
use super::*;

fn call(op: Operation) -> Call<'static> {
    Call {
        op,
        org: Some("5f1e2d3c4b5a697887766554"),
        host: "om.example.com:8443",
    }
}

fn map(status: u16, body: &str) -> Error {
    Error::from_api_response(status, None, body.as_bytes(), call(Operation::Link))
}

#[test]
fn the_two_kinds_of_401_are_told_apart() {
    let wrong_key = map(
        401,
        r#"{"detail":"You are not authorized for this resource.","error":401,"reason":"Unauthorized"}"#,
    );
    assert_eq!(wrong_key.kind, ErrorKind::AuthenticationFailed);
    assert!(wrong_key.hint.contains("API key pair"));

    let no_role = map(
        401,
        r#"{"detail":"Current user is not authorized to perform this action.","error":401,"errorCode":"USER_UNAUTHORIZED","parameters":[],"reason":"Unauthorized"}"#,
    );
    assert_eq!(no_role.kind, ErrorKind::PermissionDenied);
    assert_eq!(no_role.error_code.as_deref(), Some("USER_UNAUTHORIZED"));
    assert!(
        no_role.hint.contains("Organization Owner"),
        "{}",
        no_role.hint
    );
    assert!(no_role.hint.contains("5f1e2d3c4b5a697887766554"));

    assert_eq!(map(401, "").kind, ErrorKind::AuthenticationFailed);
    assert_eq!(
        map(401, r#"{"errorCode":"NOT_ORG_ADMIN"}"#).kind,
        ErrorKind::PermissionDenied
    );
}

#[test]
fn statuses_map_to_kinds() {
    for (status, kind) in [
        (400, ErrorKind::Rejected),
        (403, ErrorKind::PermissionDenied),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Rejected),
        (415, ErrorKind::Rejected),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::ServerError),
        (502, ErrorKind::ServerError),
        (302, ErrorKind::ServerError),
    ] {
        assert_eq!(map(status, "{}").kind, kind, "{status}");
    }
}

#[test]
fn access_list_and_conflict_hints_are_specific() {
    let e = map(
        403,
        r#"{"detail":"IP address 10.1.2.3 is not allowed to access this resource.","error":403,"errorCode":"IP_ADDRESS_NOT_ON_ACCESS_LIST","parameters":["10.1.2.3"],"reason":"Forbidden"}"#,
    );
    assert!(e.hint.contains("access list"));
    assert_eq!(e.parameters, vec![serde_json::json!("10.1.2.3")]);

    let e = Error::from_api_response(
        409,
        None,
        br#"{"detail":"Cannot delete organization link while there are active live export jobs.","error":409,"errorCode":"CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT","parameters":["60a1b2c3d4e5f60718293a4b"],"reason":"Conflict"}"#,
        call(Operation::Unlink),
    );
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert!(e.hint.contains("60a1b2c3d4e5f60718293a4b"), "{}", e.hint);
    assert!(e.message.contains("active live export jobs"));
}

#[test]
fn lenient_about_missing_and_null_fields() {
    let e = map(404, r#"{"errorCode":"ORG_NOT_FOUND","parameters":null}"#);
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.parameters.is_empty());
    assert_eq!(e.detail, None);
    let e = map(400, r#"{"detail":"Invalid link token."}"#);
    assert_eq!(e.error_code, None);
    assert!(e.hint.contains("generate a new one"));
}

#[test]
fn html_bodies_become_short_excerpts() {
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "x".repeat(5000)
    );
    let e = map(502, &page);
    assert_eq!(e.kind, ErrorKind::ServerError);
    assert_eq!(e.detail.as_deref(), Some("502 Bad Gateway"));
    assert!(e.hint.contains("proxy"));

    let e = map(500, &format!("<p>{}</p>", "word ".repeat(200)));
    let detail = e.detail.unwrap();
    assert!(detail.chars().count() <= EXCERPT_LEN + 1 && detail.ends_with('…'));
    assert!(!detail.contains('<'));
}

#[test]
fn retry_after_is_read() {
    let e = Error::from_api_response(429, Some("17"), b"{}", call(Operation::Link));
    assert_eq!(e.retry_after_secs, Some(17));
    assert!(e.hint.contains("17 seconds"));
}

#[test]
fn serializes_as_a_tagged_object() {
    let e = map(401, r#"{"detail":"d","errorCode":"USER_UNAUTHORIZED"}"#);
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "PermissionDenied");
    assert_eq!(json["httpStatus"], 401);
    assert_eq!(json["errorCode"], "USER_UNAUTHORIZED");
    assert_eq!(json["detail"], "d");
    assert!(
        json["hint"]
            .as_str()
            .unwrap()
            .contains("Organization Owner")
    );
    let back: Error = serde_json::from_value(json).unwrap();
    assert_eq!(back, e);
}

#[test]
fn server_text_is_made_safe_for_a_terminal() {
    let e = map(
        400,
        "{\"detail\":\"\\u001b]0;pwned\\u0007\\u001b[2Jbad\\u202etoken\",\"errorCode\":\"X\\u001b[1mY\",\"parameters\":[{\"a\":[\"\\u001b[31mz\"]}]}",
    );
    let json = serde_json::to_string(&e).unwrap();
    assert!(
        !json.contains("\\u001b") && !json.contains('\u{1b}'),
        "{json}"
    );
    assert_eq!(e.detail.as_deref(), Some("badtoken"));
    assert_eq!(e.error_code.as_deref(), Some("XY"));
    assert_eq!(e.parameters[0]["a"][0], "z");
    assert!(!e.message.contains('\u{202e}'));
    let html = map(502, "<title>\u{1b}[31mBad\u{7}</title>");
    assert_eq!(html.detail.as_deref(), Some("Bad"));
}

#[test]
fn redirects_name_the_location_without_credentials() {
    let e = Error::redirected(
        call(Operation::Link),
        307,
        Some("http://user:s3cret@other.example.com/api"),
    );
    assert_eq!(e.kind, ErrorKind::ServerError);
    assert_eq!(e.http_status, Some(307));
    assert!(
        e.message.contains("http://***@other.example.com/api"),
        "{}",
        e.message
    );
    assert!(!serde_json::to_string(&e).unwrap().contains("s3cret"));
}

#[test]
fn exit_codes_are_stable() {
    let codes: Vec<(ErrorKind, u8)> = ErrorKind::ALL.iter().map(|k| (*k, k.exit_code())).collect();
    for (kind, code) in [
        (ErrorKind::InvalidInput, 2),
        (ErrorKind::AuthenticationFailed, 3),
        (ErrorKind::PermissionDenied, 4),
        (ErrorKind::NotFound, 5),
        (ErrorKind::Rejected, 6),
        (ErrorKind::Network, 7),
        (ErrorKind::Tls, 7),
        (ErrorKind::ServerError, 8),
        (ErrorKind::RateLimited, 8),
        (ErrorKind::Keychain, 9),
        (ErrorKind::Storage, 11),
        (ErrorKind::Internal, 12),
    ] {
        assert!(codes.contains(&(kind, code)), "{kind:?}");
    }
    let table = exit_code_table();
    assert!(table.starts_with("  0  success\n"));
    for code in codes.iter().map(|(_, c)| *c) {
        let line = table
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{code} ")))
            .unwrap_or_else(|| panic!("code {code} is in the table:\n{table}"));
        assert!(line.len() > 8, "code {code} is explained: {line}");
    }
}

#[test]
fn redact_scrubs_every_text() {
    let e = map(
        400,
        r#"{"detail":"bad token SECRET-TOKEN-123","parameters":["SECRET-TOKEN-123",{"t":["SECRET-TOKEN-123"]}]}"#,
    )
    .redact("SECRET-TOKEN-123");
    let json = serde_json::to_string(&e).unwrap();
    assert!(!json.contains("SECRET-TOKEN-123"), "{json}");
    assert!(json.contains("<redacted>"));
}

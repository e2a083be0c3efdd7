use super::send::{scrub, unwrap_envelope};
use super::*;
use crate::ca_file::load_ca_file;
use reqwest::header::{HeaderMap, HeaderValue};

#[test]
fn envelope_is_unwrapped_with_either_field_name() {
    let (s, b) = unwrap_envelope(br#"{"status":201,"content":{"status":"SYNCED"}}"#).unwrap();
    assert_eq!(
        (s, b.as_slice()),
        (201, br#"{"status":"SYNCED"}"#.as_slice())
    );
    let (s, b) =
        unwrap_envelope(br#"{"status":404,"envelope":{"errorCode":"ORG_NOT_FOUND"}}"#).unwrap();
    assert_eq!(s, 404);
    assert!(String::from_utf8(b).unwrap().contains("ORG_NOT_FOUND"));
    assert_eq!(
        unwrap_envelope(br#"{"status":204}"#).unwrap(),
        (204, Vec::new())
    );
    assert!(unwrap_envelope(br#"{"status":"SYNCED"}"#).is_none());
    assert!(unwrap_envelope(b"<html>").is_none());
}

#[test]
fn no_link_needs_ops_managers_json() {
    let none = HeaderMap::new();
    assert!(means_no_link(&none, br#"{"detail":"No link","error":404}"#));
    assert!(!means_no_link(
        &none,
        br#"{"errorCode":"ORG_NOT_FOUND","error":404,"detail":"x"}"#
    ));
    assert!(!means_no_link(
        &none,
        b"<html><title>404 Not Found</title></html>"
    ));
    // A gateway's JSON 404 is not Ops Manager's.
    assert!(!means_no_link(&none, br#"{"message":"Not Found"}"#));
    let mut om = HeaderMap::new();
    om.insert(
        SERVICE_VERSION_HEADER,
        HeaderValue::from_static("versionString=8.0"),
    );
    assert!(means_no_link(&om, br#"{"message":"Not Found"}"#));
}

#[test]
fn scrub_removes_the_secret_in_every_spelling() {
    let body = br#"{"detail":"bad token ab/cd+ef== and ab\/cd+ef=="}"#.to_vec();
    let out = String::from_utf8(scrub(body, "ab/cd+ef==")).unwrap();
    assert!(!out.contains("cd+ef"), "{out}");
    assert_eq!(out.matches("<redacted>").count(), 2);
}

#[test]
fn ca_file_problems_are_one_error_that_reveals_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pem");
    std::fs::write(&big, vec![b'A'; 1024 * 1024 + 1]).unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "\n").unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "this is not a certificate\n").unwrap();
    let mut paths = vec![
        dir.path().join("missing.pem"),
        dir.path().to_path_buf(),
        big,
        empty,
        garbage,
    ];
    if cfg!(unix) {
        paths.push("/dev/zero".into());
        paths.push("/etc/shadow".into());
    }
    for path in paths {
        let err = load_ca_file(&path).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert_eq!(
            err.message,
            format!("The CA file {} is not a readable PEM file", path.display())
        );
    }
}

use super::*;

fn message(check: FieldCheck) -> String {
    match check {
        FieldCheck::Invalid { message, .. } => message,
        valid @ FieldCheck::Valid { .. } => panic!("accepted: {valid:?}"),
    }
}

#[test]
fn an_org_id_comes_back_lower_cased_and_a_bad_one_says_why() {
    assert_eq!(
        check_field(Field::OrgId, " 5F1E2D3C4B5A697887766554 "),
        FieldCheck::valid("5f1e2d3c4b5a697887766554".to_owned())
    );
    assert!(message(check_field(Field::OrgId, "5f1e")).contains("has 4 characters"));
    assert!(message(check_field(Field::OrgId, "5f1g")).contains("'g'"));
    assert!(message(check_field(Field::OrgId, "  ")).contains("empty"));
}

#[test]
fn a_link_token_is_never_echoed_only_masked() {
    let token = "abcdEFGHijklMNOPqrst";
    let check = check_field(Field::LinkToken, &format!("  {token}\n"));
    assert_eq!(
        check,
        FieldCheck::Valid {
            value: String::new(),
            values: Vec::new(),
            shown: "abcd…qrst".to_owned(),
        }
    );
    let json = serde_json::to_string(&check).unwrap();
    assert!(!json.contains(token), "{json}");
    let bad = check_field(Field::LinkToken, "abc\u{7}def-secret");
    assert!(message(bad.clone()).contains("control"), "{bad:?}");
    assert!(!serde_json::to_string(&bad).unwrap().contains("def-secret"));
    let long = "x".repeat(crate::MAX_LINK_TOKEN_LEN + 1);
    assert!(message(check_field(Field::LinkToken, &long)).contains("bytes long"));
}

#[test]
fn an_access_list_is_split_checked_canonical_and_deduplicated() {
    let check = check_field(
        Field::AccessList,
        "203.0.113.7, 198.51.100.0/24;2001:DB8::/32\n203.0.113.7",
    );
    assert_eq!(
        check,
        FieldCheck::Valid {
            value: String::new(),
            values: vec![
                "203.0.113.7".to_owned(),
                "198.51.100.0/24".to_owned(),
                "2001:db8::/32".to_owned()
            ],
            shown: "203.0.113.7, 198.51.100.0/24, 2001:db8::/32".to_owned(),
        }
    );
    assert_eq!(
        check_field(Field::AccessList, " "),
        FieldCheck::Valid {
            value: String::new(),
            values: Vec::new(),
            shown: String::new()
        }
    );
    assert!(message(check_field(Field::AccessList, "10.0.0.1/24")).contains("10.0.0.0/24"));
    assert!(message(check_field(Field::AccessList, "10.0.0.0/33")).contains("32"));
    assert!(message(check_field(Field::AccessList, "nope")).contains("\"nope\""));
}

#[test]
fn a_server_url_needs_a_scheme_and_a_host() {
    assert!(matches!(
        check_field(Field::ServerUrl, " https://om.example.com:8443 "),
        FieldCheck::Valid { .. }
    ));
    assert!(message(check_field(Field::ServerUrl, "om.example.com")).contains("no scheme"));
    assert!(message(check_field(Field::ServerUrl, "ftp://om.example.com")).contains("ftp://"));
}

#[test]
fn the_wire_shape_is_tagged_by_state() {
    let json = serde_json::to_value(check_field(Field::OrgId, "x")).unwrap();
    assert_eq!(json["state"], "invalid");
    assert!(json["hint"].as_str().unwrap().contains("24 characters"));
    let field: Field = serde_json::from_str("\"accessList\"").unwrap();
    assert_eq!(field, Field::AccessList);
}

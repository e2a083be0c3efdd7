use super::*;
use crate::ErrorKind;
use crate::access_list::{AccessListEntry, parse_access_list};
use crate::atlas::ATLAS_URL;
use crate::book::ProfileBook;
use crate::profile::ProfileDraft;

fn draft(name: &str) -> AtlasDraft {
    AtlasDraft {
        name: name.into(),
        user: "mdb_sa_id_0123".into(),
        ..AtlasDraft::default()
    }
}

/// A book holding one Atlas connection, and that connection.
fn book_with_connection() -> (ProfileBook, AtlasConnection) {
    let mut book = ProfileBook::default();
    let c = book.validate_atlas(None, &draft("Atlas")).unwrap();
    book.upsert_atlas(c.clone());
    (book, c)
}

#[test]
fn atlas_connections_validate_and_default_to_atlas() {
    let mut book = ProfileBook::default();
    let c = book.validate_atlas(None, &draft(" Atlas ")).unwrap();
    assert_eq!(c.name, "Atlas");
    assert_eq!(c.url.as_str(), ATLAS_URL);
    assert_eq!(c.auth, AtlasAuth::ServiceAccount);
    assert!(!c.has_secret);
    book.upsert_atlas(AtlasConnection {
        has_secret: true,
        ..c.clone()
    });
    assert!(book.find_atlas_by_name("atlas").is_some());
    // Same name again: refused; an edit keeps the id and the secret, unless the sign-in
    // method changes.
    assert!(book.validate_atlas(None, &draft("ATLAS")).is_err());
    let edited = book.validate_atlas(Some(&c.id), &draft("Atlas")).unwrap();
    assert!(edited.has_secret);
    let switched = book
        .validate_atlas(
            Some(&c.id),
            &AtlasDraft {
                auth: AtlasAuth::ApiKey,
                user: "abcdefgh".into(),
                ..draft("Atlas")
            },
        )
        .unwrap();
    assert!(!switched.has_secret);
    for bad in [
        draft(""),
        AtlasDraft {
            user: "has space".into(),
            ..draft("a")
        },
        AtlasDraft {
            user: "id:with:colons".into(),
            ..draft("b")
        },
        AtlasDraft {
            url: "cloud.mongodb.com".into(),
            ..draft("c")
        },
        AtlasDraft {
            timeout_secs: 99_999,
            ..draft("d")
        },
    ] {
        assert_eq!(
            book.validate_atlas(None, &bad).unwrap_err().kind,
            ErrorKind::InvalidInput,
            "{bad:?}"
        );
    }
}

#[test]
fn a_profile_names_its_atlas_connection_and_loses_it_with_the_connection() {
    let (mut book, c) = book_with_connection();
    let link = AtlasLink {
        connection: c.id.clone(),
        org: Some(OrgId::new("6a1b2c3d4e5f60718293a4b5").unwrap()),
        org_name: Some(" Atlas Production ".into()),
        access_list_ips: vec![" 203.0.113.7 ".into(), String::new(), "::1".into()],
    };
    let checked = book.validate_atlas_link(&link).unwrap();
    assert_eq!(checked.access_list_ips, ["203.0.113.7", "::1"]);
    assert_eq!(checked.org_name.as_deref(), Some("Atlas Production"));
    let bad_ip = AtlasLink {
        access_list_ips: vec!["203.0.113".into()],
        ..link.clone()
    };
    assert!(book.validate_atlas_link(&bad_ip).is_err());

    let mut profile = book
        .validate(
            None,
            &ProfileDraft {
                name: "Prod".into(),
                url: "https://om.example.com".into(),
                public_key: "abcdefgh".into(),
                atlas: Some(link),
                ..ProfileDraft::default()
            },
        )
        .unwrap();
    assert_eq!(profile.atlas, Some(checked));
    book.upsert(profile.clone());
    assert!(book.remove_atlas(&c.id).is_some());
    profile.atlas = None;
    assert_eq!(book.profiles, [profile]);
    let unknown = book.validate_atlas_link(&AtlasLink {
        connection: c.id.clone(),
        org: None,
        org_name: None,
        access_list_ips: Vec::new(),
    });
    assert_eq!(unknown.unwrap_err().kind, ErrorKind::InvalidInput);
}

fn texts(raw: &[&str]) -> Result<Vec<String>, Error> {
    let raw: Vec<String> = raw.iter().map(|&s| s.to_owned()).collect();
    parse_access_list(&raw).map(|list| list.iter().map(ToString::to_string).collect())
}

#[test]
fn access_lists_take_addresses_and_write_them_canonically() {
    assert_eq!(
        texts(&[" 203.0.113.7 ", "", "  ", "::1", "2001:DB8:0:0:0:0:0:7"]).unwrap(),
        ["203.0.113.7", "::1", "2001:db8::7"]
    );
    let entry: AccessListEntry = "203.0.113.7".parse().unwrap();
    assert_eq!(entry.prefix(), None);
    assert_eq!(entry, AccessListEntry::from(entry.addr()));
    assert!(texts(&[]).unwrap().is_empty());
}

#[test]
fn access_lists_take_v4_and_v6_cidr_blocks() {
    assert_eq!(
        texts(&[
            "198.51.100.0/24",
            "203.0.113.7/32",
            "0.0.0.0/0",
            "2001:db8::/32",
            "2001:0DB8:0000::/48",
            "2001:db8::7/128",
            "::/0",
        ])
        .unwrap(),
        [
            "198.51.100.0/24",
            "203.0.113.7/32",
            "0.0.0.0/0",
            "2001:db8::/32",
            "2001:db8::/48",
            "2001:db8::7/128",
            "::/0",
        ]
    );
    let block = AccessListEntry::parse("198.51.100.0/24").unwrap();
    assert_eq!(block.prefix(), Some(24));
    assert_eq!(block.addr().to_string(), "198.51.100.0");
    assert_eq!(block.to_string(), "198.51.100.0/24");
}

#[test]
fn a_block_with_host_bits_set_is_refused_naming_the_block_meant() {
    for (bad, meant) in [
        ("198.51.100.7/24", "198.51.100.0/24"),
        ("10.1.2.3/8", "10.0.0.0/8"),
        ("203.0.113.7/0", "0.0.0.0/0"),
        ("2001:db8::1/32", "2001:db8::/32"),
        ("2001:db8:abcd:12::1/60", "2001:db8:abcd:10::/60"),
    ] {
        let err = texts(&["203.0.113.7", bad]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad}");
        assert!(
            err.message.contains(&format!("\"{bad}\"")),
            "{}",
            err.message
        );
        assert!(err.message.contains("host bits are set"), "{}", err.message);
        assert!(err.message.contains(meant), "{bad}: {}", err.message);
        assert!(err.hint.contains(meant), "{bad}: {}", err.hint);
    }
}

#[test]
fn a_prefix_longer_than_the_address_is_refused() {
    for (bad, max) in [
        ("198.51.100.0/33", "32"),
        ("198.51.100.0/255", "32"),
        ("198.51.100.0/256", "32"),
        ("2001:db8::/129", "128"),
        ("2001:db8::/99999", "128"),
    ] {
        let err = AccessListEntry::parse(bad).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad}");
        assert!(
            err.message.contains(&format!("\"{bad}\"")),
            "{}",
            err.message
        );
        assert!(
            err.message.contains(&format!("longer than {max} bits")),
            "{}",
            err.message
        );
    }
}

#[test]
fn garbage_is_refused_naming_the_entry() {
    for bad in [
        "203.0.113",
        "203.0.113.256",
        "203.0.113.07",
        "opsmanager.example.com",
        "2001:db8::7::1",
        "[::1]",
        "fe80::1%eth0",
        "198.51.100.0/",
        "/24",
        "198.51.100.0/+24",
        "198.51.100.0/-1",
        "198.51.100.0/024",
        "198.51.100.0/24/8",
        "198.51.100.0 /24",
        "198.51.100.0/ 24",
        "198.51.100.0/2a",
        "203.0.113.7-203.0.113.9",
    ] {
        let err = texts(&["203.0.113.7", bad]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad}");
        assert_eq!(
            err.message,
            format!("\"{bad}\" is not an IP address or CIDR block"),
            "{bad}"
        );
        assert!(err.hint.contains("CIDR"), "{}", err.hint);
    }
}

#[test]
fn a_link_keeps_its_blocks_normalized() {
    let (book, c) = book_with_connection();
    let link = AtlasLink {
        connection: c.id.clone(),
        org: None,
        org_name: None,
        access_list_ips: vec![" 198.51.100.0/24".into(), "2001:DB8::/32 ".into()],
    };
    let checked = book.validate_atlas_link(&link).unwrap();
    assert_eq!(
        checked.access_list_ips,
        ["198.51.100.0/24", "2001:db8::/32"]
    );
    let host_bits = AtlasLink {
        access_list_ips: vec!["198.51.100.7/24".into()],
        ..link
    };
    let err = book.validate_atlas_link(&host_bits).unwrap_err();
    assert!(err.message.contains("198.51.100.0/24"), "{}", err.message);
}

use super::*;

const TOKEN: &str = "eyJsaW5rIjoidG9rZW4ifQ-SECRET-MIDDLE-9f8e";

#[test]
fn history_ids_have_the_shape_of_omlinks_own_ids() {
    assert!(HistoryId::new(HistoryId::generate().as_str()).is_ok());
    assert!(HistoryId::new("a1b2-c3").is_ok());
    for bad in ["", "ABC", "a b", "a/b", &"a".repeat(65)] {
        assert!(HistoryId::new(bad).is_err(), "{bad:?}");
    }
    // As the window sends it: a bad id is refused while the arguments are parsed.
    assert!(serde_json::from_str::<HistoryId>("\"../../etc\"").is_err());
}

fn entry(org: &str, at: &str, outcome: Outcome) -> HistoryEntry {
    HistoryEntry {
        at: at.into(),
        ..HistoryEntry::new(
            ProfileId::new("p1").unwrap(),
            "Prod, \"main\"".into(),
            OrgId::new(org).unwrap(),
            Some("Payments".into()),
            &LinkToken::new(TOKEN).unwrap(),
            outcome,
        )
    }
}

#[test]
fn masks_and_fingerprints_without_revealing() {
    assert_eq!(mask_token(TOKEN), "eyJs…9f8e");
    assert_eq!(mask_token("0123456789ab"), "•••• (12 characters)");
    assert_eq!(mask_token("ééééxxxxxxxxxßßßß"), "éééé…ßßßß");
    let fp = fingerprint(TOKEN);
    assert_eq!(fp.len(), 12);
    assert_eq!(fp, fingerprint(TOKEN));
    assert_ne!(fp, fingerprint("another token value"));
}

#[test]
fn filters_by_org_newest_first() {
    let a = "5f1e2d3c4b5a697887766554";
    let b = "5f1e2d3c4b5a697887766555";
    let entries = vec![
        entry(a, "2026-01-01T00:00:00Z", Outcome::Cancelled),
        entry(b, "2026-01-02T00:00:00Z", Outcome::Cancelled),
        entry(
            a,
            "2026-01-03T00:00:00Z",
            Outcome::Linked {
                status: LinkStatus::Synced,
            },
        ),
    ];
    let only_a = filter_by_org(&entries, Some(&OrgId::new(a).unwrap()));
    assert_eq!(
        only_a.iter().map(|e| e.at.as_str()).collect::<Vec<_>>(),
        ["2026-01-03T00:00:00Z", "2026-01-01T00:00:00Z"]
    );
    assert_eq!(filter_by_org(&entries, None).len(), 3);
}

#[test]
fn exports_hold_no_token() {
    let failed = Error::from_api_response(
        401,
        None,
        br#"{"errorCode":"USER_UNAUTHORIZED"}"#,
        crate::error::Call {
            op: crate::error::Operation::Link,
            org: None,
            host: "h",
        },
    );
    let entries = [
        HistoryEntry {
            generated_in: Some(crate::AtlasOrigin {
                org_id: OrgId::new("6a1b2c3d4e5f60718293a4b5").unwrap(),
                org_name: Some("Atlas Production".into()),
            }),
            ..entry(
                "5f1e2d3c4b5a697887766554",
                "2026-01-01T00:00:00Z",
                Outcome::Linked {
                    status: LinkStatus::Synced,
                },
            )
        },
        entry(
            "5f1e2d3c4b5a697887766554",
            "2026-01-02T00:00:00Z",
            Outcome::failed(&failed),
        ),
    ];
    let refs: Vec<&HistoryEntry> = entries.iter().collect();
    let csv = export_csv(&refs);
    let json = export_json(&refs);
    for text in [&csv, &json] {
        assert!(!text.contains("SECRET-MIDDLE"), "{text}");
        assert!(text.contains("eyJs…9f8e"));
    }
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "time,profile,org_id,org_name,token_mask,token_fingerprint,outcome,http_status,\
         generated_in_atlas_org"
    );
    assert!(
        lines[1].contains("\"Prod, \"\"main\"\"\""),
        "CSV quoting: {}",
        lines[1]
    );
    assert!(lines[1].ends_with(",SYNCED,,Atlas Production (6a1b2c3d4e5f60718293a4b5)"));
    assert!(lines[2].ends_with(",PermissionDenied USER_UNAUTHORIZED,401,"));
    let back: Vec<HistoryEntry> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, entries);
}

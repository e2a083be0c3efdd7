//! The link file's one parser (the CLI's `--from` and the window's import use it).

use omlink::{ErrorKind, parse_link_file};

use crate::{ORG, TOKEN};

#[test]
fn rows_give_a_token_or_an_atlas_org_with_names_comments_and_blank_lines() {
    let atlas = "6a1b2c3d4e5f60718293a4b5";
    let text = format!(
        "# fleet\nName,ORG,token,atlas_org\nSales,{ORG},{TOKEN},\n\n,5f1e2d3c4b5a697887766555,,{atlas}\n"
    );
    let file = parse_link_file(&text, "links.csv").unwrap();
    assert_eq!(file.items.len(), 2);
    assert_eq!(file.items[0].name.as_deref(), Some("Sales"));
    assert_eq!(file.items[0].token.as_ref().unwrap().expose(), TOKEN);
    assert!(file.items[1].token.is_none());
    assert_eq!(file.mint[&file.items[1].org].as_str(), atlas);
}

#[test]
fn every_bad_row_is_listed_with_its_line_and_the_file_is_refused_whole() {
    let text = format!("org,token\n{ORG},{TOKEN}\nnot-an-id,{TOKEN}\n{ORG},{TOKEN}-2\n");
    let bad = parse_link_file(&text, "links.csv").unwrap_err();
    assert_eq!(bad.error.kind, ErrorKind::InvalidInput);
    assert_eq!(
        bad.error.message,
        "links.csv has 2 bad row(s); nothing was sent"
    );
    assert_eq!(bad.rows.len(), 2, "{:?}", bad.rows);
    assert!(bad.rows[0].starts_with("line 3: "), "{:?}", bad.rows);
    assert_eq!(
        bad.rows[1],
        format!("line 4: organization {ORG} is already on line 2")
    );
    // No token in any message.
    assert!(!format!("{bad:?}").contains(TOKEN));
}

#[test]
fn a_file_without_the_header_or_without_rows_says_what_it_needs() {
    for text in ["5f1e2d3c4b5a697887766554,abc\n", "org,name\nx,y\n"] {
        let bad = parse_link_file(text, "-").unwrap_err();
        assert!(bad.error.message.contains("no header row"), "{bad:?}");
        assert!(bad.error.hint.contains("org,token"), "{bad:?}");
        assert!(bad.rows.is_empty());
    }
    let bad = parse_link_file("org,token\n# nothing yet\n", "-").unwrap_err();
    assert_eq!(bad.error.message, "- names no organization");
}

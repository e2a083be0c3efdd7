//! The link file: the CSV of organizations and their tokens (or the Atlas organization to
//! generate each token in) that `omlink link --from` and the window's batch import read. One
//! parser, here, for both.

use std::collections::HashMap;

use crate::batch::BatchItem;
use crate::error::Error;
use crate::secret::LinkToken;
use crate::validate::OrgId;

/// A checked link file: the organizations, and for rows that name an Atlas organization
/// instead of a token, that Atlas organization (a token is generated for each such row).
#[derive(Debug)]
pub struct LinkFile {
    /// Every organization, with its token when the row gave one.
    pub items: Vec<BatchItem>,
    /// The Atlas organization of each row without a token.
    pub mint: HashMap<OrgId, OrgId>,
}

/// A link file refused whole: the error, and each bad row with its line number.
#[derive(Debug)]
pub struct BadLinkFile {
    /// What to tell the person ("… has 2 bad row(s); nothing was sent").
    pub error: Error,
    /// `line N: what is wrong`, one per bad row.
    pub rows: Vec<String>,
}

impl From<Error> for BadLinkFile {
    fn from(error: Error) -> Self {
        Self {
            error,
            rows: Vec::new(),
        }
    }
}

/// The header row of one of omlink's CSV files.
pub(crate) struct Header(csv::StringRecord);

impl Header {
    /// Where the column named `name` (any case) is.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|h| h.eq_ignore_ascii_case(name))
    }
}

/// The CSV reader of omlink's files (link files, migration plans): a header row, `#`
/// comments, rows of any length, cells trimmed.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) with `hint` when the header
/// cannot be read.
pub(crate) fn csv_with_header<'t>(
    text: &'t str,
    source: &str,
    hint: &str,
) -> Result<(csv::Reader<&'t [u8]>, Header), Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::invalid_input(format!("{source}: {e}"), hint))?
        .clone();
    Ok((reader, Header(headers)))
}

/// Checks a whole link file before anything is sent: a header row naming `org` and `token`
/// or `atlas_org` (other columns, such as `name`, ignored or used), blank lines and `#`
/// comments allowed. A row gives a token, or an Atlas organization to generate one in; an
/// organization may appear once. `source` names the file in messages.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the text has no such
/// header, has a bad row (every one is listed) or names no organization.
pub fn parse_link_file(text: &str, source: &str) -> Result<LinkFile, BadLinkFile> {
    let hint = "The file needs a header row naming org and token (or atlas_org, to mint a \
                token per row in Atlas), such as:\n  org,token\n  \
                5f1e2d3c4b5a697887766554,<token>";
    let (mut reader, header) = csv_with_header(text, source, hint)?;
    let column = |name: &str| header.column(name);
    let (org_col, token_col, atlas_col) = (column("org"), column("token"), column("atlas_org"));
    let Some(org_col) = org_col.filter(|_| token_col.is_some() || atlas_col.is_some()) else {
        return Err(Error::invalid_input(
            format!("{source} has no header row naming org and token (or atlas_org)"),
            hint,
        )
        .into());
    };
    let mut mint = HashMap::new();
    let name_col = column("name");
    let mut items = Vec::new();
    let mut bad = Vec::new();
    let mut seen = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                bad.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let org = OrgId::new(record.get(org_col).unwrap_or(""));
        let cell = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("");
        // A row with a token uses it; a row with only an Atlas organization mints one there.
        let (token, atlas) = match (cell(token_col), cell(atlas_col)) {
            ("", "") if atlas_col.is_some() => (
                Err(Error::invalid_input(
                    "The row has neither a token nor an atlas_org",
                    "",
                )),
                None,
            ),
            ("", atlas) if atlas_col.is_some() => match OrgId::new(atlas) {
                Ok(atlas) => (Ok(None), Some(atlas)),
                Err(e) => (
                    Err(Error::invalid_input(
                        format!("atlas_org: {}", e.message),
                        "",
                    )),
                    None,
                ),
            },
            (token, _) => (LinkToken::new(token).map(Some), None),
        };
        match (org, token) {
            (Ok(org), Ok(token)) => {
                if let Some(first) = seen.insert(org.clone(), line) {
                    bad.push(format!(
                        "line {line}: organization {org} is already on line {first}"
                    ));
                    continue;
                }
                if let Some(atlas) = atlas {
                    mint.insert(org.clone(), atlas);
                }
                items.push(BatchItem {
                    org,
                    name: name_col
                        .and_then(|c| record.get(c))
                        .filter(|n| !n.is_empty())
                        .map(crate::sanitize),
                    token,
                });
            }
            (Err(e), _) | (_, Err(e)) => bad.push(format!("line {line}: {}", e.message)),
        }
    }
    if !bad.is_empty() {
        let error = Error::invalid_input(
            format!("{} has {} bad row(s); nothing was sent", source, bad.len()),
            "Fix the rows listed above, then run again.",
        );
        return Err(BadLinkFile { error, rows: bad });
    }
    if items.is_empty() {
        return Err(Error::invalid_input(format!("{source} names no organization"), hint).into());
    }
    Ok(LinkFile { items, mint })
}

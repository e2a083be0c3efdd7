//! The window's as-you-type checks, by the very rules the core applies before any request: an
//! organization id, a link token (and how it is shown), an access list and a server URL. The
//! window keeps no copy of these rules; it asks here as the person types.

use serde::{Deserialize, Serialize};

use crate::access_list::AccessListEntry;
use crate::error::Error;
use crate::history::mask_token;
use crate::secret::LinkToken;
use crate::validate::{BaseUrl, OrgId};

/// A field the window checks as the person types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Field {
    /// An Ops Manager, Cloud Manager or Atlas organization id ([`OrgId`]).
    OrgId,
    /// A link token ([`LinkToken`]): never echoed back, only shown masked.
    LinkToken,
    /// A link token's access list: IP addresses or CIDR blocks separated by commas, semicolons
    /// or white space ([`AccessListEntry`]).
    AccessList,
    /// An Ops Manager, Cloud Manager or Atlas URL ([`BaseUrl`]).
    ServerUrl,
}

/// What the core makes of a field's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum FieldCheck {
    /// The text is accepted.
    #[serde(rename_all = "camelCase")]
    Valid {
        /// The value as the core will use it (an id lower-cased, a URL trimmed); empty for a
        /// link token, which never goes back to the window.
        value: String,
        /// An access list's entries, each written as Atlas is sent it, duplicates dropped;
        /// empty for the other fields.
        values: Vec<String>,
        /// How to show it: a link token masked ([`mask_token`]), the others as `value` (an
        /// access list joined with commas).
        shown: String,
    },
    /// The text is refused: the core's message and hint, as a request would get them.
    #[serde(rename_all = "camelCase")]
    Invalid {
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: String,
    },
}

impl FieldCheck {
    fn valid(value: String) -> Self {
        Self::Valid {
            shown: value.clone(),
            value,
            values: Vec::new(),
        }
    }
}

impl From<Error> for FieldCheck {
    fn from(e: Error) -> Self {
        Self::Invalid {
            message: e.message,
            hint: e.hint,
        }
    }
}

/// The entries of an access list typed as one text: separated by commas, semicolons or white
/// space, each checked ([`AccessListEntry::parse`]) and written canonically, duplicates dropped.
/// Empty text is an empty list (Cloud Manager needs none).
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the first bad entry.
pub fn parse_access_list_text(text: &str) -> Result<Vec<AccessListEntry>, Error> {
    let mut entries = Vec::new();
    for item in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let entry = AccessListEntry::parse(item)?;
        if !entries.contains(&entry) {
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// Checks one field's text as the core would before a request. Pure and quick: no I/O.
pub fn check_field(field: Field, text: &str) -> FieldCheck {
    let checked = match field {
        Field::OrgId => OrgId::new(text).map(|id| FieldCheck::valid(id.as_str().to_owned())),
        Field::ServerUrl => {
            BaseUrl::new(text).map(|url| FieldCheck::valid(url.as_str().to_owned()))
        }
        Field::LinkToken => LinkToken::new(text).map(|token| FieldCheck::Valid {
            value: String::new(),
            values: Vec::new(),
            shown: mask_token(token.expose()),
        }),
        Field::AccessList => parse_access_list_text(text).map(|entries| {
            let values: Vec<String> = entries.iter().map(ToString::to_string).collect();
            FieldCheck::Valid {
                value: String::new(),
                shown: values.join(", "),
                values,
            }
        }),
    };
    checked.unwrap_or_else(FieldCheck::from)
}

#[cfg(test)]
mod tests;

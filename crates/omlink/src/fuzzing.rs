//! Entry points for the fuzz targets (`crates/omlink/fuzz`) and the property tests
//! (`tests/api/props.rs`): thin, panic-free wrappers around parsers that are private to the
//! crate, plus the checks both share.
//!
//! Not a stable API: hidden from the docs, and free to change with the fuzz targets.

use crate::error::{Call, Operation};
use crate::{Error, StoreContents};

/// The host named in the hints of errors built by [`error_body`].
pub const HOST: &str = "om.example.com:8443";

/// The organization named in the hints of errors built by [`error_body`].
pub const ORG: &str = "5f1e2d3c4b5a697887766554";

/// Maps a non-2xx answer (`status`, a `Retry-After` value, the body) to an [`Error`], exactly as
/// the client does for a link request to organization [`ORG`] on [`HOST`].
pub fn error_body(status: u16, retry_after: Option<&str>, body: &[u8]) -> Error {
    error_body_for(0, status, retry_after, body)
}

/// As [`error_body`], for the operation `op % 4` picks: link, status, unlink or list
/// organizations (list has no organization), so every hint is reachable.
pub fn error_body_for(op: u8, status: u16, retry_after: Option<&str>, body: &[u8]) -> Error {
    let op = match op % 4 {
        0 => Operation::Link,
        1 => Operation::Status,
        2 => Operation::Unlink,
        _ => Operation::ListOrgs,
    };
    let call = Call {
        op,
        org: (op != Operation::ListOrgs).then_some(ORG),
        host: HOST,
    };
    Error::from_api_response(status, retry_after, body, call)
}

/// Every text of `err` that may reach a terminal or the web view: the message, hint, detail,
/// error code, and each string and object key inside `parameters`, however deeply nested.
pub fn error_texts(err: &Error) -> Vec<&str> {
    fn walk<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    out.push(k);
                    walk(v, out);
                }
            }
            _ => {}
        }
    }
    let mut out = vec![err.message.as_str(), err.hint.as_str()];
    out.extend(err.detail.as_deref());
    out.extend(err.error_code.as_deref());
    for p in &err.parameters {
        walk(p, &mut out);
    }
    out
}

/// The first character of `text` that [`sanitize`](crate::sanitize) would not let through: a
/// control character (ESC, BEL, a line break, …) or an invisible format character (such as a
/// right-to-left override). `None` when the text is safe to print.
pub fn unsafe_char(text: &str) -> Option<char> {
    text.chars()
        .find(|&c| c.is_control() || crate::error::is_format_char(c))
}

/// Parses the text of the desktop app's store file as [`load_store_file`](crate::load_store_file)
/// does, without touching a file: `true` when it would load, `false` when it would be set aside.
pub fn store_text(text: &str) -> bool {
    store_contents(text).is_some()
}

/// The contents parsed from a store file's text, `None` when it would be set aside.
pub fn store_contents(text: &str) -> Option<StoreContents> {
    crate::store_file::parse(text).ok()
}

/// Loads a store file's text, saves what was loaded as [`Store::update`](crate::Store::update)
/// writes it, and loads that again. `None` when the text does not load; else whether the
/// profiles and the history came back the same (`Err` says what changed).
pub fn store_round_trip(text: &str) -> Option<Result<(), String>> {
    let first = store_contents(text)?;
    let saved = crate::store_file::serialize(&first.data, &first.other)
        .map_err(|e| e.message)
        .and_then(|bytes| String::from_utf8(bytes).map_err(|e| e.to_string()));
    let saved = match saved {
        Ok(saved) => saved,
        Err(e) => return Some(Err(format!("cannot be saved: {e}"))),
    };
    Some(match crate::store_file::parse(&saved) {
        Err(why) => Err(format!("what was saved does not load ({why}): {saved}")),
        Ok(again) if again.data.profiles != first.data.profiles => Err(format!(
            "the profiles changed: {:?} became {:?}",
            first.data.profiles, again.data.profiles
        )),
        Ok(again) if again.data.history != first.data.history => Err(format!(
            "the history changed: {:?} became {:?}",
            first.data.history, again.data.history
        )),
        Ok(again) if again.data.kept != first.data.kept => Err(format!(
            "what was kept unread changed: {:?} became {:?}",
            first.data.kept, again.data.kept
        )),
        Ok(_) => Ok(()),
    })
}

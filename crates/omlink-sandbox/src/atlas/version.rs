//! Atlas's versioned media types: every call names a date (`application/vnd.atlas.YYYY-MM-DD+json`)
//! and is answered in the newest version of the resource not later than it.

use hyper::Method;

/// The version date an `Accept` header asks for (`application/vnd.atlas.YYYY-MM-DD+json`),
/// when it is 2023-01-01 or later.
pub(super) fn requested_version(accept: Option<&str>) -> Option<String> {
    let accept = accept?;
    let start = accept.find("application/vnd.atlas.")? + "application/vnd.atlas.".len();
    let date = accept.get(start..start + 10)?;
    let well_formed = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    (well_formed && date >= "2023-01-01" && accept[start + 10..].starts_with("+json"))
        .then(|| date.to_owned())
}

/// The newest version of the resource not later than `date`.
pub(super) fn served_version(segments: &[&str], method: &Method, date: String) -> &'static str {
    let versions: &[&'static str] = match (method, segments) {
        (&Method::GET, ["groups", _, "clusters"]) => &["2024-08-05", "2023-01-01"],
        (
            &Method::POST,
            ["groups", _, "liveMigrations"] | ["groups", _, "liveMigrations", "validate"],
        ) => &["2024-05-30", "2023-01-01"],
        _ => &["2023-01-01"],
    };
    versions
        .iter()
        .find(|v| **v <= date.as_str())
        .copied()
        .unwrap_or("2023-01-01")
}

//! Server-chosen text made safe to show: control and bidi characters removed, lengths bounded,
//! passwords in URLs masked, secrets scrubbed from nested JSON.

/// Applies `scrub` to every string in a JSON value, however deeply nested.
pub(super) fn scrub_value(value: &mut serde_json::Value, scrub: &impl Fn(&mut String)) {
    match value {
        serde_json::Value::String(s) => scrub(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub_value(v, scrub)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub_value(v, scrub)),
        _ => {}
    }
}

/// [`sanitize`]s every string in a parameter, object keys included, however deeply nested.
pub(super) fn sanitize_value(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(clip(&sanitize(&s))),
        Value::Array(items) => Value::Array(items.into_iter().map(sanitize_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (clip(&sanitize(&k)), sanitize_value(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Server text made safe for a terminal: ANSI escape sequences removed, other control
/// characters turned into spaces, and bidirectional/format characters (which can reorder
/// what a person reads) removed.
///
/// ```
/// assert_eq!(omlink::sanitize("\u{1b}[31mred\u{1b}[0m\u{202e}x\ty"), "redx y");
/// ```
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.peek() {
                // CSI: ESC [ parameters… final byte in @..~
                Some('[') => {
                    chars.next();
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, …: up to BEL or ESC \ (string terminator)
                Some(']' | 'P' | '_' | '^' | 'X') => {
                    chars.next();
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' {
                            if chars.peek() == Some(&'\\') {
                                chars.next();
                            }
                            break;
                        }
                    }
                }
                Some(_) => {
                    chars.next();
                }
                None => {}
            },
            c if is_format_char(c) => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Bidirectional controls and other invisible format characters (Unicode category Cf that
/// terminals and text fields render as nothing, or use to reorder text).
pub(crate) fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
}

/// Masks the `user:password@` part of any URL in `text` as `***@`.
///
/// ```
/// assert_eq!(
///     omlink::mask_userinfo("see https://bob:pw@evil.example/x and http://a@b/"),
///     "see https://***@evil.example/x and http://***@b/"
/// );
/// ```
pub fn mask_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(tail.len());
        // Resume right after the authority's last `@` (or at its start): the host part may
        // itself hold the next URL, as in `x://https://user:pw@host`.
        match tail[..authority_end].rfind('@') {
            Some(at) => {
                out.push_str("***@");
                rest = &tail[at + 1..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// Cuts server text to [`SERVER_TEXT_LEN`] characters.
pub(super) fn clip(text: &str) -> String {
    clip_to(text, SERVER_TEXT_LEN)
}

pub(super) fn clip_to(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

/// The longest excerpt of a non-JSON error body kept in an error.
pub(super) const EXCERPT_LEN: usize = 200;

/// The longest server text (`detail`, `reason`, `errorCode`, a parameter) kept in an error.
pub(super) const SERVER_TEXT_LEN: usize = 1000;

pub(super) fn join_parameters(parameters: &[serde_json::Value]) -> String {
    parameters
        .iter()
        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A short, single-line excerpt of a body that is not Ops Manager's JSON error, such as an
/// HTML page from a proxy: its `<title>` when it has one, else its text without tags.
pub(super) fn excerpt(body: &[u8]) -> Option<String> {
    let text = sanitize(&String::from_utf8_lossy(body));
    let lower = text.to_ascii_lowercase();
    let title = lower.find("<title>").and_then(|start| {
        let from = start + "<title>".len();
        lower[from..]
            .find("</title>")
            .map(|end| text[from..from + end].to_string())
    });
    let text = match title {
        Some(t) if !t.trim().is_empty() => t,
        _ => strip_tags(&text),
    };
    let line = one_line(&text);
    if line.is_empty() {
        return None;
    }
    if line.chars().count() <= EXCERPT_LEN {
        return Some(line);
    }
    let cut: String = line.chars().take(EXCERPT_LEN).collect();
    Some(format!("{cut}…"))
}

pub(super) fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

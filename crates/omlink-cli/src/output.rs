//! What the CLI prints: one line of text or one JSON object per result, warnings and errors on
//! standard error, every server-chosen string made inert for the terminal first.

use std::io::{self, BufRead, IsTerminal, Write};

use omlink::{Error, LinkStatus};
use serde_json::json;

use crate::args::Output;

/// The organizations a key or account can see (Ops Manager's or Atlas's), one per line, or
/// `none` when there are none.
pub(crate) fn print_orgs(output: Output, orgs: &[omlink::Organization], none: &str) {
    print(output, &json!({"organizations": orgs}), || {
        if orgs.is_empty() {
            return none.to_owned();
        }
        orgs.iter()
            .map(|o| format!("{}  {}", o.id, o.name))
            .collect::<Vec<_>>()
            .join("\n")
    });
}

pub(crate) fn describe(status: &LinkStatus) -> String {
    match status {
        LinkStatus::Unreported => "linked (the server reported no status)".to_owned(),
        other => other.as_str().unwrap_or_default().to_owned(),
    }
}

pub(crate) fn print(output: Output, value: &serde_json::Value, text: impl FnOnce() -> String) {
    match output {
        Output::Json => emit(&json_safe(&value.to_string())),
        Output::Text => emit(&terminal_safe(&text())),
    }
}

/// Text for a terminal: each line without control characters (ESC sequences, BEL, CR) or
/// bidi overrides, which server-chosen names (organizations, projects, hosts, statuses,
/// details) could carry to rewrite the screen or disguise what is shown.
pub(crate) fn terminal_safe(text: &str) -> String {
    text.split('\n')
        .map(omlink::sanitize)
        .collect::<Vec<_>>()
        .join("\n")
}

/// JSON for a terminal or a pipe: serde_json already escapes control characters; invisible
/// format characters (bidi overrides) are escaped too, which any JSON reader reads back as is.
pub(crate) fn json_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if omlink::fuzzing::unsafe_char(c.encode_utf8(&mut [0; 4])).is_some() {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes a line to standard output. When the reader has gone (`omlink orgs | head -c 300`),
/// the process ends quietly instead of panicking with "failed printing to stdout".
pub(crate) fn emit(line: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush())
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// A warning on standard error (never on standard output, which scripts parse).
pub(crate) fn warn(text: &str) {
    let _ = writeln!(io::stderr().lock(), "warning: {}", terminal_safe(text));
}

pub(crate) fn report(error: &Error, output: Output) {
    match output {
        Output::Json => emit(&json_safe(&json!({ "error": error }).to_string())),
        Output::Text => {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "error: {}", terminal_safe(&error.message));
            if let Some(code) = &error.error_code {
                let _ = writeln!(err, "  server errorCode: {}", terminal_safe(code));
            }
            if !error.hint.is_empty() {
                let _ = writeln!(err, "  hint: {}", terminal_safe(&error.hint));
            }
        }
    }
}

pub(crate) fn verdict_word(verdict: omlink::preflight::Verdict) -> &'static str {
    use omlink::preflight::Verdict;
    match verdict {
        Verdict::Supported => "supported",
        Verdict::Deprecated => "deprecated",
        Verdict::NotSupported => "not supported",
        Verdict::Unknown => "check",
    }
}

/// Asks `question` on the terminal; anything but yes cancels. Without a terminal it refuses and
/// says to pass --yes.
pub(crate) fn confirm(question: &str) -> Result<(), Error> {
    if !io::stdin().is_terminal() {
        return Err(Error::invalid_input(
            "Refusing to go on without confirmation",
            "Pass --yes from a script.",
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = io::stderr().flush();
    let mut answer = String::new();
    let _ = io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(Error::invalid_input("Cancelled", "Nothing was changed."))
    }
}

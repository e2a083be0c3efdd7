//! The error-body parser: any status, `Retry-After` and body give an error whose texts are safe
//! to print and whose detail is bounded; `sanitize` is clean and idempotent on the same bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use omlink::fuzzing;

fuzz_target!(|input: (u16, u8, Option<&str>, &[u8])| {
    let (status, op, retry_after, body) = input;
    let status = 100 + status % 500;
    let err = fuzzing::error_body_for(op, status, retry_after, body);
    assert_eq!(err.http_status, Some(status));
    for text in fuzzing::error_texts(&err) {
        assert_eq!(fuzzing::unsafe_char(text), None, "in {text:?}");
    }
    for text in err.detail.iter().chain(err.error_code.iter()) {
        assert!(
            text.chars().count() <= 1001,
            "{} chars",
            text.chars().count()
        );
    }
    assert!(err.parameters.len() <= 50);
    assert!(!err.message.contains('\n'));

    let text = String::from_utf8_lossy(body);
    let clean = omlink::sanitize(&text);
    assert_eq!(fuzzing::unsafe_char(&clean), None, "in {clean:?}");
    assert_eq!(omlink::sanitize(&clean), clean);
});

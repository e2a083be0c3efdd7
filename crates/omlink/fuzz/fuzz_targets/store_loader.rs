//! The store loader: no text makes the store file's parser panic, and what it loads is saved
//! and loaded back the same.

#![no_main]

use libfuzzer_sys::fuzz_target;
use omlink::fuzzing;

fuzz_target!(|text: &str| {
    match fuzzing::store_round_trip(text) {
        None => assert!(!fuzzing::store_text(text)),
        Some(Ok(())) => assert!(fuzzing::store_text(text)),
        Some(Err(why)) => panic!("{why}"),
    }
});

//! Connection strings (URLs, keyword/value, JDBC, mysql://) as `check` parses and masks
//! them: no panic on any input, and every target that parses is shown masked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let (shown, masked) = rootcert::fuzzing::parse_target(raw);
    if let Some(shown) = shown {
        assert_eq!(shown, masked);
    }
});

//! Connection strings (URLs, keyword/value, JDBC, mysql://) as `check` parses and shows
//! them: no panic on any input, and no password of a string libpq would parse reaches
//! the text shown or the error, whatever separators surround it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let shown = match rootcert::fuzzing::parse_target(raw) {
        Ok(shown) | Err(shown) => shown,
    };
    // The secrets libpq itself would read from the string (its own grammar). A secret that
    // also appears elsewhere in the string (or is too short to tell apart) proves nothing.
    if let Ok(settings) = rootcert::fuzzing::connection_settings(raw) {
        for (keyword, value) in settings {
            let secret = rootcert::fuzzing::is_secret(&keyword);
            if secret && value.len() >= 6 && raw.matches(value.as_str()).count() == 1 {
                assert!(!shown.contains(value.as_str()), "{keyword} shown in {shown:?}");
            }
        }
    }
});

//! Whatever a user pastes as a fingerprint: parsed or refused, never a panic; a parsed one
//! prints and parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rootcert::Fingerprint;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(fingerprint) = text.parse::<Fingerprint>() {
        let again: Fingerprint = fingerprint.to_string().parse().expect("round trip");
        assert_eq!(again, fingerprint);
    }
});

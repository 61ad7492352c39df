//! Any file given to `verify` or found at a `fetch --format pkcs12` destination: read as
//! PKCS#12 or refused, never a panic; what reads is written as a truststore and read back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rootcert::fuzzing::pkcs12_round_trip(data);
});

//! What a server (or anything listening where a PostgreSQL server should be) sends back to
//! `check`: the SSLRequest answer, then TLS records. Refused or accepted, never a panic
//! or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rootcert::fuzzing::check_reply(data);
});

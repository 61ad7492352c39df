//! A trust file and a server chain, both untrusted: libpq's loading rules, then the whole
//! verify-full judgement (path building, extensions, signatures, host names); the same for
//! pgjdbc (Java's trust-file reader, PKIX, its host-name verifier) and pgx (Go's PEM reader,
//! Certificate.Verify, VerifyHostname).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rootcert::libpq::{self, TrustFile};
use rootcert::parse_certificates;

fuzz_target!(|data: &[u8]| {
    // The first byte splits the input: a trust file, then the server's chain.
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let at = (split as usize * rest.len()) / 256;
    let (trust_bytes, chain_bytes) = rest.split_at(at);
    let trust = TrustFile::load(trust_bytes);
    let Ok(chain) = parse_certificates(chain_bytes) else {
        return;
    };
    if chain.is_empty() {
        return;
    }
    let rules = [libpq::NameRule::Libpq, libpq::NameRule::OpenSsl];
    for host in ["localhost", "127.0.0.1", "::1", "127.1", "db.example.com"] {
        for names in rules {
            let verdict = libpq::judge(&libpq::Case {
                chain: &chain,
                trust: &trust,
                trust_name: "trust.pem",
                host,
                now: std::time::SystemTime::now(),
                names,
                client: "libpq",
            });
            assert_eq!(verdict.ok, verdict.problems.is_empty());
        }
        let ders: Vec<Vec<u8>> = chain.iter().map(|c| c.der().to_vec()).collect();
        let now = std::time::SystemTime::now();
        for driver in [rootcert::Driver::Pgjdbc, rootcert::Driver::Pgx] {
            for host in [Some(host), None] {
                let _ = rootcert::fuzzing::judge_as(driver, &ders, trust_bytes, host, now);
            }
        }
    }
});

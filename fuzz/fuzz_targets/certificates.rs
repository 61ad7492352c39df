//! Raw bytes → certificates → pin check → everything rootcert prints about them, and the
//! PEM it would save read back to the same certificate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rootcert::Fingerprint;
use rootcert::fuzzing::parse_local;
use rootcert::parse_certificates;

const G2: &str = "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";

fuzz_target!(|data: &[u8]| {
    let pin: Fingerprint = G2.parse().unwrap();
    let _ = parse_local(data);
    let Ok(certs) = parse_certificates(data) else {
        return;
    };
    for cert in &certs {
        let _ = cert.sha256 == pin;
        let _ = (
            cert.subject(),
            cert.issuer(),
            cert.serial_hex(),
            cert.sha1_colon_hex(),
        );
        let _ = (
            cert.not_before_rfc3339(),
            cert.not_after_rfc3339(),
            cert.key_description(),
        );
        let _ = (
            cert.is_ca(),
            rootcert::self_signature(cert),
            rootcert::fuzzing::anchor_warnings(cert, std::time::SystemTime::now()),
        );
        let again = parse_certificates(cert.to_pem().as_bytes()).expect("saved PEM reads back");
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].sha256, cert.sha256);
    }
});

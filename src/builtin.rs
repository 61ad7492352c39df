//! Copies of the catalog's roots inside the binary, the last source: a catalog pin fixes
//! the exact bytes of its certificate, so a copy is as good as a download. It lets
//! `rootcert fetch` work in a container with neither a CA store nor a network.

use crate::cert::Certificate;
use crate::fingerprint::Fingerprint;
use crate::parse::parse_certificates;

/// The catalog roots, from `fixtures/` (their origin and fingerprints: fixtures/README.md).
const COPIES: [&[u8]; 4] = [
    include_bytes!("../fixtures/DigiCertGlobalRootG2.crt.pem"),
    include_bytes!("../fixtures/MicrosoftRSARootCertificateAuthority2017.crt.pem"),
    include_bytes!("../fixtures/DigiCertGlobalRootCA.crt.pem"),
    include_bytes!("../fixtures/isrgrootx1.pem"),
];

/// The built-in copy of the certificate with this pin.
pub(crate) fn find(pin: &Fingerprint) -> Option<Certificate> {
    COPIES
        .iter()
        .filter_map(|pem| parse_certificates(pem).ok())
        .flatten()
        .find(|cert| cert.sha256 == *pin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::PROFILES;

    #[test]
    fn every_catalog_root_is_built_in_under_its_pin() {
        for profile in PROFILES {
            for spec in profile.certs {
                let cert = find(&spec.pin()).unwrap_or_else(|| panic!("{} missing", spec.name));
                assert_eq!(cert.sha256, spec.sha256);
            }
        }
        assert_eq!(COPIES.len(), 4);
    }
}

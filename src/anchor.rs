//! Sanity checks for a trust anchor, and its self-signature: warnings only, since the pin
//! is the trust (and machines often boot with a wrong clock).

use std::time::{Duration, SystemTime};

use crate::cert::{Certificate, SelfSignature};
use crate::libpq::signature::{SignatureCheck, check};

const WARN_EXPIRING_DAYS: u64 = 30;

/// Whether the certificate signed itself, checked with its own key.
pub fn self_signature(cert: &Certificate) -> SelfSignature {
    if !cert.is_self_issued() {
        return SelfSignature::NotSelfIssued;
    }
    match check(cert, cert) {
        SignatureCheck::Valid => SelfSignature::Valid,
        SignatureCheck::Invalid => SelfSignature::Invalid,
        SignatureCheck::Unsupported(_) => SelfSignature::Unchecked,
    }
}

/// Sanity checks for a trust anchor. Warnings only: the pin is the trust, and machines
/// often boot with a wrong clock.
pub(crate) fn warnings(cert: &Certificate, now: SystemTime) -> Vec<String> {
    let name = cert.display_name();
    let mut warnings = Vec::new();
    if now < cert.not_before() {
        warnings.push(format!(
            "{name} is not valid until {} (is this machine's clock right?)",
            cert.not_before_rfc3339()
        ));
    }
    if now > cert.not_after() {
        warnings.push(format!(
            "{name} expired on {} (is this machine's clock right? if so, the service \
             has moved to a new root)",
            cert.not_after_rfc3339()
        ));
    } else if now + Duration::from_secs(WARN_EXPIRING_DAYS * 86_400) > cert.not_after() {
        warnings.push(format!(
            "{name} expires within {WARN_EXPIRING_DAYS} days, on {}",
            cert.not_after_rfc3339()
        ));
    }
    if !cert.is_ca() {
        warnings.push(format!(
            "{name} is not a CA certificate (no basicConstraints cA=TRUE)"
        ));
    }
    match self_signature(cert) {
        SelfSignature::NotSelfIssued => warnings.push(format!(
            "{name} is not self-signed (issued by {}): it is an intermediate or a server \
             certificate, not a root. libpq trusts a chain only when it ends at a self-signed \
             root in the file, and a pinned intermediate breaks when its issuer rotates it: \
             pin the root instead",
            cert.issuer()
        )),
        SelfSignature::Invalid => {
            warnings.push(format!("{name}: its self-signature does not verify"))
        }
        SelfSignature::Valid | SelfSignature::Unchecked => {}
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    const G2_PEM: &str = include_str!("../fixtures/DigiCertGlobalRootG2.crt.pem");

    fn g2() -> Certificate {
        Certificate::from_der(pem::parse(G2_PEM).unwrap().contents()).unwrap()
    }

    fn at(rfc3339_date: (i32, u8, u8)) -> SystemTime {
        let (y, m, d) = rfc3339_date;
        der::DateTime::new(y as u16, m, d, 0, 0, 0)
            .unwrap()
            .to_system_time()
    }

    #[test]
    fn a_valid_root_has_no_warnings() {
        let cert = g2();
        assert_eq!(self_signature(&cert), SelfSignature::Valid);
        assert!(warnings(&cert, at((2030, 1, 1))).is_empty());
    }

    #[test]
    fn the_clock_decides_validity_warnings() {
        let cert = g2();
        let before = warnings(&cert, at((2010, 1, 1)));
        assert!(
            before[0].contains("not valid until 2013-08-01T12:00:00Z"),
            "{before:?}"
        );
        let soon = warnings(&cert, at((2038, 1, 1)));
        assert!(soon[0].contains("expires within 30 days"), "{soon:?}");
        let after = warnings(&cert, at((2039, 1, 1)));
        assert!(
            after[0].contains("expired on 2038-01-15T12:00:00Z"),
            "{after:?}"
        );
    }

    #[test]
    fn a_broken_self_signature_is_reported() {
        let mut der = pem::parse(G2_PEM).unwrap().into_contents();
        let last = der.len() - 1;
        der[last] ^= 0x01;
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(self_signature(&cert), SelfSignature::Invalid);
        let warnings = warnings(&cert, at((2030, 1, 1)));
        assert!(
            warnings[0].contains("self-signature does not verify"),
            "{warnings:?}"
        );
    }
}

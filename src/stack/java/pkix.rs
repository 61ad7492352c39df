//! The JDK's PKIX validation of one path against one trust anchor
//! (`PKIXCertPathValidator`, `PKIXMasterCertPathValidator`), then the checks
//! `PKIXValidator` and `Validator.validate` add: the anchor must be a CA
//! (`verifyTrustAnchor`) and the server certificate must suit a TLS server
//! (`EndEntityChecker.checkTLSServer`).
//!
//! From the certificate below the anchor down to the server's, each certificate meets the
//! checkers in the JDK's order, the first failure ending validation:
//!
//! 1. `AlgorithmChecker` (policy `jdk.certpath.disabledAlgorithms` of Debian's JDK 17):
//!    MD2 and MD5 signatures are refused, SHA-1 is not (see [`disabled_signature`]); RSA
//!    and DSA keys under 1024 bits and EC keys under 224 bits are refused,
//!    the anchor's key included (it makes the first signature); a keyUsage with no bit
//!    the JDK maps to a use is refused.
//! 2. `KeyChecker`: a CA's keyUsage, when present, has keyCertSign.
//! 3. `ConstraintsChecker`: every intermediate is a CA (basicConstraints cA; a v1 or v2
//!    intermediate only when it is self-issued right below the anchor), pathLenConstraint
//!    of the path's own CAs; the nameConstraints of the path's own CAs (never the
//!    anchor's), with the subject's most specific CN counting as a DNS name or address
//!    when the certificate has no SAN of that kind, for intermediates too.
//! 4. `BasicChecker`: validity at the time, a non-empty issuer name, the signature.
//! 5. A critical extension none of these handle fails the certificate.
//!
//! Nothing is checked on the anchor but that it is a CA: not its dates, extended key usage,
//! pathLenConstraint, nameConstraints nor critical extensions. The extended key usage of
//! intermediates is not checked either.

use std::time::SystemTime;

use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{KeyUsages, NameConstraints, SubjectAltName};

use super::link::Link;
use crate::cert::Certificate;
use crate::libpq::constraints::{self, Subject, Violation};
use crate::libpq::facts::{CanonicalName, KeyKind};
use crate::libpq::signature::{self, SignatureCheck};
use crate::oid;

/// Why the JDK refuses the chain. `at` is a position on the path (the server certificate
/// 0, the anchor last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No certificate of the trust file is reached; `top` is where the path stops.
    NoPath {
        top: usize,
    },
    AnchorNotCa,
    AnchorMayNotSign,
    DisabledSignature {
        at: usize,
        algorithm: &'static str,
    },
    WeakKey {
        at: usize,
        bits: u32,
    },
    KeyUsageWithoutUse {
        at: usize,
    },
    IssuerMayNotSign {
        at: usize,
    },
    NotACa {
        at: usize,
    },
    PathLengthExceeded {
        at: usize,
    },
    NameConstraint {
        at: usize,
        ca: usize,
        violation: Violation,
    },
    NotYetValid {
        at: usize,
    },
    Expired {
        at: usize,
    },
    EmptyIssuer {
        at: usize,
    },
    BadSignature {
        at: usize,
    },
    UncheckableSignature {
        at: usize,
        why: String,
    },
    UnhandledCriticalExtension {
        at: usize,
        extension: String,
    },
    ServerKeyUsage,
    ServerExtendedKeyUsage,
    ServerNetscapeType,
}

/// The critical extensions the PKIX checkers handle (their `getSupportedExtensions`).
const HANDLED_EXTENSIONS: [&str; 9] = [
    "2.5.29.15", // key usage
    "2.5.29.37", // extended key usage
    "2.5.29.17", // subject alternative name
    "2.5.29.19", // basic constraints
    "2.5.29.30", // name constraints
    "2.5.29.32", // certificate policies
    "2.5.29.33", // policy mappings
    "2.5.29.36", // policy constraints
    "2.5.29.54", // inhibit any-policy
];
/// The keyUsage bits `AlgorithmChecker` maps to a use (encipherOnly and decipherOnly
/// alone mean nothing).
const USES: [KeyUsages; 7] = [
    KeyUsages::DigitalSignature,
    KeyUsages::NonRepudiation,
    KeyUsages::KeyEncipherment,
    KeyUsages::DataEncipherment,
    KeyUsages::KeyAgreement,
    KeyUsages::KeyCertSign,
    KeyUsages::CRLSign,
];
const MD2_RSA: &str = "1.2.840.113549.1.1.2";
const ANY_EXTENDED_KEY_USAGE: &str = "2.5.29.37.0";
const NETSCAPE_CERT_TYPE: &str = "2.16.840.1.113730.1.1";

/// `PKIXCertPathValidator.validate(anchor, params)` for `path` (server certificate first,
/// without the anchor).
pub(crate) fn validate(path: &[Link], anchor: &Link, now: SystemTime) -> Result<(), Failure> {
    let n = path.len();
    let mut max_path_length = n;
    let mut constraints: Vec<(usize, NameConstraints)> = Vec::new();
    for at in (0..n).rev() {
        let link = &path[at];
        let issuer = path.get(at + 1).unwrap_or(anchor);
        let facts = &link.facts;
        // AlgorithmChecker.
        if let Some(algorithm) = disabled_signature(&link.cert) {
            return Err(Failure::DisabledSignature { at, algorithm });
        }
        if facts
            .key_usage
            .is_some_and(|ku| !USES.iter().any(|u| ku.0.contains(*u)))
        {
            return Err(Failure::KeyUsageWithoutUse { at });
        }
        if let Some(bits) = weak_key(link) {
            return Err(Failure::WeakKey { at, bits });
        }
        if let Some(bits) = weak_key(issuer).filter(|_| at + 1 == n) {
            return Err(Failure::WeakKey { at: n, bits });
        }
        // KeyChecker.
        if at > 0
            && !facts
                .key_usage
                .is_none_or(|ku| ku.0.contains(KeyUsages::KeyCertSign))
        {
            return Err(Failure::IssuerMayNotSign { at });
        }
        // ConstraintsChecker.
        if at > 0 {
            let pathlen = if link.before_v3() {
                (at + 1 == n && facts.self_issued).then_some(usize::MAX)
            } else {
                match facts.basic_constraints {
                    Some((true, pathlen)) => Some(pathlen.map_or(usize::MAX, usize::from)),
                    _ => None,
                }
            };
            let Some(pathlen) = pathlen else {
                return Err(Failure::NotACa { at });
            };
            if !facts.self_issued {
                if max_path_length == 0 {
                    return Err(Failure::PathLengthExceeded { at });
                }
                max_path_length -= 1;
            }
            max_path_length = max_path_length.min(pathlen);
        }
        if at == 0 || !facts.self_issued {
            for (ca, nc) in &constraints {
                if let Some(violation) = constraints::check_names(names(&link.cert), nc) {
                    return Err(Failure::NameConstraint {
                        at,
                        ca: *ca,
                        violation,
                    });
                }
            }
        }
        if let Ok(Some((_, nc))) = link.cert.x509().tbs_certificate().get_extension() {
            constraints.push((at, nc));
        }
        // BasicChecker.
        if now < link.cert.not_before() {
            return Err(Failure::NotYetValid { at });
        }
        if now > link.cert.not_after() {
            return Err(Failure::Expired { at });
        }
        if link
            .cert
            .x509()
            .tbs_certificate()
            .issuer()
            .iter_rdn()
            .next()
            .is_none()
        {
            return Err(Failure::EmptyIssuer { at });
        }
        match signature::check(&link.cert, &issuer.cert) {
            SignatureCheck::Valid => {}
            SignatureCheck::Invalid => return Err(Failure::BadSignature { at }),
            SignatureCheck::Unsupported(why) => {
                return Err(Failure::UncheckableSignature { at, why });
            }
        }
        if let Some(extension) = unhandled_critical(&link.cert) {
            return Err(Failure::UnhandledCriticalExtension { at, extension });
        }
    }
    Ok(())
}

/// `PKIXValidator.verifyTrustAnchor`: a v3 anchor must be a CA and, with a keyUsage, may
/// sign certificates. `path` ends at the anchor.
pub(crate) fn check_anchor(path: &[Link]) -> Option<Failure> {
    let anchor = path.last()?;
    if anchor.before_v3() {
        return None;
    }
    if !matches!(anchor.facts.basic_constraints, Some((true, _))) {
        return Some(Failure::AnchorNotCa);
    }
    let may_sign = |ku: x509_cert::ext::pkix::KeyUsage| ku.0.contains(KeyUsages::KeyCertSign);
    (!anchor.facts.key_usage.is_none_or(may_sign)).then_some(Failure::AnchorMayNotSign)
}

/// `EndEntityChecker.checkTLSServer` for TLS 1.3 and ECDHE (the only key exchanges
/// `jdk.tls.disabledAlgorithms` leaves): digitalSignature, serverAuth (or any, or one of
/// the old SGC purposes), and a Netscape certificate type that allows an SSL server.
pub(crate) fn check_server(path: &[Link]) -> Option<Failure> {
    let server = &path.first()?.facts;
    if !server
        .key_usage
        .is_none_or(|ku| ku.0.contains(KeyUsages::DigitalSignature))
    {
        return Some(Failure::ServerKeyUsage);
    }
    let eku_ok = server.extended_key_usage.as_ref().is_none_or(|ekus| {
        ekus.iter().any(|e| {
            *e == oid::SERVER_AUTH
                || *e == oid::NS_SGC
                || *e == oid::MS_SGC
                || e.to_string() == ANY_EXTENDED_KEY_USAGE
        })
    });
    if !eku_ok {
        return Some(Failure::ServerExtendedKeyUsage);
    }
    (!netscape_allows_ssl_server(&path[0].cert)).then_some(Failure::ServerNetscapeType)
}

/// MD2 and MD5 (`jdk.certpath.disabledAlgorithms`). SHA-1 is refused only under a
/// "jdkCA" anchor: `AnchorCertificates` counts the `cacerts` entries whose alias holds
/// " [jdk"; Debian's `cacerts` names every entry `debian:…`, so on Debian no anchor is one
/// and SHA-1 always passes (measured: matrix case 71, and under DigiCert Global Root G2).
fn disabled_signature(cert: &Certificate) -> Option<&'static str> {
    let alg = cert.x509().signature_algorithm();
    if alg.oid == oid::MD5_RSA {
        Some("MD5")
    } else if alg.oid.to_string() == MD2_RSA {
        Some("MD2")
    } else {
        None
    }
}

/// The key size the JDK refuses: RSA under 1024 bits, EC under 224.
fn weak_key(link: &Link) -> Option<u32> {
    let bits = link.facts.key_bits?;
    let least = match link.facts.key {
        KeyKind::Rsa | KeyKind::RsaPss => 1024,
        KeyKind::Ec => 224,
        _ => return None,
    };
    (bits < least).then_some(bits)
}

fn unhandled_critical(cert: &Certificate) -> Option<String> {
    let tbs = cert.x509().tbs_certificate();
    tbs.extensions()
        .into_iter()
        .flatten()
        .filter(|e| e.critical)
        .map(|e| e.extn_id.to_string())
        .find(|id| !HANDLED_EXTENSIONS.contains(&id.as_str()))
}

/// `SimpleValidator.getNetscapeCertTypeBit(cert, "ssl_server")`: true without the
/// extension; bit 1 of its BIT STRING otherwise; false when it does not decode.
fn netscape_allows_ssl_server(cert: &Certificate) -> bool {
    let tbs = cert.x509().tbs_certificate();
    let Some(ext) = tbs
        .extensions()
        .into_iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == NETSCAPE_CERT_TYPE)
    else {
        return true;
    };
    match crate::cert::read_tlv(ext.extn_value.as_bytes()) {
        Some((0x03, _, [_unused, first, ..])) => first & 0x40 != 0,
        _ => false,
    }
}

/// The names `NameConstraintsExtension.verify(X509Certificate)` checks: the subject, the
/// SANs (or, without a SAN, the subject's e-mail addresses), and the most specific CN as
/// an address or a DNS name when no SAN of that kind is there.
fn names(cert: &Certificate) -> Vec<Subject> {
    let tbs = cert.x509().tbs_certificate();
    let mut out = Vec::new();
    if tbs.subject().iter_rdn().next().is_some() {
        out.push(Subject::Dir(CanonicalName::of(tbs.subject())));
    }
    let atvs = || tbs.subject().iter_rdn().flat_map(|rdn| rdn.iter());
    match tbs.get_extension::<SubjectAltName>() {
        Ok(Some((_, san))) => {
            for name in &san.0 {
                out.push(match name {
                    GeneralName::DnsName(d) => Subject::Dns(d.as_bytes().to_vec()),
                    GeneralName::IpAddress(ip) => Subject::Ip(ip.as_bytes().to_vec()),
                    GeneralName::DirectoryName(dn) => Subject::Dir(CanonicalName::of(dn)),
                    other => Subject::Other(constraints::tag(other), format!("{other:?}")),
                });
            }
        }
        _ => {
            for atv in atvs().filter(|atv| atv.oid == oid::EMAIL) {
                let email = String::from_utf8_lossy(atv.value.value()).into_owned();
                out.push(Subject::Other(1, email));
            }
        }
    }
    let cn = atvs()
        .filter(|atv| atv.oid == oid::CN)
        .last()
        .and_then(|atv| crate::dn::string_value(&atv.value));
    if let Some(cn) = cn {
        let has = |want: fn(&Subject) -> bool| out.iter().any(want);
        if let Ok(ip) = cn.parse::<std::net::IpAddr>() {
            if !has(|s| matches!(s, Subject::Ip(_))) {
                out.push(Subject::Ip(match ip {
                    std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
                    std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
                }));
            }
        } else if java_dns_name(&cn.replace('*', "z")) && !has(|s| matches!(s, Subject::Dns(_))) {
            out.push(Subject::Dns(cn.into_bytes()));
        }
    }
    out
}

/// `new DNSName(String)`: labels of letters, digits and inner hyphens, at most 63
/// characters each and 253 in all; no leading or trailing dot.
fn java_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && !name.starts_with('.')
        && !name.ends_with('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether the anchor's own nameConstraints, which Java ignores, exclude a name on the
/// path (`path` ends at the anchor).
pub(crate) fn anchor_constraints_broken(path: &[Link]) -> bool {
    let Some((anchor, below)) = path.split_last() else {
        return false;
    };
    let Ok(Some((_, nc))) = anchor
        .cert
        .x509()
        .tbs_certificate()
        .get_extension::<NameConstraints>()
    else {
        return false;
    };
    below
        .iter()
        .enumerate()
        .filter(|(at, link)| *at == 0 || !link.facts.self_issued)
        .any(|(_, link)| constraints::check_names(names(&link.cert), &nc).is_some())
}

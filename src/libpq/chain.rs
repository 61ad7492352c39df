//! `X509_verify_cert` as libpq runs it (OpenSSL 3.0, purpose and trust "ssl_server", no
//! partial chains, the security level as the authentication level), in OpenSSL's order,
//! stopping at the first error as OpenSSL does:
//!
//! 1. The server's key must meet the security level.
//! 2. Build the path: from the server certificate, look for each issuer first among the
//!    trusted certificates, then among those the server sent; an issuer has the subject
//!    name the certificate names as issuer (compared as `X509_NAME_cmp` does), a matching
//!    authority key identifier, and a key of the kind the signature needs; one inside its
//!    validity period is preferred. The path is trusted only when it ends at a
//!    self-signed certificate from the trust file (or is a self-signed server certificate
//!    that the file holds).
//! 3. Extensions, for every certificate: no unhandled critical extension; every issuer a
//!    CA (intermediates by basicConstraints only; the root may also be a v1 root or have
//!    keyUsage with keyCertSign); extendedKeyUsage, where present, admits serverAuth (on
//!    every certificate, the root included); the server certificate's keyUsage, where
//!    present, allows a TLS use; pathlen constraints hold.
//! 4. Security level: every issuer key (the root's included) and every signature but the
//!    root's self-signature meet it.
//! 5. From the root down: the issuer may sign certificates (keyUsage), the signature
//!    verifies, and every certificate (the root included) is within its validity period.
//! 6. Name constraints of every CA hold for the certificates below it (`constraints`).

use std::time::SystemTime;

use super::facts::{Facts, key_fits};
use super::signature::{self, SignatureCheck};
use crate::cert::Certificate;

/// Debian's default OpenSSL security level is 2: 112 bits.
pub(crate) const SECURITY_BITS: u32 = 112;
/// Security level 1, OpenSSL's compiled-in default (Node's OpenSSL runs at it): 80 bits.
pub(crate) const LEVEL_1_BITS: u32 = 80;
const MAX_DEPTH: usize = 32;

/// One certificate on the path, and where it came from.
#[derive(Clone)]
pub(crate) struct Link {
    pub(crate) cert: Certificate,
    pub(crate) facts: Facts,
    pub(crate) trusted: bool,
}

/// Why OpenSSL refuses the chain; the certificate it names is on the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    ServerKeyTooSmall {
        bits: u32,
    },
    /// The path ends at `top`, whose issuer is nowhere. `top_trusted`: the trust file holds
    /// `top` but it is not a root (no partial chains).
    IssuerNotFound {
        top: usize,
        top_trusted: bool,
    },
    /// A self-signed certificate the trust file does not hold.
    UntrustedSelfSigned {
        at: usize,
    },
    UnhandledCriticalExtension {
        at: usize,
        extension: String,
    },
    NotACa {
        at: usize,
    },
    WrongPurpose {
        at: usize,
    },
    PathLengthExceeded {
        at: usize,
        pathlen: u8,
    },
    CaKeyTooSmall {
        at: usize,
        bits: u32,
    },
    WeakSignature {
        at: usize,
        algorithm: String,
    },
    IssuerMayNotSign {
        at: usize,
    },
    BadSignature {
        at: usize,
    },
    UncheckableSignature {
        at: usize,
        why: String,
    },
    NotYetValid {
        at: usize,
    },
    Expired {
        at: usize,
    },
    /// A name of the certificate at `at` breaks the name constraints of the CA at `ca`.
    NameConstraint {
        at: usize,
        ca: usize,
        violation: super::constraints::Violation,
    },
}

pub(crate) struct Verified {
    pub(crate) path: Vec<Link>,
    pub(crate) failure: Option<Failure>,
}

impl Verified {
    /// The trusted root the path ends at, when it does.
    pub(crate) fn root(&self) -> Option<&Link> {
        self.path
            .last()
            .filter(|l| l.trusted && l.facts.self_signed)
    }
}

/// Verifies at the security level whose minimum is `security_bits` ([`SECURITY_BITS`] for
/// libpq on Debian).
pub(crate) fn verify(
    sent: &[Certificate],
    trusted: &[Certificate],
    now: SystemTime,
    security_bits: u32,
) -> Verified {
    let trusted: Vec<Link> = trusted.iter().map(|c| link(c, true)).collect();
    let untrusted: Vec<Link> = sent.iter().skip(1).map(|c| link(c, false)).collect();
    let mut path = vec![link(&sent[0], false)];
    let fail = |path: Vec<Link>, failure| Verified {
        path,
        failure: Some(failure),
    };

    let leaf_bits = path[0].facts.key_security_bits;
    if leaf_bits < security_bits {
        let bits = path[0].facts.key_bits.unwrap_or(0);
        return fail(path, Failure::ServerKeyTooSmall { bits });
    }

    // 2. The path.
    loop {
        let top = path.last().expect("never empty");
        if top.facts.self_signed {
            if top.trusted {
                break;
            }
            if let Some(same) = trusted.iter().find(|t| t.cert.der() == top.cert.der()) {
                let same = same.clone();
                *path.last_mut().expect("never empty") = same;
                break;
            }
            let at = path.len() - 1;
            return fail(path, Failure::UntrustedSelfSigned { at });
        }
        if path.len() >= MAX_DEPTH {
            let top = path.len() - 1;
            return fail(
                path,
                Failure::IssuerNotFound {
                    top,
                    top_trusted: false,
                },
            );
        }
        let issuer = find_issuer(&trusted, top, &path, now)
            .or_else(|| find_issuer(&untrusted, top, &path, now));
        match issuer {
            Some(issuer) => path.push(issuer),
            None => {
                let top_trusted = top.trusted;
                let top = path.len() - 1;
                return fail(path, Failure::IssuerNotFound { top, top_trusted });
            }
        }
    }

    let failure = check_extensions(&path)
        .or_else(|| check_security_level(&path, security_bits))
        .or_else(|| check_signatures_and_times(&path, now))
        .or_else(|| {
            let certs: Vec<(Certificate, bool)> = path
                .iter()
                .map(|l| (l.cert.clone(), l.facts.self_issued))
                .collect();
            super::constraints::first_violation(&certs)
                .map(|(at, ca, violation)| Failure::NameConstraint { at, ca, violation })
        });
    Verified { path, failure }
}

fn link(cert: &Certificate, trusted: bool) -> Link {
    Link {
        facts: Facts::of(cert),
        cert: cert.clone(),
        trusted,
    }
}

/// `find_issuer` / `X509_STORE_CTX_get1_issuer`: the first candidate within its validity
/// period, else the one that expires last.
fn find_issuer(pool: &[Link], subject: &Link, path: &[Link], now: SystemTime) -> Option<Link> {
    let mut fallback: Option<&Link> = None;
    for candidate in pool {
        let issued = candidate.facts.subject == subject.facts.issuer
            && subject.facts.akid_allows(&candidate.facts, &candidate.cert)
            && subject
                .facts
                .signature
                .as_ref()
                .is_some_and(|s| key_fits(s.key, candidate.facts.key));
        let in_path = path.iter().any(|l| l.cert.der() == candidate.cert.der());
        if !issued || in_path {
            continue;
        }
        if within_validity(&candidate.cert, now) {
            return Some(candidate.clone());
        }
        if fallback.is_none_or(|f| candidate.cert.not_after() > f.cert.not_after()) {
            fallback = Some(candidate);
        }
    }
    fallback.cloned()
}

fn within_validity(cert: &Certificate, now: SystemTime) -> bool {
    cert.not_before() <= now && now <= cert.not_after()
}

/// `check_extensions` with purpose "ssl_server" and OpenSSL 3.0's implicit strictness for
/// intermediates.
fn check_extensions(path: &[Link]) -> Option<Failure> {
    let mut plen: u32 = 0;
    for (at, link) in path.iter().enumerate() {
        let facts = &link.facts;
        if let Some(extension) = &facts.unhandled_critical {
            return Some(Failure::UnhandledCriticalExtension {
                at,
                extension: extension.clone(),
            });
        }
        if at > 0 {
            let kind = facts.ca_kind();
            let intermediate = at + 1 < path.len();
            if kind == 0 || (intermediate && kind != 1) {
                return Some(Failure::NotACa { at });
            }
        }
        let purpose_ok = facts.eku_allows_server() && (at > 0 || facts.key_usage_allows_tls());
        if !purpose_ok {
            return Some(Failure::WrongPurpose { at });
        }
        if at > 1
            && let Some(pathlen) = facts.pathlen()
            && plen > u32::from(pathlen)
        {
            return Some(Failure::PathLengthExceeded { at, pathlen });
        }
        if at > 0 && !facts.self_issued {
            plen += 1;
        }
    }
    None
}

/// `check_auth_level`: issuer keys, and every signature except the root's own.
fn check_security_level(path: &[Link], security_bits: u32) -> Option<Failure> {
    for (at, link) in path.iter().enumerate() {
        if at > 0 && link.facts.key_security_bits < security_bits {
            let bits = link.facts.key_bits.unwrap_or(0);
            return Some(Failure::CaKeyTooSmall { at, bits });
        }
        if at + 1 < path.len() {
            match &link.facts.signature {
                Some(s) if s.security_bits >= security_bits => {}
                Some(s) => {
                    return Some(Failure::WeakSignature {
                        at,
                        algorithm: s.name.clone(),
                    });
                }
                None => {
                    return Some(Failure::UncheckableSignature {
                        at,
                        why: "an unknown signature algorithm".into(),
                    });
                }
            }
        }
    }
    None
}

/// `internal_verify`: from the root down, signatures (the root's own is not checked) and
/// validity periods (the root's included).
fn check_signatures_and_times(path: &[Link], now: SystemTime) -> Option<Failure> {
    for at in (0..path.len()).rev() {
        let link = &path[at];
        if let Some(issuer) = path.get(at + 1) {
            if !issuer
                .facts
                .key_usage
                .is_none_or(|ku| ku.0.contains(x509_cert::ext::pkix::KeyUsages::KeyCertSign))
            {
                return Some(Failure::IssuerMayNotSign { at: at + 1 });
            }
            match signature::check(&link.cert, &issuer.cert) {
                SignatureCheck::Valid => {}
                SignatureCheck::Invalid => return Some(Failure::BadSignature { at }),
                SignatureCheck::Unsupported(why) => {
                    return Some(Failure::UncheckableSignature { at, why });
                }
            }
        }
        if now < link.cert.not_before() {
            return Some(Failure::NotYetValid { at });
        }
        if now > link.cert.not_after() {
            return Some(Failure::Expired { at });
        }
    }
    None
}

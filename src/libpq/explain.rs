//! OpenSSL's chain failures in words a person can act on: what failed, on which
//! certificate, and the fix, in a client's own terms ([`Wording`]).

use super::chain::{Failure, Link};
use super::{Case, catalog_profile_for, constraints, facts};

/// How a client's messages name what they talk about: the security level its chain is
/// checked at, and the setting that names its trust file.
pub(crate) struct Wording {
    /// The security level, in words: "OpenSSL's security level 2 (…)".
    pub(crate) level: &'static str,
    /// The smallest RSA key that level accepts, for the fix.
    pub(crate) min_rsa_bits: u32,
    /// The setting a fix puts the trust file in: "sslrootcert".
    pub(crate) root_setting: &'static str,
}

/// libpq's words.
pub(crate) const LIBPQ_WORDING: Wording = Wording {
    level: "OpenSSL's security level 2 (Debian's default, which psql and the mariadb client use)",
    min_rsa_bits: 2048,
    root_setting: "sslrootcert",
};

fn role(at: usize, path: &[Link]) -> &'static str {
    if at == 0 {
        "server certificate"
    } else if at + 1 == path.len() && path[at].trusted {
        "root certificate"
    } else {
        "intermediate certificate"
    }
}

/// "the intermediate certificate CN=…"
fn named(at: usize, path: &[Link]) -> String {
    format!("the {} {}", role(at, path), path[at].cert.subject())
}

pub(super) fn explain(
    failure: &Failure,
    path: &[Link],
    case: &Case<'_>,
    wording: &Wording,
) -> (String, Option<String>) {
    const RENEW: &str = "the server's operator must renew the certificate (or fix the clock)";
    let level = wording.level;
    let file = case.trust_name;
    let root_fix = |needed: &str, verb: &str| root_fix(needed, file, verb, wording.root_setting);
    match failure {
        Failure::ServerKeyTooSmall { bits } => (
            format!(
                "the server certificate {} has a {bits}-bit {} key, too weak for {level}",
                path[0].cert.subject(),
                key_word(&path[0])
            ),
            Some(format!(
                "the server's operator must issue a certificate with an RSA key of at least {} bits or an EC key",
                wording.min_rsa_bits
            )),
        ),
        Failure::IssuerNotFound {
            top,
            top_trusted: true,
        } => {
            let held = &path[*top].cert;
            (
                format!(
                    "the file holds the intermediate {}, not the root it chains to ({}); {} trusts \
                     only a chain that ends at a self-signed root in the file",
                    held.subject(),
                    held.issuer(),
                    case.client
                ),
                Some(root_fix(&held.issuer(), "add the root")),
            )
        }
        Failure::IssuerNotFound {
            top,
            top_trusted: false,
        } => {
            let top_cert = &path[*top].cert;
            let needed = top_cert.issuer();
            let problem = if *top == 0 && case.chain.len() == 1 {
                format!(
                    "the server sent only its own certificate, and its issuer {needed} is not in \
                     {file}: if {needed} is a root, {file} is the wrong trust file; if it is an \
                     intermediate, the server should also send it"
                )
            } else {
                format!(
                    "the server's chain ends at {}, issued by {needed}, which {file} does not hold",
                    top_cert.subject()
                )
            };
            (problem, Some(root_fix(&needed, "get that issuer's root")))
        }
        Failure::UntrustedSelfSigned { at } => {
            let cert = &path[*at].cert;
            if *at == 0 {
                (
                    format!(
                        "the server certificate {} is self-signed and {file} does not hold it",
                        cert.subject()
                    ),
                    Some(format!(
                        "check its fingerprint ({}) with the server's operator and add it to {file}, or give the server a CA-issued certificate",
                        cert.sha256
                    )),
                )
            } else {
                (
                    format!(
                        "the server's chain ends at the root {}, which {file} does not hold",
                        cert.subject()
                    ),
                    Some(root_fix(&cert.subject(), "get that root")),
                )
            }
        }
        Failure::UnhandledCriticalExtension { at, extension } => (
            format!(
                "{} has a critical extension OpenSSL does not handle ({extension})",
                named(*at, path)
            ),
            Some("the server's operator must issue the certificate without it".into()),
        ),
        Failure::NotACa { at } => (
            format!(
                "{} issues {} but is not a CA certificate (basicConstraints cA=TRUE{})",
                named(*at, path),
                named(*at - 1, path),
                if *at + 1 < path.len() {
                    " is required of every intermediate"
                } else {
                    " is missing"
                }
            ),
            Some("the server's operator must use a chain whose issuers are CA certificates".into()),
        ),
        Failure::WrongPurpose { at } => {
            let facts = &path[*at].facts;
            let problem = if facts.eku_allows_server() {
                format!(
                    "{} has a keyUsage without digitalSignature, keyEncipherment or keyAgreement, so it may not be used for TLS",
                    named(*at, path)
                )
            } else {
                format!(
                    "{} has an extendedKeyUsage without serverAuth",
                    named(*at, path)
                )
            };
            (
                problem,
                Some(
                    "the server's operator must issue certificates for TLS server use (serverAuth)"
                        .into(),
                ),
            )
        }
        Failure::PathLengthExceeded { at, pathlen } => (
            format!(
                "{} allows {pathlen} intermediate certificate(s) below it (pathlen), and the chain has more",
                named(*at, path)
            ),
            Some(
                "the server's operator must use a chain that respects the CA's path length".into(),
            ),
        ),
        Failure::CaKeyTooSmall { at, bits } => (
            format!(
                "{} has a {bits}-bit {} key, too weak for {level}",
                named(*at, path),
                key_word(&path[*at])
            ),
            Some(format!(
                "the chain must use keys of at least {} bits (RSA) or EC keys",
                wording.min_rsa_bits
            )),
        ),
        Failure::WeakSignature { at, algorithm } => (
            format!(
                "{} is signed with {algorithm}, too weak for {level}",
                named(*at, path)
            ),
            Some(
                "the server's operator must use certificates signed with SHA-256 or better".into(),
            ),
        ),
        Failure::IssuerMayNotSign { at } => (
            format!(
                "{} has a keyUsage without keyCertSign, so it may not sign certificates",
                named(*at, path)
            ),
            Some(
                "the server's operator must use a chain whose issuers may sign certificates".into(),
            ),
        ),
        Failure::BadSignature { at } => (
            format!(
                "the signature on {} does not verify with its issuer's key",
                named(*at, path)
            ),
            Some("the server's chain is broken or forged: ask its operator".into()),
        ),
        Failure::UncheckableSignature { at, why } => (
            format!(
                "rootcert cannot check the signature on {}: {why}; {} may accept it",
                named(*at, path),
                case.client
            ),
            None,
        ),
        Failure::NotYetValid { at } => (
            format!(
                "{} is not valid until {} (or this machine's clock is wrong)",
                named(*at, path),
                path[*at].cert.not_before_rfc3339()
            ),
            Some(RENEW.into()),
        ),
        Failure::NameConstraint { at, ca, violation } => {
            use constraints::Violation;
            let problem = match violation {
                Violation::NotPermitted(name) => format!(
                    "{} names {name}, outside the names {} may certify (its nameConstraints)",
                    named(*at, path),
                    named(*ca, path)
                ),
                Violation::Excluded(name) => format!(
                    "{} names {name}, which the nameConstraints of {} exclude",
                    named(*at, path),
                    named(*ca, path)
                ),
                Violation::Unchecked(name) => format!(
                    "rootcert cannot check {name} of {} against the nameConstraints of {}; \
                     {} may accept it",
                    named(*at, path),
                    named(*ca, path),
                    case.client
                ),
            };
            (
                problem,
                Some(
                    "the server's operator must use a certificate with names its CA may certify"
                        .into(),
                ),
            )
        }
        Failure::Expired { at } => {
            let in_file = *at + 1 == path.len() && path[*at].trusted;
            (
                format!(
                    "{} expired on {}",
                    named(*at, path),
                    path[*at].cert.not_after_rfc3339()
                ),
                Some(if in_file {
                    format!("{file} holds an expired root: get the root the server uses now")
                } else {
                    RENEW.into()
                }),
            )
        }
    }
}

fn key_word(link: &Link) -> &'static str {
    match link.facts.key {
        facts::KeyKind::Rsa | facts::KeyKind::RsaPss => "RSA",
        facts::KeyKind::Ec => "EC",
        _ => "",
    }
}

/// How to get the root `needed` into the trust file, which the client is told by `setting`:
/// the catalog profile when there is one.
fn root_fix(needed: &str, file: &str, verb: &str, setting: &str) -> String {
    match catalog_profile_for(needed) {
        Some(profile) => format!(
            "{verb}: `rootcert fetch {profile} -o {}` and use that file as {setting}",
            crate::quote::shell_word(file)
        ),
        None => format!(
            "{verb}: get the root certificate {needed} from the server's operator, check its \
             fingerprint, save it as PEM and use that file as {setting}"
        ),
    }
}

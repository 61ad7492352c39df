//! libpq's `sslmode=verify-full`, as the specification of rootcert's verdicts.
//!
//! psql decides, in this order: can it load the trust file ([`trust_file`]); does OpenSSL
//! accept the server's chain against it (`chain`); does the server certificate name the
//! host (`host`). [`judge`] is that decision as a pure function of the chain the server
//! sent, the trust file, the host and the time, with the cause named the way a person can
//! act on it. Where rootcert knowingly differs from libpq, README's "How check decides"
//! lists it.

mod chain;
mod constraints;
mod facts;
pub(crate) mod host;
pub(crate) mod openssl_host;
pub(crate) mod signature;
pub mod trust_file;

use std::time::SystemTime;

use crate::catalog;
use crate::cert::Cert;
pub(crate) use chain::{Failure, LEVEL_1_BITS, Link, SECURITY_BITS};
pub(crate) use host::parse_ip;
pub use trust_file::{Format, TrustFile};

/// What the judge is given: the chain as the server sent it (server certificate first),
/// the roots the trust file holds and how libpq would load it, and the host as libpq's
/// `host` parameter holds it.
pub struct Case<'a> {
    /// The chain as the server sent it, server certificate first.
    pub chain: &'a [Cert],
    /// The trust file as libpq loads it.
    pub trust: &'a TrustFile,
    /// How to name the trust file in messages (its path).
    pub trust_name: &'a str,
    /// libpq's `host`: the name checked against the certificate.
    pub host: &'a str,
    /// The time to judge validity at.
    pub now: SystemTime,
    /// Whose host-name rules apply, if any.
    pub names: NameRule,
    /// Who loads the trust file, for messages: `libpq`, `the mariadb client`, …
    pub client: &'a str,
}

/// Whose host-name check the client runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// libpq's `verify-full`.
    Libpq,
    /// OpenSSL's `X509_check_host`/`X509_check_ip_asc`, as the MySQL and MariaDB clients
    /// call them.
    OpenSsl,
    /// Python's `ssl` (asyncpg, PyMySQL).
    Python,
    /// Node's `tls.checkServerIdentity` (node-postgres).
    Node,
    /// mysql2's use of Node's check.
    Mysql2,
    /// pgjdbc's `PGjdbcHostnameVerifier`.
    Java,
    /// Go's `Certificate.VerifyHostname` (pgx).
    Go,
    /// No name check (`verify-ca`, `VERIFY_CA`).
    None,
}

/// libpq's decision, with the cause and what fixes it.
pub struct Verdict {
    /// verify-full would succeed.
    pub ok: bool,
    /// The trusted root the chain ends at, when it reaches one.
    pub root: Option<Cert>,
    /// Why it would fail; the chain's first failure as OpenSSL meets it.
    pub problems: Vec<String>,
    /// What fixes each problem.
    pub fixes: Vec<String>,
    /// Rules of this stack that let the connection through where OpenSSL under libpq
    /// would refuse it ("partial chains are accepted"), to explain a difference.
    pub notes: Vec<String>,
}

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

/// Decides as psql with `sslmode=verify-full` would, naming the cause and the fix.
pub fn judge(case: &Case<'_>) -> Verdict {
    let mut problems = Vec::new();
    let mut fixes = Vec::new();
    let mut root = None;
    if let Some(error) = &case.trust.error {
        problems.push(format!(
            "{} cannot load the trust file {}: {error}",
            case.client, case.trust_name
        ));
        fixes.push(trust_file_fix(
            case.trust_name,
            "rootcert fetch PROFILE",
            case.trust,
        ));
    } else {
        let chain = check_chain(case, chain::SECURITY_BITS, &LIBPQ_WORDING);
        root = chain.root;
        if let Some((problem, fix)) = chain.problem {
            problems.push(problem);
            fixes.extend(fix);
        }
    }
    let names = host::CertNames::of(&case.chain[0]);
    let check = match case.names {
        // The other stacks check names themselves; until they do, libpq's rule.
        NameRule::Libpq
        | NameRule::Python
        | NameRule::Node
        | NameRule::Mysql2
        | NameRule::Java
        | NameRule::Go => host::check(case.host, &names),
        NameRule::OpenSsl if openssl_host::matches(case.host, &case.chain[0]) => {
            host::NameCheck::Match
        }
        NameRule::OpenSsl => host::NameCheck::Mismatch,
        NameRule::None => host::NameCheck::Match,
    };
    match check {
        host::NameCheck::Match => {}
        host::NameCheck::Error(why) => problems.push(why),
        host::NameCheck::Mismatch | host::NameCheck::NoNames => {
            problems.push(format!(
                "the server certificate is for {}, not {}",
                names.listed(case.host),
                case.host
            ));
            fixes.extend(name_fix(case.host, &names));
        }
    }
    Verdict {
        ok: problems.is_empty(),
        root,
        problems,
        fixes,
        notes: Vec::new(),
    }
}

/// OpenSSL's verdict on the chain alone.
pub(crate) struct ChainVerdict {
    /// The trusted root the chain ends at, when it reaches one.
    pub(crate) root: Option<Cert>,
    /// The first failure as OpenSSL meets it, and its fix.
    pub(crate) problem: Option<(String, Option<String>)>,
    /// The failure itself, for a stack that words some of them its own way.
    pub(crate) failure: Option<Failure>,
}

/// `X509_verify_cert` on the case's chain and trust file at the security level whose minimum
/// is `security_bits`, its failure explained in `wording`.
pub(crate) fn check_chain(case: &Case<'_>, security_bits: u32, wording: &Wording) -> ChainVerdict {
    let verified = chain::verify(case.chain, &case.trust.certs, case.now, security_bits);
    let unanchored = matches!(
        verified.failure,
        Some(Failure::IssuerNotFound { .. } | Failure::UntrustedSelfSigned { .. })
    );
    let problem = verified.failure.as_ref().map(|failure| {
        let (mut problem, fix) = explain(failure, &verified.path, case, wording);
        // Say why a certificate the file holds did not count.
        if unanchored && !case.trust.left_out.is_empty() {
            problem.push_str(&format!(" ({})", case.trust.left_out.join("; ")));
        }
        (problem, fix)
    });
    ChainVerdict {
        root: verified.root().map(|l| l.cert.clone()),
        problem,
        failure: verified.failure,
    }
}

/// The fix for a trust file libpq cannot load; `fetch` is the `rootcert fetch …` command
/// (without `-o`) that gets the right certificate.
pub fn trust_file_fix(path: &str, fetch: &str, file: &TrustFile) -> String {
    let word = crate::quote::shell_word(path);
    if file.holds_private_key {
        // Never `-o` over a key: the certificate goes to a file of its own.
        let beside = std::path::Path::new(path).with_file_name("root.crt");
        return format!(
            "that file holds a private key, which is not a trust file (and must not be \
             overwritten): save the root certificate to a file of its own, `{fetch} -o {}`, \
             and name that file as the root",
            crate::quote::shell_word(&crate::quote::path_text(&beside))
        );
    }
    match file.format {
        Format::Der => format!(
            "save it as PEM: `{fetch} -o {word} --force`, or convert it: \
             `openssl x509 -inform DER -in {word} -out {}`",
            crate::quote::shell_word(&format!("{path}.pem"))
        ),
        _ => format!("replace it with the root certificate in PEM: `{fetch} -o {word} --force`"),
    }
}

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

fn explain(
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
                    "the server sent only its own certificate; its issuer {needed} is neither sent \
                     by the server nor in {file} (the server should send its intermediate \
                     certificates)"
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

/// The catalog profile whose root has this subject's common name.
pub(crate) fn catalog_profile_for(subject: &str) -> Option<&'static str> {
    catalog::PROFILES
        .iter()
        .filter(|p| p.certs.len() == 1)
        .find(|p| {
            p.certs
                .iter()
                .any(|c| subject.starts_with(&format!("CN={},", c.name)))
        })
        .map(|p| p.name)
}

fn name_fix(host: &str, names: &host::CertNames) -> Option<String> {
    let host_is_ip = host::parse_ip(host).is_some();
    match (names.first_dns(), names.first_ip(), host_is_ip) {
        (Some(dns), _, true) => Some(format!("connect with host={dns} hostaddr={host}")),
        (Some(dns), _, false) => Some(format!(
            "connect with host={dns} (and hostaddr= to keep the address)"
        )),
        (None, Some(ip), _) => Some(format!("connect with host={ip}")),
        (None, None, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_needed_catalog_root_is_named_by_profile() {
        let g2 = "CN=DigiCert Global Root G2,OU=www.digicert.com,O=DigiCert Inc,C=US";
        assert_eq!(catalog_profile_for(g2), Some("digicert-global-root-g2"));
        let ms = "CN=Microsoft RSA Root Certificate Authority 2017,O=Microsoft Corporation,C=US";
        assert_eq!(catalog_profile_for(ms), Some("microsoft-rsa-root-2017"));
        assert_eq!(catalog_profile_for("CN=Someone Else,O=X"), None);
    }
}

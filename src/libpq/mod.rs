//! libpq's `sslmode=verify-full`, as the specification of rootcert's verdicts.
//!
//! psql decides, in this order: can it load the trust file ([`trust_file`]); does OpenSSL
//! accept the server's chain against it (`chain`); does the server certificate name the
//! host (`host`). [`judge`] is that decision as a pure function of the chain the server
//! sent, the trust file, the host and the time, with the cause named the way a person can
//! act on it. Where rootcert knowingly differs from libpq, docs/verification.md lists it.

mod cause;
mod chain;
pub(crate) mod constraints;
mod explain;
pub(crate) mod facts;
pub(crate) mod host;
pub(crate) mod openssl_host;
pub(crate) mod signature;
pub mod trust_file;

use std::time::SystemTime;

use crate::catalog;
use crate::cert::Certificate;
pub use cause::Cause;
pub(crate) use cause::add as add_cause;
pub(crate) use chain::{Failure, LEVEL_1_BITS, SECURITY_BITS};
use explain::explain;
pub(crate) use explain::{LIBPQ_WORDING, Wording};
pub(crate) use host::parse_ip;
pub use trust_file::{Format, TrustFile};

/// What the judge is given: the chain as the server sent it (server certificate first),
/// the roots the trust file holds and how libpq would load it, and the host as libpq's
/// `host` parameter holds it.
pub struct Case<'a> {
    /// The chain as the server sent it, server certificate first.
    pub chain: &'a [Certificate],
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
    /// OpenSSL's `X509_check_host`/`X509_check_ip_asc`, as the MariaDB client (and
    /// `openssl s_client`) call them.
    OpenSsl,
    /// Oracle's `mysql` client: `X509_VERIFY_PARAM_set1_ip_asc` for an address (iPAddress
    /// entries only, never a dNSName or the CN), else `set1_host`.
    OracleMysql,
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

/// What a client decides about a connection (libpq's, or another stack's), with the cause
/// and what fixes it; [`crate::Verdict`] is what a check reports from it.
pub struct Decision {
    /// verify-full would succeed.
    pub ok: bool,
    /// The trusted root the chain ends at, when it reaches one.
    pub root: Option<Certificate>,
    /// Why it would fail; the chain's first failure as OpenSSL meets it.
    pub problems: Vec<String>,
    /// The kinds of `problems`, each once.
    pub causes: Vec<Cause>,
    /// What fixes each problem.
    pub fixes: Vec<String>,
    /// Rules of this stack that let the connection through where OpenSSL under libpq
    /// would refuse it ("partial chains are accepted"), to explain a difference.
    pub notes: Vec<String>,
}

/// Decides as psql with `sslmode=verify-full` would, naming the cause and the fix.
pub fn judge(case: &Case<'_>) -> Decision {
    let mut problems = Vec::new();
    let mut causes = Vec::new();
    let mut fixes = Vec::new();
    let mut root = None;
    if let Some(error) = &case.trust.error {
        causes.push(Cause::TrustFile);
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
        let chain = check_chain(case, chain::SECURITY_BITS, wording_for(case));
        root = chain.root;
        if let Some((problem, fix)) = chain.problem {
            causes.extend(chain.failure.as_ref().map(Cause::of));
            problems.push(problem);
            fixes.extend(fix);
        }
    }
    let names = host::CertNames::of(&case.chain[0]);
    let check = match case.names {
        // Python and Node check names in crate::stack; Java and Go, until they do too,
        // by libpq's rule.
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
        NameRule::OracleMysql => {
            let leaf = &case.chain[0];
            let matched = if openssl_host::is_address(case.host) {
                openssl_host::check_address(case.host, leaf)
            } else {
                openssl_host::check_name(case.host, leaf, true)
            };
            if matched {
                host::NameCheck::Match
            } else {
                host::NameCheck::Mismatch
            }
        }
        NameRule::None => host::NameCheck::Match,
    };
    match check {
        host::NameCheck::Match => {}
        host::NameCheck::Error(why) => {
            add_cause(&mut causes, Cause::HostName);
            problems.push(why);
        }
        host::NameCheck::Mismatch | host::NameCheck::NoNames => {
            add_cause(&mut causes, Cause::HostName);
            problems.push(
                if case.names == NameRule::OracleMysql && openssl_host::is_address(case.host) {
                    format!(
                        "the server certificate is for {}, not {}: Oracle's mysql client \
                         compares an address host with iPAddress entries only, never a DNS \
                         name or the CN",
                        names.listed(case.host),
                        case.host
                    )
                } else {
                    format!(
                        "the server certificate is for {}, not {}",
                        names.listed(case.host),
                        case.host
                    )
                },
            );
            fixes.extend(match case.names {
                NameRule::OpenSsl | NameRule::OracleMysql => openssl_name_fix(case.host, &names),
                _ => name_fix(case.host, &names),
            });
        }
    }
    Decision {
        ok: problems.is_empty(),
        root,
        problems,
        causes,
        fixes,
        notes: Vec::new(),
    }
}

/// OpenSSL's verdict on the chain alone.
pub(crate) struct ChainVerdict {
    /// The trusted root the chain ends at, when it reaches one.
    pub(crate) root: Option<Certificate>,
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
    // `--force` only where there is a file to replace.
    let force = if std::path::Path::new(path).exists() {
        " --force"
    } else {
        ""
    };
    // A fetch command without a profile in it names no root: say where one comes from.
    let get = |target: &str| {
        if fetch.ends_with("PROFILE") {
            format!(
                "the server's root certificate in PEM, from its operator (or, for a root in \
                 rootcert's catalog, `rootcert fetch NAME -o {target}{force}` with NAME from \
                 `rootcert list`)"
            )
        } else {
            format!("`{fetch} -o {target}{force}`")
        }
    };
    if file.holds_private_key {
        // Never `-o` over a key: the certificate goes to a file of its own.
        let beside = std::path::Path::new(path).with_file_name("root.crt");
        let beside = crate::quote::shell_word(&crate::quote::path_text(&beside));
        return format!(
            "that file holds a private key, which is not a trust file (and must not be \
             overwritten): save {} to a file of its own, and name that file as the root",
            get(&beside).replace(" --force", "")
        );
    }
    match file.format {
        Format::Der => format!(
            "save it as PEM: {}, or convert it: `openssl x509 -inform DER -in {word} -out {}`",
            get(&word),
            crate::quote::shell_word(&format!("{path}.pem"))
        ),
        _ => format!("replace it with {}", get(&word)),
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

/// The MySQL/MariaDB clients and `openssl s_client` have no `hostaddr`: the fix is the
/// name to connect with, reached by DNS or `/etc/hosts`.
fn openssl_name_fix(host: &str, names: &host::CertNames) -> Option<String> {
    match names.first_dns().or_else(|| names.first_ip()) {
        Some(name) if name != host => Some(format!(
            "connect with the host name {name}, which the certificate names (with DNS or \
             /etc/hosts resolving it to the server), or have the server's operator add {host} \
             to its subjectAltName"
        )),
        _ => None,
    }
}

/// The words of the OpenSSL clients: libpq's, the MySQL/MariaDB clients' (`ssl-ca`), and
/// `openssl s_client`'s (`-CAfile`).
fn wording_for(case: &Case<'_>) -> &'static Wording {
    static MYSQL: Wording = Wording {
        level: "OpenSSL's security level 2 (Debian's default, which psql and the mariadb client use)",
        min_rsa_bits: 2048,
        root_setting: "ssl-ca",
    };
    static OPENSSL: Wording = Wording {
        level: "OpenSSL's security level 2 (Debian's default, which psql and the mariadb client use)",
        min_rsa_bits: 2048,
        root_setting: "-CAfile",
    };
    match (case.names, case.client) {
        (_, "the TLS client") => &OPENSSL,
        (_, "the mariadb client" | "the mysql client") => &MYSQL,
        _ => &LIBPQ_WORDING,
    }
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

//! The JDK's JSSE and PKIX as pgjdbc runs them (`sslmode=verify-ca`/`verify-full` with
//! `LibPQFactory`): the trust file as `CertificateFactory` reads it ([`trust_file`]), the
//! path `PKIXValidator` validates ([`chain`]) with the PKIX checkers, the anchor and
//! end-entity checks ([`pkix`]), then `PGjdbcHostnameVerifier` ([`names`]); [`notes`] names
//! the rules that let a connection through where libpq would refuse it. The rules, their
//! sources and the measured cases are in `docs/drivers/pgjdbc.md`.

mod chain;
mod link;
mod names;
mod notes;
mod pkix;
#[cfg(test)]
mod tests;
mod trust_file;

pub(crate) use trust_file::load;

use link::Link;
use names::{HostCheck, JavaNames};
use pkix::Failure;

use crate::libpq::{self, Case, Cause, Decision, NameRule, TrustFile};

const RENEW: &str = "the server's operator must renew the certificate (or fix the clock)";
const REISSUE: &str = "the server's operator must issue the certificate again";

/// pgjdbc's decision, with the cause and what fixes it.
pub(crate) fn judge(case: &Case<'_>) -> Decision {
    let mut problems = Vec::new();
    let mut causes = Vec::new();
    let mut fixes = Vec::new();
    let mut notes = Vec::new();
    let mut root = None;
    let unparsable = case
        .chain
        .iter()
        .enumerate()
        .find_map(|(at, cert)| link::jdk_parse_problem(cert).map(|why| (at, cert, why)));
    if let Some(error) = &case.trust.error {
        causes.push(Cause::TrustFile);
        problems.push(format!(
            "{} cannot load the trust file {}: {error}",
            case.client, case.trust_name
        ));
        fixes.push(trust_file_fix(case.trust_name, case.trust));
    } else if let Some((at, cert, why)) = &unparsable {
        let role = if *at == 0 { "server" } else { "chain's" };
        let subject = cert.subject();
        let subject = if subject.is_empty() {
            "(no subject)".into()
        } else {
            subject
        };
        causes.push(Cause::Unparsable);
        problems.push(format!(
            "Java cannot parse the {role} certificate {subject}: {why}"
        ));
        fixes.push(format!(
            "{REISSUE} with a subject or a critical subjectAltName"
        ));
    } else {
        let verified = chain::verify(case.chain, &case.trust.certs, case.now);
        root = verified.anchor().map(|l| l.cert.clone());
        match &verified.failure {
            Some(failure) => {
                let (problem, fix) = explain(failure, &verified.path, case);
                causes.push(cause(failure));
                problems.push(problem);
                fixes.extend(fix);
            }
            None => notes.extend(notes::chain(&verified, &case.trust.certs, case.now)),
        }
        if case.trust.format == libpq::Format::Der {
            notes.push("pgjdbc reads a DER trust file (libpq reads only PEM)".into());
        }
    }
    // `verify-ca` (NameRule::None) checks no name; pgjdbc's verifier is the only one this
    // stack runs.
    // A certificate Java cannot parse ends the handshake before any name is compared.
    if case.names != NameRule::None && unparsable.is_none() {
        let names = JavaNames::of(&case.chain[0]);
        match names::check(case.host, &names) {
            HostCheck::Match { by_cn } => notes.extend(notes::names(case.host, &names, by_cn)),
            HostCheck::Error(why) => {
                libpq::add_cause(&mut causes, Cause::HostName);
                problems.push(why);
            }
            HostCheck::Mismatch => {
                libpq::add_cause(&mut causes, Cause::HostName);
                problems.push(format!(
                    "the server certificate is for {}, not {} (pgjdbc: \"The hostname {} could \
                     not be verified by hostnameverifier PgjdbcHostnameVerifier\")",
                    names.listed(),
                    case.host,
                    case.host
                ));
                fixes.extend(name_fix(case.host, &names));
            }
        }
    }
    Decision {
        ok: problems.is_empty(),
        root,
        problems,
        causes,
        fixes,
        notes,
    }
}

/// The kind of the JDK's refusal.
fn cause(failure: &Failure) -> Cause {
    match failure {
        Failure::NoPath { .. } => Cause::UntrustedRoot,
        Failure::DisabledSignature { .. } | Failure::WeakKey { .. } => Cause::WeakCrypto,
        Failure::BadSignature { .. } | Failure::UncheckableSignature { .. } => Cause::BadSignature,
        Failure::NotYetValid { .. } => Cause::NotYetValid,
        Failure::Expired { .. } => Cause::Expired,
        Failure::AnchorNotCa
        | Failure::AnchorMayNotSign
        | Failure::KeyUsageWithoutUse { .. }
        | Failure::IssuerMayNotSign { .. }
        | Failure::NotACa { .. }
        | Failure::PathLengthExceeded { .. }
        | Failure::NameConstraint { .. }
        | Failure::EmptyIssuer { .. }
        | Failure::UnhandledCriticalExtension { .. }
        | Failure::ServerKeyUsage
        | Failure::ServerExtendedKeyUsage
        | Failure::ServerNetscapeType => Cause::CaRules,
    }
}

fn trust_file_fix(path: &str, file: &TrustFile) -> String {
    let fetch = "rootcert fetch PROFILE";
    if file.holds_private_key {
        return libpq::trust_file_fix(path, fetch, file);
    }
    format!(
        "replace it with the root certificate: `{fetch} -o {} --force` (pgjdbc wants every \
         block of the file to be a certificate)",
        crate::quote::shell_word(path)
    )
}

fn role(at: usize, path: &[Link]) -> &'static str {
    if at == 0 {
        "server certificate"
    } else if at + 1 == path.len() {
        "trust anchor"
    } else {
        "intermediate certificate"
    }
}

/// "the intermediate certificate CN=…"
fn named(at: usize, path: &[Link]) -> String {
    format!("the {} {}", role(at, path), path[at].cert.subject())
}

fn explain(failure: &Failure, path: &[Link], case: &Case<'_>) -> (String, Option<String>) {
    let file = case.trust_name;
    let reissue = |what: &str| Some(format!("{REISSUE} {what}"));
    match failure {
        Failure::NoPath { top } => {
            let (mut problem, fix) = no_path(*top, path, case);
            // Say what of the file Java never read.
            if !case.trust.left_out.is_empty() {
                problem.push_str(&format!(" ({})", case.trust.left_out.join("; ")));
            }
            (problem, fix)
        }
        Failure::AnchorNotCa | Failure::AnchorMayNotSign => {
            let anchor = path.last().expect("an anchor ends the path");
            let why = if *failure == Failure::AnchorNotCa {
                "is a version 3 certificate without basicConstraints cA=TRUE"
            } else {
                "has a keyUsage without keyCertSign"
            };
            (
                format!(
                    "{} in {file} {why}, and Java accepts only a CA certificate as a trust \
                     anchor (\"TrustAnchor with subject … is not a CA certificate\")",
                    anchor.cert.subject()
                ),
                Some(match path.len() {
                    3.. => format!(
                        "put the intermediate certificate {} in {file} instead: pgjdbc accepts \
                         an intermediate certificate as the trust anchor",
                        path[path.len() - 2].cert.subject()
                    ),
                    _ => "the server's operator must name the CA certificate that issued the \
                          server certificate, to put in the file sslrootcert names"
                        .into(),
                }),
            )
        }
        Failure::DisabledSignature { at, algorithm } => (
            format!(
                "{} is signed with {algorithm}, which the JDK refuses \
                 (jdk.certpath.disabledAlgorithms{})",
                named(*at, path),
                if *algorithm == "SHA-1" {
                    ", under a root the JDK ships"
                } else {
                    ""
                }
            ),
            reissue("signed with SHA-256 or better"),
        ),
        Failure::WeakKey { at, bits } => (
            format!(
                "{} has a {bits}-bit key; the JDK refuses RSA keys under 1024 bits and EC keys \
                 under 224 (jdk.certpath.disabledAlgorithms)",
                named(*at, path)
            ),
            reissue("with an RSA key of at least 2048 bits or an EC key"),
        ),
        Failure::KeyUsageWithoutUse { at } => (
            format!(
                "{} has a keyUsage with no usable bit, which the JDK refuses (\"incorrect \
                 KeyUsage extension bits\")",
                named(*at, path)
            ),
            reissue("with a keyUsage that names its uses"),
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
        Failure::NotACa { at } => (
            format!(
                "{} issues {} but is not a CA certificate (Java wants basicConstraints cA=TRUE of \
                 every intermediate and refuses version 1 intermediates)",
                named(*at, path),
                named(*at - 1, path)
            ),
            Some("the server's operator must use a chain whose issuers are CA certificates".into()),
        ),
        Failure::PathLengthExceeded { at } => (
            format!(
                "{} is one intermediate too many for the pathLenConstraint of a CA above it",
                named(*at, path)
            ),
            Some(
                "the server's operator must use a chain that respects the CAs' path lengths".into(),
            ),
        ),
        Failure::NameConstraint { at, ca, violation } => {
            use libpq::constraints::Violation;
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
                     pgjdbc may accept it",
                    named(*at, path),
                    named(*ca, path)
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
        Failure::NotYetValid { at } => (
            format!(
                "{} is not valid until {} (or this machine's clock is wrong)",
                named(*at, path),
                path[*at].cert.not_before_rfc3339()
            ),
            Some(RENEW.into()),
        ),
        Failure::Expired { at } => (
            format!(
                "{} expired on {}",
                named(*at, path),
                path[*at].cert.not_after_rfc3339()
            ),
            Some(RENEW.into()),
        ),
        Failure::EmptyIssuer { at } => (
            format!(
                "{} has an empty issuer name, which Java refuses",
                named(*at, path)
            ),
            reissue("with its issuer's name"),
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
        Failure::UnhandledCriticalExtension { at, extension } => (
            format!(
                "{} has a critical extension Java does not handle ({extension})",
                named(*at, path)
            ),
            reissue("without it"),
        ),
        Failure::ServerKeyUsage => (
            format!(
                "{} has a keyUsage without digitalSignature, which Java requires for the TLS 1.3 \
                 and ECDHE key exchanges (\"KeyUsage does not allow digital signatures\")",
                named(0, path)
            ),
            reissue("with keyUsage digitalSignature"),
        ),
        Failure::ServerExtendedKeyUsage => (
            format!(
                "{} has an extendedKeyUsage with neither serverAuth nor anyExtendedKeyUsage",
                named(0, path)
            ),
            reissue("for TLS server use (serverAuth)"),
        ),
        Failure::ServerNetscapeType => (
            format!(
                "{} has a Netscape certificate type that does not allow an SSL server",
                named(0, path)
            ),
            reissue("without that extension"),
        ),
    }
}

/// The builder found no certificate of the trust file above `path[top]`.
fn no_path(top: usize, path: &[Link], case: &Case<'_>) -> (String, Option<String>) {
    let file = case.trust_name;
    let cert = &path[top].cert;
    let needed = cert.issuer();
    let java = "(Java: \"unable to find valid certification path to requested target\")";
    if path[top].facts.self_issued {
        return (
            format!(
                "the server's chain ends at {}, which {file} does not hold {java}",
                cert.subject()
            ),
            Some(if top == 0 {
                format!(
                    "check its fingerprint ({}) with the server's operator and add it to {file}, \
                     or give the server a CA-issued certificate",
                    cert.sha256
                )
            } else {
                get_root(&cert.subject(), file, "get that root")
            }),
        );
    }
    if top == 0 && case.chain.len() == 1 {
        return (
            format!(
                "the server sent only its own certificate, and {file} does not hold its issuer \
                 {needed}; Java fetches nothing, so a root above it does not help {java}"
            ),
            Some(format!(
                "the server should send its intermediate certificates; or put {needed} itself \
                 in {file}: pgjdbc accepts an intermediate certificate as the trust anchor"
            )),
        );
    }
    (
        format!(
            "the server's chain ends at {}, issued by {needed}, which {file} does not hold {java}",
            cert.subject()
        ),
        Some(get_root(&needed, file, "add that issuer's certificate")),
    )
}

/// How to get the certificate `needed` into the trust file.
fn get_root(needed: &str, file: &str, verb: &str) -> String {
    match libpq::catalog_profile_for(needed) {
        Some(profile) => format!(
            "{verb}: `rootcert fetch {profile} -o {}` and use that file as sslrootcert",
            crate::quote::shell_word(file)
        ),
        None => format!(
            "{verb}: get {needed} from the server's operator, check its fingerprint and put it \
             in the file sslrootcert names"
        ),
    }
}

/// What to write in the JDBC URL instead.
fn name_fix(host: &str, names: &JavaNames) -> Option<String> {
    let canonical = names::canonical_host(host).ok()?;
    // The same address written as Java writes it.
    if let Some(ip) = libpq::parse_ip(canonical.trim_matches(['[', ']'])) {
        let octets = match ip {
            std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
            std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        let text = names::ip_text(&octets)?;
        if names.san.iter().any(|(_, s)| *s == text) || names.cn.as_deref() == Some(&text) {
            let url_host = if text.contains(':') {
                format!("[{text}]")
            } else {
                text.clone()
            };
            return Some(format!(
                "pgjdbc compares addresses as text: write the host as {text} in the JDBC URL \
                 (jdbc:postgresql://{url_host}:PORT/…)"
            ));
        }
    }
    let name = names
        .san
        .iter()
        .find_map(|(dns, s)| dns.then_some(s))
        .or(names.cn.as_ref().filter(|_| !names.any_dns()))
        .filter(|s| !s.contains('*'))?;
    Some(format!(
        "connect with a host name the certificate holds: jdbc:postgresql://{name}:PORT/… (the \
         name must lead to the server: pgjdbc has no hostaddr)"
    ))
}

//! Node.js's TLS as node-postgres and mysql2 use it (docs/drivers/node-postgres.md,
//! docs/drivers/mysql2.md): Node's own reader of the `ca` option ([`trust_file`]), the
//! OpenSSL 3.0 built into Node verifying the chain with default flags at security level 1
//! (its compiled-in default: Debian's configuration does not apply, so RSA-1024 passes and
//! SHA-1 below the root still fails), then `tls.checkServerIdentity` ([`names`]), which
//! mysql2 hands `localhost` for an address host.

mod names;
mod trust_file;

pub(crate) use trust_file::load;

use names::{Compared, Identity, Lenient};

use crate::Driver;
use crate::libpq::host::{self, CertName, CertNames};
use crate::libpq::{
    self, Case, Cause, Decision, Failure, LEVEL_1_BITS, NameRule, SECURITY_BITS, Wording,
    openssl_host,
};

const LEVEL: &str =
    "security level 1 (the default of the OpenSSL built into Node, which does not read Debian's)";

/// This stack's decision: the trust file as Node read it, the chain at security level 1,
/// then the name as node-postgres (`NameRule::Node`) or mysql2 (`NameRule::Mysql2`) checks it.
pub(crate) fn judge(case: &Case<'_>) -> Decision {
    let mysql2 =
        case.names == NameRule::Mysql2 || Driver::from_name(case.client) == Some(Driver::Mysql2);
    let wording = Wording {
        level: LEVEL,
        min_rsa_bits: 1024,
        root_setting: if mysql2 {
            "mysql2's `ssl: {ca: fs.readFileSync(FILE), verifyIdentity: true}`"
        } else {
            "sslrootcert in the connection URL (or `ssl: {ca: fs.readFileSync(FILE)}`)"
        },
    };
    let mut verdict = Decision {
        ok: false,
        root: None,
        problems: Vec::new(),
        causes: Vec::new(),
        fixes: Vec::new(),
        notes: Vec::new(),
    };
    let file = case.trust_name;
    if let Some(error) = &case.trust.error {
        // pg reads an empty file as `ca: ''`, which Node ignores (connection-parameters.js).
        let fallback = if !mysql2 && case.trust.format == crate::libpq::Format::Empty {
            "; node-postgres then verifies with Node's bundled public roots instead"
        } else {
            ""
        };
        verdict.causes.push(Cause::TrustFile);
        verdict.problems.push(format!(
            "{} trusts no certificate from {file}: {error}{fallback}",
            case.client
        ));
        verdict.fixes.push(libpq::trust_file_fix(
            file,
            "rootcert fetch PROFILE",
            case.trust,
        ));
    } else {
        let chain = libpq::check_chain(case, LEVEL_1_BITS, &wording);
        verdict.root = chain.root;
        match chain.problem {
            Some((problem, fix)) => {
                verdict.causes.extend(chain.failure.as_ref().map(Cause::of));
                verdict.problems.push(problem);
                verdict.fixes.extend(fix);
            }
            None => verdict.notes.extend(chain_notes(case)),
        }
    }
    if case.names != NameRule::None {
        check_names(case, mysql2, &mut verdict);
    }
    verdict.ok = verdict.problems.is_empty();
    verdict
}

/// The lenient rules that let the chain through where OpenSSL at Debian's level 2, reading
/// the file whole, would not.
fn chain_notes(case: &Case<'_>) -> Vec<String> {
    let mut notes = Vec::new();
    let lenient_stop = case
        .trust
        .left_out
        .iter()
        .find(|s| s.contains(trust_file::OPENSSL_REFUSES));
    if let Some(stop) = lenient_stop {
        notes.push(format!(
            "Node keeps the certificates it read before a block it cannot read: {stop}"
        ));
    }
    let at_level_2 = libpq::check_chain(case, SECURITY_BITS, &libpq::LIBPQ_WORDING);
    if let Some(
        Failure::ServerKeyTooSmall { .. }
        | Failure::CaKeyTooSmall { .. }
        | Failure::WeakSignature { .. },
    ) = at_level_2.failure
    {
        let (why, _) = at_level_2.problem.unwrap_or_default();
        let why = why.split(", too weak for").next().unwrap_or_default();
        notes.push(format!(
            "Node's OpenSSL runs at security level 1 and accepts what psql and the mariadb \
             client refuse at Debian's level 2: {why} (`ssl: {{ciphers: \
             'DEFAULT:@SECLEVEL=2'}}` makes Node as strict)"
        ));
    }
    notes
}

fn check_names(case: &Case<'_>, mysql2: bool, verdict: &mut Decision) {
    let leaf = &case.chain[0];
    let checked = if mysql2 {
        names::mysql2_checked_host(case.host)
    } else {
        case.host
    };
    let as_localhost = checked != case.host;
    let quirk = || {
        format!(
            "mysql2 checks an address host as the name localhost (it gives Node no servername \
             for {})",
            case.host
        )
    };
    match names::check_server_identity(checked, leaf) {
        Identity::Match(lenient) => {
            // What the reference client of the protocol (libpq, or OpenSSL's
            // X509_check_host for MySQL) would say.
            let reference_matches = if mysql2 {
                openssl_host::matches(case.host, leaf)
            } else {
                host::check(case.host, &CertNames::of(leaf)) == host::NameCheck::Match
            };
            if as_localhost {
                verdict.notes.push(format!(
                    "{}: the certificate names localhost, so it passes whatever it says of {}",
                    quirk(),
                    case.host
                ));
            } else if let Some(rule) = lenient.filter(|_| !reference_matches) {
                verdict.notes.push(lenient_note(&rule, case.host, mysql2));
            }
        }
        Identity::Mismatch(compared) => {
            let mut problem = mismatch(checked, &compared);
            if as_localhost {
                problem = format!("{}: {problem}", quirk());
            }
            libpq::add_cause(&mut verdict.causes, Cause::HostName);
            verdict.problems.push(problem);
            verdict.fixes.extend(name_fix(case.host, leaf, mysql2));
        }
    }
}

fn lenient_note(rule: &Lenient, host: &str, mysql2: bool) -> String {
    let reference = if mysql2 {
        "the mariadb client (OpenSSL's X509_check_host)"
    } else {
        "libpq"
    };
    match rule {
        Lenient::TrailingDot(pattern) => format!(
            "Node removes a trailing dot before comparing names ({host} matched {pattern}); \
             {reference} does not"
        ),
        Lenient::PartialWildcard(pattern) => {
            format!("Node accepts the partial wildcard {pattern} for {host}; {reference} does not")
        }
        Lenient::LaterCn(cn) => format!(
            "Node compares every common name of the subject (CN={cn} matched {host}); \
             {reference} only the first"
        ),
    }
}

fn mismatch(host: &str, compared: &Compared) -> String {
    let list = |kind: &str, names: &[String]| {
        names
            .iter()
            .map(|n| format!("{kind}{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match compared {
        Compared::Addresses(ips) if ips.is_empty() => format!(
            "the server certificate has no IP address entry, and Node checks an address host \
             ({host}) against IP address entries only, never DNS names or the CN"
        ),
        Compared::Addresses(ips) => format!(
            "the server certificate is for {}, not {host} (Node compares an address host \
             with IP address entries only)",
            list("IP:", ips)
        ),
        Compared::DnsNames(dns) => format!(
            "the server certificate is for {}, not {host}",
            list("DNS:", dns)
        ),
        Compared::CommonNames(cns) => format!(
            "the server certificate is for {}, not {host} (it has no DNS name, so Node \
             compares its CN)",
            list("CN=", cns)
        ),
        Compared::Nothing => {
            "the server certificate names no host: it has no DNS name and no CN".to_string()
        }
    }
}

/// What the user can change: the host they connect with, or the certificate.
fn name_fix(host: &str, leaf: &crate::cert::Certificate, mysql2: bool) -> Option<String> {
    let names = CertNames::of(leaf);
    let dns = names.san.iter().find_map(|n| match n {
        CertName::Dns(d) => Some(String::from_utf8_lossy(d).into_owned()),
        CertName::Ip(_) => None,
    });
    let address_host = libpq::parse_ip(host).is_some();
    let connect = |name: &str| {
        if mysql2 {
            format!("connect with `host: '{name}'`")
        } else {
            format!("connect to {name} (the host in the connection URL)")
        }
    };
    match (dns.or_else(|| names.first_dns()), names.first_ip()) {
        (Some(name), _) if mysql2 && address_host => Some(format!(
            "{}, a name the certificate holds that resolves to the server: mysql2 cannot \
             check a certificate by address",
            connect(&name)
        )),
        (_, Some(ip)) if address_host => Some(format!(
            "{}, an address the certificate holds",
            connect(&ip)
        )),
        (Some(name), _) => Some(format!(
            "{}, a name the certificate holds, or have the server's operator add {host} to \
             its subjectAltName",
            connect(&name)
        )),
        (None, Some(ip)) => Some(format!(
            "{}, the address the certificate holds",
            connect(&ip)
        )),
        (None, None) => Some(
            "the server's operator must issue a certificate with the server's name in its \
             subjectAltName"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests;

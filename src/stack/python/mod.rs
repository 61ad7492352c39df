//! Python's `ssl` module as asyncpg and PyMySQL use it (docs/drivers/asyncpg.md,
//! docs/drivers/pymysql.md), on Python 3.11: the trust file goes to OpenSSL
//! (`SSL_CTX_load_verify_locations`, so [`crate::libpq::TrustFile::load`]); the chain is
//! OpenSSL 3.0's at security level 2 (Python's cipher string starts `@SECLEVEL=2`) with
//! `X509_V_FLAG_TRUSTED_FIRST` only; the host is checked by OpenSSL with the flags
//! `_ssl_configure_hostname` (Modules/_ssl.c) sets:
//!
//! - A label that is empty (a leading dot too) or longer than 63 characters fails the `idna`
//!   encoding (`SSLContext._encode_hostname`), an empty host raises `ValueError`: no
//!   connection.
//! - A host `a2i_IPADDRESS` reads as an address (four decimal parts, or IPv6: `127.1` and
//!   `127.0.0.1.` are names) is checked by `X509_check_ip`: iPAddress SANs only, never a
//!   dNSName or the CN.
//! - A name is checked by `X509_check_host` with `X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`:
//!   dNSName SANs, else every CN; `*` only as a whole first label; a trailing dot is kept.
//!
//! Python 3.13's `create_default_context()` differs (partial chains, strict mode): see the
//! drivers' docs, "Where rootcert's model differs".

use crate::Driver;
use crate::libpq::host::{self, CertName, CertNames};
use crate::libpq::{
    self, Case, Cause, Decision, Format, NameRule, SECURITY_BITS, Wording, openssl_host,
};

/// This stack's decision.
pub(crate) fn judge(case: &Case<'_>) -> Decision {
    let pymysql = Driver::from_name(case.client) == Some(Driver::Pymysql);
    let wording = Wording {
        level: "OpenSSL's security level 2 (Python's default cipher string sets @SECLEVEL=2)",
        min_rsa_bits: 2048,
        root_setting: if pymysql {
            "ssl_ca (with ssl_verify_identity=True)"
        } else {
            "sslrootcert in the DSN (or `ssl=ssl.create_default_context(cafile=FILE)`)"
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
        let error = match case.trust.format {
            Format::Der => "it is DER (binary); OpenSSL's load_verify_locations reads only PEM",
            _ => error,
        };
        verdict.causes.push(Cause::TrustFile);
        verdict.problems.push(format!(
            "{} cannot load the trust file {file}: {error} (ssl.SSLError from \
             load_verify_locations)",
            case.client
        ));
        verdict.fixes.push(libpq::trust_file_fix(
            file,
            "rootcert fetch PROFILE",
            case.trust,
        ));
    } else {
        let chain = libpq::check_chain(case, SECURITY_BITS, &wording);
        verdict.root = chain.root;
        if let Some((problem, fix)) = chain.problem {
            verdict.causes.extend(chain.failure.as_ref().map(Cause::of));
            verdict.problems.push(problem);
            verdict.fixes.extend(fix);
        }
    }
    if case.names != NameRule::None {
        check_names(case, pymysql, &mut verdict);
    }
    verdict.ok = verdict.problems.is_empty();
    verdict
}

fn check_names(case: &Case<'_>, pymysql: bool, verdict: &mut Decision) {
    let host = case.host;
    if let Some(refusal) = hostname_refusal(host) {
        libpq::add_cause(&mut verdict.causes, Cause::HostName);
        verdict.problems.push(refusal);
        return;
    }
    let leaf = &case.chain[0];
    let names = CertNames::of(leaf);
    let address = openssl_host::is_address(host);
    let matched = if address {
        openssl_host::check_address(host, leaf)
    } else {
        openssl_host::check_name(host, leaf, false)
    };
    if matched {
        // X509_check_host tries every CN; libpq only the first.
        if !pymysql && host::check(host, &names) != host::NameCheck::Match {
            verdict.notes.push(format!(
                "Python's ssl (OpenSSL's X509_check_host) compares every common name of the \
                 subject with {host}; libpq only the first"
            ));
        }
        return;
    }
    let listed = |ips: bool| {
        let mut all: Vec<String> = names
            .san
            .iter()
            .filter_map(|n| match n {
                CertName::Dns(d) if !ips => Some(format!("DNS:{}", String::from_utf8_lossy(d))),
                CertName::Ip(o) if ips => ip_text(o).map(|t| format!("IP:{t}")),
                _ => None,
            })
            .collect();
        if all.is_empty() && !ips {
            all = openssl_host::all_common_names(leaf)
                .iter()
                .map(|c| format!("CN={}", String::from_utf8_lossy(c)))
                .collect();
        }
        all.join(", ")
    };
    let problem = if address {
        match listed(true) {
            ips if ips.is_empty() => format!(
                "the server certificate has no IP address entry, and Python's ssl checks an \
                 address host ({host}) against IP address entries only, never DNS names or the CN"
            ),
            ips => format!(
                "the server certificate is for {ips}, not {host} (Python's ssl compares an \
                 address host with IP address entries only)"
            ),
        }
    } else {
        match listed(false) {
            none if none.is_empty() => {
                "the server certificate names no host: it has no DNS name and no CN".to_string()
            }
            all => format!("the server certificate is for {all}, not {host}"),
        }
    };
    libpq::add_cause(&mut verdict.causes, Cause::HostName);
    verdict.problems.push(problem);
    verdict
        .fixes
        .extend(name_fix(host, &names, address, pymysql));
}

/// Python's refusals before it connects: the `idna` codec (`SSLContext._encode_hostname`)
/// fails on an empty or over-long label, a leading dot included (`UnicodeError`), and
/// `_ssl_configure_hostname` on an empty host (`ValueError`).
fn hostname_refusal(host: &str) -> Option<String> {
    if host.is_empty() {
        return Some(
            "Python's ssl refuses an empty host name before connecting (ValueError)".into(),
        );
    }
    let labels = host.strip_suffix('.').unwrap_or(host).split('.');
    if labels.clone().any(|l| l.is_empty() || l.len() > 63) {
        return Some(format!(
            "Python's ssl cannot encode the host {host} (a label is empty or longer than 63 \
             characters: UnicodeError from the idna codec) and does not connect"
        ));
    }
    None
}

fn name_fix(host: &str, names: &CertNames, address: bool, pymysql: bool) -> Option<String> {
    let connect = |name: &str| {
        if pymysql {
            format!("connect with host='{name}'")
        } else {
            format!("connect to {name} (the host in the DSN)")
        }
    };
    match (names.first_dns(), names.first_ip()) {
        (_, Some(ip)) if address => Some(format!(
            "{}, an address the certificate holds",
            connect(&ip)
        )),
        (Some(name), _) if address => Some(format!(
            "{}, a name the certificate holds that resolves to the server, or have the \
             server's operator add IP:{host} to its subjectAltName",
            connect(&name)
        )),
        (Some(name), _) => Some(format!("{}, a name the certificate holds", connect(&name))),
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

fn ip_text(octets: &[u8]) -> Option<String> {
    match octets.len() {
        4 => Some(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(octets).ok()?).to_string()),
        16 => Some(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(octets).ok()?).to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;

//! The host-name check of the OpenSSL-based MySQL and MariaDB clients (MariaDB
//! Connector/C's `ma_tls_verify_server_cert`, MySQL's `ssl_verify_server_cert`), and of
//! `openssl s_client -verify_hostname`: `X509_check_host(cert, host, 0, 0)`, and for an
//! address also `X509_check_ip_asc`. Where this differs from libpq ([`super::host`]):
//!
//! - The CN is consulted only when the certificate has no dNSName at all; iPAddress
//!   entries do not count (libpq: none of the host's own kind).
//! - Every CN is tried, not only the first.
//! - Partial wildcards match: `db*.example.com`, `*db.example.com` (libpq: only `*.`).
//!   A wildcard needs two labels after it (`*.com` is literal), is never in an IDNA
//!   (`xn--`) label, and matches one label of letters, digits and `-`.
//! - An address is one `a2i_ipadd` accepts: four decimal parts for IPv4 (not `127.1`),
//!   compared with iPAddress entries only; as a name it is also compared with dNSName
//!   entries and, without any, the CN.
//! - A trailing dot on the host is kept, as in libpq: `localhost.` does not match
//!   `localhost` (OpenSSL 3.0's `X509_check_host`, measured with `s_client` and the
//!   `mariadb` client).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::host::{CertName, CertNames};
use crate::cert::Certificate;

/// Whether OpenSSL's `X509_check_host || X509_check_ip_asc` accepts `host` for `cert`.
pub(crate) fn matches(host: &str, cert: &Certificate) -> bool {
    check_name(host, cert, true) || check_address(host, cert)
}

/// `X509_check_host(cert, host)`; `partial_wildcards: false` is
/// `X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`.
pub(crate) fn check_name(host: &str, cert: &Certificate, partial_wildcards: bool) -> bool {
    let names = CertNames::of(cert);
    check_host(host, &names, &all_common_names(cert), partial_wildcards)
}

/// `X509_check_ip_asc(cert, host)`: false when `host` is not an address.
pub(crate) fn check_address(host: &str, cert: &Certificate) -> bool {
    check_ip(host, &CertNames::of(cert))
}

/// Every common name of the subject, in order.
pub(crate) fn all_common_names(cert: &Certificate) -> Vec<Vec<u8>> {
    cert.x509()
        .tbs_certificate()
        .subject()
        .iter_rdn()
        .flat_map(|rdn| rdn.iter())
        .filter(|atv| atv.oid == crate::oid::CN)
        .map(|atv| atv.value.value().to_vec())
        .collect()
}

fn check_host(host: &str, names: &CertNames, cns: &[Vec<u8>], partial_wildcards: bool) -> bool {
    let host = host.as_bytes();
    if host.contains(&0) {
        return false;
    }
    let mut dns_present = false;
    for name in &names.san {
        if let CertName::Dns(pattern) = name {
            dns_present = true;
            if !pattern.is_empty() && equal_wildcard(pattern, host, partial_wildcards) {
                return true;
            }
        }
    }
    if dns_present {
        return false;
    }
    cns.iter()
        .any(|cn| !cn.is_empty() && equal_wildcard(cn, host, partial_wildcards))
}

fn check_ip(host: &str, names: &CertNames) -> bool {
    let Some(octets) = a2i_ipadd(host) else {
        return false;
    };
    names
        .san
        .iter()
        .any(|n| matches!(n, CertName::Ip(ip) if *ip == octets))
}

/// Whether OpenSSL reads `host` as an address (so `-verify_ip`, not `-verify_hostname`).
pub(crate) fn is_address(host: &str) -> bool {
    a2i_ipadd(host).is_some()
}

/// OpenSSL's `a2i_ipadd`: IPv6 when the text has a colon, else `sscanf("%d.%d.%d.%d")`.
fn a2i_ipadd(text: &str) -> Option<Vec<u8>> {
    if text.contains(':') {
        return text.parse::<Ipv6Addr>().ok().map(|ip| ip.octets().to_vec());
    }
    let mut parts = text.splitn(4, '.');
    let mut octets = [0u8; 4];
    for (i, octet) in octets.iter_mut().enumerate() {
        let part = parts.next()?.trim_start();
        // %d reads an optional sign and digits; after the last, `ipv4_from_asc` (OpenSSL
        // 3.0) wants the end or white space: `127.0.0.1.` is not an address.
        let digits_end = part
            .char_indices()
            .find(|&(j, c)| !(c.is_ascii_digit() || (j == 0 && (c == '+' || c == '-'))))
            .map_or(part.len(), |(j, _)| j);
        let rest = &part[digits_end..];
        let space = |c: char| c.is_ascii_whitespace() || c == '\x0b';
        if !(rest.is_empty() || (i == 3 && rest.starts_with(space))) {
            return None;
        }
        let value: i64 = part[..digits_end].parse().ok()?;
        *octet = u8::try_from(value).ok()?;
    }
    Some(Ipv4Addr::from(octets).octets().to_vec())
}

fn equal_nocase(pattern: &[u8], subject: &[u8]) -> bool {
    pattern.len() == subject.len() && !pattern.contains(&0) && pattern.eq_ignore_ascii_case(subject)
}

fn equal_wildcard(pattern: &[u8], subject: &[u8], partial_wildcards: bool) -> bool {
    let star = if subject.len() > 1 && subject[0] == b'.' {
        None
    } else {
        valid_star(pattern, partial_wildcards)
    };
    match star {
        None => equal_nocase(pattern, subject),
        Some(at) => wildcard_match(&pattern[..at], &pattern[at + 1..], subject),
    }
}

/// Where the one legal `*` of a pattern is (`valid_star` in v3_utl.c), if any; without
/// `partial_wildcards` it must be the whole first label.
fn valid_star(pattern: &[u8], partial_wildcards: bool) -> Option<usize> {
    let (mut star, mut dots) = (None, 0);
    let (mut label_start, mut idna, mut hyphen) = (true, false, false);
    for (i, &c) in pattern.iter().enumerate() {
        match c {
            b'*' => {
                let at_end = i == pattern.len() - 1 || pattern[i + 1] == b'.';
                if star.is_some() || idna || dots > 0 || (!label_start && !at_end) {
                    return None;
                }
                if !(partial_wildcards || (label_start && at_end)) {
                    return None;
                }
                star = Some(i);
                label_start = false;
            }
            c if c.is_ascii_alphanumeric() => {
                if label_start
                    && pattern[i..].len() >= 4
                    && pattern[i..i + 4].eq_ignore_ascii_case(b"xn--")
                {
                    idna = true;
                }
                label_start = false;
                hyphen = false;
            }
            b'.' => {
                if label_start || hyphen {
                    return None;
                }
                label_start = true;
                idna = false;
                dots += 1;
            }
            b'-' => {
                if label_start {
                    return None;
                }
                hyphen = true;
            }
            _ => return None,
        }
    }
    if label_start || hyphen || dots < 2 {
        return None;
    }
    star
}

fn wildcard_match(prefix: &[u8], suffix: &[u8], subject: &[u8]) -> bool {
    if subject.len() < prefix.len() + suffix.len() {
        return false;
    }
    if !equal_nocase(prefix, &subject[..prefix.len()]) {
        return false;
    }
    let (start, end) = (prefix.len(), subject.len() - suffix.len());
    if !equal_nocase(&subject[end..], suffix) {
        return false;
    }
    let whole_label = prefix.is_empty() && suffix.first() == Some(&b'.');
    if whole_label && start == end {
        return false;
    }
    if !whole_label && subject.len() >= 4 && subject[..4].eq_ignore_ascii_case(b"xn--") {
        return false;
    }
    if end == start + 1 && subject[start] == b'*' {
        return true;
    }
    subject[start..end]
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(d: &str) -> CertName {
        CertName::Dns(d.as_bytes().to_vec())
    }

    #[test]
    fn openssl_rules() {
        let names = |san: Vec<CertName>| CertNames { san, cn: None };
        let cn = |c: &str| vec![c.as_bytes().to_vec()];
        // CN only without any dNSName; an iPAddress does not hide it.
        let ip_only = names(vec![CertName::Ip(vec![10, 0, 0, 1])]);
        assert!(check_host("db", &ip_only, &cn("db"), true));
        assert!(!check_host(
            "db",
            &names(vec![dns("other")]),
            &cn("db"),
            true
        ));
        // Partial wildcards, two labels after the star, one label matched.
        let w = |p: &str, h: &str| equal_wildcard(p.as_bytes(), h.as_bytes(), true);
        assert!(w("*.example.com", "db.example.com"));
        assert!(w("db*.example.com", "db1.example.com"));
        assert!(w("*db.example.com", "mydb.example.com"));
        assert!(!w("*.example.com", "a.b.example.com"));
        assert!(!w("*.com", "example.com"));
        assert!(!w("d*b.example.com", "dxb.example.com"));
        assert!(!w("*.example.com", ".example.com"));
        assert!(!w("xn--*.example.com", "xn--a.example.com"));
        assert!(w("DB.Example.com", "db.example.COM"));
        // A trailing dot on the host is kept (openssl s_client -verify_hostname agrees).
        assert!(!check_host("db.", &names(vec![dns("db")]), &[], true));
        // X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (Python's ssl): only a whole-label `*`.
        let strict = |p: &str, h: &str| equal_wildcard(p.as_bytes(), h.as_bytes(), false);
        assert!(strict("*.example.com", "db.example.com"));
        assert!(!strict("db*.example.com", "db1.example.com"));
        assert!(!strict("*db.example.com", "mydb.example.com"));
        // Addresses: four decimal parts only.
        assert_eq!(a2i_ipadd("127.0.0.1"), Some(vec![127, 0, 0, 1]));
        assert_eq!(a2i_ipadd("127.1"), None);
        // Measured with Python 3.11's ssl (OpenSSL 3.0.19): a trailing dot makes a name,
        // white space and leading zeros do not.
        assert_eq!(a2i_ipadd("127.0.0.1."), None);
        assert_eq!(a2i_ipadd("127.000.0.1"), Some(vec![127, 0, 0, 1]));
        assert_eq!(a2i_ipadd(" 127.0.0.1"), Some(vec![127, 0, 0, 1]));
        assert_eq!(a2i_ipadd("127.0.0.1 x"), Some(vec![127, 0, 0, 1]));
        assert_eq!(a2i_ipadd("::1").map(|o| o.len()), Some(16));
        assert!(!check_ip("127.0.0.1", &ip_only));
        assert!(check_ip("10.0.0.1", &ip_only));
    }
}

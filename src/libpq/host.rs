//! libpq's `sslmode=verify-full` host-name check (`pgtls_verify_peer_name_matches_certificate_guts`
//! in fe-secure-openssl.c and `pq_verify_peer_name_matches_certificate_name`/`_ip` in
//! fe-secure-common.c, unchanged from PostgreSQL 15 to 18):
//!
//! - The host is an IP address when `inet_aton` (so `127.1` and `0x7f.0.0.1` too) or
//!   `inet_pton(AF_INET6)` accepts it.
//! - Every subjectAltName entry is tried in order: a dNSName is compared with the host as a
//!   string, even when the host is an address; an iPAddress is compared with the host's
//!   address bytes. The first match wins; an entry with an embedded NUL or an iPAddress of
//!   neither 4 nor 16 bytes is an error that ends the check.
//! - The subject's first commonName is tried, as a string, only when no subjectAltName of
//!   the host's own kind (dNSName for a name, iPAddress for an address) exists. So an
//!   address host falls back to the CN even when dNSName entries exist.
//! - String comparison is ASCII case-insensitive. A pattern matches as a wildcard only when
//!   it starts with `*.`: the `*` stands for one non-empty label without dots. No partial
//!   wildcards (`db*.example.com`), no trailing-dot normalisation.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

use crate::cert::Certificate;

/// A name a certificate holds, as libpq reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertName {
    Dns(Vec<u8>),
    Ip(Vec<u8>),
}

/// The names the server certificate holds, and its first common name.
#[derive(Debug, Clone, Default)]
pub(crate) struct CertNames {
    pub(crate) san: Vec<CertName>,
    pub(crate) cn: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NameCheck {
    Match,
    Mismatch,
    /// libpq refuses the certificate outright (embedded NUL, odd address length).
    Error(String),
    /// The certificate has no name libpq would look at.
    NoNames,
}

impl CertNames {
    pub(crate) fn of(cert: &Certificate) -> CertNames {
        let tbs = cert.x509().tbs_certificate();
        let mut names = CertNames::default();
        if let Ok(Some((_, san))) = tbs.get_extension::<SubjectAltName>() {
            for name in san.0 {
                match name {
                    GeneralName::DnsName(dns) => {
                        names.san.push(CertName::Dns(dns.as_bytes().to_vec()));
                    }
                    GeneralName::IpAddress(octets) => {
                        names.san.push(CertName::Ip(octets.as_bytes().to_vec()));
                    }
                    _ => {}
                }
            }
        }
        names.cn = tbs
            .subject()
            .iter_rdn()
            .flat_map(|rdn| rdn.iter())
            .find_map(|atv| (atv.oid == crate::oid::CN).then(|| atv.value.value().to_vec()));
        names
    }

    /// The names as a person reads them: `DNS:a, IP:1.2.3.4`, or `CN=a` when the CN is
    /// what libpq would compare.
    pub(crate) fn listed(&self, host: &str) -> String {
        let mut all: Vec<String> = self
            .san
            .iter()
            .map(|n| match n {
                CertName::Dns(d) => format!("DNS:{}", String::from_utf8_lossy(d)),
                CertName::Ip(ip) => format!("IP:{}", ip_text(ip)),
            })
            .collect();
        if self.cn_is_consulted(host) {
            all.extend(
                self.cn
                    .iter()
                    .map(|cn| format!("CN={}", String::from_utf8_lossy(cn))),
            );
        }
        if all.is_empty() {
            "no name at all".to_string()
        } else {
            all.join(", ")
        }
    }

    fn cn_is_consulted(&self, host: &str) -> bool {
        let host_is_ip = parse_ip(host).is_some();
        !self.san.iter().any(|n| match n {
            CertName::Dns(_) => !host_is_ip,
            CertName::Ip(_) => host_is_ip,
        })
    }

    /// The first DNS name (or CN) a client could connect with instead.
    pub(crate) fn first_dns(&self) -> Option<String> {
        self.san
            .iter()
            .find_map(|n| match n {
                CertName::Dns(d) => Some(String::from_utf8_lossy(d).into_owned()),
                CertName::Ip(_) => None,
            })
            .or_else(|| {
                self.cn
                    .as_ref()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
            })
    }

    /// The first IP address the certificate names.
    pub(crate) fn first_ip(&self) -> Option<String> {
        self.san.iter().find_map(|n| match n {
            CertName::Ip(ip) if ip.len() == 4 || ip.len() == 16 => Some(ip_text(ip)),
            _ => None,
        })
    }
}

/// libpq's decision for `host`.
pub(crate) fn check(host: &str, names: &CertNames) -> NameCheck {
    let host_ip = parse_ip(host);
    let mut examined = 0;
    let mut check_cn = true;
    for name in &names.san {
        let same_kind = matches!(
            (name, host_ip.is_some()),
            (CertName::Dns(_), false) | (CertName::Ip(_), true)
        );
        if same_kind {
            check_cn = false;
        }
        examined += 1;
        let result = match name {
            CertName::Dns(pattern) => string_matches(pattern, host),
            CertName::Ip(octets) => ip_matches(octets, host),
        };
        match result {
            NameCheck::Mismatch => {}
            other => return other,
        }
    }
    if check_cn && let Some(cn) = &names.cn {
        return string_matches(cn, host);
    }
    if examined == 0 {
        NameCheck::NoNames
    } else {
        NameCheck::Mismatch
    }
}

fn string_matches(pattern: &[u8], host: &str) -> NameCheck {
    if pattern.contains(&0) {
        return NameCheck::Error(
            "the server certificate's name contains an embedded NUL (libpq refuses it)".into(),
        );
    }
    let host = host.as_bytes();
    if pattern.eq_ignore_ascii_case(host) || wildcard_matches(pattern, host) {
        NameCheck::Match
    } else {
        NameCheck::Mismatch
    }
}

/// `wildcard_certificate_match`: `*.rest` matches `label.rest` when `label` has no dot.
fn wildcard_matches(pattern: &[u8], host: &[u8]) -> bool {
    if pattern.len() < 3 || !pattern.starts_with(b"*.") || pattern.len() > host.len() {
        return false;
    }
    let suffix = &pattern[1..];
    let start = host.len() - suffix.len();
    host[start..].eq_ignore_ascii_case(suffix) && !host[..start].contains(&b'.')
}

fn ip_matches(octets: &[u8], host: &str) -> NameCheck {
    match (octets.len(), parse_ip(host)) {
        (4, Some(IpAddr::V4(ip))) if ip.octets() == octets => NameCheck::Match,
        (16, _)
            if host
                .parse::<Ipv6Addr>()
                .is_ok_and(|ip| ip.octets() == octets) =>
        {
            NameCheck::Match
        }
        (4 | 16, _) => NameCheck::Mismatch,
        (n, _) => NameCheck::Error(format!(
            "the server certificate holds an IP address of {n} bytes (libpq refuses it)"
        )),
    }
}

fn ip_text(octets: &[u8]) -> String {
    match octets.len() {
        4 => Ipv4Addr::from(<[u8; 4]>::try_from(octets).expect("4 bytes")).to_string(),
        16 => Ipv6Addr::from(<[u8; 16]>::try_from(octets).expect("16 bytes")).to_string(),
        _ => hex::encode(octets),
    }
}

/// An address as libpq's `is_ip_address` sees it: `inet_aton` for IPv4, so the short and
/// numeric forms count, or `inet_pton` for IPv6.
pub(crate) fn parse_ip(host: &str) -> Option<IpAddr> {
    inet_aton(host)
        .map(IpAddr::V4)
        .or_else(|| host.parse::<Ipv6Addr>().ok().map(IpAddr::V6))
}

/// glibc's `inet_aton`: one to four parts, each decimal, octal (leading 0) or hex (0x);
/// the last part fills the remaining bytes. Trailing white space ends the address.
fn inet_aton(text: &str) -> Option<Ipv4Addr> {
    let text = text.split([' ', '\t', '\n']).next()?;
    let parts: Vec<u32> = text
        .split('.')
        .map(|p| {
            let (digits, radix) =
                if let Some(hex) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
                    (hex, 16)
                } else if p.len() > 1 && p.starts_with('0') {
                    (&p[1..], 8)
                } else {
                    (p, 10)
                };
            if digits.is_empty() && radix != 16 {
                return None;
            }
            if digits.is_empty() {
                return Some(0);
            }
            u32::from_str_radix(digits, radix).ok()
        })
        .collect::<Option<_>>()?;
    let value = match parts.as_slice() {
        [a] => *a,
        [a, b] if *a <= 0xff && *b <= 0xff_ffff => (a << 24) | b,
        [a, b, c] if *a <= 0xff && *b <= 0xff && *c <= 0xffff => (a << 24) | (b << 16) | c,
        [a, b, c, d] if [a, b, c, d].iter().all(|x| **x <= 0xff) => {
            (a << 24) | (b << 16) | (c << 8) | d
        }
        _ => return None,
    };
    Some(Ipv4Addr::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(san: &[CertName], cn: Option<&str>) -> CertNames {
        CertNames {
            san: san.to_vec(),
            cn: cn.map(|c| c.as_bytes().to_vec()),
        }
    }

    fn dns(d: &str) -> CertName {
        CertName::Dns(d.as_bytes().to_vec())
    }

    fn ip(text: &str) -> CertName {
        match text.parse::<IpAddr>().unwrap() {
            IpAddr::V4(v4) => CertName::Ip(v4.octets().to_vec()),
            IpAddr::V6(v6) => CertName::Ip(v6.octets().to_vec()),
        }
    }

    #[test]
    fn inet_aton_forms() {
        assert_eq!(inet_aton("127.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("0x7f.0.0.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("0177.0.0.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("2130706433"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("localhost"), None);
        assert_eq!(inet_aton("1.2.3.256"), None);
        assert_eq!(inet_aton("1..2"), None);
    }

    #[test]
    fn libpq_rules() {
        let wildcard = names(&[dns("*.example.com"), dns("localhost")], Some("other"));
        assert_eq!(check("db.example.com", &wildcard), NameCheck::Match);
        assert_eq!(check("LOCALHOST", &wildcard), NameCheck::Match);
        assert_eq!(check("a.b.example.com", &wildcard), NameCheck::Mismatch);
        assert_eq!(check("example.com", &wildcard), NameCheck::Mismatch);
        assert_eq!(check("other", &wildcard), NameCheck::Mismatch, "CN ignored");
        // An address host falls back to the CN despite dNSName entries.
        let cn_ip = names(&[dns("localhost")], Some("10.0.0.5"));
        assert_eq!(check("10.0.0.5", &cn_ip), NameCheck::Match);
        // ... but not when an iPAddress entry exists.
        let with_ip = names(&[ip("10.0.0.6")], Some("10.0.0.5"));
        assert_eq!(check("10.0.0.5", &with_ip), NameCheck::Mismatch);
        // A dNSName holding the address text matches an address host.
        assert_eq!(
            check("10.0.0.5", &names(&[dns("10.0.0.5")], None)),
            NameCheck::Match
        );
        assert_eq!(
            check("127.1", &names(&[ip("127.0.0.1")], None)),
            NameCheck::Match
        );
        assert_eq!(check("::1", &names(&[ip("::1")], None)), NameCheck::Match);
        assert_eq!(
            check("db*.x.com".trim(), &names(&[dns("db*.x.com")], None)),
            NameCheck::Match
        );
        assert_eq!(
            check("db1.x.com", &names(&[dns("db*.x.com")], None)),
            NameCheck::Mismatch
        );
        assert_eq!(
            check("localhost.", &names(&[dns("localhost")], None)),
            NameCheck::Mismatch
        );
        assert_eq!(check("x", &names(&[], None)), NameCheck::NoNames);
        assert!(matches!(
            check("x", &names(&[CertName::Dns(b"x\0.evil".to_vec())], None)),
            NameCheck::Error(_)
        ));
        assert!(matches!(
            check("x", &names(&[CertName::Ip(vec![1, 2, 3])], None)),
            NameCheck::Error(_)
        ));
    }
}

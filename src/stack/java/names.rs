//! pgjdbc's host-name check under `verify-full`: `PGjdbcHostnameVerifier.verify`
//! (ssl/PGjdbcHostnameVerifier.java:81), run after the handshake on the URL's host:
//!
//! - The host: an IPv6 address loses its brackets; anything else goes through
//!   `IDN.toASCII` (which refuses empty labels and labels over 63 characters). A trailing
//!   dot stays.
//! - Every dNSName and iPAddress SAN is compared with the host as text
//!   (`verifyHostName`): the iPAddress in Java's own text, a dotted quad or an IPv6
//!   address written out in full (`0:0:0:0:0:0:0:1`), so `127.1` or `::1` never match.
//! - Without any dNSName SAN (iPAddress SANs do not count), the most specific CN (most
//!   dots, fewest `*`, longest) is compared instead, whatever kind of host it is.
//! - `verifyHostName`: ASCII case-insensitive equality; a pattern with `*` matches only
//!   when the `*` is its first character and it has a dot, and the `*` then stands for
//!   one label or part of one: `*x.example.test` matches `ax.example.test`.

use std::net::{Ipv4Addr, Ipv6Addr};

use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

use crate::cert::Certificate;

/// The names the verifier reads from a certificate, as Java's text.
pub(crate) struct JavaNames {
    /// dNSName and iPAddress SANs in order; `true` for a dNSName.
    pub(crate) san: Vec<(bool, String)>,
    /// The CN the verifier compares when there is no dNSName SAN.
    pub(crate) cn: Option<String>,
    /// A SAN Java cannot read (`getSubjectAlternativeNames` fails: the check fails).
    pub(crate) unreadable: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HostCheck {
    /// The host matches; `by_cn` when the CN decided.
    Match {
        by_cn: bool,
    },
    Mismatch,
    /// The verifier fails before comparing anything.
    Error(String),
}

impl JavaNames {
    pub(crate) fn of(cert: &Certificate) -> JavaNames {
        let tbs = cert.x509().tbs_certificate();
        let mut names = JavaNames {
            san: Vec::new(),
            cn: None,
            unreadable: None,
        };
        if let Ok(Some((_, san))) = tbs.get_extension::<SubjectAltName>() {
            for name in &san.0 {
                match name {
                    GeneralName::DnsName(dns) => names
                        .san
                        .push((true, String::from_utf8_lossy(dns.as_bytes()).into_owned())),
                    GeneralName::IpAddress(ip) => match ip_text(ip.as_bytes()) {
                        Some(text) => names.san.push((false, text)),
                        None => {
                            names.unreadable =
                                Some(format!("an iPAddress SAN of {} bytes", ip.as_bytes().len()));
                        }
                    },
                    _ => {}
                }
            }
        }
        names.cn = most_specific(
            tbs.subject()
                .iter_rdn()
                .flat_map(|rdn| rdn.iter())
                .filter(|atv| atv.oid == crate::oid::CN)
                .filter_map(|atv| crate::dn::string_value(&atv.value))
                .collect(),
        );
        names
    }

    pub(crate) fn any_dns(&self) -> bool {
        self.san.iter().any(|(dns, _)| *dns)
    }

    /// The names as a person reads them, with the CN when the verifier compares it.
    pub(crate) fn listed(&self) -> String {
        let mut all: Vec<String> = self
            .san
            .iter()
            .map(|(dns, text)| format!("{}:{text}", if *dns { "DNS" } else { "IP" }))
            .collect();
        if !self.any_dns()
            && let Some(cn) = &self.cn
        {
            all.push(format!("CN={cn}"));
        }
        if all.is_empty() {
            "no name at all".into()
        } else {
            all.join(", ")
        }
    }
}

/// The CN the verifier compares: a stable sort from least to most specific, then the last.
fn most_specific(mut cns: Vec<String>) -> Option<String> {
    cns.sort_by_key(|cn| specificity(cn));
    cns.pop()
}

/// `HOSTNAME_PATTERN_COMPARATOR`: more dots, then fewer stars, then longer.
fn specificity(name: &str) -> (usize, std::cmp::Reverse<usize>, usize) {
    let count = |c: char| name.chars().filter(|&x| x == c).count();
    (
        count('.'),
        std::cmp::Reverse(count('*')),
        name.encode_utf16().count(),
    )
}

/// The verifier's decision for `host` as the JDBC URL holds it.
pub(crate) fn check(host: &str, names: &JavaNames) -> HostCheck {
    let host = match canonical_host(host) {
        Ok(host) => host,
        Err(why) => return HostCheck::Error(why),
    };
    if let Some(what) = &names.unreadable {
        return HostCheck::Error(format!(
            "Java cannot read the server certificate's subjectAltName ({what}), so pgjdbc \
             cannot verify any host name"
        ));
    }
    if names
        .san
        .iter()
        .any(|(_, san)| verify_host_name(&host, san))
    {
        return HostCheck::Match { by_cn: false };
    }
    if names.any_dns() {
        return HostCheck::Mismatch;
    }
    match &names.cn {
        Some(cn) if verify_host_name(&host, cn) => HostCheck::Match { by_cn: true },
        _ => HostCheck::Mismatch,
    }
}

/// The host the verifier compares: brackets off an IPv6 address, otherwise
/// `IDN.toASCII`.
pub(crate) fn canonical_host(host: &str) -> Result<String, String> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return Ok(inner.to_string());
    }
    if !host.is_ascii() {
        return Err(format!(
            "rootcert does not convert an internationalized host name as Java's IDN.toASCII \
             does: write {host} in its ASCII (xn--) form in the JDBC URL"
        ));
    }
    if host == "." {
        return Ok(host.to_string());
    }
    let labels = host.strip_suffix('.').unwrap_or(host);
    for label in labels.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!(
                "pgjdbc refuses the host {host}: Java's IDN.toASCII wants labels of 1 to 63 \
                 characters"
            ));
        }
    }
    Ok(host.to_string())
}

/// `PGjdbcHostnameVerifier.verifyHostName`.
pub(crate) fn verify_host_name(host: &str, pattern: &str) -> bool {
    let host: Vec<u16> = host.encode_utf16().collect();
    let pattern: Vec<u16> = pattern.encode_utf16().collect();
    let star = u16::from(b'*');
    let dot = u16::from(b'.');
    match pattern.iter().rposition(|&c| c == star) {
        None => host.len() == pattern.len() && same_ignoring_case(&host, &pattern),
        Some(0) if pattern.contains(&dot) && host.len() + 1 >= pattern.len() => {
            let offset = host.len() + 1 - pattern.len();
            !host[..offset].contains(&dot) && same_ignoring_case(&host[offset..], &pattern[1..])
        }
        Some(_) => false,
    }
}

/// `String.regionMatches(true, …)`: per UTF-16 unit, equal, or equal in upper case, or
/// equal in the lower case of the upper case.
fn same_ignoring_case(a: &[u16], b: &[u16]) -> bool {
    let fold = |unit: u16, upper: bool| -> u32 {
        let Some(c) = char::from_u32(u32::from(unit)) else {
            return u32::from(unit);
        };
        let mut mapped = if upper {
            c.to_uppercase().collect::<Vec<char>>()
        } else {
            c.to_lowercase().collect::<Vec<char>>()
        };
        // Java's Character.toUpperCase maps one char to one char.
        match (mapped.len(), mapped.pop()) {
            (1, Some(m)) => u32::from(m),
            _ => u32::from(c),
        }
    };
    a.len() == b.len()
        && a.iter().zip(b).all(|(&x, &y)| {
            if x == y {
                return true;
            }
            let (ux, uy) = (fold(x, true), fold(y, true));
            let lower = |u: u32| u16::try_from(u).map(|u| fold(u, false)).unwrap_or(u);
            ux == uy || lower(ux) == lower(uy)
        })
}

/// `IPAddressName.getName`: what Java's `getSubjectAlternativeNames` gives for an
/// iPAddress; None where it fails.
pub(crate) fn ip_text(octets: &[u8]) -> Option<String> {
    let v4 = |b: &[u8]| Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string();
    match octets.len() {
        4 => Some(v4(octets)),
        8 => Some(format!("{}/{}", v4(&octets[..4]), v4(&octets[4..]))),
        16 => Some(v6_text(octets)),
        32 => {
            let mask = u128::from_be_bytes(octets[16..].try_into().ok()?);
            let prefix = mask.leading_ones();
            (mask.checked_shl(prefix).unwrap_or(0) == 0)
                .then(|| format!("{}/{prefix}", v6_text(&octets[..16])))
        }
        _ => None,
    }
}

/// `InetAddress.getByAddress(bytes).getHostAddress()`: an IPv4-mapped address as IPv4,
/// any other as eight hexadecimal groups, never shortened.
fn v6_text(octets: &[u8]) -> String {
    let bytes: [u8; 16] = octets.try_into().expect("16 bytes");
    let address = Ipv6Addr::from(bytes);
    if let Some(v4) = address.to_ipv4_mapped() {
        return v4.to_string();
    }
    address
        .segments()
        .iter()
        .map(|s| format!("{s:x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_as_verify_host_name_does() {
        for (host, pattern, expected) in [
            ("localhost", "LOCALHOST", true),
            ("localhost.", "localhost", false),
            ("db.example.test", "*.example.test", true),
            ("a.db.example.test", "*.example.test", false),
            ("example.test", "*.example.test", false),
            // The star may stand for part of a label, or for an empty one.
            ("ax.example.test", "*x.example.test", true),
            (".example.test", "*.example.test", true),
            ("db1.example.test", "db*.example.test", false),
            ("a.b.test", "*.*.test", false),
            ("localhost", "*", false),
            ("10.0.0.5", "10.0.0.5", true),
            // Java's case folding: the long s is an s.
            ("localhost", "localho\u{17f}t", true),
        ] {
            assert_eq!(
                verify_host_name(host, pattern),
                expected,
                "{host} ~ {pattern}"
            );
        }
    }

    #[test]
    fn addresses_read_as_java_writes_them() {
        let v6 = |s: &str| s.parse::<Ipv6Addr>().unwrap().octets().to_vec();
        assert_eq!(ip_text(&[127, 0, 0, 1]).unwrap(), "127.0.0.1");
        assert_eq!(ip_text(&v6("::1")).unwrap(), "0:0:0:0:0:0:0:1");
        assert_eq!(ip_text(&v6("2001:db8::a")).unwrap(), "2001:db8:0:0:0:0:0:a");
        assert_eq!(ip_text(&v6("::ffff:127.0.0.1")).unwrap(), "127.0.0.1");
        assert_eq!(
            ip_text(&[10, 0, 0, 0, 255, 0, 0, 0]).unwrap(),
            "10.0.0.0/255.0.0.0"
        );
        assert_eq!(ip_text(&[1, 2, 3]), None);
        let names = JavaNames {
            san: vec![(false, ip_text(&v6("::1")).unwrap())],
            cn: Some("localhost".into()),
            unreadable: None,
        };
        // Measured with the JDK: brackets come off, the short form never matches, and
        // the CN still counts without a DNS SAN.
        assert_eq!(check("[::1]", &names), HostCheck::Mismatch);
        assert_eq!(check("::1", &names), HostCheck::Mismatch);
        assert_eq!(
            check("[0:0:0:0:0:0:0:1]", &names),
            HostCheck::Match { by_cn: false }
        );
        assert_eq!(check("localhost", &names), HostCheck::Match { by_cn: true });
    }

    #[test]
    fn the_most_specific_common_name_counts() {
        let cns = |all: &[&str]| most_specific(all.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            cns(&["x", "db.example.test", "*.example.test"]).unwrap(),
            "db.example.test"
        );
        assert_eq!(
            cns(&["*.example.test", "db.example.test"]).unwrap(),
            "db.example.test"
        );
        assert_eq!(cns(&["example.test", "sql.test"]).unwrap(), "example.test");
        assert_eq!(cns(&[]), None);
        // Read from a certificate (measured with the JDK: other.example.test is refused).
        let ca = crate::stack::testing::Ca::new("Names CA");
        let leaf = ca.leaf(&["*.example.test", "db.example.test"], &[]);
        let names = JavaNames::of(&leaf);
        assert_eq!(names.cn.as_deref(), Some("db.example.test"));
        assert_eq!(check("other.example.test", &names), HostCheck::Mismatch);
    }

    #[test]
    fn hosts_go_through_idn_to_ascii() {
        assert_eq!(canonical_host("localhost.").unwrap(), "localhost.");
        assert_eq!(canonical_host("[::1]").unwrap(), "::1");
        assert_eq!(
            canonical_host("Db.Example.Test").unwrap(),
            "Db.Example.Test"
        );
        assert!(canonical_host("a..b").is_err());
        assert!(canonical_host(".example.test").is_err());
        assert!(canonical_host(&format!("{}.test", "a".repeat(64))).is_err());
        assert!(canonical_host("\u{fc}n\u{ef}.test").is_err());
    }
}

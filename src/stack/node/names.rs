//! Node's `tls.checkServerIdentity(hostname, cert)` (lib/tls.js in Node 20.20.2, printed
//! from the binary with `require('tls').checkServerIdentity.toString()`), and mysql2's use
//! of it:
//!
//! - One trailing dot is removed from the host (`unfqdn`), then the host is an address when
//!   `net.isIP` says so: four decimal parts without leading zeros, or IPv6. `127.1` is a
//!   name.
//! - An address is compared with iPAddress SANs only (both canonicalised): never a dNSName,
//!   never the CN.
//! - A name is compared with every dNSName SAN when there is one, else with every CN. Host
//!   and pattern lose one more trailing dot each (`splitHost`), A-Z are lowercased, and the
//!   label counts must be equal. A pattern with an empty label or a byte outside
//!   0x21-0x7F never matches.
//! - A `*` in the pattern's first label (one at most, not in an `xn--` label, the pattern
//!   having three labels or more) stands for any run of characters in the host's first
//!   label: partial wildcards (`db*.example.test`) match, even an empty run.
//! - mysql2 passes neither `servername` nor `host` to `tls.connect` for an address host
//!   (`BaseConnection.startTLS`), so Node checks such a certificate against `localhost`
//!   (docs/drivers/mysql2.md, section 4).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::cert::Certificate;
use crate::libpq::host::{CertName, CertNames};
use crate::libpq::openssl_host::all_common_names;

/// Why a name matched, when a rule libpq lacks was needed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lenient {
    /// A trailing dot was removed from the host or the pattern.
    TrailingDot(String),
    /// A `*` that is not a whole label matched.
    PartialWildcard(String),
    /// A common name other than the first matched.
    LaterCn(String),
}

/// The outcome of `checkServerIdentity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identity {
    /// It returned nothing; `Some` when a rule libpq lacks was needed.
    Match(Option<Lenient>),
    /// `ERR_TLS_CERT_ALTNAME_INVALID`, with the names it compared.
    Mismatch(Compared),
}

/// What Node compared the host with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Compared {
    /// An address host, and the certificate's iPAddress SANs.
    Addresses(Vec<String>),
    /// A name, and the certificate's dNSName SANs.
    DnsNames(Vec<String>),
    /// A name, and the certificate's CNs (it has no dNSName).
    CommonNames(Vec<String>),
    /// "Cert does not contain a DNS name": no dNSName and no CN.
    Nothing,
}

/// `tls.checkServerIdentity(host, cert)`.
pub(crate) fn check_server_identity(host: &str, cert: &Certificate) -> Identity {
    let names = CertNames::of(cert);
    let host_trimmed = unfqdn(host.as_bytes());
    let host_text = String::from_utf8_lossy(host_trimmed);
    if let Some(ip) = net_is_ip(&host_text) {
        let listed = names.san.iter().filter_map(|n| match n {
            CertName::Ip(octets) => Some(octets.as_slice()),
            CertName::Dns(_) => None,
        });
        let wanted = match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        if listed.clone().any(|o| o == wanted.as_slice()) {
            let dot = (host_trimmed.len() < host.len()).then(|| host.to_string());
            return Identity::Match(dot.map(Lenient::TrailingDot));
        }
        return Identity::Mismatch(Compared::Addresses(listed.map(ip_text).collect()));
    }
    let dns: Vec<&[u8]> = names
        .san
        .iter()
        .filter_map(|n| match n {
            CertName::Dns(d) => Some(d.as_slice()),
            CertName::Ip(_) => None,
        })
        .collect();
    let host_parts = split_host(host_trimmed);
    let host_lost_dot = unfqdn(host_trimmed).len() < host.len();
    let matched = |pattern: &[u8]| {
        check(&host_parts, pattern).then(|| {
            if host_lost_dot || unfqdn(pattern).len() < pattern.len() {
                Some(Lenient::TrailingDot(lossy(pattern)))
            } else if pattern.contains(&b'*') && !pattern.starts_with(b"*.") {
                Some(Lenient::PartialWildcard(lossy(pattern)))
            } else {
                None
            }
        })
    };
    if !dns.is_empty() {
        return match dns.iter().find_map(|p| matched(p)) {
            Some(lenient) => Identity::Match(lenient),
            None => Identity::Mismatch(Compared::DnsNames(dns.iter().map(|d| lossy(d)).collect())),
        };
    }
    let cns = all_common_names(cert);
    // Node's `subject.CN` is falsy for an empty CN.
    if cns.first().is_none_or(|cn| cn.is_empty() && cns.len() == 1) {
        return Identity::Mismatch(Compared::Nothing);
    }
    for (i, cn) in cns.iter().enumerate() {
        if let Some(lenient) = matched(cn) {
            let later = (i > 0).then(|| Lenient::LaterCn(lossy(cn)));
            return Identity::Match(lenient.or(later));
        }
    }
    Identity::Mismatch(Compared::CommonNames(
        cns.iter().map(|c| lossy(c)).collect(),
    ))
}

/// The host mysql2 makes Node check: `localhost` for an address, else the host.
pub(crate) fn mysql2_checked_host(host: &str) -> &str {
    if net_is_ip(host).is_some() {
        "localhost"
    } else {
        host
    }
}

/// `check(hostParts, pattern, true)`.
fn check(host_parts: &[Vec<u8>], pattern: &[u8]) -> bool {
    if pattern.is_empty() {
        return false;
    }
    let pattern_parts = split_host(pattern);
    if host_parts.len() != pattern_parts.len()
        || pattern_parts.iter().any(|p| p.is_empty())
        || pattern_parts
            .iter()
            .any(|p| p.iter().any(|&b| !(0x21..=0x7f).contains(&b)))
    {
        return false;
    }
    if host_parts[1..] != pattern_parts[1..] {
        return false;
    }
    let (host_sub, pattern_sub) = (&host_parts[0], &pattern_parts[0]);
    let pieces: Vec<&[u8]> = pattern_sub.split(|&b| b == b'*').collect();
    if pieces.len() == 1 || pattern_sub.windows(4).any(|w| w == b"xn--") {
        return host_sub == pattern_sub;
    }
    if pieces.len() > 2 || pattern_parts.len() <= 2 {
        return false;
    }
    let (prefix, suffix) = (pieces[0], pieces[1]);
    prefix.len() + suffix.len() <= host_sub.len()
        && host_sub.starts_with(prefix)
        && host_sub.ends_with(suffix)
}

/// `splitHost`: one trailing dot off, A-Z lowercased, split at dots.
fn split_host(host: &[u8]) -> Vec<Vec<u8>> {
    unfqdn(host)
        .to_ascii_lowercase()
        .split(|&b| b == b'.')
        .map(<[u8]>::to_vec)
        .collect()
}

/// `unfqdn`: one trailing dot off.
fn unfqdn(host: &[u8]) -> &[u8] {
    host.strip_suffix(b".").unwrap_or(host)
}

/// `net.isIP`: a dotted quad without leading zeros (as Rust's parser), or IPv6.
fn net_is_ip(host: &str) -> Option<IpAddr> {
    host.parse::<Ipv4Addr>()
        .map(IpAddr::V4)
        .or_else(|_| host.parse::<Ipv6Addr>().map(IpAddr::V6))
        .ok()
}

fn ip_text(octets: &[u8]) -> String {
    match octets.len() {
        4 => Ipv4Addr::from(<[u8; 4]>::try_from(octets).expect("4 bytes")).to_string(),
        16 => Ipv6Addr::from(<[u8; 16]>::try_from(octets).expect("16 bytes")).to_string(),
        _ => "<invalid>".into(),
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::testing::Ca;

    /// Common names, subjectAltNames, and each host with whether it matches.
    type NameCase<'a> = (&'a [&'a str], &'a [&'a str], &'a [(&'a str, bool)]);

    /// Measured with Node 20.20.2: `tls.checkServerIdentity(host,
    /// new X509Certificate(pem).toLegacyObject())` on certificates with the same names.
    #[test]
    fn check_server_identity_as_node_decides() {
        let ca = Ca::new("Root");
        let cases: &[NameCase] = &[
            (
                &["a.test", "b.test"],
                &[],
                &[("a.test", true), ("b.test", true)],
            ),
            (&["x"], &["DNS:*.test"], &[("x.test", false)]),
            (
                &["x"],
                &["DNS:xn--*.example.test"],
                &[("xn--a.example.test", false), ("xn--*.example.test", true)],
            ),
            (
                &["x"],
                &["DNS:localhost."],
                &[("localhost", true), ("localhost.", true)],
            ),
            (
                &["x"],
                &["IP:127.0.0.1"],
                &[
                    ("127.0.0.1", true),
                    ("127.0.0.1.", true),
                    ("127.1", false),
                    ("127.000.0.1", false),
                    ("0x7f.0.0.1", false),
                ],
            ),
            (
                &["x"],
                &[
                    "DNS:db*.example.test",
                    "DNS:*db.other.test",
                    "DNS:d*b.third.test",
                ],
                &[
                    ("db.example.test", true),
                    ("db1.example.test", true),
                    ("mydb.other.test", true),
                    ("db.other.test", true),
                    ("dxb.third.test", true),
                    ("db.third.test", true),
                    ("d.third.test", false),
                ],
            ),
            (
                &["x"],
                &["DNS:*.example.test"],
                &[
                    (".example.test", true),
                    ("a.b.example.test", false),
                    ("DB.EXAMPLE.TEST", true),
                    ("localhost..", false),
                    ("x.example.test..", true),
                ],
            ),
            (
                &["x"],
                &["IP:::1"],
                &[("0:0:0:0:0:0:0:1", true), ("::1", true), ("::0001", true)],
            ),
            (&["x"], &["DNS:LocalHost"], &[("LOCALHOST", true)]),
            (&["x"], &["DNS:*"], &[("localhost", false)]),
            (&["127.0.0.1"], &[], &[("127.0.0.1", false)]),
            (
                &["db.test"],
                &["URI:https://db.test/"],
                &[("db.test", true)],
            ),
            (&[], &[], &[("localhost", false), ("127.0.0.1", false)]),
            (&["x"], &["DNS:a..test"], &[("a..test", false)]),
            (&["*.example.test"], &[], &[("db.example.test", true)]),
            (
                &["localhost"],
                &["IP:10.0.0.1"],
                &[("localhost", true), ("10.0.0.1", true)],
            ),
            (
                &["x"],
                &["DNS:*.*.example.test"],
                &[("a.b.example.test", false)],
            ),
            (&["x"], &["DNS:10.0.0.5"], &[("10.0.0.5", false)]),
        ];
        for (cns, sans, hosts) in cases {
            let leaf = ca.leaf(cns, sans);
            for (host, matches) in *hosts {
                let got = check_server_identity(host, &leaf);
                assert_eq!(
                    matches!(got, Identity::Match(_)),
                    *matches,
                    "{cns:?} {sans:?} {host}: {got:?}"
                );
            }
        }
    }

    #[test]
    fn what_node_compared_and_which_lenient_rule_matched() {
        let ca = Ca::new("Root");
        let two_cns = ca.leaf(&["a.test", "b.test"], &[]);
        assert_eq!(
            check_server_identity("b.test", &two_cns),
            Identity::Match(Some(Lenient::LaterCn("b.test".into())))
        );
        assert_eq!(
            check_server_identity("a.test", &two_cns),
            Identity::Match(None)
        );
        let partial = ca.leaf(&["x"], &["DNS:db*.example.test"]);
        assert_eq!(
            check_server_identity("db1.example.test", &partial),
            Identity::Match(Some(Lenient::PartialWildcard("db*.example.test".into())))
        );
        let plain = ca.leaf(&["x"], &["DNS:localhost"]);
        assert_eq!(
            check_server_identity("localhost.", &plain),
            Identity::Match(Some(Lenient::TrailingDot("localhost".into())))
        );
        assert_eq!(
            check_server_identity("db", &plain),
            Identity::Mismatch(Compared::DnsNames(vec!["localhost".into()]))
        );
        assert_eq!(
            check_server_identity("127.0.0.1", &plain),
            Identity::Mismatch(Compared::Addresses(vec![]))
        );
        let nameless = ca.leaf(&[], &[]);
        assert_eq!(
            check_server_identity("db", &nameless),
            Identity::Mismatch(Compared::Nothing)
        );
    }
}

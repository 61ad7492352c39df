//! Addresses as Go's `net` package reads and prints them: `net.ParseIP` takes four decimal
//! parts (no leading zeros) or an IPv6 literal, and `net.IP.Equal` treats an IPv4 address
//! and its IPv4-mapped IPv6 form as one.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The host as `net.ParseIP` reads it, in its 16-byte form (IPv4 mapped into IPv6, as
/// `net.IP.Equal` compares).
pub(super) fn parse_ip(host: &str) -> Option<[u8; 16]> {
    match host.find(['.', ':'])? {
        i if host.as_bytes()[i] == b'.' => host
            .parse::<Ipv4Addr>()
            .ok()
            .map(|ip| ip.to_ipv6_mapped().octets()),
        _ => host.parse::<Ipv6Addr>().ok().map(|ip| ip.octets()),
    }
}

/// An iPAddress SAN in the same 16-byte form; other lengths never match.
pub(super) fn san_ip(octets: &[u8]) -> Option<[u8; 16]> {
    match octets.len() {
        4 => Some(
            Ipv4Addr::from(<[u8; 4]>::try_from(octets).ok()?)
                .to_ipv6_mapped()
                .octets(),
        ),
        16 => <[u8; 16]>::try_from(octets).ok(),
        _ => None,
    }
}

/// `net.IP.String()` for an IPv4 or IPv6 SAN.
pub(super) fn ip_text(octets: &[u8]) -> String {
    match octets.len() {
        4 | 16 => match san_ip(octets).map(Ipv6Addr::from) {
            Some(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4).to_string(),
                None => v6.to_string(),
            },
            None => hex::encode(octets),
        },
        _ => format!("?{}", hex::encode(octets)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_net_parse_ip_reads_them() {
        let v4 = Ipv4Addr::new(127, 0, 0, 1).to_ipv6_mapped().octets();
        assert_eq!(parse_ip("127.0.0.1"), Some(v4));
        assert_eq!(parse_ip("::ffff:127.0.0.1"), Some(v4));
        for not_ip in [
            "127.1",
            "0x7f.0.0.1",
            "127.000.000.001",
            "2130706433",
            "localhost",
            "",
        ] {
            assert_eq!(parse_ip(not_ip), None, "{not_ip}");
        }
        assert_eq!(parse_ip("0:0:0:0:0:0:0:1"), parse_ip("::1"));
        assert_eq!(ip_text(&[127, 0, 0, 1]), "127.0.0.1");
        assert_eq!(ip_text(&Ipv6Addr::LOCALHOST.octets()), "::1");
    }
}

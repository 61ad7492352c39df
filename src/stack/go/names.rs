//! Go's host-name check, `Certificate.VerifyHostname` (crypto/x509/verify.go, Go 1.19),
//! which crypto/tls runs for pgx's `sslmode=verify-full` with the `host` as `ServerName`:
//!
//! - A host that `net.ParseIP` accepts (brackets removed) is compared only with iPAddress
//!   SANs, by value (`::ffff:127.0.0.1` equals `127.0.0.1`). `net.ParseIP` takes four
//!   decimal parts only, so `127.1` is a DNS name.
//! - Any other host is compared only with dNSName SANs. The common name is never used.
//! - When host and pattern are valid host names (letters, digits, `-` not first, `_`), the
//!   host's trailing dot is dropped, case is ignored and a whole left-most `*` label matches
//!   one label; otherwise the two must be equal but for ASCII case.

use super::addr::{ip_text, parse_ip, san_ip};
use super::cert::GoCert;
use crate::cert::Certificate;
use crate::libpq::host::{CertName, CertNames};

/// `validHostname`: labels of letters, digits, `_` and `-` (not first); a pattern may
/// start with a `*` label; an input host may end with one dot.
fn valid_hostname(host: &str, is_pattern: bool) -> bool {
    let host = if is_pattern {
        host
    } else {
        host.strip_suffix('.').unwrap_or(host)
    };
    !host.is_empty()
        && host.split('.').enumerate().all(|(i, label)| {
            !label.is_empty()
                && ((is_pattern && i == 0 && label == "*")
                    || label.char_indices().all(|(j, c)| {
                        c.is_ascii_alphanumeric() || c == '_' || (c == '-' && j != 0)
                    }))
        })
}

/// `matchHostnames`: same number of labels, a left-most `*` matches any one label.
fn match_hostnames(pattern: &str, host: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    let patterns: Vec<&str> = pattern.split('.').collect();
    let hosts: Vec<&str> = host.split('.').collect();
    patterns.len() == hosts.len()
        && patterns
            .iter()
            .zip(&hosts)
            .enumerate()
            .all(|(i, (p, h))| (i == 0 && *p == "*") || p == h)
}

/// `matchExactly`.
fn match_exactly(pattern: &str, host: &str) -> bool {
    ![pattern, host].iter().any(|s| s.is_empty() || *s == ".") && pattern.eq_ignore_ascii_case(host)
}

/// How a host matched, for notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Matched {
    Exactly,
    /// Only once Go dropped the host's trailing dot.
    WithoutTrailingDot,
}

/// `VerifyHostname`: how the host matched, or Go's error (`HostnameError.Error`).
pub(super) fn verify_hostname(host: &str, leaf: &GoCert) -> Result<Matched, String> {
    if host.is_empty() {
        // crypto/tls refuses to start (handshake_client.go:42).
        return Err(
            "tls: either ServerName or InsecureSkipVerify must be specified in the tls.Config"
                .into(),
        );
    }
    let names = CertNames::of(&leaf.cert);
    let bracketed = host.len() >= 3 && host.starts_with('[') && host.ends_with(']');
    let candidate_ip = if bracketed {
        &host[1..host.len() - 1]
    } else {
        host
    };
    if let Some(ip) = parse_ip(candidate_ip) {
        let matched = names.san.iter().any(|n| match n {
            CertName::Ip(octets) => san_ip(octets) == Some(ip),
            CertName::Dns(_) => false,
        });
        return if matched {
            Ok(Matched::Exactly)
        } else {
            Err(hostname_error(leaf, &names, candidate_ip))
        };
    }
    let lower = host.to_ascii_lowercase();
    let valid = valid_hostname(&lower, false);
    for name in &names.san {
        let CertName::Dns(pattern) = name else {
            continue;
        };
        let pattern = String::from_utf8_lossy(pattern);
        let matched = if valid && valid_hostname(&pattern, true) {
            match_hostnames(&pattern, &lower)
        } else {
            match_exactly(&pattern, &lower)
        };
        if matched {
            let dropped_dot = lower.ends_with('.') && !pattern.eq_ignore_ascii_case(&lower);
            return Ok(if dropped_dot {
                Matched::WithoutTrailingDot
            } else {
                Matched::Exactly
            });
        }
    }
    Err(hostname_error(leaf, &names, host))
}

/// `HostnameError.Error()`, word for word.
fn hostname_error(leaf: &GoCert, names: &CertNames, host: &str) -> String {
    if leaf.san.is_none()
        && last_common_name(&leaf.cert).is_some_and(|cn| match_hostnames(&cn, host))
    {
        return "x509: certificate relies on legacy Common Name field, use SANs instead".into();
    }
    let valid: Vec<String> = if parse_ip(host).is_some() {
        let ips: Vec<String> = names
            .san
            .iter()
            .filter_map(|n| match n {
                CertName::Ip(octets) => Some(ip_text(octets)),
                CertName::Dns(_) => None,
            })
            .collect();
        if ips.is_empty() {
            return format!(
                "x509: cannot validate certificate for {host} because it doesn't contain any IP SANs"
            );
        }
        ips
    } else {
        names
            .san
            .iter()
            .filter_map(|n| match n {
                CertName::Dns(d) => Some(String::from_utf8_lossy(d).into_owned()),
                CertName::Ip(_) => None,
            })
            .collect()
    };
    if valid.is_empty() {
        format!("x509: certificate is not valid for any names, but wanted to match {host}")
    } else {
        format!(
            "x509: certificate is valid for {}, not {host}",
            valid.join(", ")
        )
    }
}

/// `Subject.CommonName`: Go keeps the last one.
pub(super) fn last_common_name(cert: &Certificate) -> Option<String> {
    crate::libpq::openssl_host::all_common_names(cert)
        .pop()
        .map(|cn| String::from_utf8_lossy(&cn).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_as_go_matches_them() {
        assert!(valid_hostname("db_1.example.test.", false));
        assert!(!valid_hostname("db_1.example.test.", true));
        assert!(valid_hostname("*.example.test", true));
        assert!(!valid_hostname("db*.example.test", true));
        assert!(!valid_hostname("-db.example.test", false));
        assert!(!valid_hostname("a..b", false));
        assert!(match_hostnames("*.example.test", "db.example.test."));
        assert!(!match_hostnames("*.example.test", "a.db.example.test"));
        assert!(!match_hostnames("*.example.test", "example.test"));
        assert!(match_exactly("DB*.example.test", "db*.example.test"));
        assert!(!match_exactly(".", "."));
    }
}

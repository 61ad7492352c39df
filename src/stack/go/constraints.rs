//! Name constraints as Go 1.19 reads and applies them (parser.go:
//! `parseNameConstraintsExtension`; verify.go: `isValid`, `checkNameConstraints`,
//! `match*Constraint`). Unlike OpenSSL:
//!
//! - Only DNS, IP, e-mail and URI subtrees are read. Any other kind (directoryName, …)
//!   leaves the extension "unhandled", which fails the certificate when it is critical.
//! - A CA's constraints are checked against the SANs of the server certificate and of the
//!   CA itself, never against the subject or the CN, nor against the certificates between.
//! - Excluded subtrees first, then permitted ones; a name is checked only against subtrees of
//!   its own kind. DNS subtrees compare whole labels; a leading `.` requires a subdomain.

use x509_cert::ext::pkix::NameConstraints;
use x509_cert::ext::pkix::name::GeneralName;

/// One subtree Go reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Constraint {
    Dns(String),
    /// Address and mask, both 4 or both 16 bytes.
    Ip(Vec<u8>, Vec<u8>),
    Email(String),
    Uri(String),
}

impl Constraint {
    fn text(&self) -> String {
        match self {
            Constraint::Dns(s) | Constraint::Email(s) | Constraint::Uri(s) => s.clone(),
            Constraint::Ip(addr, mask) => format!(
                "{}/{}",
                super::addr::ip_text(addr),
                mask.iter().map(|b| b.count_ones()).sum::<u32>()
            ),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct Constraints {
    permitted: Vec<Constraint>,
    excluded: Vec<Constraint>,
}

/// `parseNameConstraintsExtension`: the constraints and whether a subtree of a kind Go does
/// not handle was present, or Go's parse error (which fails the whole certificate).
pub(super) fn parse(nc: &NameConstraints) -> Result<(Constraints, bool), String> {
    let permitted = nc.permitted_subtrees.as_deref().unwrap_or_default();
    let excluded = nc.excluded_subtrees.as_deref().unwrap_or_default();
    if permitted.is_empty() && excluded.is_empty() {
        return Err("x509: empty name constraints extension".into());
    }
    let mut unhandled = false;
    let mut read = |subtrees: &[x509_cert::ext::pkix::constraints::name::GeneralSubtree]| {
        let mut out = Vec::new();
        for subtree in subtrees {
            match &subtree.base {
                GeneralName::DnsName(d) => {
                    let domain = d.to_string();
                    if reverse_labels(domain.strip_prefix('.').unwrap_or(&domain)).is_none() {
                        return Err(format!(
                            "x509: failed to parse dnsName constraint {domain:?}"
                        ));
                    }
                    out.push(Constraint::Dns(domain));
                }
                GeneralName::IpAddress(ip) => {
                    let value = ip.as_bytes();
                    if value.len() != 8 && value.len() != 32 {
                        return Err(format!(
                            "x509: IP constraint contained value of length {}",
                            value.len()
                        ));
                    }
                    let (addr, mask) = value.split_at(value.len() / 2);
                    if !valid_mask(mask) {
                        return Err(format!(
                            "x509: IP constraint contained invalid mask {}",
                            hex::encode(mask)
                        ));
                    }
                    out.push(Constraint::Ip(addr.to_vec(), mask.to_vec()));
                }
                GeneralName::Rfc822Name(e) => {
                    let constraint = e.to_string();
                    let ok = if constraint.contains('@') {
                        parse_mailbox(constraint.as_bytes()).is_some()
                    } else {
                        reverse_labels(constraint.strip_prefix('.').unwrap_or(&constraint))
                            .is_some()
                    };
                    if !ok {
                        return Err(format!(
                            "x509: failed to parse rfc822Name constraint {constraint:?}"
                        ));
                    }
                    out.push(Constraint::Email(constraint));
                }
                GeneralName::UniformResourceIdentifier(u) => {
                    let domain = u.to_string();
                    if super::addr::parse_ip(&domain).is_some() {
                        return Err(format!(
                            "x509: failed to parse URI constraint {domain:?}: cannot be IP address"
                        ));
                    }
                    if reverse_labels(domain.strip_prefix('.').unwrap_or(&domain)).is_none() {
                        return Err(format!("x509: failed to parse URI constraint {domain:?}"));
                    }
                    out.push(Constraint::Uri(domain));
                }
                _ => unhandled = true,
            }
        }
        Ok(out)
    };
    let permitted = read(permitted)?;
    let excluded = read(excluded)?;
    Ok((
        Constraints {
            permitted,
            excluded,
        },
        unhandled,
    ))
}

/// `isValidIPMask`: ones, then zeros.
fn valid_mask(mask: &[u8]) -> bool {
    let mut seen_zero = false;
    for byte in mask {
        if seen_zero && *byte != 0 {
            return false;
        }
        if *byte != 0xff {
            if byte.leading_ones() + byte.trailing_zeros() != 8 {
                return false;
            }
            seen_zero = true;
        }
    }
    true
}

/// `domainToReverseLabels`: labels right to left; none empty, every byte printable ASCII.
fn reverse_labels(domain: &str) -> Option<Vec<&str>> {
    if domain.is_empty() {
        return Some(Vec::new());
    }
    let labels: Vec<&str> = domain.rsplit('.').collect();
    let printable = |l: &&str| !l.is_empty() && l.bytes().all(|b| (33..=126).contains(&b));
    labels.iter().all(printable).then_some(labels)
}

/// `parseRFC2821Mailbox`: a local part (quoted, or dot-atoms), `@`, a domain.
fn parse_mailbox(input: &[u8]) -> Option<(Vec<u8>, String)> {
    let mut local = Vec::new();
    let mut rest = input;
    if rest.first() == Some(&b'"') {
        rest = &rest[1..];
        loop {
            let (&c, tail) = rest.split_first()?;
            rest = tail;
            match c {
                b'"' => break,
                b'\\' => {
                    let (&next, tail) = rest.split_first()?;
                    if !matches!(next, 1..=9 | 11 | 12 | 14..=127) {
                        return None;
                    }
                    local.push(next);
                    rest = tail;
                }
                1..=8 | 11 | 12 | 14..=31 | 32 | 33 | 35..=91 | 93..=127 => local.push(c),
                _ => return None,
            }
        }
    } else {
        while let Some(&c) = rest.first() {
            if c == b'\\' {
                // Go takes the escaped byte, whatever it is.
                let &next = rest.get(1)?;
                local.push(next);
                rest = &rest[2..];
            } else if c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&c) {
                local.push(c);
                rest = &rest[1..];
            } else {
                break;
            }
        }
        if local.is_empty()
            || local.starts_with(b".")
            || local.ends_with(b".")
            || local.windows(2).any(|w| w == b"..")
        {
            return None;
        }
    }
    let domain = std::str::from_utf8(rest.strip_prefix(b"@")?).ok()?;
    reverse_labels(domain).filter(|l| !l.is_empty())?;
    Some((local, domain.to_string()))
}

/// `matchDomainConstraint`.
fn match_domain(domain: &str, constraint: &str) -> Result<bool, String> {
    if constraint.is_empty() {
        return Ok(true);
    }
    let labels = reverse_labels(domain)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| format!("x509: internal error: cannot parse domain {domain:?}"))?;
    let (must_have_subdomains, constraint) = match constraint.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, constraint),
    };
    let wanted = reverse_labels(constraint)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| format!("x509: internal error: cannot parse domain {constraint:?}"))?;
    if labels.len() < wanted.len() || (must_have_subdomains && labels.len() == wanted.len()) {
        return Ok(false);
    }
    Ok(wanted
        .iter()
        .zip(&labels)
        .all(|(w, l)| w.eq_ignore_ascii_case(l)))
}

/// `matchURIConstraint`: the URI's host (no IP) against a domain constraint.
fn match_uri(uri: &str, constraint: &str) -> Result<bool, String> {
    let after_scheme = uri.split_once(':').map_or("", |(_, rest)| rest);
    let authority = after_scheme
        .strip_prefix("//")
        .map(|a| a.split(['/', '?', '#']).next().unwrap_or(""))
        .unwrap_or("");
    let mut host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.is_empty() {
        return Err(format!(
            "URI with empty host ({uri:?}) cannot be matched against constraints"
        ));
    }
    if host.contains(':') && !host.ends_with(']') {
        host = match host.rsplit_once(':') {
            Some((h, _)) if !h.contains(':') => h,
            _ => return Err(format!("address {host}: too many colons")),
        };
    }
    if (host.starts_with('[') && host.ends_with(']')) || super::addr::parse_ip(host).is_some() {
        return Err(format!(
            "URI with IP ({uri:?}) cannot be matched against constraints"
        ));
    }
    match_domain(host, constraint)
}

/// A SAN as the constraint check sees it.
enum Name<'a> {
    Dns(&'a str),
    Ip(&'a [u8]),
    /// The whole address, and its domain.
    Email(&'a str, String),
    Uri(&'a str),
}

impl Name<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Name::Dns(_) => "DNS name",
            Name::Ip(_) => "IP address",
            Name::Email(..) => "email address",
            Name::Uri(_) => "URI",
        }
    }

    /// The match function Go passes to `checkNameConstraints`; None for another kind.
    fn matches(&self, constraint: &Constraint) -> Option<Result<bool, String>> {
        Some(match (self, constraint) {
            (Name::Dns(d), Constraint::Dns(c)) => match_domain(d, c),
            (Name::Uri(u), Constraint::Uri(c)) => match_uri(u, c),
            (Name::Ip(ip), Constraint::Ip(addr, mask)) => Ok(ip.len() == addr.len()
                && ip
                    .iter()
                    .zip(addr)
                    .zip(mask)
                    .all(|((a, b), m)| a & m == b & m)),
            (Name::Email(full, domain), Constraint::Email(c)) if c.contains('@') => {
                match parse_mailbox(c.as_bytes()) {
                    Some((local, wanted)) => Ok(parse_mailbox(full.as_bytes())
                        .is_some_and(|(l, d)| l == local && d.eq_ignore_ascii_case(&wanted))),
                    None => Err(format!(
                        "x509: internal error: cannot parse constraint {c:?}"
                    )),
                }
            }
            (Name::Email(_, domain), Constraint::Email(c)) => match_domain(domain, c),
            _ => return None,
        })
    }
}

const MAX_COMPARISONS: usize = 250_000;

/// `isValid`'s constraint check of a CA's `constraints` over `sans`: the SANs of the server
/// certificate, then of the CA itself (`None` without a SAN extension). Err is Go's text.
pub(super) fn check(
    constraints: &Constraints,
    sans: &[Option<&[GeneralName]>],
) -> Result<(), String> {
    const NOT_AUTHORIZED: &str =
        "x509: a root or intermediate certificate is not authorized to sign for this name: ";
    let too_many = || "x509: unknown error (too many name constraints to compare)".to_string();
    let mut count = 0;
    for general in sans.iter().flatten().flat_map(|names| names.iter()) {
        let (name, text) = match general {
            GeneralName::Rfc822Name(e) => {
                let Some((_, domain)) = parse_mailbox(e.as_bytes()) else {
                    return Err(format!("x509: cannot parse rfc822Name {:?}", e.as_str()));
                };
                (Name::Email(e.as_str(), domain), e.to_string())
            }
            GeneralName::DnsName(d) => {
                if reverse_labels(d.as_str()).is_none_or(|l| l.is_empty()) {
                    return Err(format!("x509: cannot parse dnsName {:?}", d.as_str()));
                }
                (Name::Dns(d.as_str()), d.to_string())
            }
            GeneralName::UniformResourceIdentifier(u) => (Name::Uri(u.as_str()), u.to_string()),
            GeneralName::IpAddress(ip) => {
                (Name::Ip(ip.as_bytes()), super::addr::ip_text(ip.as_bytes()))
            }
            _ => continue,
        };
        let excluded: Vec<_> = constraints
            .excluded
            .iter()
            .filter_map(|c| Some((c, name.matches(c)?)))
            .collect();
        count += excluded.len();
        if count > MAX_COMPARISONS {
            return Err(too_many());
        }
        for (constraint, matched) in excluded {
            if matched.map_err(|e| format!("{NOT_AUTHORIZED}{e}"))? {
                return Err(format!(
                    "{NOT_AUTHORIZED}{} {text:?} is excluded by constraint {:?}",
                    name.kind(),
                    constraint.text()
                ));
            }
        }
        let permitted: Vec<_> = constraints
            .permitted
            .iter()
            .filter_map(|c| name.matches(c))
            .collect();
        count += permitted.len();
        if count > MAX_COMPARISONS {
            return Err(too_many());
        }
        let mut ok = true;
        for matched in permitted {
            ok = matched.map_err(|e| format!("{NOT_AUTHORIZED}{e}"))?;
            if ok {
                break;
            }
        }
        if !ok {
            return Err(format!(
                "{NOT_AUTHORIZED}{} {text:?} is not permitted by any constraint",
                name.kind()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_match_by_whole_labels() {
        assert_eq!(match_domain("db.example.com", "example.com"), Ok(true));
        assert_eq!(match_domain("example.com", "example.com"), Ok(true));
        assert_eq!(match_domain("example.com", ".example.com"), Ok(false));
        assert_eq!(match_domain("db.example.com", ".example.com"), Ok(true));
        assert_eq!(match_domain("dbexample.com", "example.com"), Ok(false));
        assert_eq!(match_domain("DB.Example.COM", "example.com"), Ok(true));
        assert_eq!(match_domain("anything", ""), Ok(true));
        assert!(match_domain("bad..name", "example.com").is_err());
    }

    #[test]
    fn mailboxes_and_uris() {
        assert_eq!(
            parse_mailbox(b"a.b@example.com"),
            Some((b"a.b".to_vec(), "example.com".into()))
        );
        assert_eq!(parse_mailbox(b".a@example.com"), None);
        assert_eq!(
            parse_mailbox(b"\"a b\"@example.com").map(|m| m.0),
            Some(b"a b".to_vec())
        );
        assert_eq!(parse_mailbox(b"nobody"), None);
        assert_eq!(
            match_uri("https://user@db.example.com:5432/x", "example.com"),
            Ok(true)
        );
        assert!(match_uri("urn:x", "example.com").is_err());
        assert!(match_uri("https://10.0.0.1/", "example.com").is_err());
    }

    #[test]
    fn masks_are_ones_then_zeros() {
        assert!(valid_mask(&[255, 255, 0, 0]));
        assert!(valid_mask(&[255, 240, 0, 0]));
        assert!(!valid_mask(&[255, 0, 255, 0]));
        assert!(!valid_mask(&[255, 0b1010_0000, 0, 0]));
    }
}

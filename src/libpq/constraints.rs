//! Name constraints, as OpenSSL 3.0 checks them after the signatures
//! (`check_name_constraints`, `NAME_CONSTRAINTS_check`, `NAME_CONSTRAINTS_check_CN`): a
//! CA's constraints apply to every certificate below it on the path (self-issued
//! intermediates excepted). A name is checked only against subtrees of its own type: a
//! permitted subtree of that type must match, and no excluded one may. The subject is a
//! directory name; the server certificate's common name counts as a DNS name when it has
//! no dNSName and the CN looks like a host name. DNS subtrees match the name or any name
//! ending in `.` plus the subtree; IP subtrees are address and mask.
//!
//! rootcert checks DNS, IP address and directory-name subtrees. A certificate with an
//! e-mail, URI or other name under a constraint of that type is reported as one rootcert
//! cannot check (a failure, never a pass).

use x509_cert::ext::pkix::NameConstraints;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;

use super::facts::CanonicalName;
use crate::cert::Certificate;

/// Why a certificate's names break a constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Violation {
    /// The name is outside every permitted subtree of its type.
    NotPermitted(String),
    /// The name is inside an excluded subtree.
    Excluded(String),
    /// rootcert cannot check this kind of name against a constraint of its kind.
    Unchecked(String),
}

/// One name of a certificate, as constraints see it.
pub(crate) enum Subject {
    Dns(Vec<u8>),
    Ip(Vec<u8>),
    Dir(CanonicalName),
    /// E-mail, URI and other names: text for messages.
    Other(u8, String),
}

pub(crate) fn tag(name: &GeneralName) -> u8 {
    match name {
        GeneralName::OtherName(_) => 0,
        GeneralName::Rfc822Name(_) => 1,
        GeneralName::DnsName(_) => 2,
        GeneralName::DirectoryName(_) => 4,
        GeneralName::EdiPartyName(_) => 5,
        GeneralName::UniformResourceIdentifier(_) => 6,
        GeneralName::IpAddress(_) => 7,
        GeneralName::RegisteredId(_) => 8,
    }
}

fn subjects(cert: &Certificate, leaf: bool) -> Vec<Subject> {
    let tbs = cert.x509().tbs_certificate();
    let mut out = Vec::new();
    if tbs.subject().iter_rdn().next().is_some() {
        out.push(Subject::Dir(CanonicalName::of(tbs.subject())));
    }
    for atv in tbs.subject().iter_rdn().flat_map(|rdn| rdn.iter()) {
        if atv.oid == crate::oid::EMAIL {
            out.push(Subject::Other(
                1,
                String::from_utf8_lossy(atv.value.value()).into(),
            ));
        }
    }
    let mut has_dns = false;
    if let Ok(Some((_, san))) = tbs.get_extension::<SubjectAltName>() {
        for name in &san.0 {
            match name {
                GeneralName::DnsName(d) => {
                    has_dns = true;
                    out.push(Subject::Dns(d.as_bytes().to_vec()));
                }
                GeneralName::IpAddress(ip) => out.push(Subject::Ip(ip.as_bytes().to_vec())),
                GeneralName::DirectoryName(dn) => out.push(Subject::Dir(CanonicalName::of(dn))),
                other => out.push(Subject::Other(tag(other), format!("{other:?}"))),
            }
        }
    }
    if leaf && !has_dns {
        for atv in tbs.subject().iter_rdn().flat_map(|rdn| rdn.iter()) {
            let value = atv.value.value();
            if atv.oid == crate::oid::CN && looks_like_host(value) {
                out.push(Subject::Dns(value.to_vec()));
            }
        }
    }
    out
}

/// OpenSSL's `cn2dnsid`: letters, digits, `-` and `.`, with at least one dot inside.
fn looks_like_host(cn: &[u8]) -> bool {
    cn.iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.')
        && cn.contains(&b'.')
        && !cn.starts_with(b".")
        && !cn.ends_with(b".")
}

/// `nc_match_single`: whether `name` is inside `base` (same type), or None when rootcert
/// cannot tell.
fn inside(name: &Subject, base: &GeneralName) -> Option<bool> {
    match (name, base) {
        (Subject::Dns(dns), GeneralName::DnsName(base)) => Some(dns_inside(dns, base.as_bytes())),
        (Subject::Ip(ip), GeneralName::IpAddress(base)) => {
            let base = base.as_bytes();
            Some(
                base.len() == 2 * ip.len() && {
                    let (addr, mask) = base.split_at(ip.len());
                    ip.iter()
                        .zip(addr)
                        .zip(mask)
                        .all(|((i, a), m)| i & m == a & m)
                },
            )
        }
        (Subject::Dir(dn), GeneralName::DirectoryName(base)) => {
            let base = CanonicalName::of(base);
            Some(dn.starts_with(&base))
        }
        _ => None,
    }
}

/// `nc_dns`: empty matches everything; otherwise the name ends with the base, at a label.
fn dns_inside(dns: &[u8], base: &[u8]) -> bool {
    if base.is_empty() {
        return true;
    }
    if dns.len() < base.len() {
        return false;
    }
    let start = dns.len() - base.len();
    if start > 0 && base[0] != b'.' && dns[start - 1] != b'.' {
        return false;
    }
    dns[start..].eq_ignore_ascii_case(base)
}

fn same_type(name: &Subject, base: &GeneralName) -> bool {
    let t = tag(base);
    match name {
        Subject::Dns(_) => t == 2,
        Subject::Ip(_) => t == 7,
        Subject::Dir(_) => t == 4,
        Subject::Other(kind, _) => *kind == t,
    }
}

fn describe(name: &Subject) -> String {
    match name {
        Subject::Dns(d) => format!("DNS:{}", String::from_utf8_lossy(d)),
        Subject::Ip(ip) => format!("IP:{}", hex::encode(ip)),
        Subject::Dir(_) => "its subject".to_string(),
        Subject::Other(_, text) => text.clone(),
    }
}

/// Checks `cert` (the server certificate when `leaf`) against `nc`.
fn check(cert: &Certificate, leaf: bool, nc: &NameConstraints) -> Option<Violation> {
    check_names(subjects(cert, leaf), nc)
}

/// Checks names (each against the subtrees of its own type) against `nc`; other stacks
/// collect a certificate's names by their own rules.
pub(crate) fn check_names(names: Vec<Subject>, nc: &NameConstraints) -> Option<Violation> {
    let none: Vec<GeneralSubtree> = Vec::new();
    let permitted = nc.permitted_subtrees.as_ref().unwrap_or(&none);
    let excluded = nc.excluded_subtrees.as_ref().unwrap_or(&none);
    for name in names {
        let mut of_type = permitted
            .iter()
            .filter(|s| same_type(&name, &s.base))
            .peekable();
        if of_type.peek().is_some() {
            let mut matched = false;
            for subtree in of_type {
                match inside(&name, &subtree.base) {
                    Some(true) => matched = true,
                    Some(false) => {}
                    None => return Some(Violation::Unchecked(describe(&name))),
                }
            }
            if !matched {
                return Some(Violation::NotPermitted(describe(&name)));
            }
        }
        for subtree in excluded.iter().filter(|s| same_type(&name, &s.base)) {
            match inside(&name, &subtree.base) {
                Some(true) => return Some(Violation::Excluded(describe(&name))),
                Some(false) => {}
                None => return Some(Violation::Unchecked(describe(&name))),
            }
        }
    }
    None
}

/// The first certificate on `path` (server certificate first, root last) that breaks a
/// constraint of a CA above it: its position, the CA's, and why.
pub(crate) fn first_violation(path: &[(Certificate, bool)]) -> Option<(usize, usize, Violation)> {
    for i in (0..path.len()).rev() {
        let (cert, self_issued) = &path[i];
        if i > 0 && *self_issued {
            continue;
        }
        for j in (i + 1..path.len()).rev() {
            let Ok(Some((_, nc))) = path[j]
                .0
                .x509()
                .tbs_certificate()
                .get_extension::<NameConstraints>()
            else {
                continue;
            };
            if let Some(violation) = check(cert, i == 0, &nc) {
                return Some((i, j, violation));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_subtrees_match_at_a_label() {
        assert!(dns_inside(b"db.example.com", b"example.com"));
        assert!(dns_inside(b"db.example.com", b".example.com"));
        assert!(dns_inside(b"example.com", b"example.com"));
        assert!(!dns_inside(b"example.com", b".example.com"));
        assert!(!dns_inside(b"dbexample.com", b"example.com"));
        assert!(dns_inside(b"DB.Example.COM", b"example.com"));
        assert!(dns_inside(b"anything", b""));
    }
}

//! The notes of a verdict: the rules of this stack that let a connection through where
//! OpenSSL under libpq would refuse it, each named where it applied.

use std::time::SystemTime;

use super::chain::Verified;
use super::link::Link;
use super::names::JavaNames;
use super::pkix;
use crate::cert::Certificate;
use crate::libpq;
use crate::libpq::facts::Facts;

/// The rules of this stack that let the chain through where OpenSSL under libpq would
/// refuse it.
pub(super) fn chain(verified: &Verified, trust: &[Certificate], now: SystemTime) -> Vec<String> {
    let path = &verified.path;
    let anchor = path.last().expect("never empty");
    let subject = anchor.cert.subject();
    let mut notes = Vec::new();
    let in_date = |link: &Link| link.cert.not_before() <= now && now <= link.cert.not_after();
    if path.len() == 1 {
        if !anchor.facts.self_signed || !in_date(anchor) {
            notes.push(format!(
                "Java trusts the server certificate {subject} as it is because the trust file \
                 holds it: nothing else is checked, not even its dates"
            ));
        }
        return notes;
    }
    if !reaches_a_root(anchor, trust) {
        notes.push(format!(
            "pgjdbc accepts a partial chain: {subject} in the trust file is a trust anchor"
        ));
    }
    if !in_date(anchor) {
        notes.push(format!(
            "Java does not check the dates of a trust anchor: {subject} is valid from {} to {}",
            anchor.cert.not_before_rfc3339(),
            anchor.cert.not_after_rfc3339()
        ));
    }
    if !anchor.facts.eku_allows_server() {
        notes.push(format!(
            "Java ignores the extendedKeyUsage of a trust anchor ({subject} has no serverAuth)"
        ));
    }
    let below = path[1..path.len() - 1]
        .iter()
        .filter(|l| !l.facts.self_issued)
        .count();
    if let Some(pathlen) = anchor.facts.pathlen().filter(|&p| usize::from(p) < below) {
        notes.push(format!(
            "Java ignores the pathLenConstraint of a trust anchor ({subject} allows {pathlen} \
             intermediate certificate(s), the chain has {below})"
        ));
    }
    if let Some(extension) = &anchor.facts.unhandled_critical {
        notes.push(format!(
            "Java ignores the critical extensions of a trust anchor ({extension} on {subject})"
        ));
    }
    if pkix::anchor_constraints_broken(path) {
        notes.push(format!(
            "Java ignores the nameConstraints of a trust anchor ({subject})"
        ));
    }
    for link in &path[1..path.len() - 1] {
        if !link.facts.eku_allows_server() {
            notes.push(format!(
                "Java does not check the extendedKeyUsage of intermediate certificates ({} has \
                 no serverAuth)",
                link.cert.subject()
            ));
        }
    }
    let signed: Vec<&Link> = path[..path.len() - 1].iter().collect();
    if signed.iter().any(|l| {
        l.facts
            .signature
            .as_ref()
            .is_some_and(|s| s.name.contains("SHA-1"))
    }) {
        notes.push(
            "Java accepts SHA-1 signatures (jdk.certpath.disabledAlgorithms refuses them only \
             under the JDK's own roots, and Debian's JDK has none it counts as such)"
                .into(),
        );
    }
    for link in path {
        if matches!(link.facts.key_bits, Some(1024..2048))
            && matches!(link.facts.key, libpq::facts::KeyKind::Rsa)
        {
            notes.push(format!(
                "Java accepts RSA keys of 1024 bits and more ({} has {} bits; OpenSSL at \
                 Debian's security level 2 wants 2048)",
                link.cert.subject(),
                link.facts.key_bits.unwrap_or(0)
            ));
        }
    }
    if !path[0].facts.eku_allows_server() {
        notes.push(
            "Java accepts a server certificate whose extendedKeyUsage is anyExtendedKeyUsage"
                .into(),
        );
    }
    notes
}

pub(super) fn names(host: &str, names: &JavaNames, by_cn: bool) -> Vec<String> {
    let mut notes = Vec::new();
    if by_cn && libpq::parse_ip(host).is_some() && !names.san.is_empty() {
        notes.push(format!(
            "pgjdbc compares the CN when the certificate has no DNS name, even for an IP \
             address whose IP SANs do not match ({host})"
        ));
    }
    let partial = |p: &str| p.starts_with('*') && !p.starts_with("*.");
    let matched: Vec<&String> = names
        .san
        .iter()
        .map(|(_, s)| s)
        .chain(names.cn.iter().filter(|_| by_cn))
        .filter(|p| partial(p) && super::names::verify_host_name(host, p))
        .collect();
    if let Some(pattern) = matched.first() {
        notes.push(format!("pgjdbc matches the partial wildcard {pattern}"));
    }
    notes
}

/// Whether the trust file also holds the self-signed root above `anchor`, so that libpq
/// would find a full chain too.
fn reaches_a_root(anchor: &Link, trust: &[Certificate]) -> bool {
    let mut facts = anchor.facts.clone();
    for _ in 0..trust.len() {
        if facts.self_signed {
            return true;
        }
        let Some(issuer) = trust
            .iter()
            .map(Facts::of)
            .find(|t| t.subject == facts.issuer)
        else {
            return false;
        };
        facts = issuer;
    }
    facts.self_signed
}

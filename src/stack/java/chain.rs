//! Which path JSSE's `X509TrustManagerImpl` validates (`PKIXValidator.engineValidate`,
//! PKIXValidator.java:201):
//!
//! - The server certificate itself in the trust file: accepted at once, with no other
//!   check (not even its dates).
//! - Otherwise, while each certificate the server sent is the issuer of the one before
//!   it, the chain is cut at the first one the trust file holds (the same bytes, or the
//!   same subject and key): partial chains are fine. When the chain runs out, it is
//!   validated if the trust file holds a certificate named as the last one's issuer.
//! - A chain out of order, or one whose end the file does not name, goes to the PKIX
//!   builder instead: a search from the server certificate through the certificates the
//!   server sent to any certificate of the trust file. Nothing is fetched.
//!
//! A trust anchor is any certificate of the file whose subject is the issuer's name and
//! whose key identifier (and, for v3, serial number) the authority key identifier allows
//! (`AdaptableX509CertSelector`). [`super::pkix`] validates the path against it.

use std::time::SystemTime;

use super::link::Link;
use super::pkix::{self, Failure};
use crate::cert::Certificate;

/// How deep the builder searches; the JDK stops at five intermediates by default.
const MAX_BUILD_DEPTH: usize = 8;

/// What validation found: the path from the server certificate to its trust anchor (the
/// anchor last), and the first failure.
pub(crate) struct Verified {
    pub(crate) path: Vec<Link>,
    pub(crate) failure: Option<Failure>,
}

impl Verified {
    /// The certificate of the trust file the path ends at, when validation reached one.
    pub(crate) fn anchor(&self) -> Option<&Link> {
        match self.failure {
            Some(Failure::NoPath { .. }) => None,
            _ => self.path.last(),
        }
    }
}

/// `engineValidate`, then the anchor and end-entity checks of `Validator.validate`.
pub(crate) fn verify(sent: &[Certificate], trusted: &[Certificate], now: SystemTime) -> Verified {
    let anchors: Vec<Link> = trusted.iter().map(Link::of).collect();
    let chain: Vec<Link> = sent.iter().map(Link::of).collect();
    if anchors.iter().any(|a| a.cert.der() == chain[0].cert.der()) {
        return Verified {
            path: vec![chain[0].clone()],
            failure: None,
        };
    }
    let held = |link: &Link| {
        anchors.iter().any(|a| {
            a.cert.der() == link.cert.der()
                || (a.facts.subject == link.facts.subject && a.spki() == link.spki())
        })
    };
    for i in 1..chain.len() {
        if chain[i].facts.subject != chain[i - 1].facts.issuer {
            return build(&chain, &anchors, now);
        }
        if held(&chain[i]) {
            return validate(&chain[..i], &anchors, now);
        }
    }
    let last = chain.last().expect("a chain is never empty");
    if anchors.iter().any(|a| a.facts.subject == last.facts.issuer) {
        validate(&chain, &anchors, now)
    } else {
        build(&chain, &anchors, now)
    }
}

/// `doValidate`: every matching anchor in turn; the first that validates wins, else the
/// last failure stands.
fn validate(path: &[Link], anchors: &[Link], now: SystemTime) -> Verified {
    let top = path.last().expect("never empty");
    let mut result = None;
    for anchor in anchors.iter().filter(|a| anchor_matches(top, a, false)) {
        let failure = pkix::validate(path, anchor, now).err();
        let done = failure.is_none();
        result = Some(with_anchor(path, anchor, failure));
        if done {
            break;
        }
    }
    result.unwrap_or_else(|| no_path(path))
}

fn with_anchor(path: &[Link], anchor: &Link, failure: Option<Failure>) -> Verified {
    let mut full = path.to_vec();
    full.push(anchor.clone());
    let failure = failure
        .or_else(|| pkix::check_anchor(&full))
        .or_else(|| pkix::check_server(&full));
    Verified {
        path: full,
        failure,
    }
}

fn no_path(path: &[Link]) -> Verified {
    Verified {
        path: path.to_vec(),
        failure: Some(Failure::NoPath {
            top: path.len() - 1,
        }),
    }
}

/// `doBuild`: a depth-first search from the server certificate, trying the trust file's
/// certificates before the ones the server sent at every step. The first path that
/// validates wins; when none does, the first one tried explains why.
fn build(chain: &[Link], anchors: &[Link], now: SystemTime) -> Verified {
    let mut search = Search {
        sent: &chain[1..],
        anchors,
        now,
        first_failure: None,
        longest: vec![chain[0].clone()],
    };
    let mut path = vec![chain[0].clone()];
    if let Some(found) = search.from(&mut path) {
        return found;
    }
    search
        .first_failure
        .unwrap_or_else(|| no_path(&search.longest))
}

struct Search<'a> {
    sent: &'a [Link],
    anchors: &'a [Link],
    now: SystemTime,
    first_failure: Option<Verified>,
    longest: Vec<Link>,
}

impl Search<'_> {
    fn from(&mut self, path: &mut Vec<Link>) -> Option<Verified> {
        if path.len() > self.longest.len() {
            self.longest = path.clone();
        }
        let top = path.last().expect("never empty").clone();
        for anchor in self
            .anchors
            .iter()
            .filter(|a| anchor_matches(&top, a, true))
        {
            match pkix::validate(path, anchor, self.now) {
                Ok(()) => return Some(with_anchor(path, anchor, None)),
                Err(failure) => {
                    self.first_failure
                        .get_or_insert_with(|| with_anchor(path, anchor, Some(failure)));
                }
            }
        }
        if path.len() > MAX_BUILD_DEPTH {
            return None;
        }
        for candidate in self.sent {
            let issued = candidate.facts.subject == top.facts.issuer
                && top.facts.akid_allows(&candidate.facts, &candidate.cert);
            let in_path = path.iter().any(|l| l.cert.der() == candidate.cert.der());
            if !issued || in_path {
                continue;
            }
            path.push(candidate.clone());
            if let Some(found) = self.from(path) {
                return Some(found);
            }
            path.pop();
        }
        None
    }
}

/// `AdaptableX509CertSelector.match` for a trust anchor of `top`: the subject names the
/// issuer; the key identifier matches when both certificates have one; a v3 anchor has
/// the serial number the authority key identifier names; the builder also wants a v1 or
/// v2 anchor valid over `top`'s validity period.
fn anchor_matches(top: &Link, anchor: &Link, building: bool) -> bool {
    if anchor.facts.subject != top.facts.issuer {
        return false;
    }
    let Some(akid) = &top.facts.authority_key_id else {
        return true;
    };
    if let (Some(wanted), Some(skid)) = (&akid.key_identifier, &anchor.facts.subject_key_id)
        && wanted.as_bytes() != skid.as_slice()
    {
        return false;
    }
    if anchor.before_v3() {
        let over = |t: SystemTime| anchor.cert.not_before() <= t && t <= anchor.cert.not_after();
        return !building || (over(top.cert.not_before()) && over(top.cert.not_after()));
    }
    let serial = anchor
        .cert
        .x509()
        .tbs_certificate()
        .serial_number()
        .as_bytes();
    akid.authority_cert_serial_number
        .as_ref()
        .is_none_or(|s| s.as_bytes() == serial)
}

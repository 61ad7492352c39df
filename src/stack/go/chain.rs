//! Go 1.19's `Certificate.Verify` (crypto/x509/verify.go) with the options pgx gives it:
//! the trust file's certificates as `Roots`, the rest of what the server sent as
//! `Intermediates`, the default key usage (serverAuth).
//!
//! 1. crypto/tls parses every certificate the server sent (`verifyServerCertificate`).
//! 2. `isValid` on the server certificate: no unhandled critical extension, within its
//!    validity period.
//! 3. A server certificate that is itself in the pool is the whole chain. Otherwise
//!    `buildChains` tries, for each certificate, the pool's candidates and then the sent
//!    ones whose subject is byte for byte its issuer; a candidate must sign it
//!    (`CheckSignatureFrom`) and pass `isValid`; the first pool certificate reached ends a
//!    chain, self-signed or not. Every chain is kept.
//! 4. One chain must pass `checkChainForKeyUsage`.
//! 5. crypto/tls accepts only RSA, ECDSA and Ed25519 server keys.

use std::time::SystemTime;

use super::cert::{ANY_EKU, GoCert};
use super::signature::{SignatureFailure, check_signature_from};
use crate::libpq::facts::KeyKind;
use crate::oid;

/// `maxChainSignatureChecks`.
const MAX_SIGNATURE_CHECKS: usize = 100;

/// Why Go refuses, with the certificate it names.
#[derive(Debug, Clone)]
pub(super) enum Failure<'a> {
    /// crypto/tls cannot parse the `at`-th certificate the server sent.
    Parse {
        at: usize,
        text: String,
    },
    UnhandledCritical {
        cert: &'a GoCert,
    },
    /// Outside its validity period: `before` it starts, or after it ends.
    Expired {
        cert: &'a GoCert,
        before: bool,
    },
    /// An intermediate without basicConstraints CA:TRUE.
    NotAuthorizedToSign {
        cert: &'a GoCert,
    },
    TooManyIntermediates {
        cert: &'a GoCert,
        pathlen: i64,
    },
    NameConstraint {
        ca: &'a GoCert,
        text: String,
    },
    /// No chain reaches the pool from `cert`; `hint` is the first candidate issuer that
    /// failed `CheckSignatureFrom`, and why.
    UnknownAuthority {
        cert: &'a GoCert,
        hint: Option<(&'a GoCert, SignatureFailure)>,
    },
    SignatureCheckLimit,
    /// No chain allows serverAuth; `cert` is the first one (from the anchor down) of the
    /// first chain whose EKU lacks it.
    IncompatibleUsage {
        cert: &'a GoCert,
    },
    UnsupportedServerKey,
}

impl Failure<'_> {
    /// The error Go reports (pgx wraps it: "failed to connect to …: failed to write startup
    /// message (…)").
    pub(super) fn go_text(&self, now: SystemTime) -> String {
        match self {
            Failure::Parse { text, .. } => {
                format!("tls: failed to parse certificate from server: {text}")
            }
            Failure::UnhandledCritical { .. } => "x509: unhandled critical extension".into(),
            Failure::Expired { cert, before } => {
                // Go's `time.RFC3339` in UTC, whole seconds.
                let now = crate::time::Timestamp::from_system_time(now);
                if *before {
                    format!(
                        "x509: certificate has expired or is not yet valid: current time {now} is before {}",
                        cert.cert.not_before_rfc3339()
                    )
                } else {
                    format!(
                        "x509: certificate has expired or is not yet valid: current time {now} is after {}",
                        cert.cert.not_after_rfc3339()
                    )
                }
            }
            Failure::NotAuthorizedToSign { .. } => {
                "x509: certificate is not authorized to sign other certificates".into()
            }
            Failure::TooManyIntermediates { .. } => {
                "x509: too many intermediates for path length constraint".into()
            }
            Failure::NameConstraint { text, .. } => text.clone(),
            Failure::UnknownAuthority { hint, .. } => {
                let mut text = "x509: certificate signed by unknown authority".to_string();
                if let Some((candidate, why)) = hint {
                    text.push_str(&format!(
                        " (possibly because of {:?} while trying to verify candidate authority certificate {:?})",
                        why.go_text(),
                        candidate.cert.display_name()
                    ));
                }
                text
            }
            Failure::SignatureCheckLimit => {
                "x509: signature check attempts limit reached while verifying certificate chain"
                    .into()
            }
            Failure::IncompatibleUsage { .. } => {
                "x509: certificate specifies an incompatible key usage".into()
            }
            Failure::UnsupportedServerKey => {
                "tls: server's certificate contains an unsupported type of public key".into()
            }
        }
    }
}

/// What `Verify` found: every chain it built (server certificate first, anchor last) and,
/// when it refuses, why. `server_failure`: Go refused the server certificate itself before
/// looking at names or chains.
pub(super) struct Verified<'a> {
    pub(super) chains: Vec<Vec<&'a GoCert>>,
    pub(super) failure: Option<Failure<'a>>,
    pub(super) server_failure: bool,
}

/// `Verify` without a DNS name: the chain rules alone. `sent[0]` is the server certificate.
pub(super) fn verify<'a>(sent: &'a [GoCert], roots: &'a [GoCert], now: SystemTime) -> Verified<'a> {
    let refuse = |failure, server_failure| Verified {
        chains: Vec::new(),
        failure: Some(failure),
        server_failure,
    };
    if let Some((at, text)) = sent
        .iter()
        .enumerate()
        .find_map(|(at, c)| Some((at, c.parse_error.clone()?)))
    {
        return refuse(Failure::Parse { at, text }, true);
    }
    let leaf = &sent[0];
    if let Err(failure) = is_valid(leaf, Kind::Leaf, &[], now) {
        return refuse(failure, true);
    }
    let chains = if roots.iter().any(|r| r.cert.der() == leaf.cert.der()) {
        vec![vec![leaf]]
    } else {
        let mut builder = Builder {
            roots,
            intermediates: dedup(&sent[1..]),
            now,
            signature_checks: 0,
        };
        match builder.build(&[leaf]) {
            (chains, _) if !chains.is_empty() => chains,
            (_, failure) => return refuse(failure.expect("an error without chains"), false),
        }
    };
    let failure = if !chains.iter().any(|chain| allows_server_auth(chain)) {
        let cert = chains[0]
            .iter()
            .rev()
            .find(|c| !eku_allows_server(c))
            .expect("a chain that fails has a certificate that fails");
        Some(Failure::IncompatibleUsage { cert })
    } else if !matches!(
        leaf.facts.key,
        KeyKind::Rsa | KeyKind::Ec | KeyKind::Ed25519
    ) {
        Some(Failure::UnsupportedServerKey)
    } else {
        None
    };
    Verified {
        chains,
        failure,
        server_failure: false,
    }
}

/// A pool holds each certificate once (`addCertFunc`).
fn dedup(certs: &[GoCert]) -> Vec<&GoCert> {
    let mut out: Vec<&GoCert> = Vec::new();
    for cert in certs {
        if !out.iter().any(|c| c.cert.der() == cert.cert.der()) {
            out.push(cert);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Leaf,
    Intermediate,
    Root,
}

struct Builder<'a> {
    roots: &'a [GoCert],
    intermediates: Vec<&'a GoCert>,
    now: SystemTime,
    signature_checks: usize,
}

impl<'a> Builder<'a> {
    /// `buildChains`: the chains above `current`'s last certificate, or the error Go keeps
    /// (that of the last candidate whose signature checked, else unknown authority).
    fn build(&mut self, current: &[&'a GoCert]) -> (Vec<Vec<&'a GoCert>>, Option<Failure<'a>>) {
        let child = *current.last().expect("never empty");
        let mut chains = Vec::new();
        let mut failure = None;
        let mut hint = None;
        let roots: Vec<&'a GoCert> = self.roots.iter().collect();
        let candidates = potential_parents(&roots, child)
            .into_iter()
            .map(|c| (c, Kind::Root))
            .chain(
                potential_parents(&self.intermediates, child)
                    .into_iter()
                    .map(|c| (c, Kind::Intermediate)),
            )
            .collect::<Vec<_>>();
        for (candidate, kind) in candidates {
            if already_in_chain(candidate, current) {
                continue;
            }
            self.signature_checks += 1;
            if self.signature_checks > MAX_SIGNATURE_CHECKS {
                failure = Some(Failure::SignatureCheckLimit);
                continue;
            }
            if let Err(why) = check_signature_from(child, candidate) {
                hint.get_or_insert((candidate, why));
                continue;
            }
            failure = is_valid(candidate, kind, current, self.now).err();
            if failure.is_some() {
                continue;
            }
            let mut longer = current.to_vec();
            longer.push(candidate);
            if kind == Kind::Root {
                chains.push(longer);
            } else {
                let (above, why) = self.build(&longer);
                chains.extend(above);
                failure = why;
            }
        }
        if !chains.is_empty() {
            failure = None;
        } else if failure.is_none() {
            failure = Some(Failure::UnknownAuthority { cert: child, hint });
        }
        (chains, failure)
    }
}

/// `findPotentialParents`: subject equal to the issuer, byte for byte; matching key
/// identifiers first, then those where one side has none, then mismatches.
fn potential_parents<'a>(pool: &[&'a GoCert], child: &GoCert) -> Vec<&'a GoCert> {
    let named: Vec<&'a GoCert> = pool
        .iter()
        .copied()
        .filter(|c| c.raw_subject == child.raw_issuer)
        .collect();
    let rank = |c: &GoCert| {
        let (skid, akid) = (&c.subject_key_id, &child.authority_key_id);
        if skid == akid {
            0
        } else if skid.is_empty() != akid.is_empty() {
            1
        } else {
            2
        }
    };
    let mut ranked = named;
    ranked.sort_by_key(|c| rank(c));
    ranked
}

/// `alreadyInChain`: same subject, same key, and the same SANs (or none on both).
fn already_in_chain(candidate: &GoCert, chain: &[&GoCert]) -> bool {
    for cert in chain {
        if cert.raw_subject != candidate.raw_subject || cert.public_key() != candidate.public_key()
        {
            continue;
        }
        match (&candidate.san, &cert.san) {
            (None, None) => return true,
            (None, _) | (_, None) => return false,
            (Some((a, _)), Some((b, _))) if a == b => return true,
            _ => {}
        }
    }
    false
}

/// `isValid` for `cert` as the next certificate above `current`.
fn is_valid<'a>(
    cert: &'a GoCert,
    kind: Kind,
    current: &[&'a GoCert],
    now: SystemTime,
) -> Result<(), Failure<'a>> {
    if !cert.unhandled_critical.is_empty() {
        return Err(Failure::UnhandledCritical { cert });
    }
    if now < cert.cert.not_before() || now > cert.cert.not_after() {
        let before = now < cert.cert.not_before();
        return Err(Failure::Expired { cert, before });
    }
    if kind != Kind::Leaf
        && let Some(constraints) = &cert.constraints
    {
        let sans = [current[0].san_names(), cert.san_names()];
        super::constraints::check(constraints, &sans)
            .map_err(|text| Failure::NameConstraint { ca: cert, text })?;
    }
    if kind == Kind::Intermediate && cert.basic.is_none_or(|(ca, _)| !ca) {
        return Err(Failure::NotAuthorizedToSign { cert });
    }
    if let Some((_, pathlen)) = cert.basic
        && pathlen >= 0
        && current.len() as i64 - 1 > pathlen
    {
        return Err(Failure::TooManyIntermediates { cert, pathlen });
    }
    Ok(())
}

/// One certificate's EKU admits a TLS server: none, anyExtendedKeyUsage, or serverAuth.
pub(super) fn eku_allows_server(cert: &GoCert) -> bool {
    cert.eku.is_empty() || cert.eku.contains(&ANY_EKU) || cert.eku.contains(&oid::SERVER_AUTH)
}

/// `checkChainForKeyUsage` with serverAuth requested.
pub(super) fn allows_server_auth(chain: &[&GoCert]) -> bool {
    chain.iter().all(|c| eku_allows_server(c))
}

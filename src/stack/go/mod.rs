//! Go's `crypto/tls` and `crypto/x509` as pgx v4 uses them (pgconn 1.11, Go 1.19; rules,
//! sources and measured cases in `docs/drivers/pgx.md`):
//!
//! - [`trust_file`]: `AppendCertsFromPEM`; every certificate loaded is a trust anchor.
//! - [`chain`]: `Certificate.Verify` — partial chains, every CA's rules on the anchor too,
//!   EKU on every certificate; [`signature`]: who may sign, SHA-1 refused, no key-size
//!   minimum; [`constraints`]: name constraints on SANs only.
//! - [`names`]: `VerifyHostname` under `verify-full` — SANs only, never the CN.
//!
//! Problems quote Go's own error where it helps; fixes name pgx's settings or the server
//! operator's change.

mod addr;
mod cert;
mod chain;
mod constraints;
mod explain;
mod names;
mod signature;
mod trust_file;

use cert::GoCert;
use explain::Context;

use crate::libpq::{self, Case, Cause, Decision, NameRule, TrustFile};

/// The trust file as pgx loads it.
pub(crate) fn load(bytes: &[u8]) -> TrustFile {
    trust_file::load(bytes)
}

/// pgx's decision: the chain as Go verifies it, then (unless `case.names` is
/// [`NameRule::None`], pgx's `verify-ca`) the host name as Go matches it.
pub(crate) fn judge(case: &Case<'_>) -> Decision {
    let sent: Vec<GoCert> = case.chain.iter().map(GoCert::of).collect();
    let roots: Vec<GoCert> = case.trust.certs.iter().map(GoCert::of).collect();
    let context = Context {
        case,
        sent: &sent,
        roots: &roots,
    };
    let mut problems = Vec::new();
    let mut causes = Vec::new();
    let mut fixes = Vec::new();
    let mut push = |cause: Cause, (problem, fix): (String, Option<String>)| {
        libpq::add_cause(&mut causes, cause);
        problems.push(problem);
        fixes.extend(fix);
    };
    let verified = case
        .trust
        .error
        .is_none()
        .then(|| chain::verify(&sent, &roots, case.now));
    if let Some(error) = &case.trust.error {
        push(Cause::TrustFile, explain::trust_file(error, &context));
    }
    // Go checks the server certificate itself, then the name, then the chain.
    let (server, chain) = match verified.as_ref().and_then(|v| v.failure.as_ref()) {
        Some(f) if verified.as_ref().is_some_and(|v| v.server_failure) => (Some(f), None),
        other => (None, other),
    };
    if let Some(failure) = server {
        push(cause(failure), explain::failure(failure, &context));
    }
    let matched = match case.names {
        NameRule::None => None,
        _ => match names::verify_hostname(case.host, &sent[0]) {
            Ok(how) => Some(how),
            Err(go_error) => {
                push(Cause::HostName, explain::name(&go_error, &context));
                None
            }
        },
    };
    if let Some(failure) = chain {
        push(cause(failure), explain::failure(failure, &context));
    }
    let anchor_chain = verified.as_ref().and_then(|v| best(&v.chains));
    let ok = problems.is_empty();
    let notes = match anchor_chain {
        Some(chain) if ok => explain::notes(chain, matched.as_ref(), &context),
        _ => Vec::new(),
    };
    Decision {
        ok,
        root: anchor_chain.and_then(|c| c.last()).map(|c| c.cert.clone()),
        problems,
        causes,
        fixes,
        notes,
    }
}

/// The kind of Go's refusal.
fn cause(failure: &chain::Failure<'_>) -> Cause {
    use chain::Failure as F;
    match failure {
        F::Parse { .. } | F::UnsupportedServerKey => Cause::Unparsable,
        F::Expired { before: true, .. } => Cause::NotYetValid,
        F::Expired { before: false, .. } => Cause::Expired,
        F::UnknownAuthority { .. } | F::SignatureCheckLimit => Cause::UntrustedRoot,
        F::UnhandledCritical { .. }
        | F::NotAuthorizedToSign { .. }
        | F::TooManyIntermediates { .. }
        | F::NameConstraint { .. }
        | F::IncompatibleUsage { .. } => Cause::CaRules,
    }
}

/// The chain to report: one that passes the key-usage check, ending at a self-signed
/// certificate if one does (Go keeps every chain; libpq would find that one).
fn best<'c, 'a>(chains: &'c [Vec<&'a GoCert>]) -> Option<&'c Vec<&'a GoCert>> {
    let usable = |c: &&Vec<&GoCert>| chain::allows_server_auth(c);
    let rooted = |c: &&Vec<&GoCert>| c.last().is_some_and(|a| a.facts.self_signed);
    chains
        .iter()
        .find(|c| usable(c) && rooted(c))
        .or_else(|| chains.iter().find(usable))
        .or_else(|| chains.first())
}

#[cfg(test)]
mod tests;

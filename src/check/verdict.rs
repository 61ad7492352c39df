//! The client's decision under a target's TLS settings: verify-full judged in full,
//! verify-ca on the chain, libpq's `require` trap, the unverified modes, `--min-days`;
//! and the settings that work when verification would succeed.

use std::time::{Duration, SystemTime};

use super::CheckOptions;
use super::protocol::Session;
use super::report::{CertReport, CheckReport, Verdict};
use super::settings;
use super::target::{Endpoint, Mode, Protocol, Roots, Target};
use super::trust::{self, Trust};
use crate::cert::Cert;
use crate::libpq::{self, NameRule};
use crate::text::path_text;

/// The name rule of the target's client.
fn name_rule(target: &Target) -> NameRule {
    match target.protocol {
        Protocol::Postgres => NameRule::Libpq,
        Protocol::Mysql | Protocol::Tls => NameRule::OpenSsl,
    }
}

/// The setting as the client spells it.
fn mode_text(target: &Target) -> String {
    let mysql = target.protocol == Protocol::Mysql;
    match &target.mode {
        Mode::Full if mysql => "VERIFY_IDENTITY".into(),
        Mode::Full => "verify-full".into(),
        Mode::ChainOnly if mysql => "VERIFY_CA".into(),
        Mode::ChainOnly => "verify-ca".into(),
        Mode::LibpqUnlessFile(m) | Mode::Unverified(m) => m.clone(),
    }
}

/// The client's decision under the target's settings, and why.
pub(super) fn judge(
    target: &Target,
    endpoint: &Endpoint,
    session: &Session,
    chain: &[Cert],
    trust: &Trust,
    options: &CheckOptions,
    now: SystemTime,
) -> CheckReport {
    let decide = |trust: &Trust, names: NameRule| {
        let mut verdict = libpq::judge(&libpq::Case {
            chain,
            trust: &trust.roots,
            trust_name: &path_text(&trust.file),
            host: &endpoint.name,
            now,
            names,
            client: target.client.in_words(),
        });
        if verdict.ok
            && let Some(why) = &session.unverified_signature
        {
            verdict.ok = false;
            verdict.problems.push(format!(
                "rootcert could not verify the server's handshake signature ({why})"
            ));
        }
        verdict
    };
    let full = decide(trust, name_rule(target));
    let mode = mode_text(target);
    let full_fix = || {
        let loaded = trust.roots.error.is_none();
        let file = if trust.system {
            "system".to_string()
        } else {
            path_text(&trust.file)
        };
        let how = settings::verified_setting(target, loaded.then_some(file.as_str()));
        if full.ok {
            format!("{how}: that would succeed")
        } else if !loaded {
            format!(
                "{how}, with the server's root in FILE (`rootcert fetch PROFILE -o FILE`; \
                 {} cannot be loaded: {})",
                file,
                trust.roots.error.as_deref().unwrap_or_default()
            )
        } else {
            format!(
                "{how}, once this is fixed: {}",
                full.problems.first().cloned().unwrap_or_default()
            )
        }
    };
    let (mut verdict, mut problems, mut fixes, root) = match &target.mode {
        Mode::Full => (
            if full.ok {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            full.problems.clone(),
            full.fixes.clone(),
            full.root.clone(),
        ),
        Mode::ChainOnly => {
            let chain_only = decide(trust, NameRule::None);
            let mut problems = chain_only.problems;
            if chain_only.ok && !full.ok {
                problems.push(format!(
                    "note: {mode} does not check the host name; verify-full would fail: {}",
                    full.problems.join("; ")
                ));
            }
            let verdict = if chain_only.ok {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            (verdict, problems, chain_only.fixes, chain_only.root)
        }
        Mode::LibpqUnlessFile(m) => {
            let libpq_file = match &target.roots {
                Roots::File { path, .. } => Some(path.clone()),
                Roots::ClientDefault => trust::libpq_default_root(),
                _ => None,
            };
            // The file libpq reads is usually the one already loaded (no --ca given).
            let loaded = |p: &std::path::Path| {
                let same = std::path::absolute(p).is_ok_and(|p| p == trust.file);
                if same && trust.roots.error.is_none() {
                    Some(trust.clone())
                } else {
                    trust::file_trust(p).ok().flatten()
                }
            };
            match libpq_file.and_then(|p| loaded(&p)) {
                Some(file) => {
                    let chain_only = decide(&file, NameRule::None);
                    let why = format!(
                        "sslmode={m} verifies the chain because {} exists (libpq then acts as \
                         verify-ca)",
                        path_text(&file.file)
                    );
                    if chain_only.ok {
                        (
                            Verdict::Unverified,
                            vec![format!(
                                "{why}; it passes, but the host name is not checked"
                            )],
                            vec![full_fix()],
                            chain_only.root,
                        )
                    } else {
                        let mut problems = vec![format!("{why}, and the connection will fail:")];
                        problems.extend(chain_only.problems);
                        (Verdict::Fail, problems, chain_only.fixes, None)
                    }
                }
                None => (
                    Verdict::Unverified,
                    vec![format!(
                        "sslmode={m} encrypts but does not verify the server (no root certificate \
                         file is there)"
                    )],
                    vec![full_fix()],
                    None,
                ),
            }
        }
        Mode::Unverified(m) => (
            Verdict::Unverified,
            vec![format!(
                "{m}: the connection is not verified (any certificate, or none, is accepted)"
            )],
            vec![full_fix()],
            None,
        ),
    };
    let mut all: Vec<&Cert> = chain.iter().collect();
    all.extend(root.iter().chain(full.root.iter()));
    let earliest = all.iter().min_by_key(|c| c.not_after()).copied();
    if let Some(days) = options.min_days {
        let limit = now + Duration::from_secs(u64::from(days) * 86_400);
        let mut seen = std::collections::HashSet::new();
        for cert in all.iter().filter(|c| seen.insert(c.sha256)) {
            if cert.not_after() < limit && cert.not_after() >= now {
                problems.push(format!(
                    "{} expires on {}, within {days} days (--min-days)",
                    cert.subject(),
                    cert.not_after_rfc3339()
                ));
                fixes.push(
                    "renew or rotate it before then (the server's operator, or a new root from \
                     `rootcert fetch`)"
                        .into(),
                );
                if verdict == Verdict::Pass {
                    verdict = Verdict::Fail;
                }
            }
        }
    }
    let ok = verdict == Verdict::Pass;
    let trust_name = if trust.system {
        "system".to_string()
    } else {
        path_text(&trust.file)
    };
    let connect = (full.ok && target.protocol == Protocol::Postgres)
        .then(|| settings::psql_lines(target, endpoint, &trust_name));
    let settings = if full.ok {
        settings::working(target, endpoint, &trust_name, &options.clients)
    } else {
        Vec::new()
    };
    let fetch_first = trust.fetch_first.clone().filter(|_| full.ok);
    let suggestion = if ok {
        let mut lines: Vec<String> = fetch_first.iter().cloned().collect();
        lines.extend(settings.iter().map(|s| s.text.clone()));
        if let Some(c) = &connect {
            lines.push(c.env.clone());
        }
        Some(lines.join("\n"))
    } else {
        (!fixes.is_empty()).then(|| fixes.join("\n"))
    };
    CheckReport {
        target: target.shown.clone(),
        protocol: target.protocol.as_str(),
        client: target.client.as_str(),
        mode,
        verdict,
        ok,
        host: endpoint.addr.clone(),
        port: endpoint.port,
        server_name: endpoint.name.clone(),
        tls_version: session.tls_version.clone(),
        trusting: trust.described.clone(),
        chain: chain.iter().map(CertReport::new).collect(),
        root: root.as_ref().map(CertReport::new),
        earliest_expiry: earliest.map(|c| c.not_after_rfc3339()),
        problems,
        fixes,
        fetch_first,
        connect,
        settings,
        suggestion,
    }
}

/// The client refuses the settings before it connects.
pub(super) fn refused_report(
    target: &Target,
    endpoint: &Endpoint,
    trust: &Trust,
    why: &str,
) -> CheckReport {
    let fix = format!(
        "change the string: {}",
        settings::verified_setting(target, None)
    );
    CheckReport {
        target: target.shown.clone(),
        protocol: target.protocol.as_str(),
        client: target.client.as_str(),
        mode: mode_text(target),
        verdict: Verdict::Fail,
        ok: false,
        host: endpoint.addr.clone(),
        port: endpoint.port,
        server_name: endpoint.name.clone(),
        tls_version: String::new(),
        trusting: trust.described.clone(),
        chain: Vec::new(),
        root: None,
        earliest_expiry: None,
        problems: vec![why.to_string()],
        fixes: vec![fix.clone()],
        fetch_first: None,
        connect: None,
        settings: Vec::new(),
        suggestion: Some(fix),
    }
}

//! One driver's decision under its reading of a target: full verification judged in full,
//! chain-only on the chain (with the name noted), the unverified settings, `--min-days`;
//! and the setting that works when full verification would succeed.

use std::time::{Duration, SystemTime};

use super::CheckOptions;
use super::connstr::{Endpoint, Protocol, Target};
use super::protocol::Session;
use super::reading::{Mode, Tls};
use super::report::{CertReport, CheckReport, ClientVerdict, Verdict};
use super::settings;
use super::settings::ClientSetting;
use super::trust::Trust;
use crate::cert::Certificate;
use crate::driver::Driver;
use crate::libpq::{self, Cause, NameRule, add_cause};
use crate::quote::{ConnectLines, path_text};

/// What one driver makes of one server.
pub(crate) struct Judged {
    pub(crate) driver: Driver,
    /// The setting judged, as the driver spells it.
    pub(crate) mode: String,
    pub(crate) verdict: Verdict,
    pub(crate) problems: Vec<String>,
    /// The kinds of `problems`, each once.
    pub(crate) causes: Vec<Cause>,
    pub(crate) fixes: Vec<String>,
    /// The driver's own rules that let this through where libpq would refuse, and what it
    /// says on the way.
    pub(crate) notes: Vec<String>,
    /// The root the chain ends at under the setting judged.
    pub(crate) root: Option<Certificate>,
    /// Full verification would succeed (with the setting that does it).
    pub(crate) full_ok: bool,
    pub(crate) setting: Option<ClientSetting>,
    /// For psql: the psql line and `PGSSLROOTCERT`.
    pub(crate) connect: Option<ConnectLines>,
    pub(crate) trust: Trust,
    pub(crate) earliest: Option<Certificate>,
}

/// The setting as the driver spells it.
fn mode_text(driver: Driver, mode: &Mode) -> String {
    let mysql_client = matches!(driver, Driver::Mariadb | Driver::Mysql);
    match (mode, driver) {
        (Mode::Full, Driver::Mysql2) => "ssl: {ca, verifyIdentity: true}".into(),
        (Mode::Full, Driver::Pymysql) => "ssl_verify_identity=True".into(),
        (Mode::Full, Driver::Openssl) => "TLS with verification".into(),
        (Mode::Full, _) if mysql_client => "VERIFY_IDENTITY".into(),
        (Mode::Full, _) => "verify-full".into(),
        // A setting that says less but verifies the chain: as written.
        (Mode::ChainOnly { why: Some(why) }, _) => why
            .split_whitespace()
            .next()
            .unwrap_or("verify-ca")
            .to_string(),
        (Mode::ChainOnly { .. }, Driver::Mysql2) => "ssl: {ca}".into(),
        (Mode::ChainOnly { .. }, Driver::Pymysql) => "ssl_verify_cert=True".into(),
        (Mode::ChainOnly { .. }, _) if mysql_client => "VERIFY_CA".into(),
        (Mode::ChainOnly { .. }, _) => "verify-ca".into(),
        (Mode::Unverified(why) | Mode::NameOnly(why), _) => {
            why.split(':').next().unwrap_or(why).to_string()
        }
    }
}

/// `driver`'s decision under `tls` for the chain `session` brought.
#[allow(clippy::too_many_arguments)]
pub(super) fn judge(
    driver: Driver,
    tls: &Tls,
    target: &Target,
    endpoint: &Endpoint,
    session: &Session,
    chain: &[Certificate],
    trust: Trust,
    options: &CheckOptions,
    now: SystemTime,
) -> Judged {
    // `system` is a value only libpq reads (sslrootcert=system); to every other driver it
    // would be a file name, so its messages say "the system store" and its fixes FILE.
    let libpq_reads_system = matches!(driver, Driver::Psql | Driver::Psycopg);
    let (trust_name, setting_file) = match (trust.system, libpq_reads_system) {
        (true, true) => ("system".to_string(), "system".to_string()),
        (true, false) => ("the system store".to_string(), "system".to_string()),
        (false, _) => (path_text(&trust.file), path_text(&trust.file)),
    };
    let names_a_file = !trust.system || libpq_reads_system;
    let loaded = trust.loaded(driver.stack());
    let decide = |names: NameRule| {
        let mut verdict = crate::stack::judge(
            driver.stack(),
            &libpq::Case {
                chain,
                trust: &loaded,
                trust_name: &trust_name,
                host: &endpoint.name,
                now,
                names,
                client: driver.in_words(),
            },
        );
        // The driver checks the handshake signature itself; rootcert says it could not
        // (an RSA key too small for ring, say) rather than fail a connection the driver makes.
        if verdict.ok
            && let Some(why) = &session.unverified_signature
        {
            verdict.notes.push(format!(
                "rootcert could not verify the server's handshake signature itself ({why}); {} \
                 checks it",
                driver.in_words()
            ));
        }
        verdict
    };
    let full = decide(driver.names());
    let full_fix = || {
        let how = settings::verified_setting(
            driver,
            (loaded.error.is_none() && names_a_file).then_some(&*trust_name),
        );
        if full.ok {
            format!("{how}: that would succeed")
        } else if loaded.error.is_some() {
            format!(
                "{how}, with the server's root in FILE (`rootcert fetch PROFILE -o FILE`; {} \
                 cannot be loaded: {})",
                trust_name,
                loaded.error.as_deref().unwrap_or_default()
            )
        } else {
            format!(
                "{how}, once this is fixed: {}",
                full.problems.first().cloned().unwrap_or_default()
            )
        }
    };
    let mut notes = tls.notes.clone();
    let (mut verdict, mut problems, mut causes, mut fixes, root) = match &tls.mode {
        Mode::Full => {
            notes.extend(full.notes.iter().cloned());
            (
                if full.ok {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                full.problems.clone(),
                full.causes.clone(),
                full.fixes.clone(),
                full.root.clone(),
            )
        }
        Mode::ChainOnly { why } => {
            let chain_only = decide(NameRule::None);
            notes.extend(chain_only.notes.iter().cloned());
            let mut problems = Vec::new();
            if let Some(why) = why {
                problems.push(format!("note: {why}"));
            }
            problems.extend(chain_only.problems);
            if chain_only.ok && !full.ok {
                problems.push(format!(
                    "note: {} does not check the host name; full verification would fail: {}",
                    mode_text(driver, &tls.mode),
                    full.problems.join("; ")
                ));
            }
            let verdict = if chain_only.ok {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            (
                verdict,
                problems,
                chain_only.causes,
                chain_only.fixes,
                chain_only.root,
            )
        }
        // Any CA, the right name: unverified; a wrong name is refused still.
        Mode::NameOnly(why) => {
            let leaf_only = libpq::TrustFile {
                certs: vec![chain[0].clone()],
                error: None,
                ..loaded.clone()
            };
            let named = crate::stack::judge(
                driver.stack(),
                &libpq::Case {
                    chain,
                    trust: &leaf_only,
                    trust_name: &trust_name,
                    host: &endpoint.name,
                    now,
                    names: driver.names(),
                    client: driver.in_words(),
                },
            );
            if named.ok {
                (
                    Verdict::Unverified,
                    vec![why.clone()],
                    vec![Cause::NotVerified],
                    vec![full_fix()],
                    None,
                )
            } else {
                (
                    Verdict::Fail,
                    named.problems,
                    named.causes,
                    named.fixes,
                    None,
                )
            }
        }
        // The root the chain would end at, were it verified: what "trusting" led to.
        Mode::Unverified(why) => (
            Verdict::Unverified,
            vec![why.clone()],
            vec![Cause::NotVerified],
            vec![full_fix()],
            full.root.clone(),
        ),
    };
    let mut all: Vec<&Certificate> = chain.iter().collect();
    all.extend(root.iter().chain(full.root.iter()));
    let earliest = all
        .iter()
        .min_by_key(|c| c.not_after())
        .map(|c| (*c).clone());
    let mut expiring = false;
    if let Some(days) = options.min_days {
        let limit = now + Duration::from_secs(u64::from(days) * 86_400);
        let mut seen = std::collections::HashSet::new();
        for cert in all.iter().filter(|c| seen.insert(c.sha256)) {
            if cert.not_after() < limit && cert.not_after() >= now {
                problems.push(format!(
                    "{} expires on {}, within the {days} days asked for",
                    cert.subject(),
                    cert.not_after_rfc3339()
                ));
                fixes.push(
                    "renew or rotate it before then (the server's operator, or a new root from \
                     `rootcert fetch`)"
                        .into(),
                );
                add_cause(&mut causes, Cause::ExpiresSoon);
                expiring = true;
                if verdict == Verdict::Pass {
                    verdict = Verdict::Fail;
                }
            }
        }
    }
    let connect = (full.ok && driver == Driver::Psql && target.protocol == Protocol::Postgres)
        .then(|| settings::psql_lines(target, endpoint, &setting_file));
    // An expiry within --min-days is not fixed by any setting: none is offered then.
    let setting =
        (full.ok && !expiring).then(|| settings::working(driver, target, endpoint, &setting_file));
    Judged {
        driver,
        mode: mode_text(driver, &tls.mode),
        verdict,
        problems,
        causes,
        fixes,
        notes,
        root,
        full_ok: full.ok,
        setting,
        connect,
        trust,
        earliest,
    }
}

/// The driver refuses the settings before it connects.
pub(super) fn refused(driver: Driver, tls: &Tls, trust: Trust, why: &str) -> Judged {
    Judged {
        driver,
        mode: mode_text(driver, &tls.mode),
        verdict: Verdict::Fail,
        problems: vec![why.to_string()],
        causes: vec![Cause::Settings],
        fixes: vec![format!(
            "change the settings: {}",
            settings::verified_setting(driver, None)
        )],
        notes: tls.notes.clone(),
        root: None,
        full_ok: false,
        setting: None,
        connect: None,
        trust,
        earliest: None,
    }
}

impl Judged {
    pub(super) fn root_report(&self) -> Option<CertReport> {
        self.root.as_ref().map(CertReport::new)
    }
}

/// The report for one server from each driver's judgement (the first is the one the
/// report speaks for; with several, each is also in `clients`).
pub(super) fn report(
    target: &std::sync::Arc<str>,
    protocol: Protocol,
    host: (&str, u16, &str),
    tls_version: &str,
    chain: &[Certificate],
    judged: Vec<Judged>,
) -> CheckReport {
    let first = &judged[0];
    let verdict = if judged.iter().all(|j| j.verdict == Verdict::Pass) {
        Verdict::Pass
    } else if judged.iter().any(|j| j.verdict == Verdict::Fail) {
        Verdict::Fail
    } else {
        Verdict::Unverified
    };
    let ok = verdict == Verdict::Pass;
    let fetch_first = first.trust.fetch_first.clone().filter(|_| first.full_ok);
    let settings: Vec<ClientSetting> = judged.iter().filter_map(|j| j.setting.clone()).collect();
    let suggestion = if ok {
        let mut lines: Vec<String> = fetch_first.iter().cloned().collect();
        lines.extend(settings.iter().map(|s| s.text.clone()));
        if let Some(c) = &first.connect {
            lines.push(c.env.clone());
        }
        Some(lines.join("\n"))
    } else {
        let fixes: Vec<&String> = judged.iter().flat_map(|j| &j.fixes).collect();
        (!fixes.is_empty()).then(|| {
            fixes
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
    };
    let clients = if judged.len() > 1 {
        judged
            .iter()
            .map(|j| ClientVerdict {
                client: j.driver.name(),
                mode: j.mode.clone(),
                verdict: j.verdict,
                problems: j.problems.clone(),
                causes: j.causes.clone(),
                fixes: j.fixes.clone(),
                notes: j.notes.clone(),
                setting: j.setting.as_ref().map(|s| s.text.clone()),
                differs: differs(first, j),
            })
            .collect()
    } else {
        Vec::new()
    };
    let earliest = judged
        .iter()
        .filter_map(|j| j.earliest.as_ref())
        .min_by_key(|c| c.not_after());
    CheckReport {
        target: target.clone(),
        protocol: protocol.as_str(),
        client: first.driver.name(),
        mode: first.mode.clone(),
        verdict,
        ok,
        host: host.0.to_string(),
        port: host.1,
        server_name: host.2.to_string(),
        tls_version: tls_version.to_string(),
        trusting: first.trust.described.clone(),
        chain: chain.iter().map(CertReport::new).collect(),
        root: first.root_report(),
        earliest_expiry: earliest.map(|c| c.not_after_timestamp()),
        problems: first.problems.clone(),
        causes: first.causes.clone(),
        fixes: first.fixes.clone(),
        fetch_first,
        connect: first.connect.clone(),
        settings,
        suggestion,
        clients,
    }
}

/// The rule that decides why `other` reaches another verdict than `reference`.
fn differs(reference: &Judged, other: &Judged) -> Option<String> {
    if reference.driver == other.driver || reference.verdict == other.verdict {
        return None;
    }
    let first = |j: &Judged| {
        j.problems
            .iter()
            .find(|p| !p.starts_with("note: "))
            .or(j.problems.first())
            .cloned()
            .unwrap_or_default()
    };
    Some(match other.verdict {
        Verdict::Pass => match other.notes.first() {
            Some(rule) => format!("{}: {rule}", other.driver.name()),
            None => format!(
                "{} passes where {} does not: {}",
                other.driver.name(),
                reference.driver.name(),
                first(reference)
            ),
        },
        _ => format!("{}: {}", other.driver.name(), first(other)),
    })
}

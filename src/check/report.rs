//! What `check` reports: one [`CheckOutcome`] per server, a [`CheckReport`] with the
//! [`Verdict`] and the chain, or the error that kept the server from being judged.

use serde::Serialize;

use super::settings::ClientSetting;
use super::target::Protocol;
use super::verdict::Judged;
use crate::cert::Cert;
use crate::error::{Error, exit};
use crate::text::ConnectLines;

/// What the client would make of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The connection is verified and would succeed.
    Pass,
    /// The connection would fail.
    Fail,
    /// The connection would work without verifying the server (or without its name).
    Unverified,
}

impl Verdict {
    /// `pass`, `fail`, `unverified`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Unverified => "unverified",
        }
    }
}

/// The verdict for one server, the chain it was reached on, and what to do next.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// The target as parsed, passwords masked (shared by every host of the target).
    pub target: std::sync::Arc<str>,
    /// `postgres`, `mysql` or `tls`.
    pub protocol: &'static str,
    /// The driver whose rules judged it: `psql`, `pgjdbc`, `pgx`, `mariadb`, `openssl`, …
    pub client: &'static str,
    /// The TLS setting judged: `verify-full`, `VERIFY_IDENTITY`, `require`, …
    pub mode: String,
    /// pass, fail or unverified.
    pub verdict: Verdict,
    /// The verdict is pass.
    pub ok: bool,
    /// Where rootcert connected.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The name checked against the certificate (libpq's `host`).
    pub server_name: String,
    /// `TLS 1.2` or `TLS 1.3` (empty when the client would not connect).
    pub tls_version: String,
    /// What the roots came from: a file (and how many certificates), or profiles.
    pub trusting: String,
    /// The chain as the server sent it, server certificate first.
    pub chain: Vec<CertReport>,
    /// The trusted root the chain ends at.
    pub root: Option<CertReport>,
    /// When the first certificate of the chain or its root expires (RFC 3339).
    pub earliest_expiry: Option<String>,
    /// Why the connection would fail or is not verified.
    pub problems: Vec<String>,
    /// What fixes each problem.
    pub fixes: Vec<String>,
    /// For a pass: a command to run first, when the trust file is not written yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetch_first: Option<String>,
    /// For a PostgreSQL pass: the psql line and the environment variable that will work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<ConnectLines>,
    /// When verification would succeed: the settings that do it, per client.
    pub settings: Vec<ClientSetting>,
    /// The fixes, or the working lines, as one text (for people reading JSON).
    pub suggestion: Option<String>,
    /// With several `--client`s: each driver's verdict (the fields above are then the
    /// first driver's, but `verdict` and `ok`, which hold for all of them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<ClientVerdict>,
}

/// One driver's verdict, when several were asked for.
#[derive(Debug, Serialize)]
pub struct ClientVerdict {
    /// `psql`, `pgjdbc`, `pgx`, …
    pub client: &'static str,
    /// The setting judged, as the driver spells it.
    pub mode: String,
    /// pass, fail or unverified.
    pub verdict: Verdict,
    /// Why it would fail or is not verified.
    pub problems: Vec<String>,
    /// What fixes each problem, in the driver's terms.
    pub fixes: Vec<String>,
    /// The driver's own rules that let the connection through where libpq would not, and
    /// what the driver says on the way.
    pub notes: Vec<String>,
    /// When full verification would succeed: the driver's setting that does it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// When the verdict differs from the first driver's: the rule that decides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub differs: Option<String>,
}

impl CheckReport {
    /// 0 for a pass, else 4.
    pub fn exit_code(&self) -> u8 {
        if self.ok { exit::OK } else { exit::CONTENT }
    }

    /// The report for one server from each driver's judgement (the first is the one the
    /// report speaks for; with several, each is also in `clients`).
    pub(super) fn new(
        target: &std::sync::Arc<str>,
        protocol: Protocol,
        host: (&str, u16, &str),
        tls_version: &str,
        chain: &[Cert],
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
        let settings: Vec<ClientSetting> =
            judged.iter().filter_map(|j| j.setting.clone()).collect();
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
            earliest_expiry: earliest.map(|c| c.not_after_rfc3339()),
            problems: first.problems.clone(),
            fixes: first.fixes.clone(),
            fetch_first,
            connect: first.connect.clone(),
            settings,
            suggestion,
            clients,
        }
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

/// One server's result: a report, or why it could not be checked.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The target as parsed, passwords masked; for a target that does not parse, where it
    /// was given (`target 2`, `line 7 of targets.txt`).
    pub target: std::sync::Arc<str>,
    /// Which target of the run this server belongs to (0-based), and which of its hosts.
    pub target_index: usize,
    /// Which host of the target (0-based).
    pub host_index: usize,
    /// The protocol spoken (none for a target that does not parse).
    pub protocol: Option<Protocol>,
    /// Where rootcert connected (or tried to).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The report, or the error that kept the server from being judged.
    pub result: Result<CheckReport, Error>,
}

impl CheckOutcome {
    /// The report's exit code, or the error's.
    pub fn exit_code(&self) -> u8 {
        match &self.result {
            Ok(report) => report.exit_code(),
            Err(e) => e.exit_code(),
        }
    }
}

/// One certificate of the chain.
#[derive(Debug, Serialize)]
pub struct CertReport {
    /// RFC 2253.
    pub subject: String,
    /// RFC 2253.
    pub issuer: String,
    /// Colon hex.
    pub sha256: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
}

impl CertReport {
    pub(super) fn new(cert: &Cert) -> Self {
        CertReport {
            subject: cert.subject(),
            issuer: cert.issuer(),
            sha256: cert.sha256.to_string(),
            not_before: cert.not_before_rfc3339(),
            not_after: cert.not_after_rfc3339(),
        }
    }
}

//! What `check` reports: one [`CheckOutcome`] per server, a [`CheckReport`] with the
//! [`Verdict`] and the chain, or the error that kept the server from being judged.

use serde::Serialize;

use super::connstr::Protocol;
use super::settings::ClientSetting;
use crate::cert::Certificate;
use crate::error::{Error, exit};
use crate::libpq::Cause;
use crate::quote::ConnectLines;

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
#[non_exhaustive]
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
    pub earliest_expiry: Option<crate::Timestamp>,
    /// Why the connection would fail or is not verified.
    pub problems: Vec<String>,
    /// The kinds of `problems`, each once: what a program matches on.
    pub causes: Vec<Cause>,
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
#[non_exhaustive]
pub struct ClientVerdict {
    /// `psql`, `pgjdbc`, `pgx`, …
    pub client: &'static str,
    /// The setting judged, as the driver spells it.
    pub mode: String,
    /// pass, fail or unverified.
    pub verdict: Verdict,
    /// Why it would fail or is not verified.
    pub problems: Vec<String>,
    /// The kinds of `problems`, each once.
    pub causes: Vec<Cause>,
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
}

/// One server's result: a report, or why it could not be checked.
#[derive(Debug)]
#[non_exhaustive]
pub struct CheckOutcome {
    /// The target as parsed, passwords masked; for a target that does not parse, where it
    /// was given (`target 2`, `line 7 of targets.txt`).
    pub target: std::sync::Arc<str>,
    /// For a target that does not parse and was not given as text, the setting that gave
    /// it (the environment's target); `target` then says that setting in words.
    pub given_by: Option<crate::hint::Setting>,
    /// Which target of the run this server belongs to (0-based), and which of its hosts.
    pub target_index: usize,
    /// Which host of the target (0-based).
    pub host_index: usize,
    /// The protocol spoken (none for a target that does not parse).
    pub protocol: Option<Protocol>,
    /// The driver whose rules judge it (the first, with several), as the report names
    /// it; known even when the server could not be reached, none for a target that does
    /// not parse.
    pub client: Option<&'static str>,
    /// Where rootcert connected (or tried to).
    pub host: String,
    /// The port.
    pub port: u16,
    /// How long the check of this server took (zero for a target that does not parse).
    pub elapsed: std::time::Duration,
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
#[non_exhaustive]
pub struct CertReport {
    /// RFC 2253.
    pub subject: String,
    /// RFC 2253.
    pub issuer: String,
    /// Colon hex.
    pub sha256: crate::Fingerprint,
    /// RFC 3339.
    pub not_before: crate::Timestamp,
    /// RFC 3339.
    pub not_after: crate::Timestamp,
}

impl CertReport {
    pub(crate) fn new(cert: &Certificate) -> Self {
        CertReport {
            subject: cert.subject(),
            issuer: cert.issuer(),
            sha256: cert.sha256,
            not_before: cert.not_before_timestamp(),
            not_after: cert.not_after_timestamp(),
        }
    }
}

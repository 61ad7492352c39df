//! `rootcert check`: would `sslmode=verify-full` succeed against this PostgreSQL server,
//! and if not, why. Talks to the server the way libpq does ([`protocol`]), records the
//! chain it sends, and judges it as libpq would ([`crate::libpq::judge`]), trusting the
//! roots [`trust`] loads.
//!
//! The handshake accepts any chain, so the report can always show what the server sent;
//! the handshake signature is still checked, and a failed check is part of the verdict.
//! No data is sent over the session.

pub(crate) mod protocol;
mod target;
mod trust;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::cert::Cert;
use crate::error::{Error, exit};
use crate::libpq;
use crate::text::{ConnectLines, path_text};
use protocol::Session;
use trust::Trust;

/// What `rootcert check` is asked.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// `HOST`, `HOST:PORT` or `[IPv6]:PORT` (default port 5432).
    pub target: String,
    /// Trust the roots of these catalog profiles (from their fetched file or the OS store).
    pub profiles: Vec<String>,
    /// Trust the roots in this file, as libpq would load it.
    pub ca: Option<PathBuf>,
    /// Check the certificate against this name (libpq's `host`) when the target is an
    /// address (libpq's `hostaddr`).
    pub sni: Option<String>,
    /// Start TLS at once with ALPN `postgresql` (PostgreSQL 17 `sslnegotiation=direct`).
    pub direct: bool,
    /// Deadline for connecting and for each read.
    pub timeout: Duration,
}

/// The verdict, the chain it was reached on, and what to do next.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// verify-full would succeed.
    pub ok: bool,
    /// Where rootcert connected.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The name checked against the certificate (libpq's `host`).
    pub server_name: String,
    /// `TLS 1.2` or `TLS 1.3`.
    pub tls_version: String,
    /// What the roots came from: a file (and how many certificates), or profiles.
    pub trusting: String,
    /// The chain as the server sent it, server certificate first.
    pub chain: Vec<CertReport>,
    /// The trusted root the chain ends at.
    pub root: Option<CertReport>,
    /// Why verify-full would fail, the first failure as psql would meet it first.
    pub problems: Vec<String>,
    /// What fixes each problem.
    pub fixes: Vec<String>,
    /// For a pass: a command to run first, when the trust file is not written yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetch_first: Option<String>,
    /// For a pass: the psql line and the environment variable that will work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<ConnectLines>,
    /// The fixes, or the working lines, as one text (for people reading JSON).
    pub suggestion: Option<String>,
}

impl CheckReport {
    /// 0 when verify-full would succeed, else 4.
    pub fn exit_code(&self) -> u8 {
        if self.ok { exit::OK } else { exit::CONTENT }
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
    fn new(cert: &Cert) -> Self {
        CertReport {
            subject: cert.subject(),
            issuer: cert.issuer(),
            sha256: cert.sha256.to_string(),
            not_before: cert.not_before_rfc3339(),
            not_after: cert.not_after_rfc3339(),
        }
    }
}

/// Connects to the server as libpq would and says whether `sslmode=verify-full` would
/// succeed, and if not, why and what fixes it.
pub fn check(options: &CheckOptions) -> Result<CheckReport, Error> {
    let (host, port) = target::split_host_port(&options.target)?;
    let server_name = options.sni.clone().unwrap_or_else(|| host.clone());
    let trust = trust::load_trust(options)?;
    let protocol = protocol::postgres(options.direct);
    let session = match protocol::handshake(
        &host,
        port,
        &server_name,
        protocol.as_ref(),
        options.timeout,
    ) {
        Ok(session) => session,
        // A trust file psql cannot load fails whatever the server does: say that first.
        Err(e) => match &trust.roots.error {
            Some(load_error) => {
                let file = path_text(&trust.file);
                return Err(Error::content(format!(
                    "libpq cannot load the trust file {file}: {load_error} (fix: {}); and the \
                     server could not be checked: {e}",
                    libpq::trust_file_fix(&file, "rootcert fetch PROFILE", trust.roots.format)
                )));
            }
            None => return Err(e),
        },
    };
    let chain: Vec<Cert> = session
        .chain
        .iter()
        .map(|der| Cert::from_der(der))
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Network {
            message: format!("the server sent a certificate that does not parse: {e}"),
            attempts: Vec::new(),
        })?;
    Ok(judge(
        &host,
        port,
        &server_name,
        &session,
        &chain,
        &trust,
        SystemTime::now(),
    ))
}

/// What verify-full would decide, and why: [`libpq::judge`], plus the handshake
/// signature, which psql checks as part of the handshake.
fn judge(
    host: &str,
    port: u16,
    server_name: &str,
    session: &Session,
    chain: &[Cert],
    trust: &Trust,
    now: SystemTime,
) -> CheckReport {
    let trust_name = path_text(&trust.file);
    let mut verdict = libpq::judge(&libpq::Case {
        chain,
        trust: &trust.roots,
        trust_name: &trust_name,
        host: server_name,
        now,
    });
    if verdict.ok
        && let Some(why) = &session.unverified_signature
    {
        verdict.ok = false;
        verdict.problems.push(format!(
            "rootcert could not verify the server's handshake signature ({why})"
        ));
    }
    let connect = verdict.ok.then(|| {
        let host_part = if server_name != host {
            format!("host={server_name} hostaddr={host} port={port}")
        } else {
            format!("host={host} port={port}")
        };
        ConnectLines::new(&trust_name, &host_part)
    });
    let fetch_first = trust.fetch_first.clone().filter(|_| verdict.ok);
    let suggestion = match &connect {
        Some(lines) => Some(
            fetch_first
                .iter()
                .chain([&lines.psql, &lines.env])
                .cloned()
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        None => (!verdict.fixes.is_empty()).then(|| verdict.fixes.join("\n")),
    };
    CheckReport {
        ok: verdict.ok,
        host: host.to_string(),
        port,
        server_name: server_name.to_string(),
        tls_version: session.tls_version.clone(),
        trusting: trust.described.clone(),
        chain: chain.iter().map(CertReport::new).collect(),
        root: verdict.root.as_ref().map(CertReport::new),
        problems: verdict.problems,
        fixes: verdict.fixes,
        fetch_first,
        connect,
        suggestion,
    }
}

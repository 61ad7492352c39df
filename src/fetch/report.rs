//! What `fetch` reports: the outcome, each certificate with its source, and the warnings
//! about the saved file.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use super::format::TrustFormat;
use super::libpq_default_file;
use crate::cert::Certificate;
use crate::hint::Warning;
use crate::quote::{ConnectLines, JavaLines, path_text};

/// One certificate as `fetch` reports it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CertSummary {
    /// The catalog's name for it, or its common name.
    pub name: String,
    /// RFC 2253, as openssl prints it.
    pub subject: String,
    /// SHA-256 over the DER, colon hex.
    pub sha256: crate::Fingerprint,
    /// RFC 3339.
    pub not_before: crate::Timestamp,
    /// RFC 3339.
    pub not_after: crate::Timestamp,
    /// Where it came from: a URL, `system:` and the store, or `file:` and the destination.
    pub source: String,
}

impl CertSummary {
    pub(crate) fn new(cert: &Certificate, source: &str) -> Self {
        CertSummary {
            name: crate::catalog::cert_with_pin(&cert.sha256)
                .map_or_else(|| cert.display_name(), |spec| spec.name.to_string()),
            subject: cert.subject(),
            sha256: cert.sha256,
            not_before: cert.not_before_timestamp(),
            not_after: cert.not_after_timestamp(),
            source: source.to_string(),
        }
    }
}

/// What `fetch` did.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct FetchReport {
    /// Saved, or already in place.
    pub status: FetchStatus,
    /// The kind of file: `pem`, or `pkcs12` (a Java truststore).
    pub format: TrustFormat,
    /// The saved file: exact when the path is UTF-8, else with `\xNN` for the bytes
    /// that are not (and `path_escaped` set). None for [`Output::Stdout`](super::Output::Stdout).
    pub path: Option<String>,
    /// The path holds bytes that are not UTF-8, written as `\xNN`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub path_escaped: bool,
    /// The certificates, with where each came from.
    pub certificates: Vec<CertSummary>,
    /// Sanity checks that did not stop the run.
    pub warnings: Vec<Warning>,
    /// How to point psql and every libpq client at the saved file (PEM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<ConnectLines>,
    /// How to point a JVM and pgjdbc at the saved truststore (PKCS#12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub java: Option<JavaLines>,
    /// The PEM, for [`Output::Stdout`](super::Output::Stdout).
    #[serde(skip)]
    pub pem: Option<String>,
    /// The saved file's path exactly (bytes that are not UTF-8 included), for a hook.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// A fetch's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FetchStatus {
    /// Written (a new file, a replacement, or stdout).
    Saved,
    /// The destination already held exactly the pinned certificates.
    Unchanged,
}

impl FetchReport {
    /// Always 0: a fetch that fails returns an [`Error`](crate::Error).
    pub fn exit_code(&self) -> u8 {
        crate::error::exit::OK
    }
}

/// The report on `certs` (each with its source) saved at `path`, with the warnings about
/// the certificates and about the file.
pub(super) fn report(
    status: FetchStatus,
    path: Option<&Path>,
    certs: &[(&Certificate, &str)],
    format: TrustFormat,
) -> FetchReport {
    let now = SystemTime::now();
    let mut warnings: Vec<Warning> = certs
        .iter()
        .flat_map(|(c, _)| crate::anchor::warnings(c, now))
        .map(Warning::from)
        .collect();
    if let Some(path) = path
        && libpq_default_file().is_some_and(|default| path == default)
    {
        warnings.push(Warning::from(format!(
            "{} is the file libpq reads when sslrootcert is not set: while it exists, \
             sslmode=require verifies the server certificate (like verify-ca) for every server \
             this user connects to",
            path_text(path)
        )));
    }
    if let Some(path) = path {
        warnings.extend(crate::owners::others_can_change(path));
    }
    FetchReport {
        status,
        file: path.map(Path::to_path_buf),
        format,
        path: path.map(path_text),
        path_escaped: path.is_some_and(|p| p.to_str().is_none()),
        certificates: certs.iter().map(|(c, s)| CertSummary::new(c, s)).collect(),
        warnings,
        connect: path
            .filter(|_| format == TrustFormat::Pem)
            .map(|p| ConnectLines::for_file(&path_text(p))),
        java: path
            .filter(|_| format == TrustFormat::Pkcs12)
            .map(|p| JavaLines::for_truststore(&path_text(p))),
        pem: None,
    }
}

//! `rootcert inspect`: what certificates a file, stdin or URL holds, and whose they are.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::catalog;
use crate::cert::{Certificate, SelfSignature};
use crate::download::{Downloader, NetOptions};
use crate::error::{Attempt, Error};
use crate::libpq::{self, Format, TrustFile};
use crate::parse::{parse_certificates, parse_local};
use crate::quote::path_text;
use crate::read::{MAX_FILE_BYTES, read_file, read_stdin};

/// Where to read certificates from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input, read within the timeout.
    Stdin,
    /// A local file (a regular file of at most 1 MiB).
    File(PathBuf),
    /// An http(s) URL, downloaded with fetch's limits and never saved.
    Url(String),
}

impl Source {
    fn label(&self) -> String {
        match self {
            Source::Stdin => "-".to_string(),
            Source::File(path) => path_text(path),
            Source::Url(url) => crate::quote::url_text(url),
        }
    }
}

/// What `rootcert inspect` reads.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// The sources, in order.
    pub sources: Vec<Source>,
    /// Download limits and trust (also the deadline for standard input).
    pub net: NetOptions,
    /// Hears retries of a download.
    pub notes: Option<crate::Listener>,
}

/// Every certificate of every source; as JSON, one array.
#[derive(Debug, Serialize)]
#[serde(transparent)]
#[non_exhaustive]
pub struct InspectReport {
    /// In source order, each source's certificates in file order.
    pub certificates: Vec<CertDetails>,
}

impl InspectReport {
    /// Always 0: a source without a certificate is an [`Error`].
    pub fn exit_code(&self) -> u8 {
        crate::error::exit::OK
    }
}

/// One certificate, as `openssl x509` would print its fields, and whose it is.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct CertDetails {
    /// The file, `-`, or the URL it came from.
    pub source: String,
    /// RFC 2253, as `openssl x509 -nameopt RFC2253,-esc_msb` prints it.
    pub subject: String,
    /// RFC 2253.
    pub issuer: String,
    /// Upper-case hex, `-` before a negative serial.
    pub serial: String,
    /// RFC 3339.
    pub not_before: crate::Timestamp,
    /// RFC 3339.
    pub not_after: crate::Timestamp,
    /// Colon hex.
    pub sha256: crate::Fingerprint,
    /// Colon hex.
    pub sha1: String,
    /// Key type and size or curve.
    pub key: String,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// True when self-issued with a self-signature that verifies; null when self-issued
    /// with an algorithm rootcert cannot check.
    pub self_signed: Option<bool>,
    /// The catalog profile it belongs to.
    pub profile: Option<&'static str>,
    /// How the source is encoded: pem, der (or empty, other).
    pub format: Format,
    /// Whether libpq can load the source as `sslrootcert` (it reads only PEM).
    pub libpq_can_load: bool,
    /// Why libpq cannot load the source, with the fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub libpq_problem: Option<String>,
}

impl CertDetails {
    fn new(cert: &Certificate, source: &str, file: &TrustFile) -> Self {
        CertDetails {
            format: file.format,
            libpq_can_load: file.error.is_none(),
            libpq_problem: file.error.as_ref().map(|why| {
                format!(
                    "{why} (fix: {})",
                    libpq::trust_file_fix(source, "rootcert fetch PROFILE", file)
                )
            }),
            source: source.to_string(),
            subject: cert.subject(),
            issuer: cert.issuer(),
            serial: cert.serial_hex(),
            not_before: cert.not_before_timestamp(),
            not_after: cert.not_after_timestamp(),
            sha256: cert.sha256,
            sha1: cert.sha1_colon_hex(),
            key: cert.key_description(),
            is_ca: cert.is_ca(),
            self_signed: match crate::anchor::self_signature(cert) {
                SelfSignature::Valid => Some(true),
                SelfSignature::Invalid | SelfSignature::NotSelfIssued => Some(false),
                SelfSignature::Unchecked => None,
            },
            profile: catalog::profile_of(&cert.sha256).map(|p| p.name),
        }
    }
}

/// Reads every source and describes every certificate in it. Nothing is saved.
pub fn inspect(options: &InspectOptions) -> Result<InspectReport, Error> {
    let mut downloader: Option<Downloader> = None;
    let mut all = Vec::new();
    for source in &options.sources {
        let label = source.label();
        let bytes = read_source(source, &label, options, &mut downloader)?;
        let parsed = match source {
            Source::Url(_) => parse_certificates(&bytes),
            _ => parse_local(&bytes),
        };
        let certs = parsed.map_err(|error| Error::Content {
            message: format!("{label}: {error}"),
            attempts: vec![Attempt {
                source: label.clone(),
                error,
                hint: None,
                wrong_content: true,
            }],
        })?;
        let file = TrustFile::load(&bytes);
        all.extend(certs.iter().map(|c| CertDetails::new(c, &label, &file)));
    }
    Ok(InspectReport { certificates: all })
}

fn read_source(
    source: &Source,
    label: &str,
    options: &InspectOptions,
    downloader: &mut Option<Downloader>,
) -> Result<Vec<u8>, Error> {
    match source {
        Source::Stdin => read_stdin(MAX_FILE_BYTES, stdin_deadline(options)),
        Source::File(path) => read_file(path, MAX_FILE_BYTES).map_err(|e| Error::File(e.message)),
        Source::Url(url) => {
            let downloader = match downloader {
                Some(d) => d,
                None => downloader.insert(Downloader::new(&options.net)?),
            };
            let notes = options.notes.as_ref();
            downloader
                .get(url, &mut |msg| crate::listener::tell(notes, msg))
                .map_err(|failed| {
                    Error::SourceFailed(Attempt {
                        source: label.to_string(),
                        error: failed.message,
                        hint: failed.hint,
                        wrong_content: false,
                    })
                })
        }
    }
}

fn stdin_deadline(options: &InspectOptions) -> Duration {
    options.net.timeout
}

//! rootcert: download a database's TLS root certificate, verify it by its SHA-256 pin, and
//! save it as PEM that libpq's `sslrootcert` accepts, atomically and safely; then check
//! trust files and servers the way libpq would.
//!
//! Every command is a function from plain options to a typed report ([`fetch`],
//! [`verify`], [`inspect`], [`check`]); nothing here prints. The `rootcert` binary renders
//! the reports as text or JSON (the JSON is the report serialised).
//!
//! ```
//! # // The OS trust store as the only source: no network.
//! # let bundle = std::path::Path::new("/etc/ssl/certs/ca-certificates.crt");
//! # if !bundle.exists() { return Ok(()); }
//! # unsafe { std::env::set_var("SSL_CERT_FILE", bundle) };
//! use rootcert::{FetchOptions, FetchStatus, NetOptions, Output, VerifyOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("root.crt");
//! let report = rootcert::fetch(&FetchOptions {
//!     out: Output::Path(path.clone()),
//!     use_network: false, // --offline: the OS trust store only
//!     ..FetchOptions::default()
//! })?;
//! assert_eq!(report.status, FetchStatus::Saved);
//!
//! let verified = rootcert::verify(&VerifyOptions {
//!     profiles: vec!["digicert-global-root-g2".into()],
//!     pins: Vec::new(),
//!     path,
//!     min_days: Some(30),
//! })?;
//! assert_eq!(verified.exit_code(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs, unreachable_pub)]

mod builtin;
pub mod catalog;
mod cert;
mod check;
mod dn;
mod download;
mod error;
mod fetch;
mod fingerprint;
mod inspect;
pub mod libpq;
mod oid;
mod owners;
mod parse;
mod read;
mod save;
mod system_store;
mod text;
mod time;
mod verify;

pub use cert::{Cert as Certificate, SelfSignature};
pub use check::{
    CertReport, CheckOptions, CheckOutcome, CheckReport, Client, ClientSetting, Protocol,
    TargetText, Verdict, check, read_targets_file,
};
pub use download::NetOptions;
pub use error::{Attempt, Error, exit};
pub use fetch::{FetchOptions, FetchReport, FetchStatus, Output, fetch, libpq_default_file};
pub use fingerprint::Fingerprint;
pub use inspect::{CertDetails, InspectOptions, InspectReport, Source, inspect};
pub use parse::parse_certificates;
pub use save::Permissions;
pub use text::{CertSummary, ConnectLines};
pub use verify::{HeldCert, MissingCert, VerifyOptions, VerifyReport, VerifyStatus, verify};

/// Internals the fuzz targets and the oracle tests drive directly; not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::download::parse_retry_after;
    pub use crate::parse::parse_local;

    /// The keyword/value settings rootcert reads from a libpq connection string (URI or
    /// keyword/value), for comparing with libpq's `PQconninfoParse`.
    pub fn connection_settings(
        raw: &str,
    ) -> Result<std::collections::HashMap<String, String>, String> {
        crate::check::connection_settings(raw)
    }

    /// A target as `check` shows it when it parses, or its error when it does not.
    pub fn parse_target(raw: &str) -> Result<String, String> {
        crate::check::parse_for_fuzzing(raw)
    }

    /// Whether a connection-string keyword holds a secret (shown as `****`).
    pub fn is_secret(keyword: &str) -> bool {
        crate::check::is_secret(keyword)
    }

    /// `check` as if every server had sent `chain` (DER, server certificate first).
    pub fn check_offline(
        options: &crate::CheckOptions,
        chain: &[Vec<u8>],
    ) -> Result<Vec<crate::CheckOutcome>, crate::Error> {
        crate::check::check_offline(options, chain)
    }

    /// `check`'s exchange with a server that answers with these bytes.
    pub fn check_reply(reply: &[u8]) {
        crate::check::protocol::replay(reply);
    }
}

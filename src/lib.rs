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

mod anchor;
mod builtin;
pub mod catalog;
mod cert;
mod check;
mod dn;
mod download;
mod driver;
mod error;
mod fetch;
mod fingerprint;
mod hint;
mod inspect;
pub mod libpq;
mod listener;
mod oid;
mod owners;
mod parse;
mod pkcs12;
mod platform;
mod quote;
mod read;
mod save;
mod stack;
mod system_store;
mod time;
mod tlv;
mod verify;

pub use anchor::self_signature;
pub use cert::{Certificate, SelfSignature};
pub use check::{
    CertReport, CheckOptions, CheckOutcome, CheckReport, ClientSetting, ClientVerdict,
    DEFAULT_JOBS, DEFAULT_PER_SERVER, Differing, FleetSummary, Protocol, RootServed, TargetText,
    Verdict, check, fleet_summary, read_targets_file,
};
pub use download::NetOptions;
pub use driver::Driver;
pub use error::{Attempt, Error, exit};
pub use fetch::CertSummary;
pub use fetch::{
    FetchOptions, FetchReport, FetchStatus, Output, TrustFormat, fetch, libpq_default_file,
};
pub use fingerprint::Fingerprint;
pub use hint::{Hint, Setting, Warning, Wording, Words};
pub use inspect::{CertDetails, InspectOptions, InspectReport, Source, inspect};
pub use libpq::Cause;
pub use listener::Listener;
pub use parse::parse_certificates;
pub use quote::{ConnectLines, JavaLines, one_line};

/// What rootcert calls a target it will not show: `postgresql://****` (the scheme of a URL
/// it knows, everything after it masked), "a URL", "a keyword/value string" or "a target".
pub fn target_label(raw: &str) -> String {
    check::connstr::redact::label(raw)
}
pub use save::{Permissions, replace_file};
pub use time::Timestamp;
pub use verify::{HeldCert, MissingCert, VerifyOptions, VerifyReport, VerifyStatus, verify};

/// What the `rootcert` binary needs from the OS; not a stable API.
#[doc(hidden)]
pub mod os {
    pub use crate::platform::shell_command;
    pub use crate::read::MAX_FILE_BYTES;

    /// A regular file of at most `limit` bytes; a FIFO or a device is refused, never
    /// waited on. The error names the path and the problem.
    pub fn read_regular_file(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, String> {
        crate::read::read_file(path, limit).map_err(|e| e.message)
    }
}

/// Internals the fuzz targets and the oracle tests drive directly; not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::download::parse_retry_after;
    pub use crate::parse::parse_local;

    /// The warnings `fetch` and `verify` print about a trust anchor.
    pub fn anchor_warnings(cert: &crate::Certificate, now: std::time::SystemTime) -> Vec<String> {
        crate::anchor::warnings(cert, now)
    }

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

    /// How `driver` judges a chain (DER, server certificate first) against a trust file's
    /// bytes for `host` (`None`: the chain only, as verify-ca): `Ok` with the rules that
    /// let it through, or `Err` with its problems.
    pub fn judge_as(
        driver: crate::Driver,
        chain: &[Vec<u8>],
        trust: &[u8],
        host: Option<&str>,
        now: std::time::SystemTime,
    ) -> Result<Vec<String>, Vec<String>> {
        let chain: Vec<crate::cert::Certificate> = chain
            .iter()
            .map(|der| crate::cert::Certificate::from_der(der))
            .collect::<Result<_, _>>()
            .map_err(|e| vec![format!("the chain does not parse: {e}")])?;
        let trust = crate::stack::load(driver.stack(), trust);
        let verdict = crate::stack::judge(
            driver.stack(),
            &crate::libpq::Case {
                chain: &chain,
                trust: &trust,
                trust_name: "the trust file",
                host: host.unwrap_or_default(),
                now,
                names: host.map_or(crate::libpq::NameRule::None, |_| driver.names()),
                client: driver.in_words(),
            },
        );
        if verdict.ok {
            Ok(verdict.notes)
        } else {
            Err(verdict.problems)
        }
    }

    /// A PKCS#12 file read as `fetch --format pkcs12` and `verify` read it: an error or
    /// its certificates, never a panic; a Java truststore written from them reads back as
    /// the same certificates, each trusted.
    pub fn pkcs12_round_trip(bytes: &[u8]) {
        crate::pkcs12::round_trip(bytes);
    }

    /// `check`'s exchange with a server that answers with these bytes.
    pub fn check_reply(reply: &[u8]) {
        crate::check::protocol::replay(reply);
    }
}

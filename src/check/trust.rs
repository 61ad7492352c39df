//! The roots `check` trusts: a `--ca` file, a file a string names, catalog profiles (from
//! their fetched file or the OS store), or a stack's default store. A file keeps its bytes,
//! so that each driver's stack loads it its own way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CheckOptions;
use super::reading::{Roots, Store};
use crate::catalog::{default_destination, resolve_profiles};
use crate::cert::Certificate;
use crate::error::Error;
use crate::libpq::{Format, TrustFile};
use crate::parse::parse_certificates;
use crate::quote::path_text;
use crate::read::{MAX_FILE_BYTES, read_file};
use crate::stack::Stack;
use crate::system_store::SystemStore;

/// Where the trusted roots came from, for the report and the psql line.
#[derive(Clone)]
pub(super) struct Trust {
    /// The roots as OpenSSL (libpq) would load them from `file`.
    pub(super) roots: TrustFile,
    /// The file's bytes, for the other stacks' loaders; `None` for a store or profiles.
    pub(super) bytes: Option<Arc<Vec<u8>>>,
    /// The file to name in `sslrootcert`, and how to get it when it is not there yet.
    pub(super) file: PathBuf,
    pub(super) fetch_first: Option<String>,
    pub(super) described: String,
    /// The roots are the TLS library's default store (`sslrootcert=system`).
    pub(super) system: bool,
}

/// The roots to trust: `--ca PATH`, the named profiles (from their fetched files or the OS
/// store, by pin), or the default fetched file.
pub(super) fn load_trust(options: &CheckOptions) -> Result<Trust, Error> {
    if options.profiles.is_empty() {
        let file = match &options.ca {
            Some(path) => path.clone(),
            None => default_destination(&resolve_profiles(&[])?)?,
        };
        let bytes = read_file(&file, MAX_FILE_BYTES).map_err(|e| {
            Error::Usage(format!("{e}: cannot read the roots to trust"))
                .with_hint(crate::hint::Hint::GiveRoots)
        })?;
        return Ok(from_bytes(&file, &bytes));
    }
    let profiles = resolve_profiles(&options.profiles)?;
    let file = default_destination(&profiles)?;
    let pins: Vec<_> = profiles
        .iter()
        .flat_map(|p| p.certs.iter())
        .map(|c| c.pin())
        .collect();
    let fetched = read_file(&file, MAX_FILE_BYTES)
        .ok()
        .and_then(|b| parse_certificates(&b).ok())
        .unwrap_or_default();
    let mut store: Option<SystemStore> = None;
    let mut roots: Vec<Certificate> = Vec::new();
    for pin in &pins {
        let found = fetched
            .iter()
            .find(|c| c.sha256 == *pin)
            .cloned()
            .or_else(|| {
                store
                    .get_or_insert_with(|| SystemStore::load(&pins))
                    .find(pin)
                    .cloned()
            });
        match found {
            Some(cert) if roots.iter().all(|r| r.sha256 != cert.sha256) => roots.push(cert),
            Some(_) => {}
            None => {
                return Err(Error::Usage(format!(
                    "no local copy of the root pinned as {pin}: run `rootcert fetch {}` first",
                    options.profiles.join(" ")
                )));
            }
        }
    }
    let holds_all = pins.iter().all(|p| fetched.iter().any(|c| c.sha256 == *p));
    let fetch_first =
        (!holds_all).then(|| format!("rootcert fetch {}", options.profiles.join(" ")));
    let described = format!("profile {}", options.profiles.join(", "));
    Ok(Trust {
        roots: TrustFile {
            format: Format::Pem,
            certs: roots,
            error: None,
            holds_private_key: false,
            left_out: Vec::new(),
        },
        bytes: None,
        file,
        fetch_first,
        described,
        system: false,
    })
}

fn from_bytes(file: &Path, bytes: &[u8]) -> Trust {
    // psql is told the file by path, and may run elsewhere: name it absolutely.
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let roots = TrustFile::load(bytes);
    let described = match &roots.error {
        Some(_) => format!(
            "{} ({}, which libpq cannot load)",
            path_text(&file),
            roots.format.as_str()
        ),
        None => format!(
            "{} ({} certificate{})",
            path_text(&file),
            roots.certs.len(),
            if roots.certs.len() == 1 { "" } else { "s" }
        ),
    };
    Trust {
        roots,
        bytes: Some(Arc::new(bytes.to_vec())),
        file,
        fetch_first: None,
        described,
        system: false,
    }
}

impl Trust {
    /// The roots as `stack` loads them.
    pub(super) fn loaded(&self, stack: Stack) -> TrustFile {
        match &self.bytes {
            Some(bytes) if stack != Stack::OpenSsl => crate::stack::load(stack, bytes),
            _ => self.roots.clone(),
        }
    }
}

/// The file a connection string names (or its client's default file); `None` when it
/// does not exist, which libpq reports before it connects.
pub(super) fn file_trust(path: &Path) -> Result<Option<Trust>, Error> {
    match read_file(path, MAX_FILE_BYTES) {
        Ok(bytes) => Ok(Some(from_bytes(path, &bytes))),
        Err(_) if !path.exists() => Ok(None),
        Err(e) => Err(Error::Usage(format!("{e}: cannot read the trust file"))),
    }
}

/// The TLS library's default store: `SSL_CERT_FILE`/`SSL_CERT_DIR`, else the system
/// bundle, as OpenSSL's default verify paths load it.
pub(super) fn system_trust() -> Trust {
    let store = SystemStore::load(&[]);
    let certs = store.all();
    let described = format!(
        "the system store ({}, {} certificates)",
        store.location,
        certs.len()
    );
    Trust {
        roots: TrustFile {
            format: Format::Pem,
            error: certs
                .is_empty()
                .then(|| "the system store holds no certificate".into()),
            certs,
            holds_private_key: false,
            left_out: Vec::new(),
        },
        bytes: None,
        file: PathBuf::from("system"),
        fetch_first: None,
        described,
        system: true,
    }
}

/// Roots the targets of one run share: what the user gave, and the default stores, each
/// read once however many targets use it.
pub(super) struct SharedRoots<'a> {
    pub(super) given: Option<&'a Trust>,
    pub(super) system: std::sync::OnceLock<Trust>,
    pub(super) psycopg_wheel: std::sync::OnceLock<Trust>,
    pub(super) node: std::sync::OnceLock<Trust>,
}

/// The roots a driver's reading names.
pub(super) fn trust_for(roots: &Roots, shared: &SharedRoots<'_>) -> Result<Trust, Error> {
    match roots {
        Roots::Given => shared
            .given
            .cloned()
            .ok_or_else(|| Error::Internal("roots not loaded".into())),
        Roots::File { path, named_by } => {
            Ok(file_trust(path)?.unwrap_or_else(|| missing_file(path, named_by)))
        }
        Roots::Store(Store::PsycopgWheel) => Ok(shared
            .psycopg_wheel
            .get_or_init(psycopg_wheel_trust)
            .clone()),
        Roots::Store(Store::Node) => Ok(shared
            .node
            .get_or_init(|| node_trust(shared.system.get_or_init(system_trust)))
            .clone()),
        Roots::Store(_) => Ok(shared.system.get_or_init(system_trust).clone()),
    }
}

/// Node's default roots: its bundled Mozilla roots (read as the system bundle, which
/// Debian takes from Mozilla too) plus the certificates of `NODE_EXTRA_CA_CERTS`, which
/// Node adds at start (a file it cannot read adds nothing, with a warning).
fn node_trust(system: &Trust) -> Trust {
    let mut trust = system.clone();
    let Some(extra) = std::env::var_os("NODE_EXTRA_CA_CERTS").filter(|v| !v.is_empty()) else {
        return trust;
    };
    let extra = PathBuf::from(extra);
    if let Ok(bytes) = read_file(&extra, MAX_FILE_BYTES) {
        let added = TrustFile::load(&bytes).certs;
        trust.described = format!(
            "Node's roots ({} certificates, {} of them from NODE_EXTRA_CA_CERTS={})",
            trust.roots.certs.len() + added.len(),
            added.len(),
            path_text(&extra)
        );
        trust.roots.certs.extend(added);
        trust.roots.error = None;
    }
    trust
}

/// No roots, for a driver that refuses its settings before it would load any.
pub(super) fn unused() -> Trust {
    no_roots(
        PathBuf::new(),
        "the client refuses its settings before it loads roots".into(),
        "nothing (the client refuses its settings first)".into(),
    )
}

/// psycopg's binary wheel: its OpenSSL's default paths are under `/usr/lib/psycopg-openssl`,
/// which Debian lacks, so only `SSL_CERT_FILE`/`SSL_CERT_DIR` give it roots.
fn psycopg_wheel_trust() -> Trust {
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("SSL_CERT_FILE") || set("SSL_CERT_DIR") {
        return system_trust();
    }
    no_roots(
        PathBuf::from("system"),
        "psycopg's bundled OpenSSL looks for roots in /usr/lib/psycopg-openssl, which this \
         system lacks, so sslrootcert=system trusts nothing: set SSL_CERT_FILE (or name a \
         file)"
            .into(),
        "the system store as psycopg's wheel reads it (empty)".into(),
    )
}

/// A trust file the client would not find: it fails before connecting.
fn missing_file(path: &std::path::Path, named_by: &str) -> Trust {
    no_roots(
        std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        format!("the file does not exist (named by {named_by})"),
        format!("{} (missing)", path_text(path)),
    )
}

/// Roots the client would not have, and why.
fn no_roots(file: PathBuf, why: String, described: String) -> Trust {
    Trust {
        roots: TrustFile {
            format: Format::Empty,
            certs: Vec::new(),
            error: Some(why),
            holds_private_key: false,
            left_out: Vec::new(),
        },
        bytes: None,
        file,
        fetch_first: None,
        described,
        system: false,
    }
}

//! The roots `check` trusts: a `--ca` file as libpq would load it, or catalog profiles
//! from their fetched file or the OS store.

use std::path::{Path, PathBuf};

use super::CheckOptions;
use super::target::{ClientKind, Roots, Target};
use crate::catalog::{default_destination, resolve_profiles};
use crate::cert::Cert;
use crate::error::Error;
use crate::libpq::{Format, TrustFile};
use crate::parse::parse_certificates;
use crate::read::{MAX_FILE_BYTES, read_file};
use crate::system_store::SystemStore;
use crate::text::path_text;

/// Where the trusted roots came from, for the report and the psql line.
#[derive(Clone)]
pub(super) struct Trust {
    /// The roots as libpq would load them from `file`.
    pub(super) roots: TrustFile,
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
            Error::Usage(format!(
                "{e}: cannot read the roots to trust. Pass --ca PATH or a profile, or run `rootcert fetch` first"
            ))
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
    let mut roots: Vec<Cert> = Vec::new();
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
        },
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
        file,
        fetch_first: None,
        described,
        system: false,
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
        },
        file: PathBuf::from("system"),
        fetch_first: None,
        described,
        system: true,
    }
}

/// libpq's default `sslrootcert`: `~/.postgresql/root.crt`.
pub(super) fn libpq_default_root() -> Option<PathBuf> {
    crate::fetch::libpq_default_file()
}

/// Roots the targets of one run share: what the user gave, and the system store, read
/// once however many targets use it.
pub(super) struct SharedRoots<'a> {
    pub(super) given: Option<&'a Trust>,
    pub(super) system: std::sync::OnceLock<Trust>,
}

/// The roots a target is judged against.
pub(super) fn trust_for(
    target: &Target,
    shared: &SharedRoots<'_>,
    user_roots: bool,
) -> Result<Trust, Error> {
    let given = || {
        shared
            .given
            .cloned()
            .ok_or_else(|| Error::Internal("roots not loaded".into()))
    };
    let system = || Ok(shared.system.get_or_init(system_trust).clone());
    let file = |path: PathBuf, named_by: &str| -> Result<Trust, Error> {
        Ok(file_trust(&path)?.unwrap_or_else(|| missing_file(&path, named_by)))
    };
    match &target.roots {
        Roots::Given => given(),
        Roots::ClientDefault if user_roots => given(),
        Roots::File { path, named_by } => file(path.clone(), named_by),
        Roots::System => system(),
        Roots::ClientDefault => match target.client {
            ClientKind::Libpq | ClientKind::Pgjdbc => match libpq_default_root() {
                Some(path) => file(path, "the default sslrootcert"),
                None => Err(Error::Usage(
                    "no home directory for libpq's default sslrootcert: pass --ca".into(),
                )),
            },
            ClientKind::Mariadb => system(),
            _ => Ok(no_roots(
                PathBuf::from("ssl-ca"),
                "no ssl-ca: the mysql client needs one for VERIFY_CA and VERIFY_IDENTITY".into(),
                "no ssl-ca".into(),
            )),
        },
    }
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
        },
        file,
        fetch_first: None,
        described,
        system: false,
    }
}

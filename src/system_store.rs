//! The OS trust store as a source: certificates are picked by fingerprint only, so whatever
//! else the store holds never reaches a trust file.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::cert::Certificate;
use crate::fingerprint::Fingerprint;
use crate::quote::path_text;
use crate::read::{MAX_FILE_BYTES, MAX_STORE_BYTES, read_file};

/// The store's certificates and where they were read (for the `system:` source label).
pub(crate) struct SystemStore {
    pub location: String,
    certs: Vec<Certificate>,
    pub errors: Vec<String>,
}

impl SystemStore {
    /// Reads the store: `SSL_CERT_FILE`/`SSL_CERT_DIR` when set, else the platform's usual
    /// bundle, then its directory only if the bundle lacks a wanted certificate.
    pub(crate) fn load(wanted: &[Fingerprint]) -> SystemStore {
        let mut store = SystemStore {
            location: String::new(),
            certs: Vec::new(),
            errors: Vec::new(),
        };
        for location in locations() {
            store.add(&location.label, location.load());
            if wanted.iter().all(|pin| store.find(pin).is_some()) {
                break;
            }
        }
        store
    }

    fn add(&mut self, label: &str, (certs, errors): Loaded) {
        if !self.location.is_empty() {
            self.location.push(',');
        }
        self.location.push_str(label);
        self.errors.extend(errors);
        self.certs.extend(
            certs
                .iter()
                .filter_map(|der| Certificate::from_der(der).ok()),
        );
    }

    pub(crate) fn source(&self) -> String {
        format!("system:{}", self.location)
    }

    /// Every certificate read, for trusting the whole store.
    pub(crate) fn all(&self) -> Vec<Certificate> {
        self.certs.clone()
    }

    pub(crate) fn find(&self, pin: &Fingerprint) -> Option<&Certificate> {
        self.certs.iter().find(|c| c.sha256 == *pin)
    }
}

/// One place the store is read from, with its label for the `system:` source.
struct Location {
    label: String,
    file: Option<std::path::PathBuf>,
    dir: Option<std::path::PathBuf>,
}

/// Certificates read from a location, and what could not be read.
type Loaded = (Vec<CertificateDer<'static>>, Vec<String>);

impl Location {
    /// Reads the bundle or the directory's files with rootcert's own bounded reads: only
    /// regular files, none larger than the limit, never blocking on a FIFO or a device
    /// (`SSL_CERT_FILE=/dev/zero` is refused, not read until memory runs out).
    fn load(&self) -> Loaded {
        let mut loaded: Loaded = (Vec::new(), Vec::new());
        if self.file.is_none() && self.dir.is_none() {
            let result = rustls_native_certs::load_native_certs();
            loaded.0 = result.certs;
            loaded.1 = result.errors.iter().map(|e| e.to_string()).collect();
            return loaded;
        }
        if let Some(file) = &self.file {
            read_pem_file(file, MAX_STORE_BYTES, &mut loaded);
        }
        if let Some(dir) = &self.dir {
            match std::fs::read_dir(dir) {
                Ok(entries) => {
                    for entry in entries.flatten() {
                        // Subdirectories and other non-files are not part of the store.
                        if entry
                            .file_type()
                            .is_ok_and(|t| t.is_file() || t.is_symlink())
                        {
                            read_pem_file(&entry.path(), MAX_FILE_BYTES, &mut loaded);
                        }
                    }
                }
                Err(e) => loaded
                    .1
                    .push(format!("cannot read {}: {e}", path_text(dir))),
            }
        }
        loaded
    }
}

fn read_pem_file(path: &std::path::Path, limit: u64, loaded: &mut Loaded) {
    match read_file(path, limit) {
        Ok(bytes) => {
            for cert in CertificateDer::pem_slice_iter(&bytes) {
                match cert {
                    Ok(cert) => loaded.0.push(cert.into_owned()),
                    Err(e) => {
                        loaded.1.push(format!("{}: {e}", path_text(path)));
                        break;
                    }
                }
            }
        }
        Err(e) => loaded.1.push(e.message),
    }
}

/// The OS store's roots, for trusting a download's TLS: the same locations and bounded
/// reads as the store used as a source, bundle first; the directory (hundreds of files,
/// the same certificates on Debian) only when the bundle yields nothing.
pub(crate) fn native_roots() -> Loaded {
    let mut all: Loaded = (Vec::new(), Vec::new());
    for location in locations() {
        let (certs, errors) = location.load();
        all.0.extend(certs);
        all.1.extend(errors);
        if !all.0.is_empty() {
            break;
        }
    }
    all
}

/// Where the store is read, as the platform says.
fn locations() -> Vec<Location> {
    crate::platform::store_locations()
        .into_iter()
        .map(|l| Location {
            label: l.label,
            file: l.file,
            dir: l.dir,
        })
        .collect()
}

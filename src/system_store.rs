//! The OS trust store as a source: certificates are picked by fingerprint only, so whatever
//! else the store holds never reaches a trust file.

use crate::cert::Cert;
use crate::fingerprint::Fingerprint;

/// The store's certificates and where they were read (for the `system:` source label).
pub struct SystemStore {
    pub location: String,
    certs: Vec<Cert>,
    pub errors: Vec<String>,
}

impl SystemStore {
    /// Reads the store: `SSL_CERT_FILE`/`SSL_CERT_DIR` when set, else the platform's usual
    /// bundle, then its directory only if the bundle lacks a wanted certificate.
    pub fn load(wanted: &[Fingerprint]) -> SystemStore {
        let mut store = SystemStore {
            location: String::new(),
            certs: Vec::new(),
            errors: Vec::new(),
        };
        for (location, result) in candidates() {
            store.add(location, result());
            if wanted.iter().all(|pin| store.find(pin).is_some()) {
                break;
            }
        }
        store
    }

    fn add(&mut self, location: String, result: rustls_native_certs::CertificateResult) {
        if !self.location.is_empty() {
            self.location.push(',');
        }
        self.location.push_str(&location);
        self.errors
            .extend(result.errors.iter().map(|e| e.to_string()));
        self.certs.extend(
            result
                .certs
                .iter()
                .filter_map(|der| Cert::from_der(der).ok()),
        );
    }

    pub fn source(&self) -> String {
        format!("system:{}", self.location)
    }

    pub fn find(&self, pin: &Fingerprint) -> Option<&Cert> {
        self.certs.iter().find(|c| c.sha256 == *pin)
    }
}

type Loader = Box<dyn FnOnce() -> rustls_native_certs::CertificateResult>;

#[cfg(all(unix, not(target_os = "macos")))]
fn candidates() -> Vec<(String, Loader)> {
    use std::path::PathBuf;
    let env_file = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    let env_dir = std::env::var_os("SSL_CERT_DIR").map(PathBuf::from);
    let (file, dir) = if env_file.is_some() || env_dir.is_some() {
        (env_file, env_dir)
    } else {
        let probe = openssl_probe::probe();
        (probe.cert_file, probe.cert_dir.into_iter().next())
    };
    let mut out: Vec<(String, Loader)> = Vec::new();
    if let Some(file) = file {
        let location = file.display().to_string();
        out.push((
            location,
            Box::new(move || rustls_native_certs::load_certs_from_paths(Some(&file), None)),
        ));
    }
    if let Some(dir) = dir {
        let location = dir.display().to_string();
        out.push((
            location,
            Box::new(move || rustls_native_certs::load_certs_from_paths(None, Some(&dir))),
        ));
    }
    out
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn candidates() -> Vec<(String, Loader)> {
    let name = if cfg!(target_os = "macos") {
        "macOS keychain"
    } else {
        "Windows certificate store"
    };
    vec![(
        name.to_string(),
        Box::new(rustls_native_certs::load_native_certs),
    )]
}

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
        for location in locations() {
            store.add(&location.label, location.load());
            if wanted.iter().all(|pin| store.find(pin).is_some()) {
                break;
            }
        }
        store
    }

    fn add(&mut self, label: &str, result: rustls_native_certs::CertificateResult) {
        if !self.location.is_empty() {
            self.location.push(',');
        }
        self.location.push_str(label);
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

/// One place the store is read from, with its label for the `system:` source.
struct Location {
    label: String,
    file: Option<std::path::PathBuf>,
    dir: Option<std::path::PathBuf>,
}

impl Location {
    fn load(&self) -> rustls_native_certs::CertificateResult {
        if self.file.is_none() && self.dir.is_none() {
            return rustls_native_certs::load_native_certs();
        }
        rustls_native_certs::load_certs_from_paths(self.file.as_deref(), self.dir.as_deref())
    }
}

/// `SSL_CERT_FILE`/`SSL_CERT_DIR` when set, else the bundle and directory OpenSSL would use,
/// bundle first: it is one read, the directory many.
#[cfg(all(unix, not(target_os = "macos")))]
fn locations() -> Vec<Location> {
    use std::path::PathBuf;
    let env_file = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    let env_dir = std::env::var_os("SSL_CERT_DIR").map(PathBuf::from);
    let (file, dir) = if env_file.is_some() || env_dir.is_some() {
        (env_file, env_dir)
    } else {
        let probe = openssl_probe::probe();
        (probe.cert_file, probe.cert_dir.into_iter().next())
    };
    let file = file.map(|f| Location {
        label: f.display().to_string(),
        file: Some(f),
        dir: None,
    });
    let dir = dir.map(|d| Location {
        label: d.display().to_string(),
        file: None,
        dir: Some(d),
    });
    file.into_iter().chain(dir).collect()
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn locations() -> Vec<Location> {
    let label = if cfg!(target_os = "macos") {
        "macOS keychain"
    } else {
        "Windows certificate store"
    };
    vec![Location {
        label: label.to_string(),
        file: None,
        dir: None,
    }]
}

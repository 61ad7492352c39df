//! The kinds of trust file `fetch` writes (PEM, a Java PKCS#12 truststore): their names,
//! their bytes, and whether a file already is one.

use serde::Serialize;

use crate::cert::Certificate;
use crate::libpq::TrustFile;
use crate::parse::parse_certificates;

/// The kind of file `fetch` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustFormat {
    /// PEM: libpq's `sslrootcert`, and what most clients read.
    #[default]
    Pem,
    /// A PKCS#12 truststore for Java (`javax.net.ssl.trustStore`): every certificate a
    /// trusted entry, no password (see `pkcs12.rs` for why and what Java 17 does with it).
    Pkcs12,
}

impl TrustFormat {
    /// As people read it.
    pub fn as_str(self) -> &'static str {
        match self {
            TrustFormat::Pem => "PEM",
            TrustFormat::Pkcs12 => "PKCS#12 truststore",
        }
    }

    /// The file name for this format, from the PEM one the catalog publishes
    /// (`DigiCertGlobalRootG2.crt.pem` becomes `DigiCertGlobalRootG2.p12`).
    pub(super) fn file_name(self, pem_name: String) -> String {
        match self {
            TrustFormat::Pem => pem_name,
            TrustFormat::Pkcs12 => {
                let stem = [".crt.pem", ".pem", ".crt"]
                    .iter()
                    .find_map(|suffix| pem_name.strip_suffix(suffix))
                    .unwrap_or(&pem_name);
                format!("{stem}.p12")
            }
        }
    }

    pub(super) fn extension(self) -> &'static str {
        match self {
            TrustFormat::Pem => "pem",
            TrustFormat::Pkcs12 => "p12",
        }
    }

    /// The file holding `certs` in this format.
    pub(super) fn encode(self, certs: &[&Certificate]) -> Vec<u8> {
        match self {
            TrustFormat::Pem => certs
                .iter()
                .map(|c| c.to_pem())
                .collect::<String>()
                .into_bytes(),
            TrustFormat::Pkcs12 => {
                let names: Vec<String> = certs.iter().map(|c| c.display_name()).collect();
                let entries: Vec<(&Certificate, &str)> = certs
                    .iter()
                    .zip(&names)
                    .map(|(c, n)| (*c, n.as_str()))
                    .collect();
                crate::pkcs12::truststore(&entries)
            }
        }
    }

    /// Whether `bytes` are a file of this format that its readers load whole: PEM that libpq
    /// loads, or a truststore Java reads as trusted entries only.
    pub(super) fn loads(self, bytes: &[u8]) -> bool {
        match self {
            TrustFormat::Pem => TrustFile::load(bytes).error.is_none(),
            TrustFormat::Pkcs12 => {
                crate::pkcs12::read(bytes).is_ok_and(|store| store.is_java_truststore())
            }
        }
    }
}

/// The certificates a file holds: PEM or DER, or the readable entries of a PKCS#12 file.
pub(super) fn held_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, String> {
    if crate::pkcs12::looks_like_pfx(bytes) {
        let store = crate::pkcs12::read(bytes)?;
        if store.entries.is_empty() && store.encrypted_parts > 0 {
            return Err("a PKCS#12 file whose certificates are encrypted".to_string());
        }
        return Ok(store.certs());
    }
    parse_certificates(bytes)
}

//! How libpq loads `sslrootcert`: `SSL_CTX_load_verify_locations(file)`, which reads the
//! file with OpenSSL's PEM reader (`PEM_X509_INFO_read_bio`) and nothing else:
//!
//! - Only PEM: a DER file holds no `-----BEGIN` line and fails with "no certificate or crl
//!   found", as does an empty file or one with no certificate or CRL block.
//! - Lines outside PEM blocks are skipped (text before, between and after blocks); a UTF-8
//!   BOM on the first line is skipped; CRLF line ends and trailing white space are fine.
//! - `CERTIFICATE`, `X509 CERTIFICATE` and `TRUSTED CERTIFICATE` blocks become trusted
//!   certificates; `X509 CRL` blocks count as loaded but trust nothing; any
//!   `... PRIVATE KEY` block must decode as a key and is then ignored; blocks with any
//!   other label are skipped.
//! - One block that does not decode (bad base64, a certificate that does not parse, no
//!   END line) fails the whole file, even after good blocks.

use crate::cert::{Cert, read_tlv};

/// What a file looks like, for messages and `inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// PEM text (with a `-----BEGIN` line).
    Pem,
    /// Binary DER.
    Der,
    /// Nothing, or only white space.
    Empty,
    /// Anything else.
    Other,
}

impl Format {
    /// As people read it: `PEM`, `DER`, `empty`, `neither PEM nor DER`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pem => "PEM",
            Format::Der => "DER",
            Format::Empty => "empty",
            Format::Other => "neither PEM nor DER",
        }
    }
}

/// The file as libpq would load it.
#[derive(Clone)]
pub struct TrustFile {
    /// How the file looks.
    pub format: Format,
    /// The certificates libpq trusts from it (empty when it cannot load the file).
    pub certs: Vec<Cert>,
    /// Why libpq cannot load it, in the words of a fix.
    pub error: Option<String>,
    /// It holds a private key: a fix must never suggest overwriting it.
    pub holds_private_key: bool,
}

impl TrustFile {
    /// Loads `bytes` by libpq's (OpenSSL's) rules.
    pub fn load(bytes: &[u8]) -> TrustFile {
        let format = detect(bytes);
        let holds_private_key = bytes.windows(11).any(|w| w == b"PRIVATE KEY");
        match read_pem(bytes) {
            Ok(certs) => TrustFile {
                format,
                certs,
                error: None,
                holds_private_key,
            },
            Err(error) => TrustFile {
                format,
                holds_private_key,
                certs: Vec::new(),
                error: Some(match format {
                    Format::Der => "it is DER (binary); libpq reads only PEM".to_string(),
                    Format::Empty => "it is empty".to_string(),
                    _ => error,
                }),
            },
        }
    }
}

fn detect(bytes: &[u8]) -> Format {
    let trimmed = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .trim_ascii();
    if trimmed.is_empty() {
        Format::Empty
    } else if find(trimmed, b"-----BEGIN ").is_some() {
        Format::Pem
    } else if matches!(read_tlv(trimmed), Some((0x30, _, _))) {
        Format::Der
    } else {
        Format::Other
    }
}

/// `PEM_X509_INFO_read_bio` followed by the count check of `X509_load_cert_crl_file`.
fn read_pem(bytes: &[u8]) -> Result<Vec<Cert>, String> {
    let mut certs = Vec::new();
    let mut loaded = 0;
    let mut lines = bytes.split(|&b| b == b'\n').enumerate().map(|(i, line)| {
        let line = if i == 0 {
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
        } else {
            line
        };
        line.trim_ascii_end()
    });
    let mut block_number = 0;
    while let Some(line) = lines.next() {
        let Some(label) = begin_label(line) else {
            continue;
        };
        block_number += 1;
        let end = format!("-----END {}-----", String::from_utf8_lossy(label));
        let mut headers = false;
        let mut body = Vec::new();
        let mut ended = false;
        for line in lines.by_ref() {
            if line == end.as_bytes() {
                ended = true;
                break;
            }
            if line.starts_with(b"-----END ") {
                break;
            }
            if line.contains(&b':') && body.is_empty() {
                headers = true;
                continue;
            }
            body.extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
        }
        let label = String::from_utf8_lossy(label).into_owned();
        let what = format!("PEM block {block_number} ({label})");
        if !ended {
            return Err(format!(
                "{what} has no matching END line (the file is cut short?)"
            ));
        }
        let is_cert = matches!(
            label.as_str(),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
        );
        let is_key = label.ends_with("PRIVATE KEY");
        if !(is_cert || is_key || label == "X509 CRL") {
            continue;
        }
        // Encrypted keys are kept as they are, not decoded.
        if is_key && (label == "ENCRYPTED PRIVATE KEY" || headers) {
            continue;
        }
        let der = base64_decode(&body).ok_or_else(|| format!("{what} is not valid base64"))?;
        // d2i reads the first DER object and ignores what follows it.
        let first = match read_tlv(&der) {
            Some((0x30, len, _)) => &der[..len],
            _ => return Err(format!("{what} does not hold DER data")),
        };
        if is_cert {
            let cert = Cert::from_der(first)
                .map_err(|e| format!("{what} is not a valid certificate ({e})"))?;
            certs.push(cert);
            loaded += 1;
        } else if label == "X509 CRL" {
            loaded += 1;
        }
    }
    if loaded == 0 {
        return Err("it holds no PEM certificate (no certificate or CRL found)".to_string());
    }
    Ok(certs)
}

fn begin_label(line: &[u8]) -> Option<&[u8]> {
    line.strip_prefix(b"-----BEGIN ")?.strip_suffix(b"-----")
}

fn base64_decode(body: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const G2_PEM: &str = include_str!("../../fixtures/DigiCertGlobalRootG2.crt.pem");

    fn g2_der() -> Vec<u8> {
        pem::parse(G2_PEM).unwrap().into_contents()
    }

    #[test]
    fn loads_what_libpq_loads() {
        for text in [
            G2_PEM.to_string(),
            G2_PEM.replace('\n', "\r\n"),
            format!("\u{feff}{G2_PEM}"),
            format!("notes\n{G2_PEM}\nmore notes\n"),
            format!("{G2_PEM}-----BEGIN UNKNOWN-----\nAAAA\n-----END UNKNOWN-----\n"),
        ] {
            let file = TrustFile::load(text.as_bytes());
            assert_eq!(file.error, None, "{text}");
            assert_eq!(file.certs.len(), 1);
            assert_eq!(file.format, Format::Pem);
        }
    }

    #[test]
    fn refuses_what_libpq_refuses() {
        let der = TrustFile::load(&g2_der());
        assert_eq!(der.format, Format::Der);
        assert!(der.error.unwrap().contains("DER"));
        assert_eq!(TrustFile::load(b"").format, Format::Empty);
        assert!(TrustFile::load(b"hello\n").error.is_some());
        let corrupt =
            format!("{G2_PEM}-----BEGIN CERTIFICATE-----\nAA!A\n-----END CERTIFICATE-----\n");
        assert!(
            TrustFile::load(corrupt.as_bytes())
                .error
                .unwrap()
                .contains("block 2")
        );
        let cut = &G2_PEM[..G2_PEM.len() / 2];
        assert!(
            TrustFile::load(cut.as_bytes())
                .error
                .unwrap()
                .contains("END line")
        );
        let key = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
        assert!(
            TrustFile::load(key.as_bytes())
                .error
                .unwrap()
                .contains("no PEM certificate")
        );
    }
}

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

use crate::cert::{Certificate, read_tlv};

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
    pub certs: Vec<Certificate>,
    /// Why libpq cannot load it, in the words of a fix.
    pub error: Option<String>,
    /// It holds a private key: a fix must never suggest overwriting it.
    pub holds_private_key: bool,
    /// Certificates of the file that anchor nothing (trust settings that exclude TLS
    /// servers), and where a stack's reader stopped early (Node, at the first block it
    /// cannot read), each as a sentence.
    pub left_out: Vec<String>,
}

impl TrustFile {
    /// Loads `bytes` by libpq's (OpenSSL's) rules.
    pub fn load(bytes: &[u8]) -> TrustFile {
        let format = detect(bytes);
        let holds_private_key = bytes.windows(11).any(|w| w == b"PRIVATE KEY");
        match read_pem(bytes) {
            Ok((certs, left_out)) => TrustFile {
                format,
                certs,
                error: None,
                holds_private_key,
                left_out,
            },
            Err(error) => TrustFile {
                format,
                holds_private_key,
                left_out: Vec::new(),
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

pub(crate) fn detect(bytes: &[u8]) -> Format {
    let trimmed = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .trim_ascii();
    if trimmed.is_empty() {
        Format::Empty
    } else if find(trimmed, b"-----BEGIN ").is_some() {
        Format::Pem
    } else if [bytes, trimmed]
        .iter()
        .any(|b| matches!(read_tlv(b), Some((0x30, _, _))))
    {
        // Untrimmed first: a signature may end in a byte that looks like white space.
        Format::Der
    } else {
        Format::Other
    }
}

/// `PEM_X509_INFO_read_bio` followed by the count check of `X509_load_cert_crl_file`, and
/// `X509_STORE_add_cert` (the first of two identical certificates stays): the certificates
/// trusted for TLS servers, and why others are not.
fn read_pem(bytes: &[u8]) -> Result<(Vec<Certificate>, Vec<String>), String> {
    let mut store = Store::default();
    let mut loaded = 0;
    for block in PemBlocks::new(bytes) {
        let what = block.what();
        if !block.ended {
            return Err(format!(
                "{what} has no matching END line (the file is cut short?)"
            ));
        }
        // PEM_read_bio decodes every block, whatever its label.
        let der = block
            .decode()
            .ok_or_else(|| format!("{what} is not valid base64"))?;
        let label = block.label.as_str();
        let is_cert = block.is_certificate();
        let is_key = label.ends_with("PRIVATE KEY");
        if !(is_cert || is_key || label == "X509 CRL") {
            continue;
        }
        // Encrypted keys are kept as they are, not decoded.
        if is_key && (label == "ENCRYPTED PRIVATE KEY" || block.headers) {
            continue;
        }
        // PEM_get_EVP_CIPHER_INFO takes only an encryption header, and there is no password.
        if block.headers {
            return Err(format!("{what} has header lines"));
        }
        if label == "TRUSTED CERTIFICATE" {
            // d2i_X509_AUX: trust settings may follow the certificate.
            let (cert, aux) = read_x509_aux(&der).map_err(|why| format!("{what} {why}"))?;
            store.add(&what, cert, aux);
            loaded += 1;
            continue;
        }
        // d2i reads the first DER object and ignores what follows it.
        let first = match read_tlv(&der) {
            Some((0x30, len, _)) => &der[..len],
            _ => return Err(format!("{what} does not hold DER data")),
        };
        if is_cert {
            let cert = Certificate::from_der(first)
                .map_err(|e| format!("{what} is not a valid certificate ({e})"))?;
            store.add(&what, cert, None);
            loaded += 1;
        } else if label == "X509 CRL" {
            loaded += 1;
        }
    }
    if loaded == 0 {
        return Err("it holds no PEM certificate (no certificate or CRL found)".to_string());
    }
    Ok((store.trusted, store.left_out))
}

/// An `X509_STORE` as certificates are added: the first of two identical ones stays, and
/// one whose trust settings exclude TLS servers anchors nothing (`obj_trust`: "certificate
/// rejected").
#[derive(Default)]
pub(crate) struct Store {
    pub(crate) trusted: Vec<Certificate>,
    pub(crate) left_out: Vec<String>,
    added: Vec<Vec<u8>>,
}

impl Store {
    pub(crate) fn add(&mut self, what: &str, cert: Certificate, aux: Option<Aux>) {
        if self.added.iter().any(|d| d == cert.der()) {
            return;
        }
        self.added.push(cert.der().to_vec());
        if aux.as_ref().is_some_and(|a| !a.admits_tls_servers()) {
            self.left_out.push(format!(
                "{what}, {}, carries trust settings that exclude TLS servers",
                cert.subject()
            ));
        } else {
            self.trusted.push(cert);
        }
    }
}

/// serverAuth (1.3.6.1.5.5.7.3.1) and anyExtendedKeyUsage (2.5.29.37.0), DER-encoded.
const SERVER_AUTH: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const ANY_EKU: &[u8] = &[0x06, 0x04, 0x55, 0x1d, 0x25, 0x00];

/// `d2i_X509_AUX`: the certificate, then trust settings in any bytes after it; `Err` says
/// what is wrong with the block ("does not hold DER data").
pub(crate) fn read_x509_aux(der: &[u8]) -> Result<(Certificate, Option<Aux>), String> {
    let len = match read_tlv(der) {
        Some((0x30, len, _)) => len,
        _ => return Err("does not hold DER data".into()),
    };
    let cert = Certificate::from_der(&der[..len])
        .map_err(|e| format!("is not a valid certificate ({e})"))?;
    let rest = &der[len..];
    if rest.is_empty() {
        return Ok((cert, None));
    }
    let aux = Aux::read(rest).ok_or_else(|| {
        format!(
            "holds {} bytes after the certificate's DER that are not OpenSSL trust settings",
            rest.len()
        )
    })?;
    Ok((cert, Some(aux)))
}

/// OpenSSL's `X509_CERT_AUX`: `SEQUENCE { trust SEQUENCE OF OID OPTIONAL, reject [0]
/// SEQUENCE OF OID OPTIONAL, alias UTF8String OPTIONAL, keyid OCTET STRING OPTIONAL, other
/// [1] SEQUENCE OF AlgorithmIdentifier OPTIONAL }`, as far as trust needs it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Aux {
    trust: Option<Vec<Vec<u8>>>,
    reject: Vec<Vec<u8>>,
}

impl Aux {
    /// Reads the first DER object of `bytes` (d2i ignores what follows it).
    fn read(bytes: &[u8]) -> Option<Aux> {
        let (0x30, _, mut body) = read_tlv(bytes)? else {
            return None;
        };
        let mut aux = Aux::default();
        // Each field at most once, in this order.
        let order = [0x30, 0xa0, 0x0c, 0x04, 0xa1];
        let mut next_field = 0;
        while !body.is_empty() {
            let (tag, len, value) = read_tlv(body)?;
            let at = order[next_field..].iter().position(|&t| t == tag)? + next_field;
            next_field = at + 1;
            match tag {
                0x30 => aux.trust = Some(oids(value)?),
                0xa0 => aux.reject = oids(value)?,
                _ => {}
            }
            body = &body[len..];
        }
        Some(aux)
    }

    /// `obj_trust` for `X509_TRUST_SSL_SERVER` (x509_trust.c): a rejected serverAuth (or any
    /// EKU) refuses; a trust list admits only with serverAuth (or any EKU) in it; without
    /// either list, a self-signed certificate is trusted as usual.
    fn admits_tls_servers(&self) -> bool {
        let tls = |oid: &Vec<u8>| oid == SERVER_AUTH || oid == ANY_EKU;
        !self.reject.iter().any(tls) && self.trust.as_ref().is_none_or(|t| t.iter().any(tls))
    }
}

/// A `SEQUENCE OF OBJECT IDENTIFIER`'s contents, each OID with its header.
fn oids(mut body: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut all = Vec::new();
    while !body.is_empty() {
        let (0x06, len, _) = read_tlv(body)? else {
            return None;
        };
        all.push(body[..len].to_vec());
        body = &body[len..];
    }
    Some(all)
}

/// One `-----BEGIN …-----` block as OpenSSL's PEM reader (`PEM_read_bio_ex`) sees it.
pub(crate) struct PemBlock {
    /// 1 for the file's first block.
    pub(crate) number: usize,
    pub(crate) label: String,
    /// It has RFC 1421 header lines (`Proc-Type: …`).
    pub(crate) headers: bool,
    /// The base64 text, white space removed.
    body: Vec<u8>,
    /// Its END line was found and names the same label.
    pub(crate) ended: bool,
}

impl PemBlock {
    /// "PEM block 2 (CERTIFICATE)", for messages: the label up to its first control
    /// character (a file with CR-only line ends is one long line), at most 40 characters.
    pub(crate) fn what(&self) -> String {
        let printable: String = self
            .label
            .chars()
            .take_while(|c| !c.is_control())
            .take(40)
            .collect();
        let cut = if printable.len() < self.label.len() {
            "…"
        } else {
            ""
        };
        format!("PEM block {} ({printable}{cut})", self.number)
    }

    /// A label OpenSSL reads a certificate from.
    pub(crate) fn is_certificate(&self) -> bool {
        matches!(
            self.label.as_str(),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
        )
    }

    /// The DER bytes, or `None` when the base64 does not decode.
    pub(crate) fn decode(&self) -> Option<Vec<u8>> {
        base64_decode(&self.body)
    }
}

type Lines<'a> = std::slice::Split<'a, u8, fn(&u8) -> bool>;

/// The PEM blocks of a file in order: lines outside blocks are skipped, a UTF-8 BOM on the
/// first line is ignored, trailing white space and CR are trimmed. A block without its END
/// line (`ended == false`) consumes what follows it up to a mismatched END line.
pub(crate) struct PemBlocks<'a> {
    lines: std::iter::Enumerate<Lines<'a>>,
    count: usize,
}

impl<'a> PemBlocks<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        let newline: fn(&u8) -> bool = |&b| b == b'\n';
        PemBlocks {
            lines: bytes.split(newline).enumerate(),
            count: 0,
        }
    }

    fn next_line(&mut self) -> Option<&'a [u8]> {
        let (i, line) = self.lines.next()?;
        let line = if i == 0 {
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
        } else {
            line
        };
        Some(line.trim_ascii_end())
    }
}

impl Iterator for PemBlocks<'_> {
    type Item = PemBlock;

    fn next(&mut self) -> Option<PemBlock> {
        let label = loop {
            if let Some(label) = begin_label(self.next_line()?) {
                break label;
            }
        };
        self.count += 1;
        let end = format!("-----END {}-----", String::from_utf8_lossy(label));
        let mut block = PemBlock {
            number: self.count,
            label: String::from_utf8_lossy(label).into_owned(),
            headers: false,
            body: Vec::new(),
            ended: false,
        };
        while let Some(line) = self.next_line() {
            if line == end.as_bytes() {
                block.ended = true;
                break;
            }
            if line.starts_with(b"-----END ") {
                break;
            }
            if line.contains(&b':') && block.body.is_empty() {
                block.headers = true;
                continue;
            }
            block
                .body
                .extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
        }
        Some(block)
    }
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
        let mut ends_in_space = g2_der();
        *ends_in_space.last_mut().unwrap() = b' ';
        assert_eq!(detect(&ends_in_space), Format::Der);
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
        // Every block is decoded, an unknown one too, before or after the root.
        let bad_unknown = "-----BEGIN FOO-----\n!!!!\n-----END FOO-----\n";
        for text in [
            format!("{bad_unknown}{G2_PEM}"),
            format!("{G2_PEM}{bad_unknown}"),
        ] {
            let error = TrustFile::load(text.as_bytes()).error.unwrap();
            assert!(error.contains("(FOO) is not valid base64"), "{error}");
        }
        // A certificate block with a header line that is not an encryption header.
        let header = G2_PEM.replacen("-----\n", "-----\nComment: a root\n\n", 1);
        assert!(
            TrustFile::load(header.as_bytes())
                .error
                .unwrap()
                .contains("header lines")
        );
        // CR-only line ends: one line, whose label is cut short in the message.
        let cr_only = G2_PEM.replace('\n', "\r");
        let error = TrustFile::load(cr_only.as_bytes()).error.unwrap();
        assert!(
            error.starts_with("PEM block 1 (CERTIFICATE-----…)"),
            "{error}"
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

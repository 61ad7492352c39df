//! How Node reads `ca` (node-postgres's `sslrootcert`, mysql2's `ssl.ca`):
//! `SecureContext::AddCACert` (src/crypto/crypto_context.cc) loops
//! `PEM_read_bio_X509_AUX` over the bytes and adds each certificate to the context's store;
//! the first read that fails ends the loop, and its error is cleared. So:
//!
//! - Every PEM block is read and its base64 decoded in turn, whatever its label; a block
//!   without its END line or with bad base64 ends the loop. Blocks not labelled
//!   `CERTIFICATE`, `X509 CERTIFICATE` or `TRUSTED CERTIFICATE` are skipped after that.
//! - A certificate block with header lines ends the loop (`PEM_get_EVP_CIPHER_INFO` accepts
//!   only an encrypted block, and there is no password).
//! - `d2i_X509_AUX` reads the certificate, then any bytes after its DER as OpenSSL's trust
//!   settings (`X509_CERT_AUX`): bytes that are not end the loop.
//! - What was read before the loop ended is kept: nothing fails at load time. A file from
//!   which nothing is read fails at the handshake ("unable to get local issuer
//!   certificate").
//! - `X509_STORE_add_cert` keeps the first of two identical certificates; trust settings that
//!   do not admit TLS servers make that certificate unusable (`obj_trust` in x509_trust.c).
//!
//! Measured: matrix cases 20-36, and the extra files in this module's tests (Node 20.20.2).

use crate::cert::{Cert, read_tlv};
use crate::libpq::TrustFile;
use crate::libpq::trust_file::{Format, PemBlocks, detect};

/// serverAuth (1.3.6.1.5.5.7.3.1) and anyExtendedKeyUsage (2.5.29.37.0), DER-encoded.
const SERVER_AUTH: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const ANY_EKU: &[u8] = &[0x06, 0x04, 0x55, 0x1d, 0x25, 0x00];

/// The trust file as Node's `ca` option reads it.
pub(crate) fn load(bytes: &[u8]) -> TrustFile {
    let format = detect(bytes);
    let mut certs: Vec<Cert> = Vec::new();
    let mut left_out = Vec::new();
    // DER of every certificate added to the store, the unusable ones too.
    let mut added: Vec<Vec<u8>> = Vec::new();
    let mut stopped = None;
    for block in PemBlocks::new(bytes) {
        let what = block.what();
        let Some(der) = block.ended.then(|| block.decode()).flatten() else {
            stopped = Some(format!(
                "{what} {}",
                if block.ended {
                    "is not valid base64"
                } else {
                    "has no matching END line"
                }
            ));
            break;
        };
        if !block.is_certificate() {
            continue;
        }
        if block.headers {
            stopped = Some(format!("{what} has header lines"));
            break;
        }
        let (cert, aux) = match read_x509_aux(&der) {
            Ok(read) => read,
            Err(why) => {
                stopped = Some(format!("{what} {why}"));
                break;
            }
        };
        if added.iter().any(|d| d == cert.der()) {
            continue;
        }
        added.push(cert.der().to_vec());
        match aux.as_ref().map(Aux::admits_tls_servers) {
            Some(false) => left_out.push(format!(
                "{what}, {}: its trust settings (TRUSTED CERTIFICATE) do not admit TLS servers",
                cert.subject()
            )),
            _ => certs.push(cert),
        }
    }
    if let Some(why) = &stopped {
        left_out.push(format!(
            "Node stops reading at {why}; nothing from there on is trusted"
        ));
    }
    let error = certs.is_empty().then(|| match format {
        Format::Der => "it is DER (binary); Node reads only PEM".to_string(),
        Format::Empty => "it is empty".to_string(),
        _ if !left_out.is_empty() => left_out.join("; "),
        _ => "it holds no PEM certificate (Node reads CERTIFICATE blocks only)".to_string(),
    });
    TrustFile {
        format,
        certs,
        error,
        holds_private_key: bytes.windows(11).any(|w| w == b"PRIVATE KEY"),
        left_out,
    }
}

/// `d2i_X509_AUX`: the certificate, then trust settings in any bytes after it.
fn read_x509_aux(der: &[u8]) -> Result<(Cert, Option<Aux>), String> {
    let len = match read_tlv(der) {
        Some((0x30, len, _)) => len,
        _ => return Err("does not hold DER data".into()),
    };
    let cert =
        Cert::from_der(&der[..len]).map_err(|e| format!("is not a valid certificate ({e})"))?;
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
struct Aux {
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
        // Each field at most once, in order.
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

    /// `obj_trust` for `X509_TRUST_SSL_SERVER`: a rejected serverAuth (or any EKU) refuses;
    /// a trust list admits only with serverAuth (or any EKU) in it; no list, compat trust.
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

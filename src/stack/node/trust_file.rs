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

use crate::cert::read_tlv;
use crate::libpq::TrustFile;
use crate::libpq::trust_file::{Format, PemBlocks, Store, detect, read_x509_aux};

/// How a stop compares with OpenSSL's file loader (libpq, Python, the mariadb client).
pub(crate) const OPENSSL_REFUSES: &str = "libpq and the mariadb client refuse the whole file";
const OPENSSL_READS_ON: &str = "libpq and the mariadb client ignore those bytes and read on";

/// The trust file as Node's `ca` option reads it.
pub(crate) fn load(bytes: &[u8]) -> TrustFile {
    let format = detect(bytes);
    let mut store = Store::default();
    let mut stopped = None;
    for block in PemBlocks::new(bytes) {
        let what = block.what();
        let Some(der) = block.ended.then(|| block.decode()).flatten() else {
            let why = if block.ended {
                "is not valid base64"
            } else {
                "has no matching END line"
            };
            stopped = Some((format!("{what}, which {why}"), false));
            break;
        };
        if !block.is_certificate() {
            continue;
        }
        if block.headers {
            stopped = Some((format!("{what}, which has header lines"), false));
            break;
        }
        match read_x509_aux(&der) {
            Ok((cert, aux)) => store.add(&what, cert, aux),
            Err(why) => {
                // d2i_X509, which OpenSSL's file loader uses for these labels, ignores
                // trailing bytes.
                let reads_on = block.label != "TRUSTED CERTIFICATE"
                    && read_tlv(&der).is_some_and(|(_, len, _)| {
                        crate::cert::Cert::from_der(&der[..len]).is_ok()
                    });
                stopped = Some((format!("{what}, which {why}"), reads_on));
                break;
            }
        }
    }
    let mut left_out = store.left_out;
    if let Some((why, openssl_reads_on)) = &stopped {
        let openssl = if *openssl_reads_on {
            OPENSSL_READS_ON
        } else {
            OPENSSL_REFUSES
        };
        left_out.push(format!(
            "Node stops reading at {why}, and trusts nothing from there on ({openssl})"
        ));
    }
    let certs = store.trusted;
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

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
                        crate::cert::Certificate::from_der(&der[..len]).is_ok()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::Certificate;
    use crate::stack::testing::{Ca, block, with_aux};

    /// OpenSSL trust settings (`X509_CERT_AUX`), as `openssl x509 -trustout` writes them.
    const TRUST_CLIENT_AUTH: &[u8] = &[
        0x30, 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
    ];
    const TRUST_SERVER_AUTH: &[u8] = &[
        0x30, 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
    ];
    const REJECT_SERVER_AUTH: &[u8] = &[
        0x30, 0x0c, 0xa0, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
    ];
    const TRUST_ANY_EKU: &[u8] = &[0x30, 0x08, 0x30, 0x06, 0x06, 0x04, 0x55, 0x1d, 0x25, 0x00];
    const ALIAS_ONLY: &[u8] = &[0x30, 0x04, 0x0c, 0x02, b'd', b'b'];

    fn subjects(file: &TrustFile) -> Vec<String> {
        file.certs.iter().map(Certificate::subject).collect()
    }

    // Each file below was also given to Node 20.20.2 as `tls.connect({ca})` against a server
    // whose chain ends at the root: the comments say what Node did.

    #[test]
    fn node_keeps_what_it_read_before_a_block_it_cannot_read() {
        let root = Ca::new("Root");
        let other = Ca::new("Other");
        let bad_unknown = "-----BEGIN FOO-----\n!!!!\n-----END FOO-----\n";
        let bad_key = "-----BEGIN PRIVATE KEY-----\nAA!A\n-----END PRIVATE KEY-----\n";
        let truncated = "-----BEGIN CERTIFICATE-----\nMIIB\n";
        // Before the root: nothing trusted (refused); after it: the root stays (authorized).
        for broken in [bad_unknown, bad_key] {
            let file = load(format!("{broken}{}", root.pem()).as_bytes());
            assert!(file.certs.is_empty());
            assert!(
                file.error
                    .unwrap()
                    .starts_with("Node stops reading at PEM block 1")
            );
        }
        for broken in [
            bad_unknown,
            truncated,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ] {
            let file = load(format!("{}{broken}{}", root.pem(), other.pem()).as_bytes());
            assert_eq!(subjects(&file), ["CN=Root"], "{broken}");
            assert_eq!(file.error, None);
            assert!(file.left_out[0].contains("block 2"), "{:?}", file.left_out);
            assert!(file.left_out[0].contains(OPENSSL_REFUSES));
        }
        // A valid block of another kind is skipped (authorized).
        let unknown = "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n";
        assert_eq!(
            subjects(&load(format!("{unknown}{}", root.pem()).as_bytes())),
            ["CN=Root"]
        );
    }

    #[test]
    fn bytes_after_the_der_stop_node_where_openssl_reads_on() {
        let root = Ca::new("Root");
        let other = Ca::new("Other");
        let trailing = block("CERTIFICATE", &with_aux(&other.der(), b"trailing"));
        let text = format!("{trailing}{}", root.pem());
        let node = load(text.as_bytes());
        assert!(node.certs.is_empty(), "the loop ends there: refused");
        assert!(
            node.error
                .unwrap()
                .contains("8 bytes after the certificate's DER")
        );
        let openssl = TrustFile::load(text.as_bytes());
        assert_eq!(subjects(&openssl), ["CN=Other", "CN=Root"]);
        // Root first: kept, and the note says OpenSSL would have read on.
        let node = load(format!("{}{trailing}", root.pem()).as_bytes());
        assert_eq!(subjects(&node), ["CN=Root"]);
        assert!(node.left_out[0].contains("ignore those bytes and read on"));
    }

    #[test]
    fn trust_settings_decide_whether_a_certificate_anchors() {
        let root = Ca::new("Root");
        let trusted = |aux: &[u8], label: &str| {
            let file = load(block(label, &with_aux(&root.der(), aux)).as_bytes());
            !file.certs.is_empty()
        };
        // Node: authorized with serverAuth, any EKU or no list; INVALID_PURPOSE otherwise.
        assert!(trusted(TRUST_SERVER_AUTH, "TRUSTED CERTIFICATE"));
        assert!(trusted(TRUST_ANY_EKU, "TRUSTED CERTIFICATE"));
        assert!(trusted(ALIAS_ONLY, "TRUSTED CERTIFICATE"));
        assert!(!trusted(TRUST_CLIENT_AUTH, "TRUSTED CERTIFICATE"));
        assert!(!trusted(REJECT_SERVER_AUTH, "TRUSTED CERTIFICATE"));
        // d2i_X509_AUX reads them whatever the label.
        assert!(!trusted(TRUST_CLIENT_AUTH, "CERTIFICATE"));
        // The store keeps the first of two copies: refused, then authorized.
        let client_only = block(
            "TRUSTED CERTIFICATE",
            &with_aux(&root.der(), TRUST_CLIENT_AUTH),
        );
        let first_refuses = load(format!("{client_only}{}", root.pem()).as_bytes());
        assert!(first_refuses.certs.is_empty());
        assert!(first_refuses.left_out[0].contains("exclude TLS servers"));
        let first_trusts = load(format!("{}{client_only}", root.pem()).as_bytes());
        assert_eq!(subjects(&first_trusts), ["CN=Root"]);
        // OpenSSL's file loader honours them for TRUSTED CERTIFICATE blocks only (Python 3.11:
        // "certificate rejected"; a plain block with the same bytes connects).
        let openssl = |label: &str| {
            TrustFile::load(block(label, &with_aux(&root.der(), TRUST_CLIENT_AUTH)).as_bytes())
        };
        assert!(openssl("TRUSTED CERTIFICATE").certs.is_empty());
        assert_eq!(subjects(&openssl("CERTIFICATE")), ["CN=Root"]);
    }

    #[test]
    fn files_node_reads_nothing_from() {
        let root = Ca::new("Root");
        let pem = root.pem();
        let with_header = pem.replacen("-----\n", "-----\nComment: the root\n\n", 1);
        for (text, why) in [
            (root.der(), "DER"),
            (Vec::new(), "empty"),
            (b"\xEF\xBB\xBF".to_vec(), "empty"),
            (pem.replace('\n', "\r").into_bytes(), "no matching END line"),
            (
                pem.replace("-----BEGIN", "  -----BEGIN").into_bytes(),
                "no PEM certificate",
            ),
            (
                block("PKCS7", &root.der()).into_bytes(),
                "no PEM certificate",
            ),
            (with_header.into_bytes(), "header lines"),
            (
                pem.replace("END CERTIFICATE", "END X509 CERTIFICATE")
                    .into_bytes(),
                "no matching END line",
            ),
        ] {
            let file = load(&text);
            assert!(file.certs.is_empty(), "{why}");
            let error = file.error.unwrap();
            assert!(error.contains(why), "{why}: {error}");
        }
    }

    #[test]
    fn files_node_reads_like_openssl() {
        let root = Ca::new("Root");
        let pem = root.pem();
        let base64 = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(root.der())
        };
        let wide: Vec<String> = base64
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        for text in [
            format!("\u{feff}{}", pem.replace('\n', "\r\n")),
            format!("Subject: the root\n\n{pem}\nnotes\n"),
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                wide.join("\n")
            ),
            format!("-----BEGIN CERTIFICATE-----\n{base64}\n-----END CERTIFICATE-----   \n"),
            pem.replace("CERTIFICATE", "X509 CERTIFICATE"),
            format!("{pem}-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"),
        ] {
            let file = load(text.as_bytes());
            assert_eq!(subjects(&file), ["CN=Root"], "{text}");
            assert_eq!(file.error, None);
            assert!(file.left_out.is_empty());
        }
    }
}

//! pgx's `sslrootcert`: pgconn reads the file whole and gives it to Go's
//! `CertPool.AppendCertsFromPEM` (crypto/x509/cert_pool.go), which loops over
//! `pem.Decode` (encoding/pem/pem.go, Go 1.19):
//!
//! - A block starts only where `-----BEGIN ` opens the file or follows a `\n`: a UTF-8 BOM or
//!   indentation hides a block, and CR-only line ends hide every block but a first one,
//!   whose type line then never ends.
//! - A block with broken framing (no END line of its type, bad base64) is passed over and
//!   the search goes on after its BEGIN line; a BEGIN line with nothing after it ends the
//!   scan. Text between blocks is skipped.
//! - Only `CERTIFICATE` blocks without header lines count; a certificate `ParseCertificate`
//!   refuses (DER with trailing bytes included) is skipped silently.
//! - No certificate at all: pgconn fails with "unable to add CA to cert pool".
//! - Every certificate loaded is a trust anchor.

use super::cert::GoCert;
use crate::cert::{Certificate, read_tlv};
use crate::libpq::TrustFile;
use crate::libpq::trust_file::{Format, detect};

/// Go's error, then why, for [`fix`] to read.
pub(super) const UNABLE: &str = "unable to add CA to cert pool";
pub(super) const BOM: &str = "a UTF-8 byte-order mark";
pub(super) const CR_ONLY: &str = "CR-only line ends";
pub(super) const LABEL: &str = "not CERTIFICATE";
pub(super) const PKCS7: &str = "PKCS7";
/// Marks a block of `left_out` that makes libpq refuse the whole file: pgx is the lenient one.
pub(super) const LIBPQ_REFUSES: &str = "libpq refuses the whole file for it";
const TRAILING_DATA: &str = "x509: trailing data";

struct Block<'a> {
    label: &'a [u8],
    headers: bool,
    bytes: Vec<u8>,
}

/// `getLine`: up to `\n` (one `\r` before it dropped), trailing spaces and tabs trimmed.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (mut end, next) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (i, i + 1),
        None => (data.len(), data.len()),
    };
    if next > end && end > 0 && data[end - 1] == b'\r' {
        end -= 1;
    }
    let mut line = &data[..end];
    while let [head @ .., b' ' | b'\t'] = line {
        line = head;
    }
    (line, &data[next..])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `pem.Decode`: the next block and the input after it; None ends the scan. A certificate
/// block it passes over is told in `passed` (libpq refuses a file with such a block).
fn decode<'a>(data: &'a [u8], passed: &mut Vec<String>) -> Option<(Block<'a>, &'a [u8])> {
    const BEGIN: &[u8] = b"\n-----BEGIN ";
    const END: &[u8] = b"\n-----END ";
    let mut rest = data;
    let mut pass = |label: &[u8], why: &str| {
        let label = String::from_utf8_lossy(label);
        if label.contains("CERTIFICATE") {
            passed.push(format!("a {label} block {why} ({LIBPQ_REFUSES})"));
        }
    };
    loop {
        if rest.starts_with(&BEGIN[1..]) {
            rest = &rest[BEGIN.len() - 1..];
        } else {
            rest = &rest[find(rest, BEGIN)? + BEGIN.len()..];
        }
        let (type_line, after) = get_line(rest);
        rest = after;
        let Some(label) = type_line.strip_suffix(b"-----") else {
            let shown = type_line.split(|b| *b == b'-' || *b == b'\r').next();
            pass(shown.unwrap_or_default(), "whose BEGIN line does not end");
            continue;
        };
        let mut headers = false;
        loop {
            if rest.is_empty() {
                pass(label, "cut short");
                return None;
            }
            let (line, next) = get_line(rest);
            if !line.contains(&b':') {
                break;
            }
            headers = true;
            rest = next;
        }
        let (end_index, trailer_index) = if !headers && rest.starts_with(&END[1..]) {
            (0, END.len() - 1)
        } else {
            match find(rest, END) {
                Some(i) => (i, i + END.len()),
                None => {
                    pass(label, "without an END line");
                    continue;
                }
            }
        };
        let trailer = &rest[trailer_index..];
        let trailer_len = label.len() + 5;
        let (trailer, rest_of_end_line) = trailer.split_at(trailer_len.min(trailer.len()));
        if trailer.len() < trailer_len
            || !trailer.starts_with(label)
            || !trailer.ends_with(b"-----")
            || !get_line(rest_of_end_line).0.is_empty()
        {
            pass(label, "whose END line is not its own");
            continue;
        }
        let Some(bytes) = base64_decode(&rest[..end_index]) else {
            pass(label, "whose base64 does not decode");
            continue;
        };
        let (_, after) = get_line(&rest[end_index + END.len() - 1..]);
        return Some((
            Block {
                label,
                headers,
                bytes,
            },
            after,
        ));
    }
}

/// `base64.StdEncoding` after `removeSpacesAndTabs`: line ends ignored, padding required,
/// stray bits after the last character ignored.
fn base64_decode(body: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const GO_STD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    let clean: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    GO_STD.decode(clean).ok()
}

/// The trust file as pgx loads it; `left_out` tells the certificate blocks Go did not use.
pub(super) fn load(bytes: &[u8]) -> TrustFile {
    let format = detect(bytes);
    let holds_private_key = find(bytes, b"PRIVATE KEY").is_some();
    let mut certs: Vec<Certificate> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut left_out = unseen_begin_lines(bytes);
    let mut rest = bytes;
    let mut number = 0;
    while let Some((block, after)) = decode(rest, &mut left_out) {
        rest = after;
        number += 1;
        let label = String::from_utf8_lossy(block.label);
        let what = format!("PEM block {number} ({label})");
        let why = if block.label != b"CERTIFICATE" {
            format!("{what} is {LABEL}")
        } else if block.headers {
            format!("{what} has header lines")
        } else {
            let der = block.bytes;
            let parsed = match read_tlv(&der) {
                Some((_, len, _)) if len < der.len() => Err(TRAILING_DATA.to_string()),
                _ => Certificate::from_der(&der),
            };
            match parsed.and_then(|cert| match GoCert::of(&cert).parse_error {
                Some(why) => Err(why),
                None => Ok(cert),
            }) {
                Ok(cert) => {
                    if !certs.iter().any(|c| c.der() == cert.der()) {
                        certs.push(cert);
                    }
                    continue;
                }
                Err(why) if why == TRAILING_DATA => {
                    format!("{what} is not a certificate Go parses ({why})")
                }
                Err(why) => {
                    format!("{what} is not a certificate Go parses ({why}; {LIBPQ_REFUSES})")
                }
            }
        };
        if label.contains("CERTIFICATE") {
            left_out.push(why.clone());
        }
        skipped.push(why);
    }
    let error = certs
        .is_empty()
        .then(|| format!("{UNABLE}: {}", why_empty(bytes, format, &skipped)));
    TrustFile {
        format,
        certs,
        error,
        holds_private_key,
        left_out,
    }
}

/// `-----BEGIN` lines Go never sees: behind a byte-order mark, indented, after a lone CR.
fn unseen_begin_lines(bytes: &[u8]) -> Vec<String> {
    let mut unseen = Vec::new();
    let mut at = 0;
    while let Some(i) = find(&bytes[at..], b"-----BEGIN ") {
        let start = at + i;
        at = start + 1;
        if start == 0 || bytes[start - 1] == b'\n' {
            continue;
        }
        let label_end = bytes[start..]
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(bytes.len() - start);
        let line = String::from_utf8_lossy(&bytes[start..start + label_end.min(60)]);
        if !line.contains("CERTIFICATE") {
            continue;
        }
        let line = line.trim_end();
        unseen.push(if start == 3 && bytes.starts_with(b"\xEF\xBB\xBF") {
            format!("the first block, behind {BOM} Go does not skip")
        } else {
            format!("a {line} line that does not start a line of its own")
        });
    }
    unseen
}

/// Why Go found no certificate, for a person.
fn why_empty(bytes: &[u8], format: Format, skipped: &[String]) -> String {
    let begin = find(bytes, b"-----BEGIN ").is_some();
    if format == Format::Empty {
        return "the file is empty".into();
    }
    if format == Format::Der {
        return "it is DER (binary); Go reads only PEM".into();
    }
    if bytes.starts_with(b"\xEF\xBB\xBF-----BEGIN ") && skipped.is_empty() {
        return format!("{BOM} before the first -----BEGIN line hides that block from Go");
    }
    if begin && !bytes.contains(&b'\n') && bytes.contains(&b'\r') {
        return format!("{CR_ONLY}: Go's PEM reader needs \\n line ends");
    }
    if !skipped.is_empty() {
        let pkcs7 = skipped.iter().any(|s| s.contains(PKCS7));
        return format!(
            "Go takes only PEM CERTIFICATE blocks without headers: {}{}",
            skipped.join("; "),
            if pkcs7 { " (a PKCS#7 bundle)" } else { "" }
        );
    }
    if begin {
        "no -----BEGIN line starts a line of its own with a complete block after it".into()
    } else {
        "it holds no PEM block".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G2_PEM: &str = include_str!("../../../fixtures/DigiCertGlobalRootG2.crt.pem");

    fn count(text: &[u8]) -> usize {
        load(text).certs.len()
    }

    #[test]
    fn reads_what_go_reads() {
        let g2 = G2_PEM.as_bytes();
        assert_eq!(count(g2), 1);
        assert_eq!(count(G2_PEM.replace('\n', "\r\n").as_bytes()), 1);
        assert_eq!(count(format!("notes\n{G2_PEM}\nmore\n").as_bytes()), 1);
        let trailing_spaces =
            G2_PEM.replace("-----END CERTIFICATE-----", "-----END CERTIFICATE-----  ");
        assert_eq!(count(trailing_spaces.as_bytes()), 1);
        let body: String = G2_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
        let one_line = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
        assert_eq!(count(one_line.as_bytes()), 1);
        // A duplicate counts once.
        assert_eq!(count(format!("{G2_PEM}{G2_PEM}").as_bytes()), 1);
    }

    #[test]
    fn hides_what_go_hides() {
        for (text, why) in [
            (format!("\u{feff}{G2_PEM}"), BOM),
            (G2_PEM.replace('\n', "\r"), CR_ONLY),
            (G2_PEM.replace("CERTIFICATE", "TRUSTED CERTIFICATE"), LABEL),
            (G2_PEM.replace("CERTIFICATE", "X509 CERTIFICATE"), LABEL),
            (
                G2_PEM.replace("-----\n", "-----\nProc-Type: 4,ENCRYPTED\n\n"),
                "header lines",
            ),
            (format!("  {G2_PEM}"), "no -----BEGIN line"),
            (String::new(), "empty"),
            ("hello\n".into(), "no PEM block"),
        ] {
            let file = load(text.as_bytes());
            assert!(file.certs.is_empty(), "{text}");
            let error = file.error.expect("an error");
            assert!(error.starts_with(UNABLE) && error.contains(why), "{error}");
        }
        // The BOM hides only the first block.
        assert_eq!(count(format!("\u{feff}{G2_PEM}{G2_PEM}").as_bytes()), 1);
        // What Go passed over is told, certificate blocks only.
        for (text, told) in [
            (
                format!("  {G2_PEM}"),
                "line that does not start a line of its own",
            ),
            (G2_PEM.replace('\n', "\r"), "whose BEGIN line does not end"),
            (
                G2_PEM.replace("CERTIFICATE", "X509 CERTIFICATE"),
                "PEM block 1 (X509 CERTIFICATE) is not CERTIFICATE",
            ),
        ] {
            let left_out = load(text.as_bytes()).left_out.join("; ");
            assert!(left_out.contains(told), "{left_out}");
        }
        let key = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
        assert!(
            load(format!("{G2_PEM}{key}").as_bytes())
                .left_out
                .is_empty()
        );
    }

    #[test]
    fn skips_broken_blocks_and_keeps_the_rest() {
        let corrupt = "-----BEGIN CERTIFICATE-----\nAA!A\n-----END CERTIFICATE-----\n";
        assert_eq!(count(format!("{G2_PEM}{corrupt}").as_bytes()), 1);
        assert_eq!(count(format!("{corrupt}{G2_PEM}").as_bytes()), 1);
        let cut = &G2_PEM[..G2_PEM.len() / 2];
        assert_eq!(count(format!("{G2_PEM}{cut}").as_bytes()), 1);
        // An unfinished block before a good one: the search resumes after its BEGIN line.
        assert_eq!(count(format!("{cut}\n{G2_PEM}").as_bytes()), 1);
        // DER with bytes after it is refused ("x509: trailing data").
        let der = pem::parse(G2_PEM).unwrap().into_contents();
        let mut longer = der.clone();
        longer.extend_from_slice(&[0, 0]);
        let block = pem::encode(&pem::Pem::new("CERTIFICATE", longer));
        let file = load(block.as_bytes());
        assert!(file.error.unwrap().contains("trailing data"));
        // DER alone is not PEM.
        assert!(load(&der).error.unwrap().contains("DER"));
    }
}

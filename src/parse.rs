//! Turning whatever a server or a file delivered into certificates, accepting what OpenSSL
//! (and so libpq) accepts, and naming what arrived when it is not a certificate.

use crate::cert::{Certificate, read_tlv};

/// PEM labels OpenSSL reads as certificates.
const CERT_LABELS: [&str; 3] = ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];

/// Every certificate in `body`, PEM or DER, detected from the content.
///
/// The error says what arrived instead, in words a user can act on.
pub fn parse_certificates(body: &[u8]) -> Result<Vec<Certificate>, String> {
    parse(body, true)
}

/// [`parse_certificates`] for a local file: a description of what it holds instead never
/// quotes it (not even an HTML page's title), since the file may be anything.
pub fn parse_local(body: &[u8]) -> Result<Vec<Certificate>, String> {
    parse(body, false)
}

fn parse(body: &[u8], quote_titles: bool) -> Result<Vec<Certificate>, String> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let trimmed = text.trim_ascii();
    if trimmed.is_empty() {
        return Err(if body.is_empty() {
            "got an empty body, not a certificate".to_string()
        } else {
            "got only white space, not a certificate".to_string()
        });
    }
    if contains(trimmed, b"-----BEGIN ") {
        return parse_pem(text);
    }
    if trimmed[0] == 0x30 {
        return parse_der(body);
    }
    Err(describe_non_certificate(trimmed, quote_titles))
}

fn parse_pem(text: &[u8]) -> Result<Vec<Certificate>, String> {
    let blocks = pem::parse_many(text).map_err(|e| format!("got malformed PEM: {e}"))?;
    let begins = count(text, b"-----BEGIN ");
    if blocks.len() < begins {
        return Err(format!(
            "got truncated PEM: {} -----BEGIN line(s) but only {} complete block(s) \
             (the download was cut short?)",
            begins,
            blocks.len()
        ));
    }
    let mut certs = Vec::new();
    for block in &blocks {
        if !CERT_LABELS.contains(&block.tag()) {
            continue;
        }
        // A TRUSTED CERTIFICATE carries OpenSSL trust settings after the certificate.
        let der = match read_tlv(block.contents()) {
            Some((0x30, len, _)) if block.tag() == "TRUSTED CERTIFICATE" => {
                &block.contents()[..len]
            }
            _ => block.contents(),
        };
        let cert = Certificate::from_der(der).map_err(|e| {
            format!("got a PEM certificate block that is not a valid X.509 certificate ({e}): truncated or corrupted?")
        })?;
        certs.push(cert);
    }
    if certs.is_empty() {
        let labels: Vec<&str> = blocks.iter().map(|b| b.tag()).collect();
        return Err(format!(
            "got PEM holding {}, not a certificate",
            labels.join(", ")
        ));
    }
    Ok(certs)
}

fn parse_der(body: &[u8]) -> Result<Vec<Certificate>, String> {
    let mut rest = body;
    let mut certs = Vec::new();
    while !rest.trim_ascii().is_empty() {
        let Some((0x30, len, _)) = read_tlv(rest) else {
            return Err(if certs.is_empty() {
                format!(
                    "got truncated or corrupted DER: {} bytes that do not hold a complete \
                     certificate (the download was cut short?)",
                    body.len()
                )
            } else {
                "got DER certificates followed by bytes that are not a certificate".to_string()
            });
        };
        let cert = Certificate::from_der(&rest[..len])
            .map_err(|e| format!("got DER that is not a valid X.509 certificate ({e})"))?;
        certs.push(cert);
        rest = &rest[len..];
    }
    Ok(certs)
}

fn describe_non_certificate(trimmed: &[u8], quote_titles: bool) -> String {
    let lower: Vec<u8> = trimmed
        .iter()
        .take(4096)
        .map(u8::to_ascii_lowercase)
        .collect();
    if looks_like_html(trimmed) {
        let title = html_title(&lower, trimmed)
            .filter(|_| quote_titles)
            .map(|t| format!(" titled \"{t}\""))
            .unwrap_or_default();
        return format!(
            "got an HTML page{title}, not a certificate: a captive portal, proxy login or \
             error page?"
        );
    }
    if lower.starts_with(b"<") {
        return "got an XML document, not a certificate (a storage or CDN error message?)"
            .to_string();
    }
    if lower.starts_with(b"{") || lower.starts_with(b"[") {
        return "got a JSON document, not a certificate (an API error message?)".to_string();
    }
    if trimmed.starts_with(&[0x1f, 0x8b]) {
        return "got gzip-compressed data, not a certificate".to_string();
    }
    // Never quote the bytes: they may be any file a symlink pointed at.
    let kind = if trimmed
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        "text"
    } else {
        "binary data"
    };
    format!(
        "got {} bytes of {kind} that is neither PEM nor DER, not a certificate",
        trimmed.len()
    )
}

/// Whether `body` is an HTML page (a captive portal, a login or an error page).
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let lower: Vec<u8> = body
        .trim_ascii()
        .iter()
        .take(4096)
        .map(u8::to_ascii_lowercase)
        .collect();
    lower.starts_with(b"<!doctype html") || contains(&lower, b"<html")
}

fn html_title(lower: &[u8], original: &[u8]) -> Option<String> {
    let start = find(lower, b"<title>")? + b"<title>".len();
    let end = start + find(&lower[start..], b"</title>")?;
    let title = String::from_utf8_lossy(&original[start..end]);
    let title: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then(|| title.chars().take(80).collect())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const G2_PEM: &str = include_str!("../fixtures/DigiCertGlobalRootG2.crt.pem");
    const G2_SHA256: &str = "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";

    fn g2_der() -> Vec<u8> {
        pem::parse(G2_PEM).unwrap().into_contents()
    }

    fn only_g2(body: &[u8]) {
        let certs = parse_certificates(body).unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].sha256.to_string(), G2_SHA256);
    }

    fn error_of(body: &[u8]) -> String {
        match parse_certificates(body) {
            Ok(_) => panic!("parsed as a certificate"),
            Err(e) => e,
        }
    }

    #[test]
    fn accepts_what_openssl_accepts() {
        only_g2(G2_PEM.as_bytes());
        only_g2(&g2_der());
        only_g2(G2_PEM.replace('\n', "\r\n").as_bytes());
        only_g2(format!("\u{feff}{G2_PEM}").as_bytes());
        only_g2(format!("Subject: DigiCert\n\n{G2_PEM}\n   \n\n").as_bytes());
        only_g2(G2_PEM.replace("-----\n", "-----  \n").as_bytes());
        let b64: String = G2_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
        let wrapped: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        only_g2(
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                wrapped.join("\n")
            )
            .as_bytes(),
        );
    }

    #[test]
    fn names_what_arrived_instead() {
        assert!(error_of(b"").contains("empty"));
        assert!(
            error_of(b"<!DOCTYPE html><html><head><title>Wi-Fi Login</title>")
                .contains("HTML page titled \"Wi-Fi Login\"")
        );
        assert!(error_of(&G2_PEM.as_bytes()[..G2_PEM.len() / 2]).contains("truncated PEM"));
        assert!(error_of(&g2_der()[..500]).contains("truncated"));
        assert!(error_of(b"\x00\x01garbage").contains("neither PEM nor DER"));
        assert!(
            error_of(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .contains("PRIVATE KEY")
        );
    }

    #[test]
    fn reencodes_as_canonical_pem() {
        let cert = &parse_certificates(&g2_der()).unwrap()[0];
        let pem = cert.to_pem();
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert!(!pem.contains('\r'));
        assert_eq!(pem.trim(), G2_PEM.trim());
    }
}

//! How pgjdbc loads `sslrootcert`: `CertificateFactory.getInstance("X.509")
//! .generateCertificates(file)` (LibPQFactory.java:158), which is the JDK's
//! `X509Factory.parseX509orPKCS7Cert` and `readOneBlock`:
//!
//! - The file is read as blocks, one after another. A block whose first byte is 0x30 is
//!   DER: exactly one BER object, whatever follows it starts the next block.
//! - Any other block is PEM-like: everything up to five hyphens at the start of the file or
//!   of a line is skipped (so a UTF-8 byte-order mark or an indented BEGIN line hides the
//!   BEGIN line, and the END line is then taken for a header); the header line is
//!   `-----BEGIN X-----` with any label X, the base64 runs to the next `-`, with spaces,
//!   tabs, CR and LF dropped, and must then be strict base64; the footer's label must be
//!   the header's. Text after the last block is ignored.
//! - The first block may be a PKCS#7 bundle: its certificates are the file, the rest of
//!   the file is not read. Otherwise every block must be one X.509 certificate, with no
//!   bytes after it, or the whole file fails.
//! - An empty file (or a bundle without certificates) loads as no certificate; the
//!   handshake then fails with "the trustAnchors parameter must be non-empty".

use crate::cert::{Certificate, read_tlv};
use crate::libpq::{Format, TrustFile};

/// `X509Factory.BER_ITERATION_COUNT`: how deep indefinite-length BER may nest.
const BER_DEPTH: usize = 128;
const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// Netscape's certificate sequence (2.16.840.1.113730.2.5), which `PKCS7` also reads.
const NETSCAPE_CERT_SEQUENCE: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x02, 0x05];
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The trust file as pgjdbc loads it.
pub(crate) fn load(bytes: &[u8]) -> TrustFile {
    let format = detect(bytes);
    let holds_private_key = bytes.windows(11).any(|w| w == b"PRIVATE KEY");
    let mut left_out = Vec::new();
    let (certs, error) = match read(bytes, &mut left_out) {
        Ok(certs) if certs.is_empty() => (certs, Some(empty_reason(bytes))),
        Ok(certs) => (certs, None),
        Err(error) if bytes.starts_with(UTF8_BOM) => (
            Vec::new(),
            Some(format!(
                "it starts with a UTF-8 byte-order mark, which Java's certificate reader does \
                 not skip: the BEGIN line no longer starts a line and the file fails ({error})"
            )),
        ),
        Err(error) => (Vec::new(), Some(error)),
    };
    TrustFile {
        format,
        certs,
        error,
        holds_private_key,
        left_out,
    }
}

fn empty_reason(bytes: &[u8]) -> String {
    let what = if bytes.is_empty() {
        "it is empty"
    } else {
        "it is a PKCS#7 bundle without certificates"
    };
    format!(
        "{what}: Java then has no trust anchor and the handshake fails (\"the trustAnchors \
         parameter must be non-empty\")"
    )
}

fn detect(bytes: &[u8]) -> Format {
    if bytes.trim_ascii().is_empty() {
        Format::Empty
    } else if bytes.first() == Some(&0x30) {
        Format::Der
    } else if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        Format::Pem
    } else {
        Format::Other
    }
}

/// One block as `readOneBlock` returns it, and how to name it in a message.
struct Block {
    data: Vec<u8>,
    what: String,
}

/// `parseX509orPKCS7Cert`; what it never reads goes to `left_out`.
fn read(bytes: &[u8], left_out: &mut Vec<String>) -> Result<Vec<Certificate>, String> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let mut reader = Reader { bytes, pos: 0 };
    let mut number = 1;
    let Some(first) = read_one_block(&mut reader, number)? else {
        return Err(
            "no certificate data found: it holds neither DER nor a -----BEGIN line at \
                    the start of a line"
                .into(),
        );
    };
    if let Some(certs) = pkcs7_certificates(&first.data) {
        if !bytes[reader.pos..].trim_ascii().is_empty() {
            left_out.push(
                "everything after the PKCS#7 bundle at the start of the file: Java reads \
                 nothing after it"
                    .into(),
            );
        }
        return Ok(certs);
    }
    let mut certs = Vec::new();
    let mut block = Some(first);
    while let Some(current) = block {
        certs.push(certificate(&current)?);
        number += 1;
        block = read_one_block(&mut reader, number)?;
    }
    Ok(certs)
}

/// `X509CertImpl.newX509CertImpl`: one certificate and nothing after it.
fn certificate(block: &Block) -> Result<Certificate, String> {
    let what = &block.what;
    let cert = match read_tlv(&block.data) {
        Some((0x30, len, _)) if len < block.data.len() => Err(format!(
            "{what} has bytes after its certificate (Java: \"extra data at the end\")"
        )),
        Some((0x30, _, _)) => Certificate::from_der(&block.data).map_err(|e| {
            format!("{what} is not an X.509 certificate ({e}); Java wants every block of the file to be one")
        }),
        _ => Err(format!(
            "{what} is not an X.509 certificate; Java wants every block of the file to be one"
        )),
    }?;
    match super::link::jdk_parse_problem(&cert) {
        Some(why) => Err(format!("{what} does not parse in Java: {why}")),
        None => Ok(cert),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn next(&mut self) -> Option<u8> {
        let byte = self.bytes.get(self.pos).copied();
        self.pos += usize::from(byte.is_some());
        byte
    }
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\r' | b' ')
}

/// `readOneBlock`: the next block's bytes (base64-decoded for a PEM-like block), or None at
/// the end of the file.
fn read_one_block(r: &mut Reader<'_>, number: usize) -> Result<Option<Block>, String> {
    let Some(c) = r.next() else { return Ok(None) };
    if c == 0x30 {
        let start = r.pos - 1;
        read_ber(r, Some(c), BER_DEPTH)
            .map_err(|e| format!("DER block {number} is cut short or malformed ({e})"))?;
        return Ok(Some(Block {
            data: r.bytes[start..r.pos].to_vec(),
            what: format!("DER block {number}"),
        }));
    }
    let incomplete = || {
        format!(
            "PEM block {number} is cut short (Java: \"Incomplete data\"): a BEGIN line without \
             its END line, or an END line whose BEGIN line does not start a line"
        )
    };
    // Step 1: five hyphens at the start of the file or of a line.
    let mut hyphens = usize::from(c == b'-');
    let mut last = (c != b'-').then_some(c);
    loop {
        let Some(next) = r.next() else {
            return Ok(None);
        };
        if next == b'-' {
            hyphens += 1;
        } else {
            hyphens = 0;
            last = Some(next);
        }
        if hyphens == 5 && matches!(last, None | Some(b'\r' | b'\n')) {
            break;
        }
    }
    // Step 2: the rest of the header line, and which byte ends lines.
    let mut header = b"-----".to_vec();
    let mut data = Vec::new();
    let end = loop {
        let next = r.next().ok_or_else(incomplete)?;
        match next {
            b'\n' => break b'\n',
            b'\r' => {
                let next = r.next().ok_or_else(incomplete)?;
                if next == b'\n' {
                    break b'\n';
                }
                if !is_blank(next) {
                    data.push(next);
                }
                break b'\r';
            }
            other => header.push(other),
        }
    };
    // Step 3: the base64, up to the next hyphen.
    loop {
        let next = r.next().ok_or_else(incomplete)?;
        if next == b'-' {
            break;
        }
        if !is_blank(next) {
            data.push(next);
        }
    }
    // Step 4: the footer, to the end of its line.
    let mut footer = b"-".to_vec();
    while let Some(next) = r.next() {
        if next == end || next == b'\n' {
            break;
        }
        if next != b'\r' {
            footer.push(next);
        }
    }
    let label = check_header_footer(&latin1(&header), &latin1(&footer))?;
    let what = format!("PEM block {number} ({label})");
    let data = java_base64(&data)
        .ok_or_else(|| format!("{what} is not valid base64 (a header line such as `Comment:`?)"))?;
    Ok(Some(Block { data, what }))
}

/// Java reads each byte as a char: Latin-1.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// `checkHeaderFooter`, after `stripTrailing` (Java's `Character.isWhitespace`).
fn check_header_footer(header: &str, footer: &str) -> Result<String, String> {
    let java_space = |c: char| matches!(c, '\t'..='\r' | '\x1c'..='\x1f' | ' ');
    let header = header.trim_end_matches(java_space);
    let footer = footer.trim_end_matches(java_space);
    let label = |line: &str, start: &str, min: usize| {
        (line.len() >= min && line.starts_with(start) && line.ends_with("-----"))
            .then(|| line[start.len()..line.len() - 5].to_string())
    };
    let begin = label(header, "-----BEGIN ", 16)
        .ok_or_else(|| format!("illegal PEM header line {header}"))?;
    let end = label(footer, "-----END ", 14)
        .ok_or_else(|| format!("illegal PEM footer line {footer}"))?;
    if begin != end {
        return Err(format!(
            "the PEM header {header} and footer {footer} do not match"
        ));
    }
    Ok(begin)
}

/// `Base64.getDecoder()`: the standard alphabet only, padding optional but exact when
/// present, unused low bits not checked.
fn java_base64(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const JAVA: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    JAVA.decode(text).ok()
}

/// `readBERInternal`: one BER object, definite lengths up to four bytes or indefinite
/// lengths; returns its tag.
fn read_ber(r: &mut Reader<'_>, tag: Option<u8>, depth: usize) -> Result<u8, &'static str> {
    let depth = depth.checked_sub(1).ok_or("nested too deeply")?;
    let tag = match tag {
        Some(tag) => tag,
        None => {
            let tag = r.next().ok_or("BER/DER tag info absent")?;
            if tag & 0x1f == 0x1f {
                return Err("multi-octet tags are not supported");
            }
            tag
        }
    };
    let first = r.next().ok_or("BER/DER length info absent")?;
    if first == 0x80 {
        if tag & 0x20 == 0 {
            return Err("non-constructed encoding must have definite length");
        }
        while read_ber(r, None, depth)? != 0 {}
        return Ok(tag);
    }
    let length = match first {
        0..=0x7f => usize::from(first),
        0x81..=0x84 => {
            let count = usize::from(first - 0x80);
            let mut length = 0usize;
            for i in 0..count {
                let byte = r.next().ok_or("incomplete BER/DER length info")?;
                if i == 0 && count == 4 && byte > 127 {
                    return Err("invalid BER/DER data (a little huge?)");
                }
                length = (length << 8) | usize::from(byte);
            }
            length
        }
        _ => return Err("invalid BER/DER data (too huge?)"),
    };
    if r.bytes.len() - r.pos < length {
        r.pos = r.bytes.len();
        return Err("incomplete BER/DER data");
    }
    r.pos += length;
    Ok(tag)
}

/// `new PKCS7(data).getCertificates()`, when `data` is a PKCS#7 SignedData (or Netscape
/// certificate sequence) whose certificates all parse; None sends the caller back to
/// reading X.509 certificates, as Java's `ParsingException` does.
fn pkcs7_certificates(data: &[u8]) -> Option<Vec<Certificate>> {
    let (0x30, _, content_info) = read_tlv(data)? else {
        return None;
    };
    let (0x06, oid_len, oid) = read_tlv(content_info)? else {
        return None;
    };
    let (0xa0, _, explicit) = read_tlv(&content_info[oid_len..])? else {
        return None;
    };
    let (0x30, _, content) = read_tlv(explicit)? else {
        return None;
    };
    let mut certs = Vec::new();
    if oid == NETSCAPE_CERT_SEQUENCE {
        for element in elements(content)? {
            certs.push(pkcs7_certificate(element)?);
        }
        return Some(certs);
    }
    if oid != SIGNED_DATA {
        return None;
    }
    // SignedData: version, digestAlgorithms, contentInfo, [0] certificates, [1] crls,
    // signerInfos.
    let mut fields = elements(content)?.into_iter();
    let shape = [0x02, 0x31, 0x30].map(|tag| fields.next().is_some_and(|f| f[0] == tag));
    if shape.contains(&false) {
        return None;
    }
    let mut next = fields.next()?;
    if next[0] == 0xa0 {
        let (_, _, list) = read_tlv(next)?;
        // Other CertificateChoices (attribute certificates) are skipped, as Java does.
        for element in elements(list)?.into_iter().filter(|e| e[0] == 0x30) {
            certs.push(pkcs7_certificate(element)?);
        }
        next = fields.next()?;
    }
    if next[0] == 0xa1 {
        next = fields.next()?;
    }
    (next[0] == 0x31).then_some(certs)
}

fn pkcs7_certificate(der: &[u8]) -> Option<Certificate> {
    let cert = Certificate::from_der(der).ok()?;
    super::link::jdk_parse_problem(&cert)
        .is_none()
        .then_some(cert)
}

/// The TLVs of a constructed value's contents.
fn elements(mut contents: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !contents.is_empty() {
        let (_, len, _) = read_tlv(contents)?;
        out.push(&contents[..len]);
        contents = &contents[len..];
    }
    Some(out)
}

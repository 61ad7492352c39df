//! rootcert against `openssl x509` on mutated real certificates: bit flips, truncation,
//! rewrapping, white space, CRLF. Wherever openssl reads a certificate, rootcert must read
//! the same one (same SHA-256); wherever either refuses, rootcert must exit 4; it never
//! crashes.
//!
//! Deliberate difference: rootcert decodes DER strictly (x509-cert), OpenSSL leniently. A
//! bit flip can leave an encoding OpenSSL still reads but that is not valid DER (a BOOLEAN
//! that is not 0x00/0xFF, a non-minimal length, a malformed time or string); there rootcert
//! refuses with exit 4. Such cases are counted and printed, and allowed only for
//! mutations of the DER itself, never for mutations of the PEM text around it.

use std::path::Path;
use std::process::Command;

use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mutation {
    /// The DER itself changed (bit flip, truncation): strict DER may refuse what OpenSSL reads.
    Der,
    /// Only the text around the same DER changed: both must read it alike.
    Text,
}

/// What openssl makes of `bytes`: the SHA-256 (colon hex) or None.
fn openssl_reads(path: &Path, der: bool) -> Option<String> {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-inform"])
        .arg(if der { "DER" } else { "PEM" })
        .arg("-in")
        .arg(path)
        .output()
        .unwrap();
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .rsplit_once('=')
            .unwrap()
            .1
            .to_string()
    })
}

fn pem_of(der: &[u8], width: usize, line_end: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(width)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----{line_end}{}{line_end}-----END CERTIFICATE-----{line_end}",
        lines.join(line_end)
    )
}

#[test]
fn rootcert_reads_what_openssl_reads() {
    let mut rng = fastrand::Rng::with_seed(20261130);
    let mut cases: Vec<(String, Vec<u8>, bool, Mutation)> = Vec::new();
    for pem_text in [
        g2_pem(),
        isrg_pem(),
        ms2017_pem(),
        fixture_text("DigiCertGlobalRootCA.crt.pem"),
    ] {
        let der = der_of(&pem_text);
        for i in 0..40 {
            let mut flipped = der.clone();
            let at = rng.usize(..flipped.len());
            flipped[at] ^= 1 << rng.u8(..8);
            let as_der = i % 2 == 0;
            let bytes = if as_der {
                flipped
            } else {
                pem_of(&flipped, 64, "\n").into_bytes()
            };
            cases.push((format!("bit flip at {at}"), bytes, as_der, Mutation::Der));
        }
        for _ in 0..8 {
            let cut = rng.usize(1..der.len());
            cases.push((
                format!("DER cut at {cut}"),
                der[..cut].to_vec(),
                true,
                Mutation::Der,
            ));
            let text = pem_text.as_bytes();
            let cut = rng.usize(1..text.len());
            cases.push((
                format!("PEM cut at {cut}"),
                text[..cut].to_vec(),
                false,
                Mutation::Text,
            ));
        }
        let text_variants = [
            ("76 columns", pem_of(&der, 76, "\n")),
            ("40 columns", pem_of(&der, 40, "\n")),
            ("one line", pem_of(&der, 100_000, "\n")),
            ("CRLF", pem_of(&der, 64, "\r\n")),
            ("trailing spaces", pem_text.replace('\n', "  \n")),
            ("leading text", format!("Subject: a root\n{pem_text}")),
            ("blank lines after", format!("{pem_text}\n\n\n")),
            ("no final newline", pem_text.trim_end().to_string()),
            ("BOM", format!("\u{feff}{pem_text}")),
            (
                "a base64 character changed",
                pem_text.replacen("MII", "MIJ", 1),
            ),
            ("a line dropped", {
                let mut lines: Vec<&str> = pem_text.lines().collect();
                lines.remove(3);
                lines.join("\n") + "\n"
            }),
            ("tab-indented body", pem_text.replace("\nM", "\n\tM")),
        ];
        for (name, text) in text_variants {
            cases.push((name.to_string(), text.into_bytes(), false, Mutation::Text));
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let env = Env::new();
    let mut failures = Vec::new();
    let mut stricter = Vec::new();
    for (i, (name, bytes, as_der, mutation)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case-{i}"));
        std::fs::write(&path, bytes).unwrap();
        let theirs = openssl_reads(&path, *as_der);
        let run = env.run(&["inspect", "--json", path.to_str().unwrap()]);
        assert!(
            !run.stderr.contains("panicked") && (run.code == 0 || run.code == 4),
            "{name}: exit {} {}",
            run.code,
            run.stderr
        );
        let ours = (run.code == 0).then(|| {
            let json = run.json();
            assert_eq!(json.as_array().unwrap().len(), 1, "{name}");
            json[0]["sha256"].as_str().unwrap().to_string()
        });
        match (&theirs, &ours) {
            (Some(a), Some(b)) if a == b => {}
            (None, None) => {}
            (Some(_), None) if *mutation == Mutation::Der => stricter.push(name.clone()),
            _ => failures.push(format!(
                "{name}: openssl {theirs:?}, rootcert {ours:?} {}",
                run.stderr.trim()
            )),
        }
    }
    eprintln!(
        "{} cases; rootcert stricter than openssl (non-canonical DER) in {}: {stricter:?}",
        cases.len(),
        stricter.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        stricter.len() < cases.len() / 4,
        "strictness should be the exception"
    );
}

//! The trust file as `CertificateFactory.generateCertificates` reads it.

use super::*;

#[test]
fn trust_files_java_reads() {
    let (root, int, leaf) = base();
    let other = make_root("Unrelated Root", |_| {});
    let root_pem = root.cert.to_pem();
    let der = root.cert.der();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), &root_pem).unwrap();
    let p7 = openssl(
        dir.path(),
        &["crl2pkcs7", "-nocrl", "-certfile", "root.pem"],
    );
    std::fs::write(dir.path().join("p7.pem"), &p7).unwrap();
    let p7_der = openssl(dir.path(), &["pkcs7", "-in", "p7.pem", "-outform", "DER"]);
    let mut der_then_pem = der.to_vec();
    der_then_pem.extend(other.cert.to_pem().bytes());
    let block = |label: &str, body: String| {
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    };
    let unpadded = base64_lines(der, 64, "\n")
        .trim_end_matches('=')
        .to_string();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("CRLF line ends", root_pem.replace('\n', "\r\n").into()),
        ("CR-only line ends", root_pem.replace('\n', "\r").into()),
        (
            "trailing spaces after the END line",
            format!("{}   \n", root_pem.trim_end()).into(),
        ),
        (
            "base64 on one line",
            block("CERTIFICATE", base64_lines(der, usize::MAX, "")).into(),
        ),
        (
            "base64 in 76 columns",
            block("CERTIFICATE", base64_lines(der, 76, "\n")).into(),
        ),
        (
            "base64 without padding",
            block("CERTIFICATE", unpadded).into(),
        ),
        (
            "any label",
            block("X509 CERTIFICATE", base64_lines(der, 64, "\n")).into(),
        ),
        ("DER", der.to_vec()),
        ("DER, then a PEM unrelated root", der_then_pem),
        (
            "unrelated root, text, root",
            [other.cert.to_pem(), "notes\n".into(), root_pem.clone()]
                .concat()
                .into(),
        ),
        ("PKCS#7, PEM", p7.clone()),
        ("PKCS#7, DER", p7_der.clone()),
        (
            "PKCS#7 then anything",
            [p7, b"-----BEGIN JUNK-----\n!\n".to_vec()].concat(),
        ),
    ];
    for (name, trust) in files {
        let v = verdict(name, &[&leaf, &int.cert], &trust, Some("localhost"));
        assert!(v.ok, "{name}: {:?}", v.problems);
    }
    let v = verdict("DER notes", &[&leaf, &int.cert], der, Some("localhost"));
    noted(&v, "DER");
}

#[test]
fn trust_files_java_refuses() {
    let (root, int, leaf) = base();
    let root_pem = root.cert.to_pem();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), &root_pem).unwrap();
    let trusted = openssl(
        dir.path(),
        &[
            "x509",
            "-in",
            "root.pem",
            "-trustout",
            "-addtrust",
            "serverAuth",
        ],
    );
    let no_certs = openssl(dir.path(), &["crl2pkcs7", "-nocrl"]);
    let key = KeyPair::generate().unwrap().serialize_pem();
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "UTF-8 BOM",
            format!("\u{feff}{root_pem}").into(),
            "byte-order mark",
        ),
        (
            "indented BEGIN line",
            format!("  {root_pem}").into(),
            "cut short",
        ),
        (
            "PEM header line",
            root_pem.replacen("\n", "\nComment: root\n\n", 1).into(),
            "not valid base64",
        ),
        (
            "TRUSTED CERTIFICATE",
            trusted,
            "bytes after its certificate",
        ),
        (
            "root and a private key",
            [root_pem.clone(), key].concat().into(),
            "block 2 (PRIVATE KEY)",
        ),
        (
            "header and footer differ",
            root_pem
                .replace("END CERTIFICATE", "END X509 CERTIFICATE")
                .into(),
            "do not match",
        ),
        (
            "cut short",
            root_pem[..root_pem.len() / 2].into(),
            "cut short",
        ),
        (
            "garbage",
            b"not a certificate\n".to_vec(),
            "no certificate data found",
        ),
        (
            "empty",
            Vec::new(),
            "trustAnchors parameter must be non-empty",
        ),
        (
            "PKCS#7 without certificates",
            no_certs,
            "without certificates",
        ),
    ];
    for (name, trust, why) in files {
        let v = verdict(name, &[&leaf, &int.cert], &trust, Some("localhost"));
        refuses(&v, why);
    }
}

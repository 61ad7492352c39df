//! Matrix cases: host names (libpq's rules) and trust files (OpenSSL's PEM loader).

use super::*;

pub(super) fn host_names() -> Vec<Case> {
    vec![
        // ---- host names (libpq's rules, fe-secure-common.c / fe-secure-openssl.c) ----
        case("DNS SAN matches the host", |p, b| {
            names(p, b, "localhost", "DNS:localhost", "localhost")
        }),
        case("DNS SAN matches in another case", |p, b| {
            names(p, b, "x", "DNS:LocalHost", "LOCALHOST")
        }),
        case("host with a trailing dot does not match", |p, b| {
            names(p, b, "x", "DNS:localhost", "localhost.")
        }),
        case("wildcard matches one label", |p, b| {
            names(p, b, "x", "DNS:*.example.test", "db.example.test")
        }),
        case("wildcard does not match two labels", |p, b| {
            names(p, b, "x", "DNS:*.example.test", "a.db.example.test")
        }),
        case("wildcard does not match the bare domain", |p, b| {
            names(p, b, "x", "DNS:*.example.test", "example.test")
        }),
        case("partial wildcard is not a wildcard", |p, b| {
            names(p, b, "x", "DNS:db*.example.test", "db1.example.test")
        }),
        case("CN is used when there is no SAN", |p, b| {
            names(p, b, "db.example.test", "", "db.example.test")
        }),
        case("wildcard CN when there is no SAN", |p, b| {
            names(p, b, "*.example.test", "", "db.example.test")
        }),
        case("CN is ignored when a DNS SAN exists", |p, b| {
            names(
                p,
                b,
                "db.example.test",
                "DNS:other.example.test",
                "db.example.test",
            )
        }),
        case(
            "CN is used for a DNS host when only IP SANs exist",
            |p, b| names(p, b, "localhost", "IP:127.0.0.1", "localhost"),
        ),
        case("IP host matches an IP SAN", |p, b| {
            names(p, b, "x", "IP:127.0.0.1", "127.0.0.1")
        }),
        case("IP host matches a DNS SAN holding the address", |p, b| {
            names(p, b, "x", "DNS:10.0.0.5", "10.0.0.5")
        }),
        case("IP host matches the CN when there is no IP SAN", |p, b| {
            names(p, b, "127.0.0.1", "DNS:localhost", "127.0.0.1")
        }),
        case("IP host: CN ignored when an IP SAN exists", |p, b| {
            names(p, b, "127.0.0.1", "IP:127.0.0.2", "127.0.0.1")
        }),
        case("IP host does not match another IP SAN", |p, b| {
            names(p, b, "x", "IP:127.0.0.2", "127.0.0.1")
        }),
        case("short IPv4 form (inet_aton) matches", |p, b| {
            names(p, b, "x", "IP:127.0.0.1", "127.1")
        }),
        case("IPv6 host matches an IPv6 SAN", |p, b| {
            names(p, b, "x", "IP:::1", "::1")
        }),
        case("DNS host does not match an IP SAN", |p, b| {
            names(p, b, "x", "IP:127.0.0.1", "localhost")
        }),
        case("no name at all", |p, b| names(p, b, "", "", "localhost")),
    ]
}

pub(super) fn trust_files() -> Vec<Case> {
    vec![
        // ---- trust files (OpenSSL's PEM loader, X509_load_cert_crl_file) ----
        case("PEM root", |_, b| {
            Setup::new(vec![&b.leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
        case("DER root", |_, b| {
            Setup::new(vec![&b.leaf, &b.int], b.root.der.clone(), "localhost")
        }),
        case("only the intermediate", |_, b| {
            Setup::new(vec![&b.leaf, &b.int], pem(&[&b.int]), "localhost")
        }),
        case("root and intermediate", |_, b| {
            Setup::new(vec![&b.leaf, &b.int], pem(&[&b.int, &b.root]), "localhost")
        }),
        case("an unrelated root first", |p, b| {
            let other = p.issue(Spec::new(
                "/CN=Unrelated Root",
                "rsa2048#other",
                None,
                CA_EXT,
            ));
            Setup::new(vec![&b.leaf, &b.int], pem(&[&other, &b.root]), "localhost")
        }),
        case("only an unrelated root", |p, b| {
            let other = p.issue(Spec::new(
                "/CN=Unrelated Root",
                "rsa2048#other",
                None,
                CA_EXT,
            ));
            Setup::new(vec![&b.leaf, &b.int], pem(&[&other]), "localhost")
        }),
        case("empty file", |_, b| {
            Setup::new(vec![&b.leaf, &b.int], Vec::new(), "localhost")
        }),
        case("garbage", |_, b| {
            Setup::new(
                vec![&b.leaf, &b.int],
                b"not a certificate\n".to_vec(),
                "localhost",
            )
        }),
        case("root and its private key", |_, b| {
            let mut trust = pem(&[&b.root]);
            trust.extend(crate::support::pki::read(&b.root.key));
            Setup::new(vec![&b.leaf, &b.int], trust, "localhost")
        }),
        case("only a private key", |_, b| {
            Setup::new(
                vec![&b.leaf, &b.int],
                crate::support::pki::read(&b.root.key),
                "localhost",
            )
        }),
        case("root and an encrypted private key", |p, b| {
            let mut trust = pem(&[&b.root]);
            trust.extend(encrypted_key(p));
            Setup::new(vec![&b.leaf, &b.int], trust, "localhost")
        }),
        case("bytes after the DER inside the root's block", |_, b| {
            let mut der = b.root.der.clone();
            der.extend_from_slice(b"trailing");
            let block = pem::encode(&pem::Pem::new("CERTIFICATE", der));
            Setup::new(vec![&b.leaf, &b.int], block.into_bytes(), "localhost")
        }),
        case("CRLF line ends and a UTF-8 BOM", |_, b| {
            let text = format!("\u{feff}{}", b.root.pem.replace('\n', "\r\n"));
            Setup::new(vec![&b.leaf, &b.int], text.into_bytes(), "localhost")
        }),
        case("text around the PEM block", |_, b| {
            let text = format!("Subject: the root\n\n{}\ntrailing notes\n", b.root.pem);
            Setup::new(vec![&b.leaf, &b.int], text.into_bytes(), "localhost")
        }),
        case("root, then a corrupt certificate block", |_, b| {
            let mut trust = pem(&[&b.root]);
            trust.extend_from_slice(
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            );
            Setup::new(vec![&b.leaf, &b.int], trust, "localhost")
        }),
        case("root, then an unknown PEM block", |_, b| {
            let mut trust = pem(&[&b.root]);
            trust.extend_from_slice(
                b"-----BEGIN SOMETHING ELSE-----\nAAAA\n-----END SOMETHING ELSE-----\n",
            );
            Setup::new(vec![&b.leaf, &b.int], trust, "localhost")
        }),
        case("truncated PEM after the root", |_, b| {
            let mut trust = pem(&[&b.root]);
            let half = &b.int.pem[..b.int.pem.len() / 2];
            trust.extend_from_slice(half.as_bytes());
            Setup::new(vec![&b.leaf, &b.int], trust, "localhost")
        }),
    ]
}

//! Matrix cases: algorithms under Debian's security level 2, and the server certificate's extended key usage.

use super::*;

pub(super) fn algorithms() -> Vec<Case> {
    vec![
        // ---- algorithms and Debian's security level 2 ----
        case("ECDSA P-256", |p, _| algorithm(p, "p256", None, &[])),
        case("ECDSA P-384 with SHA-384", |p, _| {
            algorithm(p, "p384", Some("sha384"), &[])
        }),
        case("Ed25519", |p, _| algorithm(p, "ed25519", None, &[])),
        case("RSA-PSS signatures", |p, _| {
            algorithm(
                p,
                "rsa2048",
                Some("sha256"),
                &["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"],
            )
        }),
        Case {
            name: "RSA-PSS signatures, maximal salt",
            differs: Some(
                "ring checks RSA-PSS only with a salt as long as the hash; rootcert says it cannot check the signature instead of trusting it",
            ),
            build: |p, _| {
                algorithm(
                    p,
                    "rsa2048",
                    Some("sha256"),
                    &["rsa_padding_mode:pss", "rsa_pss_saltlen:max"],
                )
            },
        },
        case("SHA-512 signatures", |p, _| {
            algorithm(p, "rsa2048", Some("sha512"), &[])
        }),
        case("SHA-1 signatures", |p, _| {
            algorithm(p, "rsa2048", Some("sha1"), &[])
        }),
        case("SHA-1 only on the self-signed root", |p, b| {
            let mut spec = Spec::new("/CN=SHA1 Root", "rsa2048#root", None, CA_EXT);
            spec.md = Some("sha1");
            let root = p.issue(spec);
            let int = p.issue(Spec::new(
                "/CN=After SHA1 Intermediate",
                "rsa2048#int",
                Some(&root),
                CA_EXT,
            ));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&int),
                &leaf_ext("DNS:localhost"),
            ));
            let _ = b;
            Setup::new(vec![&leaf, &int], pem(&[&root]), "localhost")
        }),
        case("RSA 1024 server key", |p, b| {
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa1024#leaf",
                Some(&b.int),
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
        case("RSA 1024 intermediate", |p, b| {
            let int = p.issue(Spec::new(
                "/CN=Weak Intermediate",
                "rsa1024#int",
                Some(&b.root),
                CA_EXT,
            ));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&int),
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&leaf, &int], pem(&[&b.root]), "localhost")
        }),
        case("RSA 1024 root", |p, _| {
            let root = p.issue(Spec::new("/CN=Weak Root", "rsa1024#root", None, CA_EXT));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&root),
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&leaf], pem(&[&root]), "localhost")
        }),
    ]
}

pub(super) fn key_usage() -> Vec<Case> {
    vec![
        // ---- extended key usage of the server certificate ----
        case("EKU serverAuth", |p, b| {
            names(p, b, "localhost", "DNS:localhost", "localhost")
        }),
        case("EKU clientAuth only", |p, b| {
            let ext = leaf_ext("DNS:localhost").replace("serverAuth", "clientAuth");
            let leaf = leaf(p, b, "/CN=localhost", &ext);
            Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
        case("EKU anyExtendedKeyUsage only", |p, b| {
            let ext = leaf_ext("DNS:localhost").replace("serverAuth", "anyExtendedKeyUsage");
            let leaf = leaf(p, b, "/CN=localhost", &ext);
            Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
        case("no EKU", |p, b| {
            let leaf = leaf(
                p,
                b,
                "/CN=localhost",
                "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
            );
            Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
        case("keyUsage without a TLS usage", |p, b| {
            let ext = leaf_ext("DNS:localhost")
                .replace("digitalSignature,keyEncipherment", "nonRepudiation");
            let leaf = leaf(p, b, "/CN=localhost", &ext);
            Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
    ]
}

//! The certificate cases every client is measured on: a chain the server sends, a trust
//! file, and the host the client must verify (the server is always at 127.0.0.1). The psql
//! matrix (`cases::libpq_matrix`) and the driver matrices run the same cases.

use std::path::Path;

use crate::support::pki::{CA_EXT, Issued, Pki, Spec, leaf_ext};

/// The chain every case starts from: a root, an intermediate and a server certificate for
/// DNS:localhost, all RSA 2048 with SHA-256.
pub struct Base {
    pub root: Issued,
    pub int: Issued,
    pub leaf: Issued,
}

/// What one case serves and trusts.
pub struct Setup {
    /// What the server sends, server certificate first.
    pub chain: Vec<Issued>,
    /// The trust file's bytes (sslrootcert / --ca).
    pub trust: Vec<u8>,
    /// libpq's `host` (the server is always reached at hostaddr=127.0.0.1).
    pub host: &'static str,
}

impl Setup {
    fn new(chain: Vec<&Issued>, trust: Vec<u8>, host: &'static str) -> Setup {
        Setup {
            chain: chain.into_iter().cloned().collect(),
            trust,
            host,
        }
    }
}

pub type Build = fn(&mut Pki, &Base) -> Setup;

pub struct Case {
    pub name: &'static str,
    /// Why rootcert deliberately disagrees with psql here; `None` for agreement.
    pub differs: Option<&'static str>,
    pub build: Build,
}

const fn case(name: &'static str, build: Build) -> Case {
    Case {
        name,
        differs: None,
        build,
    }
}

fn pem(certs: &[&Issued]) -> Vec<u8> {
    certs
        .iter()
        .map(|c| c.pem.clone())
        .collect::<String>()
        .into_bytes()
}

/// A server certificate signed by the base intermediate with these extensions.
fn leaf(pki: &mut Pki, base: &Base, subject: &str, ext: &str) -> Issued {
    pki.issue(Spec::new(subject, "rsa2048#leaf", Some(&base.int), ext))
}

/// The base chain with a server certificate carrying `san` (and CN `cn`), trusting the root.
fn names(pki: &mut Pki, base: &Base, cn: &str, san: &str, host: &'static str) -> Setup {
    let leaf = leaf(pki, base, &format!("/CN={cn}"), &leaf_ext(san));
    Setup::new(vec![&leaf, &base.int], pem(&[&base.root]), host)
}

/// A root → intermediate → leaf chain whose keys are all `key` and whose signatures use
/// `md`/`sigopts`; trusting its root.
fn algorithm(pki: &mut Pki, key: &str, md: Option<&str>, sigopts: &[&str]) -> Setup {
    let salt = sigopts
        .last()
        .and_then(|o| o.split(':').nth(1))
        .unwrap_or("");
    let tag = format!("{key} {} {salt}", md.unwrap_or("default"));
    let key_of = |role: &str| format!("{key}#{role}");
    let root_key = key_of("root");
    let int_key = key_of("int");
    let leaf_key = key_of("leaf");
    let root_subject = format!("/CN=Algo Root {tag}");
    let int_subject = format!("/CN=Algo Intermediate {tag}");
    let mut spec = Spec::new(&root_subject, &root_key, None, CA_EXT);
    spec.md = md;
    spec.sigopts = sigopts;
    let root = pki.issue(spec);
    let mut spec = Spec::new(&int_subject, &int_key, Some(&root), CA_EXT);
    spec.md = md;
    spec.sigopts = sigopts;
    let int = pki.issue(spec);
    let mut spec = Spec::new("/CN=localhost", &leaf_key, Some(&int), "");
    spec.ext = leaf_ext("DNS:localhost");
    spec.md = md;
    spec.sigopts = sigopts;
    let leaf = pki.issue(spec);
    Setup::new(vec![&leaf, &int], pem(&[&root]), "localhost")
}

/// The base root, then an intermediate with `int_ext` (and dates), then a server
/// certificate for localhost.
fn with_intermediate(pki: &mut Pki, base: &Base, int_ext: &str, start: &str, end: &str) -> Setup {
    let mut spec = Spec::new(
        "/CN=Odd Intermediate",
        "rsa2048#int",
        Some(&base.root),
        int_ext,
    );
    spec.start = start;
    spec.end = end;
    let int = pki.issue(spec);
    let mut ext = leaf_ext("DNS:localhost");
    if !int_ext.contains("subjectKeyIdentifier") {
        // openssl cannot name a key identifier the issuer does not have.
        ext = ext.replace("\nauthorityKeyIdentifier=keyid", "");
    }
    let leaf = pki.issue(Spec::new("/CN=localhost", "rsa2048#leaf", Some(&int), &ext));
    Setup::new(vec![&leaf, &int], pem(&[&base.root]), "localhost")
}

/// The base root, then an intermediate with `nameConstraints=critical,<constraint>`, then a
/// server certificate with `subject` and `san`, for libpq host `host`.
fn constrained(
    pki: &mut Pki,
    base: &Base,
    constraint: &str,
    san: &str,
    subject: &str,
    host: &'static str,
) -> Setup {
    let ext = format!("{CA_EXT}\nnameConstraints=critical,{constraint}\n[allowed_dn]\nO=Allowed");
    let int = pki.issue(Spec::new(
        "/CN=Constrained Intermediate",
        "rsa2048#int",
        Some(&base.root),
        &ext,
    ));
    let leaf = pki.issue(Spec::new(
        subject,
        "rsa2048#leaf",
        Some(&int),
        &leaf_ext(san),
    ));
    Setup::new(vec![&leaf, &int], pem(&[&base.root]), host)
}

/// A PKCS#8 key encrypted with a password, as `openssl genpkey -aes256` writes it.
fn encrypted_key(pki: &mut Pki) -> Vec<u8> {
    let path = pki.path("encrypted-key.pem");
    let status = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-aes256", "-pass", "pass:secret", "-out"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(path).unwrap()
}

const START: &str = "20250101000000Z";
const END: &str = "20450101000000Z";

pub fn cases() -> Vec<Case> {
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
        // ---- chains ----
        case("server omits the intermediate", |_, b| {
            Setup::new(vec![&b.leaf], pem(&[&b.root]), "localhost")
        }),
        case("server also sends the root", |_, b| {
            Setup::new(vec![&b.leaf, &b.int, &b.root], pem(&[&b.root]), "localhost")
        }),
        case("server sends the chain out of order", |p, b| {
            let int2 = p.issue(Spec::new(
                "/CN=Second Intermediate",
                "rsa2048#int2",
                Some(&b.int),
                CA_EXT,
            ));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&int2),
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&leaf, &b.int, &int2], pem(&[&b.root]), "localhost")
        }),
        case("issuer is not a CA", |p, b| {
            with_intermediate(
                p,
                b,
                "basicConstraints=critical,CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
                START,
                END,
            )
        }),
        case(
            "intermediate without basicConstraints, keyCertSign only",
            |p, b| {
                with_intermediate(
                    p,
                    b,
                    "keyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
                    START,
                    END,
                )
            },
        ),
        case("intermediate whose keyUsage lacks keyCertSign", |p, b| {
            with_intermediate(
                p,
                b,
                "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
                START,
                END,
            )
        }),
        case("intermediate limited to clientAuth", |p, b| {
            with_intermediate(
                p,
                b,
                &format!("{CA_EXT}\nextendedKeyUsage=clientAuth"),
                START,
                END,
            )
        }),
        case("intermediate with serverAuth EKU", |p, b| {
            with_intermediate(
                p,
                b,
                &format!("{CA_EXT}\nextendedKeyUsage=serverAuth"),
                START,
                END,
            )
        }),
        case("expired intermediate", |p, b| {
            with_intermediate(p, b, CA_EXT, "20200101000000Z", "20210101000000Z")
        }),
        case("intermediate not yet valid", |p, b| {
            with_intermediate(p, b, CA_EXT, "20400101000000Z", END)
        }),
        case("pathlen 0 on the root is exceeded", |p, _| {
            let root = p.issue(Spec::new(
                "/CN=Pathlen Root",
                "rsa2048#root",
                None,
                &CA_EXT.replace("CA:TRUE", "CA:TRUE,pathlen:0"),
            ));
            let int = p.issue(Spec::new(
                "/CN=Pathlen Intermediate",
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
            Setup::new(vec![&leaf, &int], pem(&[&root]), "localhost")
        }),
        case("pathlen 0 on the intermediate is fine", |p, b| {
            with_intermediate(
                p,
                b,
                &CA_EXT.replace("CA:TRUE", "CA:TRUE,pathlen:0"),
                START,
                END,
            )
        }),
        case("expired server certificate", |p, b| {
            let mut spec = Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&b.int),
                &leaf_ext("DNS:localhost"),
            );
            spec.start = "20200101000000Z";
            spec.end = "20210101000000Z";
            let leaf = p.issue(spec);
            Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
        case("expired root in the trust file", |p, _| {
            let mut spec = Spec::new("/CN=Expired Root", "rsa2048#root", None, CA_EXT);
            spec.start = "20200101000000Z";
            spec.end = "20210101000000Z";
            let root = p.issue(spec);
            let mut spec = Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&root),
                &leaf_ext("DNS:localhost"),
            );
            spec.start = "20200601000000Z";
            let leaf = p.issue(spec);
            Setup::new(vec![&leaf], pem(&[&root]), "localhost")
        }),
        case(
            "self-signed server certificate in the trust file",
            |p, _| {
                let cert = p.issue(Spec::new(
                    "/CN=localhost",
                    "rsa2048#leaf",
                    None,
                    &leaf_ext("DNS:localhost"),
                ));
                Setup::new(vec![&cert], pem(&[&cert]), "localhost")
            },
        ),
        case("self-signed server certificate, not trusted", |p, b| {
            let cert = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                None,
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&cert], pem(&[&b.root]), "localhost")
        }),
        case("server certificate that is a CA", |p, b| {
            let leaf = leaf(
                p,
                b,
                "/CN=localhost",
                "basicConstraints=critical,CA:TRUE\nsubjectAltName=DNS:localhost\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
            );
            Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
        case("v1 root", |p, _| {
            let root = p.issue(Spec::new("/CN=V1 Root", "rsa2048#root", None, ""));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&root),
                "subjectAltName=DNS:localhost",
            ));
            Setup::new(vec![&leaf], pem(&[&root]), "localhost")
        }),
        case("v1 intermediate", |p, b| {
            with_intermediate(p, b, "", START, END)
        }),
        case("root limited to clientAuth", |p, _| {
            let root = p.issue(Spec::new(
                "/CN=ClientAuth Root",
                "rsa2048#root",
                None,
                &format!("{CA_EXT}\nextendedKeyUsage=clientAuth"),
            ));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&root),
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&leaf], pem(&[&root]), "localhost")
        }),
        case(
            "unknown critical extension on the server certificate",
            |p, b| {
                let ext = format!(
                    "{}\n1.3.6.1.4.1.55555.1=critical,ASN1:NULL",
                    leaf_ext("DNS:localhost")
                );
                let leaf = leaf(p, b, "/CN=localhost", &ext);
                Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
            },
        ),
        // ---- name constraints of a CA (checked after the signatures) ----
        case("permitted DNS subtree holds the name", |p, b| {
            constrained(
                p,
                b,
                "permitted;DNS:.example.test",
                "DNS:db.example.test",
                "/CN=db.example.test",
                "db.example.test",
            )
        }),
        case("name outside the permitted DNS subtree", |p, b| {
            constrained(
                p,
                b,
                "permitted;DNS:.example.test",
                "DNS:localhost",
                "/CN=localhost",
                "localhost",
            )
        }),
        case("name inside an excluded DNS subtree", |p, b| {
            constrained(
                p,
                b,
                "excluded;DNS:localhost",
                "DNS:localhost",
                "/CN=x",
                "localhost",
            )
        }),
        case("permitted IP subtree holds the address", |p, b| {
            constrained(
                p,
                b,
                "permitted;IP:127.0.0.0/255.0.0.0",
                "IP:127.0.0.1",
                "/CN=x",
                "127.0.0.1",
            )
        }),
        case("CN outside the permitted DNS subtree", |p, b| {
            constrained(
                p,
                b,
                "permitted;DNS:.example.test",
                "",
                "/CN=db.elsewhere.test",
                "db.elsewhere.test",
            )
        }),
        case("subject inside a permitted directory subtree", |p, b| {
            constrained(
                p,
                b,
                "permitted;dirName:allowed_dn",
                "DNS:localhost",
                "/O=Allowed/CN=localhost",
                "localhost",
            )
        }),
        case("subject outside a permitted directory subtree", |p, b| {
            constrained(
                p,
                b,
                "permitted;dirName:allowed_dn",
                "DNS:localhost",
                "/O=Other/CN=localhost",
                "localhost",
            )
        }),
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

/// The base chain: a root, an intermediate and a server certificate for DNS:localhost.
pub fn base(pki: &mut Pki) -> Base {
    let root = pki.issue(Spec::new("/CN=Matrix Root", "rsa2048#root", None, CA_EXT));
    let int = pki.issue(Spec::new(
        "/CN=Matrix Intermediate",
        "rsa2048#int",
        Some(&root),
        CA_EXT,
    ));
    let leaf = pki.issue(Spec::new(
        "/CN=localhost",
        "rsa2048#leaf",
        Some(&int),
        &leaf_ext("DNS:localhost"),
    ));
    Base { root, int, leaf }
}

/// Writes every case's files to `dir/NN/` (`name`, `host`, `chain.pem` leaf first,
/// `key.pem`, `trust`): the live driver matrix runs them, and so can a person by hand.
pub fn dump(dir: &Path, pki: &mut Pki, base: &Base) {
    for (i, case) in cases().iter().enumerate() {
        let setup = (case.build)(pki, base);
        let out = dir.join(format!("{i:02}"));
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("name"), case.name).unwrap();
        std::fs::write(out.join("host"), setup.host).unwrap();
        let chain: String = setup.chain.iter().map(|c| c.pem.clone()).collect();
        std::fs::write(out.join("chain.pem"), chain).unwrap();
        std::fs::copy(&setup.chain[0].key, out.join("key.pem")).unwrap();
        std::fs::write(out.join("trust"), &setup.trust).unwrap();
    }
}

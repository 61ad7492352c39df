//! The certificate cases every client is measured on: a chain the server sends, a trust
//! file, and the host the client must verify (the server is always at 127.0.0.1). The psql
//! matrix (`cases::libpq_matrix`) and the driver matrices run the same cases.

use std::path::Path;

use crate::support::pki::{CA_EXT, Issued, Pki, Spec, leaf_ext};

mod algorithms;
mod chains;
mod names;

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
    [
        names::host_names(),
        names::trust_files(),
        chains::chains(),
        chains::name_constraints(),
        algorithms::algorithms(),
        algorithms::key_usage(),
    ]
    .into_iter()
    .flatten()
    .collect()
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

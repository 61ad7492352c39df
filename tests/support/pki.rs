//! Certificates made with the `openssl` command, for cases rcgen cannot make: RSA 1024,
//! SHA-1 and RSA-PSS signatures, v1 certificates, chosen validity dates, unusual extensions.
//! Everything is signed with `openssl ca`, so every case goes through one code path.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A certificate on disk with its key.
#[derive(Clone)]
pub struct Issued {
    pub pem: String,
    pub der: Vec<u8>,
    pub key: PathBuf,
    /// Lower-case hex SHA-256 of the DER, as rootcert's JSON has it without colons.
    pub sha256: String,
}

/// What to put in a certificate; `Spec::new` gives a CA-less end-entity default.
pub struct Spec<'a> {
    pub subject: &'a str,
    pub key: &'a str,
    /// `None`: self-signed.
    pub issuer: Option<&'a Issued>,
    /// Lines of an `openssl x509v3_config` section; empty makes a v1 certificate.
    pub ext: String,
    pub start: &'a str,
    pub end: &'a str,
    pub md: Option<&'a str>,
    pub sigopts: &'a [&'a str],
}

impl<'a> Spec<'a> {
    pub fn new(subject: &'a str, key: &'a str, issuer: Option<&'a Issued>, ext: &str) -> Self {
        Spec {
            subject,
            key,
            issuer,
            ext: ext.to_string(),
            start: "20250101000000Z",
            end: "20450101000000Z",
            md: None,
            sigopts: &[],
        }
    }
}

pub const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid";

/// A server certificate's extensions with the given subjectAltName (none when empty).
pub fn leaf_ext(san: &str) -> String {
    let mut ext = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid".to_string();
    if !san.is_empty() {
        ext.push_str(&format!("\nsubjectAltName={san}"));
    }
    ext
}

pub struct Pki {
    dir: tempfile::TempDir,
    keys: HashMap<String, PathBuf>,
    count: usize,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("new")).unwrap();
        std::fs::write(p.join("index.txt"), "").unwrap();
        std::fs::write(p.join("index.txt.attr"), "unique_subject = no\n").unwrap();
        std::fs::write(p.join("serial"), "1000\n").unwrap();
        let fields = [
            "countryName",
            "stateOrProvinceName",
            "localityName",
            "organizationName",
            "organizationalUnitName",
            "commonName",
            "emailAddress",
        ];
        let policy: String = fields.iter().map(|f| format!("{f} = optional\n")).collect();
        std::fs::write(
            p.join("ca.cnf"),
            format!(
                "[ca]\ndefault_ca = d\n[d]\ndatabase = {0}/index.txt\nnew_certs_dir = {0}/new\n\
                 serial = {0}/serial\ndefault_md = default\npolicy = any\nunique_subject = no\n\
                 copy_extensions = none\n[any]\n{policy}",
                p.display()
            ),
        )
        .unwrap();
        Pki {
            dir,
            keys: HashMap::new(),
            count: 0,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A key named `name`, made once. The kind is the name up to any `#`: rsa2048, rsa1024,
    /// p256, p384, ed25519 (so `rsa2048#root` and `rsa2048#leaf` are two RSA keys).
    pub fn key(&mut self, name: &str) -> PathBuf {
        if let Some(path) = self.keys.get(name) {
            return path.clone();
        }
        let kind = name.split('#').next().unwrap();
        let path = self.path(&format!("key-{}.pem", self.keys.len()));
        let mut cmd = Command::new("openssl");
        cmd.arg("genpkey");
        match kind {
            "rsa2048" | "rsa1024" => {
                cmd.args(["-algorithm", "RSA", "-pkeyopt"])
                    .arg(format!("rsa_keygen_bits:{}", &kind[3..]));
            }
            "p256" => {
                cmd.args(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
            }
            "p384" => {
                cmd.args(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]);
            }
            "ed25519" => {
                cmd.args(["-algorithm", "ED25519"]);
            }
            other => panic!("unknown key kind {other}"),
        }
        run(cmd.arg("-out").arg(&path), "genpkey");
        self.keys.insert(name.to_string(), path.clone());
        path
    }

    pub fn issue(&mut self, spec: Spec<'_>) -> Issued {
        self.count += 1;
        let n = self.count;
        let key = self.key(spec.key);
        let csr = self.path(&format!("{n}.csr"));
        let out = self.path(&format!("{n}.pem"));
        run(
            Command::new("openssl")
                .args(["req", "-new", "-key"])
                .arg(&key)
                .args(["-subj", spec.subject, "-out"])
                .arg(&csr),
            "req",
        );
        let mut cmd = Command::new("openssl");
        cmd.args(["ca", "-batch", "-notext", "-preserveDN", "-config"])
            .arg(self.path("ca.cnf"))
            .arg("-in")
            .arg(&csr)
            .arg("-out")
            .arg(&out)
            .args(["-startdate", spec.start, "-enddate", spec.end]);
        match spec.issuer {
            Some(issuer) => {
                let issuer_path = self.path(&format!("{n}.issuer.pem"));
                std::fs::write(&issuer_path, &issuer.pem).unwrap();
                cmd.arg("-cert")
                    .arg(&issuer_path)
                    .arg("-keyfile")
                    .arg(&issuer.key);
            }
            None => {
                cmd.arg("-selfsign").arg("-keyfile").arg(&key);
            }
        }
        if let Some(md) = spec.md {
            cmd.args(["-md", md]);
        }
        for opt in spec.sigopts {
            cmd.args(["-sigopt", opt]);
        }
        if !spec.ext.is_empty() {
            let ext = self.path(&format!("{n}.ext"));
            std::fs::write(&ext, format!("[e]\n{}\n", spec.ext)).unwrap();
            cmd.arg("-extfile").arg(&ext).args(["-extensions", "e"]);
        }
        run(&mut cmd, "ca");
        let pem = std::fs::read_to_string(&out).unwrap();
        let der = pem::parse(&pem).unwrap().into_contents();
        use sha2::Digest;
        Issued {
            sha256: hex::encode(sha2::Sha256::digest(&der)),
            pem,
            der,
            key,
        }
    }
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "openssl {what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The bytes of `path`, for trust files.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

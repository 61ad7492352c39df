//! The rules the 81 matrix cases do not reach, as pgjdbc 42.5.5 on Debian's JDK 17 decides
//! them. Each expectation was checked with the JDK itself: set `ROOTCERT_JAVA_CASES=DIR`
//! and every case below writes `DIR/NAME/{trust,chain.pem,host}`, which
//! `tests/drivers/experiments/JdkRules.java` (pgjdbc's loader, the JDK's trust manager and
//! `PGjdbcHostnameVerifier`, no server) judges the same way.

use std::process::Command;
use std::time::SystemTime;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DnType,
    ExtendedKeyUsagePurpose as Eku, GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose as Ku,
    NameConstraints, date_time_ymd,
};

use super::{judge, load};
use crate::cert::Certificate;
use crate::libpq::{Case, Decision, NameRule};

mod anchors;
mod trust_files;

type Tweak = Box<dyn FnOnce(&mut CertificateParams)>;

struct Ca {
    cert: Certificate,
    issuer: CertifiedIssuer<'static, KeyPair>,
}

fn params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = rcgen::DistinguishedName::new();
    if !cn.is_empty() {
        p.distinguished_name.push(DnType::CommonName, cn);
    }
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(2045, 1, 1);
    p
}

fn ca_params(cn: &str, tweak: impl FnOnce(&mut CertificateParams)) -> CertificateParams {
    let mut p = params(cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![Ku::KeyCertSign, Ku::CrlSign];
    tweak(&mut p);
    p
}

fn make_root(cn: &str, tweak: impl FnOnce(&mut CertificateParams)) -> Ca {
    let issuer =
        CertifiedIssuer::self_signed(ca_params(cn, tweak), KeyPair::generate().unwrap()).unwrap();
    Ca {
        cert: Certificate::from_der(issuer.der()).unwrap(),
        issuer,
    }
}

fn make_int(cn: &str, parent: &Ca, tweak: impl FnOnce(&mut CertificateParams)) -> Ca {
    let mut p = ca_params(cn, tweak);
    p.use_authority_key_identifier_extension = true;
    let issuer =
        CertifiedIssuer::signed_by(p, KeyPair::generate().unwrap(), &parent.issuer).unwrap();
    Ca {
        cert: Certificate::from_der(issuer.der()).unwrap(),
        issuer,
    }
}

/// A server certificate for DNS:localhost as servers have them, changed by `tweak`.
fn make_leaf(parent: &Ca, tweak: impl FnOnce(&mut CertificateParams)) -> Certificate {
    let mut p = params("localhost");
    p.subject_alt_names = vec![rcgen::SanType::DnsName("localhost".try_into().unwrap())];
    p.key_usages = vec![Ku::DigitalSignature, Ku::KeyEncipherment];
    p.extended_key_usages = vec![Eku::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    tweak(&mut p);
    let cert = p
        .signed_by(&KeyPair::generate().unwrap(), &parent.issuer)
        .unwrap();
    Certificate::from_der(cert.der()).unwrap()
}

fn critical(oid: &[u64], content: Vec<u8>) -> CustomExtension {
    let mut ext = CustomExtension::from_oid_content(oid, content);
    ext.set_criticality(true);
    ext
}

fn pem(certs: &[&Certificate]) -> Vec<u8> {
    certs
        .iter()
        .map(|c| c.to_pem())
        .collect::<String>()
        .into_bytes()
}

/// pgjdbc's verdict: `verify-full` with a host, `verify-ca` without.
fn verdict(name: &str, chain: &[&Certificate], trust: &[u8], host: Option<&str>) -> Decision {
    if let Some(dir) = std::env::var_os("ROOTCERT_JAVA_CASES") {
        let dir = std::path::Path::new(&dir).join(name.replace([' ', '/'], "_"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("trust"), trust).unwrap();
        std::fs::write(dir.join("chain.pem"), pem(chain)).unwrap();
        std::fs::write(dir.join("host"), host.unwrap_or("-")).unwrap();
    }
    let trust = load(trust);
    let chain: Vec<Certificate> = chain.iter().map(|c| (*c).clone()).collect();
    judge(&Case {
        chain: &chain,
        trust: &trust,
        trust_name: "root.crt",
        host: host.unwrap_or_default(),
        now: SystemTime::now(),
        names: host.map_or(NameRule::None, |_| NameRule::Java),
        client: "pgjdbc",
    })
}

#[track_caller]
fn connects(v: &Decision) {
    assert!(v.ok, "refused: {:?}", v.problems);
}

#[track_caller]
fn refuses(v: &Decision, why: &str) {
    assert!(!v.ok, "connected; notes {:?}", v.notes);
    assert!(
        v.problems.iter().any(|p| p.contains(why)),
        "{why:?} not in {:?}",
        v.problems
    );
}

#[track_caller]
fn noted(v: &Decision, note: &str) {
    assert!(
        v.notes.iter().any(|n| n.contains(note)),
        "{note:?} not in {:?}",
        v.notes
    );
}

fn openssl(dir: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn base() -> (Ca, Ca, Certificate) {
    let root = make_root("Java Root", |_| {});
    let int = make_int("Java Intermediate", &root, |_| {});
    let leaf = make_leaf(&int, |_| {});
    (root, int, leaf)
}

fn base64_lines(der: &[u8], width: usize, eol: &str) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(width)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    lines.join(eol)
}

#[test]
fn without_a_name_check_only_the_chain_counts() {
    let (root, int, leaf) = base();
    let trust = pem(&[&root.cert]);
    refuses(
        &verdict(
            "wrong host, verify-full",
            &[&leaf, &int.cert],
            &trust,
            Some("db.example.test"),
        ),
        "not db.example.test",
    );
    connects(&verdict(
        "wrong host, verify-ca",
        &[&leaf, &int.cert],
        &trust,
        None,
    ));
    let other = make_root("Other Root", |_| {});
    refuses(
        &verdict(
            "unrelated root, verify-ca",
            &[&leaf, &int.cert],
            &pem(&[&other.cert]),
            None,
        ),
        "unable to find valid certification path",
    );
    // Plain chains need no excuse.
    assert!(
        verdict("plain", &[&leaf, &int.cert], &trust, Some("localhost"))
            .notes
            .is_empty()
    );
}

#[test]
fn signatures_java_refuses_and_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("min.cnf"), "[req]\ndistinguished_name=dn\n[dn]\n").unwrap();
    let req = |args: &[&str]| {
        let mut all = vec![
            "req", "-config", "min.cnf", "-x509", "-new", "-days", "3650",
        ];
        all.extend(args);
        openssl(d, &all)
    };
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "ca.key",
        ],
    );
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "leaf.key",
        ],
    );
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:768",
            "-out",
            "weak.key",
        ],
    );
    let ca_ext = [
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ];
    let ca = req(&[
        &["-key", "ca.key", "-subj", "/CN=Signing Root"],
        &ca_ext[..],
    ]
    .concat());
    std::fs::write(d.join("ca.pem"), &ca).unwrap();
    let signed = |md: &str, key: &str| {
        let pem = req(&[
            "-key",
            key,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            md,
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-addext",
            "authorityKeyIdentifier=none",
            "-addext",
            "subjectKeyIdentifier=none",
        ]);
        Certificate::from_der(::pem::parse(pem).unwrap().contents()).unwrap()
    };
    let v = verdict(
        "SHA-1 under a private root",
        &[&signed("-sha1", "leaf.key")],
        &ca,
        Some("localhost"),
    );
    connects(&v);
    noted(&v, "SHA-1");
    refuses(
        &verdict(
            "MD5 signature",
            &[&signed("-md5", "leaf.key")],
            &ca,
            Some("localhost"),
        ),
        "signed with MD5",
    );
    refuses(
        &verdict(
            "RSA 768 server key",
            &[&signed("-sha256", "weak.key")],
            &ca,
            Some("localhost"),
        ),
        "768-bit key",
    );
}

//! rootcert's model of pgx (`src/stack/go`) against Go's own TLS client: a few hundred
//! random certificate cases made with rcgen (odd basic constraints, key usages, EKUs,
//! name constraints, critical extensions, dates, key types, chains sent in any order, trust
//! files with any mix of certificates and PEM defects, hosts of every form), each run through
//! `tests/drivers/go_verify` (Go's crypto/tls and crypto/x509, configured as pgconn 1.11
//! configures them for verify-full and verify-ca) and through `fuzzing::judge_as`. The
//! verdicts must agree, and rootcert's first problem must quote Go's error word for word.
//!
//! Needs `go` (Debian `golang-go`); without it the test prints a skip notice, unless
//! ROOTCERT_REQUIRE_GO is set. ROOTCERT_GO_SEED picks other cases.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CidrSubnet, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
    SanType, date_time_ymd,
};
use rootcert::Driver;

const CASES: usize = 300;

/// xorshift64: the same cases on every run for one seed. `rarity` makes every oddity
/// rarer in half of the cases, so that enough chains pass to test what passes.
struct Dice {
    state: u64,
    rarity: usize,
}

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        (self.state % sides as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.roll(n) == 0
    }

    /// An odd property, with odds of one in `n` (times the case's rarity).
    fn odd(&mut self, n: usize) -> bool {
        let rarity = self.rarity;
        self.roll(n * rarity) == 0
    }

    /// With odds of one in `n`, one of the `odd` odd variants `0..odd`; else `odd`, the
    /// plain one.
    fn variant(&mut self, n: usize, odd: usize) -> usize {
        if self.odd(n) { self.roll(odd) } else { odd }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.roll(items.len())]
    }
}

fn go() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("go"))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        let message = "go_stack: skipped, `go` is not installed (apt-get install golang-go)";
        assert!(
            std::env::var_os("ROOTCERT_REQUIRE_GO").is_none(),
            "{message}, and ROOTCERT_REQUIRE_GO is set"
        );
        eprintln!("{message}");
    }
    found
}

fn key(dice: &mut Dice) -> KeyPair {
    match dice.roll(5) {
        0 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
        1 => KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
        _ => KeyPair::generate().unwrap(),
    }
}

fn critical(oid: &[u64], content: Vec<u8>, is_critical: bool) -> CustomExtension {
    let mut ext = CustomExtension::from_oid_content(oid, content);
    ext.set_criticality(is_critical);
    ext
}

/// A CA certificate's parameters, each property odd now and then.
fn ca_params(name: &str, dice: &mut Dice) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.is_ca = match dice.variant(3, 4) {
        0 => IsCa::NoCa,
        1 => IsCa::ExplicitNoCa,
        2 => IsCa::Ca(BasicConstraints::Constrained(0)),
        3 => IsCa::Ca(BasicConstraints::Constrained(1)),
        _ => IsCa::Ca(BasicConstraints::Unconstrained),
    };
    p.key_usages = match dice.variant(5, 2) {
        0 => vec![],
        1 => vec![KeyUsagePurpose::DigitalSignature],
        _ => vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
    };
    p.extended_key_usages = match dice.variant(4, 3) {
        0 => vec![ExtendedKeyUsagePurpose::ClientAuth],
        1 => vec![ExtendedKeyUsagePurpose::Any],
        2 => vec![ExtendedKeyUsagePurpose::ServerAuth],
        _ => vec![],
    };
    if dice.odd(10) {
        p.not_after = date_time_ymd(2021, 1, 1);
    } else if dice.odd(15) {
        p.not_before = date_time_ymd(2040, 1, 1);
    }
    match dice.variant(6, 3) {
        0 => p.custom_extensions = vec![critical(&[1, 3, 6, 1, 4, 1, 55555, 7], vec![5, 0], true)],
        1 => p.custom_extensions = vec![critical(&[2, 5, 29, 54], vec![2, 1, 0], true)],
        2 => p.custom_extensions = vec![critical(&[1, 3, 6, 1, 4, 1, 55555, 8], vec![5, 0], false)],
        _ => {}
    }
    if dice.odd(4) {
        let subtree = match dice.roll(7) {
            0 => GeneralSubtree::DnsName("example.test".into()),
            1 => GeneralSubtree::DnsName(".example.test".into()),
            2 => GeneralSubtree::DnsName("localhost".into()),
            3 => GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix([127, 0, 0, 0], 8)),
            4 => GeneralSubtree::Rfc822Name("example.test".into()),
            5 => {
                let mut dn = rcgen::DistinguishedName::new();
                dn.push(DnType::CommonName, "server");
                GeneralSubtree::DirectoryName(dn)
            }
            _ => GeneralSubtree::DnsName("".into()),
        };
        let (permitted, excluded) = if dice.one_in(2) {
            (vec![subtree], vec![])
        } else {
            (vec![], vec![subtree])
        };
        p.name_constraints = Some(NameConstraints {
            permitted_subtrees: permitted,
            excluded_subtrees: excluded,
        });
    }
    if dice.odd(6) {
        p.subject_alt_names = vec![SanType::DnsName("ca.example.test".try_into().unwrap())];
    }
    p.use_authority_key_identifier_extension = !dice.one_in(5);
    p
}

const NAMES: [&str; 10] = [
    "localhost",
    "db.example.test",
    "127.0.0.1",
    "::1",
    "LocalHost",
    "*.example.test",
    "db*.example.test",
    "a.db.example.test",
    "localhost.",
    "10.0.0.5",
];

/// The server certificate's parameters, and the names it holds.
fn leaf_params(dice: &mut Dice) -> (CertificateParams, Vec<&'static str>) {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut names = Vec::new();
    let count = if dice.odd(6) { 0 } else { 1 + dice.roll(3) };
    for _ in 0..count {
        // The first four are plain names; the rest are odd.
        let name = if dice.odd(2) {
            *dice.pick(&NAMES)
        } else {
            NAMES[dice.roll(4)]
        };
        names.push(name);
        p.subject_alt_names.push(match name.parse() {
            Ok(ip) if !dice.odd(4) => SanType::IpAddress(ip),
            _ => SanType::DnsName(name.try_into().unwrap()),
        });
    }
    if dice.odd(8) {
        let mail = *dice.pick(&["dba@example.test", "dba@elsewhere.test"]);
        p.subject_alt_names
            .push(SanType::Rfc822Name(mail.try_into().unwrap()));
    }
    if dice.odd(8) {
        let uri = *dice.pick(&["https://db.example.test/", "https://127.0.0.1/", "urn:x"]);
        p.subject_alt_names
            .push(SanType::URI(uri.try_into().unwrap()));
    }
    p.distinguished_name
        .push(DnType::CommonName, *dice.pick(&NAMES));
    p.extended_key_usages = match dice.variant(5, 4) {
        0 => vec![ExtendedKeyUsagePurpose::ClientAuth],
        1 => vec![ExtendedKeyUsagePurpose::Any],
        2 => vec![],
        3 => vec![ExtendedKeyUsagePurpose::Other(vec![
            1, 3, 6, 1, 4, 1, 311, 10, 3, 3,
        ])],
        _ => vec![ExtendedKeyUsagePurpose::ServerAuth],
    };
    p.key_usages = match dice.variant(6, 2) {
        0 => vec![KeyUsagePurpose::KeyCertSign],
        1 => vec![],
        _ => vec![KeyUsagePurpose::DigitalSignature],
    };
    if dice.odd(12) {
        p.not_before = date_time_ymd(2040, 1, 1);
    } else if dice.odd(12) {
        p.not_after = date_time_ymd(2021, 1, 1);
    }
    if dice.odd(10) {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    if dice.odd(20) {
        p.custom_extensions = vec![critical(&[1, 3, 6, 1, 4, 1, 55555, 9], vec![5, 0], true)];
    }
    p.use_authority_key_identifier_extension = !dice.one_in(5);
    (p, names)
}

fn pem_of(der: &[u8]) -> String {
    pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec()))
}

/// The trust file: some of the certificates, now and then with a PEM defect.
fn trust_file(certs: &[&[u8]], dice: &mut Dice) -> Vec<u8> {
    let blocks: Vec<String> = certs.iter().map(|der| pem_of(der)).collect();
    let all = blocks.concat();
    let corrupt = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
    let text = match dice.variant(4, 16) {
        0 => format!("\u{feff}{all}"),
        1 => all.replace('\n', "\r\n"),
        2 => all.replace('\n', "\r"),
        3 => all.replace("-----\n", "-----  \n"),
        4 => format!("notes\n{all}\nmore notes\n"),
        5 => format!("{all}{corrupt}"),
        6 => format!("{corrupt}{all}"),
        7 => format!("{all}{}", &all[..all.len() / 2]),
        8 => format!("{}\n{all}", &all[..all.len() / 2]),
        9 => all.replacen("-----\n", "-----\nProc-Type: 4,ENCRYPTED\n\n", 1),
        10 => all.replacen("CERTIFICATE", "TRUSTED CERTIFICATE", 2),
        11 => all.replacen("CERTIFICATE", "X509 CERTIFICATE", 2),
        12 => format!("{all}-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"),
        13 => format!("  {all}"),
        14 => return certs.first().map(|der| der.to_vec()).unwrap_or_default(),
        15 => {
            let mut bytes = certs.first().map(|der| der.to_vec()).unwrap_or_default();
            bytes.extend(all.as_bytes());
            return bytes;
        }
        _ => all,
    };
    text.into_bytes()
}

struct Written {
    name: String,
    ours: Result<Vec<String>, Vec<String>>,
}

/// Makes one case in `dir` and judges it as pgx.
fn make_case(dir: &Path, name: String, dice: &mut Dice) -> Written {
    dice.rarity = if dice.one_in(2) { 5 } else { 1 };
    let root_params = ca_params("Fz Root", dice);
    let root = CertifiedIssuer::self_signed(root_params, key(dice)).unwrap();
    let int_name = if dice.odd(10) { "Fz Root" } else { "Fz Int" };
    let int_params = ca_params(int_name, dice);
    let int = CertifiedIssuer::signed_by(int_params, key(dice), &root).unwrap();
    let other_params = ca_params("Fz Other", dice);
    let other = CertifiedIssuer::self_signed(other_params, key(dice)).unwrap();
    let leaf_key = key(dice);
    let issuer = if dice.odd(5) { &root } else { &int };
    let (leaf_params, names) = leaf_params(dice);
    let leaf = leaf_params.signed_by(&leaf_key, issuer).unwrap();
    let (l, i, r, o) = (
        leaf.der().to_vec(),
        int.der().to_vec(),
        root.der().to_vec(),
        other.der().to_vec(),
    );
    let chain: Vec<Vec<u8>> = match dice.variant(2, 5) {
        0 => vec![l.clone()],
        1 => vec![l.clone(), i.clone(), r.clone()],
        2 => vec![l.clone(), r.clone(), i.clone()],
        3 => vec![l.clone(), i.clone(), i.clone()],
        4 => vec![l.clone(), o.clone(), i.clone()],
        _ => vec![l.clone(), i.clone()],
    };
    let mut held: Vec<&[u8]> = Vec::new();
    for (der, held_when) in [(&o, 4), (&r, 0), (&i, 4), (&l, 12)] {
        // The root nearly always; the others now and then.
        let wanted = if held_when == 0 {
            !dice.one_in(6)
        } else {
            dice.one_in(held_when)
        };
        if wanted {
            held.push(der);
        }
    }
    if held.is_empty() && !dice.one_in(8) {
        held.push(&r);
    }
    let trust = trust_file(&held, dice);
    const HOSTS: [&str; 15] = [
        "localhost",
        "LOCALHOST",
        "localhost.",
        "db.example.test",
        "x.example.test",
        "a.db.example.test",
        "example.test",
        "db1.example.test",
        "127.0.0.1",
        "::1",
        "[::1]",
        "0:0:0:0:0:0:0:1",
        "::ffff:127.0.0.1",
        "127.1",
        "10.0.0.5",
    ];
    let host = match dice.roll(3) {
        0 => None,
        1 if !names.is_empty() => Some(*dice.pick(&names)),
        _ => Some(*dice.pick(&HOSTS)),
    };
    let case = dir.join(&name);
    std::fs::create_dir_all(&case).unwrap();
    for (n, der) in chain.iter().enumerate() {
        std::fs::write(case.join(format!("chain{n}")), der).unwrap();
    }
    std::fs::write(case.join("key.pem"), leaf_key.serialize_pem()).unwrap();
    std::fs::write(case.join("trust"), &trust).unwrap();
    if let Some(host) = host {
        std::fs::write(case.join("host"), host).unwrap();
    }
    let ours = rootcert::fuzzing::judge_as(Driver::Pgx, &chain, &trust, host, SystemTime::now());
    Written { name, ours }
}

/// Go reports the time it checked at; the two runs differ by seconds.
fn without_time(text: &str) -> String {
    match text.find("current time ") {
        Some(at) => {
            let rest = &text[at + "current time ".len()..];
            let after = rest.find(' ').map_or("", |space| &rest[space..]);
            format!("{}current time T{after}", &text[..at])
        }
        None => text.to_string(),
    }
}

#[test]
fn pgx_model_agrees_with_go_on_random_certificates() {
    let Some(go) = go() else { return };
    let seed = std::env::var("ROOTCERT_GO_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0018_u64);
    let mut dice = Dice {
        state: seed,
        rarity: 1,
    };
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<Written> = (0..CASES)
        .map(|n| make_case(dir.path(), format!("{n:03}"), &mut dice))
        .collect();
    let mut command = Command::new(go);
    command
        .args(["run", "./tests/drivers/go_verify"])
        .arg(dir.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("GO111MODULE", "off");
    if std::env::var_os("GOCACHE").is_none() {
        command.env("GOCACHE", concat!(env!("CARGO_TARGET_TMPDIR"), "/go-cache"));
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let verdicts: Vec<&str> = stdout.lines().collect();

    assert_eq!(verdicts.len(), cases.len(), "{stdout}");
    let mut differ = Vec::new();
    let mut connected = 0;
    for (case, line) in cases.iter().zip(verdicts) {
        let mut cells = line.splitn(3, '\t');
        assert_eq!(cells.next(), Some(case.name.as_str()));
        let go_connects = cells.next() == Some("connects");
        let go_error = without_time(cells.next().unwrap_or_default());
        connected += usize::from(go_connects);
        let agrees = match &case.ours {
            Ok(_) => go_connects,
            Err(problems) => !go_connects && without_time(&problems[0]).contains(&go_error),
        };
        if !agrees {
            differ.push(format!(
                "  case {} (seed {seed:#x}): Go {}, rootcert {:?}",
                case.name,
                if go_connects {
                    "connects".into()
                } else {
                    format!("refuses: {go_error}")
                },
                case.ours
            ));
        }
    }
    eprintln!(
        "go_stack: {} cases, Go connects on {connected}, rootcert differs on {}",
        cases.len(),
        differ.len()
    );
    assert!(
        differ.is_empty(),
        "pgx's model differs from Go:\n{}",
        differ.join("\n")
    );
}

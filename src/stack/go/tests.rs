//! pgx's rules that the 81 matrix cases do not reach (`docs/drivers/pgx.md` §5.2 and the
//! source), on certificates made here with rcgen. Each case that Go and OpenSSL decide
//! differently also asserts libpq's verdict, so the test shows the rule, not just a result.

use std::time::SystemTime;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CidrSubnet, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
    SanType, date_time_ymd,
};

use crate::cert::Certificate;
use crate::libpq::{self, Case, Decision, NameRule, TrustFile};

type Issuer = CertifiedIssuer<'static, KeyPair>;

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.use_authority_key_identifier_extension = true;
    params
}

fn root(name: &str, tweak: impl FnOnce(&mut CertificateParams)) -> Issuer {
    let mut params = ca_params(name);
    tweak(&mut params);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn intermediate(name: &str, by: &Issuer, tweak: impl FnOnce(&mut CertificateParams)) -> Issuer {
    let mut params = ca_params(name);
    tweak(&mut params);
    CertifiedIssuer::signed_by(params, KeyPair::generate().unwrap(), by).unwrap()
}

fn leaf(sans: &[&str], by: &Issuer, tweak: impl FnOnce(&mut CertificateParams)) -> Certificate {
    let names: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params.distinguished_name.push(DnType::CommonName, "server");
    params.use_authority_key_identifier_extension = true;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    tweak(&mut params);
    cert(
        params
            .signed_by(&KeyPair::generate().unwrap(), by)
            .unwrap()
            .der(),
    )
}

fn cert(der: &[u8]) -> Certificate {
    Certificate::from_der(der).unwrap()
}

fn of(issuer: &Issuer) -> Certificate {
    cert(issuer.der())
}

fn pem(certs: &[&Certificate]) -> Vec<u8> {
    certs
        .iter()
        .map(|c| c.to_pem())
        .collect::<String>()
        .into_bytes()
}

/// pgx's verdict (`verify-full` with `host`, `verify-ca` without).
fn pgx(chain: &[&Certificate], trust: &[u8], host: Option<&str>) -> Decision {
    let trust = super::load(trust);
    judge_with(super::judge, chain, &trust, host, NameRule::Go)
}

/// psql's verdict on the same, for contrast.
fn psql(chain: &[&Certificate], trust: &[u8], host: &str) -> Decision {
    let trust = TrustFile::load(trust);
    judge_with(libpq::judge, chain, &trust, Some(host), NameRule::Libpq)
}

fn judge_with(
    judge: fn(&Case<'_>) -> Decision,
    chain: &[&Certificate],
    trust: &TrustFile,
    host: Option<&str>,
    rule: NameRule,
) -> Decision {
    let chain: Vec<Certificate> = chain.iter().map(|c| (*c).clone()).collect();
    judge(&Case {
        chain: &chain,
        trust,
        trust_name: "root.pem",
        host: host.unwrap_or_default(),
        now: SystemTime::now(),
        names: host.map_or(NameRule::None, |_| rule),
        client: "pgx",
    })
}

#[track_caller]
fn refused(verdict: &Decision, words: &str) {
    assert!(!verdict.ok, "connects, wanted a refusal with {words:?}");
    let all = verdict.problems.join("\n");
    assert!(all.contains(words), "{all}");
    assert_eq!(
        verdict.problems.len(),
        verdict.fixes.len(),
        "a fix for every problem: {all}"
    );
}

#[track_caller]
fn connects(verdict: &Decision) -> String {
    assert!(verdict.ok, "{:?}", verdict.problems);
    verdict.notes.join("\n")
}

/// A root and an intermediate, and a leaf for `localhost` under the intermediate.
fn chain_under(root: &Issuer) -> (Certificate, Certificate) {
    let int = intermediate("Go Intermediate", root, |_| {});
    (leaf(&["localhost"], &int, |_| {}), of(&int))
}

#[test]
fn anchors_go_refuses_to_let_sign() {
    // A v3 root without basicConstraints: OpenSSL takes keyCertSign as enough, Go does not.
    let no_bc = root("Go No BC Root", |p| p.is_ca = IsCa::NoCa);
    let (server, int) = chain_under(&no_bc);
    let trust = pem(&[&of(&no_bc)]);
    refused(
        &pgx(&[&server, &int], &trust, Some("localhost")),
        "v3 certificate without basicConstraints",
    );
    assert!(psql(&[&server, &int], &trust, "localhost").ok);
    // CA:FALSE, and keyUsage without keyCertSign.
    let not_ca = root("Go CA FALSE Root", |p| p.is_ca = IsCa::ExplicitNoCa);
    let (server, int) = chain_under(&not_ca);
    refused(
        &pgx(&[&server, &int], &pem(&[&of(&not_ca)]), None),
        "CA:FALSE",
    );
    let no_sign = root("Go No Sign Root", |p| {
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature]
    });
    let (server, int) = chain_under(&no_sign);
    refused(
        &pgx(&[&server, &int], &pem(&[&of(&no_sign)]), None),
        "keyCertSign",
    );
}

#[test]
fn anchors_are_checked_like_every_other_certificate() {
    // Unknown critical extensions, and ones OpenSSL knows but Go does not (inhibitAnyPolicy).
    for oid in [&[1, 3, 6, 1, 4, 1, 55555, 7][..], &[2, 5, 29, 54]] {
        let mut ext = CustomExtension::from_oid_content(oid, vec![0x02, 0x01, 0x00]);
        ext.set_criticality(true);
        let odd = root("Go Critical Root", |p| p.custom_extensions = vec![ext]);
        let (server, int) = chain_under(&odd);
        refused(
            &pgx(&[&server, &int], &pem(&[&of(&odd)]), None),
            "x509: unhandled critical extension",
        );
    }
    // Validity: a root not yet valid, an expired intermediate as the only anchor.
    let future = root("Go Future Root", |p| {
        p.not_before = date_time_ymd(2040, 1, 1)
    });
    let (server, int) = chain_under(&future);
    refused(
        &pgx(&[&server, &int], &pem(&[&of(&future)]), None),
        "not valid until 2040",
    );
    let fine = root("Go Root", |_| {});
    let old = intermediate("Go Old Intermediate", &fine, |p| {
        p.not_after = date_time_ymd(2021, 1, 1)
    });
    let server = leaf(&["localhost"], &old, |_| {});
    let verdict = pgx(&[&server, &of(&old)], &pem(&[&of(&old)]), None);
    refused(&verdict, "expired on 2021-01-01");
    assert!(verdict.fixes.join(" ").contains("trust anchor"));
    // pathlen counts on the anchor too.
    let strict = root("Go Pathlen Root", |p| {
        p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0))
    });
    let (server, int) = chain_under(&strict);
    refused(
        &pgx(&[&server, &int], &pem(&[&of(&strict)]), None),
        "too many intermediates",
    );
}

#[test]
fn any_certificate_in_the_file_is_an_anchor() {
    let top = root("Go Root", |_| {});
    let (server, int) = chain_under(&top);
    // The server certificate alone, though not self-signed.
    let verdict = pgx(&[&server, &int], &pem(&[&server]), Some("localhost"));
    assert!(connects(&verdict).contains("trusts the server certificate"));
    assert!(!psql(&[&server, &int], &pem(&[&server]), "localhost").ok);
    // The intermediate alone: a partial chain.
    let verdict = pgx(&[&server, &int], &pem(&[&int]), Some("localhost"));
    assert!(connects(&verdict).contains("partial chain: CN=Go Intermediate"));
    assert_eq!(verdict.root.unwrap().subject(), "CN=Go Intermediate");
    // Root and intermediate: the root ends the chain reported, nothing lenient to note.
    let verdict = pgx(
        &[&server, &int],
        &pem(&[&int, &of(&top)]),
        Some("localhost"),
    );
    assert_eq!(connects(&verdict), "");
    assert_eq!(verdict.root.unwrap().subject(), "CN=Go Root");
    // An unrelated root: unknown authority, and the fix names the missing issuer.
    let other = root("Go Other Root", |_| {});
    let verdict = pgx(&[&server, &int], &pem(&[&of(&other)]), None);
    refused(&verdict, "x509: certificate signed by unknown authority");
    assert!(
        verdict.fixes[0].contains("CN=Go Root"),
        "{:?}",
        verdict.fixes
    );
}

#[test]
fn trust_files_go_cannot_use() {
    let top = root("Go Root", |_| {});
    let (server, int) = chain_under(&top);
    let chain = [&server, &int];
    // A DER root before a PEM root: the BEGIN line does not start a line, so nothing loads.
    let mut der_then_pem = of(&top).der().to_vec();
    der_then_pem.extend(pem(&[&of(&top)]));
    let verdict = pgx(&chain, &der_then_pem, None);
    refused(&verdict, "unable to add CA to cert pool");
    // A PKCS#7 bundle in PEM is skipped like any other label.
    let pkcs7 = b"-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n";
    let verdict = pgx(&chain, pkcs7, None);
    refused(&verdict, "PKCS7");
    assert!(verdict.fixes[0].contains("openssl pkcs7 -print_certs"));
    // A BOM hides the only block; the fix removes it.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(pem(&[&of(&top)]));
    let verdict = pgx(&chain, &bom, None);
    refused(&verdict, "byte-order mark");
    assert!(verdict.fixes[0].contains("sed -i"));
    assert!(psql(&chain, &bom, "localhost").ok);
    // A corrupt block after the root is skipped: pgx connects where libpq fails, and says so.
    let mut corrupt = pem(&[&of(&top)]);
    corrupt.extend(b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
    let note = connects(&pgx(&chain, &corrupt, Some("localhost")));
    assert!(
        note.contains("passes over") && note.contains("PEM block 2 (CERTIFICATE)"),
        "{note}"
    );
    assert!(!psql(&chain, &corrupt, "localhost").ok);
    // So is a block cut short.
    let good = String::from_utf8(pem(&[&of(&top)])).unwrap();
    let cut = format!("{good}{}", &good[..good.len() / 2]);
    let note = connects(&pgx(&chain, cut.as_bytes(), Some("localhost")));
    assert!(note.contains("without an END line"), "{note}");
    // A block Go does not take is named when the chain finds no anchor.
    let other = root("Go Other Root", |_| {});
    let trusted = good.replace("CERTIFICATE", "TRUSTED CERTIFICATE") + &of(&other).to_pem();
    let verdict = pgx(&chain, trusted.as_bytes(), None);
    refused(&verdict, "Go did not use PEM block 1 (TRUSTED CERTIFICATE)");
    assert!(psql(&chain, trusted.as_bytes(), "localhost").ok);
    // The BOM hides the first of two blocks.
    let file = super::load(format!("\u{feff}{good}{}", of(&other).to_pem()).as_bytes());
    assert_eq!(file.certs.len(), 1);
    assert!(
        file.left_out[0].contains("byte-order mark"),
        "{:?}",
        file.left_out
    );
}

#[test]
fn verify_ca_checks_the_chain_only() {
    let top = root("Go Root", |_| {});
    let int = intermediate("Go Intermediate", &top, |_| {});
    let trust = pem(&[&of(&top)]);
    let elsewhere = leaf(&["db.elsewhere.test"], &int, |_| {});
    refused(
        &pgx(&[&elsewhere, &of(&int)], &trust, Some("localhost")),
        "valid for db.elsewhere.test, not localhost",
    );
    connects(&pgx(&[&elsewhere, &of(&int)], &trust, None));
    // A certificate naming the host only in its CN: never under verify-full, fine under verify-ca.
    let cn_only = leaf(&[], &int, |p| {
        p.distinguished_name.push(DnType::CommonName, "localhost");
    });
    let verdict = pgx(&[&cn_only, &of(&int)], &trust, Some("localhost"));
    refused(&verdict, "relies on legacy Common Name field");
    assert!(verdict.fixes[0].contains("subjectAltName (DNS:localhost)"));
    connects(&pgx(&[&cn_only, &of(&int)], &trust, None));
    // But a broken chain fails verify-ca too.
    let other = root("Go Other Root", |_| {});
    refused(
        &pgx(&[&elsewhere, &of(&int)], &pem(&[&of(&other)]), None),
        "unknown authority",
    );
}

#[test]
fn go_host_names() {
    let top = root("Go Root", |_| {});
    let int = intermediate("Go Intermediate", &top, |_| {});
    let trust = pem(&[&of(&top)]);
    let server = leaf(&["db_1.example.test", "127.0.0.1", "::1"], &int, |_| {});
    let chain = [&server, &of(&int)];
    for host in [
        "DB_1.example.test",
        "db_1.example.test.",
        "::ffff:127.0.0.1",
        "[::1]",
        "0:0:0:0:0:0:0:1",
    ] {
        connects(&pgx(&chain, &trust, Some(host)));
    }
    assert!(connects(&pgx(&chain, &trust, Some("db_1.example.test."))).contains("trailing dot"));
    for host in ["127.1", "127.000.000.001", "db_1.example.test.."] {
        refused(
            &pgx(&chain, &trust, Some(host)),
            "x509: certificate is valid for db_1.example.test, not",
        );
    }
    refused(
        &pgx(&chain, &trust, Some("")),
        "tls: either ServerName or InsecureSkipVerify",
    );
}

#[test]
fn name_constraints_as_go_applies_them() {
    let top = root("Go Root", |_| {});
    let trust = pem(&[&of(&top)]);
    let constrained = |nc: NameConstraints, own: Vec<SanType>| {
        intermediate("Go Constrained", &top, move |p| {
            p.name_constraints = Some(nc);
            p.subject_alt_names = own;
        })
    };
    let dns = |permitted: &str| NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName(permitted.into())],
        excluded_subtrees: vec![],
    };
    // The CA's own SANs must fit its constraints too.
    let int = constrained(
        dns("example.test"),
        vec![SanType::DnsName("ca.other.test".try_into().unwrap())],
    );
    let server = leaf(&["db.example.test"], &int, |_| {});
    refused(
        &pgx(&[&server, &of(&int)], &trust, None),
        "\"ca.other.test\" is not permitted",
    );
    // An e-mail SAN of the server certificate against an e-mail constraint.
    let mail = NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::Rfc822Name("example.test".into())],
        excluded_subtrees: vec![],
    };
    let int = constrained(mail, vec![]);
    let server = leaf(&["localhost"], &int, |p| {
        p.subject_alt_names.push(SanType::Rfc822Name(
            "dba@elsewhere.test".try_into().unwrap(),
        ));
    });
    refused(
        &pgx(&[&server, &of(&int)], &trust, None),
        "email address \"dba@elsewhere.test\"",
    );
    // Excluded IP range; a name of another kind is not checked against it.
    let ip = NameConstraints {
        permitted_subtrees: vec![],
        excluded_subtrees: vec![GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix(
            [127, 0, 0, 0],
            8,
        ))],
    };
    let int = constrained(ip, vec![]);
    let by_ip = leaf(&["127.0.0.1"], &int, |_| {});
    refused(
        &pgx(&[&by_ip, &of(&int)], &trust, None),
        "is excluded by constraint \"127.0.0.0/8\"",
    );
    connects(&pgx(
        &[&leaf(&["localhost"], &int, |_| {}), &of(&int)],
        &trust,
        None,
    ));
}

#[test]
fn extended_key_usage_as_go_reads_it() {
    let top = root("Go Root", |_| {});
    let int = intermediate("Go Intermediate", &top, |_| {});
    let trust = pem(&[&of(&top)]);
    // Microsoft's Server Gated Crypto counts for OpenSSL, not for Go.
    let sgc = leaf(&["localhost"], &int, |p| {
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(vec![
            1, 3, 6, 1, 4, 1, 311, 10, 3, 3,
        ])];
    });
    refused(
        &pgx(&[&sgc, &of(&int)], &trust, Some("localhost")),
        "incompatible key usage",
    );
    assert!(psql(&[&sgc, &of(&int)], &trust, "localhost").ok);
}

#[test]
fn signatures_go_refuses() {
    let top = root("Go Root", |_| {});
    let trust = pem(&[&of(&top)]);
    // Two intermediates with one name: the server sends the one that did not sign.
    let signer = intermediate("Go Twin", &top, |_| {});
    let twin = intermediate("Go Twin", &top, |p| {
        p.use_authority_key_identifier_extension = false
    });
    let server = leaf(&["localhost"], &signer, |p| {
        p.use_authority_key_identifier_extension = false
    });
    refused(
        &pgx(&[&server, &of(&twin)], &trust, None),
        "does not verify with the key of",
    );
    let ed = CertifiedIssuer::signed_by(
        ca_params("Go Twin"),
        KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
        &top,
    )
    .unwrap();
    let verdict = pgx(&[&server, &of(&ed)], &trust, None);
    refused(
        &verdict,
        "specifies an ECDSA public key, but have public key of type ed25519.PublicKey",
    );
    // The server sends only its own certificate.
    refused(
        &pgx(&[&server], &trust, None),
        "sent only its own certificate",
    );
}

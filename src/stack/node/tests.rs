use std::time::SystemTime;

use super::names::{Compared, Identity, Lenient, check_server_identity, mysql2_checked_host};
use super::*;
use crate::cert::Cert;
use crate::libpq::TrustFile;
use crate::stack::testing::Ca;

/// Common names, subjectAltNames, and each host with whether it matches.
type NameCase<'a> = (&'a [&'a str], &'a [&'a str], &'a [(&'a str, bool)]);

fn block(label: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(label, der.to_vec()))
}

/// OpenSSL trust settings (`X509_CERT_AUX`), as `openssl x509 -trustout` writes them.
const TRUST_CLIENT_AUTH: &[u8] = &[
    0x30, 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
];
const TRUST_SERVER_AUTH: &[u8] = &[
    0x30, 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
];
const REJECT_SERVER_AUTH: &[u8] = &[
    0x30, 0x0c, 0xa0, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
];
const TRUST_ANY_EKU: &[u8] = &[0x30, 0x08, 0x30, 0x06, 0x06, 0x04, 0x55, 0x1d, 0x25, 0x00];
const ALIAS_ONLY: &[u8] = &[0x30, 0x04, 0x0c, 0x02, b'd', b'b'];

fn with_aux(der: &[u8], aux: &[u8]) -> Vec<u8> {
    [der, aux].concat()
}

fn subjects(file: &TrustFile) -> Vec<String> {
    file.certs.iter().map(Cert::subject).collect()
}

fn judge_with(
    names: NameRule,
    client: &str,
    chain: &[Cert],
    trust: &TrustFile,
    host: &str,
) -> Verdict {
    judge(&Case {
        chain,
        trust,
        trust_name: "ca.pem",
        host,
        now: SystemTime::now(),
        names,
        client,
    })
}

// Each file below was also given to Node 20.20.2 as `tls.connect({ca})` against a server
// whose chain ends at the root: the comments say what Node did.

#[test]
fn node_keeps_what_it_read_before_a_block_it_cannot_read() {
    let root = Ca::new("Root");
    let other = Ca::new("Other");
    let bad_unknown = "-----BEGIN FOO-----\n!!!!\n-----END FOO-----\n";
    let bad_key = "-----BEGIN PRIVATE KEY-----\nAA!A\n-----END PRIVATE KEY-----\n";
    let truncated = "-----BEGIN CERTIFICATE-----\nMIIB\n";
    // Before the root: nothing trusted (refused); after it: the root stays (authorized).
    for broken in [bad_unknown, bad_key] {
        let file = load(format!("{broken}{}", root.pem()).as_bytes());
        assert!(file.certs.is_empty());
        assert!(
            file.error
                .unwrap()
                .starts_with("Node stops reading at PEM block 1")
        );
    }
    for broken in [
        bad_unknown,
        truncated,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ] {
        let file = load(format!("{}{broken}{}", root.pem(), other.pem()).as_bytes());
        assert_eq!(subjects(&file), ["CN=Root"], "{broken}");
        assert_eq!(file.error, None);
        assert!(file.left_out[0].contains("block 2"), "{:?}", file.left_out);
        assert!(file.left_out[0].contains(trust_file::OPENSSL_REFUSES));
    }
    // A valid block of another kind is skipped (authorized).
    let unknown = "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n";
    assert_eq!(
        subjects(&load(format!("{unknown}{}", root.pem()).as_bytes())),
        ["CN=Root"]
    );
}

#[test]
fn bytes_after_the_der_stop_node_where_openssl_reads_on() {
    let root = Ca::new("Root");
    let other = Ca::new("Other");
    let trailing = block("CERTIFICATE", &with_aux(&other.der(), b"trailing"));
    let text = format!("{trailing}{}", root.pem());
    let node = load(text.as_bytes());
    assert!(node.certs.is_empty(), "the loop ends there: refused");
    assert!(
        node.error
            .unwrap()
            .contains("8 bytes after the certificate's DER")
    );
    let openssl = TrustFile::load(text.as_bytes());
    assert_eq!(subjects(&openssl), ["CN=Other", "CN=Root"]);
    // Root first: kept, and the note says OpenSSL would have read on.
    let node = load(format!("{}{trailing}", root.pem()).as_bytes());
    assert_eq!(subjects(&node), ["CN=Root"]);
    assert!(node.left_out[0].contains("ignore those bytes and read on"));
}

#[test]
fn trust_settings_decide_whether_a_certificate_anchors() {
    let root = Ca::new("Root");
    let trusted = |aux: &[u8], label: &str| {
        let file = load(block(label, &with_aux(&root.der(), aux)).as_bytes());
        !file.certs.is_empty()
    };
    // Node: authorized with serverAuth, any EKU or no list; INVALID_PURPOSE otherwise.
    assert!(trusted(TRUST_SERVER_AUTH, "TRUSTED CERTIFICATE"));
    assert!(trusted(TRUST_ANY_EKU, "TRUSTED CERTIFICATE"));
    assert!(trusted(ALIAS_ONLY, "TRUSTED CERTIFICATE"));
    assert!(!trusted(TRUST_CLIENT_AUTH, "TRUSTED CERTIFICATE"));
    assert!(!trusted(REJECT_SERVER_AUTH, "TRUSTED CERTIFICATE"));
    // d2i_X509_AUX reads them whatever the label.
    assert!(!trusted(TRUST_CLIENT_AUTH, "CERTIFICATE"));
    // The store keeps the first of two copies: refused, then authorized.
    let client_only = block(
        "TRUSTED CERTIFICATE",
        &with_aux(&root.der(), TRUST_CLIENT_AUTH),
    );
    let first_refuses = load(format!("{client_only}{}", root.pem()).as_bytes());
    assert!(first_refuses.certs.is_empty());
    assert!(first_refuses.left_out[0].contains("exclude TLS servers"));
    let first_trusts = load(format!("{}{client_only}", root.pem()).as_bytes());
    assert_eq!(subjects(&first_trusts), ["CN=Root"]);
    // OpenSSL's file loader honours them for TRUSTED CERTIFICATE blocks only (Python 3.11:
    // "certificate rejected"; a plain block with the same bytes connects).
    let openssl = |label: &str| {
        TrustFile::load(block(label, &with_aux(&root.der(), TRUST_CLIENT_AUTH)).as_bytes())
    };
    assert!(openssl("TRUSTED CERTIFICATE").certs.is_empty());
    assert_eq!(subjects(&openssl("CERTIFICATE")), ["CN=Root"]);
}

#[test]
fn files_node_reads_nothing_from() {
    let root = Ca::new("Root");
    let pem = root.pem();
    let with_header = pem.replacen("-----\n", "-----\nComment: the root\n\n", 1);
    for (text, why) in [
        (root.der(), "DER"),
        (Vec::new(), "empty"),
        (b"\xEF\xBB\xBF".to_vec(), "empty"),
        (pem.replace('\n', "\r").into_bytes(), "no matching END line"),
        (
            pem.replace("-----BEGIN", "  -----BEGIN").into_bytes(),
            "no PEM certificate",
        ),
        (
            block("PKCS7", &root.der()).into_bytes(),
            "no PEM certificate",
        ),
        (with_header.into_bytes(), "header lines"),
        (
            pem.replace("END CERTIFICATE", "END X509 CERTIFICATE")
                .into_bytes(),
            "no matching END line",
        ),
    ] {
        let file = load(&text);
        assert!(file.certs.is_empty(), "{why}");
        let error = file.error.unwrap();
        assert!(error.contains(why), "{why}: {error}");
    }
}

#[test]
fn files_node_reads_like_openssl() {
    let root = Ca::new("Root");
    let pem = root.pem();
    let base64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(root.der())
    };
    let wide: Vec<String> = base64
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    for text in [
        format!("\u{feff}{}", pem.replace('\n', "\r\n")),
        format!("Subject: the root\n\n{pem}\nnotes\n"),
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            wide.join("\n")
        ),
        format!("-----BEGIN CERTIFICATE-----\n{base64}\n-----END CERTIFICATE-----   \n"),
        pem.replace("CERTIFICATE", "X509 CERTIFICATE"),
        format!("{pem}-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"),
    ] {
        let file = load(text.as_bytes());
        assert_eq!(subjects(&file), ["CN=Root"], "{text}");
        assert_eq!(file.error, None);
        assert!(file.left_out.is_empty());
    }
}

/// Measured with Node 20.20.2: `tls.checkServerIdentity(host,
/// new X509Certificate(pem).toLegacyObject())` on certificates with the same names.
#[test]
fn check_server_identity_as_node_decides() {
    let ca = Ca::new("Root");
    let cases: &[NameCase] = &[
        (
            &["a.test", "b.test"],
            &[],
            &[("a.test", true), ("b.test", true)],
        ),
        (&["x"], &["DNS:*.test"], &[("x.test", false)]),
        (
            &["x"],
            &["DNS:xn--*.example.test"],
            &[("xn--a.example.test", false), ("xn--*.example.test", true)],
        ),
        (
            &["x"],
            &["DNS:localhost."],
            &[("localhost", true), ("localhost.", true)],
        ),
        (
            &["x"],
            &["IP:127.0.0.1"],
            &[
                ("127.0.0.1", true),
                ("127.0.0.1.", true),
                ("127.1", false),
                ("127.000.0.1", false),
                ("0x7f.0.0.1", false),
            ],
        ),
        (
            &["x"],
            &[
                "DNS:db*.example.test",
                "DNS:*db.other.test",
                "DNS:d*b.third.test",
            ],
            &[
                ("db.example.test", true),
                ("db1.example.test", true),
                ("mydb.other.test", true),
                ("db.other.test", true),
                ("dxb.third.test", true),
                ("db.third.test", true),
                ("d.third.test", false),
            ],
        ),
        (
            &["x"],
            &["DNS:*.example.test"],
            &[
                (".example.test", true),
                ("a.b.example.test", false),
                ("DB.EXAMPLE.TEST", true),
                ("localhost..", false),
                ("x.example.test..", true),
            ],
        ),
        (
            &["x"],
            &["IP:::1"],
            &[("0:0:0:0:0:0:0:1", true), ("::1", true), ("::0001", true)],
        ),
        (&["x"], &["DNS:LocalHost"], &[("LOCALHOST", true)]),
        (&["x"], &["DNS:*"], &[("localhost", false)]),
        (&["127.0.0.1"], &[], &[("127.0.0.1", false)]),
        (
            &["db.test"],
            &["URI:https://db.test/"],
            &[("db.test", true)],
        ),
        (&[], &[], &[("localhost", false), ("127.0.0.1", false)]),
        (&["x"], &["DNS:a..test"], &[("a..test", false)]),
        (&["*.example.test"], &[], &[("db.example.test", true)]),
        (
            &["localhost"],
            &["IP:10.0.0.1"],
            &[("localhost", true), ("10.0.0.1", true)],
        ),
        (
            &["x"],
            &["DNS:*.*.example.test"],
            &[("a.b.example.test", false)],
        ),
        (&["x"], &["DNS:10.0.0.5"], &[("10.0.0.5", false)]),
    ];
    for (cns, sans, hosts) in cases {
        let leaf = ca.leaf(cns, sans);
        for (host, matches) in *hosts {
            let got = check_server_identity(host, &leaf);
            assert_eq!(
                matches!(got, Identity::Match(_)),
                *matches,
                "{cns:?} {sans:?} {host}: {got:?}"
            );
        }
    }
}

#[test]
fn what_node_compared_and_which_lenient_rule_matched() {
    let ca = Ca::new("Root");
    let two_cns = ca.leaf(&["a.test", "b.test"], &[]);
    assert_eq!(
        check_server_identity("b.test", &two_cns),
        Identity::Match(Some(Lenient::LaterCn("b.test".into())))
    );
    assert_eq!(
        check_server_identity("a.test", &two_cns),
        Identity::Match(None)
    );
    let partial = ca.leaf(&["x"], &["DNS:db*.example.test"]);
    assert_eq!(
        check_server_identity("db1.example.test", &partial),
        Identity::Match(Some(Lenient::PartialWildcard("db*.example.test".into())))
    );
    let plain = ca.leaf(&["x"], &["DNS:localhost"]);
    assert_eq!(
        check_server_identity("localhost.", &plain),
        Identity::Match(Some(Lenient::TrailingDot("localhost".into())))
    );
    assert_eq!(
        check_server_identity("db", &plain),
        Identity::Mismatch(Compared::DnsNames(vec!["localhost".into()]))
    );
    assert_eq!(
        check_server_identity("127.0.0.1", &plain),
        Identity::Mismatch(Compared::Addresses(vec![]))
    );
    let nameless = ca.leaf(&[], &[]);
    assert_eq!(
        check_server_identity("db", &nameless),
        Identity::Mismatch(Compared::Nothing)
    );
}

#[test]
fn mysql2_checks_an_address_as_localhost() {
    assert_eq!(mysql2_checked_host("127.0.0.1"), "localhost");
    assert_eq!(mysql2_checked_host("::1"), "localhost");
    assert_eq!(mysql2_checked_host("db.example.test"), "db.example.test");
    // Not addresses to net.isIP: checked as given.
    assert_eq!(mysql2_checked_host("127.1"), "127.1");
    assert_eq!(mysql2_checked_host("127.0.0.1."), "127.0.0.1.");
    let ca = Ca::new("Root");
    let trust = load(ca.pem().as_bytes());
    let by_address = [ca.leaf(&["x"], &["IP:127.0.0.1"])];
    let ok =
        |client, names, chain: &[Cert], host| judge_with(names, client, chain, &trust, host).ok;
    assert!(ok(
        "node-postgres",
        NameRule::Node,
        &by_address,
        "127.0.0.1"
    ));
    let refused = judge_with(NameRule::Mysql2, "mysql2", &by_address, &trust, "127.0.0.1");
    assert!(!refused.ok);
    assert!(refused.problems[0].starts_with("mysql2 checks an address host as the name localhost"));
    let for_localhost = [ca.leaf(&["x"], &["DNS:localhost"])];
    let passed = judge_with(
        NameRule::Mysql2,
        "mysql2",
        &for_localhost,
        &trust,
        "10.9.8.7",
    );
    assert!(passed.ok);
    assert!(
        passed.notes[0].contains("whatever it says of 10.9.8.7"),
        "{:?}",
        passed.notes
    );
}

#[test]
fn verify_ca_checks_the_chain_only() {
    let ca = Ca::new("Root");
    let stranger = Ca::new("Stranger");
    let chain = [ca.leaf(&["x"], &["DNS:db.example.test"])];
    let trust = load(ca.pem().as_bytes());
    for (client, rule) in [
        ("node-postgres", NameRule::Node),
        ("mysql2", NameRule::Mysql2),
    ] {
        assert!(!judge_with(rule, client, &chain, &trust, "elsewhere.test").ok);
        assert!(judge_with(NameRule::None, client, &chain, &trust, "").ok);
        let wrong_root = load(stranger.pem().as_bytes());
        let refused = judge_with(NameRule::None, client, &chain, &wrong_root, "");
        assert!(!refused.ok);
        assert!(
            refused.problems[0].contains("CN=Root"),
            "{:?}",
            refused.problems
        );
    }
}

#[test]
fn problems_and_fixes_in_the_drivers_terms() {
    let ca = Ca::new("Root");
    let chain = [ca.leaf(&["x"], &["DNS:db.example.test"])];
    let der = load(&ca.der());
    let verdict = judge_with(
        NameRule::Node,
        "node-postgres",
        &chain,
        &der,
        "db.example.test",
    );
    assert!(
        verdict.problems[0]
            .starts_with("node-postgres trusts no certificate from ca.pem: it is DER"),
        "{:?}",
        verdict.problems
    );
    assert!(
        verdict.fixes[0].contains("openssl x509 -inform DER"),
        "{:?}",
        verdict.fixes
    );
    let trust = load(ca.pem().as_bytes());
    let by_name = judge_with(NameRule::Node, "node-postgres", &chain, &trust, "10.0.0.5");
    assert!(by_name.problems[0].contains("against IP address entries only"));
    assert!(
        by_name.fixes[0].starts_with("connect to db.example.test (the host in the connection URL)"),
        "{:?}",
        by_name.fixes
    );
    let mysql = judge_with(NameRule::Mysql2, "mysql2", &chain, &trust, "10.0.0.5");
    assert!(
        mysql.fixes[0].starts_with("connect with `host: 'db.example.test'`"),
        "{:?}",
        mysql.fixes
    );
    // A chain ending at a root the file does not hold: the fix names Node's setting.
    let stranger = load(Ca::new("Stranger").pem().as_bytes());
    let unknown = judge_with(
        NameRule::Mysql2,
        "mysql2",
        &chain,
        &stranger,
        "db.example.test",
    );
    assert!(
        unknown.fixes[0].contains("ssl: {ca: fs.readFileSync(FILE)"),
        "{:?}",
        unknown.fixes
    );
    // A root Node dropped is named as dropped, not as missing.
    let trailing = load(block("CERTIFICATE", &with_aux(&ca.der(), b"xx")).as_bytes());
    let dropped = judge_with(
        NameRule::Node,
        "node-postgres",
        &chain,
        &trailing,
        "db.example.test",
    );
    assert!(
        dropped.problems[0].contains("after the certificate's DER"),
        "{:?}",
        dropped.problems
    );
}

#[test]
fn lenient_rules_are_noted_only_where_libpq_would_refuse() {
    let ca = Ca::new("Root");
    let trust = load(ca.pem().as_bytes());
    let note = |sans: &[&str], cns: &[&str], host: &str| {
        let verdict = judge_with(
            NameRule::Node,
            "node-postgres",
            &[ca.leaf(cns, sans)],
            &trust,
            host,
        );
        assert!(verdict.ok, "{host}: {:?}", verdict.problems);
        verdict.notes
    };
    assert!(note(&["DNS:localhost"], &["x"], "localhost.")[0].contains("trailing dot"));
    assert!(
        note(&["DNS:db*.example.test"], &["x"], "db1.example.test")[0]
            .contains("partial wildcard db*.example.test")
    );
    assert!(note(&[], &["a.test", "b.test"], "b.test")[0].contains("every common name"));
    assert!(note(&["DNS:localhost"], &["x"], "localhost").is_empty());
    // libpq compares the host with the whole label too: no note for db.example.test.
    assert!(note(&["DNS:*.example.test"], &["x"], "db.example.test").is_empty());
    // A broken block after the root: connects, with the rule named.
    let broken = load(
        format!(
            "{}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            ca.pem()
        )
        .as_bytes(),
    );
    let leaf = [ca.leaf(&["x"], &["DNS:localhost"])];
    let verdict = judge_with(NameRule::Node, "node-postgres", &leaf, &broken, "localhost");
    assert!(verdict.ok);
    assert!(
        verdict.notes[0]
            .starts_with("Node keeps the certificates it read before a block it cannot read")
    );
}

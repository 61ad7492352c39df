use std::time::SystemTime;

use super::names::mysql2_checked_host;
use super::*;
use crate::cert::Certificate;
use crate::libpq::TrustFile;
use crate::stack::testing::{Ca, block, with_aux};

fn judge_with(
    names: NameRule,
    client: &str,
    chain: &[Certificate],
    trust: &TrustFile,
    host: &str,
) -> Decision {
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
    let ok = |client, names, chain: &[Certificate], host| {
        judge_with(names, client, chain, &trust, host).ok
    };
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
    // pg turns an empty file into `ca: ''`, which Node ignores; mysql2 users pass a Buffer.
    let empty = load(b"");
    let pg = judge_with(
        NameRule::Node,
        "node-postgres",
        &chain,
        &empty,
        "db.example.test",
    );
    assert!(
        pg.problems[0].contains("bundled public roots"),
        "{:?}",
        pg.problems
    );
    let mysql = judge_with(
        NameRule::Mysql2,
        "mysql2",
        &chain,
        &empty,
        "db.example.test",
    );
    assert!(
        !mysql.problems[0].contains("bundled"),
        "{:?}",
        mysql.problems
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

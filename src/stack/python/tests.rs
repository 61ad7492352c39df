use std::time::SystemTime;

use super::*;
use crate::cert::Certificate;
use crate::libpq::TrustFile;
use crate::stack::testing::{Ca, block, with_aux};
use crate::stack::{Stack, load};

/// Common names, subjectAltNames, and each host with whether it matches.
type NameCase<'a> = (&'a [&'a str], &'a [&'a str], &'a [(&'a str, bool)]);

fn judge_with(
    client: &str,
    names: NameRule,
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

/// Measured with Python 3.11.7 (OpenSSL 3.0.19): a server with each certificate, a client
/// `SSLContext(PROTOCOL_TLS_CLIENT)` trusting the CA, `wrap_socket(server_hostname=host)`.
#[test]
fn host_names_as_python_decides() {
    let ca = Ca::new("Root");
    let trust = load(Stack::Python, ca.pem().as_bytes());
    let cases: &[NameCase] = &[
        (
            &["a.test", "b.test"],
            &[],
            &[("a.test", true), ("b.test", true)],
        ),
        (&["x"], &["DNS:*.test"], &[("x.test", false)]),
        (
            &["x"],
            &["DNS:localhost."],
            &[("localhost", false), ("localhost.", true)],
        ),
        (
            &["x"],
            &["IP:127.0.0.1"],
            &[
                ("127.0.0.1", true),
                ("127.0.0.1.", false),
                ("127.000.0.1", true),
                (" 127.0.0.1", true),
                ("127.1", false),
            ],
        ),
        (
            &["x"],
            &["DNS:*.example.test"],
            &[
                ("DB.EXAMPLE.TEST", true),
                (".example.test", false),
                ("a.b.example.test", false),
            ],
        ),
        (
            &["x"],
            &["IP:::1"],
            &[("0:0:0:0:0:0:0:1", true), ("::0001", true)],
        ),
        (
            &["localhost"],
            &["IP:10.0.0.1"],
            &[("localhost", true), ("10.0.0.1", true)],
        ),
        (
            &["db.test"],
            &["URI:https://db.test/"],
            &[("db.test", true)],
        ),
        (
            &["x"],
            &["DNS:xn--*.example.test"],
            &[("xn--a.example.test", false)],
        ),
        // The matrix (docs/drivers/asyncpg.md): no partial wildcard, an address against
        // iPAddress entries only.
        (
            &["x"],
            &["DNS:db*.example.test"],
            &[("db1.example.test", false)],
        ),
        (&["x"], &["DNS:10.0.0.5"], &[("10.0.0.5", false)]),
        (
            &["127.0.0.1"],
            &["DNS:localhost"],
            &[("127.0.0.1", false), ("localhost", true)],
        ),
    ];
    for (cns, sans, hosts) in cases {
        let chain = [ca.leaf(cns, sans)];
        for (host, connects) in *hosts {
            let verdict = judge_with("asyncpg", NameRule::Python, &chain, &trust, host);
            assert_eq!(
                verdict.ok, *connects,
                "{cns:?} {sans:?} {host:?}: {:?}",
                verdict.problems
            );
        }
    }
}

#[test]
fn python_refuses_some_host_names_before_connecting() {
    assert!(hostname_refusal("").unwrap().contains("ValueError"));
    for host in [
        ".example.test",
        "a..test",
        &format!("{}.test", "x".repeat(64)),
    ] {
        assert!(
            hostname_refusal(host).unwrap().contains("UnicodeError"),
            "{host}"
        );
    }
    for host in [
        "localhost.",
        "::1",
        "db_1.test",
        &format!("{}.test", "x".repeat(63)),
    ] {
        assert_eq!(hostname_refusal(host), None, "{host}");
    }
}

#[test]
fn the_trust_file_is_openssls() {
    let ca = Ca::new("Root");
    let chain = [ca.leaf(&["x"], &["DNS:localhost"])];
    let refused = |text: String| {
        let verdict = judge_with(
            "PyMySQL",
            NameRule::Python,
            &chain,
            &load(Stack::Python, text.as_bytes()),
            "localhost",
        );
        assert!(!verdict.ok, "{text}");
        verdict.problems.join("; ")
    };
    // Python 3.11: "[X509] PEM lib" for each, "certificate rejected" for the trust settings.
    assert!(
        refused(format!(
            "{}-----BEGIN FOO-----\n!!!!\n-----END FOO-----\n",
            ca.pem()
        ))
        .contains("PyMySQL cannot load")
    );
    assert!(refused(ca.pem().replacen("-----\n", "-----\nFoo: bar\n", 1)).contains("header lines"));
    let client_auth_only = [
        0x30, 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
    ];
    let trusted = block(
        "TRUSTED CERTIFICATE",
        &with_aux(&ca.der(), &client_auth_only),
    );
    assert!(refused(trusted).contains("exclude TLS servers"));
    // Unlike Node, OpenSSL's loader ignores bytes after the DER of a CERTIFICATE block.
    let trailing = block("CERTIFICATE", &with_aux(&ca.der(), b"trailing"));
    let verdict = judge_with(
        "asyncpg",
        NameRule::Python,
        &chain,
        &load(Stack::Python, trailing.as_bytes()),
        "localhost",
    );
    assert!(verdict.ok, "{:?}", verdict.problems);
}

#[test]
fn verify_ca_checks_the_chain_only() {
    let ca = Ca::new("Root");
    let chain = [ca.leaf(&["x"], &["DNS:db.example.test"]), ca.cert()];
    let trust = load(Stack::Python, ca.pem().as_bytes());
    for client in ["asyncpg", "PyMySQL"] {
        assert!(!judge_with(client, NameRule::Python, &chain, &trust, "127.0.0.1").ok);
        let verdict = judge_with(client, NameRule::None, &chain, &trust, "");
        assert!(verdict.ok, "{:?}", verdict.problems);
        assert_eq!(verdict.root.unwrap().subject(), "CN=Root");
        let stranger = load(Stack::Python, Ca::new("Stranger").pem().as_bytes());
        assert!(!judge_with(client, NameRule::None, &chain, &stranger, "").ok);
    }
}

#[test]
fn problems_and_fixes_in_the_drivers_terms() {
    let ca = Ca::new("Root");
    let chain = [ca.leaf(&["x"], &["DNS:db.example.test"])];
    let der = load(Stack::Python, &ca.der());
    let verdict = judge_with("asyncpg", NameRule::Python, &chain, &der, "db.example.test");
    assert!(
        verdict.problems[0].contains("load_verify_locations reads only PEM"),
        "{:?}",
        verdict.problems
    );
    assert!(verdict.fixes[0].contains("openssl x509 -inform DER"));
    let trust = load(Stack::Python, ca.pem().as_bytes());
    let by_address = judge_with("PyMySQL", NameRule::Python, &chain, &trust, "10.0.0.5");
    assert!(
        by_address.problems[0].contains("against IP address entries only"),
        "{:?}",
        by_address.problems
    );
    assert!(
        by_address.fixes[0].starts_with("connect with host='db.example.test'"),
        "{:?}",
        by_address.fixes
    );
    let asyncpg = judge_with("asyncpg", NameRule::Python, &chain, &trust, "other.test");
    assert!(
        asyncpg.fixes[0].starts_with("connect to db.example.test (the host in the DSN)"),
        "{:?}",
        asyncpg.fixes
    );
    let stranger = load(Stack::Python, Ca::new("Stranger").pem().as_bytes());
    let unknown = judge_with(
        "PyMySQL",
        NameRule::Python,
        &chain,
        &stranger,
        "db.example.test",
    );
    assert!(
        unknown.fixes[0].contains("ssl_ca (with ssl_verify_identity=True)"),
        "{:?}",
        unknown.fixes
    );
}

#[test]
fn every_common_name_is_noted_for_asyncpg() {
    let ca = Ca::new("Root");
    let trust = load(Stack::Python, ca.pem().as_bytes());
    let chain = [ca.leaf(&["a.test", "b.test"], &[])];
    let asyncpg = judge_with("asyncpg", NameRule::Python, &chain, &trust, "b.test");
    assert!(asyncpg.ok);
    assert!(
        asyncpg.notes[0].contains("every common name"),
        "{:?}",
        asyncpg.notes
    );
    assert!(
        judge_with("asyncpg", NameRule::Python, &chain, &trust, "a.test")
            .notes
            .is_empty()
    );
    // The mariadb client compares every CN too: nothing to note for PyMySQL.
    assert!(
        judge_with("PyMySQL", NameRule::Python, &chain, &trust, "b.test")
            .notes
            .is_empty()
    );
}

//! rootcert check agrees with the mariadb client on every case.

use super::*;

#[test]
fn rootcert_check_agrees_with_the_mariadb_client() {
    if !mariadb::available() {
        return;
    }
    let mut pki = Pki::new();
    let root = pki.issue(Spec::new("/CN=MySQL Root", "rsa2048#root", None, CA_EXT));
    let other = pki.issue(Spec::new("/CN=Other Root", "rsa2048#other", None, CA_EXT));
    let int = pki.issue(Spec::new(
        "/CN=MySQL Intermediate",
        "rsa2048#int",
        Some(&root),
        CA_EXT,
    ));
    let mut leaf = |cn: &str, san: &str| {
        pki.issue(Spec::new(
            &format!("/CN={cn}"),
            "rsa2048#leaf",
            Some(&int),
            &leaf_ext(san),
        ))
    };
    let good = leaf("localhost", "DNS:localhost,IP:127.0.0.1");
    let cn_ip_with_dns = leaf("127.0.0.1", "DNS:localhost");
    let ip_only = leaf("somewhere", "IP:127.0.0.1");
    let partial = leaf("x", "DNS:db*.rootcert.test");
    let wildcard = leaf("x", "DNS:*.rootcert.test");
    let one_dot = leaf("x", "DNS:*.test");
    let cn_hidden = leaf("db1.rootcert.test", "DNS:localhost");
    let mut spec = Spec::new(
        "/CN=localhost",
        "rsa2048#leaf",
        Some(&int),
        &leaf_ext("DNS:localhost"),
    );
    spec.start = "20200101000000Z";
    spec.end = "20210101000000Z";
    let expired = pki.issue(spec);
    let two_cns = pki.issue(Spec::new(
        "/CN=other.example/CN=localhost",
        "rsa2048#leaf",
        Some(&int),
        &leaf_ext(""),
    ));
    let no_san = pki.issue(Spec::new(
        "/CN=127.0.0.1",
        "rsa2048#leaf",
        Some(&int),
        &leaf_ext(""),
    ));

    let case = |name, leaf: &Issued, trust: &Issued, host, note| Case {
        name,
        chain: vec![leaf.clone(), int.clone()],
        trust: trust.clone(),
        host,
        note,
    };
    let cases = vec![
        case("right root, by name", &good, &root, "localhost", ""),
        case("other root", &good, &other, "localhost", ""),
        case("by IP, iPAddress SAN", &good, &root, "127.0.0.1", ""),
        case(
            "by IP, CN is the address but a dNSName exists",
            &cn_ip_with_dns,
            &root,
            "127.0.0.1",
            "libpq passes: it reads the CN when no iPAddress SAN exists",
        ),
        case(
            "by IP, only an iPAddress SAN",
            &ip_only,
            &root,
            "127.0.0.1",
            "",
        ),
        case(
            "by IP, no SAN, CN is the address",
            &no_san,
            &root,
            "127.0.0.1",
            "",
        ),
        case(
            "partial wildcard db*",
            &partial,
            &root,
            "db1.rootcert.test",
            "libpq fails: it knows only *. wildcards",
        ),
        case(
            "wildcard *.rootcert.test",
            &wildcard,
            &root,
            "db1.rootcert.test",
            "",
        ),
        case(
            "wildcard *.test is literal",
            &one_dot,
            &root,
            "db1.rootcert.test",
            "",
        ),
        case(
            "CN ignored beside a dNSName",
            &cn_hidden,
            &root,
            "db1.rootcert.test",
            "",
        ),
        case(
            "two CNs, the second is the host",
            &two_cns,
            &root,
            "localhost",
            "libpq fails: it reads the first CN only",
        ),
        case(
            "127.1 with an iPAddress SAN 127.0.0.1",
            &good,
            &root,
            "127.1",
            "libpq passes: inet_aton reads 127.1 as 127.0.0.1",
        ),
        case(
            "expired server certificate",
            &expired,
            &root,
            "localhost",
            "",
        ),
        Case {
            name: "intermediate not sent",
            chain: vec![good.clone()],
            trust: root.clone(),
            host: "localhost",
            note: "",
        },
    ];

    let server = MariaDb::start(Some(&tls(&[&good, &int])), 10);
    let env = Env::new();
    let mut table = Vec::new();
    let mut disagreements = 0;
    let mut passes = 0;
    let mut chain_only_passes = 0;
    for (i, case) in cases.iter().enumerate() {
        server.serve(&tls(&case.chain.iter().collect::<Vec<_>>()));
        let trust = env.path(&format!("mysql-trust-{i}.pem"));
        std::fs::write(&trust, &case.trust.pem).unwrap();
        // With --ssl-verify-server-cert, and with --ssl-ca alone (the chain only).
        for verify_name in [true, false] {
            let client = server.client_connects(case.host, &trust, None, verify_name);
            let target = format!(
                "mariadb://probe@{}:{}?ssl-ca={}{}",
                case.host,
                server.port,
                trust.display(),
                if verify_name {
                    "&ssl-verify-server-cert=1"
                } else {
                    ""
                }
            );
            let run = rootcert(&env, &server, &["check", &target, "--json"]);
            let report = run.json();
            let ours = report["ok"].as_bool();
            let agree =
                ours == Some(client.is_ok()) && run.code == if client.is_ok() { 0 } else { 4 };
            disagreements += usize::from(!agree);
            if verify_name {
                passes += usize::from(client.is_ok());
            } else {
                chain_only_passes += usize::from(client.is_ok());
            }
            table.push(format!(
                "{:<48} {:<12} mariadb {:<4} rootcert {:<4} {}{}",
                case.name,
                if verify_name {
                    "verify-name"
                } else {
                    "ssl-ca only"
                },
                if client.is_ok() { "pass" } else { "fail" },
                match ours {
                    Some(true) => "pass",
                    Some(false) => "fail",
                    None => "err",
                },
                if agree { "" } else { "DISAGREE " },
                if case.note.is_empty() || !verify_name {
                    String::new()
                } else {
                    format!("({})", case.note)
                }
            ));
            if !agree {
                table.push(format!(
                    "    client: {client:?}\n    rootcert: {}",
                    run.stdout
                ));
            }
        }
    }
    eprintln!("{}", table.join("\n"));
    drivers_connect_with_the_settings_check_prints(&env, &server, &cases[0]);
    roots_without_ssl_ca_are_the_clients_defaults(&env, &server, &cases[0], &other);
    assert_eq!(
        disagreements,
        0,
        "rootcert and mariadb disagree:\n{}",
        table.join("\n")
    );
    assert!(
        passes >= 4 && passes <= cases.len() - 4,
        "the cases must go both ways"
    );
    assert!(
        chain_only_passes > passes,
        "without the name check, the name cases pass"
    );
}

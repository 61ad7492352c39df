//! MySQL/MariaDB targets against a real MariaDB, with the `mariadb` client
//! (`--ssl-verify-server-cert`) as the oracle: one server, one certificate case after
//! another (`FLUSH SSL` swaps them), and `rootcert check` must reach the client's verdict.
//! Then what happens around TLS: a server without it, an ERR packet instead of a
//! greeting, and `max_connect_errors`, which rootcert's probes must never trip.

use std::path::Path;

use crate::support::mariadb::{self, MariaDb};
use crate::support::pg::ServerTls;
use crate::support::pki::{CA_EXT, Issued, Pki, Spec, leaf_ext};
use crate::support::{Env, Run, rootcert_program, run_snippet};

/// `rootcert ARGS` in the server's hosts namespace (so test names resolve to 127.0.0.1).
fn rootcert(env: &Env, server: &MariaDb, args: &[&str]) -> Run {
    rootcert_with_store(env, server, args, None)
}

/// `rootcert` as above, with `store` as OpenSSL's default store (SSL_CERT_FILE).
fn rootcert_with_store(env: &Env, server: &MariaDb, args: &[&str], store: Option<&Path>) -> Run {
    let template = env.cmd();
    let (program, prefix) = rootcert_program();
    let all: Vec<&str> = prefix
        .iter()
        .map(String::as_str)
        .chain(args.iter().copied())
        .collect();
    let mut cmd = mariadb::with_hosts(&server.hosts, &program, &all);
    cmd.env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    if let Some(store) = store {
        cmd.env("SSL_CERT_FILE", store);
    }
    cmd.current_dir(env.dir.path());
    Run::from(cmd.output().unwrap())
}

fn tls(chain: &[&Issued]) -> ServerTls {
    ServerTls {
        chain_pem: chain.iter().map(|c| c.pem.clone()).collect(),
        key_pem: std::fs::read_to_string(&chain[0].key).unwrap(),
    }
}

struct Case {
    name: &'static str,
    chain: Vec<Issued>,
    trust: Issued,
    host: &'static str,
    /// Where the mariadb client's rule differs from libpq's, said for the reader.
    note: &'static str,
}

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

#[test]
fn mysql_probes_never_trip_max_connect_errors_and_err_greetings_are_reported() {
    if !mariadb::available() {
        return;
    }
    let mut pki = Pki::new();
    let root = pki.issue(Spec::new("/CN=MySQL Root", "rsa2048#root", None, CA_EXT));
    let leaf = pki.issue(Spec::new(
        "/CN=localhost",
        "rsa2048#leaf",
        Some(&root),
        &leaf_ext("DNS:localhost,IP:127.0.0.1"),
    ));
    let server = MariaDb::start(Some(&tls(&[&leaf])), 10);
    let env = Env::new();
    let ca = env.path("mysql-root.pem");
    std::fs::write(&ca, &root.pem).unwrap();
    // MariaDB never blocks 127.0.0.1, so every probe comes from 127.0.0.2, which its
    // private hosts file names.
    let source = "127.0.0.2";
    let relay = mariadb::Relay::start(server.port, source);
    let targets = env.path("targets.txt");
    let line = format!(
        "mysql://localhost:{}?ssl-mode=VERIFY_IDENTITY\n",
        server.port
    );
    std::fs::write(&targets, format!("# 150 probes\n{}", line.repeat(150))).unwrap();
    let ca_arg = ca.to_str().unwrap();
    let run = rootcert(
        &env,
        &server,
        &[
            "check",
            "--targets",
            targets.to_str().unwrap(),
            "--ca",
            ca_arg,
            "--bind",
            source,
            "--jobs",
            "16",
            "--json",
        ],
    );
    run.expect(0);
    assert_eq!(run.stdout.lines().count(), 150, "{}", run.stdout);
    assert_eq!(
        server.client_verifies("localhost", &ca, Some(&relay)),
        Ok(()),
        "the real client is blocked after rootcert's probes"
    );

    // A server without TLS: refused, and still not counted as aborted.
    let plain = MariaDb::start(None, 10);
    for _ in 0..12 {
        let run = rootcert(
            &env,
            &plain,
            &[
                "check",
                &format!("mysql://localhost:{}", plain.port),
                "--ca",
                ca_arg,
                "--bind",
                source,
            ],
        );
        run.expect(3).stderr_has("does not offer TLS");
    }
    let plain_relay = mariadb::Relay::start(plain.port, source);
    assert!(
        plain
            .client_verifies("localhost", &ca, Some(&plain_relay))
            .is_err()
    );
    let out = mariadb::with_hosts(
        &plain.hosts,
        Path::new("/usr/bin/mariadb"),
        &[
            "--no-defaults",
            "--protocol=tcp",
            "-h",
            "localhost",
            "-P",
            &plain_relay.port.to_string(),
            "-u",
            "probe",
            "-e",
            "select 1",
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "blocked after probing a server without TLS: {out:?}"
    );

    // The control: clients that hang up after the greeting do get the host blocked, and
    // then the server's first packet is an ERR, which rootcert reports as such.
    for _ in 0..11 {
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket
            .bind(
                &"127.0.0.2:0"
                    .parse::<std::net::SocketAddr>()
                    .unwrap()
                    .into(),
            )
            .unwrap();
        socket
            .connect(&std::net::SocketAddr::from(([127, 0, 0, 1], server.port)).into())
            .unwrap();
        let mut stream: std::net::TcpStream = socket.into();
        let mut greeting = [0u8; 16];
        let _ = std::io::Read::read(&mut stream, &mut greeting);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let client = server.client_verifies("localhost", &ca, Some(&relay));
    assert!(
        client.as_ref().is_err_and(|e| e.contains("blocked")),
        "{client:?}"
    );
    let run = rootcert(
        &env,
        &server,
        &[
            "check",
            &format!("mysql://localhost:{}?ssl-mode=VERIFY_IDENTITY", server.port),
            "--ca",
            ca_arg,
            "--bind",
            source,
        ],
    );
    run.expect(3)
        .stderr_has("ERROR 1129")
        .stderr_has("flush-hosts");
    server.sql("FLUSH HOSTS").unwrap();
    assert_eq!(
        server.client_verifies("localhost", &ca, Some(&relay)),
        Ok(())
    );
}

/// The settings a pass prints, run as printed: the mariadb command line, PyMySQL and
/// mysql2 (Node) each connect with verification to the server of `case`, which passes.
fn drivers_connect_with_the_settings_check_prints(env: &Env, server: &MariaDb, case: &Case) {
    if crate::support::under_wine() {
        // The lines name Windows paths (Z:\...), for Windows clients, not these.
        return;
    }
    server.serve(&tls(&case.chain.iter().collect::<Vec<_>>()));
    let ca = env.path("mysql-drivers-ca.pem");
    std::fs::write(&ca, &case.trust.pem).unwrap();
    // Each driver configured for full verification with the CA, as check prints it.
    let target = format!("{}:{}", case.host, server.port);
    let ca_text = ca.display().to_string();
    let run = rootcert(
        env,
        server,
        &[
            "check",
            &target,
            "--protocol",
            "mysql",
            "--ca",
            &ca_text,
            "--client",
            "mariadb",
            "--client",
            "pymysql",
            "--client",
            "mysql2",
            "--json",
        ],
    );
    run.expect(0);
    let report = run.json();
    // The user is a placeholder in what check prints for a bare target.
    let setting =
        |client: &str| crate::support::setting(&report, client).replace("<user>", "probe");
    let mariadb_line = format!("{} -N -B -e 'select 1'", setting("mariadb"));
    let out = std::process::Command::new("sh")
        .args(["-c", &mariadb_line])
        .output()
        .unwrap();
    assert!(out.status.success(), "{mariadb_line}: {out:?}");
    run_snippet(
        "python3",
        &format!(
            "import pymysql\nc = {}\nc.cursor().execute('select 1')",
            setting("pymysql")
        ),
    );
    run_snippet(
        "node",
        &format!(
            "const mysql = require('mysql2'); const fs = require('fs');\n\
             const c = {};\n\
             c.query('select 1', (e) => {{ if (e) {{ console.error(e.message); process.exit(1); }} c.end(); }});",
            setting("mysql2")
        ),
    );
}

/// Without ssl-ca, the mariadb client verifies against OpenSSL's default store
/// (SSL_CERT_FILE), and so does rootcert; the mysql client has no default, which rootcert
/// reports. `case` must pass with its own root.
fn roots_without_ssl_ca_are_the_clients_defaults(
    env: &Env,
    server: &MariaDb,
    case: &Case,
    other: &Issued,
) {
    server.serve(&tls(&case.chain.iter().collect::<Vec<_>>()));
    let port = server.port.to_string();
    for (name, store_pem, passes) in [("right", &case.trust, true), ("other", other, false)] {
        let store = env.path(&format!("default-store-{name}.pem"));
        std::fs::write(&store, &store_pem.pem).unwrap();
        let mut client = mariadb::with_hosts(
            &server.hosts,
            Path::new("/usr/bin/mariadb"),
            &[
                "--no-defaults",
                "--protocol=tcp",
                "-h",
                case.host,
                "-P",
                &port,
                "-u",
                "probe",
                "--ssl",
                "--ssl-verify-server-cert",
                "-N",
                "-e",
                "select 1",
            ],
        );
        let client = client
            .env("SSL_CERT_FILE", &store)
            .env("SSL_CERT_DIR", env.path("no-such-dir"))
            .output()
            .unwrap();
        assert_eq!(
            client.status.success(),
            passes,
            "mariadb with the {name} store: {client:?}"
        );
        let target = format!(
            "mariadb://probe@{}:{port}?ssl-verify-server-cert=1",
            case.host
        );
        let run = rootcert_with_store(env, server, &["check", &target], Some(&store));
        run.expect(if passes { 0 } else { 4 });
    }
    let mysql = format!(
        "mysql://probe@{}:{port}?ssl-mode=VERIFY_IDENTITY",
        case.host
    );
    // The mariadb client (the default) trusts the default store without ssl-ca; Oracle's
    // mysql client refuses VERIFY_IDENTITY without one.
    rootcert(env, server, &["check", &mysql, "--client", "mysql"])
        .expect(4)
        .stdout_has("needs ssl-ca");
}

/// Issue 21, item 4: a MySQL target's messages are in the MySQL clients' terms: no
/// `hostaddr`, no `sslrootcert`, no libpq verdict words, and a chain-only pass with a wrong
/// name offers no empty "Connect with:".
#[test]
fn messages_are_in_the_mysql_clients_terms() {
    if !mariadb::available() {
        return;
    }
    let mut pki = Pki::new();
    let root = pki.issue(Spec::new("/CN=Terms Root", "rsa2048#root", None, CA_EXT));
    let leaf = pki.issue(Spec::new(
        "/CN=db.rootcert.test",
        "rsa2048#leaf",
        Some(&root),
        &leaf_ext("DNS:db.rootcert.test"),
    ));
    let server = MariaDb::start(Some(&tls(&[&leaf])), 100);
    let env = Env::new();
    let ca = env.path("terms-ca.pem");
    std::fs::write(&ca, &root.pem).unwrap();
    let ca_text = ca.display().to_string();
    // By address, the name does not match: the fix names the host to use, MySQL's way.
    let target = format!(
        "mariadb://probe@127.0.0.1:{}?ssl-verify-server-cert=1&ssl-ca={ca_text}",
        server.port
    );
    let run = rootcert(&env, &server, &["check", &target]);
    run.expect(4);
    let said = format!("{}{}", run.stdout, run.stderr);
    for libpq_word in ["hostaddr", "sslrootcert", "verify-full", "sslmode"] {
        assert!(
            !said.contains(libpq_word),
            "{libpq_word} in a MySQL report:\n{said}"
        );
    }
    assert!(
        said.contains("connect with the host name db.rootcert.test"),
        "{said}"
    );
    // Chain only (ssl-ca alone): a pass, with the name noted, and no empty "Connect with:".
    let target = format!("mariadb://probe@127.0.0.1:{}?ssl-ca={ca_text}", server.port);
    let run = rootcert(&env, &server, &["check", &target]);
    run.expect(0);
    assert!(!run.stdout.contains("Connect with:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("does not check the host name"),
        "{}",
        run.stdout
    );
    // No ssl-mode, no ssl-ca: the mariadb client trusts its default store, and says so.
    let target = format!("mariadb://probe@localhost:{}", server.port);
    let run = rootcert(&env, &server, &["check", &target]);
    run.expect(4)
        .stdout_has("UNVERIFIED")
        .stdout_has("trusting the system store");
    assert!(!run.stdout.contains("(mysql)"), "{}", run.stdout);
}

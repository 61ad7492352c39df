//! Probes that do not trip max_connect_errors, ERR greetings, and messages in MySQL's terms.

use super::*;

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
